//! Versioned release artifacts of a control repo, and their atomic deploy to puppet masters.
//!
//! The pipeline this crate implements, in the order it runs:
//!
//! 1. [`package`]: the control repo at a git ref, with its `Puppetfile` resolved into it
//!    (git sources, and Forge modules from a local cache folder), becomes one
//!    deterministic `.tar.gz` whose name is its content id.
//! 2. [`deploy`]: on a code dir (local, or over SSH: [`target`]) the artifact is unpacked
//!    into `releases/ENV/ID`, checked, and the environment's symlink is switched to it
//!    with one `rename(2)`; the master's environment cache is flushed and a catalog
//!    request must report the new release id ([`server`]). A lock keeps deploys one at a
//!    time; the last releases are kept so [`deploy::rollback`] is a symlink switch.
//! 3. [`deploy::cycle`]: several compile masters behind haproxy ([`haproxy`]) are taken
//!    out of rotation, deployed and smoke-tested one at a time.
//!
//! Everything is synchronous; the only processes started are `git`, `ssh` and `tar` on
//! the remote side.

use std::path::PathBuf;

pub mod configured;
pub mod deploy;
pub mod haproxy;
pub mod package;
pub mod puppetfile;
pub mod server;
pub mod target;

mod process;

pub use configured::{TargetOverrides, Targets};
pub use deploy::{cycle, deploy, prune_environments, rollback, DeployOptions, Master, ReleaseCheck};
pub use package::{package, Artifact, PackageOptions, ReleaseMetadata};
pub use server::{ServerClient, ServerTls};
pub use target::{CodeDir, LocalCodeDir, SshCodeDir, SshTarget};

/// Everything that can stop a package, deploy or rollback. Each variant names the thing
/// (file, host, URL) it is about, and says what to do when there is something to do.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: {message}", path.display())]
    Puppetfile { path: PathBuf, line: usize, message: String },
    #[error("{command} failed: {message}")]
    Command { command: String, message: String },
    #[error("{0}")]
    Git(String),
    #[error("module {module}: {message}")]
    Module { module: String, message: String },
    #[error("{0}")]
    Artifact(String),
    #[error("{release} would serve no code: {missing}; puppet-ci refuses to package or deploy it")]
    NoCode { release: String, missing: String },
    #[error("{0}")]
    Locked(String),
    #[error("{0}")]
    Target(String),
    /// Something went wrong with one master of several: which one, and what.
    #[error("master {master}: {source}")]
    AtMaster {
        master: String,
        #[source]
        source: Box<DeployError>,
    },
    /// A certificate or key for talking to the masters could not be used.
    #[error("{}: {message}", path.display())]
    Tls { path: PathBuf, message: String },
    /// The master could not be reached at all (refused, TLS handshake, timeout).
    #[error("cannot reach the puppet master at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    /// The master answered a request with an HTTP error status (`reason` is the status's
    /// name, `hint` what to do about it when puppet-ci knows).
    #[error("{request} at {url}: HTTP {status} {reason}{hint}: {body}")]
    Server { url: String, request: String, status: u16, reason: &'static str, hint: &'static str, body: String },
    /// The master answered something puppet-ci cannot read.
    #[error("{url}: {message}")]
    BadResponse { url: String, message: String },
    #[error("{0}")]
    Haproxy(String),
    #[error("{0}")]
    Usage(String),
}

impl DeployError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> DeployError {
        let path = path.into();
        move |source| DeployError::Io { path, source }
    }
}

/// Flattens an error and its causes into one line (reqwest and tar hide the interesting
/// part, "connection refused" or "No space left on device", in the source chain).
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

pub type Result<T, E = DeployError> = std::result::Result<T, E>;

/// Puppet's rule for environment names: lowercase letters, digits and underscores.
pub fn is_valid_environment_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_follow_puppet() {
        assert!(is_valid_environment_name("feature_login_form"));
        assert!(!is_valid_environment_name("Feature"));
        assert!(!is_valid_environment_name("../etc"));
        assert!(!is_valid_environment_name(""));
    }
}
