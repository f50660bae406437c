//! `puppet-ci report merge`: joins the JSON reports of a partitioned run (`--partition
//! K/N` on N machines) into one report, in every format.

use std::path::PathBuf;

use crate::args::ReportArgs;
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// Join the JSON reports (`--json FILE`) of the parts of a partitioned run.
    Merge(MergeArgs),
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The parts' JSON reports, in part order.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let ReportCommand::Merge(merge) = args.command;
    let parts = merge.parts.iter().map(|path| puppet_ci_report::read_json(path)).collect::<Result<Vec<_>, _>>()?;
    let report = puppet_ci_report::merge(parts);
    let root = crate::output::control_repo_root(global);
    merge.report.emit(&report, &root)?;
    Ok(crate::output::exit_code(&report))
}
