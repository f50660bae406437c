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
