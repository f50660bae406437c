//! `puppet-ci lint` as a user runs it: puppet-lint's options and exit codes, every output
//! format (snapshots), control comments, option files and puppet-ci.yaml, --fix writing
//! files whole, --staged, and bad input (not Puppet, not UTF-8, missing or unreadable
//! files, a broken .puppet-lint.rc).

use std::path::Path;
use std::process::Command;

fn puppet_ci(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    puppet_ci_with(cwd, args, &[])
}

fn puppet_ci_with(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_puppet-ci"));
    command.current_dir(cwd).env_remove("GITHUB_ACTIONS").env("HOME", cwd.join("no-home")).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("puppet-ci runs");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A module with an error (trailing whitespace), warnings, an ignored problem and a clean
/// file.
fn module() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ntp/manifests/init.pp", "# ntp\nclass ntp {\n  $greeting = \"hello\" \n  $x = \"a\" # lint:ignore:double_quoted_strings quotes on purpose\n}\n");
    write(dir.path(), "ntp/manifests/clean.pp", "# clean\nclass ntp::clean {\n  $x = 'a'\n}\n");
    dir
}

/// Times vary from run to run.
fn redact(text: &str) -> String {
    let times = regex::Regex::new(r#"time="[0-9.]+"|in [0-9.]+s"#).unwrap();
    times.replace_all(text, "[time]").into_owned()
}

#[test]
fn json_is_puppet_lints_shape() {
    let dir = module();
    let (code, stdout, stderr) = puppet_ci(dir.path(), &["lint", "--no-config", "--json", "--relative", "ntp"]);
    assert_eq!(code, 1, "{stderr}");
    let fullpath = dir.path().canonicalize().unwrap().display().to_string();
    let stdout = stdout.replace(&fullpath, "[DIR]").replace(&dir.path().display().to_string(), "[DIR]");
    insta::assert_snapshot!("json", stdout);
    // --format json is the same.
    let (_, format_json, _) = puppet_ci(dir.path(), &["lint", "--no-config", "--format", "json", "--relative", "ntp"]);
    assert_eq!(format_json.replace(&fullpath, "[DIR]").replace(&dir.path().display().to_string(), "[DIR]"), stdout);
}

#[test]
fn every_report_format() {
    let dir = module();
    for format in ["human", "junit", "sarif", "github", "codeclimate"] {
        let (code, stdout, stderr) = puppet_ci(dir.path(), &["lint", "--no-config", "--relative", "--format", format, "ntp"]);
        assert_eq!(code, 1, "{format}: {stderr}");
        insta::assert_snapshot!(format!("format_{format}"), redact(&stdout));
    }
}

#[test]
fn exit_codes_follow_puppet_lint() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "clean.pp", "# doc\nclass clean {\n}\n");
    write(dir.path(), "warning.pp", "# doc\nclass warning {\n  $x = \"a\"\n}\n");
    write(dir.path(), "error.pp", "# doc\nclass error {\t\n}\n");
    let lint = |args: &[&str]| puppet_ci(dir.path(), &[&["lint", "--no-config", "--no-autoloader_layout-check"], args].concat()).0;
    assert_eq!(lint(&["clean.pp"]), 0);
    assert_eq!(lint(&["warning.pp"]), 0, "warnings alone pass");
    assert_eq!(lint(&["--fail-on-warnings", "warning.pp"]), 1);
    assert_eq!(lint(&["error.pp"]), 1);
    assert_eq!(lint(&["--no-hard_tabs-check", "--no-trailing_whitespace-check", "error.pp"]), 0, "the checks that find the errors are off");
    assert_eq!(lint(&["--only-checks", "documentation", "error.pp", "warning.pp"]), 0);
    // --only-checks then --<check>-check, in the order given.
    assert_eq!(lint(&["--only-checks", "documentation", "--hard_tabs-check", "error.pp"]), 1);
    assert_eq!(lint(&["--no-bogus-check", "clean.pp"]), 2, "an unknown check is a usage error");
}

#[test]
fn several_paths_are_all_linted() {
    // puppet-lint 4.3.0 lints only the first path it is given.
    let dir = module();
    let (_, stdout, _) = puppet_ci(dir.path(), &["lint", "--no-config", "--json", "ntp/manifests/clean.pp", "ntp/manifests/init.pp"]);
    let files: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(files.as_array().unwrap().len(), 2);
    assert!(stdout.contains("ntp/manifests/init.pp"), "{stdout}");
}

