//! `puppet-ci package`, `deploy` and `rollback` against real puppetservers started by the
//! test (own ports, confdirs and CA), over SSH to a real sshd, and server cycling behind a
//! real haproxy. The servers start once for the whole file; each test uses environments
//! of its own. The figures the tests measure are printed (`--nocapture` shows them).

#![allow(clippy::print_stderr)]

mod deploy_support;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use deploy_support::*;
use puppet_ci_deploy::target::CodeDir;
use puppet_ci_deploy::{Artifact, LocalCodeDir};

fn deploy(repo: &ControlRepo, artifact: &Path, environment: &str, to: &str) -> (i32, String, String) {
    run(repo.cli().args(["deploy", "--artifact"]).arg(artifact).args(["-e", environment, "--to", to]))
}

/// A control repo deploying to ps1, with two releases packaged (r1, then r2).
struct TwoReleases {
    dir: tempfile::TempDir,
    repo: ControlRepo,
    r1: String,
    artifact1: std::path::PathBuf,
    r2: String,
    artifact2: std::path::PathBuf,
}

fn two_releases() -> TwoReleases {
    let world = world();
    let dir = tempfile::tempdir().unwrap();
    let repo = ControlRepo::new(dir.path(), &deploy_yaml(world, &[("ps1", &world.servers[0])], ""));
    repo.commit("r1", "");
    let (r1, artifact1) = repo.package();
    repo.commit("r2", "");
    let (r2, artifact2) = repo.package();
    assert_ne!(r1, r2);
    TwoReleases { dir, repo, r1, artifact1, r2, artifact2 }
}

/// `puppet-ci deploy` to ps1 whose check touches `marker` and then runs `then`.
fn deploy_with_slow_check(repo: &ControlRepo, artifact: &Path, environment: &str, marker: &Path, then: &str) -> std::process::Command {
    let mut command = repo.cli();
    command
        .args(["deploy", "--artifact"])
        .arg(artifact)
        .args(["-e", environment, "--to", "ps1", "--check-command"])
        .arg(format!("touch '{}'; {then}", marker.display()));
    command
}

fn names_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

fn wait_for(path: &Path, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !path.exists() {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn deploy_flush_smoke_rollback_and_an_agent_run() {
    let world = world();
    let ps1 = &world.servers[0];
    let TwoReleases { dir, repo, r1, artifact1, r2, artifact2 } = two_releases();

    let (code, stdout, stderr) = deploy(&repo, &artifact1, "t_main", "ps1");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(served(ps1, "t_main"), r1);
    let started = Instant::now();
    let (code, stdout, stderr) = deploy(&repo, &artifact2, "t_main", "ps1");
    let deploy_time = started.elapsed();
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains(&format!("environment t_main is on release {r2} (was {r1})")), "{stderr}");
    assert_eq!(served(ps1, "t_main"), r2);

    let started = Instant::now();
    let (code, stdout, stderr) = run(repo.cli().args(["rollback", "-e", "t_main", "--to", "ps1"]));
    let rollback_time = started.elapsed();
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains(&format!("environment t_main is on release {r1} (was {r2}), rolled back in")), "{stderr}");
    assert_eq!(served(ps1, "t_main"), r1);
    // Forward to a named release and back again, each checked with a catalog.
    for (arguments, expected) in [(vec!["--release", r2.as_str()], &r2), (vec![], &r1)] {
        let (code, stdout, stderr) = run(repo.cli().args(["rollback", "-e", "t_main", "--to", "ps1", "--smoke"]).args(arguments));
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert_eq!(&served(ps1, "t_main"), expected);
    }
    eprintln!(
        "figures: puppetservers ready in {:.1} s; deploy (puppet-ci deploy, flush and smoke test included) {:.2} s; rollback (puppet-ci rollback, process included) {:.3} s",
        world.startup.as_secs_f64(),
        deploy_time.as_secs_f64(),
        rollback_time.as_secs_f64()
    );

    // A real agent gets the live release's code.
    let agent = dir.path().join("agent");
    for (from, to) in [("certs/ca.pem", "certs/ca.pem"), ("certs/agent1.pem", "certs/agent1.pem"), ("private_keys/agent1.pem", "private_keys/agent1.pem")] {
        std::fs::create_dir_all(agent.join("ssl").join(to).parent().unwrap()).unwrap();
        std::fs::copy(world.pki.ssldir.join(from), agent.join("ssl").join(to)).unwrap();
    }
    std::fs::copy(world.pki.ssldir.join("../ca/ca_crl.pem"), agent.join("ssl/crl.pem")).unwrap();
    write(
        &agent.join("puppet.conf"),
        &format!(
            "[main]\nconfdir = {a}\nvardir = {a}/var\nrundir = {a}/run\nlogdir = {a}/log\nssldir = {a}/ssl\ncertname = agent1\nserver = 127.0.0.1\nmasterport = {}\nreport = false\nusecacheonfailure = false\n",
            ps1.port,
            a = agent.display()
        ),
    );
    let (code, stdout, stderr) = run(std::process::Command::new("puppet").args(["agent", "--test", "--noop", "--environment", "t_main", "--confdir"]).arg(&agent));
    assert!(code == 0 || code == 2, "puppet agent exited {code}: {stdout}{stderr}");
    assert!(stdout.contains("Notify[release r1]"), "{stdout}{stderr}");
    assert!(!stdout.contains("release r2"), "{stdout}");
}

