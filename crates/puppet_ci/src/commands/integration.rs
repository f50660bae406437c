//! `puppet-ci integration`: the nodes of `integration:` on one network, applied in
//! dependency order, checked from one another.

use puppet_ci_config::Config;
use puppet_ci_report::StageReport;

use super::dynamic::ContainerArgs;
use crate::output::ReportArgs;
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How the containers run (shared with `dynamic`).
    #[command(flatten)]
    pub container: ContainerArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    super::dynamic::emit_stage(stage(&config, &args.container)?, &args.report)
}

/// The `integration` stage for `puppet-ci all`, with progress on stderr.
pub fn stage(config: &Config, container: &ContainerArgs) -> anyhow::Result<StageReport> {
    Ok(puppet_ci_container::run_integration(config, &container.stage_options())?)
}
