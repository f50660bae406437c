//! `puppet-ci package` on the bundled example, CLI errors of package and deploy, and the
//! pre-commit hook template of `ci/` in a real git repository. No servers needed.

mod deploy_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use deploy_support::*;
use puppet_ci_deploy::Artifact;

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn copy_dir(from: &Path, to: &Path) {
    sh(&format!("mkdir -p '{1}' && cp -r '{0}/.' '{1}/'", from.display(), to.display()));
}

#[test]
fn package_the_bundled_example() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("control-repo");
    copy_dir(&project().join("fixtures/control-repo"), &repo);
    git(dir.path(), &["init", "--quiet", repo.to_str().unwrap()]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "--quiet", "-m", "example"]);
    let out = dir.path().join("artifacts");
    let (code, stdout, stderr) = run(bin()
        .arg("--root")
        .arg(&repo)
        .arg("package")
        .arg("--forge-cache")
        .arg(project().join("fixtures/deploy/forge-cache"))
        .arg("--output")
        .arg(&out));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (id, path) = stdout.trim().split_once(' ').unwrap();
    let artifact = Artifact::open(Path::new(path)).unwrap();
    assert_eq!(artifact.id(), id);
    let modules: Vec<_> = artifact.metadata.modules.iter().map(|module| (module.name.as_str(), module.source.as_str(), module.version.as_str())).collect();
    assert_eq!(modules, [("motd", "forge example-motd", "1.0.0")]);
    assert!(stderr.contains("with 1 Puppetfile module(s)"), "{stderr}");
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    artifact.unpack(&tree).unwrap();
    assert!(tree.join("modules/motd/manifests/init.pp").is_file());
    assert!(tree.join("site").is_dir() && tree.join("puppet-ci.yaml").is_file());
    // The release passes validate, the check every deploy runs before switching.
    let (code, stdout, stderr) = run(bin().arg("validate").arg(&tree));
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn package_and_deploy_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let repo = ControlRepo::new(dir.path(), "");
    write(&repo.root.join("Puppetfile"), "mod 'example/motd', '1.0.0'\nmod 'apache', :git => 'https://example.com/apache.git', :tag => v1\n");
    repo.commit("r1", "");
    let (code, stdout, stderr) = run(bin().arg("--root").arg(&repo.root).arg("package"));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains(&format!("{}:2: ", repo.root.join("Puppetfile").display())), "{stderr}");

    let (code, _, stderr) = run(bin().arg("--root").arg(&repo.root).args(["deploy", "--to", "/tmp/nowhere"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("say which environment to deploy to: --environment NAME, or --branch BRANCH"), "{stderr}");

    let (code, _, stderr) = run(bin().arg("--root").arg(&repo.root).args(["deploy", "-e", "production", "--artifact", "/tmp/no-such-artifact.tar.gz", "--to", "/tmp/x"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("/tmp/no-such-artifact.tar.gz"), "{stderr}");

    write(&repo.root.join("Puppetfile"), "");
    git(&repo.root, &["commit", "--quiet", "-am", "no modules"]);
    let (code, _, stderr) = run(bin().arg("--root").arg(&repo.root).args(["deploy", "-e", "production", "--to", "puppet9"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--to puppet9: no such master in deploy.masters (configured: none), and not a folder"), "{stderr}");

    let (code, _, stderr) = run(bin().arg("--root").arg(&repo.root).args(["deploy", "-e", "Bad-Name", "--to", dir.path().join("code").to_str().unwrap()]));
    assert_eq!(code, 2);
    assert!(stderr.contains("'Bad-Name' is not a valid Puppet environment name"), "{stderr}");
}

#[test]
fn the_pre_commit_hook_refuses_broken_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    git(dir.path(), &["init", "--quiet", repo.to_str().unwrap()]);
    std::fs::copy(project().join("ci/pre-commit"), repo.join(".git/hooks/pre-commit")).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_puppet-ci")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let commit = |message: &str| {
        let output = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", message])
            .env("PATH", &path)
            .output()
            .unwrap();
        (output.status.success(), format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
    };
    write(&repo.join("manifests/site.pp"), "node default {\n  notify { 'unclosed':\n}\n");
    git(&repo, &["add", "-A"]);
    let (committed, output) = commit("broken");
    assert!(!committed, "{output}");
    assert!(output.contains("manifests/site.pp:") && output.contains("pre-commit: fix the errors above"), "{output}");
    // Fixed in the index (the working tree may differ: the staged content is what counts).
    write(&repo.join("manifests/site.pp"), "node default {\n  notify { 'closed': }\n}\n");
    git(&repo, &["add", "-A"]);
    write(&repo.join("manifests/site.pp"), "work in progress {\n");
    let (committed, output) = commit("fixed");
    assert!(committed, "{output}");
}

#[test]
fn branches_deploy_to_their_environments_and_deleted_ones_are_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    let repo = ControlRepo::new(dir.path(), "");
    repo.commit("r1", "");
    git(&repo.root, &["branch", "feature/Login-form"]);
    let to = code.to_str().unwrap();
    let json = dir.path().join("report.json");
    for branch in ["production", "feature/Login-form"] {
        let (status, stdout, stderr) = run(repo.cli().args(["deploy", "--branch", branch, "--to", to, "--json"]).arg(&json));
        assert_eq!(status, 0, "{stdout}{stderr}");
        let report = std::fs::read_to_string(&json).unwrap();
        assert!(report.contains("no puppetserver configured for this master"), "the smoke test is reported as skipped: {report}");
    }
    assert!(code.join("environments/feature_login_form/manifests/site.pp").is_file());
    git(&repo.root, &["branch", "-D", "feature/Login-form"]);
    let (status, stdout, stderr) = run(repo.cli().args(["deploy", "--branch", "production", "--to", to, "--prune", "--json"]).arg(&json));
    assert_eq!(status, 0, "{stdout}{stderr}");
    let report = std::fs::read_to_string(&json).unwrap();
    assert!(report.contains("remove environment feature_login_form (its branch is gone)"), "{report}");
    assert!(!code.join("environments/feature_login_form").exists());
    assert!(!code.join("releases/feature_login_form").exists());
    assert!(code.join("environments/production/manifests/site.pp").is_file());
}
