//! The `integration` stage: the nodes of `integration:` on one network, applied in
//! dependency order, then checks run from one node against another.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use puppet_ci_config::integration::Integration;
use puppet_ci_config::Config;
use puppet_ci_report::{Case, Outcome, StageReport};

use crate::checks::{node_probe, run_probe};
use crate::dynamic::{ensure_images, start_and_apply, verdict_word, Applied, Node};
use crate::image::ImageSpec;
use crate::run::{with_cleanup, Run};
use crate::{engine, ContainerError, StageOptions};

/// Runs the `integration` stage of `config`.
pub fn run_integration(config: &Config, options: &StageOptions) -> Result<StageReport, ContainerError> {
    let started = Instant::now();
    let Some(integration) = &config.integration else {
        return Ok(StageReport::skipped("integration", "no `integration:` in puppet-ci.yaml"));
    };
    let waves = plan(config, integration)?;
    let mut report = crate::block_on(async {
        let docker = engine::connect().await?;
        let run = Run::new(docker);
        (options.progress)(&format!("integration: run {} ({} nodes)", run.id, integration.nodes.len()));
        let cases = with_cleanup(&run, options.keep, topology(&run, config, integration, &waves, options)).await?;
        if options.keep {
            (options.progress)(&format!("kept containers: {}", run.container_names().join(", ")));
        }
        Ok::<_, ContainerError>(StageReport { cases, ..StageReport::new("integration") })
    })??;
    report.duration = started.elapsed();
    Ok(report)
}

/// Checks the topology and orders its nodes in waves: each wave's nodes depend only on
/// nodes of earlier waves, so a wave's nodes are applied together.
pub(crate) fn plan(config: &Config, integration: &Integration) -> Result<Vec<Vec<String>>, ContainerError> {
    let error = |message: String| ContainerError::Config(format!("integration: {message}"));
    let mut after: BTreeMap<&str, &[String]> = BTreeMap::new();
    for node in &integration.nodes {
        if config.role(&node.role).is_none() {
            return Err(error(format!("node {} has role {}, which is not under `roles:`", node.name, node.role)));
        }
        if !node.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || node.name.is_empty() {
            return Err(error(format!("node name {:?} is not a host name (letters, digits, '-')", node.name)));
        }
        if after.insert(&node.name, &node.after).is_some() {
            return Err(error(format!("node {} is defined twice", node.name)));
        }
    }
    for node in &integration.nodes {
        if let Some(unknown) = node.after.iter().find(|name| !after.contains_key(name.as_str())) {
            return Err(error(format!("node {} comes after {unknown}, which is not a node", node.name)));
        }
    }
    for check in &integration.checks {
        if !after.contains_key(check.from()) {
            return Err(error(format!("a check runs from {}, which is not a node", check.from())));
        }
    }
    let mut placed: HashMap<String, usize> = HashMap::new();
    let mut waves: Vec<Vec<String>> = Vec::new();
    while placed.len() < after.len() {
        let ready: Vec<String> = after
            .iter()
            .filter(|(name, _)| !placed.contains_key(**name))
            .filter(|(_, deps)| deps.iter().all(|dep| placed.contains_key(dep)))
            .map(|(name, _)| name.to_string())
            .collect();
        if ready.is_empty() {
            let left: Vec<&str> = after.keys().copied().filter(|name| !placed.contains_key(*name)).collect();
            return Err(error(format!("the `after:` of nodes {} form a cycle", left.join(", "))));
        }
        for name in &ready {
            placed.insert(name.clone(), waves.len());
        }
        waves.push(ready);
    }
    Ok(waves)
}

async fn topology(
    run: &Run,
    config: &Config,
    integration: &Integration,
    waves: &[Vec<String>],
    options: &StageOptions,
) -> Result<Vec<Case>, ContainerError> {
    let role_of = |name: &str| {
        let node = integration.nodes.iter().find(|node| node.name == name).expect("planned nodes exist");
        config.role(&node.role).expect("planned roles exist")
    };
    ensure_images(run, integration.nodes.iter().map(|node| role_of(&node.name)).map(|role| ImageSpec::new(&role.suite, &role.packages)), options)
        .await?;
    let network = run.create_network("net").await?;
    (options.progress)(&format!("integration: network {network}"));
    let mut cases = Vec::new();
    let mut containers: HashMap<String, String> = HashMap::new();
    let mut broken: Vec<String> = Vec::new();
    for wave in waves {
        let starts = wave.iter().map(|name| {
            let node = Node {
                role: role_of(name),
                group: format!("node {name} ({})", role_of(name).name),
                container_name: name.clone(),
                hostname: name.clone(),
                network: Some(network.clone()),
            };
            async move { (name.clone(), start_and_apply(run, config, &node, false, options).await) }
        });
        for (name, applied) in futures_util::future::join_all(starts).await {
            match applied? {
                Applied::Ready { container, cases: node_cases } => {
                    cases.extend(node_cases);
                    containers.insert(name, container);
                }
                Applied::Broken { cases: node_cases } => {
                    cases.extend(node_cases);
                    broken.push(name);
                }
            }
        }
    }
    let timeout = options.check_timeout.unwrap_or(Duration::from_secs(integration.check_timeout));
    let runs = integration.checks.iter().map(|check| {
        let containers = &containers;
        async move {
            let probe = match node_probe(check) {
                Ok(probe) => probe,
                Err(message) => return Ok(Case::new("checks", "check", Outcome::error(format!("puppet-ci.yaml: {message}")))),
            };
            let Some(container) = containers.get(check.from()) else {
                return Ok(Case::new("checks", &probe.description, Outcome::skipped(format!("node {} did not start", check.from()))));
            };
            let case = run_probe(run, container, "checks", &probe, timeout).await?;
            (options.progress)(&format!("integration: {}: {}", probe.description, verdict_word(&case.outcome)));
            Ok::<_, ContainerError>(case)
        }
    });
    for case in futures_util::future::join_all(runs).await {
        cases.push(case?);
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(yaml: &str) -> Config {
        Config::parse(yaml, std::path::Path::new("/r/puppet-ci.yaml"), std::path::Path::new("/r")).unwrap()
    }

    const ROLES: &str = "roles:\n  - name: role::web\n  - name: role::db\n";

    #[test]
    fn waves_follow_after() {
        let config = config(&format!(
            "{ROLES}integration:\n  nodes:\n    - {{name: web, role: role::web, after: [db]}}\n    - {{name: db, role: role::db}}\n    - {{name: web2, role: role::web, after: [db]}}\n"
        ));
        let waves = plan(&config, config.integration.as_ref().unwrap()).unwrap();
        assert_eq!(waves, vec![vec!["db".to_string()], vec!["web".to_string(), "web2".to_string()]]);
    }

    #[test]
    fn cycles_unknown_roles_and_nodes_are_errors() {
        let cases = [
            ("nodes:\n    - {name: a, role: role::web, after: [b]}\n    - {name: b, role: role::db, after: [a]}\n", "form a cycle"),
            ("nodes:\n    - {name: a, role: role::mail}\n", "role::mail, which is not under `roles:`"),
            ("nodes:\n    - {name: a, role: role::web, after: [z]}\n", "after z, which is not a node"),
            ("nodes:\n    - {name: a, role: role::web}\n  checks:\n    - tcp: {from: q, host: a, port: 1}\n", "runs from q"),
        ];
        for (yaml, expected) in cases {
            let config = config(&format!("{ROLES}integration:\n  {yaml}"));
            let err = plan(&config, config.integration.as_ref().unwrap()).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }
}
