//! How long a local deploy and a rollback take, without a puppetserver: packages a small
//! control repo made in a temporary folder, deploys two releases to a local code dir, then
//! rolls back and forward N times. Run:
//! `cargo run --release -p puppet_ci_deploy --example switch_speed -- [N]`

#![allow(clippy::print_stdout)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use puppet_ci_deploy::deploy::{DeployOptions, Smoke};
use puppet_ci_deploy::{package, CodeDir, LocalCodeDir, Master, PackageOptions};

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn main() {
    let rounds: u32 = std::env::args().nth(1).and_then(|text| text.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let repo = dir.path().join("control-repo");
    // About the size of a small real control repo: 300 classes.
    for number in 0..300 {
        let file = repo.join(format!("site/profile/manifests/p{number}.pp"));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, format!("class profile::p{number} (String $value = 'v{number}') {{\n  notify {{ \"p{number} ${{value}}\": }}\n}}\n")).unwrap();
    }
    std::fs::create_dir_all(repo.join("manifests")).unwrap();
    git(dir.path(), &["init", "--quiet", repo.to_str().unwrap()]);
    let code = dir.path().join("code");
    let master = Master { name: "local".into(), code_dir: Box::new(LocalCodeDir::new(&code)), server: None, haproxy_server: None };
    let options = DeployOptions {
        environment: "production".into(),
        keep_releases: 5,
        lock_wait: Duration::ZERO,
        smoke: Smoke { certname: "bench".into(), facts: serde_json::json!({}) },
        adopt: false,
    };
    let pass = |_: &Path| Ok(());
    for release in ["r1", "r2"] {
        std::fs::write(repo.join("manifests/site.pp"), format!("node default {{ notify {{ '{release}': }} }}\n")).unwrap();
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "--quiet", "-m", release]);
        let started = Instant::now();
        let artifact = package(&PackageOptions { root: repo.clone(), reference: "HEAD".into(), forge_cache: None, output_dir: dir.path().join("artifacts") }).expect("packages");
        let packaged = started.elapsed();
        let started = Instant::now();
        let run = puppet_ci_deploy::deploy(&artifact, &master, &options, &pass);
        assert!(run.passed(), "{:?}", run.failure());
        println!("{release}: package {:.1} ms, deploy (unpack, check, switch) {:.1} ms", packaged.as_secs_f64() * 1e3, started.elapsed().as_secs_f64() * 1e3);
    }
    let mut total = Duration::ZERO;
    let mut worst = Duration::ZERO;
    let code_dir = LocalCodeDir::new(&code);
    let releases = code_dir.releases("production").expect("releases");
    for _ in 0..rounds {
        // Switch to the release that is not live: what `puppet-ci rollback` does.
        let live = code_dir.live("production").expect("live").expect("deployed");
        let other = releases.iter().find(|id| **id != live).expect("two releases");
        let started = Instant::now();
        let run = puppet_ci_deploy::rollback(&master, "production", Some(other), Duration::ZERO, None);
        let elapsed = started.elapsed();
        assert!(run.passed(), "{:?}", run.failure());
        total += elapsed;
        worst = worst.max(elapsed);
    }
    println!(
        "{rounds} rollbacks (lock, read state, switch, history; no puppetserver): mean {:.3} ms, worst {:.3} ms",
        total.as_secs_f64() * 1e3 / f64::from(rounds),
        worst.as_secs_f64() * 1e3
    );
}
