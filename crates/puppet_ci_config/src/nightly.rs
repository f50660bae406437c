//! The `nightly:` section: how `puppet-ci nightly` keeps its history and when drift alerts.

use serde::Deserialize;

/// Nights kept in the history when `keep` is not set.
pub const DEFAULT_KEEP: usize = 30;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nightly {
    /// Nights kept in the history (the last good one is always kept).
    #[serde(default = "default_keep")]
    pub keep: usize,
    /// The exit code of a green night with drift: 3 alerts a scheduler, 0 does not.
    #[serde(default = "default_drift_exit_code")]
    pub drift_exit_code: u8,
    /// A role whose time grew by more than this factor (and 10 s) has drifted.
    #[serde(default = "default_slower_factor")]
    pub slower_factor: f64,
}

impl Default for Nightly {
    fn default() -> Self {
        Nightly { keep: DEFAULT_KEEP, drift_exit_code: default_drift_exit_code(), slower_factor: default_slower_factor() }
    }
}

fn default_keep() -> usize {
    DEFAULT_KEEP
}

fn default_drift_exit_code() -> u8 {
    3
}

fn default_slower_factor() -> f64 {
    1.5
}
