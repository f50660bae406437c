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
fn an_unmanaged_environment_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    write(&code.join("environments/production/manifests/site.pp"), "# deployed by r10k\n");
    let repo = control_repo(dir.path(), "node default { }\n", None);
    let artifact = package(&options(&repo, dir.path(), "HEAD")).unwrap();
    let run = puppet_ci_deploy::deploy(&artifact, &local_master(&code), &deploy_options("production"), &passes);
    let failure = run.failure().unwrap();
    assert!(failure.ends_with("is a folder puppet-ci does not manage (r10k's?); move it away before the first puppet-ci deploy of production"), "{failure}");
    assert_eq!(std::fs::read_to_string(code.join("environments/production/manifests/site.pp")).unwrap(), "# deployed by r10k\n");
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
}
