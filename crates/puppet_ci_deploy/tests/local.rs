//! Packaging from git and a local forge cache, and deploys to a local code dir: switch,
//! rollback, retention, lock, and failures that must leave the live release alone.

mod support;

use std::path::Path;
use std::time::Duration;

use puppet_ci_deploy::deploy::{DeployOptions, Smoke};
use puppet_ci_deploy::target::CodeDir;
use puppet_ci_deploy::{package, Artifact, LocalCodeDir, Master, PackageOptions};
use support::*;

const PUPPETFILE: &str = "forge 'https://forge.puppet.com'\n\
mod 'example/motd', :latest\n\
mod 'ntp',\n  :git => '../ntp.git-source',\n  :tag => 'v1.0.0'\n";

fn options(repo: &Path, dir: &Path, reference: &str) -> PackageOptions {
    PackageOptions { root: repo.to_path_buf(), reference: reference.to_string(), forge_cache: Some(dir.join("forge-cache")), output_dir: dir.join("artifacts") }
}

fn deploy_options(environment: &str) -> DeployOptions {
    DeployOptions {
        environment: environment.to_string(),
        keep_releases: 3,
        lock_wait: Duration::ZERO,
        smoke: Smoke { certname: "node.example.com".into(), facts: serde_json::json!({}) },
        adopt: false,
    }
}

fn local_master(code: &Path) -> Master {
    Master { name: "local".into(), code_dir: Box::new(LocalCodeDir::new(code)), server: None, haproxy_server: None }
}

fn passes(_: &Path) -> Result<(), String> {
    Ok(())
}

fn live(code: &Path, environment: &str) -> Option<String> {
    LocalCodeDir::new(code).live(environment).unwrap()
}

#[test]
fn package_resolves_the_puppetfile_and_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    forge_cache(dir.path());
    let ntp = ntp_module_repo(dir.path());
    let tagged = git(&ntp, &["rev-parse", "v1.0.0"]);
    let repo = control_repo(dir.path(), "node default { include motd }\n", Some(PUPPETFILE));

    let artifact = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    assert_eq!(artifact.id().len(), 16);
    assert_eq!(artifact.path, dir.path().join("artifacts").join(format!("{}.tar.gz", artifact.id())));
    let modules: Vec<_> = artifact.metadata.modules.iter().map(|module| (module.name.as_str(), module.version.as_str())).collect();
    assert_eq!(modules, [("motd", "1.1.0"), ("ntp", tagged.as_str())], ":latest takes the newest cached version; the tag resolves to its commit");
    assert_eq!(artifact.metadata.commit, git(&repo, &["rev-parse", "HEAD"]));

    // Same ref, same bytes.
    let first = std::fs::read(&artifact.path).unwrap();
    std::fs::remove_file(&artifact.path).unwrap();
    let again = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    assert_eq!(again.id(), artifact.id());
    assert_eq!(std::fs::read(&again.path).unwrap(), first);

    let tree = dir.path().join("unpacked");
    std::fs::create_dir(&tree).unwrap();
    Artifact::open(&again.path).unwrap().unpack(&tree).unwrap();
    assert!(tree.join("modules/motd/manifests/init.pp").is_file(), "the Forge tarball's top folder is stripped");
    assert!(tree.join("modules/ntp/manifests/init.pp").is_file());
    assert!(!tree.join("modules/ntp/README.md").exists(), "the module is at its tag, not at the branch head");
    let environment_conf = std::fs::read_to_string(tree.join("environment.conf")).unwrap();
    assert!(environment_conf.contains("environment_timeout = unlimited\n"), "{environment_conf}");
    assert!(environment_conf.ends_with("config_version = .puppet-ci/version\n"), "{environment_conf}");
    let version = std::process::Command::new(tree.join(".puppet-ci/version")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), artifact.id());

    // Another commit with other code is another release.
    commit_site_pp(&repo, "node default { include ntp }\n", "ntp everywhere");
    let next = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    assert_ne!(next.id(), artifact.id());
    // An older ref still packages to the first id.
    let old = package(&options(&repo, dir.path(), "HEAD~1")).unwrap();
    assert_eq!(old.id(), artifact.id());
}

