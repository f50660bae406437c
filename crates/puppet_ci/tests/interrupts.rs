//! Stopping puppet-ci half-way leaves nothing behind: SIGTERM (a CI system cancelling the
//! job), SIGHUP (a closed terminal) and SIGINT (Ctrl-C) at container creation, during an
//! apply and during the checks, of `dynamic` and of `integration`, and during a base
//! image build. Each run must say so, exit non-zero, and leave no container, network,
//! process, mount or half-written folder. A timed-out apply is stopped before the checks
//! run. Needs the Docker engine; the roles run in the example's db image (built once per
//! machine, reused here).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn docker(args: &[&str]) -> String {
    let output = Command::new("docker").args(args).output().expect("the docker CLI runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The example control repo with two more roles: `role::slow`, whose apply sleeps five
/// minutes, and `role::quick`, which applies nothing. `yaml` is its puppet-ci.yaml, where
/// `PACKAGES` stands for the db role's packages (so the roles share its image).
fn control_repo(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&workspace().join("fixtures/control-repo"), dir.path());
    copy_tree(&workspace().join("fixtures/container-broken/slow-apply"), dir.path());
    std::fs::write(dir.path().join("site/role/manifests/quick.pp"), "# @summary A role with nothing to apply.\nclass role::quick {\n}\n").unwrap();
    let example = puppet_ci_config::Config::load(&workspace().join("fixtures/control-repo")).unwrap();
    let packages = format!("{:?}", example.role("role::db").unwrap().packages);
    std::fs::write(dir.path().join("puppet-ci.yaml"), yaml.replace("PACKAGES", &packages)).unwrap();
    dir
}

/// puppet-ci running in the background, its stderr collected as it comes.
struct Running {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

fn start(root: &Path, args: &[&str], tmpdir: Option<&Path>) -> Running {
    let mut command = Command::new(env!("CARGO_BIN_EXE_puppet-ci"));
    command.arg("--root").arg(root).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(tmpdir) = tmpdir {
        command.env("TMPDIR", tmpdir);
    }
    let mut child = command.spawn().unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let pipe = child.stderr.take().unwrap();
    let collected = stderr.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut text = collected.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    });
    Running { child, stderr }
}

impl Running {
    /// Every container and network of this process's runs is named `puppet-ci-<pid>-...`.
    fn prefix(&self) -> String {
        format!("puppet-ci-{}-", self.child.id())
    }

