//! `puppet-ci deploy`: a release to an environment of one or more puppet masters,
//! atomically, checked before and smoke-tested after the switch.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use puppet_ci_config::Config;
use puppet_ci_deploy::deploy::{DeployRun, Smoke};
use puppet_ci_deploy::haproxy::AdminSocket;
use puppet_ci_deploy::{Artifact, DeployOptions, LocalCodeDir, Master, ServerClient, ServerTls, SshCodeDir, SshTarget};
use puppet_ci_report::{Case, Outcome, RunReport, StageReport};

use crate::output::ReportArgs;
use crate::GlobalArgs;

/// Where to deploy, and how to talk to the masters; shared with `rollback`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TargetArgs {
    /// A master named in deploy.masters, `all` (the default: every configured master, in
    /// turn, behind haproxy when configured), a local code dir, or
    /// ssh://[USER@]HOST[:PORT]/CODE_DIR.
    #[arg(long, value_name = "TARGET")]
    pub to: Option<String>,
    /// The puppetserver URL of a --to PATH or ssh:// target, for the flush and smoke test.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// The Puppet CA certificate (overrides deploy.tls.ca).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// The client certificate (overrides deploy.tls.cert).
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// The client certificate's key (overrides deploy.tls.key).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// The SSH private key for an ssh:// target.
    #[arg(long, value_name = "FILE")]
    pub ssh_identity: Option<PathBuf>,
    /// The known_hosts file for an ssh:// target (host keys are always checked).
    #[arg(long, value_name = "FILE")]
    pub ssh_known_hosts: Option<PathBuf>,
    /// Seconds to wait for another deploy's lock (overrides deploy.lock_timeout).
    #[arg(long, value_name = "SECONDS")]
    pub lock_timeout: Option<f64>,
}

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
    #[command(flatten)]
    pub report: ReportArgs,
}

/// The masters a command works on, and the load balancer in front of them.
pub(crate) struct Targets {
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

fn tls(config: &Config, args: &TargetArgs) -> Option<ServerTls> {
    let configured = config.deploy.as_ref().and_then(|deploy| deploy.tls.as_ref());
    let pick = |flag: &Option<PathBuf>, from_config: Option<&PathBuf>| flag.clone().or_else(|| from_config.map(|path| relative_to(&config.root, path)));
    Some(ServerTls {
        ca: pick(&args.ca, configured.map(|tls| &tls.ca))?,
        cert: pick(&args.cert, configured.map(|tls| &tls.cert))?,
        key: pick(&args.key, configured.map(|tls| &tls.key))?,
    })
}

fn client(url: &str, tls: Option<&ServerTls>) -> anyhow::Result<ServerClient> {
    let Some(tls) = tls else {
        bail!("the master {url} needs a client certificate: set deploy.tls (ca, cert, key) in puppet-ci.yaml, or pass --ca, --cert and --key");
    };
    Ok(ServerClient::new(url, tls, Duration::from_secs(60))?)
}

/// Parses `ssh://[USER@]HOST[:PORT]/PATH`.
fn parse_ssh_url(url: &str) -> anyhow::Result<(Option<String>, String, Option<u16>, PathBuf)> {
    let rest = url.strip_prefix("ssh://").context("not an ssh:// URL")?;
    let (authority, path) = rest.split_once('/').with_context(|| format!("{url}: the code dir path is missing (ssh://HOST/etc/puppetlabs/code)"))?;
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((user, host_port)) => (Some(user.to_string()), host_port),
        None => (None, authority),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) => (host.to_string(), Some(port.parse::<u16>().with_context(|| format!("{url}: '{port}' is not a port"))?)),
        None => (host_port.to_string(), None),
    };
    if host.is_empty() {
        bail!("{url}: the host is missing");
    }
    Ok((user, host, port, PathBuf::from(format!("/{path}"))))
}

