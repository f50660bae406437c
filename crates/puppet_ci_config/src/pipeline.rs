//! The `pipeline:` section: which stages `puppet-ci all` leaves out, and which may find
//! nothing to check without failing.

use serde::Deserialize;

/// The stages of `puppet-ci all`, in pipeline order (the pipeline crate's list; a test there
/// keeps the two the same).
pub const STAGE_NAMES: [&str; 6] = ["validate", "lint", "catalog", "dynamic", "integration", "deploy"];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    /// Stages `puppet-ci all` never runs here (as `--skip` does), e.g. `[dynamic]` on a CI
    /// host without Docker.
    #[serde(default)]
    pub skip: Vec<String>,
    /// Stages that may find nothing to check (a module with no roles for the container
    /// stages): they are reported as skipped instead of failing the run.
    #[serde(default)]
    pub allow_empty: Vec<String>,
}
