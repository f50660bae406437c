//! Differential tests of the parser against real Puppet 7 (installed by `tests/setup`).
//!
//! PN parity: `puppet-ci parse --dump pn` must print, byte for byte, what
//! `puppet parser dump --format pn` (`puppet epp dump --format pn` for templates) prints for
//! every fixture in `fixtures/syntax/valid`; fixtures in `fixtures/syntax/valid_nodump` (valid,
//! but Puppet's own dumper crashes on them) must be accepted by both `validate` commands.
//! Rejection parity: every fixture in `fixtures/syntax/invalid` must be rejected by Puppet and
//! by `puppet-ci validate`, at the same line.
//!
//! Fixtures that do not match yet are listed in `fixtures/syntax/KNOWN_PN_DIFFERENCES.txt` and
//! `KNOWN_REJECTION_DIFFERENCES.txt`. A difference not listed fails the test, and so does a
//! listed fixture that now matches: the lists only shrink. `tests/differential/update-known`
//! rewrites both lists from a run (it sets `PUPPET_CI_WRITE_KNOWN=1`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KNOWN_PN_DIFFERENCES: &str = "KNOWN_PN_DIFFERENCES.txt";
const KNOWN_REJECTION_DIFFERENCES: &str = "KNOWN_REJECTION_DIFFERENCES.txt";
/// How many differences the failure message shows in full.
const SHOWN_DIFFERENCES: usize = 5;

#[test]
fn pn_dump_matches_puppet() {
    require_puppet();
    let syntax = syntax_dir();
    let manifests = fixtures(&syntax.join("valid"), "pp");
    let templates = fixtures(&syntax.join("valid"), "epp");
    let undumpable = fixtures(&syntax.join("valid_nodump"), "pp");
    assert!(manifests.len() >= 300, "expected at least 300 valid manifests, found {}", manifests.len());

    let mut expected = puppet_dumps(&["parser", "dump", "--format", "pn"], &manifests, "");
    expected.extend(puppet_dumps(&["epp", "dump", "--format", "pn"], &templates, "\n"));
    let puppet_accepts = puppet(&["parser", "validate"], &undumpable);
    assert!(
        puppet_accepts.status.success(),
        "Puppet rejects a fixture of valid_nodump:\n{}",
        String::from_utf8_lossy(&puppet_accepts.stderr)
    );

    let mut differences = BTreeMap::new();
    for path in manifests.iter().chain(&templates) {
        let ours = puppet_ci(&["parse", "--dump", "pn"], path);
        let theirs = &expected[path];
        if !ours.status.success() || ours.stdout != theirs.as_bytes() {
            differences.insert(fixture_name(path), describe_pn_difference(theirs, &ours));
        }
    }
    for path in &undumpable {
        let ours = puppet_ci(&["validate"], path);
        if !ours.status.success() {
            differences.insert(fixture_name(path), format!("Puppet accepts it, puppet-ci validate does not:\n{}", output_text(&ours)));
        }
    }
    let total = manifests.len() + templates.len() + undumpable.len();
    println!("pn parity: {} of {total}", total - differences.len());
    check_against_known_list(&syntax.join(KNOWN_PN_DIFFERENCES), &differences);
}

