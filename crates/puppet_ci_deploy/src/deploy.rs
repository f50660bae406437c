//! Deploy, rollback and server cycling: the steps, in an order that keeps the live
//! environment whole whatever fails.
//!
//! Everything before the switch (lock, reachability of the master, unpack, static check,
//! install) touches only a new release folder, so a failure there leaves the live
//! environment as it was. After the switch, a failed flush or smoke test switches back.
//! Old releases are removed last, after the master has been told to drop them from its
//! cache (it keeps serving cached code even when the folder is gone).

use std::path::Path;
use std::time::{Duration, Instant};

use puppet_ci_report::{Case, Outcome};

use crate::haproxy::{AdminSocket, ServerState};
use crate::package::Artifact;
use crate::server::ServerClient;
use crate::target::{CodeDir, EnvironmentState, LockGuard, Unmanaged};
use crate::{is_valid_environment_name, DeployError};

/// The static check of an unpacked release: `Err` carries what is wrong with the code.
/// The binary passes puppet-ci's own validate stage; tests pass what they need.
pub type ReleaseCheck<'a> = dyn Fn(&Path) -> Result<(), String> + 'a;

/// The catalog request that proves a release is live on a master.
#[derive(Debug, Clone)]
pub struct Smoke {
    pub certname: String,
    /// Facts sent with the request (`facts.values`).
    pub facts: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct DeployOptions {
    pub environment: String,
    /// Releases kept per environment, the live one included (at least 2, so there is
    /// always one to roll back to).
    pub keep_releases: usize,
    /// How long to wait for another deploy's lock.
    pub lock_wait: Duration,
    pub smoke: Smoke,
    /// Adopt an environment folder with code in it that puppet-ci did not create (an
    /// r10k deploy): keep it as a release of its own and switch atomically. An empty one
    /// (a puppetserver's first start) is adopted either way.
    pub adopt: bool,
}

/// One puppet master: where its code is, how to reach its API, its name in haproxy.
pub struct Master {
    pub name: String,
    pub code_dir: Box<dyn CodeDir>,
    /// `None` deploys the code only (no flush, no smoke test).
    pub server: Option<ServerClient>,
    /// `BACKEND/SERVER` in haproxy, for [`cycle`].
    pub haproxy_server: Option<String>,
}

/// What a deploy or rollback did: one case per step, and where it left the environment.
#[derive(Debug, Clone, Default)]
pub struct DeployRun {
    pub cases: Vec<Case>,
    /// The release live at the end (`None` when the environment does not exist).
    pub live: Option<String>,
    /// The release live before.
    pub previous: Option<String>,
    pub duration: Duration,
    /// Why nothing checked that the master serves the release (no puppetserver to ask),
    /// when nothing did: the code is switched, but the deploy is unverified.
    pub unverified: Option<String>,
}

impl DeployRun {
    pub fn passed(&self) -> bool {
        self.cases.iter().all(|case| !case.outcome.is_failure())
    }

    /// True when a step failed because the tool could not work (as opposed to the code
    /// failing a check): the binary exits 2 for these.
    pub fn has_error(&self) -> bool {
        self.cases.iter().any(|case| matches!(case.outcome, Outcome::Error { .. }))
    }

    /// The first failure's message.
    pub fn failure(&self) -> Option<&str> {
        self.cases.iter().find(|case| case.outcome.is_failure()).and_then(|case| case.outcome.message())
    }
}

/// Why a step stopped: the code is wrong (`Failed`), or the tool could not do it (`Error`).
enum Stop {
    Failed(String),
    Error(String),
}

impl From<DeployError> for Stop {
    fn from(err: DeployError) -> Self {
        Stop::Error(err.to_string())
    }
}

/// Records steps as report cases.
struct Steps<'a> {
    group: &'a str,
    run: DeployRun,
}

impl Steps<'_> {
    fn step<T>(&mut self, name: &str, work: impl FnOnce() -> Result<T, Stop>) -> Option<T> {
        let start = Instant::now();
        let result = work();
        let outcome = match &result {
            Ok(_) => Outcome::Passed,
            Err(Stop::Failed(message)) => Outcome::failed(message.clone()),
            Err(Stop::Error(message)) => Outcome::error(message.clone()),
        };
        self.run.cases.push(Case::new(self.group, name, outcome).with_duration(start.elapsed()));
        result.ok()
    }

    fn note(&mut self, name: &str, outcome: Outcome, output: String) {
        self.run.cases.push(Case::new(self.group, name, outcome).with_output(output));
    }
}