#[test]
fn a_tampered_artifact_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let repo = control_repo(dir.path(), "node default { }\n", None);
    let artifact = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    // Repack the same tree with one file changed, keeping the metadata.
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    artifact.unpack(&tree).unwrap();
    write(&tree.join("manifests/site.pp"), "node default { notify { 'sneaky': } }\n");
    let file = std::fs::File::create(&artifact.path).unwrap();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(file, flate2::Compression::fast()));
    builder.append_dir_all(".", &tree).unwrap();
    builder.into_inner().unwrap().finish().unwrap();
    let reopened = Artifact::open(&artifact.path).unwrap();
    let dest = dir.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    let err = reopened.unpack(&dest).unwrap_err().to_string();
    assert!(err.contains("the artifact is damaged"), "{err}");
}

#[test]
fn package_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    forge_cache(dir.path());
    let repo = control_repo(dir.path(), "node default { }\n", Some("mod 'example/motd', '9.9.9'\n"));
    let err = package(&options(&repo, dir.path(), "HEAD")).unwrap_err().to_string();
    assert!(err.starts_with("module example-motd: version 9.9.9 is not in the forge cache"), "{err}");
    assert!(err.contains("it has: 1.0.0, 1.1.0"), "{err}");

    let err = package(&options(&repo, dir.path(), "no-such-branch")).unwrap_err().to_string();
    assert!(err.ends_with("git ref 'no-such-branch' does not name a commit"), "{err}");

    write(&repo.join("Puppetfile"), "mod 'example/motd', '1.0.0'\nmod 'x', :svn => 'http://example.com'\n");
    git(&repo, &["commit", "--quiet", "-am", "svn"]);
    let err = package(&options(&repo, dir.path(), "HEAD")).unwrap_err().to_string();
    assert_eq!(err, format!("{}:2: mod 'x': unsupported option :svn (supported: :git, :tag, :branch, :commit, :ref)", repo.join("Puppetfile").display()));

    let plain = dir.path().join("not-git");
    std::fs::create_dir(&plain).unwrap();
    let err = package(&PackageOptions { root: plain.clone(), ..options(&repo, dir.path(), "HEAD") }).unwrap_err().to_string();
    assert!(err.contains("is not in a git repository"), "{err}");
    assert!(!dir.path().join("artifacts").read_dir().unwrap().any(|entry| entry.unwrap().file_name().to_string_lossy().ends_with(".tar.gz")), "nothing half-written");
}

#[test]
fn deploy_switches_rolls_back_and_keeps_releases() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    let repo = control_repo(dir.path(), "node default { notify { 'r1': } }\n", None);
    let master = local_master(&code);
    let mut ids = Vec::new();
    for round in 1..=5 {
        if round > 1 {
            commit_site_pp(&repo, &format!("node default {{ notify {{ 'r{round}': }} }}\n"), "next");
        }
        let artifact = package(&options(&repo, dir.path(), "HEAD")).unwrap();
        let run = puppet_ci_deploy::deploy(&artifact, &master, &deploy_options("production"), &passes);
        assert!(run.passed(), "{:#?}", run.cases);
        assert_eq!(run.live.as_deref(), Some(artifact.id()));
        assert_eq!(run.previous, ids.last().cloned());
        ids.push(artifact.id().to_string());
        let site = std::fs::read_to_string(code.join("environments/production/manifests/site.pp")).unwrap();
        assert!(site.contains(&format!("'r{round}'")), "{site}");
    }
    let link = std::fs::read_link(code.join("environments/production")).unwrap();
    assert_eq!(link, Path::new("../releases/production").join(&ids[4]), "a relative symlink");
    // keep_releases = 3: the three newest stay.
    let code_dir = LocalCodeDir::new(&code);
    let mut kept = code_dir.releases("production").unwrap();
    kept.sort();
    let mut expected = ids[2..].to_vec();
    expected.sort();
    assert_eq!(kept, expected);

    let run = puppet_ci_deploy::rollback(&master, "production", None, Duration::ZERO, None);
    assert!(run.passed(), "{:#?}", run.cases);
    assert_eq!(live(&code, "production").as_deref(), Some(ids[3].as_str()));
    let run = puppet_ci_deploy::rollback(&master, "production", None, Duration::ZERO, None);
    assert!(run.passed(), "{:#?}", run.cases);
    assert_eq!(live(&code, "production").as_deref(), Some(ids[2].as_str()));
    let run = puppet_ci_deploy::rollback(&master, "production", None, Duration::ZERO, None);
    assert_eq!(run.failure(), Some(format!("environment production has no earlier release to roll back to (live: {})", ids[2]).as_str()));
    assert_eq!(live(&code, "production").as_deref(), Some(ids[2].as_str()), "a failed rollback switches nothing");
    // Forward again to a named release.
    let run = puppet_ci_deploy::rollback(&master, "production", Some(&ids[4]), Duration::ZERO, None);
    assert!(run.passed(), "{:#?}", run.cases);
    assert_eq!(live(&code, "production").as_deref(), Some(ids[4].as_str()));
}