pub(crate) fn targets(config: &Config, args: &TargetArgs) -> anyhow::Result<Targets> {
    let deploy = config.deploy.clone().unwrap_or_default();
    let tls = tls(config, args);
    let lock_wait = Duration::from_secs_f64(args.lock_timeout.unwrap_or(deploy.lock_timeout as f64).max(0.0));
    // `HOST:PORT` is haproxy's TCP admin socket; anything else a Unix socket path.
    let haproxy = deploy.haproxy.as_ref().map(|haproxy| {
        let tcp = haproxy.socket.to_str().is_some_and(|text| !text.contains('/') && text.contains(':'));
        AdminSocket::new(if tcp { haproxy.socket.clone() } else { relative_to(&config.root, &haproxy.socket) })
    });
    let drain_timeout = Duration::from_secs(deploy.haproxy.as_ref().map_or(puppet_ci_config::deploy::DEFAULT_DRAIN_TIMEOUT, |haproxy| haproxy.drain_timeout));
    let to = args.to.as_deref().unwrap_or("all");
    let ad_hoc_server = |name: &str| -> anyhow::Result<Option<ServerClient>> { args.server.as_deref().map(|url| client(url, tls.as_ref())).transpose().with_context(|| format!("master {name}")) };
    if to.starts_with("ssh://") {
        let (user, host, port, code_dir) = parse_ssh_url(to)?;
        let ssh = SshTarget { host, port, user, identity_file: args.ssh_identity.clone(), known_hosts_file: args.ssh_known_hosts.clone(), options: Vec::new() };
        let master = Master { name: to.to_string(), code_dir: Box::new(SshCodeDir::new(ssh, code_dir)), server: ad_hoc_server(to)?, haproxy_server: None };
        return Ok(Targets { masters: vec![master], haproxy: None, drain_timeout, lock_wait });
    }
    let configured: Vec<_> = if to == "all" {
        if deploy.masters.is_empty() {
            bail!("no deploy.masters in {}: configure the masters, or pass --to CODE_DIR or --to ssh://HOST/CODE_DIR", config.root.join(puppet_ci_config::FILE_NAME).display());
        }
        deploy.masters.iter().collect()
    } else if let Some(master) = deploy.master(to) {
        vec![master]
    } else if to.contains('/') || Path::new(to).is_dir() {
        let master = Master { name: to.to_string(), code_dir: Box::new(LocalCodeDir::new(to)), server: ad_hoc_server(to)?, haproxy_server: None };
        return Ok(Targets { masters: vec![master], haproxy: None, drain_timeout, lock_wait });
    } else {
        let names: Vec<_> = deploy.masters.iter().map(|master| master.name.as_str()).collect();
        bail!("--to {to}: no such master in deploy.masters (configured: {}), and not a folder", if names.is_empty() { "none".to_string() } else { names.join(", ") });
    };
    let mut masters = Vec::new();
    for master in configured {
        let code_dir: Box<dyn puppet_ci_deploy::CodeDir> = match &master.ssh {
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
        let server = match args.server.as_ref().or(master.server.as_ref()) {
            Some(url) => Some(client(url, tls.as_ref()).with_context(|| format!("master {}", master.name))?),
            None => None,
        };
        masters.push(Master { name: master.name.clone(), code_dir, server, haproxy_server: master.haproxy_server.clone() });
    }
    Ok(Targets { masters, haproxy, drain_timeout, lock_wait })
}

/// The facts a smoke-test catalog is compiled with: deploy.smoke.facts (JSON), else the
/// few facts every manifest may use.
pub(crate) fn smoke(config: &Config) -> anyhow::Result<Smoke> {
    let deploy = config.deploy.clone().unwrap_or_default();
    let certname = deploy.smoke.certname.clone();
    let facts = match &deploy.smoke.facts {
        Some(path) => {
            let path = relative_to(&config.root, path);
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read the smoke facts {}", path.display()))?;
            let facts: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
            if !facts.is_object() {
                bail!("{}: the smoke facts must be a JSON object of fact names to values", path.display());
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

/// The static check of an unpacked release: puppet-ci's validate stage on the release's
/// own configuration, then the --check-command if there is one.
pub(crate) fn release_check(check_command: Option<String>) -> impl Fn(&Path) -> Result<(), String> {
    move |tree: &Path| {
        let config = Config::load(tree).map_err(|err| err.to_string())?;
        let report = super::validate::stage(&config).map_err(|err| format!("{err:#}"))?;
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

/// The environment a deploy goes to.
fn environment(config: &Config, args: &Args) -> anyhow::Result<String> {
    if let Some(environment) = &args.environment {
        return Ok(environment.clone());
    }
    let Some(branch) = &args.branch else {
        bail!("say which environment to deploy to: --environment NAME, or --branch BRANCH");
    };
    let deploy = config.deploy.clone().unwrap_or_default();
    Ok(deploy.environment_for_branch(branch))
}

pub(crate) fn stage_from_runs(name: &str, runs: &[(String, DeployRun)], started: Instant) -> StageReport {
    let mut stage = StageReport::new(name);
    for (_, run) in runs {
        stage.cases.extend(run.cases.iter().cloned());
    }
    stage.duration = started.elapsed();
    stage
}

pub(crate) fn exit_code(runs: &[(String, DeployRun)], extra: &[Case]) -> u8 {
    let error = runs.iter().any(|(_, run)| run.has_error()) || extra.iter().any(|case| matches!(case.outcome, Outcome::Error { .. }));
    let failed = runs.iter().any(|(_, run)| !run.passed()) || extra.iter().any(|case| case.outcome.is_failure());
    if error {
        crate::exit::ERROR
    } else if failed {
        crate::exit::FINDINGS
    } else {
        crate::exit::OK
    }
}

/// Deploys `artifact` to every target: in turn behind haproxy, or one by one.
fn deploy_to(artifact: &Artifact, targets: &Targets, options: &DeployOptions, check: &dyn Fn(&Path) -> Result<(), String>) -> Vec<(String, DeployRun)> {
    puppet_ci_deploy::cycle(artifact, &targets.masters, targets.haproxy.as_ref(), targets.drain_timeout, options, check)
}

fn branches(config: &Config) -> anyhow::Result<Vec<String>> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(&config.root)
        .args(["for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes"])
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!("{}: cannot list branches: {}", config.root.display(), String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|branch| branch.split_once('/').filter(|_| branch.starts_with("origin/")).map_or(branch, |(_, name)| name).to_string())
        .filter(|branch| branch != "HEAD")
        .collect())
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let config = crate::output::load_config(global)?;
    let environment = environment(&config, &args)?;
    let artifact = match &args.artifact {
        Some(path) => Artifact::open(path)?,
        None => {
            let reference = args.reference.clone().or_else(|| args.branch.clone()).unwrap_or_else(|| "HEAD".to_string());
            super::package::build(&config, &reference, None, None)?
        }
    };
    let targets = targets(&config, &args.target)?;
    let deploy = config.deploy.clone().unwrap_or_default();
    let options = DeployOptions {
        environment: environment.clone(),
        keep_releases: args.keep.unwrap_or(deploy.keep_releases),
        lock_wait: targets.lock_wait,
        smoke: smoke(&config)?,
    };
    let check = release_check(args.check_command.clone());
    let runs = deploy_to(&artifact, &targets, &options, &check);
    let mut stage = stage_from_runs("deploy", &runs, started);
    let mut extra = Vec::new();
    if args.prune {
        let keep: Vec<String> = branches(&config)?.iter().map(|branch| deploy.environment_for_branch(branch)).collect();
        for master in &targets.masters {
            match puppet_ci_deploy::prune_environments(master.code_dir.as_ref(), &keep, targets.lock_wait) {
                Ok(cases) => extra.extend(cases),
                Err(err) => extra.push(Case::new(&master.name, "prune environments", Outcome::error(err.to_string()))),
            }
        }
        stage.cases.extend(extra.iter().cloned());
    }
    args.report.emit(&RunReport { stages: vec![stage] })?;
    for (name, run) in &runs {
        let live = run.live.as_deref().unwrap_or("(none)");
        let previous = run.previous.as_deref().unwrap_or("(none)");
        if run.passed() {
            eprintln!("deploy: {name}: environment {environment} is on release {live} (was {previous}), {:.2} s", run.duration.as_secs_f64());
        } else {
            eprintln!("deploy: {name}: FAILED: {}; environment {environment} is on release {live}", run.failure().unwrap_or("skipped"));
        }
    }
    Ok(exit_code(&runs, &extra))
}

/// The deploy stage of `puppet-ci all --deploy`: packages `branch` and deploys it to its
/// environment on every configured master.
pub fn stage(config: &Config, branch: &str) -> anyhow::Result<StageReport> {
    let started = Instant::now();
    let deploy = config.deploy.clone().unwrap_or_default();
    let artifact = super::package::build(config, branch, None, None)?;
    let targets = targets(config, &TargetArgs::default())?;
    let options = DeployOptions {
        environment: deploy.environment_for_branch(branch),
        keep_releases: deploy.keep_releases,
        lock_wait: targets.lock_wait,
        smoke: smoke(config)?,
    };
    let check = release_check(None);
    let runs = deploy_to(&artifact, &targets, &options, &check);
    Ok(stage_from_runs("deploy", &runs, started))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_urls() {
        let (user, host, port, path) = parse_ssh_url("ssh://deploy@127.0.0.1:2222/etc/puppetlabs/code").unwrap();
        assert_eq!((user.as_deref(), host.as_str(), port, path), (Some("deploy"), "127.0.0.1", Some(2222), PathBuf::from("/etc/puppetlabs/code")));
        let (user, host, port, _) = parse_ssh_url("ssh://puppet1/srv/code").unwrap();
        assert_eq!((user, host.as_str(), port), (None, "puppet1", None));
        assert!(parse_ssh_url("ssh://host").is_err());
        assert!(parse_ssh_url("ssh://host:x/y").is_err());
    }
}
