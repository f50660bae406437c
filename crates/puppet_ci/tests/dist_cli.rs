//! What packaging relies on: `--version` names the release, the commit and the Puppet it
//! follows; `generate` writes a man page per visible command and completions that work.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

fn puppet_ci(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_puppet-ci")).args(args).output().expect("puppet-ci runs")
}

fn stdout(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

/// The visible subcommands of `puppet-ci [COMMAND] --help`, as its "Commands:" list shows them.
fn visible_subcommands(path: &[&str]) -> Vec<String> {
    let mut args = path.to_vec();
    args.push("--help");
    let help = stdout(&puppet_ci(&args));
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect()
}

#[test]
fn version_names_the_release_the_commit_and_puppet_7_23() {
    let long = stdout(&puppet_ci(&["--version"]));
    let lines: Vec<&str> = long.lines().collect();
    assert_eq!(lines[0], format!("puppet-ci {}", env!("CARGO_PKG_VERSION")));
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let head = Command::new("git").arg("-C").arg(&workspace).args(["rev-parse", "HEAD"]).output().expect("git runs");
    if head.status.success() {
        // Built from a checkout: the commit is HEAD's (build.rs runs again when HEAD moves).
        let head = String::from_utf8(head.stdout).unwrap().trim().to_string();
        assert!(lines[1].starts_with(&format!("commit: {head} (")), "{long}");
    }
    assert_eq!(lines[2], "semantics: Puppet 7.23 (its parser, checks and catalogs)");
    assert!(lines[3].starts_with("target: x86_64-"), "{long}");

    let short = stdout(&puppet_ci(&["-V"]));
    assert!(short.starts_with(&format!("puppet-ci {} (commit ", env!("CARGO_PKG_VERSION"))), "{short}");
    assert!(short.trim_end().ends_with("; Puppet 7.23)"), "{short}");
}

#[test]
fn man_pages_one_per_visible_command_and_man_reads_them_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man");
    stdout(&puppet_ci(&["generate", "man", "--out", &out.display().to_string()]));
    let written: BTreeSet<String> =
        std::fs::read_dir(&out).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();

    let mut expected = BTreeSet::from(["puppet-ci.1".to_string()]);
    for command in visible_subcommands(&[]) {
        expected.insert(format!("puppet-ci-{command}.1"));
        for sub in visible_subcommands(&[&command]) {
            expected.insert(format!("puppet-ci-{command}-{sub}.1"));
        }
    }
    assert_eq!(written, expected, "one page per visible command, none for the hidden `generate`");

    // What lintian runs on every page of a package.
    for page in &written {
        let output = Command::new("man")
            .args(["--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z"])
            .arg(out.join(page))
            .env("LC_ALL", "C.UTF-8")
            .env("MANWIDTH", "80")
            .output()
            .expect("man runs (tests/setup installs man-db)");
        assert!(output.status.success(), "{page}: {output:?}");
        assert!(output.stderr.is_empty(), "{page}: {}", String::from_utf8_lossy(&output.stderr));
    }
    let validate = std::fs::read_to_string(out.join("puppet-ci-validate.1")).unwrap();
    assert!(validate.contains("puppet\\-ci\\-validate"), "{validate}");
}

#[test]
fn bash_completion_completes_commands_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let listed = stdout(&puppet_ci(&["generate", "completions", "--out", &out]));
    let names: Vec<&str> = listed.lines().map(|line| line.rsplit('/').next().unwrap()).collect();
    assert_eq!(names, ["puppet-ci.bash", "_puppet-ci", "puppet-ci.fish"]);

    // Completing `puppet-ci va` and `puppet-ci all --ski` the way bash does on TAB, with the
    // function the script registers for puppet-ci.
    let complete = |words: &str, current: usize| {
        let script = format!(
            "source {out}/puppet-ci.bash; function=$(complete -p puppet-ci | sed -E 's/.* -F ([^ ]+) .*/\\1/'); COMP_WORDS=({words}); COMP_CWORD={current}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \"$function\" puppet-ci \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let output = Command::new("bash").args(["-c", &script]).output().expect("bash runs");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(complete("puppet-ci va", 1).split_whitespace().collect::<Vec<_>>(), ["validate"]);
    let options = complete("puppet-ci all --ski", 2);
    assert!(options.split_whitespace().any(|word| word == "--skip"), "{options}");
    // Hidden subcommands (`generate`) are not offered; global options still are.
    assert_eq!(complete("puppet-ci ge", 1).trim(), "");
    let global = complete("puppet-ci validate --ro", 2);
    assert!(global.split_whitespace().any(|word| word == "--root"), "{global}");

    let zsh = std::fs::read_to_string(dir.path().join("_puppet-ci")).unwrap();
    assert!(zsh.starts_with("#compdef puppet-ci"), "{zsh}");
    let fish = std::fs::read_to_string(dir.path().join("puppet-ci.fish")).unwrap();
    assert!(fish.contains("complete -c puppet-ci") && fish.contains("validate"), "{fish}");
    assert!(!fish.contains("\"generate\"") && !zsh.contains("'generate:"), "no hidden command offered");
}

#[test]
fn generate_into_a_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let output = puppet_ci(&["generate", "man", "--out", &file.display().to_string()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("not-a-folder"), "{stderr}");
}
