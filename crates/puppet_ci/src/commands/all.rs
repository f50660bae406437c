//! `puppet-ci all`: every stage in pipeline order, failing fast, in one report; deploys
//! only with `--deploy`, only on the deploy branch (the rules are the pipeline crate's).

use puppet_ci_pipeline::{Context, DeployGate, RunOptions};

use crate::args::{CatalogArgs, ContainerArgs, ReportArgs};
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Deploy when every other stage passed (and only on the deploy branch).
    #[arg(long)]
    pub deploy: bool,
    /// The branch being built. Default: the CI system's variable (BRANCH_NAME, GIT_BRANCH,
    /// TRAVIS_BRANCH, GITHUB_REF_NAME, CI_COMMIT_REF_NAME), else the control repo's git branch.
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// Leave a stage out of the run (repeatable): validate, lint, catalog, dynamic, integration, deploy.
    #[arg(long, value_name = "STAGE")]
    pub skip: Vec<String>,
    #[command(flatten)]
    pub catalog: CatalogArgs,
    #[command(flatten)]
    pub container: ContainerArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    if !puppet_ci_pipeline::is_control_repo_or_module(&config.root) {
        anyhow::bail!(
            "{} is not a control repo or module (no puppet-ci.yaml, environment.conf, Puppetfile, metadata.json, manifests/, site/ or modules/): run puppet-ci in one, or pass --root",
            config.root.display()
        );
    }
    eprintln!("puppet-ci all: control repo {}", config.root.display());
    let progress = crate::args::stderr_progress();
    let context = Context {
        config: &config,
        container: args.container.stage_options(),
        deploy: DeployGate { requested: args.deploy, branch: args.branch },
        catalog: args.catalog.stage_options("catalog"),
        progress,
    };
    let run = puppet_ci_pipeline::run(&context, &RunOptions { skip: args.skip })?;
    args.report.emit(&run.report, &config.root)?;
    Ok(if run.tool_error { crate::exit::ERROR } else { crate::output::exit_code(&run.report) })
}
