//! What one night found: per role, the packages installed, the checks' results, the
//! resources Puppet changed on each apply, and timings.

use serde::{Deserialize, Serialize};

/// One nightly run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Night {
    /// When the night started, as `YYYY-MM-DDTHH:MM:SSZ` (also the history file's name).
    pub started: String,
    pub seconds: f64,
    /// True when every image was rebuilt and every role and check passed.
    pub green: bool,
    /// Images that could not be rebuilt: why, and the roles they serve.
    #[serde(default)]
    pub rebuild_failures: Vec<RebuildFailure>,
    pub roles: Vec<RoleNight>,
    /// The integration checks (none when the control repo has no `integration:`).
    #[serde(default)]
    pub integration: Vec<Check>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebuildFailure {
    pub image: String,
    pub roles: Vec<String>,
    pub message: String,
}

/// What one role showed in one night.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleNight {
    pub role: String,
    pub image: String,
    pub packages: Vec<Package>,
    pub checks: Vec<Check>,
    /// Resources Puppet changed on the first apply (`File[/etc/motd]`).
    pub first_apply_changes: Vec<String>,
    /// Resources changed again on the second apply: each is not idempotent.
    pub second_apply_changes: Vec<String>,
    pub first_apply_seconds: f64,
    pub seconds: f64,
}

/// An installed Debian package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub architecture: String,
    /// The repository it came from (`http://deb.debian.org/debian bookworm/main`), when apt
    /// knows it.
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    #[serde(default)]
    pub message: String,
}

impl Night {
    pub fn role(&self, name: &str) -> Option<&RoleNight> {
        self.roles.iter().find(|role| role.role == name)
    }
}
