//! What a new user does first, from the root of a puppet-ci checkout: `puppet-ci package`
//! and `puppet-ci deploy --to DIR` on the bundled example. The example control repo is a
//! folder inside this repository, the case that used to package an empty release (only
//! `environment.conf` and puppet-ci's own files) and deploy it as a success.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn puppet_ci(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_puppet-ci")).current_dir(project()).env_remove("PUPPET_CI_ROOT").args(args).output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn package_and_deploy_the_bundled_example_from_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    let artifacts = dir.path().join("artifacts");
    let package = puppet_ci(&["package", "--output", artifacts.to_str().unwrap()]);
    assert_eq!(package.status.code(), Some(0), "{}", text(&package));
    let stdout = String::from_utf8_lossy(&package.stdout);
    let (id, artifact) = stdout.trim().split_once(' ').unwrap();
    assert!(String::from_utf8_lossy(&package.stderr).contains("with 1 Puppetfile module(s)"), "{}", text(&package));

    let code = dir.path().join("code");
    let deploy = puppet_ci(&["deploy", "--artifact", artifact, "-e", "production", "--to", code.to_str().unwrap()]);
    assert_eq!(deploy.status.code(), Some(0), "{}", text(&deploy));
    let environment = code.join("environments/production");
    assert_eq!(std::fs::read_link(&environment).unwrap(), Path::new("../releases/production").join(id));
    for path in ["manifests/site.pp", "site/role/manifests/web.pp", "site/profile", "modules/motd/manifests/init.pp", "hiera.yaml", "data"] {
        assert!(environment.join(path).exists(), "{path} is not in the deployed environment");
    }

    // Puppet itself accepts every manifest of what was deployed.
    let manifests: Vec<PathBuf> = walkdir::WalkDir::new(&environment)
        .follow_links(true)
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "pp"))
        .collect();
    assert!(manifests.len() >= 5, "{manifests:?}");
    let validate = Command::new("puppet").args(["parser", "validate"]).args(&manifests).output().unwrap();
    assert!(validate.status.success(), "puppet parser validate: {}", text(&validate));
}

/// Packages the bundled example into `dir/artifacts`; returns the release id and artifact.
fn package_example(dir: &Path) -> (String, String) {
    let artifacts = dir.join("artifacts");
    let package = puppet_ci(&["package", "--output", artifacts.to_str().unwrap()]);
    assert_eq!(package.status.code(), Some(0), "{}", text(&package));
    let stdout = String::from_utf8_lossy(&package.stdout).into_owned();
    let (id, artifact) = stdout.trim().split_once(' ').unwrap();
    (id.to_string(), artifact.to_string())
}

#[test]
fn a_deploy_without_a_server_is_reported_unverified() {
    let dir = tempfile::tempdir().unwrap();
    let (id, artifact) = package_example(dir.path());
    let code = dir.path().join("code");
    let deploy = puppet_ci(&["deploy", "--artifact", &artifact, "-e", "production", "--to", code.to_str().unwrap()]);
    assert_eq!(deploy.status.code(), Some(0), "{}", text(&deploy));
    let stderr = String::from_utf8_lossy(&deploy.stderr);
    assert!(stderr.contains(&format!("environment production is on release {id} (was (none))")), "{stderr}");
    assert!(stderr.contains("; UNVERIFIED: no puppetserver configured for this master"), "{stderr}");
}

#[test]
fn deploy_adopt_takes_over_an_r10k_folder_and_rollback_returns_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let (id, artifact) = package_example(dir.path());
    let code = dir.path().join("code");
    let r10k = code.join("environments/production/manifests");
    std::fs::create_dir_all(&r10k).unwrap();
    std::fs::write(r10k.join("site.pp"), "# deployed by r10k\n").unwrap();
    let to = code.to_str().unwrap();

    let refused = puppet_ci(&["deploy", "--artifact", &artifact, "-e", "production", "--to", to]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("deploy with --adopt to keep it as a release of its own"), "{}", text(&refused));
    assert_eq!(std::fs::read_to_string(r10k.join("site.pp")).unwrap(), "# deployed by r10k\n");

    let adopted = puppet_ci(&["deploy", "--adopt", "--artifact", &artifact, "-e", "production", "--to", to]);
    assert_eq!(adopted.status.code(), Some(0), "{}", text(&adopted));
    let stderr = String::from_utf8_lossy(&adopted.stderr);
    let was = stderr.split(&format!("is on release {id} (was ")).nth(1).and_then(|rest| rest.split(')').next()).unwrap_or_default().to_string();
    assert!(was.starts_with("adopted-"), "{stderr}");
    assert!(code.join("environments/production/site/role").is_dir());

    let rollback = puppet_ci(&["rollback", "-e", "production", "--to", to]);
    assert_eq!(rollback.status.code(), Some(0), "{}", text(&rollback));
    assert!(String::from_utf8_lossy(&rollback.stderr).contains(&format!("environment production is on release {was} (was {id})")), "{}", text(&rollback));
    assert_eq!(std::fs::read_to_string(code.join("environments/production/manifests/site.pp")).unwrap(), "# deployed by r10k\n");
}

#[test]
fn a_deploy_refused_for_the_lock_names_the_release_live() {
    use puppet_ci_deploy::target::CodeDir;
    let dir = tempfile::tempdir().unwrap();
    let (id, artifact) = package_example(dir.path());
    let code = dir.path().join("code");
    let to = code.to_str().unwrap();
    let first = puppet_ci(&["deploy", "--artifact", &artifact, "-e", "production", "--to", to]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let _held = puppet_ci_deploy::LocalCodeDir::new(&code).lock("production", std::time::Duration::ZERO, "the test").unwrap();
    let second = puppet_ci(&["deploy", "--artifact", &artifact, "-e", "production", "--to", to]);
    assert_eq!(second.status.code(), Some(2), "{}", text(&second));
    assert!(text(&second).contains(&format!("(the test); waited 0.0 s. Try again when it is done, or pass --lock-timeout to wait longer; environment production is on release {id}")), "{}", text(&second));
}
