//! `puppet-ci all`: stages in order, fail-fast, and the deploy gate (only with `--deploy`,
//! only on the deploy branch, never after a red stage). The container stages are left out
//! here (`--skip`), and so is the catalog stage (these control repos have no roles); they have their own tests. The deploy target is a local code dir.

mod deploy_support;

use std::path::Path;

use deploy_support::*;

fn repo_with_local_master(dir: &Path) -> (ControlRepo, std::path::PathBuf) {
    let code = dir.join("code");
    let yaml = format!("deploy:\n  branch: production\n  masters:\n    - name: local\n      code_dir: {}\n", code.display());
    (ControlRepo::new(dir, &yaml), code)
}

fn all(repo: &ControlRepo, extra: &[&str], json: &Path) -> (i32, String, String, serde_json::Value) {
    let (code, stdout, stderr) = run(repo
        .cli()
        .args(["all", "--skip", "catalog", "--skip", "dynamic", "--skip", "integration", "--json"])
        .arg(json)
        .args(extra));
    let report = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    (code, stdout, stderr, report)
}

fn stage<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["stages"].as_array().unwrap().iter().find(|stage| stage["name"] == name).unwrap()
}

#[test]
fn a_red_pipeline_deploys_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, code_dir) = repo_with_local_master(dir.path());
    repo.commit("r1", "  notify { 'unclosed':\n");
    let json = dir.path().join("report.json");
    let (code, stdout, stderr, report) = all(&repo, &["--deploy", "--branch", "production"], &json);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(report["passed"], false);
    assert_eq!(stage(&report, "validate")["cases"].as_array().unwrap().iter().filter(|case| case["outcome"]["status"] == "failed").count(), 1);
    assert_eq!(stage(&report, "deploy")["skipped"], "stage validate failed; a red pipeline never deploys");
    assert!(stdout.contains("deploy       skipped (stage validate failed; a red pipeline never deploys)"), "{stdout}");
    assert!(!code_dir.exists(), "nothing may be written to the master's code dir");
}

#[test]
fn a_green_pipeline_deploys_only_on_the_deploy_branch() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, code_dir) = repo_with_local_master(dir.path());
    repo.commit("r1", "");
    git(&repo.root, &["branch", "feature_x"]);
    let json = dir.path().join("report.json");

    let (code, stdout, stderr, report) = all(&repo, &["--deploy", "--branch", "feature_x"], &json);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stage(&report, "deploy")["skipped"], "branch feature_x is not the deploy branch production");
    assert!(!code_dir.exists());

    let (code, stdout, stderr, report) = all(&repo, &["--branch", "production"], &json);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stage(&report, "deploy")["skipped"], "--deploy was not given");
    assert!(!code_dir.exists());

    let (code, stdout, stderr, report) = all(&repo, &["--deploy", "--branch", "production"], &json);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(report["passed"], true);
    assert!(stage(&report, "deploy")["skipped"].is_null());
    let site = std::fs::read_to_string(code_dir.join("environments/production/manifests/site.pp")).unwrap();
    assert!(site.contains("release r1"), "{site}");
}

#[test]
fn the_branch_comes_from_the_ci_system_or_git() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, code_dir) = repo_with_local_master(dir.path());
    repo.commit("r1", "");
    let json = dir.path().join("report.json");
    // Jenkins names the branch `origin/production`; Travis and others name it plainly.
    let (code, stdout, stderr) = run(repo
        .cli()
        .args(["all", "--skip", "catalog", "--skip", "dynamic", "--skip", "integration", "--deploy", "--json"])
        .arg(&json)
        .env_remove("BRANCH_NAME")
        .env("GIT_BRANCH", "origin/feature_y"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("branch feature_y is not the deploy branch production"), "{stdout}");
    assert!(!code_dir.exists());
    // Without a CI variable, the control repo's checked-out branch counts.
    let (code, stdout, stderr) = run(repo
        .cli()
        .args(["all", "--skip", "catalog", "--skip", "dynamic", "--skip", "integration", "--deploy"])
        .env_remove("GIT_BRANCH")
        .env_remove("BRANCH_NAME")
        .env_remove("TRAVIS_BRANCH")
        .env_remove("GITHUB_REF_NAME")
        .env_remove("CI_COMMIT_REF_NAME"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(code_dir.join("environments/production").exists(), "{stdout}{stderr}");
}

#[test]
fn deploy_without_a_deploy_section_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let repo = ControlRepo::new(dir.path(), "");
    repo.commit("r1", "");
    let (code, _, stderr) = run(repo.cli().args(["all", "--skip", "catalog", "--skip", "dynamic", "--skip", "integration", "--deploy"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--deploy needs a `deploy:` section in"), "{stderr}");
}
