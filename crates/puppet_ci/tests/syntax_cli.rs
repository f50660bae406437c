//! `puppet-ci validate` and `puppet-ci parse`: output format, exit codes, folders.

use std::path::Path;
use std::process::{Command, Output};

fn puppet_ci(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_puppet-ci")).args(args).output().expect("puppet-ci runs")
}

fn write(dir: &Path, name: &str, text: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("folder");
    std::fs::write(&path, text).expect("written");
    path.display().to_string()
}

#[test]
fn validate_reports_each_error_as_file_line_column_and_exits_1() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let good = write(dir.path(), "site/good/manifests/init.pp", b"class good { notice('hi') }\n");
    let bad = write(dir.path(), "site/bad/manifests/init.pp", b"class bad {\n  $x = [1, 2\n}\n");
    let template = write(dir.path(), "site/good/templates/t.epp", b"<%= $x %>\n");
    write(dir.path(), "site/good/README.md", b"not puppet\n");

    let output = puppet_ci(&["validate", &dir.path().display().to_string()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(stdout, format!("{bad}:3:1: Syntax error at '}}'\n"));

    let output = puppet_ci(&["validate", &good, &template]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stdout.is_empty());
}

#[test]
fn validate_reports_invalid_utf8_and_missing_files() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let binary = write(dir.path(), "bin.pp", b"$x = '\xff\xfe'\n");
    let output = puppet_ci(&["validate", &binary]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(stdout.starts_with(&format!("{binary}:1:7: invalid UTF-8")), "{stdout}");

    let output = puppet_ci(&["validate", &dir.path().join("missing.pp").display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn parse_dumps_pn_with_a_final_newline() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let manifest = write(dir.path(), "a.pp", b"fail \"boom\"\n");
    let output = puppet_ci(&["parse", "--dump", "pn", &manifest]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(String::from_utf8(output.stdout).expect("UTF-8"), "(invoke {:functor (qn \"fail\") :args [\"boom\"]})\n");

    let template = write(dir.path(), "t.epp", b"hello <%= $x %>\n");
    let output = puppet_ci(&["parse", "--dump", "pn", &template]);
    assert_eq!(
        String::from_utf8(output.stdout).expect("UTF-8"),
        "(lambda {:body [(epp (render-s \"hello \") (render (var \"x\")) (render-s \"\\n\"))]})\n"
    );
}

#[test]
fn parse_reports_a_syntax_error_on_stderr_and_exits_1() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let manifest = write(dir.path(), "a.pp", b"$x = \n");
    let output = puppet_ci(&["parse", "--dump", "pn", &manifest]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    assert_eq!(stderr, format!("{manifest}:2:1: Syntax error at end of input\n"));
}
