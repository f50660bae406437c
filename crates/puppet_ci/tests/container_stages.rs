//! The container stages for real: `dynamic` and `integration` on the example control repo
//! pass, the broken variants of `fixtures/container-broken` fail on the check that catches
//! them, and whatever happens (a killed container, Ctrl-C, no engine) nothing is left
//! behind. Needs the Docker engine (CI machines run one); the base images are built on
//! first use and reused by every test after that.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    workspace().join("fixtures/control-repo")
}

/// Runs puppet-ci on the control repo at `root`; returns its output and the JSON report.
fn puppet_ci(root: &Path, args: &[&str]) -> (Output, Value) {
    let report = tempfile::NamedTempFile::new().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
        .arg("--root")
        .arg(root)
        .args(args)
        .arg("--json")
        .arg(report.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let json = std::fs::read_to_string(report.path()).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or(Value::Null);
    (output, json)
}

fn text(output: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The case of the report whose group and name start as given.
fn case<'a>(report: &'a Value, group: &str, name_start: &str) -> &'a Value {
    report["stages"][0]["cases"]
        .as_array()
        .and_then(|cases| {
            cases.iter().find(|case| {
                case["group"].as_str().is_some_and(|g| g.starts_with(group))
                    && case["name"].as_str().is_some_and(|n| n.starts_with(name_start))
            })
        })
        .unwrap_or_else(|| panic!("no case {group} / {name_start} in {report:#}"))
}

fn status(case: &Value) -> &str {
    case["outcome"]["status"].as_str().unwrap_or("")
}

fn message(case: &Value) -> &str {
    case["outcome"]["message"].as_str().unwrap_or("")
}

/// The run id puppet-ci printed (`dynamic: run <id> (...)`).
fn run_id(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .find_map(|line| line.split(": run ").nth(1).and_then(|rest| rest.split_whitespace().next()).map(String::from))
        .unwrap_or_else(|| panic!("no run id in:\n{stderr}"))
}

