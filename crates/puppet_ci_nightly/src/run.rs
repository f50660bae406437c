//! One night: rebuild every base image from today's repositories (into `night` images),
//! run the dynamic and integration stages in them, record what was seen, measure drift
//! against the last good night, and make tonight's images the cached ones only when the
//! night is green.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use puppet_ci_config::Config;
use puppet_ci_container::{ContainerError, ImageSpec, RoleObservation, StageOptions};
use puppet_ci_report::{Outcome, StageReport};

use crate::drift::{drift, Drift, DriftOptions};
use crate::history::History;
use crate::night::{Check, Night, Package, RebuildFailure, RoleNight};
use crate::NightlyError;

/// The tag variant of tonight's images.
pub const VARIANT: &str = "night";

/// How a night runs.
pub struct NightOptions {
    pub history: PathBuf,
    /// When the night started, `YYYY-MM-DDTHH:MM:SSZ`.
    pub started: String,
    /// The container stages' options (timeouts, progress); images and observer are set here.
    pub container: StageOptions,
}

/// What a night did.
pub struct NightOutcome {
    pub night: Night,
    pub drift: Vec<Drift>,
    /// The last good night the drift is measured against.
    pub compared_with: Option<String>,
    /// The nights before this one, oldest first (for the HTML report's history).
    pub earlier: Vec<Night>,
    pub exit_code: u8,
    /// The images made the cached ones (green), or removed (red).
    pub images: Vec<String>,
}

/// Runs one night. An interrupted night (a signal, the engine going away) records nothing
/// and removes tonight's images: the cached images and the history stay as they were.
pub fn run_night(config: &Config, options: NightOptions) -> Result<NightOutcome, NightlyError> {
    let started = Instant::now();
    let history = History::new(&options.history);
    let earlier = history.nights()?;
    let progress = options.container.progress.clone();

    // Tonight's images, one per distinct spec, and the roles each serves.
    let mut images: BTreeMap<ImageSpec, Vec<String>> = BTreeMap::new();
    for role in &config.roles {
        images.entry(ImageSpec::for_role(role).with_variant(Some(VARIANT))).or_default().push(role.name.clone());
    }
    let specs: Vec<ImageSpec> = images.keys().cloned().collect();
    let mut rebuild_failures = Vec::new();
    let mut built_roles: Vec<String> = Vec::new();
    for (spec, roles) in &images {
        progress(&format!("nightly: rebuilding {} from today's repositories (roles: {})", spec.base_tag(), roles.join(", ")));
        match puppet_ci_container::build_images(std::slice::from_ref(spec), true, progress.clone()) {
            Ok(_) => built_roles.extend(roles.iter().cloned()),
            Err(err @ ContainerError::Interrupted { .. }) => return Err(abandon(&specs, err)),
            Err(ContainerError::EngineUnreachable { host, message }) => return Err(abandon(&specs, ContainerError::EngineUnreachable { host, message })),
            Err(err) => rebuild_failures.push(RebuildFailure { image: spec.base_tag(), roles: roles.clone(), message: rebuild_message(&err.to_string(), roles) }),
        }
    }

    let observations: Arc<Mutex<Vec<RoleObservation>>> = Arc::default();
    let mut stage_options = options.container.clone();
    stage_options.image_variant = Some(VARIANT.to_string());
    stage_options.rebuild_images = false;
    let sink = observations.clone();
    stage_options.observer = Some(Arc::new(move |observation| sink.lock().expect("observations").push(observation)));

    let mut dynamic = StageReport::new("dynamic");
    if !built_roles.is_empty() {
        dynamic = match puppet_ci_container::run_dynamic(config, &built_roles, &stage_options) {
            Ok(report) => report,
            Err(err) => return Err(abandon(&specs, err)),
        };
    }
    let mut integration = Vec::new();
    if let Some(nodes) = &config.integration {
        let all_built = nodes.nodes.iter().all(|node| built_roles.contains(&node.role));
        if all_built {
            let report = puppet_ci_container::run_integration(config, &stage_options).map_err(|err| abandon(&specs, err))?;
            integration = report.cases.iter().map(check_of).collect();
        }
    }

    let observed = observations.lock().expect("observations").clone();
    let roles: Vec<RoleNight> = observed
        .into_iter()
        .map(|observation| RoleNight {
            checks: dynamic.cases.iter().filter(|case| case.group == observation.role).map(check_of).collect(),
            role: observation.role,
            image: observation.image,
            packages: observation
                .packages
                .into_iter()
                .map(|package| Package { name: package.name, version: package.version, architecture: package.architecture, source: package.source })
                .collect(),
            first_apply_changes: observation.first_apply_changes,
            second_apply_changes: observation.second_apply_changes,
            first_apply_seconds: observation.first_apply.as_secs_f64(),
            seconds: observation.total.as_secs_f64(),
        })
        .collect();
    // A role that was built but never observed broke before its checks: dynamic's cases say why.
    let unobserved = built_roles.iter().any(|role| !roles.iter().any(|night| &night.role == role));
    let green = rebuild_failures.is_empty() && !unobserved && dynamic.passed() && integration.iter().all(|check: &Check| check.passed);
    let night = Night { started: options.started.clone(), seconds: started.elapsed().as_secs_f64(), green, rebuild_failures, roles, integration };

    let last_good = earlier.iter().rev().find(|night| night.green).cloned();
    let drift_options = DriftOptions { slower_factor: config.nightly.slower_factor, ..DriftOptions::default() };
    let found = last_good.as_ref().map(|good| drift(good, &night, drift_options)).unwrap_or_default();
    history.record(&night, config.nightly.keep)?;
    let images = if night.green { puppet_ci_container::promote_variant(&specs) } else { puppet_ci_container::discard_variant(&specs) }.map_err(NightlyError::Container)?;
    if night.green {
        progress(&format!("nightly: green: tonight's images are now the cached ones: {}", images.join(", ")));
    } else {
        progress("nightly: red: the cached images stay as they were");
    }
    let exit_code = crate::exit_code(&night, &found, config.nightly.drift_exit_code);
    Ok(NightOutcome { night, drift: found, compared_with: last_good.map(|good| good.started), earlier, exit_code, images })
}