#[test]
fn the_master_serves_cached_code_until_the_flush() {
    let world = world();
    let ps1 = &world.servers[0];
    let TwoReleases { dir: _dir, repo, r1, artifact1, r2, artifact2 } = two_releases();
    let (code, stdout, stderr) = deploy(&repo, &artifact1, "t_cache", "ps1");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(served(ps1, "t_cache"), r1);
    // Switch by hand, without the flush: the master keeps compiling r1.
    let release = ps1.code_dir.join("releases/t_cache").join(&r2);
    std::fs::create_dir_all(&release).unwrap();
    Artifact::open(&artifact2).unwrap().unpack(&release).unwrap();
    LocalCodeDir::new(&ps1.code_dir).switch("t_cache", &r2).unwrap();
    assert_eq!(served(ps1, "t_cache"), r1, "environment_timeout = unlimited: cached until flushed");
    ps1.client(&world.pki.deployer).flush_environment("t_cache").unwrap();
    assert_eq!(served(ps1, "t_cache"), r2);
}

#[test]
fn a_deploy_killed_before_the_switch_leaves_the_old_release_serving() {
    let world = world();
    let ps1 = &world.servers[0];
    let TwoReleases { dir, repo, r1, artifact1, r2, artifact2 } = two_releases();
    assert_eq!(deploy(&repo, &artifact1, "t_kill", "ps1").0, 0);

    let marker = dir.path().join("checking");
    let mut child = deploy_with_slow_check(&repo, &artifact2, "t_kill", &marker, "exec sleep 120")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    wait_for(&marker, "the deploy's check");
    // The release is unpacked and being checked: kill the deploy and its check.
    let killed = std::process::Command::new("kill").args(["-9", "--", &format!("-{}", child.id())]).status().unwrap();
    assert!(killed.success());
    child.wait().unwrap();
    assert_eq!(served(ps1, "t_kill"), r1);
    let releases = ps1.code_dir.join("releases/t_kill");
    let names = names_in(&releases);
    assert!(names.iter().any(|name| name.starts_with(".partial-")), "the half-done unpack is still there: {names:?}");
    assert!(!names.contains(&r2), "no release folder for the killed deploy: {names:?}");
    assert_eq!(std::fs::read_link(ps1.code_dir.join("environments/t_kill")).unwrap(), Path::new("../releases/t_kill").join(&r1));

    // The next deploy cleans up and goes through.
    let (code, stdout, stderr) = deploy(&repo, &artifact2, "t_kill", "ps1");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(served(ps1, "t_kill"), r2);
    let names = names_in(&releases);
    assert!(!names.iter().any(|name| name.starts_with(".partial-")), "{names:?}");
}