/// When the lock is held by another deploy, the release live now (read without the lock:
/// it is only reported), so the message names it rather than "(none)".
fn record_live_without_lock(steps: &mut Steps<'_>, code_dir: &dyn CodeDir, environment: &str) {
    if let Ok(live) = code_dir.live(environment) {
        steps.run.live = live.clone();
        steps.run.previous = live;
    }
}

/// The id an adopted folder gets as a release: when it was adopted.
fn adopted_id() -> String {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|elapsed| elapsed.as_secs()).unwrap_or(0);
    format!("adopted-{since}")
}

fn holder(what: &str, id: &str) -> String {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|elapsed| elapsed.as_secs()).unwrap_or(0);
    format!("puppet-ci {what} of {id} by pid {} on {} since unix time {since}", std::process::id(), host.trim())
}

fn smoke_test(server: &ServerClient, environment: &str, smoke: &Smoke, expected: &str) -> Result<String, Stop> {
    let catalog = server.compile(environment, &smoke.certname, &smoke.facts).map_err(|err| match err {
        // The master answered: the code does not compile there. That is the release's fault.
        err @ DeployError::Server { status: 500, .. } => Stop::Failed(err.to_string()),
        other => Stop::from(other),
    })?;
    if catalog.version != expected {
        return Err(Stop::Failed(format!(
            "{} compiled environment {environment} at version '{}', expected release {expected}: the master is not serving the new release",
            server.url(),
            catalog.version
        )));
    }
    Ok(format!("catalog for {} at release {expected}: {} resources", smoke.certname, catalog.resource_count))
}

/// Deploys `artifact` to the environment on one master.
pub fn deploy(artifact: &Artifact, master: &Master, options: &DeployOptions, check: &ReleaseCheck<'_>) -> DeployRun {
    let start = Instant::now();
    let mut steps = Steps { group: &master.name, run: DeployRun::default() };
    deploy_steps(&mut steps, artifact, master, options, check);
    steps.run.duration = start.elapsed();
    steps.run
}

