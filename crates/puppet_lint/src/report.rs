//! Output in puppet-lint's shapes: its `--json` document (one array of problems per file
//! linted) and its default text lines.

use serde::{Serialize, Serializer};

use crate::rule::{Kind, Problem};
use crate::run::FileResult;

/// Which problems a report shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    /// `--show-ignored`: also the problems control comments ignore.
    pub show_ignored: bool,
}

impl Filter {
    pub fn shows(self, problem: &Problem) -> bool {
        problem.kind != Kind::Ignored || self.show_ignored
    }
}

/// One problem as puppet-lint's JSON has it (its keys, in its order).
#[derive(Serialize)]
struct JsonProblem<'a> {
    message: &'a str,
    line: u32,
    column: u32,
    kind: &'static str,
    check: &'static str,
    fullpath: &'a str,
    path: &'a str,
    filename: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(rename = "KIND")]
    kind_upper: &'static str,
}

/// The files' problems, one array per file, as `Serialize` for serde_json to stream.
struct JsonFiles<'a> {
    files: &'a [FileResult],
    filter: Filter,
}

struct JsonFile<'a> {
    file: &'a FileResult,
    filter: Filter,
}

impl Serialize for JsonFiles<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.files.iter().map(|file| JsonFile { file, filter: self.filter }))
    }
}

impl Serialize for JsonFile<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let file = self.file;
        let filename = file.path.rsplit('/').next().unwrap_or(&file.path);
        serializer.collect_seq(file.lint.problems.iter().filter(|problem| self.filter.shows(problem)).map(|problem| JsonProblem {
            message: &problem.message,
            line: problem.line,
            column: problem.column,
            kind: problem.kind.as_str(),
            check: problem.check,
            fullpath: &file.fullpath,
            path: &file.path,
            filename,
            reason: problem.reason.as_deref(),
            kind_upper: kind_upper(problem.kind),
        }))
    }
}

fn kind_upper(kind: Kind) -> &'static str {
    match kind {
        Kind::Error => "ERROR",
        Kind::Warning => "WARNING",
        Kind::Fixed => "FIXED",
        Kind::Ignored => "IGNORED",
    }
}

/// puppet-lint's `--json`: an array per file, pretty printed, streamed to `out`.
pub fn write_puppet_lint_json(files: &[FileResult], filter: Filter, out: &mut impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &JsonFiles { files, filter }).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// [`write_puppet_lint_json`] into a string.
pub fn puppet_lint_json(files: &[FileResult], filter: Filter) -> String {
    let mut out = Vec::new();
    write_puppet_lint_json(files, filter, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// puppet-lint's default text: `KIND: message on line N (check: name)`, with the path in
/// front when several files were linted, and an ignored problem's reason below it.
pub fn puppet_lint_text(files: &[FileResult], filter: Filter) -> String {
    let with_filename = files.len() > 1;
    let mut out = String::new();
    for file in files {
        for problem in file.lint.problems.iter().filter(|problem| filter.shows(problem)) {
            if with_filename {
                out.push_str(&file.path);
                out.push_str(" - ");
            }
            out.push_str(&format!(
                "{}: {} on line {} (check: {})\n",
                problem.kind.as_str().to_ascii_uppercase(),
                problem.message,
                problem.line,
                problem.check
            ));
            if problem.kind == Kind::Ignored {
                if let Some(reason) = &problem.reason {
                    out.push_str(&format!("  {reason}\n"));
                }
            }
        }
    }
    out
}