#[test]
fn a_release_failing_the_check_switches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    let repo = control_repo(dir.path(), "node default { }\n", None);
    let master = local_master(&code);
    let first = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    assert!(puppet_ci_deploy::deploy(&first, &master, &deploy_options("production"), &passes).passed());
    commit_site_pp(&repo, "node default { notify { 'broken' }\n", "broken");
    let broken = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    let check = |tree: &Path| -> Result<(), String> {
        let site = std::fs::read_to_string(tree.join("manifests/site.pp")).map_err(|err| err.to_string())?;
        if site.contains("'broken' }") {
            return Err("manifests/site.pp:1:26: Syntax error at '}'".into());
        }
        Ok(())
    };
    let run = puppet_ci_deploy::deploy(&broken, &master, &deploy_options("production"), &check);
    assert_eq!(run.failure(), Some("manifests/site.pp:1:26: Syntax error at '}'"));
    assert!(!run.has_error(), "the code failed, not the tool");
    assert_eq!(live(&code, "production").as_deref(), Some(first.id()));
    let entries: Vec<_> = std::fs::read_dir(code.join("releases/production")).unwrap().map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!entries.iter().any(|name| name == broken.id() || name.starts_with(".partial")), "the failed release is cleaned up: {entries:?}");
}

#[test]
fn the_lock_keeps_deploys_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    let repo = control_repo(dir.path(), "node default { }\n", None);
    let artifact = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    let master = local_master(&code);
    let held = LocalCodeDir::new(&code).lock("production", Duration::ZERO, "the test, deploying by hand").unwrap();
    let run = puppet_ci_deploy::deploy(&artifact, &master, &deploy_options("production"), &passes);
    let failure = run.failure().unwrap();
    assert!(failure.starts_with("another deploy holds the lock "), "{failure}");
    assert!(failure.contains("(the test, deploying by hand)"), "{failure}");
    assert!(run.has_error());
    assert_eq!(live(&code, "production"), None);
    // Another environment has its own lock.
    assert!(puppet_ci_deploy::deploy(&artifact, &master, &deploy_options("staging"), &passes).passed());
    // A deploy that waits gets the lock when the holder lets go.
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(held);
    });
    let waiting = DeployOptions { lock_wait: Duration::from_secs(20), ..deploy_options("production") };
    let run = puppet_ci_deploy::deploy(&artifact, &master, &waiting, &passes);
    releaser.join().unwrap();
    assert!(run.passed(), "{:#?}", run.cases);
    assert_eq!(live(&code, "production").as_deref(), Some(artifact.id()));
}