fn deploy_steps(steps: &mut Steps<'_>, artifact: &Artifact, master: &Master, options: &DeployOptions, check: &ReleaseCheck<'_>) {
    let environment = options.environment.as_str();
    let code_dir = master.code_dir.as_ref();
    let id = artifact.id().to_string();
    if !is_valid_environment_name(environment) {
        steps.step("environment name", || -> Result<(), Stop> {
            Err(Stop::Error(format!("'{environment}' is not a valid Puppet environment name (lowercase letters, digits and underscores)")))
        });
        return;
    }
    let Some(_lock) = steps.step("lock", || code_dir.lock(environment, options.lock_wait, &holder("deploy", &id)).map_err(Stop::from)) else {
        record_live_without_lock(steps, code_dir, environment);
        return;
    };
    let Some(state) = steps.step("prepare", || Ok(code_dir.prepare(environment)?)) else {
        return;
    };
    // A folder puppet-ci did not create becomes a release of its own at the switch.
    let adopting = match state.unmanaged {
        None => None,
        Some(Unmanaged::Empty) => Some(adopted_id()),
        Some(Unmanaged::Code) if options.adopt => Some(adopted_id()),
        Some(Unmanaged::Code) => {
            steps.step("adopt", || -> Result<(), Stop> { Err(Stop::Error(crate::target::unmanaged_message(&code_dir.describe(), environment))) });
            return;
        }
    };
    let mut previous = state.live;
    steps.run.previous = previous.clone();
    steps.run.live = previous.clone();
    if let Some(server) = &master.server {
        // Reachability, TLS and auth.conf are checked before anything changes.
        let reached = steps.step("master reachable", || server.flush_environment(environment).map_err(Stop::from));
        if reached.is_none() {
            return;
        }
    }

    let already_live = previous.as_deref() == Some(id.as_str());
    if already_live {
        steps.note("switch", Outcome::skipped(format!("release {id} is already live in {environment}")), String::new());
    } else {
        // A local code dir unpacks next to its releases (installing is then a rename);
        // a remote one unpacks here for the check and streams the artifact after.
        let Some((staged, temporary)) = steps.step("unpack", || {
            let (staged, temporary) = match code_dir.staging_dir(environment, &id)? {
                Some(dir) => (dir, None),
                None => {
                    let dir = tempfile::Builder::new()
                        .prefix("puppet-ci-release-")
                        .tempdir()
                        .map_err(|err| Stop::Error(format!("cannot create a temporary folder: {err}")))?;
                    (dir.path().to_path_buf(), Some(dir))
                }
            };
            if let Err(err) = artifact.unpack(&staged) {
                if temporary.is_none() {
                    let _ = std::fs::remove_dir_all(&staged);
                }
                return Err(Stop::from(err));
            }
            Ok((staged, temporary))
        }) else {
            return;
        };
        let is_local = temporary.is_none();
        let cleanup = || {
            if is_local {
                let _ = std::fs::remove_dir_all(&staged);
            }
        };
        let serves_code = || match crate::package::missing_code(&staged) {
            Some(missing) => Err(Stop::Failed(format!("release {id} would serve no code: {missing}"))),
            None => check(&staged).map_err(Stop::Failed),
        };
        if steps.step("check", serves_code).is_none() {
            cleanup();
            return;
        }
        if steps.step("install", || code_dir.install(environment, artifact, &staged).map_err(Stop::from)).is_none() {
            cleanup();
            return;
        }
        drop(temporary);
        let mut history = state.history.clone();
        if let Some(adopted) = &adopting {
            history.push(adopted.clone());
            history.push(id.clone());
            // The folder and the symlink trade places; on failure the folder is put back.
            if steps.step("switch", || code_dir.adopt_and_switch(environment, &id, adopted, &history).map_err(Stop::from)).is_none() {
                return;
            }
            let what = if state.unmanaged == Some(Unmanaged::Empty) { "an empty folder (a puppetserver's first start)" } else { "a folder puppet-ci did not create" };
            steps.note("adopt", Outcome::Passed, format!("environments/{environment} was {what}: kept as release {adopted}, which a rollback returns to"));
            steps.run.previous = Some(adopted.clone());
            previous = Some(adopted.clone());
        } else {
            history.push(id.clone());
            if steps.step("switch", || code_dir.switch_and_record(environment, &id, &history).map_err(Stop::from)).is_none() {
                // The symlink may have switched before the history write failed.
                switch_back(steps, master, environment, previous.as_deref());
                return;
            }
        }
        steps.run.live = Some(id.clone());
    }

    if let Some(server) = &master.server {
        if steps.step("flush", || server.flush_environment(environment).map_err(Stop::from)).is_none() {
            if !already_live {
                switch_back(steps, master, environment, previous.as_deref());
            }
            return;
        }
        let start = Instant::now();
        match smoke_test(server, environment, &options.smoke, &id) {
            Ok(output) => steps.run.cases.push(Case::new(steps.group, "smoke test", Outcome::Passed).with_duration(start.elapsed()).with_output(output)),
            Err(stop) => {
                let outcome = match stop {
                    Stop::Failed(message) => Outcome::failed(message),
                    Stop::Error(message) => Outcome::error(message),
                };
                steps.run.cases.push(Case::new(steps.group, "smoke test", outcome).with_duration(start.elapsed()));
                if !already_live {
                    switch_back(steps, master, environment, previous.as_deref());
                }
                return;
            }
        }
    } else {
        let reason = format!(
            "UNVERIFIED: no puppetserver configured for this master ({}; set its server in deploy.masters, or pass --server URL): the code is switched, but nothing checked that a master serves release {id}",
            master.name
        );
        steps.note("smoke test", Outcome::skipped(reason.clone()), String::new());
        steps.run.unverified = Some(reason);
    }

    let keep = options.keep_releases.max(2);
    steps.step("retention", || {
        let removed = apply_retention(code_dir, environment, keep)?;
        Ok(removed)
    });
}

/// Points the environment back at `previous` (or removes it when it did not exist),
/// restores the history, and flushes: the master serves what it served before the deploy.
fn switch_back(steps: &mut Steps<'_>, master: &Master, environment: &str, previous: Option<&str>) {
    let code_dir = master.code_dir.as_ref();
    let restored = steps.step("switch back", || {
        let mut history = code_dir.history(environment)?;
        match previous {
            Some(previous) => {
                code_dir.switch(environment, previous)?;
                while history.last().is_some_and(|last| last != previous) {
                    history.pop();
                }
            }
            None => {
                code_dir.remove_environment(environment)?;
                history.clear();
            }
        }
        if previous.is_some() {
            code_dir.write_history(environment, &history)?;
        }
        if let Some(server) = &master.server {
            server.flush_environment(environment)?;
        }
        Ok(())
    });
    if restored.is_some() {
        steps.run.live = previous.map(str::to_string);
    }
}