#[test]
fn two_deploys_at_once_one_is_refused() {
    let world = world();
    let ps1 = &world.servers[0];
    let TwoReleases { dir, repo, r1, artifact1, .. } = two_releases();
    let marker = dir.path().join("checking");
    let first = deploy_with_slow_check(&repo, &artifact1, "t_lock", &marker, "sleep 3")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&marker, "the first deploy's check");
    let (code, stdout, stderr) = deploy(&repo, &artifact1, "t_lock", "ps1");
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.contains("another deploy holds the lock") && stdout.contains("puppet-ci deploy of"), "{stdout}{stderr}");
    let output = first.wait_with_output().unwrap();
    assert!(output.status.success(), "{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(served(ps1, "t_lock"), r1);
}

#[test]
fn a_release_failing_validate_is_not_switched_to() {
    let world = world();
    let ps1 = &world.servers[0];
    let TwoReleases { dir: _dir, repo, r1, artifact1, .. } = two_releases();
    assert_eq!(deploy(&repo, &artifact1, "t_check", "ps1").0, 0);
    write(&repo.root.join("site/profile/manifests/base.pp"), "class profile::base {\n  notify { 'unclosed':\n}\n");
    git(&repo.root, &["commit", "--quiet", "-am", "broken"]);
    let (broken, artifact2) = repo.package();
    let (code, stdout, stderr) = deploy(&repo, &artifact2, "t_check", "ps1");
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("the release fails validate") && stdout.contains("site/profile/manifests/base.pp:"), "{stdout}{stderr}");
    assert_eq!(served(ps1, "t_check"), r1);
    assert!(!ps1.code_dir.join("releases/t_check").join(&broken).exists());
}

#[test]
fn bad_masters_and_certificates_switch_nothing() {
    let world = world();
    let ps1 = &world.servers[0];
    let TwoReleases { dir: _dir, repo, artifact1: artifact, .. } = two_releases();
    let code_dir = ps1.code_dir.to_str().unwrap();

    let closed = format!("https://127.0.0.1:{}", free_port());
    let (code, stdout, stderr) = run(repo.cli().args(["deploy", "--artifact"]).arg(&artifact).args(["-e", "t_bad", "--to", code_dir, "--server", &closed]));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.contains(&format!("cannot reach the puppet master at {closed}")) && stdout.contains("is the puppetserver running"), "{stdout}{stderr}");
    assert!(!ps1.code_dir.join("environments/t_bad").exists());

    let intruder = &world.pki.intruder;
    let (code, stdout, stderr) = run(repo.cli()
        .args(["deploy", "--artifact"])
        .arg(&artifact)
        .args(["-e", "t_bad", "--to", code_dir, "--server", &ps1.url, "--cert"])
        .arg(&intruder.cert)
        .arg("--key")
        .arg(&intruder.key));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.contains("did not accept puppet-ci's client certificate"), "{stdout}{stderr}");
    assert!(!ps1.code_dir.join("environments/t_bad").exists());

    // The agent's certificate is valid but auth.conf does not allow it on the admin API.
    let (code, stdout, stderr) = run(repo.cli()
        .args(["deploy", "--artifact"])
        .arg(&artifact)
        .args(["-e", "t_bad", "--to", code_dir, "--server", &ps1.url, "--cert"])
        .arg(world.pki.ssldir.join("certs/agent1.pem"))
        .arg("--key")
        .arg(world.pki.ssldir.join("private_keys/agent1.pem")));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.contains("HTTP 403 Forbidden (the master's auth.conf must allow puppet-ci's certificate here"), "{stdout}{stderr}");
    assert!(!ps1.code_dir.join("environments/t_bad").exists());
}