fn docker(args: &[&str]) -> String {
    let output = Command::new("docker").args(args).output().expect("the docker CLI runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Nothing of the run is left: no container (running or not), no network.
fn assert_nothing_left(id: &str) {
    let filter = format!("label=puppet-ci.run={id}");
    assert_eq!(docker(&["ps", "-aq", "--filter", &filter]).trim(), "", "containers of run {id} left behind");
    assert_eq!(docker(&["network", "ls", "-q", "--filter", &filter]).trim(), "", "networks of run {id} left behind");
}

/// A copy of the example control repo with the files of `fixtures/container-broken/<variant>` on top.
fn variant(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&example(), dir.path());
    copy_tree(&workspace().join("fixtures/container-broken").join(name), dir.path());
    dir
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

#[test]
fn dynamic_passes_for_the_example_roles() {
    let (output, report) = puppet_ci(&example(), &["dynamic"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    for role in ["role::web", "role::db"] {
        assert_eq!(status(case(&report, role, "first apply")), "passed");
        assert_eq!(status(case(&report, role, "second apply changes nothing")), "passed");
    }
    assert_eq!(status(case(&report, "role::web", "http http://localhost/ answers 200 containing \"Hello from role::web\"")), "passed");
    assert_eq!(status(case(&report, "role::web", "supervisor program status is RUNNING")), "passed");
    assert_eq!(status(case(&report, "role::web", "apache config is valid")), "passed");
    assert_eq!(status(case(&report, "role::db", "port 0.0.0.0:3306")), "passed");
    assert_nothing_left(&run_id(&output));
}

#[test]
fn integration_web_logs_into_db() {
    let (output, report) = puppet_ci(&example(), &["integration"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(status(case(&report, "checks", "from web: mysql login as app@db:3306/app runs \"SELECT 1\"")), "passed");
    assert_eq!(status(case(&report, "checks", "from db: http http://web/")), "passed");
    assert_nothing_left(&run_id(&output));
}

#[test]
fn apache_syntax_error_fails_the_apache_check() {
    let repo = variant("apache-syntax");
    let (output, report) = puppet_ci(repo.path(), &["dynamic", "--role", "role::web", "--check-timeout", "5"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let apache = case(&report, "role::web", "apache config is valid");
    assert_eq!(status(apache), "failed");
    assert!(message(apache).contains("expected `apache2ctl -t` to pass"), "{apache:#}");
    assert!(message(apache).contains("Invalid command 'DirectoryIndx'"), "{apache:#}");
    // Puppet could not restart Apache with that config: the apply says so too.
    let apply = case(&report, "role::web", "first apply");
    assert!(message(apply).contains("Service[apache2]"), "{apply:#}");
    assert!(text(&output).contains("apache config is valid and serves vhost www.example.test"), "{}", text(&output));
    assert_nothing_left(&run_id(&output));
}

#[test]
fn supervisor_program_that_exits_fails_the_supervisor_check() {
    let repo = variant("supervisor-exits");
    let (output, report) = puppet_ci(repo.path(), &["dynamic", "--role", "role::web", "--check-timeout", "20"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let supervisor = case(&report, "role::web", "supervisor program status is RUNNING");
    assert_eq!(status(supervisor), "failed");
    assert!(message(supervisor).contains("expected supervisor program status RUNNING, saw: status"), "{supervisor:#}");
    assert!(message(supervisor).contains("FATAL"), "{supervisor:#}");
    // Apache is fine in this variant.
    assert_eq!(status(case(&report, "role::web", "apache config is valid")), "passed");
    assert_nothing_left(&run_id(&output));
}

#[test]
fn database_on_loopback_fails_the_login_from_web_and_the_port_check() {
    let repo = variant("db-loopback");
    let (output, report) = puppet_ci(repo.path(), &["integration", "--check-timeout", "5"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let login = case(&report, "checks", "from web: mysql login as app@db:3306/app");
    assert_eq!(status(login), "failed");
    assert!(message(login).contains("saw: ERROR 2002 (HY000): Can't connect to server on 'db'"), "{login:#}");
    assert_eq!(status(case(&report, "checks", "from web: tcp db:3306")), "failed");
    assert_nothing_left(&run_id(&output));

    let (output, report) = puppet_ci(repo.path(), &["dynamic", "--role", "role::db", "--check-timeout", "5"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let port = case(&report, "role::db", "port 0.0.0.0:3306");
    assert_eq!(message(port), "expected a TCP listener on 0.0.0.0:3306, saw 127.0.0.1:3306");
    assert_nothing_left(&run_id(&output));
}

/// The example with only `role::slow`, whose apply sleeps; it runs in the db role's image.
fn slow_repo() -> tempfile::TempDir {
    let repo = variant("slow-apply");
    let example = puppet_ci_config::Config::load(&example()).unwrap();
    let packages = &example.role("role::db").unwrap().packages;
    std::fs::write(repo.path().join("puppet-ci.yaml"), format!("roles:\n  - name: role::slow\n    packages: {packages:?}\n")).unwrap();
    repo
}

/// Starts `puppet-ci dynamic` on the slow role and waits until its apply runs `sleep 300`;
/// returns the child and the container's name.
fn start_slow_apply(repo: &Path) -> (std::process::Child, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
        .arg("--root")
        .arg(repo)
        .arg("dynamic")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let started = Instant::now();
    // Every run names its containers puppet-ci-<pid>-...: this child's, not a parallel test's.
    let prefix = format!("puppet-ci-{pid}-");
    loop {
        assert!(started.elapsed() < Duration::from_secs(600), "the slow apply never started");
        let names = docker(&["ps", "--filter", "label=puppet-ci.role=role::slow", "--format", "{{.Names}}"]);
        if let Some(name) = names.lines().find(|name| name.starts_with(&prefix)) {
            if docker(&["top", name]).contains("sleep 300") {
                return (child, name.to_string());
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn a_container_killed_mid_apply_fails_the_run_and_is_removed() {
    let repo = slow_repo();
    let (child, container) = start_slow_apply(repo.path());
    docker(&["kill", &container]);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&format!("container {container} stopped (exit code 137) during `puppet apply`")), "{}", text(&output));
    assert_nothing_left(&run_id(&output));
}

#[test]
fn ctrl_c_mid_apply_removes_what_the_run_created() {
    let repo = slow_repo();
    let (child, _container) = start_slow_apply(repo.path());
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("interrupted (Ctrl-C); removed what the run created"), "{}", text(&output));
    assert_nothing_left(&run_id(&output));
}

#[test]
fn an_unreachable_engine_is_one_line_and_exit_2() {
    for args in [&["dynamic"][..], &["integration"], &["image", "ls"]] {
        let output = Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
            .arg("--root")
            .arg(example())
            .args(args)
            .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        // The pipeline announces the stage it runs (`puppet-ci: stage dynamic`); the error
        // itself is one line.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let said: Vec<&str> = stderr.lines().filter(|line| !line.starts_with("puppet-ci: stage ")).collect();
        assert_eq!(said.len(), 1, "{stderr}");
        assert!(said[0].starts_with("puppet-ci: error: cannot reach the Docker engine at unix:///nonexistent/docker.sock: "), "{stderr}");
    }
}

#[test]
fn a_host_without_mmdebstrap_or_debootstrap_is_told_what_to_install() {
    let repo = tempfile::tempdir().unwrap();
    // A package list no other test uses, so the image cannot exist yet.
    let yaml = "roles:\n  - name: role::lonely\n    packages: [puppet-ci-no-such-image-package]\n";
    std::fs::write(repo.path().join("puppet-ci.yaml"), yaml).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
        .arg("--root")
        .arg(repo.path())
        .args(["image", "build"])
        .env("PATH", "")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or("");
    assert_eq!(
        last,
        "puppet-ci: error: no tool to build a Debian base image: install mmdebstrap (`apt-get install mmdebstrap`) or debootstrap",
        "{stderr}"
    );
}

#[test]
fn image_ls_lists_and_prune_removes_only_what_no_role_uses() {
    let build = Command::new(env!("CARGO_BIN_EXE_puppet-ci")).arg("--root").arg(example()).args(["image", "build"]).output().unwrap();
    assert_eq!(build.status.code(), Some(0), "{}", text(&build));
    let tags: Vec<String> = String::from_utf8_lossy(&build.stdout).lines().map(|line| line.split('\t').next().unwrap().to_string()).collect();
    assert_eq!(tags.len(), 2, "{}", text(&build));
    // An image no role uses: one of the example's under another key.
    let stray = "puppet-ci-base:bookworm-0123456789ab";
    docker(&["tag", &tags[0], stray]);
    let ls = Command::new(env!("CARGO_BIN_EXE_puppet-ci")).args(["image", "ls"]).output().unwrap();
    let listed = String::from_utf8_lossy(&ls.stdout).into_owned();
    for tag in tags.iter().map(String::as_str).chain([stray]) {
        assert!(listed.lines().any(|line| line.starts_with(&format!("{tag}\t"))), "{tag} not in:\n{listed}");
    }
    let prune = Command::new(env!("CARGO_BIN_EXE_puppet-ci")).arg("--root").arg(example()).args(["image", "prune"]).output().unwrap();
    assert_eq!(prune.status.code(), Some(0), "{}", text(&prune));
    // Prune removes every base image no role of the example uses: the stray one, and any
    // other a shared engine holds (other control repos' images, untagged old ones).
    let removed = String::from_utf8_lossy(&prune.stdout).into_owned();
    assert!(removed.lines().any(|line| line == format!("removed {stray}")), "{removed}");
    assert!(removed.lines().all(|line| line.starts_with("removed ")), "{removed}");
    let left = docker(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert!(!left.contains(stray), "{left}");
    for tag in &tags {
        assert!(left.contains(tag.as_str()), "prune removed {tag}, which the example uses:\n{left}");
    }
}
