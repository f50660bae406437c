//! The deploy as the pipeline does it: package (or open) a release, check it with the
//! validate stage before the switch, deploy it to every target, prune old environments.

use std::path::{Path, PathBuf};
use std::time::Instant;

use puppet_ci_config::Config;
use puppet_ci_deploy::configured::{self, TargetOverrides, Verdict};
use puppet_ci_deploy::deploy::DeployRun;
use puppet_ci_deploy::{Artifact, DeployOptions};
use puppet_ci_report::{Case, Outcome, StageReport};

use crate::PipelineError;

/// What to deploy where; `Default` deploys HEAD to the environment named by `branch`.
#[derive(Debug, Clone, Default)]
pub struct DeployRequest {
    /// A packaged release; else the control repo is packaged at `reference`.
    pub artifact: Option<PathBuf>,
    /// The git ref to package (default: `branch`, else HEAD).
    pub reference: Option<String>,
    pub environment: Option<String>,
    /// The branch being deployed: its environment follows `deploy.environments`, else
    /// r10k's rule (`feature/x` → `feature_x`).
    pub branch: Option<String>,
    pub targets: TargetOverrides,
    /// Releases kept per environment (overrides `deploy.keep_releases`).
    pub keep: Option<usize>,
    /// A further check run in the unpacked release before the switch (`sh -c`).
    pub check_command: Option<String>,
    /// Also remove the environments whose branch no longer exists.
    pub prune: bool,
    /// Keep an environment folder puppet-ci did not create as a release of its own and
    /// switch atomically (an empty one is adopted either way).
    pub adopt: bool,
}

/// What a deploy did, per target.
pub struct DeployOutcome {
    pub environment: String,
    pub runs: Vec<(String, DeployRun)>,
    /// The prune cases, when pruning was asked for.
    pub pruned: Vec<Case>,
    /// Every case, as one stage.
    pub stage: StageReport,
    pub verdict: Verdict,
}

/// Deploys as `request` says; a step that fails is in the outcome's cases, an `Err` means
/// nothing could start (no release, no targets).
pub fn deploy(config: &Config, request: &DeployRequest) -> Result<DeployOutcome, PipelineError> {
    let started = Instant::now();
    let environment = configured::environment(config, request.environment.as_deref(), request.branch.as_deref())?;
    let artifact = match &request.artifact {
        Some(path) => Artifact::open(path)?,
        None => {
            let reference = request.reference.clone().or_else(|| request.branch.clone()).unwrap_or_else(|| "HEAD".to_string());
            configured::package_control_repo(config, &reference, None, None)?
        }
    };
    let targets = configured::targets(config, &request.targets)?;
    let deploy = config.deploy.clone().unwrap_or_default();
    let options = DeployOptions {
        environment: environment.clone(),
        keep_releases: request.keep.unwrap_or(deploy.keep_releases),
        lock_wait: targets.lock_wait,
        smoke: configured::smoke(config)?,
        adopt: request.adopt,
    };
    let check = release_check(request.check_command.clone());
    let runs = puppet_ci_deploy::cycle(&artifact, &targets.masters, targets.haproxy.as_ref(), targets.drain_timeout, &options, &check);
    let mut stage = configured::stage_from_runs("deploy", &runs, started);
    let mut pruned = Vec::new();
    if request.prune {
        let mut keep: Vec<String> = configured::branches(&config.root)?.iter().map(|branch| deploy.environment_for_branch(branch)).collect();
        // The environment just deployed is never "of a deleted branch".
        keep.push(environment.clone());
        for master in &targets.masters {
            match puppet_ci_deploy::prune_environments(master.code_dir.as_ref(), &keep, targets.lock_wait) {
                Ok(cases) => pruned.extend(cases),
                Err(err) => pruned.push(Case::new(&master.name, "prune environments", Outcome::error(err.to_string()))),
            }
        }
        stage.cases.extend(pruned.iter().cloned());
    }
    let verdict = configured::verdict(&runs, &pruned);
    Ok(DeployOutcome { environment, runs, pruned, stage, verdict })
}

/// The check of an unpacked release before the switch: the validate stage on the
/// release's own configuration (a release with no Puppet code at all is refused: it would
/// serve nothing), then the check command if there is one.
pub fn release_check(check_command: Option<String>) -> impl Fn(&Path) -> Result<(), String> {
    move |tree: &Path| {
        let config = Config::load(tree).map_err(|err| err.to_string())?;
        let targets = puppet_ci_validate::control_repo_targets(&config).map_err(|err| err.to_string())?;
        if targets.is_empty() {
            return Err("the release holds no .pp or .epp files: it would serve no code".to_string());
        }
        let report = puppet_ci_validate::stage(&config).map_err(|err| err.to_string())?;
        let failures: Vec<String> = report
            .cases
            .iter()
            .filter(|case| case.outcome.is_failure())
            .map(|case| match &case.location {
                Some(location) => format!("{}:{}:{}: {}", location.file.display(), location.line, location.column, case.outcome.message().unwrap_or_default()),
                None => format!("{}: {}", case.group, case.outcome.message().unwrap_or_default()),
            })
            .collect();
        if !failures.is_empty() {
            let shown: Vec<_> = failures.iter().take(10).cloned().collect();
            return Err(format!("the release fails validate ({} file(s)): {}", failures.len(), shown.join("; ")));
        }
        if let Some(command) = &check_command {
            let output = std::process::Command::new("sh")
                .arg("-c")
                .arg(command)
                .current_dir(tree)
                .output()
                .map_err(|err| format!("cannot run the check command `{command}`: {err}"))?;
            if !output.status.success() {
                let said = String::from_utf8_lossy(&output.stderr).trim().to_string();
                return Err(format!("the check command `{command}` failed ({}): {said}", output.status));
            }
        }
        Ok(())
    }
}
