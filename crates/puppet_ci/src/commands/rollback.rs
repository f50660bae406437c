//! `puppet-ci rollback`: switches an environment back to the release live before the
//! current one, on every target, and flushes the masters' caches.

use std::time::Instant;

use puppet_ci_deploy::configured;
use puppet_ci_report::RunReport;

use crate::args::{ReportArgs, TargetArgs};
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
    let targets = configured::targets(&config, &args.target.overrides())?;
    let smoke = if args.smoke { Some(configured::smoke(&config)?) } else { None };
    let runs = configured::rollback_targets(&targets, &args.environment, args.release.as_deref(), smoke.as_ref());
    let stage = configured::stage_from_runs("rollback", &runs, started);
    args.report.emit(&RunReport { stages: vec![stage] }, &config.root)?;
    crate::output::print_releases("rollback", "rolled back in ", &args.environment, &runs);
    Ok(crate::output::deploy_exit_code(configured::verdict(&runs, &[])))
}
