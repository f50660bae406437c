//! Stage results of a puppet-ci run, and the formats CI systems read them in.
//!
//! Every stage (validate, lint, compile, dynamic, integration, deploy) returns a
//! [`StageReport`]: one [`Case`] per thing it checked. The binary collects them in a
//! [`RunReport`] and renders it for people (a terminal summary) and for CI (JUnit XML,
//! JSON, GitHub workflow annotations). Rendered output is a contract: each format has a
//! snapshot test.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

mod github;
mod json;
mod junit;
mod terminal;

pub use github::render_github_annotations;
pub use json::render_json;
pub use junit::render_junit;
pub use terminal::render_summary;

/// Results of one `puppet-ci` run: the stages in the order they ran.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    pub stages: Vec<StageReport>,
}

impl RunReport {
    /// True when no stage failed (skipped stages do not fail a run).
    pub fn passed(&self) -> bool {
        self.stages.iter().all(StageReport::passed)
    }
}

/// Results of one stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    /// The stage's name as the CLI spells it: `validate`, `dynamic`, `deploy`, ...
    pub name: String,
    pub cases: Vec<Case>,
    #[serde(serialize_with = "json::serialize_seconds")]
    pub duration: Duration,
    /// Set when the whole stage did not run, with the reason (an earlier stage failed,
    /// `--deploy` was not given, ...).
    pub skipped: Option<String>,
}

impl StageReport {
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), cases: Vec::new(), duration: Duration::ZERO, skipped: None }
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
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// Groups cases inside a stage, e.g. the role (`role::web`) or the file.
    pub group: String,
    /// What was checked, e.g. `second apply changes nothing` or `http http://localhost/`.
    pub name: String,
    pub outcome: Outcome,
    #[serde(serialize_with = "json::serialize_seconds")]
    pub duration: Duration,
    /// Where in the user's code the case points, when it does.
    pub location: Option<Location>,
    /// Captured output worth showing on failure (apply log, check output).
    pub output: String,
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
        }
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// The user's code or system under test is wrong: what was expected, what was seen.
    Failed { message: String },
    /// The tool could not do the check (Docker down, I/O error, timeout of the tool itself).
    Error { message: String },
    Skipped { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
            Case::new(
                "site/role/manifests/db.pp",
                "parses",
                Outcome::failed("Syntax error at 'class' (expected '}')"),
            )
            .with_location(Location { file: "site/role/manifests/db.pp".into(), line: 7, column: 3 }),
        );
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
        RunReport { stages: vec![validate, dynamic, StageReport::skipped("deploy", "--deploy was not given")] }
    }
}
