//! Nightly rebuilds: would a server built today, from today's package repositories, still
//! come up right? [`run::run_night`] rebuilds the base images and runs the container
//! stages in them; this crate also holds what a night found ([`night`]), the history of
//! nights ([`history`]), the drift against the last good night ([`drift`]) and the reports
//! (JSON, JUnit, one self-contained HTML page).

use std::path::PathBuf;

use puppet_ci_report::{Case, Outcome, RunReport, StageReport};
use serde::Serialize;

pub mod drift;
pub mod history;
pub mod html;
pub mod night;
pub mod run;

pub use drift::{drift, Drift, DriftOptions};
pub use history::History;
pub use night::{Check, Night, Package, RebuildFailure, RoleNight};
pub use run::{run_night, NightOptions, NightOutcome};

/// Why the nightly bookkeeping could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum NightlyError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: not a night of puppet-ci's history: {message}", path.display())]
    History { path: PathBuf, message: String },
    /// The night could not finish (interrupted, the engine gone): nothing was recorded and
    /// the cached images stay as they were.
    #[error("the night did not finish, nothing was recorded and the cached images stay: {0}")]
    Container(#[from] puppet_ci_container::ContainerError),
}

/// Exit codes a scheduler can alert on.
pub mod exit {
    /// Green, and nothing drifted.
    pub const GREEN: u8 = 0;
    /// A check failed, or an image could not be rebuilt.
    pub const RED: u8 = 1;
    /// Green, but something drifted since the last good night.
    pub const DRIFT: u8 = 3;
}

/// The exit code of a night: `drift_code` is what drift exits with (3, or 0 when drift
/// should not alert).
pub fn exit_code(night: &Night, drift: &[Drift], drift_code: u8) -> u8 {
    if !night.green {
        exit::RED
    } else if drift.is_empty() {
        exit::GREEN
    } else {
        drift_code
    }
}

/// The JSON report: the night, its drift, and the last good night it was measured against.
#[derive(Debug, Serialize)]
pub struct NightReport<'a> {
    pub night: &'a Night,
    pub drift: &'a [Drift],
    pub compared_with: Option<&'a str>,
}

pub fn render_json(night: &Night, drift: &[Drift], compared_with: Option<&str>) -> String {
    let report = NightReport { night, drift, compared_with };
    let mut text = serde_json::to_string_pretty(&report).expect("a night always serializes");
    text.push('\n');
    text
}

/// The night as stages of a run report, for JUnit: `nightly` (rebuilds, checks,
/// idempotence, per role) and `drift` (one failed case per drift item, so a CI system shows
/// it).
pub fn run_report(night: &Night, drift: &[Drift]) -> RunReport {
    let mut stage = StageReport::new("nightly");
    stage.duration = std::time::Duration::from_secs_f64(night.seconds.max(0.0));
    for failure in &night.rebuild_failures {
        stage.cases.push(Case::new(&failure.image, "rebuilds from today's repositories", Outcome::failed(format!("{} (roles: {})", failure.message, failure.roles.join(", ")))));
    }
    for role in &night.roles {
        for check in &role.checks {
            let outcome = if check.passed { Outcome::Passed } else { Outcome::failed(check.message.clone()) };
            stage.cases.push(Case::new(&role.role, &check.name, outcome));
        }
        let idempotent = if role.second_apply_changes.is_empty() {
            Outcome::Passed
        } else {
            Outcome::failed(format!("changed again: {}", role.second_apply_changes.join(", ")))
        };
        stage.cases.push(Case::new(&role.role, "second apply changes nothing", idempotent));
    }
    for check in &night.integration {
        let outcome = if check.passed { Outcome::Passed } else { Outcome::failed(check.message.clone()) };
        stage.cases.push(Case::new("integration", &check.name, outcome));
    }
    let mut drift_stage = StageReport::new("drift");
    for item in drift {
        drift_stage.cases.push(Case::new("drift", item.to_string(), Outcome::failed("drifted since the last good night")));
    }
    RunReport { stages: vec![stage, drift_stage] }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn night(started: &str, green: bool, apache: &str, seconds: f64) -> Night {
        Night {
            started: started.into(),
            seconds: 100.0,
            green,
            rebuild_failures: Vec::new(),
            roles: vec![RoleNight {
                role: "role::web".into(),
                image: "puppet-ci-base:bookworm-x".into(),
                packages: vec![Package { name: "apache2".into(), version: apache.into(), architecture: "amd64".into(), source: "http://deb.debian.org/debian bookworm/main".into() }],
                checks: vec![Check { name: "http http://localhost/".into(), passed: green, message: if green { String::new() } else { "HTTP 500".into() } }],
                first_apply_changes: vec!["Package[apache2]".into()],
                second_apply_changes: Vec::new(),
                first_apply_seconds: seconds,
                seconds: seconds + 5.0,
            }],
            integration: Vec::new(),
        }
    }

    #[test]
    fn history_keeps_the_newest_and_the_last_good_night() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::new(dir.path().join("nights"));
        assert_eq!(history.last_good().unwrap(), None);
        history.record(&night("2026-12-01T02:00:00Z", true, "1", 10.0), 2).unwrap();
        for day in 2..=4 {
            history.record(&night(&format!("2026-12-0{day}T02:00:00Z"), false, "2", 10.0), 2).unwrap();
        }
        let kept: Vec<String> = history.nights().unwrap().into_iter().map(|night| night.started).collect();
        assert_eq!(kept, ["2026-12-01T02:00:00Z", "2026-12-03T02:00:00Z", "2026-12-04T02:00:00Z"]);
        assert_eq!(history.last_good().unwrap().unwrap().started, "2026-12-01T02:00:00Z");
        // Nothing half-written is left beside the nights.
        assert_eq!(std::fs::read_dir(dir.path().join("nights")).unwrap().count(), 3);
    }

    #[test]
    fn a_broken_history_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("2026-12-01T020000Z.json"), "{").unwrap();
        let err = History::new(dir.path()).nights().unwrap_err();
        assert!(err.to_string().contains("2026-12-01T020000Z.json: not a night of puppet-ci's history"), "{err}");
    }

    #[test]
    fn exit_codes_for_schedulers() {
        let good = night("2026-12-01T02:00:00Z", true, "1", 10.0);
        let moved = night("2026-12-02T02:00:00Z", true, "2", 10.0);
        let found = drift(&good, &moved, DriftOptions::default());
        assert_eq!(exit_code(&moved, &[], exit::DRIFT), exit::GREEN);
        assert_eq!(exit_code(&moved, &found, exit::DRIFT), exit::DRIFT);
        assert_eq!(exit_code(&moved, &found, 0), exit::GREEN);
        assert_eq!(exit_code(&night("x", false, "1", 1.0), &[], exit::DRIFT), exit::RED);
        let junit = puppet_ci_report::render_junit(&run_report(&moved, &found));
        assert!(junit.contains("package apache2 1 -&gt; 2 (role::web)"), "{junit}");
    }

    #[test]
    fn html_report_is_self_contained() {
        let history = vec![night("2026-12-01T02:00:00Z", true, "1", 10.0), night("2026-12-02T02:00:00Z", true, "1", 12.0)];
        let tonight = night("2026-12-03T02:00:00Z", true, "2", 30.0);
        let found = drift(&history[1], &tonight, DriftOptions::default());
        let page = html::render(&tonight, &found, &history);
        assert!(!page.contains("src=") && !page.contains("href="), "no remote resources");
        assert!(!page.contains("<script"));
        insta::assert_snapshot!(page);
    }
}