#[test]
fn a_full_disk_switches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    std::fs::create_dir(&code).unwrap();
    // A real ENOSPC: a 256 KiB tmpfs (root, or passwordless sudo as tests/setup uses).
    sh(&format!("mount -t tmpfs -o size=256k tmpfs '{0}' 2>/dev/null || sudo -n mount -t tmpfs -o size=256k tmpfs '{0}'", code.display()));
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("sh").arg("-c").arg(format!("umount '{0}' 2>/dev/null || sudo -n umount '{0}'", self.0.display())).status();
        }
    }
    let _unmount = Unmount(code.clone());
    let repo = ControlRepo::new(dir.path(), "");
    repo.commit("r1", "");
    let (r1, artifact1) = repo.package();
    // r2 carries a file bigger than what is left on the code dir's disk.
    let big: String = (0..6000).map(|n| format!("# filler line {n} to make the release large\n")).collect();
    write(&repo.root.join("site/profile/manifests/big.pp"), &format!("{big}class profile::big {{ }}\n"));
    repo.commit("r2", "");
    let (_, artifact2) = repo.package();
    let code_dir = code.to_str().unwrap();
    let (status, stdout, stderr) = run(repo.cli().args(["deploy", "--artifact"]).arg(&artifact1).args(["-e", "production", "--to", code_dir]));
    assert_eq!(status, 0, "{stdout}{stderr}");
    let (status, stdout, stderr) = run(repo.cli().args(["deploy", "--artifact"]).arg(&artifact2).args(["-e", "production", "--to", code_dir]));
    assert_eq!(status, 2, "{stdout}{stderr}");
    assert!(stdout.contains("No space left on device"), "{stdout}{stderr}");
    assert_eq!(LocalCodeDir::new(&code).live("production").unwrap().as_deref(), Some(r1.as_str()));
    let names = names_in(&code.join("releases/production"));
    assert!(!names.iter().any(|name| name.starts_with(".partial")), "{names:?}");
}

/// An sshd on a loopback port with its own host key, letting in a key made here.
struct Sshd {
    port: u16,
    identity: std::path::PathBuf,
    known_hosts: std::path::PathBuf,
}

