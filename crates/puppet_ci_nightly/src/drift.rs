//! Drift: what changed between the last good night and this one, without any code change:
//! package versions that moved, packages that appeared or went, checks that newly fail,
//! resources that stopped being idempotent, roles that got slower.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::night::Night;

/// How drift is measured.
#[derive(Debug, Clone, Copy)]
pub struct DriftOptions {
    /// A role is slower when its time grew by more than this factor...
    pub slower_factor: f64,
    /// ...and by more than this many seconds (short roles are noisy).
    pub slower_min_seconds: f64,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions { slower_factor: 1.5, slower_min_seconds: 10.0 }
    }
}

/// One thing that drifted, with the roles it drifted in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Drift {
    PackageMoved { package: String, from: String, to: String, roles: Vec<String> },
    PackageAppeared { package: String, version: String, roles: Vec<String> },
    PackageGone { package: String, version: String, roles: Vec<String> },
    CheckNewlyFails { role: String, check: String, message: String },
    NoLongerIdempotent { role: String, resource: String },
    Slower { role: String, from_seconds: f64, to_seconds: f64 },
    RoleAdded { role: String },
    RoleRemoved { role: String },
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PackageMoved { package, from, to, roles } => write!(f, "package {package} {from} -> {to} ({})", roles.join(", ")),
            Self::PackageAppeared { package, version, roles } => write!(f, "package {package} {version} appeared ({})", roles.join(", ")),
            Self::PackageGone { package, version, roles } => write!(f, "package {package} {version} is gone ({})", roles.join(", ")),
            Self::CheckNewlyFails { role, check, message } => write!(f, "{role}: check '{check}' newly fails: {message}"),
            Self::NoLongerIdempotent { role, resource } => write!(f, "{role}: {resource} changes on every apply now"),
            Self::Slower { role, from_seconds, to_seconds } => write!(f, "{role}: {from_seconds:.1}s -> {to_seconds:.1}s"),
            Self::RoleAdded { role } => write!(f, "{role}: new role"),
            Self::RoleRemoved { role } => write!(f, "{role}: role removed"),
        }
    }
}

/// What drifted from `last_good` to `tonight`, packages grouped across roles.
pub fn drift(last_good: &Night, tonight: &Night, options: DriftOptions) -> Vec<Drift> {
    // (package, from, to) -> roles; from/to are None when the package was absent.
    let mut package_changes: BTreeMap<(String, Option<String>, Option<String>), Vec<String>> = BTreeMap::new();
    let mut other = Vec::new();
    for role in &tonight.roles {
        let Some(before) = last_good.role(&role.role) else {
            other.push(Drift::RoleAdded { role: role.role.clone() });
            continue;
        };
        let old: BTreeMap<&str, &str> = before.packages.iter().map(|package| (package.name.as_str(), package.version.as_str())).collect();
        let new: BTreeMap<&str, &str> = role.packages.iter().map(|package| (package.name.as_str(), package.version.as_str())).collect();
        let names: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
        for name in names {
            let (from, to) = (old.get(name), new.get(name));
            if from != to {
                let key = (name.to_string(), from.map(|v| v.to_string()), to.map(|v| v.to_string()));
                package_changes.entry(key).or_default().push(role.role.clone());
            }
        }
        for check in role.checks.iter().filter(|check| !check.passed) {
            let passed_before = before.checks.iter().any(|old| old.name == check.name && old.passed);
            if passed_before {
                other.push(Drift::CheckNewlyFails { role: role.role.clone(), check: check.name.clone(), message: check.message.clone() });
            }
        }
        for resource in &role.second_apply_changes {
            if !before.second_apply_changes.contains(resource) {
                other.push(Drift::NoLongerIdempotent { role: role.role.clone(), resource: resource.clone() });
            }
        }
        let grew = role.seconds - before.seconds;
        if before.seconds > 0.0 && role.seconds > before.seconds * options.slower_factor && grew > options.slower_min_seconds {
            other.push(Drift::Slower { role: role.role.clone(), from_seconds: before.seconds, to_seconds: role.seconds });
        }
    }
    for role in &last_good.roles {
        if tonight.role(&role.role).is_none() {
            other.push(Drift::RoleRemoved { role: role.role.clone() });
        }
    }
    let mut found: Vec<Drift> = package_changes
        .into_iter()
        .map(|((package, from, to), roles)| match (from, to) {
            (Some(from), Some(to)) => Drift::PackageMoved { package, from, to, roles },
            (None, Some(version)) => Drift::PackageAppeared { package, version, roles },
            (Some(version), None) => Drift::PackageGone { package, version, roles },
            (None, None) => unreachable!("a change has a side"),
        })
        .collect();
    found.extend(other);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::night::{Check, Package, RoleNight};

    fn role(name: &str, packages: &[(&str, &str)], check_passes: bool, second: &[&str], seconds: f64) -> RoleNight {
        RoleNight {
            role: name.into(),
            image: "img".into(),
            packages: packages.iter().map(|(name, version)| Package { name: (*name).into(), version: (*version).into(), architecture: "amd64".into(), source: String::new() }).collect(),
            checks: vec![Check { name: "http".into(), passed: check_passes, message: if check_passes { String::new() } else { "HTTP 500".into() } }],
            first_apply_changes: Vec::new(),
            second_apply_changes: second.iter().map(|r| (*r).into()).collect(),
            first_apply_seconds: seconds / 2.0,
            seconds,
        }
    }

    fn night(roles: Vec<RoleNight>) -> Night {
        Night { started: "2026-12-01T02:00:00Z".into(), seconds: 1.0, green: true, rebuild_failures: Vec::new(), roles, integration: Vec::new() }
    }

    #[test]
    fn nothing_changed_is_no_drift() {
        let one = night(vec![role("role::web", &[("apache2", "2.4.62-1")], true, &[], 30.0)]);
        assert_eq!(drift(&one, &one.clone(), DriftOptions::default()), []);
    }

    #[test]
    fn every_kind_of_drift_is_found_and_packages_are_grouped() {
        let before = night(vec![
            role("role::web", &[("apache2", "2.4.62-1"), ("libssl3", "3.0.14-1"), ("old", "1")], true, &[], 30.0),
            role("role::db", &[("libssl3", "3.0.14-1")], true, &[], 20.0),
            role("role::gone", &[], true, &[], 1.0),
        ]);
        let after = night(vec![
            role("role::web", &[("apache2", "2.4.62-1"), ("libssl3", "3.0.15-1"), ("new", "2")], false, &["Exec[reload]"], 60.0),
            role("role::db", &[("libssl3", "3.0.15-1")], true, &[], 21.0),
            role("role::new", &[], true, &[], 1.0),
        ]);
        let lines: Vec<String> = drift(&before, &after, DriftOptions::default()).iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "package libssl3 3.0.14-1 -> 3.0.15-1 (role::web, role::db)",
                "package new 2 appeared (role::web)",
                "package old 1 is gone (role::web)",
                "role::web: check 'http' newly fails: HTTP 500",
                "role::web: Exec[reload] changes on every apply now",
                "role::web: 30.0s -> 60.0s",
                "role::new: new role",
                "role::gone: role removed",
            ]
        );
    }
}
