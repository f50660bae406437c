//! Real containers for the `dynamic` and `integration` stages: Debian base images built
//! without a registry, `puppet apply` of roles in containers, checks run in them, and the
//! cleanup of everything a run created.
//!
//! All async code of puppet-ci lives here (tokio, bollard). The API is synchronous: each
//! entry point builds a runtime, does its work, and returns plain values — a
//! [`puppet_ci_report::StageReport`] for the stages — so the binary stays synchronous.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

mod apt_sources;
mod build_dir;
mod checks;
mod dynamic;
mod engine;
mod exec;
mod image;
mod integration;
mod interrupt;
mod run;
mod tool_output;
mod upload;

pub use dynamic::run_dynamic;
pub use image::{build_images, discard_variant, image_specs_for, list_images, promote_variant, prune_images, ImageInfo, ImageSpec};
pub use integration::run_integration;
pub use interrupt::Signal;

/// Receives one line per step of a run (`role::web: first apply: exit 2 in 5.1s`), for
/// the binary to print as progress.
pub type Progress = Arc<dyn Fn(&str) + Send + Sync>;

/// How a container stage runs.
#[derive(Clone)]
pub struct StageOptions {
    /// Leave the containers and network running after the stage, for debugging.
    pub keep: bool,
    /// The longest one `puppet apply` may take.
    pub apply_timeout: Duration,
    /// Rebuild the base images even when an image with the same content key exists.
    pub rebuild_images: bool,
    /// Overrides the `check_timeout` of every role and of `integration:`.
    pub check_timeout: Option<Duration>,
    /// Run in the images of this variant (`night`: tonight's rebuilds) instead of the
    /// cached ones.
    pub image_variant: Option<String>,
    /// Receives what the `dynamic` stage saw of each role: packages, changes, times.
    pub observer: Option<Observer>,
    pub progress: Progress,
}

impl StageOptions {
    pub fn new(progress: Progress) -> Self {
        Self { keep: false, apply_timeout: Duration::from_secs(900), rebuild_images: false, check_timeout: None, image_variant: None, observer: None, progress }
    }
}

/// Receives one [`RoleObservation`] per role the `dynamic` stage applied.
pub type Observer = Arc<dyn Fn(RoleObservation) + Send + Sync>;

/// What the `dynamic` stage saw of one role, beyond pass and fail: for the nightly
/// rebuilds' record and drift.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleObservation {
    pub role: String,
    pub image: String,
    /// The packages installed in the container after the applies.
    pub packages: Vec<InstalledPackage>,
    /// Resources the first apply changed (`File[/etc/motd]`).
    pub first_apply_changes: Vec<String>,
    /// Resources the second apply changed again.
    pub second_apply_changes: Vec<String>,
    pub first_apply: Duration,
    /// The whole role: container, applies and checks.
    pub total: Duration,
}

/// A Debian package installed in a container.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InstalledPackage {
    pub name: String,
    pub version: String,
    pub architecture: String,
    /// The apt repository the installed version came from, when apt still knows it.
    pub source: String,
}

/// Why a container stage or image command could not do its work (the user's Puppet code
/// failing a check is not an error: it is a failed case in the stage's report).
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    #[error("cannot reach the Docker engine at {host}: {message} (is dockerd running? set DOCKER_HOST to point elsewhere)")]
    EngineUnreachable { host: String, message: String },
    #[error("Docker engine: {context}: {source}")]
    Docker {
        context: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("no tool to build a Debian base image: install mmdebstrap (`apt-get install mmdebstrap`) or debootstrap")]
    NoBootstrapTool,
    #[error("no Debian apt source for suite {suite} in {searched}: base images are built from the host's apt mirrors")]
    NoAptSource { suite: String, searched: String },
    #[error("building the base image {tag} failed: {message}")]
    ImageBuild { tag: String, message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("puppet-ci.yaml: {0}")]
    Config(String),
    #[error("interrupted ({}); removed what the run created", signal.describe())]
    Interrupted { signal: Signal },
    #[error("interrupted ({}), but could not remove all the run created: {message}", signal.describe())]
    InterruptedUnclean { signal: Signal, message: String },
    #[error("could not remove what the run created: {0}")]
    Cleanup(String),
}

impl ContainerError {
    pub(crate) fn docker(context: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> Self {
        let context = context.into();
        move |source| Self::Docker { context, source }
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

/// Runs a future to completion on a runtime made for it: the bridge from the binary's
/// synchronous world into this crate's async one. SIGINT, SIGTERM and SIGHUP are caught
/// meanwhile ([`interrupt`]): the work sees them and cleans up, and a signal that came
/// as the work ended still makes the call fail, since the user asked to stop.
pub(crate) fn block_on<T>(future: impl std::future::Future<Output = Result<T, ContainerError>>) -> Result<T, ContainerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ContainerError::io("tokio runtime"))?;
    let handlers = interrupt::Handlers::install();
    let result = runtime.block_on(future);
    drop(runtime);
    let signal = interrupt::pending();
    let unclean = interrupt::take_cleanup_failures();
    drop(handlers);
    match (result, signal) {
        (Ok(_) | Err(ContainerError::Interrupted { .. }), Some(signal)) if !unclean.is_empty() => {
            Err(ContainerError::InterruptedUnclean { signal, message: unclean.join("; ") })
        }
        (Ok(_), Some(signal)) => Err(ContainerError::Interrupted { signal }),
        (result, _) => result,
    }
}
