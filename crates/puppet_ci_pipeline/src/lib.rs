//! The stages of puppet-ci in pipeline order, as a library another program can call.
//!
//! A stage is one value in [`STAGES`]: its name, what it needs, how it tells whether it
//! has anything to check, and the function that runs it. [`run`] goes through the list
//! with the rules every stage shares:
//!
//! - **fail fast**: after a red stage, every later stage is reported as skipped with the
//!   reason, and the deploy never runs after one;
//! - **skips**: `--skip NAME` or `pipeline.skip` in `puppet-ci.yaml` leave a stage out;
//! - **never green on nothing**: a stage with nothing to check (no manifests, no roles)
//!   fails, unless `pipeline.allow_empty` lists it, and then it is reported as skipped;
//! - **the deploy gate**: the deploy stage runs only when asked (`--deploy`), only on the
//!   deploy branch, and only when everything before it passed.
//!
//! Single-stage commands (`puppet-ci dynamic`, ...) call [`run_stage`], which applies the
//! same "nothing to check" rule.

use std::time::Instant;

use puppet_ci_config::Config;
use puppet_ci_container::{Progress, StageOptions};
use puppet_ci_report::{Case, Outcome, RunReport, StageReport};

mod branch;
mod deploy;
mod stages;

pub use branch::current_branch;
pub use deploy::{deploy, release_check, DeployOutcome, DeployRequest};

/// Why the pipeline or a stage could not do its work (the user's code failing a check is
/// a failed case in the report instead).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Config(#[from] puppet_ci_config::ConfigError),
    #[error(transparent)]
    Validate(#[from] puppet_ci_validate::ValidateError),
    #[error(transparent)]
    Lint(#[from] puppet_lint::LintError),
    #[error(transparent)]
    Catalog(#[from] puppet_ci_catalog::CatalogError),
    #[error(transparent)]
    Container(#[from] puppet_ci_container::ContainerError),
    #[error(transparent)]
    Deploy(#[from] puppet_ci_deploy::DeployError),
    /// The request itself is wrong (an unknown stage, `--deploy` without a `deploy:`).
    #[error("{0}")]
    Usage(String),
}

/// Everything a stage runs with.
#[derive(Clone)]
pub struct Context<'a> {
    pub config: &'a Config,
    /// How the container stages run (timeouts, keeping containers, rebuilding images).
    pub container: StageOptions,
    pub deploy: DeployGate,
    /// How the catalog stage runs (engine, partition, cache, snapshots); its partition
    /// also splits the dynamic stage's roles.
    pub catalog: puppet_ci_catalog::StageOptions,
    /// One line per step, for the caller to show.
    pub progress: Progress,
}

impl<'a> Context<'a> {
    /// A context with the stages' defaults and no deploy; the catalog stage's notes go to
    /// `progress`.
    pub fn new(config: &'a Config, progress: Progress) -> Self {
        let notes = progress.clone();
        let catalog_progress: puppet_ci_catalog::Progress = std::sync::Arc::new(move |event: puppet_ci_catalog::Event<'_>| {
            if let puppet_ci_catalog::Event::Note(line) = event {
                notes(line);
            }
        });
        Context {
            config,
            container: StageOptions::new(progress.clone()),
            deploy: DeployGate::default(),
            catalog: puppet_ci_catalog::StageOptions::new(catalog_progress),
            progress,
        }
    }
}

/// Whether `puppet-ci all` deploys: only when `requested`, on the deploy branch.
#[derive(Debug, Clone, Default)]
pub struct DeployGate {
    pub requested: bool,
    /// The branch being built; found from the CI system or git when not given.
    pub branch: Option<String>,
}

/// Something a stage needs besides the control repo itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A Docker engine (`DOCKER_HOST`, else the local socket).
    DockerEngine,
    /// The host's Debian apt sources, to build base images without a registry.
    DebianAptSources,
    /// `deploy:` in `puppet-ci.yaml`, with masters or a `--to` target.
    DeployTargets,
}

impl Need {
    pub fn describe(self) -> &'static str {
        match self {
            Self::DockerEngine => "a Docker engine",
            Self::DebianAptSources => "Debian apt sources on the host (base images are built from them)",
            Self::DeployTargets => "deploy targets (deploy.masters in puppet-ci.yaml, or --to)",
        }
    }
}

/// What a stage found before running: work to do, nothing to check, or a gate closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    Run,
    /// There is nothing to check here; the reason says what is missing.
    Nothing(String),
    /// The stage is not meant to run now (the deploy on another branch).
    Gated(String),
}

/// One stage of the pipeline.
pub struct Stage {
    /// The name the command line, the configuration and the reports use.
    pub name: &'static str,
    /// What the stage checks and what it produces, in one line.
    pub about: &'static str,
    pub needs: &'static [Need],
    /// Whether there is anything for the stage to do, before it runs.
    pub work: fn(&Context<'_>) -> Result<Work, PipelineError>,
    pub run: fn(&Context<'_>) -> Result<StageReport, PipelineError>,
}

/// The stages, in pipeline order.
pub static STAGES: &[Stage] = &[stages::VALIDATE, stages::LINT, stages::CATALOG, stages::DYNAMIC, stages::INTEGRATION, stages::DEPLOY];

/// The stage named `name`.
pub fn stage(name: &str) -> Option<&'static Stage> {
    STAGES.iter().find(|stage| stage.name == name)
}

fn stage_names() -> String {
    STAGES.iter().map(|stage| stage.name).collect::<Vec<_>>().join(", ")
}

/// How one `puppet-ci all` run goes.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Stages to leave out, besides `pipeline.skip`.
    pub skip: Vec<String>,
}

