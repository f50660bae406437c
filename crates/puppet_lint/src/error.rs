//! Failures of the linter itself (as opposed to problems in the code it lints).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: invalid UTF-8 at byte {offset} (Puppet reads manifests as UTF-8)", path.display())]
    Encoding { path: PathBuf, offset: usize, line: usize },
    #[error("{}: cannot write the fixed file: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: {message}", path.display())]
    Config { path: PathBuf, line: usize, message: String },
    #[error("{0}")]
    Usage(String),
    #[error("git {command} failed: {stderr}")]
    Git { command: String, stderr: String },
}
