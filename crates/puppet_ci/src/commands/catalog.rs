//! `puppet-ci catalog`: every role compiled against every fact set, the catalogs checked
//! as graphs, the roles of one host against each other, and the modules' tests; a matrix
//! of role × fact set in the report.

use puppet_ci_report::RunReport;

use crate::args::{CatalogArgs, ReportArgs};
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub catalog: CatalogArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    let context = puppet_ci_pipeline::Context {
        catalog: args.catalog.stage_options("catalog"),
        ..puppet_ci_pipeline::Context::new(&config, crate::args::stderr_progress())
    };
    let stage = puppet_ci_pipeline::run_stage("catalog", &context)?;
    let report = RunReport { stages: vec![stage] };
    args.report.emit(&report, &config.root)?;
    Ok(crate::output::exit_code(&report))
}
