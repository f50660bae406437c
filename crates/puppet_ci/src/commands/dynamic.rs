//! `puppet-ci dynamic`: apply each role in a real container, apply it again (nothing may
//! change), and run the role's checks.

use std::sync::Arc;
use std::time::Duration;

use puppet_ci_config::Config;
use puppet_ci_container::{Progress, StageOptions};
use puppet_ci_report::{RunReport, StageReport};

use crate::output::ReportArgs;
use crate::GlobalArgs;

/// Options the container stages share (`dynamic`, `integration`, and `all`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ContainerArgs {
    /// Leave the containers (and network) running afterwards, for a look inside.
    #[arg(long)]
    pub keep: bool,
    /// Seconds each check is retried, overriding `check_timeout` in puppet-ci.yaml.
    #[arg(long, value_name = "SECONDS")]
    pub check_timeout: Option<u64>,
    /// The longest one `puppet apply` may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub apply_timeout: u64,
    /// Build the base images again even when they exist.
    #[arg(long)]
    pub rebuild_images: bool,
}

impl ContainerArgs {
    pub fn stage_options(&self) -> StageOptions {
        let mut options = StageOptions::new(stderr_progress());
        options.keep = self.keep;
        options.check_timeout = self.check_timeout.map(Duration::from_secs);
        options.apply_timeout = Duration::from_secs(self.apply_timeout);
        options.rebuild_images = self.rebuild_images;
        options
    }
}

/// Progress lines go to stderr, so stdout stays the report.
pub fn stderr_progress() -> Progress {
    Arc::new(|line: &str| eprintln!("puppet-ci: {line}"))
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this role (repeatable); all roles of puppet-ci.yaml by default.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    #[command(flatten)]
    pub container: ContainerArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    let stage = puppet_ci_container::run_dynamic(&config, &args.roles, &args.container.stage_options())?;
    emit_stage(stage, &args.report)
}

/// Prints and writes the report of a command that runs one stage; its exit code.
pub fn emit_stage(stage: StageReport, report_args: &ReportArgs) -> anyhow::Result<u8> {
    let report = RunReport { stages: vec![stage] };
    report_args.emit(&report)?;
    Ok(if report.passed() { crate::exit::OK } else { crate::exit::FINDINGS })
}

/// The `dynamic` stage for `puppet-ci all`: every role, with progress on stderr.
pub fn stage(config: &Config, container: &ContainerArgs) -> anyhow::Result<StageReport> {
    Ok(puppet_ci_container::run_dynamic(config, &[], &container.stage_options())?)
}