/// Removes releases beyond the newest `keep` ones that went live (the live one is always
/// kept); returns the removed ids.
fn apply_retention(code_dir: &dyn CodeDir, environment: &str, keep: usize) -> Result<Vec<String>, DeployError> {
    let EnvironmentState { live, history, releases, .. } = code_dir.prepare(environment)?;
    let mut kept: Vec<String> = Vec::new();
    for id in history.iter().rev() {
        if kept.len() >= keep {
            break;
        }
        if !kept.contains(id) {
            kept.push(id.clone());
        }
    }
    if let Some(live) = live {
        if !kept.contains(&live) {
            kept.push(live);
        }
    }
    let mut removed = Vec::new();
    for id in releases {
        if !kept.contains(&id) {
            code_dir.remove_release(environment, &id)?;
            removed.push(id);
        }
    }
    // The history only needs the releases that are still there.
    let trimmed: Vec<String> = history.into_iter().filter(|id| kept.contains(id)).collect();
    code_dir.write_history(environment, &trimmed)?;
    Ok(removed)
}

/// Switches the environment back to the release live before the current one (or to
/// `release`), and flushes the master's cache. With `smoke`, also checks the master
/// serves it.
pub fn rollback(master: &Master, environment: &str, release: Option<&str>, lock_wait: Duration, smoke: Option<&Smoke>) -> DeployRun {
    let start = Instant::now();
    let mut steps = Steps { group: &master.name, run: DeployRun::default() };
    rollback_steps(&mut steps, master, environment, release, lock_wait, smoke);
    steps.run.duration = start.elapsed();
    steps.run
}

fn rollback_steps(steps: &mut Steps<'_>, master: &Master, environment: &str, release: Option<&str>, lock_wait: Duration, smoke: Option<&Smoke>) {
    let code_dir = master.code_dir.as_ref();
    if !is_valid_environment_name(environment) {
        steps.step("environment name", || -> Result<(), Stop> { Err(Stop::Error(format!("'{environment}' is not a valid Puppet environment name"))) });
        return;
    }
    let Some(_lock): Option<Box<dyn LockGuard>> = steps.step("lock", || code_dir.lock(environment, lock_wait, &holder("rollback", environment)).map_err(Stop::from)) else {
        record_live_without_lock(steps, code_dir, environment);
        return;
    };
    let Some(state) = steps.step("prepare", || Ok(code_dir.prepare(environment)?)) else {
        return;
    };
    if state.unmanaged.is_some() {
        steps.step("find previous release", || -> Result<(), Stop> {
            Err(Stop::Error(format!("{}/environments/{environment} is a folder puppet-ci does not manage: it has no releases to roll back to", code_dir.describe())))
        });
        return;
    }
    let (live, mut history, releases) = (state.live, state.history, state.releases);
    steps.run.previous = live.clone();
    steps.run.live = live.clone();
    let Some(live_id) = live else {
        steps.step("find previous release", || -> Result<(), Stop> {
            Err(Stop::Error(format!("environment {environment} does not exist on {}: nothing to roll back", code_dir.describe())))
        });
        return;
    };
    let target = match release {
        Some(release) => {
            if !releases.iter().any(|id| id == release) {
                let releases = releases.join(", ");
                steps.step("find previous release", || -> Result<(), Stop> {
                    Err(Stop::Error(format!("release {release} of {environment} is not on {} (it has: {releases})", code_dir.describe())))
                });
                return;
            }
            history.push(release.to_string());
            release.to_string()
        }
        None => {
            while history.last() == Some(&live_id) {
                history.pop();
            }
            while history.last().is_some_and(|id| !releases.contains(id)) {
                history.pop();
            }
            match history.last() {
                Some(id) => id.clone(),
                None => {
                    steps.step("find previous release", || -> Result<(), Stop> {
                        Err(Stop::Error(format!("environment {environment} has no earlier release to roll back to (live: {live_id})")))
                    });
                    return;
                }
            }
        }
    };
    if steps.step("switch", || code_dir.switch_and_record(environment, &target, &history).map_err(Stop::from)).is_none() {
        return;
    }
    steps.run.live = Some(target.clone());
    if let Some(server) = &master.server {
        steps.step("flush", || server.flush_environment(environment).map_err(Stop::from));
        if let Some(smoke) = smoke {
            let start = Instant::now();
            let result = smoke_test(server, environment, smoke, &target);
            let outcome = match &result {
                Ok(_) => Outcome::Passed,
                Err(Stop::Failed(message)) => Outcome::failed(message.clone()),
                Err(Stop::Error(message)) => Outcome::error(message.clone()),
            };
            steps.run.cases.push(Case::new(steps.group, "smoke test", outcome).with_duration(start.elapsed()).with_output(result.unwrap_or_default()));
        }
    }
}

