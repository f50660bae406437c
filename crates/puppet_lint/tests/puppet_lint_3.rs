//! Differential test against the real puppet-lint: Debian's puppet-lint 3.0.1 (the one on
//! PATH; `tests/setup` installs it) on every rule fixture, for the 37 checks it has. Each
//! fixture is linted with that one check by both tools, as
//! `modules/<check>/manifests/init.pp`; the problems (line, column, check, message, kind)
//! and the `--fix` output must be the same, apart from the differences listed below, each
//! with its reason.

use std::path::{Path, PathBuf};
use std::process::Command;

use puppet_lint::{Dispatch, Settings, RULES};

/// Checks puppet-lint 3.0.1 does not have.
const NOT_IN_3: [&str; 3] = ["legacy_facts", "space_before_arrow", "top_scope_facts"];

/// Where puppet-ci knowingly differs from puppet-lint 3.0.1 on the fixtures:
/// (check, what differs, why).
const KNOWN: [(&str, &str, &str); 6] = [
    ("slash_comments", "problems", "Puppet reads `//` as an empty regex, so valid Puppet has no // comment (puppet-lint reads one)"),
    ("slash_comments", "fix", "puppet-lint's `#` for `//` changes the AST (the regex becomes a comment)"),
    ("double_quoted_strings", "fix", "single quotes would change \"caf\\u00e9\"; puppet-ci refuses that fix"),
    ("unquoted_node_name", "fix", "puppet-lint quotes www.example.com part by part, which does not parse; puppet-ci refuses"),
    ("ensure_first_param", "fix", "puppet-lint moves ensure between a heredoc attribute and its text, which does not parse; puppet-ci refuses"),
    ("variables_not_enclosed", "fix", "Puppet reads \"$list[0] first\" as $list and the text [0]; puppet-lint's ${list[0]} changes the value; puppet-ci refuses"),
];

fn known(check: &str, what: &str) -> bool {
    KNOWN.iter().any(|(known_check, known_what, _)| *known_check == check && *known_what == what)
}

fn fixture(check: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("{check}.pp"));
    std::fs::read_to_string(path).expect("a fixture")
}

/// `line:column kind check: message` of puppet-lint's JSON.
fn their_problems(json: &str) -> Vec<String> {
    let files: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|err| panic!("puppet-lint's JSON: {err}: {json}"));
    let mut problems: Vec<String> = files
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|file| file.as_array().cloned().unwrap_or_default())
        .map(|p| format!("{}:{} {} {}: {}", p["line"], p["column"], p["kind"].as_str().unwrap_or(""), p["check"].as_str().unwrap_or(""), p["message"].as_str().unwrap_or("")))
        .collect();
    problems.sort();
    problems
}

struct Case {
    dir: tempfile::TempDir,
    relative: PathBuf,
}

fn case(check: &str) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let relative = PathBuf::from(format!("modules/{check}/manifests/init.pp"));
    std::fs::create_dir_all(dir.path().join(relative.parent().unwrap())).unwrap();
    std::fs::write(dir.path().join(&relative), fixture(check)).unwrap();
    Case { dir, relative }
}

fn puppet_lint(case: &Case, check: &str, fix: bool) -> String {
    let mut command = Command::new("puppet-lint");
    command.current_dir(case.dir.path()).env("HOME", case.dir.path()).args(["--no-config", "--json", "--only-checks", check]);
    if fix {
        command.arg("--fix");
    }
    let output = command.arg(&case.relative).output().expect("puppet-lint 3.0.1 is installed (tests/setup installs it)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn ours(check: &str, fix: bool) -> puppet_lint::FileLint {
    let mut settings = Settings::default();
    settings.only_checks(&[check]);
    settings.fix = fix;
    let shown = format!("modules/{check}/manifests/init.pp");
    puppet_lint::lint_source(&fixture(check), &shown, &format!("/tmp/x/{shown}"), &settings, &Dispatch::new(&settings))
}

#[test]
fn puppet_lint_3_finds_and_fixes_the_same_on_every_fixture() {
    let version = Command::new("puppet-lint").arg("--version").output().expect("puppet-lint is installed (tests/setup installs it)");
    assert!(String::from_utf8_lossy(&version.stdout).contains("3.0.1"), "Debian's puppet-lint 3.0.1 is expected");
    let mut differences = Vec::new();
    let mut compared = 0;
    for meta in RULES.iter().map(|rule| rule.meta()).filter(|meta| !NOT_IN_3.contains(&meta.name)) {
        let check = meta.name;
        compared += 1;
        let theirs = their_problems(&puppet_lint(&case(check), check, false));
        let mut mine: Vec<String> =
            ours(check, false).problems.iter().map(|p| format!("{}:{} {} {}: {}", p.line, p.column, p.kind.as_str(), p.check, p.message)).collect();
        mine.sort();
        if theirs != mine && !known(check, "problems") {
            differences.push(format!("{check}: problems\n  puppet-lint 3.0.1: {theirs:?}\n  puppet-ci:         {mine:?}"));
        }
        if meta.fix == puppet_lint::rule::FixKind::None {
            continue;
        }
        let fixed_case = case(check);
        puppet_lint(&fixed_case, check, true);
        let their_text = std::fs::read_to_string(fixed_case.dir.path().join(&fixed_case.relative)).unwrap();
        let my_text = ours(check, true).fixed.unwrap_or_else(|| fixture(check));
        if their_text != my_text && !known(check, "fix") {
            differences.push(format!("{check}: --fix\n  puppet-lint 3.0.1: {their_text:?}\n  puppet-ci:         {my_text:?}"));
        }
    }
    assert_eq!(compared, 37);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