/// The result of a run: the report, and whether a stage could not run at all (the tool
/// failed, as opposed to the code): callers exit 2 for that.
#[derive(Debug, Clone)]
pub struct PipelineRun {
    pub report: RunReport,
    pub tool_error: bool,
}

/// Checks what the options say about stages, before anything runs (the configuration's
/// stage names were checked when it was loaded).
fn check_request(ctx: &Context<'_>, options: &RunOptions) -> Result<(), PipelineError> {
    for name in &options.skip {
        if stage(name).is_none() {
            return Err(PipelineError::Usage(format!("--skip {name}: no such stage (stages: {})", stage_names())));
        }
    }
    if ctx.deploy.requested && ctx.config.deploy.is_none() {
        let file = ctx.config.root.join(puppet_ci_config::FILE_NAME);
        return Err(PipelineError::Usage(format!("--deploy needs a `deploy:` section in {}", file.display())));
    }
    Ok(())
}

/// Runs every stage in order with the shared rules (see the crate's documentation).
pub fn run(ctx: &Context<'_>, options: &RunOptions) -> Result<PipelineRun, PipelineError> {
    check_request(ctx, options)?;
    // Base images are rebuilt once per run: the first stage that builds them (dynamic)
    // makes them anew, later ones (integration) reuse what it made.
    let mut ctx = ctx.clone();
    let mut report = RunReport::default();
    let mut stopped_by: Option<String> = None;
    let mut tool_error = false;
    for stage in STAGES {
        if let Some(reason) = &stopped_by {
            let reason = if stage.name == stages::DEPLOY.name { format!("{reason}; a red pipeline never deploys") } else { reason.clone() };
            report.stages.push(StageReport::skipped(stage.name, reason));
            continue;
        }
        if options.skip.iter().any(|name| name == stage.name) {
            report.stages.push(StageReport::skipped(stage.name, "--skip"));
            continue;
        }
        if ctx.config.pipeline.skip.iter().any(|name| name == stage.name) {
            report.stages.push(StageReport::skipped(stage.name, "pipeline.skip in puppet-ci.yaml"));
            continue;
        }
        let (result, crashed) = run_one(stage, &ctx);
        images_built(&mut ctx, stage, &result);
        tool_error |= crashed;
        if !result.passed() {
            stopped_by = Some(format!("stage {} failed", stage.name));
        }
        report.stages.push(result);
    }
    Ok(PipelineRun { report, tool_error })
}

/// After a stage that builds base images ran, later stages reuse them: `--rebuild-images`
/// rebuilds once per run, not once per stage.
fn images_built(ctx: &mut Context<'_>, stage: &Stage, result: &StageReport) {
    if stage.needs.contains(&Need::DebianAptSources) && result.skipped.is_none() {
        ctx.container.rebuild_images = false;
    }
}

/// Runs the stage named `name` alone, with the "nothing to check" rule.
pub fn run_stage(name: &str, ctx: &Context<'_>) -> Result<StageReport, PipelineError> {
    let stage = stage(name).ok_or_else(|| PipelineError::Usage(format!("no stage '{name}' (stages: {})", stage_names())))?;
    checked(stage, ctx)
}

fn checked(stage: &Stage, ctx: &Context<'_>) -> Result<StageReport, PipelineError> {
    match (stage.work)(ctx)? {
        Work::Run => {}
        Work::Gated(reason) => return Ok(StageReport::skipped(stage.name, reason)),
        Work::Nothing(reason) => return Ok(nothing_to_check(stage, ctx.config, &reason)),
    }
    (ctx.progress)(&format!("stage {}", stage.name));
    let started = Instant::now();
    let mut report = (stage.run)(ctx)?;
    if report.duration.is_zero() {
        report.duration = started.elapsed();
    }
    if report.cases.is_empty() && report.skipped.is_none() {
        return Ok(nothing_to_check(stage, ctx.config, "the stage checked nothing"));
    }
    Ok(report)
}

/// A stage that found nothing to check: skipped when the configuration expects that,
/// otherwise failed, saying what was missing and how to allow it.
fn nothing_to_check(stage: &Stage, config: &Config, reason: &str) -> StageReport {
    if config.pipeline.allow_empty.iter().any(|name| name == stage.name) {
        return StageReport::skipped(stage.name, format!("nothing to check: {reason} (pipeline.allow_empty)"));
    }
    let mut report = StageReport::new(stage.name);
    let message = format!("nothing to check: {reason}; a stage that checks nothing does not pass (list it under pipeline.allow_empty in puppet-ci.yaml if that is expected)");
    report.cases.push(Case::new(stage.name, "finds something to check", Outcome::failed(message)));
    report
}

/// Runs one stage of [`run`]; a stage that could not run at all (Docker down, I/O error)
/// becomes a stage with one error case, so the report still says what happened. The flag
/// is true in that case.
fn run_one(stage: &Stage, ctx: &Context<'_>) -> (StageReport, bool) {
    let started = Instant::now();
    match checked(stage, ctx) {
        Ok(report) => (report, false),
        Err(err) => {
            let mut report = StageReport::new(stage.name);
            report.cases.push(Case::new(stage.name, "run the stage", Outcome::error(err.to_string())));
            report.duration = started.elapsed();
            (report, true)
        }
    }
}

/// True when `root` looks like a control repo or a module: something `puppet-ci all` can
/// check. Running it anywhere else is a usage error, not an empty green run.
pub fn is_control_repo_or_module(root: &std::path::Path) -> bool {
    ["puppet-ci.yaml", "environment.conf", "Puppetfile", "metadata.json", "manifests", "site", "modules"]
        .iter()
        .any(|name| root.join(name).exists())
}

#[cfg(test)]
mod tests;
