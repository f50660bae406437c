//! Test data the deploy tests build at run time: git control repos, a git module source,
//! a local forge cache with a real `.tar.gz`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/deploy")
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=puppet-ci tests", "-c", "user.email=tests@example.com", "-c", "init.defaultBranch=production", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?} in {}: {}", dir.display(), String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A forge cache folder: the checked-in `example-motd-1.0.0/` plus
/// `example-motd-1.1.0.tar.gz` packed from `module-sources/motd-1.1.0` as the Forge packs
/// modules (one top folder named after the release).
pub fn forge_cache(dir: &Path) -> PathBuf {
    let cache = dir.join("forge-cache");
    copy_dir(&fixtures().join("forge-cache"), &cache);
    let file = std::fs::File::create(cache.join("example-motd-1.1.0.tar.gz")).unwrap();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(file, flate2::Compression::fast()));
    builder.append_dir_all("example-motd-1.1.0", fixtures().join("module-sources/motd-1.1.0")).unwrap();
    builder.into_inner().unwrap().finish().unwrap();
    cache
}

/// A git repository holding the `ntp` module, tagged `v1.0.0`, with one more commit on
/// its default branch after the tag.
pub fn ntp_module_repo(dir: &Path) -> PathBuf {
    let repo = dir.join("ntp.git-source");
    copy_dir(&fixtures().join("module-sources/ntp"), &repo);
    git(&repo, &["init", "--quiet"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "ntp 1.0.0"]);
    git(&repo, &["tag", "v1.0.0"]);
    write(&repo.join("README.md"), "after the tag\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "after 1.0.0"]);
    repo
}

/// A control repo in git: `manifests/site.pp` with `site_pp`, an `environment.conf`, and
/// `puppetfile` when given. Returns its folder.
pub fn control_repo(dir: &Path, site_pp: &str, puppetfile: Option<&str>) -> PathBuf {
    let repo = dir.join("control-repo");
    write(&repo.join("manifests/site.pp"), site_pp);
    write(&repo.join("environment.conf"), "modulepath = site:modules:$basemodulepath\nenvironment_timeout = unlimited\n");
    write(&repo.join("site/profile/manifests/base.pp"), "class profile::base {\n  notify { 'base': }\n}\n");
    if let Some(puppetfile) = puppetfile {
        write(&repo.join("Puppetfile"), puppetfile);
    }
    git(&repo, &["init", "--quiet"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "first"]);
    repo
}

/// Commits a new `manifests/site.pp` and returns the commit.
pub fn commit_site_pp(repo: &Path, site_pp: &str, message: &str) -> String {
    write(&repo.join("manifests/site.pp"), site_pp);
    git(repo, &["add", "."]);
    git(repo, &["commit", "--quiet", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}