#[test]
fn control_comments_and_show_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let code = "# doc\nclass foo {\n  # lint:ignore:double_quoted_strings lint:ignore:140chars legacy block\n  $a = \"x\"\n  $b = \"y\"\n  # lint:endignore\n  $c = \"z\" # lint:ignore:double_quoted_strings on this line only\n  $d = \"w\"\n}\n";
    write(dir.path(), "foo/manifests/init.pp", code);
    let problems = |args: &[&str]| {
        let (_, stdout, _) = puppet_ci(dir.path(), &[&["lint", "--no-config", "--json", "--only-checks", "double_quoted_strings"], args, &["foo"]].concat());
        let files: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        files[0].as_array().unwrap().iter().map(|p| format!("{} {} {}", p["line"], p["kind"], p["reason"].as_str().unwrap_or(""))).collect::<Vec<_>>()
    };
    assert_eq!(problems(&[]), ["8 \"warning\" "]);
    assert_eq!(
        problems(&["--show-ignored"]),
        ["4 \"ignored\" legacy block", "5 \"ignored\" legacy block", "7 \"ignored\" on this line only", "8 \"warning\" "]
    );
}

#[test]
fn option_files_are_read_in_puppet_lints_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x.pp", "class x {\n}\n");
    let lint = |args: &[&str], home: &Path| {
        let (code, stdout, stderr) = puppet_ci_with(dir.path(), &[&["lint", "--json"], args, &["x.pp"]].concat(), &[("HOME", home.to_str().unwrap())]);
        (code, stdout.matches("\"check\"").count(), stderr)
    };
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    // No option file: autoloader_layout (error) and documentation (warning).
    assert_eq!(lint(&[], &home).1, 2);
    // ~/.puppet-lint.rc, then ./.puppet-lint.rc, then the command line.
    write(&home, ".puppet-lint.rc", "--no-documentation-check\n");
    assert_eq!(lint(&[], &home).1, 1);
    write(dir.path(), ".puppet-lint.rc", "# the module's own options\n--only-checks=documentation\n");
    assert_eq!(lint(&[], &home).1, 1, "the folder's file comes after the home one");
    assert_eq!(lint(&["--no-documentation-check"], &home).1, 0, "the command line comes last");
    assert_eq!(lint(&["--no-config"], &home).1, 2, "--no-config reads no option file");
    // puppet-ci.yaml's lint section, after the option files.
    write(dir.path(), "puppet-ci.yaml", "lint:\n  disable: [documentation]\n");
    assert_eq!(lint(&[], &home).1, 0);
}

