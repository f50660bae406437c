//! `puppet-ci integration`: the nodes of `integration:` on one network, applied in
//! dependency order, checked from one another.

use puppet_ci_report::RunReport;

use crate::args::{ContainerArgs, ReportArgs};
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub container: ContainerArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    let context = puppet_ci_pipeline::Context { container: args.container.stage_options(), ..puppet_ci_pipeline::Context::new(&config, crate::args::stderr_progress()) };
    let report = RunReport { stages: vec![puppet_ci_pipeline::run_stage("integration", &context)?] };
    args.report.emit(&report, &config.root)?;
    Ok(crate::output::exit_code(&report))
}
