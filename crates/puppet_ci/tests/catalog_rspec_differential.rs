//! puppet-ci's module tests against rspec-puppet (Debian's ruby-rspec-puppet with
//! ruby-puppetlabs-spec-helper) on the same module (`fixtures/catalog/differential`): its
//! `.fixtures.yml` is assembled by `rake spec_prep` for one and by the module store for
//! the other; its spec asks rspec-puppet `compile.with_all_deps` of every class on every
//! fact set, and its `puppet-ci-tests.yaml` asks puppet-ci the same. Both must give the
//! same verdict for each class and fact set: compiles, fails to compile, names a
//! relationship target the catalog lacks, or holds a dependency cycle.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const FACT_SETS: [&str; 2] = ["debian-12-x86_64", "redhat-9-x86_64"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_name() == ".puppet-ci" || entry.file_name() == "fixtures" && from.ends_with("spec") {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A verdict both tools can give.
fn verdict_of_message(message: &str) -> &'static str {
    if message.contains("dependency cycle") {
        "cycle"
    } else if message.contains("Could not find resource") || message.contains("expected that the catalogue would include") {
        "missing relationship target"
    } else {
        "compile error"
    }
}

/// rspec-puppet's verdicts: (class, fact set) → verdict.
fn rspec(module: &Path) -> BTreeMap<(String, String), String> {
    let prep = Command::new("rake").arg("spec_prep").current_dir(module).output().expect("rake runs (tests/setup installs it)");
    assert!(prep.status.success(), "rake spec_prep: {}", String::from_utf8_lossy(&prep.stderr));
    let fact_sets: Vec<String> = FACT_SETS.iter().map(|name| format!("{name}={}", workspace().join("facts/4.11").join(format!("{name}.facts")).display())).collect();
    let out = module.join("rspec.json");
    let run = Command::new("rspec")
        .args(["--format", "json", "--out"])
        .arg(&out)
        .arg("spec/classes")
        .current_dir(module)
        .env("PUPPET_CI_FACT_SETS", fact_sets.join(","))
        .output()
        .expect("rspec runs (tests/setup installs ruby-rspec-puppet)");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap_or_else(|error| panic!("rspec wrote no report ({error}): {}", String::from_utf8_lossy(&run.stderr))))
        .expect("rspec's JSON");
    let mut verdicts = BTreeMap::new();
    for example in report["examples"].as_array().unwrap() {
        // "difftest::ok on debian-12-x86_64 is expected to compile ..."
        let description = example["full_description"].as_str().unwrap();
        let (class, rest) = description.split_once(" on ").unwrap();
        let fact_set = rest.split_whitespace().next().unwrap();
        let verdict = match example["status"].as_str().unwrap() {
            "passed" => "compiles",
            _ => verdict_of_message(example["exception"]["message"].as_str().unwrap_or_default()),
        };
        verdicts.insert((class.to_string(), fact_set.to_string()), verdict.to_string());
    }
    verdicts
}

/// puppet-ci's verdicts from `puppet-ci test --format json` on the module.
fn puppet_ci(module: &Path, engine: &str) -> BTreeMap<(String, String), String> {
    let output = Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
        .arg("--root")
        .arg(module)
        .args(["test", "--no-cache", "--engine", engine, "--format", "json"])
        .output()
        .expect("puppet-ci runs");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stderr)));
    let mut verdicts = BTreeMap::new();
    for case in report["stages"][0]["cases"].as_array().unwrap() {
        let class = case["group"].as_str().unwrap().strip_prefix("test ").unwrap().to_string();
        let fact_set = case["name"].as_str().unwrap().to_string();
        let verdict = match case["outcome"]["status"].as_str().unwrap() {
            "passed" => "compiles",
            _ => verdict_of_message(case["outcome"]["message"].as_str().unwrap_or_default()),
        };
        verdicts.insert((class, fact_set), verdict.to_string());
    }
    verdicts
}

#[test]
fn rspec_puppet_and_puppet_ci_find_the_same_compile_failures_missing_targets_and_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("difftest");
    copy(&workspace().join("fixtures/catalog/differential"), &module);
    let theirs = rspec(&module);
    assert_eq!(theirs.len(), 15 * FACT_SETS.len(), "{theirs:#?}");
    for engine in ["auto", "puppet"] {
        let ours = puppet_ci(&module, engine);
        let differing: Vec<String> = theirs
            .iter()
            .filter(|(key, verdict)| ours.get(*key) != Some(verdict))
            .map(|((class, fact_set), verdict)| format!("{class} on {fact_set}: rspec-puppet {verdict}, puppet-ci --engine {engine} {:?}", ours.get(&(class.clone(), fact_set.clone()))))
            .collect();
        assert!(differing.is_empty(), "{differing:#?}");
        assert_eq!(ours.len(), theirs.len(), "the same classes and fact sets: {ours:#?}");
    }
    // The fixture exercises every verdict, on one OS only where it says so.
    let count = |verdict: &str| theirs.values().filter(|found| *found == verdict).count();
    assert_eq!((count("compiles"), count("compile error"), count("missing relationship target"), count("cycle")), (11, 7, 5, 7), "{theirs:#?}");
    assert_eq!(theirs[&("difftest::os_specific".to_string(), "redhat-9-x86_64".to_string())], "compile error");
    assert_eq!(theirs[&("difftest::os_specific".to_string(), "debian-12-x86_64".to_string())], "compiles");
    assert_eq!(theirs[&("difftest::cycle_on_redhat".to_string(), "redhat-9-x86_64".to_string())], "cycle");
    assert_eq!(theirs[&("difftest::missing_on_debian".to_string(), "debian-12-x86_64".to_string())], "missing relationship target");
    assert_eq!(theirs[&("difftest::autorequire_reversed".to_string(), "debian-12-x86_64".to_string())], "compiles");
}
