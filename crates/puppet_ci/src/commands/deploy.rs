//! `puppet-ci deploy`: a release to an environment of one or more puppet masters,
//! atomically, checked before and smoke-tested after the switch.

use std::path::PathBuf;

use puppet_ci_pipeline::DeployRequest;
use puppet_ci_report::RunReport;

use crate::args::{ReportArgs, TargetArgs};
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A packaged release (`puppet-ci package`). Default: package --ref first.
    #[arg(long, value_name = "FILE", conflicts_with = "reference")]
    pub artifact: Option<PathBuf>,
    /// The git ref to package and deploy (default: --branch, else HEAD).
    #[arg(long = "ref", value_name = "REF")]
    pub reference: Option<String>,
    /// The environment to deploy to.
    #[arg(long, short = 'e', value_name = "NAME")]
    pub environment: Option<String>,
    /// The branch being deployed: its environment follows deploy.environments, else
    /// r10k's rule (`feature/x` → `feature_x`).
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Releases kept per environment (overrides deploy.keep_releases).
    #[arg(long, value_name = "N")]
    pub keep: Option<usize>,
    /// A further check run in the unpacked release before the switch (`sh -c`, in the
    /// release folder); a non-zero exit stops the deploy.
    #[arg(long, value_name = "COMMAND")]
    pub check_command: Option<String>,
    /// Also remove the environments whose branch no longer exists in the control repo.
    #[arg(long)]
    pub prune: bool,
    /// Take over an environment folder puppet-ci did not create (an r10k deploy): keep it
    /// as a release of its own, which a rollback returns to, and switch atomically.
    #[arg(long)]
    pub adopt: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    let request = DeployRequest {
        artifact: args.artifact,
        reference: args.reference,
        environment: args.environment,
        branch: args.branch,
        targets: args.target.overrides(),
        keep: args.keep,
        check_command: args.check_command,
        prune: args.prune,
        adopt: args.adopt,
    };
    let outcome = puppet_ci_pipeline::deploy(&config, &request)?;
    args.report.emit(&RunReport { stages: vec![outcome.stage] }, &config.root)?;
    crate::output::print_releases("deploy", "", &outcome.environment, &outcome.runs);
    Ok(crate::output::deploy_exit_code(outcome.verdict))
}
