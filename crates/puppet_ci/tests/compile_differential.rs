//! The differential compile suite: every case of `fixtures/compile/cases`, compiled by the
//! native engine and by real Puppet 7 (one warm worker) against three fact sets, must give
//! the same catalog after normalisation (`puppet_catalog::compare`), or fail in both
//! engines at the same file and line.
//!
//! Two committed files keep the suite honest:
//! - `fixtures/compile/EXPECTED.tsv`: what Puppet does with each case and fact set (a
//!   catalog, or an error at `file:line`). Puppet must still do exactly that, so a case
//!   written to fail cannot start compiling unnoticed, and the share of failing cases is
//!   known.
//! - `fixtures/compile/KNOWN_DIFFERENCES.txt`: the cases where the native engine does not
//!   match Puppet yet. A difference not listed fails the test, and so does a listed case
//!   that now matches: the list only shrinks.
//!
//! `PUPPET_CI_WRITE_KNOWN=1 cargo test -p puppet_ci --test compile_differential` rewrites
//! both files from a run.
//!
//! The case format (a manifest with settings in its first comment lines) is
//! `puppet_ci_compile::suite`'s.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use puppet_catalog::{compare, Catalog, Engine, EngineError};
use puppet_ci_compile::suite::{self, Case, FACT_SETS};
use puppet_ci_compile::{EngineChoice, SharedFacts};
use puppet_engine_puppet::{PuppetEngine, PuppetEngineOptions};
const EXPECTED: &str = "EXPECTED.tsv";
const KNOWN_DIFFERENCES: &str = "KNOWN_DIFFERENCES.txt";
/// How many differences the failure message shows in full.
const SHOWN_DIFFERENCES: usize = 8;
/// How many differing resources one case's description lists.
const SHOWN_CASE_DIFFERENCES: usize = 6;

#[test]
fn native_catalogs_match_puppet() {
    let root = suite_root();
    let cases = cases(&root);

    let puppet = PuppetEngine::with_options(PuppetEngineOptions::default()).expect("the Puppet engine starts");
    let native = puppet_ci_compile::engine(EngineChoice::Native, PuppetEngineOptions::default());

    // Cases of one fact set and node share their facts, as the catalog stage's requests do.
    let shared_facts = SharedFacts::new();
    let mut puppet_outcomes = BTreeMap::new();
    let mut differences = BTreeMap::new();
    let (mut puppet_time, mut native_time) = (0.0, 0.0);
    for case in &cases {
        let mut case_differences = Vec::new();
        for fact_set in FACT_SETS {
            let request = case.request_sharing(&root, fact_set, &shared_facts).unwrap_or_else(|err| panic!("{}: {err}", case.name));
            let started = Instant::now();
            let theirs = puppet.compile(&request);
            puppet_time += started.elapsed().as_secs_f64();
            let started = Instant::now();
            let ours = match &native {
                Ok(engine) => engine.compile(&request),
                Err(not_built) => Err(EngineError::Unsupported { construct: not_built.to_string(), file: None, line: None }),
            };
            native_time += started.elapsed().as_secs_f64();
            if let Some(difference) = describe_difference(&theirs, &ours, &root) {
                case_differences.push(format!("{fact_set}: {difference}"));
            }
            puppet_outcomes.insert((case.name.clone(), fact_set), outcome(&theirs, &root));
        }
        if !case_differences.is_empty() {
            differences.insert(case.name.clone(), case_differences.join("\n"));
        }
    }
    let compiles = cases.len() * FACT_SETS.len();
    let failing = puppet_outcomes.values().filter(|outcome| outcome.starts_with("error")).count();
    println!(
        "compile parity: {} of {} cases ({compiles} compiles, {failing} of them compile errors); \
         Puppet {puppet_time:.1} s, native {native_time:.2} s",
        cases.len() - differences.len(),
        cases.len()
    );
    check_expected(&root.join(EXPECTED), &puppet_outcomes);
    check_against_known_list(&root.join(KNOWN_DIFFERENCES), &differences);
}

/// About a quarter of the cases must be compile failures (a few of which Puppet reports
/// without a place: a relationship to a missing resource, no matching node).
#[test]
fn a_quarter_of_the_cases_fail_to_compile() {
    let root = suite_root();
    let expected = read_expected(&root.join(EXPECTED));
    let failing_cases: std::collections::BTreeSet<&String> =
        expected.iter().filter(|(_, outcome)| outcome.starts_with("error")).map(|((case, _), _)| case).collect();
    let total = cases(&root).len();
    assert!(total >= 300, "expected at least 300 cases in fixtures/compile/cases, found {total}");
    assert!(
        failing_cases.len() * 5 >= total,
        "only {} of {total} cases fail to compile; about a quarter should",
        failing_cases.len()
    );
}

fn suite_root() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/compile");
    dir.canonicalize().unwrap_or_else(|err| panic!("cannot find {}: {err}", dir.display()))
}

fn cases(root: &Path) -> Vec<Case> {
    suite::cases(root).unwrap_or_else(|err| panic!("{err}"))
}

/// What Puppet did, as EXPECTED.tsv records it: `catalog`, or `error FILE:LINE` with the
/// file relative to the suite (`<code>` when Puppet names none).
fn outcome(result: &Result<Catalog, EngineError>, root: &Path) -> String {
    match result {
        Ok(_) => "catalog".to_owned(),
        Err(EngineError::Compile(error)) => format!("error {}", place(error.file.as_deref(), error.line, root)),
        Err(other) => format!("engine {other}"),
    }
}

