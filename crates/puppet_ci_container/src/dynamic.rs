//! The `dynamic` stage: each role applied in a container of its own, applied again to
//! prove nothing changes the second time, then its checks run in that container.

use std::collections::BTreeSet;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use puppet_ci_config::dynamic::Role;
use puppet_ci_config::Config;
use puppet_ci_report::{Case, Outcome, StageReport};
use regex::Regex;

use crate::checks::{quote, role_probe, run_probe};
use crate::exec::exec;
use crate::image::{ensure_image, ImageSpec};
use crate::run::{with_cleanup, ContainerSpec, Run};
use crate::upload::{upload_control_repo, ENVIRONMENT_DIR};
use crate::{engine, ContainerError, InstalledPackage, RoleObservation, StageOptions};

/// Runs the `dynamic` stage for the roles of `config` (all when `only` is empty).
pub fn run_dynamic(config: &Config, only: &[String], options: &StageOptions) -> Result<StageReport, ContainerError> {
    let started = Instant::now();
    for name in only {
        if config.role(name).is_none() {
            return Err(ContainerError::Config(format!("no role {name} under `roles:`")));
        }
    }
    let roles: Vec<&Role> = config.roles.iter().filter(|role| only.is_empty() || only.contains(&role.name)).collect();
    if roles.is_empty() {
        return Ok(StageReport::skipped("dynamic", "no roles under `roles:` in puppet-ci.yaml"));
    }
    let mut report = crate::block_on(async {
        let docker = engine::connect().await?;
        let run = Run::new(docker);
        (options.progress)(&format!("dynamic: run {} ({} roles)", run.id, roles.len()));
        let cases = with_cleanup(&run, options.keep, async {
            ensure_images(&run, roles.iter().map(|role| ImageSpec::for_role(role).with_variant(options.image_variant.as_deref())), options).await?;
            let role_runs = roles.iter().map(|role| test_role(&run, config, role, options));
            let mut cases = Vec::new();
            for result in futures_util::future::join_all(role_runs).await {
                cases.extend(result?);
            }
            Ok(cases)
        })
        .await?;
        if options.keep {
            (options.progress)(&format!("kept containers: {}", run.container_names().join(", ")));
        }
        Ok::<_, ContainerError>(StageReport { cases, ..StageReport::new("dynamic") })
    })?;
    report.duration = started.elapsed();
    Ok(report)
}

/// Makes sure each distinct image exists, one after the other (builds share 2 cores).
pub(crate) async fn ensure_images(
    run: &Run,
    specs: impl Iterator<Item = ImageSpec>,
    options: &StageOptions,
) -> Result<(), ContainerError> {
    let distinct: BTreeSet<ImageSpec> = specs.collect();
    for spec in &distinct {
        ensure_image(&run.docker, spec, options.rebuild_images, &options.progress).await?;
    }
    Ok(())
}

async fn test_role(run: &Run, config: &Config, role: &Role, options: &StageOptions) -> Result<Vec<Case>, ContainerError> {
    let group = role.name.clone();
    let hostname = role.name.replace("::", "-").replace('_', "-");
    let node = Node { role, group: group.clone(), container_name: hostname.clone(), hostname, network: None };
    let started = Instant::now();
    let (container, mut cases, record) = match start_and_apply(run, config, &node, true, options).await? {
        Applied::Ready { container, cases, record } => (container, cases, record),
        Applied::Broken { cases } => return Ok(cases),
    };
    let timeout = options.check_timeout.unwrap_or(Duration::from_secs(role.check_timeout));
    // Checks only look, so they run at once; each is retried until its timeout.
    let checks = role.checks.iter().map(|check| {
        let (group, container) = (&group, &container);
        async move {
            let probe = match role_probe(check) {
                Ok(probe) => probe,
                Err(message) => return Ok(Case::new(group, "check", Outcome::error(format!("puppet-ci.yaml: {message}")))),
            };
            let case = run_probe(run, container, group, &probe, timeout).await?;
            (options.progress)(&format!("{group}: {}: {}", probe.description, verdict_word(&case.outcome)));
            Ok::<_, ContainerError>(case)
        }
    });
    for case in futures_util::future::join_all(checks).await {
        cases.push(case?);
    }
    if let Some(observer) = &options.observer {
        let packages = installed_packages(run, &container).await?;
        observer(RoleObservation {
            role: role.name.clone(),
            image: ImageSpec::for_role(role).with_variant(options.image_variant.as_deref()).tag(),
            packages,
            first_apply_changes: record.first_changes,
            second_apply_changes: record.second_changes,
            first_apply: record.first_duration,
            total: started.elapsed(),
        });
    }
    Ok(cases)
}