#[test]
fn invalid_fixtures_rejected_like_puppet() {
    require_puppet();
    let syntax = syntax_dir();
    let invalid = syntax.join("invalid");
    let expected = read_expected(&invalid.join("EXPECTED.tsv"));
    let on_disk: BTreeSet<String> = fixtures(&invalid, "pp").iter().chain(&fixtures(&invalid, "epp")).map(|path| file_name(path)).collect();
    let recorded: BTreeSet<String> = expected.keys().cloned().collect();
    assert_eq!(
        on_disk, recorded,
        "fixtures/syntax/invalid and its EXPECTED.tsv disagree on the file list: run tests/differential/record-invalid"
    );
    assert!(on_disk.len() >= 100, "expected at least 100 invalid fixtures, found {}", on_disk.len());

    let puppet_lines = puppet_rejections(&invalid, &expected);
    let mut differences = BTreeMap::new();
    for (name, verdict) in &expected {
        let path = invalid.join(name);
        let puppet_line = &puppet_lines[name];
        assert_eq!(
            puppet_line, &verdict.line,
            "Puppet now reports {name} at line {puppet_line:?}, EXPECTED.tsv says {:?}: run tests/differential/record-invalid",
            verdict.line
        );
        let ours = puppet_ci(&["validate"], &path);
        let first_line = first_reported_line(&ours, name);
        let matches = ours.status.code() == Some(1) && first_line.is_some() && (verdict.line.is_none() || first_line == verdict.line);
        if !matches {
            differences.insert(
                format!("invalid/{name}"),
                format!(
                    "Puppet rejects it at line {} ({}); puppet-ci validate exits {:?}, first error at line {:?}:\n{}",
                    verdict.line.map_or("-".to_owned(), |line| line.to_string()),
                    verdict.message,
                    ours.status.code(),
                    first_line,
                    output_text(&ours)
                ),
            );
        }
    }
    println!("rejection parity: {} of {}", expected.len() - differences.len(), expected.len());
    check_against_known_list(&syntax.join(KNOWN_REJECTION_DIFFERENCES), &differences);
}

/// Fails with a clear message when the oracle is missing instead of passing without it.
fn require_puppet() {
    let found = Command::new("puppet").arg("--version").output();
    let working = found.as_ref().is_ok_and(|output| output.status.success());
    assert!(
        working,
        "the `puppet` command (Puppet 7, the oracle of the differential tests) is not installed or does not run: \
         run `bash tests/setup`, which installs Debian's puppet package ({found:?})"
    );
}

fn syntax_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/syntax");
    dir.canonicalize().unwrap_or_else(|err| panic!("cannot find {}: {err}", dir.display()))
}

/// The files of `dir` with `extension`, sorted, as absolute paths.
fn fixtures(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("readable folder entry").path())
        .filter(|path| path.extension().is_some_and(|found| found == extension))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().expect("fixture has a file name").to_string_lossy().into_owned()
}

/// `valid/name.pp`: how the known-difference lists name a fixture.
fn fixture_name(path: &Path) -> String {
    let folder = path.parent().and_then(Path::file_name).expect("fixture is in a folder").to_string_lossy();
    format!("{folder}/{}", file_name(path))
}

fn puppet(args: &[&str], files: &[PathBuf]) -> Output {
    Command::new("puppet")
        .args(args)
        .args(files)
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap_or_else(|err| panic!("cannot run puppet {}: {err}", args.join(" ")))
}

fn puppet_ci(args: &[&str], file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|err| panic!("cannot run puppet-ci {}: {err}", args.join(" ")))
}