/// Deploys to each master in turn behind haproxy: drain it, deploy and smoke-test it
/// directly, put it back. The first failure stops the roll; that master is back on its
/// old release and in rotation, the ones before it stay on the new release, the ones
/// after it are not touched. Returns one run per master reached.
pub fn cycle(
    artifact: &Artifact,
    masters: &[Master],
    haproxy: Option<&AdminSocket>,
    drain_timeout: Duration,
    options: &DeployOptions,
    check: &ReleaseCheck<'_>,
) -> Vec<(String, DeployRun)> {
    let mut runs = Vec::new();
    let mut stopped_at: Option<String> = None;
    for master in masters {
        if let Some(at) = &stopped_at {
            let mut run = DeployRun::default();
            run.cases.push(Case::new(&master.name, "deploy", Outcome::skipped(format!("the roll stopped at {at}; {} keeps its release", master.name))));
            runs.push((master.name.clone(), run));
            continue;
        }
        let mut drained = Vec::new();
        if let (Some(socket), Some(server)) = (haproxy, &master.haproxy_server) {
            let start = Instant::now();
            let result = socket.set_state(server, ServerState::Drain).and_then(|()| socket.wait_drained(server, drain_timeout));
            let case = match result {
                Ok(0) => Case::new(&master.name, "out of rotation", Outcome::Passed),
                Ok(open) => Case::new(&master.name, "out of rotation", Outcome::Passed)
                    .with_output(format!("{open} connections still open after {:.1} s; deploying anyway (the switch is atomic)", drain_timeout.as_secs_f64())),
                Err(err) => Case::new(&master.name, "out of rotation", Outcome::error(err.to_string())),
            };
            let failed = case.outcome.is_failure();
            drained.push(case.with_duration(start.elapsed()));
            if failed {
                // Best effort: a half-applied drain must not leave the server out.
                let _ = socket.set_state(server, ServerState::Ready);
                let mut run = DeployRun { cases: drained, ..DeployRun::default() };
                run.cases.push(Case::new(&master.name, "deploy", Outcome::skipped("haproxy could not take the master out of rotation")));
                stopped_at = Some(master.name.clone());
                runs.push((master.name.clone(), run));
                continue;
            }
        }
        let mut run = deploy(artifact, master, options, check);
        run.cases.splice(0..0, drained);
        if let (Some(socket), Some(server)) = (haproxy, &master.haproxy_server) {
            let start = Instant::now();
            let outcome = match socket.set_state(server, ServerState::Ready) {
                Ok(()) => Outcome::Passed,
                Err(err) => Outcome::error(err.to_string()),
            };
            run.cases.push(Case::new(&master.name, "back in rotation", outcome).with_duration(start.elapsed()));
        }
        if !run.passed() {
            stopped_at = Some(master.name.clone());
        }
        runs.push((master.name.clone(), run));
    }
    runs
}

/// Removes every environment puppet-ci manages on the code dir that is not in `keep`
/// (branches that were deleted), each under its lock. Returns one case per removal.
pub fn prune_environments(code_dir: &dyn CodeDir, keep: &[String], lock_wait: Duration) -> Result<Vec<Case>, DeployError> {
    // No branch at all is what a detached, shallow CI checkout lists, not a repository
    // whose every branch was deleted: removing every environment then would be a disaster.
    if keep.is_empty() {
        return Err(DeployError::Usage(format!(
            "no branch to keep an environment for was found; refusing to remove every environment on {} (fetch the branches, e.g. `git fetch origin`, before --prune)",
            code_dir.describe()
        )));
    }
    let mut cases = Vec::new();
    for environment in code_dir.managed_environments()? {
        if keep.contains(&environment) {
            continue;
        }
        let outcome = match code_dir.lock(environment.as_str(), lock_wait, &holder("prune", &environment)) {
            Ok(_lock) => match code_dir.remove_environment(&environment) {
                Ok(()) => Outcome::Passed,
                Err(err) => Outcome::error(err.to_string()),
            },
            Err(err) => Outcome::error(err.to_string()),
        };
        cases.push(Case::new(code_dir.describe(), format!("remove environment {environment} (its branch is gone)"), outcome));
    }
    Ok(cases)
}