/// The packages installed in a container, with the repository apt took each from.
async fn installed_packages(run: &Run, container: &str) -> Result<Vec<InstalledPackage>, ContainerError> {
    let listing = exec(run, container, &["dpkg-query", "-W", "-f=${Package}\t${Version}\t${Architecture}\n"], &[], Duration::from_secs(60)).await?;
    let mut packages: Vec<InstalledPackage> = listing
        .output
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some(InstalledPackage { name: fields.next()?.to_string(), version: fields.next()?.to_string(), architecture: fields.next()?.to_string(), source: String::new() })
        })
        .collect();
    let mut argv = vec!["apt-cache", "policy"];
    argv.extend(packages.iter().map(|package| package.name.as_str()));
    let policy = exec(run, container, &argv, &[], Duration::from_secs(120)).await?;
    let sources = installed_sources(&policy.output);
    for package in &mut packages {
        if let Some(source) = sources.get(&package.name) {
            package.source.clone_from(source);
        }
    }
    packages.sort();
    Ok(packages)
}

/// The repository of each package's installed version, from `apt-cache policy` (the line
/// after `*** VERSION` that is not dpkg's own status file).
pub(crate) fn installed_sources(policy: &str) -> std::collections::HashMap<String, String> {
    let mut sources = std::collections::HashMap::new();
    let mut package: Option<String> = None;
    let mut in_installed = false;
    for line in policy.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            package = Some(line.trim_end_matches(':').to_string());
            in_installed = false;
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("*** ") {
            in_installed = true;
            continue;
        }
        if in_installed {
            // `500 http://deb.debian.org/debian bookworm/main amd64 Packages`
            let mut words = trimmed.split_whitespace();
            let priority_is_number = words.next().is_some_and(|word| word.parse::<i32>().is_ok());
            let rest: Vec<&str> = words.collect();
            if !priority_is_number {
                in_installed = false;
                continue;
            }
            if rest.first().is_some_and(|uri| uri.starts_with('/')) {
                continue;
            }
            if let Some(name) = &package {
                let source = rest.iter().take(2).copied().collect::<Vec<_>>().join(" ");
                sources.entry(name.clone()).or_insert(source);
            }
        }
    }
    sources
}

pub(crate) fn verdict_word(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "ok",
        Outcome::Failed { .. } => "FAILED",
        Outcome::Error { .. } => "ERROR",
        Outcome::Skipped { .. } => "skipped",
    }
}

/// A container to start for a role: alone (`dynamic`) or on a network (`integration`).
pub(crate) struct Node<'a> {
    pub role: &'a Role,
    /// The report group of its cases.
    pub group: String,
    pub container_name: String,
    pub hostname: String,
    pub network: Option<String>,
}

pub(crate) enum Applied {
    /// The container runs (the apply may have failed: its checks still tell what is wrong).
    Ready { container: String, cases: Vec<Case>, record: ApplyRecord },
    /// The container died or could not start: nothing more can run in it.
    Broken { cases: Vec<Case> },
}

