//! Never green on nothing: commands that find nothing to check fail or refuse, every
//! command refuses a broken configuration alike, and reports are written where they were
//! asked for without breaking devices, pipes or symlinks (issue: "never green on nothing").

use std::path::Path;
use std::process::{Command, Output};

fn puppet_ci(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
        .current_dir(cwd)
        .env_remove("GITHUB_ACTIONS")
        .args(args)
        .output()
        .expect("puppet-ci runs");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const STATIC_ONLY: [&str; 6] = ["--skip", "catalog", "--skip", "dynamic", "--skip", "integration"];

#[test]
fn all_outside_a_control_repo_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = puppet_ci(dir.path(), &["all"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("is not a control repo or module"), "{stderr}");
    assert!(!stdout.contains("passed"), "{stdout}");
}

#[test]
fn a_control_repo_without_manifests_fails_validate() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "puppet-ci.yaml", "modulepath: [site]\n");
    let mut args = vec!["all"];
    args.extend(STATIC_ONLY);
    let (code, stdout, stderr) = puppet_ci(dir.path(), &args);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("validate     FAILED"), "{stdout}");
    assert!(stdout.contains("nothing to check: no .pp or .epp files in manifests, site"), "{stdout}");
    assert!(stdout.ends_with("puppet-ci failed\n"), "{stdout}");

    let (code, _, stderr) = puppet_ci(dir.path(), &["validate"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("nothing to check: no .pp or .epp files"), "{stderr}");
    let empty = tempfile::tempdir().unwrap();
    let (code, _, stderr) = puppet_ci(dir.path(), &["validate", &empty.path().display().to_string()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&format!("no .pp or .epp files in {}", empty.path().display())), "{stderr}");
}

#[test]
fn image_build_without_roles_builds_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "manifests/site.pp", "node default { }\n");
    let (code, _, stderr) = puppet_ci(dir.path(), &["--root", &dir.path().display().to_string(), "image", "build"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("nothing to build: no roles"), "{stderr}");
}

#[test]
fn every_command_refuses_a_broken_configuration_alike() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "puppet-ci.yaml", "roles:\n  - name: role::web\n    packages: [apache2\n");
    write(dir.path(), "manifests/site.pp", "node default { }\n");
    let root = dir.path().display().to_string();
    let mut messages = Vec::new();
    for command in [vec!["validate"], vec!["all"], vec!["dynamic"], vec!["package"]] {
        let mut args = vec!["--root", root.as_str()];
        args.extend(command.iter().copied());
        let (code, stdout, stderr) = puppet_ci(dir.path(), &args);
        assert_eq!(code, 2, "{command:?}: {stdout}{stderr}");
        messages.push(stderr.lines().last().unwrap_or_default().to_string());
    }
    assert!(messages.windows(2).all(|pair| pair[0] == pair[1]), "{messages:#?}");
    assert!(messages[0].contains("puppet-ci.yaml:"), "{messages:#?}");
}

#[test]
fn validate_follows_symlinks_and_refuses_special_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "elsewhere/broken.pp", "class broken {\n");
    std::fs::create_dir(dir.path().join("tree")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("elsewhere/broken.pp"), dir.path().join("tree/site.pp")).unwrap();
    let (code, stdout, _) = puppet_ci(dir.path(), &["validate", "tree"]);
    assert_eq!(code, 1, "a symlinked broken manifest is checked: {stdout}");
    assert!(stdout.starts_with("tree/site.pp:"), "{stdout}");

    let fifo = dir.path().join("pipe.pp");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let (code, _, stderr) = puppet_ci(dir.path(), &["validate", "pipe.pp"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("pipe.pp: not a file or folder of Puppet code (a FIFO)"), "{stderr}");
}

#[test]
fn reports_go_into_devices_pipes_and_symlink_targets() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "manifests/site.pp", "node default {\n  notify { 'x': }\n}\n");
    let mut args = vec!["all"];
    args.extend(STATIC_ONLY);

    // A symlinked report: the target gets it, the link stays a link.
    write(dir.path(), "reports/real.json", "stale");
    std::os::unix::fs::symlink("reports/real.json", dir.path().join("link.json")).unwrap();
    let mut with_link = args.clone();
    with_link.extend(["--json", "link.json", "--format", "json"]);
    let (code, stdout, stderr) = puppet_ci(dir.path(), &with_link);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(std::fs::symlink_metadata(dir.path().join("link.json")).unwrap().file_type().is_symlink());
    let written = std::fs::read_to_string(dir.path().join("reports/real.json")).unwrap();
    assert_eq!(written, stdout, "the file and stdout carry the same JSON report");

    // /dev/stdout is written into, not replaced by a file.
    let mut to_stdout = args.clone();
    to_stdout.extend(["--junit", "/dev/stdout"]);
    let (code, stdout, _) = puppet_ci(dir.path(), &to_stdout);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("<?xml"), "{stdout}");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());

    // A report that cannot be written fails the run before anything says "passed".
    let mut unwritable = args.clone();
    unwritable.extend(["--sarif", "/dev/full"]);
    let (code, stdout, stderr) = puppet_ci(dir.path(), &unwritable);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(!stdout.contains("passed"), "{stdout}");
    assert!(stderr.contains("cannot write the report /dev/full"), "{stderr}");
}

#[test]
fn a_failure_line_names_its_file_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "manifests/site.pp", "node default {\n  notify { 'x':\n}\n");
    let mut args = vec!["all"];
    args.extend(STATIC_ONLY);
    let (code, stdout, _) = puppet_ci(dir.path(), &args);
    assert_eq!(code, 1);
    let line = stdout.lines().find(|line| line.starts_with("  - ")).unwrap();
    assert_eq!(line.matches("manifests/site.pp").count(), 1, "{line}");
    // The human format shows the source line and a caret.
    assert!(stdout.contains("error[SYNTAX_ERROR]"), "{stdout}");
}
