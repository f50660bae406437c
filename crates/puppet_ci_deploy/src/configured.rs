//! The deploy as `puppet-ci.yaml` describes it: the masters to deploy to (with what the
//! command line overrides), the smoke test's facts, the packaging options, the branches
//! of the control repo and the environment a branch deploys to.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use puppet_ci_config::Config;
use puppet_ci_report::{Case, Outcome, StageReport};

use crate::deploy::{DeployRun, Smoke};
use crate::haproxy::AdminSocket;
use crate::{Artifact, DeployError, LocalCodeDir, Master, PackageOptions, Result, ServerClient, ServerTls, SshCodeDir, SshTarget};

/// What the command line says about the targets, over what `puppet-ci.yaml` says.
#[derive(Debug, Clone, Default)]
pub struct TargetOverrides {
    /// A master named in deploy.masters, `all`, a local code dir, or
    /// `ssh://[USER@]HOST[:PORT]/CODE_DIR`.
    pub to: Option<String>,
    /// The puppetserver URL of a code dir or ssh:// target, for the flush and smoke test.
    pub server: Option<String>,
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub ssh_identity: Option<PathBuf>,
    pub ssh_known_hosts: Option<PathBuf>,
    /// Seconds to wait for another deploy's lock.
    pub lock_timeout: Option<f64>,
}

/// The masters a command works on, and the load balancer in front of them.
pub struct Targets {
    pub masters: Vec<Master>,
    pub haproxy: Option<AdminSocket>,
    pub drain_timeout: Duration,
    pub lock_wait: Duration,
}

fn relative_to(root: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}

fn tls(config: &Config, overrides: &TargetOverrides) -> Option<ServerTls> {
    let configured = config.deploy.as_ref().and_then(|deploy| deploy.tls.as_ref());
    let pick = |flag: &Option<PathBuf>, from_config: Option<&PathBuf>| flag.clone().or_else(|| from_config.map(|path| relative_to(&config.root, path)));
    Some(ServerTls {
        ca: pick(&overrides.ca, configured.map(|tls| &tls.ca))?,
        cert: pick(&overrides.cert, configured.map(|tls| &tls.cert))?,
        key: pick(&overrides.key, configured.map(|tls| &tls.key))?,
    })
}

fn client(url: &str, tls: Option<&ServerTls>) -> Result<ServerClient> {
    let Some(tls) = tls else {
        return Err(DeployError::Usage(format!(
            "the master {url} needs a client certificate: set deploy.tls (ca, cert, key) in puppet-ci.yaml, or pass --ca, --cert and --key"
        )));
    };
    ServerClient::new(url, tls, Duration::from_secs(60))
}

fn in_context(name: &str) -> impl FnOnce(DeployError) -> DeployError + '_ {
    move |err| DeployError::AtMaster { master: name.to_string(), source: Box::new(err) }
}

