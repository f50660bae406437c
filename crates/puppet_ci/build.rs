//! Records the git commit the binary is built from, for `puppet-ci --version`.
//!
//! `PUPPET_CI_COMMIT` (and `PUPPET_CI_COMMIT_DATE`) win when set, so a build from a source
//! tarball without `.git` can still name its commit; otherwise git is asked, and a build
//! outside any checkout says `unknown`.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-env-changed=PUPPET_CI_COMMIT");
    println!("cargo:rerun-if-env-changed=PUPPET_CI_COMMIT_DATE");
    // Run again when HEAD moves: HEAD itself (a checkout), the branch it points to (a
    // commit) and packed-refs (a gc). In a worktree these resolve to the right files.
    for path in ["HEAD", "packed-refs"] {
        if let Some(file) = git(&["rev-parse", "--path-format=absolute", "--git-path", path]) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(file) = git(&["rev-parse", "--path-format=absolute", "--git-path", &reference]) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    let commit = std::env::var("PUPPET_CI_COMMIT")
        .ok()
        .filter(|commit| !commit.is_empty())
        .or_else(|| git(&["rev-parse", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    let date = std::env::var("PUPPET_CI_COMMIT_DATE")
        .ok()
        .filter(|date| !date.is_empty())
        .or_else(|| git(&["show", "-s", "--format=%cs", "HEAD"]))
        .unwrap_or_default();
    println!("cargo:rustc-env=PUPPET_CI_COMMIT={commit}");
    println!("cargo:rustc-env=PUPPET_CI_COMMIT_DATE={date}");
    println!("cargo:rustc-env=PUPPET_CI_TARGET={}", std::env::var("TARGET").unwrap_or_default());
}
