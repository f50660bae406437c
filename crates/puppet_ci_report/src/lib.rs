//! Stage results of a puppet-ci run, the one shape of a problem found in the user's files,
//! and the formats people and CI systems read them in.
//!
//! Every stage (validate, lint, compile, dynamic, integration, deploy) returns a
//! [`StageReport`]: one [`Case`] per thing it checked, each carrying the [`Diagnostic`]s
//! found in the user's files. The binary collects them in a [`RunReport`] and renders it
//! in one of the [`Format`]s: human (source lines and carets, then a summary), JSON, JUnit
//! XML, SARIF, GitHub workflow annotations and Code Climate. Rendered output is a contract:
//! each format has a snapshot test.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

mod codeclimate;
pub mod diagnostic;
mod github;
mod human;
mod json;
mod junit;
mod matrix;
mod merge;
mod sarif;
mod terminal;
mod writer;

pub use codeclimate::render_codeclimate;
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Position, Severity};
pub use github::render_github_annotations;
pub use human::{render_diagnostic, render_human};
pub use json::render_json;
pub use junit::render_junit;
pub use matrix::{Matrix, MatrixCell};
pub use merge::{merge, read_json, MergeError};
pub use sarif::render_sarif;
pub use terminal::render_summary;
pub use writer::{write_report, WriteError};

/// The formats a run's report renders to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Diagnostics with their source lines and carets, then the summary.
    #[default]
    Human,
    Json,
    Junit,
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// Code Climate issues, as GitLab's code quality report reads them.
    Codeclimate,
}

impl Format {
    /// Every format's name, as the command line spells it.
    pub const NAMES: [&'static str; 6] = ["human", "json", "junit", "sarif", "github", "codeclimate"];

    pub fn name(self) -> &'static str {
        match self {
            Self::Human => "human",
            Self::Json => "json",
            Self::Junit => "junit",
            Self::Sarif => "sarif",
            Self::Github => "github",
            Self::Codeclimate => "codeclimate",
        }
    }

    pub fn render(self, report: &RunReport, sources: &dyn diagnostic::Sources) -> String {
        match self {
            Self::Human => render_human(report, sources),
            Self::Json => render_json(report),
            Self::Junit => render_junit(report),
            Self::Sarif => render_sarif(report),
            Self::Github => render_github_annotations(report),
            Self::Codeclimate => render_codeclimate(report),
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [Self::Human, Self::Json, Self::Junit, Self::Sarif, Self::Github, Self::Codeclimate]
            .into_iter()
            .find(|format| format.name() == text)
            .ok_or_else(|| format!("unknown format '{text}' (one of {})", Self::NAMES.join(", ")))
    }
}

/// Results of one `puppet-ci` run: the stages in the order they ran.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunReport {
    pub stages: Vec<StageReport>,
}

impl RunReport {
    /// True when no stage failed (skipped stages do not fail a run).
    pub fn passed(&self) -> bool {
        self.stages.iter().all(StageReport::passed)
    }

    /// Every diagnostic of every case, in the order the stages found them.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.stages.iter().flat_map(|stage| stage.cases.iter()).flat_map(|case| case.diagnostics.iter())
    }

    /// What the machine formats (SARIF, Code Climate, annotations) list: every diagnostic,
    /// and each failed case without one (a container check, a deploy step) as a diagnostic
    /// of its own, coded by its stage, at the case's location when it has one.
    pub fn findings(&self) -> Vec<Finding<'_>> {
        let mut findings = Vec::new();
        for stage in &self.stages {
            for case in &stage.cases {
                if !case.diagnostics.is_empty() {
                    findings.extend(case.diagnostics.iter().map(|diagnostic| Finding { stage: &stage.name, diagnostic: Cow::Borrowed(diagnostic) }));
                    continue;
                }
                let Some(message) = case.outcome.message().filter(|_| case.outcome.is_failure()) else { continue };
                let (file, start) = match &case.location {
                    Some(location) => (location.file.clone(), Position::new(location.line, location.column)),
                    None => (PathBuf::new(), Position::new(1, 1)),
                };
                let text = format!("{} {}: {message}", case.group, case.name);
                let diagnostic = Diagnostic::error(file, start, stage.name.clone(), text);
                findings.push(Finding { stage: &stage.name, diagnostic: Cow::Owned(diagnostic) });
            }
        }
        findings
    }
}

/// A diagnostic and the stage that found it.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    pub stage: &'a str,
    pub diagnostic: Cow<'a, Diagnostic>,
}

/// Results of one stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageReport {
    /// The stage's name as the CLI spells it: `validate`, `dynamic`, `deploy`, ...
    pub name: String,
    pub cases: Vec<Case>,
    #[serde(serialize_with = "json::serialize_seconds", deserialize_with = "json::deserialize_seconds")]
    pub duration: Duration,
    /// Set when the whole stage did not run, with the reason (an earlier stage failed,
    /// `--deploy` was not given, ...).
    pub skipped: Option<String>,
    /// A stage that checks things against one another (roles × fact sets) summarises
    /// its cases as a table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<Matrix>,
}

impl StageReport {
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), cases: Vec::new(), duration: Duration::ZERO, skipped: None, matrix: None }
    }

    pub fn skipped(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { skipped: Some(reason.into()), ..Self::new(name) }
    }

    pub fn passed(&self) -> bool {
        self.cases.iter().all(|case| !case.outcome.is_failure())
    }

    pub fn count(&self, kind: OutcomeKind) -> usize {
        self.cases.iter().filter(|case| case.outcome.kind() == kind).count()
    }
}