fn start_sshd(dir: &Path) -> Sshd {
    let ssh = dir.join("ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    std::fs::create_dir_all("/run/sshd").unwrap();
    sh(&format!("ssh-keygen -q -t ed25519 -N '' -f '{0}/host' && ssh-keygen -q -t ed25519 -N '' -f '{0}/client' && cp '{0}/client.pub' '{0}/authorized_keys'", ssh.display()));
    let port = free_port();
    write(
        &ssh.join("sshd_config"),
        &format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {s}/host\nAuthorizedKeysFile {s}/authorized_keys\nPidFile {s}/sshd.pid\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n",
            s = ssh.display()
        ),
    );
    start_guarded(&format!("exec /usr/sbin/sshd -D -e -f '{}'", ssh.join("sshd_config").display()), &ssh.join("sshd.log"), None);
    let host_key = std::fs::read_to_string(ssh.join("host.pub")).unwrap();
    let known_hosts = ssh.join("known_hosts");
    write(&known_hosts, &format!("[127.0.0.1]:{port} {host_key}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "sshd did not start: {}", std::fs::read_to_string(ssh.join("sshd.log")).unwrap_or_default());
        std::thread::sleep(Duration::from_millis(100));
    }
    Sshd { port, identity: ssh.join("client"), known_hosts }
}

#[test]
fn deploy_and_rollback_over_ssh() {
    let world = world();
    let ps2 = &world.servers[1];
    let dir = tempfile::tempdir().unwrap();
    let sshd = start_sshd(dir.path());
    let repo = ControlRepo::new(dir.path(), &deploy_yaml(world, &[], ""));
    repo.commit("r1", "");
    let (r1, artifact1) = repo.package();
    repo.commit("r2", "");
    let (r2, artifact2) = repo.package();
    let user = sh("id -un").trim().to_string();
    let target = format!("ssh://{user}@127.0.0.1:{}{}", sshd.port, ps2.code_dir.display());
    let over_ssh = |arguments: &[&str]| {
        run(bin()
            .arg("--root")
            .arg(&repo.root)
            .args(arguments)
            .args(["--to", &target, "--server", &ps2.url, "--ssh-identity"])
            .arg(&sshd.identity)
            .arg("--ssh-known-hosts")
            .arg(&sshd.known_hosts))
    };
    for (artifact, id) in [(&artifact1, &r1), (&artifact2, &r2)] {
        let (code, stdout, stderr) = over_ssh(&["deploy", "--artifact", artifact.to_str().unwrap(), "-e", "t_ssh"]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert_eq!(&served(ps2, "t_ssh"), id);
    }
    let started = Instant::now();
    let (code, stdout, stderr) = over_ssh(&["rollback", "-e", "t_ssh"]);
    let rollback_time = started.elapsed();
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(served(ps2, "t_ssh"), r1);
    eprintln!("figures: rollback over ssh {:.3} s", rollback_time.as_secs_f64());
    // The lock works across hosts too: hold it on the remote side, a deploy is refused.
    let holder = std::process::Command::new("flock")
        .arg(ps2.code_dir.join("releases/t_ssh/.lock"))
        .args(["sleep", "5"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let (code, stdout, stderr) = over_ssh(&["deploy", "--artifact", artifact2.to_str().unwrap(), "-e", "t_ssh"]);
    let mut holder = holder;
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.contains("another deploy holds the lock"), "{stdout}{stderr}");
    assert_eq!(served(ps2, "t_ssh"), r1);
}

#[test]
fn server_cycling_behind_haproxy() {
    let world = world();
    let (ps1, ps2) = (&world.servers[0], &world.servers[1]);
    let dir = tempfile::tempdir().unwrap();
    // Only ps1 has the `vault` module on its basemodulepath: a release that needs it
    // fails its smoke test on ps2.
    write(&ps1.code_dir.join("modules/vault/manifests/init.pp"), "class vault {\n  notify { 'vault': }\n}\n");
    let port = free_port();
    let socket = dir.path().join("haproxy.sock");
    write(
        &dir.path().join("haproxy.cfg"),
        &format!(
            "global\n  stats socket {} mode 600 level admin\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\nfrontend puppet\n  bind 127.0.0.1:{port}\n  default_backend puppet\nbackend puppet\n  balance roundrobin\n  server ps1 127.0.0.1:{}\n  server ps2 127.0.0.1:{}\n",
            socket.display(),
            ps1.port,
            ps2.port
        ),
    );
    start_guarded(&format!("exec haproxy -db -f '{}'", dir.path().join("haproxy.cfg").display()), &dir.path().join("haproxy.log"), None);
    wait_for(&socket, "haproxy's admin socket");
    let haproxy_yaml = format!("  haproxy: {{socket: {}, drain_timeout: 5}}\n", socket.display());
    let repo = ControlRepo::new(dir.path(), &deploy_yaml(world, &[("ps1", ps1), ("ps2", ps2)], &haproxy_yaml));
    let roll = |artifact: &Path| run(repo.cli().args(["deploy", "--artifact"]).arg(artifact).args(["-e", "t_cycle"]));
    repo.commit("r1", "");
    let (_, artifact1) = repo.package();
    let (code, stdout, stderr) = roll(&artifact1);
    assert_eq!(code, 0, "{stdout}{stderr}");

    // Catalogs through haproxy, all through the next two rolls.
    let stop = Arc::new(AtomicBool::new(false));
    let counter = {
        let stop = Arc::clone(&stop);
        let client = puppet_ci_deploy::ServerClient::new(&format!("https://127.0.0.1:{port}"), &world.pki.deployer, Duration::from_secs(60)).unwrap();
        std::thread::spawn(move || {
            let (mut passed, mut failed) = (0, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                match client.compile("t_cycle", "node2.example.com", &serde_json::json!({})) {
                    Ok(_) => passed += 1,
                    Err(err) => failed.push(err.to_string()),
                }
            }
            (passed, failed)
        })
    };
    repo.commit("r2", "");
    let (r2, artifact2) = repo.package();
    let (code, stdout, stderr) = roll(&artifact2);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!((served(ps1, "t_cycle"), served(ps2, "t_cycle")), (r2.clone(), r2.clone()));

    repo.commit("r3", "  include vault\n");
    let (r3, artifact3) = repo.package();
    let (code, stdout, stderr) = roll(&artifact3);
    stop.store(true, Ordering::Relaxed);
    let (passed, failed) = counter.join().unwrap();
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains(&format!("deploy: ps1: environment t_cycle is on release {r3} (was {r2})")), "{stderr}");
    assert!(stderr.contains("deploy: ps2: FAILED: ") && stderr.contains(&format!("environment t_cycle is on release {r2}")), "{stderr}");
    assert!(stdout.contains("vault"), "the report shows why: {stdout}");
    assert_eq!(served(ps1, "t_cycle"), r3);
    assert_eq!(served(ps2, "t_cycle"), r2);
    assert!(failed.is_empty(), "{} of {} catalogs through haproxy failed during the rolls: {failed:?}", failed.len(), passed + failed.len());
    assert!(passed > 0);
    eprintln!("figures: {passed} catalogs through haproxy during two rolls, 0 failed");
    // Both masters are back in rotation.
    let stat = puppet_ci_deploy::haproxy::AdminSocket::new(&socket).command("show stat").unwrap();
    for server in ["ps1", "ps2"] {
        let line = stat.lines().find(|line| line.starts_with(&format!("puppet,{server},"))).unwrap();
        assert!(line.contains(",UP,") || line.contains(",no check,"), "{server} is back in rotation: {line}");
    }
}

#[test]
fn a_fresh_master_and_an_r10k_environment_are_adopted_over_ssh() {
    let world = world();
    let ps2 = &world.servers[1];
    let dir = tempfile::tempdir().unwrap();
    let sshd = start_sshd(dir.path());
    let repo = ControlRepo::new(dir.path(), &deploy_yaml(world, &[], ""));
    repo.commit("r1", "");
    let (r1, artifact1) = repo.package();
    let user = sh("id -un").trim().to_string();
    let target = format!("ssh://{user}@127.0.0.1:{}{}", sshd.port, ps2.code_dir.display());
    let over_ssh = |arguments: &[&str]| {
        run(bin()
            .arg("--root")
            .arg(&repo.root)
            .args(arguments)
            .args(["--to", &target, "--server", &ps2.url, "--ssh-identity"])
            .arg(&sshd.identity)
            .arg("--ssh-known-hosts")
            .arg(&sshd.known_hosts))
    };
    // What puppetserver's first start left: environments/production, a plain folder
    // with no file in it. The first deploy adopts it without being asked.
    let production = ps2.code_dir.join("environments/production");
    assert!(production.is_dir() && !std::fs::symlink_metadata(&production).unwrap().file_type().is_symlink(), "puppetserver made no production folder");
    let (code, stdout, stderr) = over_ssh(&["deploy", "--artifact", artifact1.to_str().unwrap(), "-e", "production"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains(&format!("environment production is on release {r1} (was adopted-")), "{stderr}");
    assert_eq!(served(ps2, "production"), r1);

    // An r10k deploy: refused without --adopt, adopted with it; the rollback returns to it.
    write(&ps2.code_dir.join("environments/t_r10k/manifests/site.pp"), "node default { notify { 'from r10k': } }\n");
    let (code, stdout, stderr) = over_ssh(&["deploy", "--artifact", artifact1.to_str().unwrap(), "-e", "t_r10k"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("deploy with --adopt"), "{stdout}{stderr}");
    let (code, stdout, stderr) = over_ssh(&["deploy", "--adopt", "--artifact", artifact1.to_str().unwrap(), "-e", "t_r10k"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(served(ps2, "t_r10k"), r1);
    let (code, stdout, stderr) = over_ssh(&["rollback", "-e", "t_r10k"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let site = std::fs::read_to_string(ps2.code_dir.join("environments/t_r10k/manifests/site.pp")).unwrap();
    assert!(site.contains("from r10k"), "{site}");
    assert_ne!(served(ps2, "t_r10k"), r1, "the master serves the adopted folder again");
}
