//! The branch being built, for the deploy gate.

use std::path::Path;
use std::process::Command;

/// The CI systems' variables naming the branch being built, in the order they are read.
const CI_VARIABLES: [&str; 5] = ["BRANCH_NAME", "GIT_BRANCH", "TRAVIS_BRANCH", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME"];

/// The branch being built: CI systems check out a detached HEAD, so their variables come
/// first; then the control repo's own git branch.
pub fn current_branch(root: &Path) -> Option<String> {
    let from_ci = CI_VARIABLES.iter().filter_map(|name| std::env::var(name).ok()).find(|value| !value.is_empty());
    if let Some(branch) = from_ci {
        // Jenkins' GIT_BRANCH says `origin/production`.
        return Some(branch.strip_prefix("origin/").unwrap_or(&branch).to_string());
    }
    let output = Command::new("git").arg("-C").arg(root).args(["rev-parse", "--abbrev-ref", "HEAD"]).output().ok()?;
    let branch = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && !branch.is_empty() && branch != "HEAD").then_some(branch)
}
