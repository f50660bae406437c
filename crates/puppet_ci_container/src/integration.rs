//! The `integration` stage: the nodes of `integration:` on one network, applied in
//! dependency order, then checks run from one node against another.

use std::collections::HashMap;
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
    })?;
    report.duration = started.elapsed();
    Ok(report)
}

/// Orders the nodes in waves (each wave's nodes depend only on nodes of earlier waves, so
/// a wave's nodes are applied together). Loading the configuration has checked the
/// topology; a configuration built by hand is checked here again, before any container.
pub(crate) fn plan(config: &Config, integration: &Integration) -> Result<Vec<Vec<String>>, ContainerError> {
    let error = |message: String| ContainerError::Config(format!("integration: {message}"));
    if let Some(node) = integration.nodes.iter().find(|node| config.role(&node.role).is_none()) {
        return Err(error(format!("node {} has role {}, which is not under `roles:`", node.name, node.role)));
    }
    integration.waves().map_err(|cycle| error(format!("the `after:` of nodes {} form a cycle", cycle.join(", "))))
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
    ensure_images(run, integration.nodes.iter().map(|node| role_of(&node.name)).map(|role| ImageSpec::for_role(role).with_variant(options.image_variant.as_deref())), options)
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
                Applied::Ready { container, cases: node_cases, .. } => {
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
    fn a_configuration_built_by_hand_is_checked_before_any_container() {
        let mut config = config(&format!("{ROLES}integration:\n  nodes:\n    - {{name: a, role: role::web, after: [b]}}\n    - {{name: b, role: role::db}}\n"));
        let integration = config.integration.as_mut().unwrap();
        integration.nodes[1].after = vec!["a".into()];
        let integration = config.integration.clone().unwrap();
        let err = plan(&config, &integration).unwrap_err().to_string();
        assert!(err.contains("the `after:` of nodes a, b form a cycle"), "{err}");
        config.roles.clear();
        let err = plan(&config, &integration).unwrap_err().to_string();
        assert!(err.contains("node a has role role::web, which is not under `roles:`"), "{err}");
    }
}
