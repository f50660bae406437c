//! Any text, however broken, is linted without a panic: puppet-lint's lexer on its own
//! (it must end with tokens or a lexer error), and the whole linter with every check on and
//! `--fix`.

use proptest::prelude::*;
use puppet_lint::{Dispatch, Settings, RULES};

/// Text made of Puppet's punctuation, keywords, quotes, heredoc and comment starts, and
/// characters outside ASCII: the pieces that make the lexer's decisions.
fn puppetish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "class ", "define ", "node ", "case ", "default", "inherits ", "if ", "{", "}", "(", ")", "[", "]", "$x", "$::a", "${", "\"", "'", "\\",
        "/", "//", "/*", "*/", "#", "\n", "\r\n", "\r", " ", "\t", "=>", "->", "<-", "~>", "?", ":", ",", ";", "@(END)", "@(\"E\"/L)", "END",
        "| END", "file", "mode", "ensure", "0644", "1e5x", "0x1G", "é", "\u{a0}", "true", "'true'", "\"${a}\"", "$a[0]", "lint:ignore:hard_tabs",
        "lint:endignore", "puppet:///x",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn the_lexer_ends_without_panicking(text in puppetish()) {
        let _ = puppet_lint::lexer::tokenise(&text);
    }

    #[test]
    fn linting_and_fixing_end_without_panicking(text in puppetish()) {
        let mut settings = Settings::default();
        settings.enabled = vec![true; RULES.len()];
        settings.fix = true;
        let lint = puppet_lint::lint_source(&text, "m/manifests/init.pp", "/m/manifests/init.pp", &settings, &Dispatch::new(&settings));
        // A fix is kept only when the fixed text still parses.
        if let Some(fixed) = &lint.fixed {
            prop_assert!(!puppet_syntax::parse(fixed).has_errors(), "fixed text does not parse: {fixed:?}");
        }
    }
}