fn place(file: Option<&str>, line: Option<u32>, root: &Path) -> String {
    let file = match file {
        Some(file) => Path::new(file).strip_prefix(root).map_or_else(|_| file.to_owned(), |relative| relative.display().to_string()),
        None => "<none>".to_owned(),
    };
    match line {
        Some(line) => format!("{file}:{line}"),
        None => file,
    }
}

/// Why the native result is not Puppet's, or None when they agree.
fn describe_difference(theirs: &Result<Catalog, EngineError>, ours: &Result<Catalog, EngineError>, root: &Path) -> Option<String> {
    match (theirs, ours) {
        (Ok(expected), Ok(actual)) => {
            let differences = compare(expected, actual);
            if differences.is_empty() {
                return None;
            }
            let mut text = format!("{} catalog differences:", differences.len());
            for difference in differences.iter().take(SHOWN_CASE_DIFFERENCES) {
                write!(text, "\n    {difference}").unwrap();
            }
            Some(text)
        }
        (Err(EngineError::Compile(expected)), Err(EngineError::Compile(actual))) if expected.same_place(actual) => None,
        (Err(EngineError::Compile(expected)), Err(EngineError::Compile(actual))) => Some(format!(
            "Puppet fails at {}, native at {}: {}",
            place(expected.file.as_deref(), expected.line, root),
            place(actual.file.as_deref(), actual.line, root),
            actual.message
        )),
        (Ok(_), Err(error)) => Some(format!("Puppet compiles it, native fails: {error}")),
        (Err(error), Ok(_)) => Some(format!("Puppet fails ({}), native compiles it", first_line(&error.to_string()))),
        (Err(expected), Err(actual)) => Some(format!("Puppet: {}; native: {}", first_line(&expected.to_string()), first_line(&actual.to_string()))),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn writing_known() -> bool {
    std::env::var_os("PUPPET_CI_WRITE_KNOWN").is_some_and(|value| value == "1")
}

fn read_expected(path: &Path) -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.splitn(3, '\t');
            let case = fields.next().unwrap().to_owned();
            let fact_set = fields.next().unwrap_or_default().to_owned();
            ((case, fact_set), fields.next().unwrap_or_default().to_owned())
        })
        .collect()
}

fn check_expected(path: &Path, outcomes: &BTreeMap<(String, &str), String>) {
    if writing_known() {
        let mut text = String::from("# What Puppet 7 does with each case and fact set (written by PUPPET_CI_WRITE_KNOWN=1).\n");
        for ((case, fact_set), outcome) in outcomes {
            writeln!(text, "{case}\t{fact_set}\t{outcome}").unwrap();
        }
        std::fs::write(path, text).unwrap();
        return;
    }
    let recorded = read_expected(path);
    let mut changed = Vec::new();
    for ((case, fact_set), outcome) in outcomes {
        let before = recorded.get(&(case.clone(), (*fact_set).to_owned()));
        if before != Some(outcome) {
            changed.push(format!("{case} on {fact_set}: recorded {before:?}, Puppet now gives {outcome}"));
        }
    }
    let current: std::collections::BTreeSet<(String, String)> =
        outcomes.keys().map(|(case, fact_set)| (case.clone(), (*fact_set).to_owned())).collect();
    changed.extend(recorded.keys().filter(|key| !current.contains(*key)).map(|(case, fact_set)| format!("{case} on {fact_set}: recorded but not a case")));
    assert!(
        changed.is_empty(),
        "Puppet's results differ from fixtures/compile/{EXPECTED} ({} entries); if the fixtures changed on purpose, \
         rerun with PUPPET_CI_WRITE_KNOWN=1:\n{}",
        changed.len(),
        changed.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}

fn check_against_known_list(path: &Path, differences: &BTreeMap<String, String>) {
    if writing_known() {
        let mut text = String::from(
            "# Cases whose native catalog (or error place) differs from Puppet's; the list only shrinks.\n\
             # Written by PUPPET_CI_WRITE_KNOWN=1 cargo test -p puppet_ci --test compile_differential\n",
        );
        for name in differences.keys() {
            writeln!(text, "{name}").unwrap();
        }
        std::fs::write(path, text).unwrap();
        return;
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let known: std::collections::BTreeSet<&str> =
        text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).collect();
    let new: Vec<&String> = differences.keys().filter(|name| !known.contains(name.as_str())).collect();
    let fixed: Vec<&&str> = known.iter().filter(|name| !differences.contains_key(**name)).collect();
    let mut message = String::new();
    if !new.is_empty() {
        writeln!(message, "{} cases differ from Puppet and are not in fixtures/compile/{KNOWN_DIFFERENCES}:", new.len()).unwrap();
        for name in new.iter().take(SHOWN_DIFFERENCES) {
            writeln!(message, "--- {name}\n{}", differences[*name]).unwrap();
        }
    }
    if !fixed.is_empty() {
        writeln!(
            message,
            "{} cases in fixtures/compile/{KNOWN_DIFFERENCES} match Puppet now: remove them from the list: {}",
            fixed.len(),
            fixed.iter().map(|name| name.to_string()).collect::<Vec<_>>().join(", ")
        )
        .unwrap();
    }
    assert!(message.is_empty(), "{message}");
}