/// Removes tonight's images after a night that could not finish, and returns its error.
fn abandon(specs: &[ImageSpec], err: ContainerError) -> NightlyError {
    let _ = puppet_ci_container::discard_variant(specs);
    NightlyError::Container(err)
}

fn check_of(case: &puppet_ci_report::Case) -> Check {
    let passed = !case.outcome.is_failure();
    let message = match &case.outcome {
        Outcome::Passed => String::new(),
        other => other.message().unwrap_or_default().to_string(),
    };
    Check { name: case.name.clone(), passed, message }
}

/// A rebuild failure in one line: the package apt could not find, and the roles that need
/// it, when that is what happened; else the builder's own words.
fn rebuild_message(error: &str, roles: &[String]) -> String {
    let missing = error.lines().find_map(|line| {
        let line = line.trim();
        line.strip_prefix("E: Unable to locate package ")
            .map(str::to_string)
            .or_else(|| line.strip_prefix("E: Package '").and_then(|rest| rest.split_once('\'')).map(|(name, _)| name.to_string()))
    });
    match missing {
        Some(package) => format!("package {package} is not in today's repositories (needed by {})", roles.join(", ")),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_package_is_named_with_its_roles() {
        let error = "building the base image x failed: mmdebstrap failed (exit status: 1):\nE: Unable to locate package pci-drift-test\nE: apt-get failed";
        assert_eq!(rebuild_message(error, &["role::web".into()]), "package pci-drift-test is not in today's repositories (needed by role::web)");
        let other = "E: Package 'old' has no installation candidate";
        assert_eq!(rebuild_message(other, &["role::a".into(), "role::b".into()]), "package old is not in today's repositories (needed by role::a, role::b)");
        assert_eq!(rebuild_message("disk full", &[]), "disk full");
    }
}
