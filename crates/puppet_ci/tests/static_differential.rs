//! The non-Puppet files validate checks, against the real tools: `metadata.json` against
//! metadata-json-lint (the same checks and messages), ERB templates against Ruby
//! (`erb -P -x -T - FILE | ruby -c`: the same verdict, and the same line where both reject).
//! Fixtures: fixtures/static/.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The fixtures of one kind: `fixtures/static/erb/*.erb`, `fixtures/static/metadata/*/metadata.json`.
fn fixtures(kind: &str, extension: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/static").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .map(|path| if path.is_dir() { path.join("metadata.json") } else { path })
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "fixtures/static/{kind} has its fixtures");
    files
}

/// Our diagnostics of one file: (code, severity, message, line).
fn ours(path: &Path) -> Vec<(String, String, String, u64)> {
    let output = Command::new(env!("CARGO_BIN_EXE_puppet-ci")).args(["validate", "--format", "json"]).arg(path).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| panic!("{}: {err}: {}", path.display(), String::from_utf8_lossy(&output.stderr)));
    let mut found = Vec::new();
    for case in report["stages"][0]["cases"].as_array().unwrap() {
        for diagnostic in case["diagnostics"].as_array().into_iter().flatten() {
            found.push((
                diagnostic["code"].as_str().unwrap().to_string(),
                diagnostic["severity"].as_str().unwrap().to_string(),
                diagnostic["message"].as_str().unwrap().to_string(),
                diagnostic["start"]["line"].as_u64().unwrap(),
            ));
        }
    }
    found
}

#[test]
fn metadata_json_like_metadata_json_lint() {
    for path in fixtures("metadata", "json") {
        let output = Command::new("metadata-json-lint").args(["--format", "json"]).arg(&path).output().expect("metadata-json-lint is installed (tests/setup)");
        let ours = ours(&path);
        if output.stdout.is_empty() && !output.status.success() {
            // metadata-json-lint aborts on a file that is not JSON.
            assert!(String::from_utf8_lossy(&output.stderr).contains("Unable to parse metadata.json"));
            assert_eq!(ours.len(), 1, "{}: {ours:?}", path.display());
            assert_eq!(ours[0].0, "metadata_json/syntax");
            continue;
        }
        let mut theirs = BTreeSet::new();
        if !output.stdout.is_empty() {
            let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            for (list, severity) in [("errors", "error"), ("warnings", "warning")] {
                for problem in report[list].as_array().unwrap() {
                    theirs.insert((format!("metadata_json/{}", problem["check"].as_str().unwrap()), severity.to_string(), problem["msg"].as_str().unwrap().to_string()));
                }
            }
        }
        let ours: BTreeSet<_> = ours.into_iter().map(|(code, severity, message, _)| (code, severity, message)).collect();
        assert_eq!(ours, theirs, "{}", path.display());
    }
}

#[test]
fn erb_templates_like_ruby() {
    for path in fixtures("erb", "erb") {
        let erb = Command::new("erb").args(["-P", "-x", "-T", "-"]).arg(&path).output().expect("erb is installed with Ruby (tests/setup: puppet)");
        let mut ruby = Command::new("ruby").arg("-c").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        std::io::Write::write_all(ruby.stdin.as_mut().unwrap(), &erb.stdout).unwrap();
        let ruby = ruby.wait_with_output().unwrap();
        let ours = ours(&path);
        assert_eq!(ruby.status.success(), ours.is_empty(), "{}: ruby says {}, we say {ours:?}", path.display(), String::from_utf8_lossy(&ruby.stderr));
        if !ruby.status.success() {
            let stderr = String::from_utf8_lossy(&ruby.stderr);
            let line: u64 = stderr.split(':').nth(1).and_then(|line| line.parse().ok()).unwrap();
            // `erb -x` writes a `#coding` line first; Ruby's end-of-input is past the last line.
            let lines = std::fs::read_to_string(&path).unwrap().lines().count() as u64;
            assert_eq!(ours[0].3, (line - 1).min(lines), "{}: {stderr}", path.display());
        }
    }
}