#[test]
fn an_unmanaged_environment_with_code_is_not_replaced_without_adopt() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    write(&code.join("environments/production/manifests/site.pp"), "# deployed by r10k\n");
    let repo = control_repo(dir.path(), "node default { }\n", None);
    let artifact = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    let run = puppet_ci_deploy::deploy(&artifact, &local_master(&code), &deploy_options("production"), &passes);
    let failure = run.failure().unwrap();
    assert!(failure.ends_with("is a folder puppet-ci does not manage (r10k's?); deploy with --adopt to keep it as a release of its own (a rollback returns to it) and switch atomically, or move it away"), "{failure}");
    assert!(run.has_error());
    assert_eq!(std::fs::read_to_string(code.join("environments/production/manifests/site.pp")).unwrap(), "# deployed by r10k\n");
    assert!(!code.join("releases/production").read_dir().unwrap().any(|entry| entry.unwrap().file_name() != ".lock"), "nothing unpacked");
}

#[test]
fn adopt_keeps_a_folder_with_code_as_a_release_a_rollback_returns_to() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    write(&code.join("environments/production/manifests/site.pp"), "# deployed by r10k\n");
    let repo = control_repo(dir.path(), "node default { notify { 'puppet-ci': } }\n", None);
    let artifact = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    let master = local_master(&code);
    let adopting = DeployOptions { adopt: true, ..deploy_options("production") };
    let run = puppet_ci_deploy::deploy(&artifact, &master, &adopting, &passes);
    assert!(run.passed(), "{:#?}", run.cases);
    let adopted = run.previous.clone().unwrap();
    let adopt = run.cases.iter().find(|case| case.name == "adopt").unwrap();
    assert!(adopt.output.contains(&format!("kept as release {adopted}, which a rollback returns to")), "{adopt:?}");
    let site = std::fs::read_to_string(code.join("environments/production/manifests/site.pp")).unwrap();
    assert!(site.contains("'puppet-ci'"), "{site}");
    let kept = code.join("releases/production").join(&adopted);
    assert_eq!(std::fs::read_to_string(kept.join("manifests/site.pp")).unwrap(), "# deployed by r10k\n");
    assert_eq!(LocalCodeDir::new(&code).history("production").unwrap(), [adopted.clone(), artifact.id().to_string()]);

    let back = puppet_ci_deploy::rollback(&master, "production", None, Duration::ZERO, None);
    assert!(back.passed(), "{:#?}", back.cases);
    assert_eq!(live(&code, "production"), Some(adopted));
    assert_eq!(std::fs::read_to_string(code.join("environments/production/manifests/site.pp")).unwrap(), "# deployed by r10k\n");
}

#[test]
fn an_empty_folder_from_a_first_puppetserver_start_is_adopted_and_rolled_back_to() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    // What puppetserver leaves: the environment folder, with empty folders at most.
    std::fs::create_dir_all(code.join("environments/production/modules")).unwrap();
    let repo = control_repo(dir.path(), "node default { notify { 'hello': } }\n", None);
    let artifact = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    let master = local_master(&code);
    let run = puppet_ci_deploy::deploy(&artifact, &master, &deploy_options("production"), &passes);
    assert!(run.passed(), "{:#?}", run.cases);
    assert_eq!(run.live.as_deref(), Some(artifact.id()));
    let adopted = run.previous.clone().expect("the empty folder is kept as a release");
    assert!(adopted.starts_with("adopted-"), "{adopted}");
    assert!(std::fs::symlink_metadata(code.join("environments/production")).unwrap().file_type().is_symlink());
    assert!(code.join("environments/production/manifests/site.pp").is_file());
    assert!(code.join("releases/production").join(&adopted).join("modules").is_dir());

    let back = puppet_ci_deploy::rollback(&master, "production", None, Duration::ZERO, None);
    assert!(back.passed(), "{:#?}", back.cases);
    assert_eq!(live(&code, "production"), Some(adopted));
    assert!(!code.join("environments/production/manifests").exists(), "back on what puppetserver had");
}

