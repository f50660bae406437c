//! Mutation-based differential test of syntax errors against real Puppet 7 (installed by
//! `tests/setup`): every fixture of `fixtures/syntax/valid` is broken in the ways a
//! developer breaks code (a deleted brace, bracket, parenthesis, comma, `=>`, quote, title
//! colon or `$`, a duplicated keyword, a stray `}` or `)`, a truncated file, an unclosed
//! string or heredoc; `.pp` and `.epp`) by `tests/differential/syntax-mutations`, and
//! `puppet-ci validate` must agree with Puppet on each mutant: the verdict, and where both
//! reject, the first error's line, column and message (docs/dev/syntax-errors.md).
//!
//! The minimums are today's figures: 99% of verdicts (Puppet checks the JSON of a heredoc
//! tagged `:json`, and accepts an unclosed `${` in a heredoc, which our grammar rejects),
//! every line and column, 99.5% of messages.

use std::path::Path;
use std::process::Command;

#[test]
fn broken_fixtures_are_rejected_where_and_as_puppet_rejects_them() {
    let found = Command::new("puppet").arg("--version").output();
    assert!(
        found.as_ref().is_ok_and(|output| output.status.success()),
        "the `puppet` command (Puppet 7, the oracle) is not installed or does not run: run `bash tests/setup` ({found:?})"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new("python3")
        .arg(root.join("tests/differential/syntax-mutations"))
        .args(["--bin", env!("CARGO_BIN_EXE_puppet-ci")])
        .args(["--min-verdict", "99", "--min-line", "100", "--min-column", "100", "--min-message", "99.5"])
        .args(["--show", "20"])
        .arg(root.join("fixtures/syntax/valid"))
        .output()
        .expect("python3 runs tests/differential/syntax-mutations");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    println!("{report}");
    assert!(report.contains("syntax mutations: "), "the mutation script printed no figures:\n{report}");
    assert!(output.status.success(), "puppet-ci differs from Puppet on broken fixtures more than allowed:\n{report}");
}