/// Starts the node's container, copies the control repo in, applies the role, and (when
/// `twice`) applies it again to prove the second run changes nothing.
pub(crate) async fn start_and_apply(
    run: &Run,
    config: &Config,
    node: &Node<'_>,
    twice: bool,
    options: &StageOptions,
) -> Result<Applied, ContainerError> {
    let group = &node.group;
    let progress = &options.progress;
    let image = ImageSpec::for_role(node.role).with_variant(options.image_variant.as_deref()).tag();
    let spec = ContainerSpec {
        image: &image,
        name: &node.container_name,
        hostname: &node.hostname,
        network: node.network.as_deref(),
        labels: vec![("puppet-ci.role".into(), node.role.name.clone())],
    };
    let container = run.start_container(spec).await?;
    upload_control_repo(run, &container, &config.root).await?;
    progress(&format!("{group}: container {container} started from {image}"));
    let mut cases = Vec::new();
    let first = apply(run, config, node, &container, options).await?;
    progress(&format!("{group}: first apply: {}", first.summary));
    let first_ok = first.outcome == Outcome::Passed;
    let dead = first.container_stopped;
    let mut record = ApplyRecord { first_changes: changed_resources(&first.output), second_changes: Vec::new(), first_duration: first.duration };
    cases.push(first.into_case(group, "first apply succeeds (exit 0 or 2)"));
    if dead {
        return Ok(Applied::Broken { cases });
    }
    if twice {
        if !first_ok {
            cases.push(Case::new(group, "second apply changes nothing", Outcome::skipped("the first apply failed")));
        } else {
            let mut second = apply(run, config, node, &container, options).await?;
            progress(&format!("{group}: second apply: {}", second.summary));
            record.second_changes = changed_resources(&second.output);
            if second.exit_code == Some(2) {
                let changed = changed_resources(&second.output);
                second.outcome = Outcome::failed(format!(
                    "expected the second apply to change nothing (exit 0), saw exit 2: {} changed: {}",
                    changed.len(),
                    changed.join(", ")
                ));
            }
            let dead = second.container_stopped;
            cases.push(second.into_case(group, "second apply changes nothing"));
            if dead {
                return Ok(Applied::Broken { cases });
            }
        }
    }
    Ok(Applied::Ready { container, cases, record })
}

/// What the applies changed, and how long the first took.
#[derive(Debug, Clone, Default)]
pub(crate) struct ApplyRecord {
    pub first_changes: Vec<String>,
    pub second_changes: Vec<String>,
    pub first_duration: Duration,
}

struct ApplyResult {
    outcome: Outcome,
    exit_code: Option<i64>,
    output: String,
    duration: Duration,
    summary: String,
    container_stopped: bool,
}

impl ApplyResult {
    fn into_case(self, group: &str, name: &str) -> Case {
        Case::new(group, name, self.outcome).with_duration(self.duration).with_output(self.output)
    }
}

/// The `puppet apply` command line for a role.
pub(crate) fn apply_command(config: &Config, role: &Role) -> Vec<String> {
    let modulepath: Vec<String> =
        config.modulepath.iter().map(|dir| format!("{ENVIRONMENT_DIR}/{}", dir.display())).collect();
    vec![
        "puppet".into(),
        "apply".into(),
        "--detailed-exitcodes".into(),
        "--color=false".into(),
        "--environment=production".into(),
        format!("--modulepath={}", modulepath.join(":")),
        format!("--hiera_config={ENVIRONMENT_DIR}/{}", config.hiera_config.display()),
        "-e".into(),
        format!("include {}", role.name),
    ]
}

async fn apply(run: &Run, config: &Config, node: &Node<'_>, container: &str, options: &StageOptions) -> Result<ApplyResult, ContainerError> {
    let argv = apply_command(config, node.role);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let env: Vec<String> = node.role.facts.iter().map(|(name, value)| format!("FACTER_{name}={value}")).collect();
    let result = exec(run, container, &argv, &env, options.apply_timeout).await?;
    let seconds = result.duration.as_secs_f64();
    if let Some(reason) = stopped_after(run, container, result.exit_code).await {
        return Ok(ApplyResult {
            outcome: Outcome::error(format!("{reason} during `puppet apply`")),
            exit_code: result.exit_code,
            summary: format!("{reason} after {seconds:.1}s"),
            output: result.output,
            duration: result.duration,
            container_stopped: true,
        });
    }
    let (outcome, summary) = match result.exit_code {
        _ if result.timed_out => (
            Outcome::failed(format!("`puppet apply` did not finish in {}s; it was stopped (its whole process tree) before anything else ran", options.apply_timeout.as_secs())),
            format!("timed out after {seconds:.0}s, stopped"),
        ),
        Some(code @ (0 | 2)) => (Outcome::Passed, format!("exit {code} in {seconds:.1}s")),
        Some(code) => {
            let errors = error_lines(&result.output);
            let meaning = match code {
                1 => "the run failed",
                4 => "some resources failed",
                6 => "changes, and some resources failed",
                _ => "unexpected exit code",
            };
            (
                Outcome::failed(format!("`puppet apply` exited {code} ({meaning}): {}", errors.join(" | "))),
                format!("exit {code} in {seconds:.1}s"),
            )
        }
        None => (Outcome::error("`puppet apply` ended without an exit code"), "no exit code".into()),
    };
    let summary = format!("{} ({})", summary, quote(&format!("include {}", node.role.name)));
    Ok(ApplyResult { outcome, exit_code: result.exit_code, output: result.output, duration: result.duration, summary, container_stopped: false })
}