#[test]
fn a_deploy_without_a_server_says_it_is_unverified() {
    let dir = tempfile::tempdir().unwrap();
    let repo = control_repo(dir.path(), "node default { }\n", None);
    let artifact = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    let run = puppet_ci_deploy::deploy(&artifact, &local_master(&dir.path().join("code")), &deploy_options("production"), &passes);
    assert!(run.passed(), "{:#?}", run.cases);
    let smoke = run.cases.iter().find(|case| case.name == "smoke test").unwrap();
    let reason = smoke.outcome.message().unwrap();
    assert!(reason.starts_with("UNVERIFIED: no puppetserver configured for this master (local; "), "{reason}");
    assert_eq!(run.unverified.as_deref(), Some(reason));
}

#[test]
fn a_lock_refusal_names_the_release_actually_live() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    let repo = control_repo(dir.path(), "node default { }\n", None);
    let first = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    let master = local_master(&code);
    assert!(puppet_ci_deploy::deploy(&first, &master, &deploy_options("production"), &passes).passed());
    commit_site_pp(&repo, "node default { notify { 'two': } }\n", "two");
    let second = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    let _held = LocalCodeDir::new(&code).lock("production", Duration::ZERO, "another deploy").unwrap();
    let run = puppet_ci_deploy::deploy(&second, &master, &deploy_options("production"), &passes);
    assert!(run.failure().unwrap().starts_with("another deploy holds the lock"), "{:#?}", run.cases);
    assert_eq!(run.live.as_deref(), Some(first.id()), "the message names the live release, not (none)");
    let run = puppet_ci_deploy::rollback(&master, "production", None, Duration::ZERO, None);
    assert_eq!(run.live.as_deref(), Some(first.id()));
}

#[test]
fn package_takes_the_control_repo_folder_of_a_larger_repository() {
    let dir = tempfile::tempdir().unwrap();
    forge_cache(dir.path());
    // The control repo is `fixtures/control-repo` inside a bigger repository, as in
    // puppet-ci's own checkout.
    let big = dir.path().join("big");
    let inner = big.join("fixtures/control-repo");
    write(&inner.join("manifests/site.pp"), "node default { include motd }\n");
    write(&inner.join("site/profile/manifests/base.pp"), "class profile::base { }\n");
    write(&inner.join("Puppetfile"), "mod 'example/motd', '1.0.0'\n");
    write(&big.join("README.md"), "not part of the control repo\n");
    git(&big, &["init", "--quiet"]);
    git(&big, &["add", "."]);
    git(&big, &["commit", "--quiet", "-m", "first"]);
    let artifact = package(&options(&inner, dir.path(), "HEAD")).unwrap();
    let modules: Vec<_> = artifact.metadata.modules.iter().map(|module| (module.name.as_str(), module.version.as_str())).collect();
    assert_eq!(modules, [("motd", "1.0.0")]);
    let tree = dir.path().join("unpacked");
    std::fs::create_dir(&tree).unwrap();
    artifact.unpack(&tree).unwrap();
    for path in ["manifests/site.pp", "site/profile/manifests/base.pp", "modules/motd/manifests/init.pp", "Puppetfile"] {
        assert!(tree.join(path).is_file(), "{path} is missing from the release");
    }
    assert!(!tree.join("README.md").exists() && !tree.join("fixtures").exists(), "only the control repo's own folder");
}

