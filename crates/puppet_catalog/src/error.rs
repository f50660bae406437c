//! Why a compile gave no catalog: the user's code, a construct an engine lacks, or the
//! engine itself.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a compile failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// The user's code is wrong: Puppet would refuse it the same way.
    #[error("{0}")]
    Compile(CompileError),
    /// The native engine met something it does not implement yet (a Ruby function, an
    /// ERB template, a Ruby resource type, ...): the Puppet engine can compile this node.
    #[error("{}not supported by the native engine yet: {construct}", location_prefix(file.as_deref(), *line, None))]
    Unsupported { construct: String, file: Option<String>, line: Option<u32> },
    /// The engine itself failed: its worker died, hung past the timeout, or I/O failed.
    #[error("the {engine} engine failed: {message}")]
    Engine { engine: &'static str, message: String },
}

impl EngineError {
    /// The compile error, when the failure is the user's code.
    pub fn as_compile_error(&self) -> Option<&CompileError> {
        match self {
            EngineError::Compile(error) => Some(error),
            _ => None,
        }
    }
}

impl From<CompileError> for EngineError {
    fn from(error: CompileError) -> Self {
        EngineError::Compile(error)
    }
}

/// An error in the user's code, placed as Puppet places it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompileError {
    /// Puppet's message without the trailing `(file: ..., line: ..., column: ...)` and
    /// ` on node ...`, which are the fields below.
    pub message: String,
    /// The manifest (absolute path; empty for `--code`) the error is in.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// Puppet's issue code (`DUPLICATE_DECLARATION`, `UNKNOWN_VARIABLE`, ...), when it has one.
    pub issue_code: Option<String>,
}

impl CompileError {
    /// An error with only a message.
    pub fn new(message: impl Into<String>) -> CompileError {
        CompileError { message: message.into(), file: None, line: None, column: None, issue_code: None }
    }

    /// Whether two errors name the same place (file and line): what the differential
    /// tests require of the two engines.
    pub fn same_place(&self, other: &CompileError) -> bool {
        self.file == other.file && self.line == other.line
    }
}

/// `file:line:col: message`, as compilers print errors; parts that are unknown are left out.
impl fmt::Display for CompileError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}{}", location_prefix(self.file.as_deref(), self.line, self.column), self.message)
    }
}

/// Inline code (`--code`) has no file: Puppet names none, and so does the prefix, as `<code>`.
fn location_prefix(file: Option<&str>, line: Option<u32>, column: Option<u32>) -> String {
    let file = match file {
        Some("") | None if line.is_some() => Some("<code>"),
        other => other,
    };
    match (file, line, column) {
        (Some(file), Some(line), Some(column)) => format!("{file}:{line}:{column}: "),
        (Some(file), Some(line), None) => format!("{file}:{line}: "),
        (Some(file), None, _) => format!("{file}: "),
        (None, _, _) => String::new(),
    }
}