/// Why the container stopped, when it did. An exec killed with its container can end a
/// moment before the engine reports the container stopped, so an exit code Puppet never
/// gives (137 is SIGKILL) is worth a few more looks.
async fn stopped_after(run: &Run, container: &str, exit_code: Option<i64>) -> Option<String> {
    let looks = if matches!(exit_code, Some(0 | 1 | 2 | 4 | 6)) { 1 } else { 25 };
    for look in 0..looks {
        if look > 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if let Some(reason) = run.stopped_reason(container).await {
            return Some(reason);
        }
    }
    None
}

/// The `Error:` lines of a Puppet log, at most eight.
fn error_lines(log: &str) -> Vec<String> {
    let errors: Vec<String> = log.lines().filter(|line| line.starts_with("Error:")).map(|line| line.trim().to_string()).collect();
    if errors.is_empty() {
        return log.lines().rev().take(3).map(String::from).collect::<Vec<_>>().into_iter().rev().collect();
    }
    errors.into_iter().take(8).collect()
}

/// The resources a Puppet log says changed (`Service[apache2]`), each once, in order.
pub(crate) fn changed_resources(log: &str) -> Vec<String> {
    static RESOURCE: OnceLock<Regex> = OnceLock::new();
    let resource = RESOURCE.get_or_init(|| {
        Regex::new(r"^Notice: /Stage\[[^\]]*\]/(?:.*/)?([A-Z][\w:]*\[.+?\])(?:/[a-z_]+)?: ").expect("valid regex")
    });
    let mut seen = Vec::new();
    for line in log.lines() {
        if let Some(captures) = resource.captures(line) {
            let name = captures[1].to_string();
            if !seen.contains(&name) {
                seen.push(name);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_resources_from_a_puppet_log() {
        let log = "Notice: Compiled catalog for web in environment production in 0.05 seconds\n\
Notice: /Stage[main]/Profile::Web/Exec[reload]/returns: executed successfully\n\
Notice: /Stage[main]/Profile::Web/File[/etc/apache2/sites-available/web.conf]/content: content changed '{sha256}a' to '{sha256}b'\n\
Notice: /Stage[main]/Profile::Web/Service[apache2]: Triggered 'refresh' from 1 event\n\
Notice: /Stage[main]/Profile::Web/Exec[reload]/returns: executed successfully\n\
Notice: Applied catalog in 1.20 seconds\n";
        assert_eq!(
            changed_resources(log),
            vec!["Exec[reload]", "File[/etc/apache2/sites-available/web.conf]", "Service[apache2]"]
        );
    }

    #[test]
    fn installed_sources_from_apt_cache_policy() {
        let policy = "apache2:\n  Installed: 2.4.62-1~deb12u2\n  Candidate: 2.4.62-1~deb12u2\n  Version table:\n *** 2.4.62-1~deb12u2 500\n        500 http://deb.debian.org/debian bookworm/main amd64 Packages\n        100 /var/lib/dpkg/status\n     2.4.61-1 500\n        500 http://old bookworm/main amd64 Packages\nlocal-only:\n  Installed: 1.0\n  Candidate: 1.0\n  Version table:\n *** 1.0 100\n        100 /var/lib/dpkg/status\n";
        let sources = installed_sources(policy);
        assert_eq!(sources.get("apache2").map(String::as_str), Some("http://deb.debian.org/debian bookworm/main"));
        assert_eq!(sources.get("local-only"), None);
    }

    #[test]
    fn apply_command_uses_the_config_paths() {
        let config = Config::defaults(std::path::Path::new("/repo"));
        let role: Role = serde_yaml::from_str("name: role::web").unwrap();
        let command = apply_command(&config, &role).join(" ");
        assert!(command.contains("--modulepath=/etc/puppet/code/environments/production/site:/etc/puppet/code/environments/production/modules"), "{command}");
        assert!(command.ends_with("-e include role::web"), "{command}");
    }
}