#[test]
fn package_refuses_a_release_without_a_manifest_or_with_an_empty_module() {
    let dir = tempfile::tempdir().unwrap();
    let cache = forge_cache(dir.path());
    let repo = control_repo(dir.path(), "node default { }\n", None);
    git(&repo, &["rm", "--quiet", "-r", "manifests"]);
    git(&repo, &["commit", "--quiet", "-m", "no manifest"]);
    let err = package(&options(&repo, dir.path(), "HEAD")).unwrap_err().to_string();
    assert!(err.contains(" would serve no code: no manifest: manifests (Puppet's default manifest folder) is not there"), "{err}");

    write(&repo.join("environment.conf"), "manifest = site.pp\n");
    write(&repo.join("manifests/site.pp"), "node default { }\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "manifest elsewhere"]);
    let err = package(&options(&repo, dir.path(), "HEAD")).unwrap_err().to_string();
    assert!(err.ends_with("no manifest: site.pp (the `manifest` of environment.conf) is not there; puppet-ci refuses to package or deploy it"), "{err}");

    write(&repo.join("environment.conf"), "modulepath = site:modules\n");
    write(&repo.join("Puppetfile"), "mod 'example/hollow', '1.0.0'\n");
    std::fs::create_dir_all(cache.join("example-hollow-1.0.0")).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "hollow module"]);
    let err = package(&options(&repo, dir.path(), "HEAD")).unwrap_err().to_string();
    assert_eq!(err, "module hollow: forge example-hollow (Puppetfile line 1) resolved to an empty folder: nothing to install");
    assert!(!dir.path().join("artifacts").read_dir().unwrap().any(|entry| entry.unwrap().file_name().to_string_lossy().ends_with(".tar.gz")), "nothing written");
}

#[test]
fn deploy_refuses_a_release_that_would_serve_no_code() {
    let dir = tempfile::tempdir().unwrap();
    let repo = control_repo(dir.path(), "node default { }\n", None);
    let good = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    // An artifact as an older puppet-ci packaged it from a subfolder: no manifests at all,
    // but a consistent id.
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    good.unpack(&tree).unwrap();
    std::fs::remove_dir_all(tree.join("manifests")).unwrap();
    std::fs::remove_dir_all(tree.join("site")).unwrap();
    let mut metadata = good.metadata.clone();
    metadata.id = puppet_ci_deploy::package::content_id(&tree).unwrap();
    write(&tree.join(".puppet-ci/release.json"), &serde_json::to_string(&metadata).unwrap());
    let hollow = dir.path().join(format!("{}.tar.gz", metadata.id));
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(std::fs::File::create(&hollow).unwrap(), flate2::Compression::fast()));
    builder.append_dir_all(".", &tree).unwrap();
    builder.into_inner().unwrap().finish().unwrap();

    let code = dir.path().join("code");
    let run = puppet_ci_deploy::deploy(&Artifact::open(&hollow).unwrap(), &local_master(&code), &deploy_options("production"), &passes);
    assert_eq!(run.failure(), Some(format!("release {} would serve no code: no manifest: manifests (Puppet's default manifest folder) is not there", metadata.id).as_str()));
    assert!(!run.passed());
    assert_eq!(live(&code, "production"), None, "nothing switched");
}

#[test]
fn pruning_removes_environments_of_deleted_branches() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    let repo = control_repo(dir.path(), "node default { }\n", None);
    let artifact = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    let master = local_master(&code);
    for environment in ["production", "feature_x", "feature_y"] {
        assert!(puppet_ci_deploy::deploy(&artifact, &master, &deploy_options(environment), &passes).passed());
    }
    write(&code.join("environments/handmade/manifests/site.pp"), "# not ours\n");
    let cases = puppet_ci_deploy::prune_environments(master.code_dir.as_ref(), &["production".into(), "feature_x".into()], Duration::ZERO).unwrap();
    assert_eq!(cases.len(), 1, "{cases:#?}");
    assert_eq!(cases[0].name, "remove environment feature_y (its branch is gone)");
    let mut left: Vec<_> = std::fs::read_dir(code.join("environments")).unwrap().map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["feature_x", "handmade", "production"]);
    assert!(!code.join("releases/feature_y").exists());
    // No branch found (a detached CI checkout): nothing is removed.
    let err = puppet_ci_deploy::prune_environments(master.code_dir.as_ref(), &[], Duration::ZERO).unwrap_err().to_string();
    assert!(err.starts_with("no branch to keep an environment for was found; refusing to remove every environment"), "{err}");
    assert!(code.join("environments/production").exists() && code.join("environments/feature_x").exists());
}