#[test]
fn a_broken_option_file_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x.pp", "class x {\n}\n");
    write(dir.path(), ".puppet-lint.rc", "--relative\n--only-checks arrow_alignment\n");
    let (code, stdout, stderr) = puppet_ci(dir.path(), &["lint", "x.pp"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains(".puppet-lint.rc:2: invalid option: --only-checks arrow_alignment"), "{stderr}");
    write(dir.path(), "puppet-ci.yaml", "lint:\n  disable: [documentaton]\n");
    std::fs::remove_file(dir.path().join(".puppet-lint.rc")).unwrap();
    let (code, _, stderr) = puppet_ci(dir.path(), &["lint", "x.pp"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("puppet-ci.yaml:2:") && stderr.contains("unknown check \"documentaton\""), "{stderr}");
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok/fine.pp", "# doc\nclass fine {\n}\n");
    std::fs::write(dir.path().join("ok/latin1.pp"), b"# caf\xe9\nclass latin1 {\n}\n").unwrap();
    std::os::unix::fs::symlink("/nonexistent/target.pp", dir.path().join("ok/broken.pp")).unwrap();
    let (code, stdout, stderr) = puppet_ci(dir.path(), &["lint", "--no-config", "--json", "ok", "missing.pp"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("ok/latin1.pp:1: invalid UTF-8"), "{stderr}");
    assert!(stderr.contains("ok/broken.pp: cannot read"), "{stderr}");
    assert!(stderr.contains("missing.pp: cannot read"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The readable file is still linted.
    assert!(stdout.contains("ok/fine.pp") || stdout.contains("[]"), "{stdout}");
}

#[test]
fn unparsable_code_gives_the_syntax_error_only() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "broken.pp", "class broken {\n  $x = \"unterminated \n  file { 'a': ensure => file\n}\n");
    let (code, stdout, stderr) = puppet_ci(dir.path(), &["lint", "--no-config", "--json", "broken.pp"]);
    assert_eq!(code, 1, "{stderr}");
    let files: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let problems = files[0].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{stdout}");
    assert_eq!(problems[0]["check"], "syntax");
    assert_eq!(problems[0]["kind"], "error");
}

#[test]
fn fix_writes_whole_files_and_refuses_what_would_break_them() {
    let dir = tempfile::tempdir().unwrap();
    let code = "# doc\nclass fixme {\n  $a = \"plain\"   \n  $b = \"caf\\u00e9\"\n  file { '/tmp/x':\n    mode => '644',\n    ensure => file,\n  }\n}\n";
    write(dir.path(), "fixme/manifests/init.pp", code);
    let (code_1, stdout, _) = puppet_ci(dir.path(), &["lint", "--no-config", "--fix", "--json", "fixme"]);
    assert_eq!(code_1, 0, "the trailing whitespace (an error) is fixed: {stdout}");
    let fixed = std::fs::read_to_string(dir.path().join("fixme/manifests/init.pp")).unwrap();
    assert_eq!(fixed, "# doc\nclass fixme {\n  $a = 'plain'\n  $b = \"caf\\u00e9\"\n  file { '/tmp/x':\n    ensure => file,\n    mode   => '0644',\n  }\n}\n");
    assert!(stdout.contains("fix refused: it would change what the code means"), "{stdout}");
    // Nothing but the file in the folder: no temporary file left.
    let names: Vec<String> = std::fs::read_dir(dir.path().join("fixme/manifests")).unwrap().map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["init.pp"]);
    // A second --fix changes nothing.
    puppet_ci(dir.path(), &["lint", "--no-config", "--fix", "fixme"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("fixme/manifests/init.pp")).unwrap(), fixed);

    // Through a symlink, the file it points to is fixed and the link stays a link.
    write(dir.path(), "real/tabs.pp", "# doc\nclass tabs {\n\t\t$x = 'y'\n}\n");
    std::os::unix::fs::symlink(dir.path().join("real/tabs.pp"), dir.path().join("link.pp")).unwrap();
    let (code, _, stderr) = puppet_ci(dir.path(), &["lint", "--no-config", "--fix", "--no-autoloader_layout-check", "link.pp"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::symlink_metadata(dir.path().join("link.pp")).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(dir.path().join("real/tabs.pp")).unwrap(), "# doc\nclass tabs {\n    $x = 'y'\n}\n");
}

#[test]
fn staged_lints_what_will_be_committed() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git").args(args).current_dir(dir.path()).env("GIT_CONFIG_GLOBAL", "/dev/null").status().unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    write(dir.path(), "site.pp", "# doc\nclass site {\n  $x = 'clean'\n}\n");
    git(&["add", "site.pp"]);
    // The working tree has a problem the index does not.
    write(dir.path(), "site.pp", "# doc\nclass site {\n  $x = \"dirty\"\n}\n");
    let (code, stdout, stderr) = puppet_ci(dir.path(), &["lint", "--no-config", "--staged", "--json", "--fail-on-warnings", "--no-autoloader_layout-check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("[]"), "{stdout}");
    git(&["add", "site.pp"]);
    let (code, stdout, _) = puppet_ci(dir.path(), &["lint", "--no-config", "--staged", "--json", "--fail-on-warnings", "--no-autoloader_layout-check"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("double_quoted_strings") && stdout.contains("\"path\": \"site.pp\""), "{stdout}");
    let (code, _, stderr) = puppet_ci(dir.path(), &["lint", "--staged", "--fix"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn rule_prints_a_rules_documentation() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = puppet_ci(dir.path(), &["rule", "trailing_whitespace"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("# trailing_whitespace\n") && stdout.contains("## What it does") && stdout.contains("## Fix"), "{stdout}");
    let (code, stdout, _) = puppet_ci(dir.path(), &["rule", "--list"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 40);
    let (code, _, stderr) = puppet_ci(dir.path(), &["rule", "no_such_rule"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no rule named \"no_such_rule\""), "{stderr}");
}