/// The masters to deploy to or roll back, from `deploy:` in `puppet-ci.yaml` and the
/// command line.
pub fn targets(config: &Config, overrides: &TargetOverrides) -> Result<Targets> {
    let deploy = config.deploy.clone().unwrap_or_default();
    let tls = tls(config, overrides);
    let lock_wait = Duration::from_secs_f64(overrides.lock_timeout.unwrap_or(deploy.lock_timeout as f64).max(0.0));
    // `HOST:PORT` is haproxy's TCP admin socket; anything else a Unix socket path.
    let haproxy = deploy.haproxy.as_ref().map(|haproxy| {
        let tcp = haproxy.socket.to_str().is_some_and(|text| !text.contains('/') && text.contains(':'));
        AdminSocket::new(if tcp { haproxy.socket.clone() } else { relative_to(&config.root, &haproxy.socket) })
    });
    let drain_timeout = Duration::from_secs(deploy.haproxy.as_ref().map_or(puppet_ci_config::deploy::DEFAULT_DRAIN_TIMEOUT, |haproxy| haproxy.drain_timeout));
    let to = overrides.to.as_deref().unwrap_or("all");
    let ad_hoc_server = |name: &str| -> Result<Option<ServerClient>> {
        overrides.server.as_deref().map(|url| client(url, tls.as_ref())).transpose().map_err(in_context(name))
    };
    let single = |master: Master| Targets { masters: vec![master], haproxy: None, drain_timeout, lock_wait };
    if to.starts_with("ssh://") {
        let (mut ssh, code_dir) = SshTarget::parse_url(to)?;
        ssh.identity_file = overrides.ssh_identity.clone();
        ssh.known_hosts_file = overrides.ssh_known_hosts.clone();
        let master = Master { name: to.to_string(), code_dir: Box::new(SshCodeDir::new(ssh, code_dir)), server: ad_hoc_server(to)?, haproxy_server: None };
        return Ok(single(master));
    }
    let configured: Vec<_> = if to == "all" {
        if deploy.masters.is_empty() {
            return Err(DeployError::Usage(format!(
                "no deploy.masters in {}: configure the masters, or pass --to CODE_DIR or --to ssh://HOST/CODE_DIR",
                config.root.join(puppet_ci_config::FILE_NAME).display()
            )));
        }
        deploy.masters.iter().collect()
    } else if let Some(master) = deploy.master(to) {
        vec![master]
    } else if to.contains('/') || Path::new(to).is_dir() {
        let master = Master { name: to.to_string(), code_dir: Box::new(LocalCodeDir::new(to)), server: ad_hoc_server(to)?, haproxy_server: None };
        return Ok(single(master));
    } else {
        let names: Vec<_> = deploy.masters.iter().map(|master| master.name.as_str()).collect();
        let configured = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        return Err(DeployError::Usage(format!("--to {to}: no such master in deploy.masters (configured: {configured}), and not a folder")));
    };
    let mut masters = Vec::new();
    for master in configured {
        let code_dir: Box<dyn crate::CodeDir> = match &master.ssh {
            Some(ssh) => Box::new(SshCodeDir::new(
                SshTarget {
                    host: ssh.host.clone(),
                    port: ssh.port,
                    user: ssh.user.clone(),
                    identity_file: ssh.identity_file.as_ref().map(|path| relative_to(&config.root, path)),
                    known_hosts_file: ssh.known_hosts_file.as_ref().map(|path| relative_to(&config.root, path)),
                    options: ssh.options.clone(),
                },
                &master.code_dir,
            )),
            None => Box::new(LocalCodeDir::new(&master.code_dir)),
        };
        let server = match overrides.server.as_ref().or(master.server.as_ref()) {
            Some(url) => Some(client(url, tls.as_ref()).map_err(in_context(&master.name))?),
            None => None,
        };
        masters.push(Master { name: master.name.clone(), code_dir, server, haproxy_server: master.haproxy_server.clone() });
    }
    Ok(Targets { masters, haproxy, drain_timeout, lock_wait })
}

/// The facts a smoke-test catalog is compiled with: deploy.smoke.facts (JSON), else the
/// few facts every manifest may use.
pub fn smoke(config: &Config) -> Result<Smoke> {
    let deploy = config.deploy.clone().unwrap_or_default();
    let certname = deploy.smoke.certname.clone();
    let facts = match &deploy.smoke.facts {
        Some(path) => {
            let path = relative_to(&config.root, path);
            let text = std::fs::read_to_string(&path).map_err(DeployError::io(&path))?;
            let facts: serde_json::Value = serde_json::from_str(&text)
                .map_err(|err| DeployError::Usage(format!("{}:{}:{}: the smoke facts are not JSON: {err}", path.display(), err.line(), err.column())))?;
            if !facts.is_object() {
                return Err(DeployError::Usage(format!("{}: the smoke facts must be a JSON object of fact names to values", path.display())));
            }
            facts
        }
        None => {
            let hostname = certname.split('.').next().unwrap_or(&certname).to_string();
            serde_json::json!({ "clientcert": certname, "fqdn": certname, "hostname": hostname, "networking": { "fqdn": certname, "hostname": hostname } })
        }
    };
    Ok(Smoke { certname, facts })
}