fn output_text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Runs one Puppet dump over all `files` and cuts its output into each file's dump.
///
/// Puppet prints `--- FILE` (followed by `header_end`), then the file's PN, for each file,
/// with nothing in between, and one newline at the very end. A single-file dump prints the
/// PN and a newline, which is what `puppet-ci parse` must print, so each piece gets a newline.
fn puppet_dumps(args: &[&str], files: &[PathBuf], header_end: &str) -> BTreeMap<PathBuf, String> {
    if files.is_empty() {
        return BTreeMap::new();
    }
    let output = puppet(args, files);
    let stdout = String::from_utf8(output.stdout).expect("Puppet's dump is UTF-8");
    assert!(
        output.status.success(),
        "puppet {} failed on the valid fixtures (a fixture Puppet cannot dump belongs in valid_nodump):\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut starts = Vec::with_capacity(files.len());
    let mut cursor = 0;
    for path in files {
        let header = format!("--- {}{header_end}", path.display());
        let Some(found) = stdout[cursor..].find(&header) else {
            panic!(
                "puppet {} printed no dump for {} (it rejects the fixture):\n{}",
                args.join(" "),
                path.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        };
        starts.push((cursor + found, header.len()));
        cursor += found + header.len();
    }
    let body_end = stdout.strip_suffix('\n').map_or(stdout.len(), str::len);
    let mut dumps = BTreeMap::new();
    for (index, path) in files.iter().enumerate() {
        let (start, header_length) = starts[index];
        let end = starts.get(index + 1).map_or(body_end, |next| next.0);
        dumps.insert(path.clone(), format!("{}\n", &stdout[start + header_length..end]));
    }
    dumps
}

fn describe_pn_difference(theirs: &str, ours: &Output) -> String {
    if !ours.status.success() {
        return format!("puppet-ci parse exits {:?}:\n{}", ours.status.code(), output_text(ours));
    }
    let ours = String::from_utf8_lossy(&ours.stdout);
    let same = theirs.bytes().zip(ours.bytes()).take_while(|(a, b)| a == b).count();
    let context = |text: &str| {
        let from = char_boundary_at_or_before(text, same.saturating_sub(60));
        let end = char_boundary_at_or_before(text, same + 60);
        text[from..end].to_owned()
    };
    format!("first difference at byte {same}:\n  puppet:    …{}\n  puppet-ci: …{}", context(theirs), context(&ours))
}

fn char_boundary_at_or_before(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// One row of `fixtures/syntax/invalid/EXPECTED.tsv`.
struct Verdict {
    line: Option<u32>,
    mode: String,
    message: String,
}

fn read_expected(path: &Path) -> BTreeMap<String, Verdict> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    let mut verdicts = BTreeMap::new();
    for (index, row) in text.lines().enumerate().filter(|(_, row)| !row.starts_with('#') && !row.is_empty()) {
        let fields: Vec<&str> = row.split('\t').collect();
        assert!(fields.len() == 6, "{}:{}: expected 6 tab-separated fields", path.display(), index + 1);
        let line = (fields[1] != "-").then(|| fields[1].parse().expect("line is a number"));
        verdicts.insert(fields[0].to_owned(), Verdict { line, mode: fields[4].to_owned(), message: fields[5].to_owned() });
    }
    verdicts
}

/// The line Puppet reports for each invalid fixture (`None`: rejected without a line).
///
/// `batch` manifests go to one `puppet parser validate --render-as json` process; `alone` ones
/// (they make Puppet abort a whole batch) get one process each, two at a time; templates go to
/// one `puppet epp validate --continue_on_error` process. Panics when Puppet accepts a fixture.
fn puppet_rejections(dir: &Path, expected: &BTreeMap<String, Verdict>) -> BTreeMap<String, Option<u32>> {
    let in_mode = |mode: &str| -> Vec<PathBuf> { expected.iter().filter(|(_, verdict)| verdict.mode == mode).map(|(name, _)| dir.join(name)).collect() };
    let mut lines = BTreeMap::new();

    let batch = in_mode("batch");
    let output = puppet(&["parser", "validate", "--render-as", "json"], &batch);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "puppet parser validate aborted the batch ({err}); a fixture marked `batch` must be `alone`: \
             run tests/differential/record-invalid\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    for path in &batch {
        let error = report.get(path.to_string_lossy().as_ref()).unwrap_or_else(|| panic!("Puppet accepts {}", path.display()));
        lines.insert(file_name(path), error["line"].as_u64().map(|line| u32::try_from(line).expect("line fits")));
    }

    let alone = in_mode("alone");
    for pair in alone.chunks(2) {
        let outputs: Vec<(PathBuf, Output)> = std::thread::scope(|scope| {
            let running: Vec<_> = pair.iter().map(|path| scope.spawn(move || (path.clone(), puppet(&["parser", "validate"], std::slice::from_ref(path))))).collect();
            running.into_iter().map(|handle| handle.join().expect("puppet runner thread")).collect()
        });
        for (path, output) in outputs {
            assert!(!output.status.success(), "Puppet accepts {}", path.display());
            lines.insert(file_name(&path), logged_line(&String::from_utf8_lossy(&output.stderr), &path));
        }
    }

    let templates = in_mode("epp");
    if !templates.is_empty() {
        let output = puppet(&["epp", "validate", "--continue_on_error"], &templates);
        let stderr = String::from_utf8_lossy(&output.stderr);
        for path in &templates {
            assert!(stderr.contains(&format!("(file: {}", path.display())), "Puppet accepts {}", path.display());
            lines.insert(file_name(path), logged_line(&stderr, path));
        }
    }
    lines
}

/// The line of Puppet's first logged error for `path`: the last `(file: PATH, line: N` on
/// that log line, since a message may quote another location ("Node 'default' is already
/// defined (file: F, line: 1); cannot redefine (file: F, line: 2)").
fn logged_line(stderr: &str, path: &Path) -> Option<u32> {
    let marker = format!("(file: {}", path.display());
    let row = stderr.lines().find(|row| row.contains(&marker))?;
    let after = &row[row.rfind(&marker)? + marker.len()..];
    let digits: String = after.strip_prefix(", line: ")?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The line of the first `FILE:LINE:COL: message` that `puppet-ci validate` printed for `name`.
fn first_reported_line(output: &Output, name: &str) -> Option<u32> {
    let text = output_text(output);
    text.lines().find_map(|row| {
        let after = &row[row.find(name)? + name.len()..];
        let mut parts = after.strip_prefix(':')?.splitn(3, ':');
        let line = parts.next()?.parse().ok()?;
        parts.next()?.parse::<u32>().ok()?;
        Some(line)
    })
}

/// Compares this run's differences with the checked-in list (or rewrites the list when
/// `PUPPET_CI_WRITE_KNOWN=1`, which `tests/differential/update-known` sets).
fn check_against_known_list(list: &Path, differences: &BTreeMap<String, String>) {
    let list_name = list.file_name().expect("list has a name").to_string_lossy().into_owned();
    if std::env::var_os("PUPPET_CI_WRITE_KNOWN").is_some_and(|value| value == "1") {
        let mut text = String::from(
            "# Fixtures that puppet-ci does not match Puppet on yet, one per line (written by\n\
             # tests/differential/update-known). The differential test fails when a fixture not\n\
             # listed differs, and when a listed one matches: remove it then.\n",
        );
        for name in differences.keys() {
            text.push_str(name);
            text.push('\n');
        }
        std::fs::write(list, text).unwrap_or_else(|err| panic!("cannot write {}: {err}", list.display()));
        println!("wrote {} ({} fixtures)", list.display(), differences.len());
        return;
    }
    let listed_text = std::fs::read_to_string(list).unwrap_or_else(|err| panic!("cannot read {}: {err}", list.display()));
    let listed: BTreeSet<&str> = listed_text.lines().map(str::trim).filter(|row| !row.is_empty() && !row.starts_with('#')).collect();
    let new: Vec<&String> = differences.keys().filter(|name| !listed.contains(name.as_str())).collect();
    let fixed: Vec<&&str> = listed.iter().filter(|name| !differences.contains_key(**name)).collect();
    let mut report = String::new();
    for name in new.iter().take(SHOWN_DIFFERENCES) {
        report.push_str(&format!("\n--- {name}: {}\n", differences[*name]));
    }
    if new.len() > SHOWN_DIFFERENCES {
        report.push_str(&format!("\n... and {} more\n", new.len() - SHOWN_DIFFERENCES));
    }
    assert!(
        new.is_empty() && fixed.is_empty(),
        "{} fixture(s) differ from Puppet but are not in fixtures/syntax/{list_name}: {new:?}\n\
         {} fixture(s) listed in fixtures/syntax/{list_name} now match Puppet (or no longer exist): \
         remove them from the list: {fixed:?}\n\
         (tests/differential/update-known rewrites the list after a deliberate change){report}",
        new.len(),
        fixed.len()
    );
}
