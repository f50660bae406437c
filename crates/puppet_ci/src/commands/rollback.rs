//! `puppet-ci rollback`: switches an environment back to the release live before the
//! current one, on every target, and flushes the masters' caches.

use std::time::Instant;

use puppet_ci_report::RunReport;

use super::deploy::TargetArgs;
use crate::output::ReportArgs;
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The environment to roll back.
    #[arg(long, short = 'e', value_name = "NAME")]
    pub environment: String,
    /// Switch to this release instead of the previous one.
    #[arg(long, value_name = "ID")]
    pub release: Option<String>,
    /// Also compile a catalog and check the master serves the release rolled back to.
    #[arg(long)]
    pub smoke: bool,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let config = crate::output::load_config(global)?;
    let targets = super::deploy::targets(&config, &args.target)?;
    let smoke = if args.smoke { Some(super::deploy::smoke(&config)?) } else { None };
    let mut runs = Vec::new();
    for master in &targets.masters {
        let run = puppet_ci_deploy::rollback(master, &args.environment, args.release.as_deref(), targets.lock_wait, smoke.as_ref());
        runs.push((master.name.clone(), run));
    }
    let stage = super::deploy::stage_from_runs("rollback", &runs, started);
    args.report.emit(&RunReport { stages: vec![stage] })?;
    for (name, run) in &runs {
        let live = run.live.as_deref().unwrap_or("(none)");
        let previous = run.previous.as_deref().unwrap_or("(none)");
        if run.passed() {
            eprintln!("rollback: {name}: environment {} is on release {live} (was {previous}), rolled back in {:.3} s", args.environment, run.duration.as_secs_f64());
        } else {
            eprintln!("rollback: {name}: FAILED: {}; environment {} is on release {live}", run.failure().unwrap_or("skipped"), args.environment);
        }
    }
    Ok(super::deploy::exit_code(&runs, &[]))
}
