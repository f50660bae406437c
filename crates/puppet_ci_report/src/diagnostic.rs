//! The one shape of a problem found in the user's files, whichever stage found it
//! (validate, lint, compile, the container checks): where it is, what rule or issue code,
//! how bad, what it says, what to do, and optionally the text edits that fix it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A problem in the user's code or configuration, found by a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file, as the user should see it (relative to the control repo when it is in it).
    pub file: PathBuf,
    pub start: Position,
    /// Where the problem ends, when the stage knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Position>,
    /// The rule or issue code: `SYNTAX_ERROR`, `arrow_alignment`, `DUPLICATE_RESOURCE`, ...
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// One line saying what to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// A 1-based line and column; the column counts characters, as Puppet and puppet-lint do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The code is refused, or the rule is configured to fail the stage.
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

/// Text edits that fix a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, when that is not obvious from the diagnostic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub edits: Vec<Edit>,
}

/// Whether a fix may be applied without a person reading it (ruff's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// Keeps the meaning of the code.
    Safe,
    /// May change the meaning of the code: applied only when asked for.
    Unsafe,
}

/// Replaces the bytes `start..end` of the file with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

impl Edit {
    pub fn replace(start: usize, end: usize, replacement: impl Into<String>) -> Self {
        Self { start, end, replacement: replacement.into() }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Self::replace(at, at, text)
    }

    pub fn delete(start: usize, end: usize) -> Self {
        Self::replace(start, end, "")
    }
}

/// Why edits could not be applied to a text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the edit of bytes {start}..{end} is outside the text ({len} bytes) or not on character boundaries")]
    OutOfRange { start: usize, end: usize, len: usize },
    #[error("the edits of bytes {first_start}..{first_end} and {second_start}..{second_end} overlap")]
    Overlap { first_start: usize, first_end: usize, second_start: usize, second_end: usize },
}

/// Applies edits to `text`: they may come in any order but must not overlap (two
/// insertions at one place are kept in the order given).
pub fn apply_edits(text: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|edit| (edit.start, edit.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut previous: Option<&Edit> = None;
    for edit in sorted {
        let in_range = edit.start <= edit.end && edit.end <= text.len() && text.is_char_boundary(edit.start) && text.is_char_boundary(edit.end);
        if !in_range {
            return Err(EditError::OutOfRange { start: edit.start, end: edit.end, len: text.len() });
        }
        if let Some(previous) = previous.filter(|previous| edit.start < previous.end) {
            return Err(EditError::Overlap { first_start: previous.start, first_end: previous.end, second_start: edit.start, second_end: edit.end });
        }
        out.push_str(&text[at..edit.start]);
        out.push_str(&edit.replacement);
        at = edit.end;
        previous = Some(edit);
    }
    out.push_str(&text[at..]);
    Ok(out)
}

impl Diagnostic {
    pub fn new(file: impl Into<PathBuf>, start: Position, code: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Self { file: file.into(), start, end: None, code: code.into(), severity, message: message.into(), help: None, fix: None }
    }

    pub fn error(file: impl Into<PathBuf>, start: Position, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(file, start, code, Severity::Error, message)
    }

    #[must_use]
    pub fn with_end(mut self, end: Position) -> Self {
        self.end = Some(end);
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column`, as editors and terminals link it.
    pub fn place(&self) -> String {
        format!("{}:{}:{}", self.file.display(), self.start.line, self.start.column)
    }
}

/// Where renderers find the text of a file, to show the line a diagnostic points at.
pub trait Sources {
    fn text(&self, file: &Path) -> Option<String>;
}

/// Files read from disk, relative paths from `root`.
#[derive(Debug, Clone)]
pub struct FileSources {
    pub root: PathBuf,
}

impl Sources for FileSources {
    fn text(&self, file: &Path) -> Option<String> {
        std::fs::read_to_string(self.root.join(file)).ok()
    }
}

/// No sources: renderers show no source lines.
#[derive(Debug, Clone, Copy)]
pub struct NoSources;

impl Sources for NoSources {
    fn text(&self, _file: &Path) -> Option<String> {
        None
    }
}

impl Sources for std::collections::HashMap<PathBuf, String> {
    fn text(&self, file: &Path) -> Option<String> {
        self.get(file).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_any_order() {
        let edits = [Edit::replace(6, 11, "there"), Edit::insert(0, ">> "), Edit::delete(5, 6)];
        assert_eq!(apply_edits("hello world", &edits).unwrap(), ">> hellothere");
    }

    #[test]
    fn overlapping_or_outside_edits_are_refused() {
        let overlap = apply_edits("abcdef", &[Edit::replace(0, 3, "x"), Edit::replace(2, 4, "y")]).unwrap_err();
        assert_eq!(overlap, EditError::Overlap { first_start: 0, first_end: 3, second_start: 2, second_end: 4 });
        assert!(matches!(apply_edits("abc", &[Edit::delete(2, 9)]), Err(EditError::OutOfRange { .. })));
        // Inside a multi-byte character.
        assert!(matches!(apply_edits("é", &[Edit::delete(1, 2)]), Err(EditError::OutOfRange { .. })));
    }
}