/// One checked thing: a file validated, a role applied, a check run, a deploy step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Case {
    /// Groups cases inside a stage, e.g. the role (`role::web`) or the file.
    pub group: String,
    /// What was checked, e.g. `second apply changes nothing` or `http http://localhost/`.
    pub name: String,
    pub outcome: Outcome,
    #[serde(serialize_with = "json::serialize_seconds", deserialize_with = "json::deserialize_seconds")]
    pub duration: Duration,
    /// Where in the user's code the case points, when it does.
    pub location: Option<Location>,
    /// Captured output worth showing on failure (apply log, check output).
    #[serde(default)]
    pub output: String,
    /// The problems found in the user's files, for a case that checked files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

impl Case {
    pub fn new(group: impl Into<String>, name: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            group: group.into(),
            name: name.into(),
            outcome,
            duration: Duration::ZERO,
            location: None,
            output: String::new(),
            diagnostics: Vec::new(),
        }
    }

    /// Attaches diagnostics; the case points at the first one unless it has a location.
    #[must_use]
    pub fn with_diagnostics(mut self, diagnostics: Vec<Diagnostic>) -> Self {
        if self.location.is_none() {
            self.location = diagnostics.first().map(|first| Location { file: first.file.clone(), line: first.start.line, column: first.start.column });
        }
        self.diagnostics = diagnostics;
        self
    }

    #[must_use]
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }

    #[must_use]
    pub fn with_location(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    #[must_use]
    pub fn with_output(mut self, output: impl Into<String>) -> Self {
        self.output = output.into();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// The user's code or system under test is wrong: what was expected, what was seen.
    Failed { message: String },
    /// The tool could not do the check (Docker down, I/O error, timeout of the tool itself).
    Error { message: String },
    Skipped { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Passed,
    Failed,
    Error,
    Skipped,
}

impl Outcome {
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed { message: message.into() }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self::Error { message: message.into() }
    }

    pub fn skipped(reason: impl Into<String>) -> Self {
        Self::Skipped { reason: reason.into() }
    }

    pub fn kind(&self) -> OutcomeKind {
        match self {
            Self::Passed => OutcomeKind::Passed,
            Self::Failed { .. } => OutcomeKind::Failed,
            Self::Error { .. } => OutcomeKind::Error,
            Self::Skipped { .. } => OutcomeKind::Skipped,
        }
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Failed { .. } | Self::Error { .. })
    }

    /// The failure or skip message, if there is one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Passed => None,
            Self::Failed { message } | Self::Error { message } => Some(message),
            Self::Skipped { reason } => Some(reason),
        }
    }
}

/// A place in the user's files: 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A small run with every outcome kind, shared by the renderers' snapshot tests.
    pub(crate) fn sample_run() -> RunReport {
        let mut validate = StageReport::new("validate");
        validate.duration = Duration::from_millis(120);
        validate.cases.push(Case::new("site/role/manifests/web.pp", "parses", Outcome::Passed));
        validate.cases.push(
            Case::new("site/role/manifests/db.pp", "parses", Outcome::failed("Syntax error at 'class' (expected '}')")).with_diagnostics(vec![
                Diagnostic::error("site/role/manifests/db.pp", Position::new(7, 3), "SYNTAX_ERROR", "Syntax error at 'class' (expected '}')")
                    .with_end(Position::new(7, 8))
                    .with_help("close the block above with '}'"),
            ]),
        );
        let mut lint = StageReport::new("lint");
        lint.cases.push(Case::new("site/profile/manifests/base.pp", "lint", Outcome::Passed).with_diagnostics(vec![
            Diagnostic::new("site/profile/manifests/base.pp", Position::new(2, 9), "arrow_alignment", Severity::Warning, "indentation of => is not properly aligned (expected in column 10, but found it in column 9)")
                .with_fix(Fix { applicability: Applicability::Safe, message: None, edits: vec![Edit::insert(31, " ")] }),
            Diagnostic::new("site/profile/manifests/base.pp", Position::new(3, 1), "trailing_whitespace", Severity::Error, "trailing whitespace found"),
        ]));
        let mut dynamic = StageReport::new("dynamic");
        dynamic.duration = Duration::from_millis(5300);
        dynamic.cases.push(
            Case::new("role::web", "http http://localhost/ answers 200 with \"hello <world>\"", Outcome::Passed)
                .with_duration(Duration::from_millis(2500)),
        );
        dynamic.cases.push(
            Case::new("role::web", "docker engine", Outcome::error("cannot reach the Docker engine at /var/run/docker.sock"))
                .with_output("apply log & more"),
        );
        dynamic.cases.push(Case::new("role::db", "apply", Outcome::skipped("an earlier case failed")));
        RunReport { stages: vec![validate, lint, dynamic, StageReport::skipped("deploy", "--deploy was not given")] }
    }

    /// The files of [`sample_run`], for the human format's source lines (one has a tab).
    pub(crate) fn sample_sources() -> std::collections::HashMap<PathBuf, String> {
        let mut sources = std::collections::HashMap::new();
        let db = "class role::db {\n  include profile::base\n  file { '/etc/motd':\n    ensure => file,\n  }\n\n  class db {\n}\n";
        sources.insert(PathBuf::from("site/role/manifests/db.pp"), db.to_string());
        let base = "class profile::base {\n\tfile { '/x':\n \n    ensure => file }\n}\n";
        sources.insert(PathBuf::from("site/profile/manifests/base.pp"), base.to_string());
        sources
    }
}
