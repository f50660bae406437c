//! `puppet-ci dynamic`: apply each role in a real container, apply it again (nothing may
//! change), and run the role's checks.

use puppet_ci_report::RunReport;

use crate::args::{ContainerArgs, ReportArgs};
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this role (repeatable); all roles of puppet-ci.yaml by default.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    /// Run part K of N of the roles (as the catalog stage's --partition; deterministic).
    #[arg(long, value_name = "K/N", conflicts_with = "roles")]
    pub partition: Option<puppet_ci_catalog::Partition>,
    #[command(flatten)]
    pub container: ContainerArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    let stage = if args.roles.is_empty() {
        let mut context = puppet_ci_pipeline::Context { container: args.container.stage_options(), ..puppet_ci_pipeline::Context::new(&config, crate::args::stderr_progress()) };
        context.catalog.partition = args.partition;
        puppet_ci_pipeline::run_stage("dynamic", &context)?
    } else {
        puppet_ci_container::run_dynamic(&config, &args.roles, &args.container.stage_options())?
    };
    let report = RunReport { stages: vec![stage] };
    args.report.emit(&report, &config.root)?;
    Ok(crate::output::exit_code(&report))
}
