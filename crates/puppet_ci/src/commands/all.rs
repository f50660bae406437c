//! `puppet-ci all`: every stage that exists, in pipeline order, failing fast.

use puppet_ci_report::RunReport;

use crate::output::ReportArgs;
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    eprintln!("puppet-ci all: control repo {}", config.root.display());
    let report = RunReport::default();
    args.report.emit(&report)?;
    Ok(if report.passed() { crate::exit::OK } else { crate::exit::FINDINGS })
}
