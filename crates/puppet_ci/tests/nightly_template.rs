//! `ci/nightly.sh`, the nightly job template, run for real on a clone of a control repo:
//! it runs `puppet-ci nightly` (base images rebuilt, never reused), writes its reports and
//! history outside the work tree, takes a relative repository path, and reports a night
//! that could not run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=production", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// A control repo with `yaml` as its puppet-ci.yaml, pushed to a bare `origin`, and a
/// clone of it at `DIR/work` (what the nightly job runs in).
fn clone_of_a_control_repo(dir: &Path, yaml: &str) {
    let source = dir.join("source");
    std::fs::create_dir_all(source.join("manifests")).unwrap();
    std::fs::create_dir_all(source.join("site/role/manifests")).unwrap();
    std::fs::write(source.join("manifests/site.pp"), "node default { include role::quick }\n").unwrap();
    std::fs::write(source.join("site/role/manifests/quick.pp"), "# @summary Nothing to apply.\nclass role::quick {\n}\n").unwrap();
    std::fs::write(source.join("hiera.yaml"), "---\nversion: 5\n").unwrap();
    std::fs::write(source.join("puppet-ci.yaml"), yaml).unwrap();
    git(&source, &["init", "--quiet"]);
    git(&source, &["add", "-A"]);
    git(&source, &["commit", "--quiet", "-m", "control repo"]);
    git(dir, &["clone", "--quiet", "--bare", "source", "origin.git"]);
    git(dir, &["clone", "--quiet", "origin.git", "work"]);
}

/// Runs `bash ci/nightly.sh work` from `dir` (a relative repository path) with puppet-ci
/// on PATH and `home` as HOME.
fn nightly(dir: &Path, home: &Path, env: &[(&str, &str)]) -> Output {
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_puppet-ci")).parent().unwrap();
    let path = format!("{}:{}", binary_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new("bash");
    command.arg(workspace().join("ci/nightly.sh")).arg("work").current_dir(dir).env("PATH", path).env("HOME", home);
    command.env_remove("XDG_STATE_HOME").env_remove("PUPPET_CI_REPORTS").env_remove("PUPPET_CI_HISTORY").env_remove("PUPPET_CI_ROOT");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The one dated report folder under `home`'s state folder.
fn report_dir(home: &Path) -> PathBuf {
    let parent = home.join(".local/state/puppet-ci");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&parent)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().is_some_and(|name| name.to_string_lossy().starts_with("nightly-")))
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs.remove(0)
}

fn work_tree_is_clean(dir: &Path) {
    let status = Command::new("git").arg("-C").arg(dir.join("work")).args(["status", "--porcelain", "--ignored"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&status.stdout), "", "the night wrote into the work tree");
}

#[test]
fn a_failed_image_build_says_so_and_leaves_a_report_outside_the_work_tree() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    clone_of_a_control_repo(dir.path(), "roles:\n  - name: role::quick\n");
    let output = nightly(dir.path(), home.path(), &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let reports = report_dir(home.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("puppet-ci nightly: FAILED on production: the night could not run (exit 2); reports in {}", reports.display())),
        "{stderr}"
    );
    let junit = std::fs::read_to_string(reports.join("nightly.xml")).unwrap();
    assert!(junit.contains("<error message=\"puppet-ci nightly exited 2\">"), "{junit}");
    assert!(junit.contains("cannot reach the Docker engine at unix:///nonexistent/docker.sock"), "{junit}");
    work_tree_is_clean(dir.path());
}

/// Removes an image tag when dropped, whatever the test did.
struct RemovedImage(String);

impl Drop for RemovedImage {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rmi", &self.0]).output();
    }
}

#[test]
fn the_night_rebuilds_the_base_images_instead_of_reusing_them() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    // A package set of its own, so no other test shares the image.
    clone_of_a_control_repo(dir.path(), "roles:\n  - name: role::quick\n    packages: [hello]\npipeline: {allow_empty: [integration], skip: [lint, catalog]}\n");
    let tag = puppet_ci_container::ImageSpec::new("bookworm", &["hello".to_string()]).tag();
    let image_id = |tag: &str| {
        let output = Command::new("docker").args(["image", "inspect", "--format", "{{.Id}}", tag]).output().unwrap();
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    // Other tests list and prune the base images: leave none of this one's behind.
    let _removed_at_the_end = RemovedImage(tag.clone());
    // An image under that tag already: `image build` alone would reuse it.
    let base = Command::new("docker").args(["images", "-q", "puppet-ci-base"]).output().unwrap();
    if let Some(any) = String::from_utf8_lossy(&base.stdout).lines().next() {
        assert!(Command::new("docker").args(["tag", any, &tag]).status().unwrap().success());
    }
    let before = image_id(&tag);
    let output = nightly(dir.path(), home.path(), &[("PUPPET_CI_REPORTS", reports.to_str().unwrap()), ("PUPPET_CI_PRUNE", "no")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let log = std::fs::read_to_string(reports.join("nightly.log")).unwrap();
    assert!(log.contains(&format!("image {tag}-night: built in ")), "{log}");
    assert_ne!(image_id(&tag), before, "the green night's rebuilt image replaced the cached one");
    let night = std::fs::read_to_string(reports.join("nightly.json")).unwrap();
    assert!(night.contains("\"first apply succeeds (exit 0 or 2)\""), "{night}");
    assert!(reports.join("nightly.html").is_file() && reports.join("nightly.xml").is_file());
    let history = home.path().join(".local/state/puppet-ci/history/work");
    assert_eq!(std::fs::read_dir(&history).unwrap().count(), 1, "the night is in the history, outside the work tree");
    assert!(std::fs::read_to_string(reports.join("release.txt")).unwrap().contains(".tar.gz"));
    work_tree_is_clean(dir.path());
}
