//! `puppet-ci nightly`: rebuild every base image from today's package repositories, run
//! the container stages in them, and report what drifted since the last good night.
//! Exit 0 green and no drift, 1 a failed check or rebuild, 3 green with drift (configurable).

use std::path::PathBuf;

use puppet_ci_nightly::{NightOptions, NightOutcome};

use crate::args::ContainerArgs;
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder of past nights (one JSON file each). Default: .puppet-ci/nightly/history
    /// in the control repo; CI jobs keep it between runs (a workspace, a cache).
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Write the night, its drift and what it was compared with as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the night as JUnit XML (drift items are failed cases) to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML page (drift, history, apply times) to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub container: ContainerArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    if config.roles.is_empty() {
        anyhow::bail!("nothing to rebuild: no roles under `roles:` in {}", config.root.join(puppet_ci_config::FILE_NAME).display());
    }
    let history = args.history.unwrap_or_else(|| config.root.join(".puppet-ci/nightly/history"));
    let options = NightOptions { history, started: crate::output::utc_now(), container: args.container.stage_options() };
    let outcome = puppet_ci_nightly::run_night(&config, options)?;
    write_reports(&outcome, args.json.as_ref(), args.junit.as_ref(), args.html.as_ref())?;
    print_summary(&outcome);
    Ok(outcome.exit_code)
}

fn write_reports(outcome: &NightOutcome, json: Option<&PathBuf>, junit: Option<&PathBuf>, html: Option<&PathBuf>) -> anyhow::Result<()> {
    if let Some(path) = json {
        puppet_ci_report::write_report(path, &puppet_ci_nightly::render_json(&outcome.night, &outcome.drift, outcome.compared_with.as_deref()))?;
    }
    if let Some(path) = junit {
        puppet_ci_report::write_report(path, &puppet_ci_report::render_junit(&puppet_ci_nightly::run_report(&outcome.night, &outcome.drift)))?;
    }
    if let Some(path) = html {
        puppet_ci_report::write_report(path, &puppet_ci_nightly::html::render(&outcome.night, &outcome.drift, &outcome.earlier))?;
    }
    Ok(())
}

fn print_summary(outcome: &NightOutcome) {
    let night = &outcome.night;
    for failure in &night.rebuild_failures {
        println!("rebuild FAILED: {}: {}", failure.image, failure.message);
    }
    for role in &night.roles {
        let failed: Vec<&str> = role.checks.iter().filter(|check| !check.passed).map(|check| check.name.as_str()).collect();
        let verdict = if failed.is_empty() { "ok".to_string() } else { format!("FAILED: {}", failed.join("; ")) };
        println!("{:<24} {} packages, first apply {:.1}s, {verdict}", role.role, role.packages.len(), role.first_apply_seconds);
    }
    match &outcome.compared_with {
        Some(good) if outcome.drift.is_empty() => println!("no drift since {good}"),
        Some(good) => {
            println!("drift since {good}:");
            for item in &outcome.drift {
                println!("  - {item}");
            }
        }
        None => println!("no earlier good night to compare with"),
    }
    let verdict = match (night.green, outcome.drift.is_empty()) {
        (false, _) => "red",
        (true, true) => "green",
        (true, false) => "green, with drift",
    };
    println!("puppet-ci nightly {verdict} ({:.0}s)", night.seconds);
}
