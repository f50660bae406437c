//! Output in puppet-lint's shapes: its `--json` document (one array of problems per file
//! linted) and its default text lines.

use serde_json::{json, Map, Value};

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

/// One problem as puppet-lint's JSON has it.
pub fn problem_json(file: &FileResult, problem: &Problem) -> Value {
    let mut object = Map::new();
    object.insert("message".into(), json!(problem.message));
    object.insert("line".into(), json!(problem.line));
    object.insert("column".into(), json!(problem.column));
    object.insert("kind".into(), json!(problem.kind.as_str()));
    object.insert("check".into(), json!(problem.check));
    object.insert("fullpath".into(), json!(file.fullpath));
    object.insert("path".into(), json!(file.path));
    object.insert("filename".into(), json!(file.path.rsplit('/').next().unwrap_or(&file.path)));
    if let Some(reason) = &problem.reason {
        object.insert("reason".into(), json!(reason));
    }
    object.insert("KIND".into(), json!(problem.kind.as_str().to_ascii_uppercase()));
    Value::Object(object)
}

/// puppet-lint's `--json`: an array per file, pretty printed.
pub fn puppet_lint_json(files: &[FileResult], filter: Filter) -> String {
    let document: Vec<Value> = files
        .iter()
        .map(|file| Value::Array(file.lint.problems.iter().filter(|problem| filter.shows(problem)).map(|problem| problem_json(file, problem)).collect()))
        .collect();
    let mut text = serde_json::to_string_pretty(&Value::Array(document)).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
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
