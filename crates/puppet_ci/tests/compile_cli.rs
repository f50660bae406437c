//! `puppet-ci compile` end to end: catalog JSON on stdout, compile errors as
//! `file:line:col: message` (and a JSON error object), exit codes 0, 1 and 2, and bad input
//! (facts, manifest, modulepath) reported clearly.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn puppet_ci(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_puppet-ci")).arg("compile").args(arguments).output().expect("puppet-ci runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!("stdout is not JSON ({err}): {}\nstderr: {}", String::from_utf8_lossy(&output.stdout), stderr(output))
    })
}

#[test]
fn prints_the_catalog_of_a_manifest_with_modules() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../puppet_catalog/tests/data/modules");
    let empty = tempfile::tempdir().unwrap();
    let modulepath = format!("{}:{}", empty.path().display(), data.join("modules").display());
    let manifest = data.join("manifests/site.pp");
    let output = puppet_ci(&[
        "--modulepath", &modulepath, "--manifest", manifest.to_str().unwrap(), "--facts", "redhat-9-x86_64",
        "--node", "web1.example.com", "--engine", "puppet", "--format", "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let catalog = stdout_json(&output);
    assert_eq!(catalog["name"], "web1.example.com");
    let resources = catalog["resources"].as_array().unwrap();
    let motd = resources.iter().find(|resource| resource["title"] == "/etc/motd").expect("File[/etc/motd]");
    assert_eq!(motd["parameters"]["content"], "Managed RedHat 9");
    assert_eq!(motd["file"], data.join("modules/base/manifests/init.pp").canonicalize().unwrap().to_str().unwrap());
}

#[test]
fn code_classes_and_an_empty_modulepath_folder() {
    let empty = tempfile::tempdir().unwrap();
    let output = puppet_ci(&[
        "--modulepath", empty.path().to_str().unwrap(), "--code", "class c { notify { $::osfamily: } }",
        "--class", "c", "--facts", "ubuntu-22.04-x86_64", "--engine", "puppet", "--format", "text",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "compiled foo.example.com: 5 resources, 3 classes, 4 edges\n");
}

#[test]
fn a_compile_error_exits_1_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site.pp");
    std::fs::write(&site, "notify { 'a': }\nnotify { 'b':\n  nosuchattribute => 1,\n}\n").unwrap();
    let arguments = ["--manifest", site.to_str().unwrap(), "--facts", "debian-12-x86_64", "--node", "n1", "--engine", "puppet"];
    let output = puppet_ci(&[&arguments[..], &["--format", "text"]].concat());
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let expected = format!("{}:2: no parameter named 'nosuchattribute' (file: {}, line: 2) on Notify[b]\n", site.display(), site.display());
    assert_eq!(stderr(&output), expected);

    let output = puppet_ci(&[&arguments[..], &["--format", "json"]].concat());
    assert_eq!(output.status.code(), Some(1));
    let error = &stdout_json(&output)["error"];
    assert_eq!((&error["kind"], &error["file"], &error["line"]), (&"compile".into(), &site.to_str().unwrap().into(), &2.into()));
    assert!(error["message"].as_str().unwrap().starts_with("no parameter named 'nosuchattribute'"), "{error}");
    assert_eq!(stderr(&output), expected, "the error is on stderr too");

    let output = puppet_ci(&["--code", "\nfail('stop')", "--facts", "debian-12-x86_64", "--engine", "puppet"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "<code>:2:1: Evaluation Error: Error while evaluating a Function Call, stop\n");
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let facts = dir.path().join("facts.json");
    std::fs::write(&facts, "{\n  \"os\": {\"family\": \"Debian\"},\n  \"kernel\": Linux\n}\n").unwrap();
    let check = |arguments: &[&str], expected: String| {
        let output = puppet_ci(arguments);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}: {}", stderr(&output));
        assert_eq!(stderr(&output), format!("puppet-ci: error: {expected}\n"), "{arguments:?}");
        assert!(output.stdout.is_empty(), "{arguments:?}: nothing half-written on stdout");
    };
    check(&["--code", "", "--facts", facts.to_str().unwrap()], format!("{}:3:13: malformed facts JSON: expected value", facts.display()));
    check(&["--code", "", "--facts", "nosuch-os-1"], format!("no facts file nosuch-os-1 and no bundled fact set of that name; bundled sets: {}", puppet_facts_names()));
    let missing = dir.path().join("missing.pp");
    check(&["--manifest", missing.to_str().unwrap(), "--facts", "debian-12-x86_64"], format!("manifest not found: {}", missing.display()));
    let modules = dir.path().join("modules");
    check(&["--modulepath", modules.to_str().unwrap(), "--code", "", "--facts", "debian-12-x86_64"], format!("modulepath folder not found: {}", modules.display()));

    let usage = puppet_ci(&["--code", "", "--facts", "debian-12-x86_64", "--puppet-version", "6"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(stderr(&usage).contains("--puppet-version"), "{}", stderr(&usage));
}

#[test]
fn a_missing_class_is_a_compile_error() {
    let empty = tempfile::tempdir().unwrap();
    let output = puppet_ci(&["--modulepath", empty.path().to_str().unwrap(), "--class", "nosuchmodule", "--facts", "debian-12-x86_64", "--engine", "puppet"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("Could not find class nosuchmodule for foo.example.com"), "{}", stderr(&output));
}

fn puppet_facts_names() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../facts");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .flat_map(|version| std::fs::read_dir(version.unwrap().path()).into_iter().flatten())
        .filter_map(|file| file.unwrap().path().file_stem().map(|stem| stem.to_string_lossy().into_owned()))
        .filter(|name| name != "LICENSE" && name != "README")
        .collect();
    names.sort();
    names.dedup();
    names.join(", ")
}
