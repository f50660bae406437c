//! `puppet-ci all`: every stage that exists, in pipeline order, failing fast, in one report.
//!
//! Order: `validate` (static), `dynamic`, `integration`, then `deploy`. A red stage stops
//! the run: the stages after it are reported as skipped with the reason, and the deploy
//! never runs after one. The deploy runs only with `--deploy`, and only when the branch
//! being built is the deploy branch of `puppet-ci.yaml`.

use std::process::Command;
use std::time::Instant;

use puppet_ci_config::Config;
use puppet_ci_report::{Case, Outcome, RunReport, StageReport};

use super::dynamic::ContainerArgs;
use crate::output::ReportArgs;
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
    /// Leave stages out of the run (repeatable): validate, dynamic, integration.
    #[arg(long, value_enum, value_name = "STAGE")]
    pub skip: Vec<SkippableStage>,
    #[command(flatten)]
    pub container: ContainerArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SkippableStage {
    Validate,
    Dynamic,
    Integration,
}

/// The stages before the deploy, in pipeline order.
const STAGES: [(SkippableStage, &str); 3] =
    [(SkippableStage::Validate, "validate"), (SkippableStage::Dynamic, "dynamic"), (SkippableStage::Integration, "integration")];

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    if args.deploy && config.deploy.is_none() {
        anyhow::bail!("--deploy needs a `deploy:` section in {}", config.root.join(puppet_ci_config::FILE_NAME).display());
    }
    eprintln!("puppet-ci all: control repo {}", config.root.display());

    let mut report = RunReport::default();
    let mut stopped_by: Option<String> = None;
    let mut tool_error = false;
    for (stage, name) in STAGES {
        if let Some(reason) = &stopped_by {
            report.stages.push(StageReport::skipped(name, reason.clone()));
            continue;
        }
        if args.skip.contains(&stage) {
            report.stages.push(StageReport::skipped(name, "--skip"));
            continue;
        }
        eprintln!("puppet-ci all: stage {name}");
        let (result, crashed) = run_stage(name, || match stage {
            SkippableStage::Validate => super::validate::stage(&config),
            SkippableStage::Dynamic => super::dynamic::stage(&config, &args.container),
            SkippableStage::Integration => super::integration::stage(&config, &args.container),
        });
        tool_error |= crashed;
        if !result.passed() {
            stopped_by = Some(format!("stage {name} failed"));
        }
        report.stages.push(result);
    }

    let deploy = deploy_stage(&args, &config, stopped_by.as_deref(), &mut tool_error);
    report.stages.push(deploy);

    args.report.emit(&report)?;
    Ok(if tool_error {
        crate::exit::ERROR
    } else if report.passed() {
        crate::exit::OK
    } else {
        crate::exit::FINDINGS
    })
}

/// Runs one stage; a stage that could not run at all (Docker down, I/O error) becomes a
/// stage with one error case, so the report still says what happened. The flag is true
/// in that case.
fn run_stage(name: &str, stage: impl FnOnce() -> anyhow::Result<StageReport>) -> (StageReport, bool) {
    let started = Instant::now();
    match stage() {
        Ok(report) => (report, false),
        Err(err) => {
            let mut report = StageReport::new(name);
            report.cases.push(Case::new(name, "run the stage", Outcome::error(format!("{err:#}"))));
            report.duration = started.elapsed();
            (report, true)
        }
    }
}

fn deploy_stage(args: &Args, config: &Config, stopped_by: Option<&str>, tool_error: &mut bool) -> StageReport {
    if !args.deploy {
        return StageReport::skipped("deploy", "--deploy was not given");
    }
    if let Some(reason) = stopped_by {
        return StageReport::skipped("deploy", format!("{reason}; a red pipeline never deploys"));
    }
    let deploy_branch = config.deploy.as_ref().map_or(puppet_ci_config::deploy::DEFAULT_BRANCH, |deploy| deploy.branch.as_str());
    let Some(branch) = args.branch.clone().or_else(|| current_branch(config)) else {
        *tool_error = true;
        let mut report = StageReport::new("deploy");
        let message = "cannot tell which branch is being built: pass --branch";
        report.cases.push(Case::new("deploy", "find the branch", Outcome::error(message)));
        return report;
    };
    if branch != deploy_branch {
        return StageReport::skipped("deploy", format!("branch {branch} is not the deploy branch {deploy_branch}"));
    }
    eprintln!("puppet-ci all: stage deploy (branch {branch})");
    let (report, crashed) = run_stage("deploy", || super::deploy::stage(config, &branch));
    *tool_error |= crashed;
    report
}

/// The branch being built: CI systems check out a detached HEAD, so their variables come
/// first; then the control repo's own git branch.
fn current_branch(config: &Config) -> Option<String> {
    let from_ci = ["BRANCH_NAME", "GIT_BRANCH", "TRAVIS_BRANCH", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty());
    if let Some(branch) = from_ci {
        // Jenkins' GIT_BRANCH says `origin/production`.
        return Some(branch.strip_prefix("origin/").unwrap_or(&branch).to_string());
    }
    let output = Command::new("git").arg("-C").arg(&config.root).args(["rev-parse", "--abbrev-ref", "HEAD"]).output().ok()?;
    let branch = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && !branch.is_empty() && branch != "HEAD").then_some(branch)
}