    fn containers(&self) -> Vec<String> {
        docker(&["ps", "-a", "--filter", &format!("name={}", self.prefix()), "--format", "{{.Names}}"]).lines().map(String::from).collect()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits (up to ten minutes: the first run may build the image) until `ready` holds.
    fn wait_until(&self, what: &str, ready: impl Fn(&Self) -> bool) {
        let started = Instant::now();
        while !ready(self) {
            assert!(started.elapsed() < Duration::from_secs(600), "{what} never happened:\n{}", self.stderr());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// True when a process of one of the run's containers has `text` in its command line.
    fn runs_in_a_container(&self, text: &str) -> bool {
        self.containers().iter().any(|name| docker(&["top", name, "-eo", "pid,args"]).contains(text))
    }

    fn signal(&self, signal: &str) {
        assert!(Command::new("kill").args([&format!("-{signal}"), &self.child.id().to_string()]).status().unwrap().success());
    }

    /// Waits for the end of the run (it must come soon after a signal).
    fn finish(self) -> (Output, String) {
        let prefix = self.prefix();
        let Running { child, stderr } = self;
        let output = child.wait_with_output().unwrap();
        // The reader thread may still hold the last lines for a moment.
        std::thread::sleep(Duration::from_millis(200));
        let stderr = stderr.lock().unwrap().clone();
        (output, format!("{stderr}\n(run prefix {prefix})"))
    }
}

/// Nothing of the run is left: no container (running or not), no network.
fn assert_nothing_left(prefix: &str) {
    let containers = docker(&["ps", "-a", "--filter", &format!("name={prefix}"), "--format", "{{.Names}} {{.Status}}"]);
    assert_eq!(containers.trim(), "", "containers left behind");
    let networks = docker(&["network", "ls", "--filter", &format!("name={prefix}"), "--format", "{{.Name}}"]);
    assert_eq!(networks.trim(), "", "networks left behind");
}

/// Sends `signal` once `ready` holds, and checks the run stops, says so, exits 2 and
/// leaves nothing.
fn interrupt(root: &Path, args: &[&str], signal: &str, what: &str, ready: impl Fn(&Running) -> bool) {
    let running = start(root, args, None);
    let prefix = running.prefix();
    running.wait_until(what, ready);
    let sent = Instant::now();
    running.signal(signal);
    let (output, stderr) = running.finish();
    let stopped_in = sent.elapsed();
    let said = if signal == "INT" { "Ctrl-C".to_string() } else { format!("SIG{signal}") };
    assert_eq!(output.status.code(), Some(2), "{what}, SIG{signal}: {stderr}");
    assert!(stderr.contains(&format!("puppet-ci: error: interrupted ({said}); removed what the run created")), "{what}, SIG{signal}: {stderr}");
    assert!(stopped_in < Duration::from_secs(60), "{what}, SIG{signal}: took {stopped_in:?} to stop");
    assert_nothing_left(&prefix);
}

const SLOW: &str = "roles:\n  - name: role::slow\n    packages: PACKAGES\n";

/// role::quick with a check that runs two minutes.
const QUICK_WITH_A_LONG_CHECK: &str =
    "roles:\n  - name: role::quick\n    packages: PACKAGES\n    check_timeout: 600\n    checks:\n      - command: {run: 'sleep 120'}\n";

#[test]
fn dynamic_stops_cleanly_on_each_signal_at_each_step() {
    let slow = control_repo(SLOW);
    interrupt(slow.path(), &["dynamic"], "TERM", "dynamic: container creation", |run| !run.containers().is_empty());
    interrupt(slow.path(), &["dynamic"], "TERM", "dynamic: apply", |run| run.runs_in_a_container("sleep 300"));
    interrupt(slow.path(), &["dynamic"], "HUP", "dynamic: apply", |run| run.runs_in_a_container("sleep 300"));
    let quick = control_repo(QUICK_WITH_A_LONG_CHECK);
    interrupt(quick.path(), &["dynamic"], "TERM", "dynamic: checks", |run| run.runs_in_a_container("sleep 120"));
    interrupt(quick.path(), &["dynamic"], "INT", "dynamic: checks", |run| run.runs_in_a_container("sleep 120"));
}

#[test]
fn integration_stops_cleanly_on_each_signal_at_each_step() {
    let nodes = |role: &str| format!("{SLOW}  - name: role::quick\n    packages: PACKAGES\nintegration:\n  check_timeout: 600\n  nodes:\n    - {{name: a, role: {role}}}\n");
    let slow = control_repo(&nodes("role::slow"));
    interrupt(slow.path(), &["integration"], "HUP", "integration: container creation", |run| !run.containers().is_empty());
    interrupt(slow.path(), &["integration"], "TERM", "integration: apply", |run| run.runs_in_a_container("sleep 300"));
    // A check that cannot pass, retried for ten minutes: nothing listens on port 9.
    let checks = control_repo(&format!("{}  checks:\n    - tcp: {{from: a, host: a, port: 9}}\n", nodes("role::quick")));
    let in_checks = |run: &Running| run.stderr().contains("first apply:") && {
        std::thread::sleep(Duration::from_secs(2));
        true
    };
    interrupt(checks.path(), &["integration"], "TERM", "integration: checks", in_checks);
    interrupt(checks.path(), &["integration"], "INT", "integration: checks", in_checks);
}

#[test]
fn a_timed_out_apply_is_stopped_before_the_checks_and_fails_the_stage() {
    // The check passes only when no `sleep 300` of the apply runs any more. (`[3]` keeps
    // the pattern from matching the check's own command line.)
    let repo = control_repo(&format!("{SLOW}    checks:\n      - command: {{run: \"! pgrep -f 'sleep [3]00'\"}}\n"));
    let running = start(repo.path(), &["dynamic", "--apply-timeout", "10", "--check-timeout", "5"], None);
    let prefix = running.prefix();
    let (output, stderr) = running.finish();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("role::slow: first apply: timed out after 10s, stopped"), "{stderr}");
    assert!(stdout.contains("`puppet apply` did not finish in 10s; it was stopped (its whole process tree) before anything else ran"), "{stdout}");
    assert!(stderr.contains("role::slow: command `! pgrep -f 'sleep [3]00'` exits 0: ok"), "the apply still ran when the checks did: {stderr}");
    assert_nothing_left(&prefix);
}

/// Mount points under `dir` in this machine's mount table.
fn mounts_under(dir: &Path) -> Vec<String> {
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    table.lines().filter_map(|line| line.split(' ').nth(4)).filter(|point| Path::new(point).starts_with(dir)).map(String::from).collect()
}

/// Processes whose command line mentions `dir` (mmdebstrap names its tarball there).
fn processes_mentioning(dir: &Path) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(&needle))
        .collect()
}

#[test]
fn an_interrupted_image_build_unmounts_removes_and_stops_everything() {
    // A package set no other test uses, so this image is built, never reused.
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("puppet-ci.yaml"), "roles:\n  - name: role::interrupted\n    packages: [sl]\n").unwrap();
    for signal in ["TERM", "INT"] {
        let tmp = tempfile::tempdir().unwrap();
        let tmp_path = tmp.path().canonicalize().unwrap();
        let running = start(repo.path(), &["image", "build", "--rebuild"], Some(&tmp_path));
        // Signalled once the build tool has mounted proc and the like in the new root.
        running.wait_until("the build's mounts", |_| !mounts_under(&tmp_path).is_empty());
        running.signal(signal);
        let (output, stderr) = running.finish();
        let said = if signal == "INT" { "Ctrl-C".to_string() } else { format!("SIG{signal}") };
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(&format!("puppet-ci: error: interrupted ({said}); removed what the run created")), "{stderr}");
        assert_eq!(mounts_under(&tmp_path), Vec::<String>::new(), "mounts left behind");
        assert_eq!(processes_mentioning(&tmp_path), Vec::<String>::new(), "build processes left running");
        let left: Vec<String> = std::fs::read_dir(&tmp_path)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| !name.ends_with(".lock"))
            .collect();
        assert_eq!(left, Vec::<String>::new(), "files left in the temporary folder");
    }
    let images = docker(&["images", "--filter", "label=puppet-ci.packages=curl,iproute2,netbase,procps,puppet,sl,sysv-rc", "-q"]);
    assert_eq!(images.trim(), "", "no image from an interrupted build");
}
