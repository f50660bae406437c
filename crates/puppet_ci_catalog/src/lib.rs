//! The catalog stage: every role compiled against every fact set, checked as a graph,
//! with results cached; module tests (expectations and snapshots, without Ruby) over a
//! module store assembled from `.fixtures.yml` and the Puppetfile; and catalog diffs
//! between two git refs.
//!
//! Compiles go through [`puppet_catalog::Engine`]: the native engine, real Puppet (a small
//! pool of Ruby workers), or `auto`, which hands a node to Puppet only when the native
//! engine reports a construct it does not support, and says so in the report.
//!
//! - [`stage`] runs the stage (what `puppet-ci catalog` and `puppet-ci all` call);
//! - [`test_modules`] runs the module tests alone (`puppet-ci test`);
//! - [`diff::diff`] compares the catalogs of two refs (`puppet-ci diff`).

use std::path::PathBuf;

mod cache;
pub mod diff;
mod engines;
pub mod expect;
mod factsets;
pub mod fixtures;
pub mod graph;
mod partition;
mod project;
mod refs;
mod run;
mod snapshot;
mod store;
mod types;

pub use fixtures::ResolveStats;
pub use partition::Partition;
pub use project::Project;
pub use run::{has_work, stage, test_modules, Event, Progress, StageOptions, TestSelection};

/// The file of a module's expectations, at the module's root.
pub const TESTS_FILE: &str = "puppet-ci-tests.yaml";

/// Where the stage keeps what it can reuse (catalogs, the module store, git trees),
/// relative to the control repo's root.
pub const CACHE_DIR: &str = ".puppet-ci/cache";

/// Why the stage could not run (a failing compile or check is a failed case instead).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{context}: {problem}")]
    Facts { context: String, problem: puppet_facts::FactsError },
    #[error(transparent)]
    Setup(#[from] puppet_ci_compile::SetupError),
    #[error("{}: {message}", path.display())]
    Metadata { path: PathBuf, message: String },
    /// Strict mode: an OS release a module supports has no fact set.
    #[error("{}", problems.join("\n"))]
    UncoveredOs { problems: Vec<String> },
    #[error("no fact sets to compile with: list catalog.fact_sets in puppet-ci.yaml (bundled names such as debian-12-x86_64, or Facter JSON files), or operatingsystem_support in a module's metadata.json")]
    NoFactSets,
    /// A module's expectations file is wrong.
    #[error("{}{}: {message}", path.display(), position(*line, *column))]
    Expectations { path: PathBuf, line: Option<usize>, column: Option<usize>, message: String },
    /// A `.fixtures.yml` or Puppetfile entry cannot be resolved.
    #[error("{}{}: {message}", path.display(), position(*line, None))]
    Fixtures { path: PathBuf, line: Option<usize>, message: String },
    #[error("cannot {action} {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Git(String),
    /// An engine could not compile at all (Ruby died, hung): nothing is known of the code.
    #[error("the engine failed on {0}")]
    Engine(String),
    #[error(transparent)]
    Config(#[from] puppet_ci_config::ConfigError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Puppetfile(#[from] puppet_ci_deploy::DeployError),
}

impl CatalogError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> CatalogError {
        let path = path.into();
        move |source| CatalogError::Io { action, path, source }
    }
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        (Some(line), None) => format!(":{line}"),
        _ => String::new(),
    }
}

pub type Result<T, E = CatalogError> = std::result::Result<T, E>;