/// Packages the control repo of `config` at `reference`: the artifact folder and Forge
/// cache from the arguments, else from `deploy:`.
pub fn package_control_repo(config: &Config, reference: &str, output: Option<PathBuf>, forge_cache: Option<PathBuf>) -> Result<Artifact> {
    let deploy = config.deploy.as_ref();
    let output_dir = output
        .or_else(|| deploy.and_then(|deploy| deploy.artifact_dir.as_ref()).map(|dir| config.root.join(dir)))
        .unwrap_or_else(|| config.root.join(".puppet-ci").join("artifacts"));
    let forge_cache = forge_cache.or_else(|| deploy.and_then(|deploy| deploy.forge_cache.as_ref()).map(|dir| config.root.join(dir)));
    let options = PackageOptions { root: config.root.clone(), reference: reference.to_string(), forge_cache, output_dir };
    crate::package(&options)
}

/// The environment a deploy goes to: the one named, else the branch's.
pub fn environment(config: &Config, environment: Option<&str>, branch: Option<&str>) -> Result<String> {
    if let Some(environment) = environment {
        return Ok(environment.to_string());
    }
    let Some(branch) = branch else {
        return Err(DeployError::Usage("say which environment to deploy to: --environment NAME, or --branch BRANCH".to_string()));
    };
    Ok(config.deploy.clone().unwrap_or_default().environment_for_branch(branch))
}

/// The branches of the control repo's git repository (local, and `origin/` ones without
/// the prefix), for pruning the environments of deleted branches.
pub fn branches(root: &Path) -> Result<Vec<String>> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes"])
        .output()
        .map_err(|err| DeployError::Command { command: "git for-each-ref".to_string(), message: err.to_string() })?;
    if !output.status.success() {
        return Err(DeployError::Git(format!("{}: cannot list branches: {}", root.display(), String::from_utf8_lossy(&output.stderr).trim())));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|branch| branch.strip_prefix("origin/").unwrap_or(branch).to_string())
        .filter(|branch| branch != "HEAD")
        .collect())
}

/// The cases of several masters' runs as one stage.
pub fn stage_from_runs(name: &str, runs: &[(String, DeployRun)], started: Instant) -> StageReport {
    let mut stage = StageReport::new(name);
    for (_, run) in runs {
        stage.cases.extend(run.cases.iter().cloned());
    }
    stage.duration = started.elapsed();
    stage
}

/// How runs ended, for an exit code: an error of the tool outranks a failure of the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
    Error,
}

pub fn verdict(runs: &[(String, DeployRun)], extra: &[Case]) -> Verdict {
    let error = runs.iter().any(|(_, run)| run.has_error()) || extra.iter().any(|case| matches!(case.outcome, Outcome::Error { .. }));
    let failed = runs.iter().any(|(_, run)| !run.passed()) || extra.iter().any(|case| case.outcome.is_failure());
    if error {
        Verdict::Error
    } else if failed {
        Verdict::Failed
    } else {
        Verdict::Passed
    }
}

/// Rolls `environment` back on every target: to `release`, else to the one live before.
pub fn rollback_targets(targets: &Targets, environment: &str, release: Option<&str>, smoke: Option<&Smoke>) -> Vec<(String, DeployRun)> {
    targets
        .masters
        .iter()
        .map(|master| (master.name.clone(), crate::rollback(master, environment, release, targets.lock_wait, smoke)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_come_from_the_name_or_the_branch() {
        let config = Config::defaults(Path::new("/repo"));
        assert_eq!(environment(&config, Some("staging"), Some("x")).unwrap(), "staging");
        assert_eq!(environment(&config, None, Some("feature/login-form")).unwrap(), "feature_login_form");
        assert!(environment(&config, None, None).unwrap_err().to_string().contains("--environment NAME"));
    }

    #[test]
    fn unknown_targets_say_what_is_configured() {
        let config = Config::defaults(Path::new("/repo"));
        let err = targets(&config, &TargetOverrides { to: Some("puppet9".into()), ..TargetOverrides::default() }).err().unwrap();
        assert_eq!(err.to_string(), "--to puppet9: no such master in deploy.masters (configured: none), and not a folder");
        let err = targets(&config, &TargetOverrides::default()).err().unwrap();
        assert!(err.to_string().starts_with("no deploy.masters in /repo/puppet-ci.yaml"), "{err}");
    }
}
