//! One test per rule: its fixture (violations and clean code, in `tests/fixtures/<check>.pp`)
//! linted with that check alone, the problems and, for rules with a fix, the fixed text,
//! as a reviewed snapshot. Also: every rule has its documentation sections and a fixture.

use std::path::Path;

use puppet_lint::{docs, Dispatch, Kind, Settings, RULES};

/// The fixture of `check`, linted as `modules/<check>/manifests/init.pp` with only that
/// check on; the problems, then (with a fix) the fixed text.
fn report(check: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("{check}.pp"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let mut settings = Settings::default();
    settings.only_checks(&[check]);
    let shown = format!("modules/{check}/manifests/init.pp");
    let lint = |settings: &Settings| puppet_lint::lint_source(&source, &shown, &format!("/{shown}"), settings, &Dispatch::new(settings));
    let found = lint(&settings);
    let mut out = String::new();
    for problem in &found.problems {
        out.push_str(&format!("{}:{} {} {}: {}\n", problem.line, problem.column, problem.kind.as_str(), problem.check, problem.message));
    }
    let meta = RULES.iter().map(|rule| rule.meta()).find(|meta| meta.name == check).expect("a rule");
    if meta.fix != puppet_lint::rule::FixKind::None {
        settings.fix = true;
        let fixed = lint(&settings);
        out.push_str("--- --fix\n");
        for problem in &fixed.problems {
            let reason = problem.reason.as_deref().map(|reason| format!(" ({reason})")).unwrap_or_default();
            out.push_str(&format!("{}:{} {}{reason}\n", problem.line, problem.column, problem.kind.as_str()));
        }
        out.push_str("--- fixed text\n");
        out.push_str(fixed.fixed.as_deref().unwrap_or("(unchanged)\n"));
        // A second --fix finds nothing left to fix.
        if let Some(text) = &fixed.fixed {
            let again = puppet_lint::lint_source(text, &shown, &format!("/{shown}"), &settings, &Dispatch::new(&settings));
            assert!(again.fixed.is_none(), "{check}: a second --fix changed the text again");
            assert!(!again.problems.iter().any(|problem| problem.kind == Kind::Fixed), "{check}: a second --fix fixed more");
        }
    }
    out
}

macro_rules! rule_tests {
    ($($test:ident => $check:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                let report = report($check);
                // Every fixture holds violations, except slash_comments': in Puppet `//`
                // starts a regex, so valid Puppet has no `//` comments to find.
                if $check != "slash_comments" {
                    assert!(report.lines().next().is_some_and(|line| !line.starts_with("---")), "{}: the fixture has no violation", $check);
                }
                insta::assert_snapshot!($check, report);
            }
        )*

        /// Every rule has a test above.
        const TESTED: &[&str] = &[$($check),*];
    };
}

rule_tests! {
    arrow_on_right_operand_line => "arrow_on_right_operand_line",
    autoloader_layout => "autoloader_layout",
    class_inherits_from_params_class => "class_inherits_from_params_class",
    code_on_top_scope => "code_on_top_scope",
    inherits_across_namespaces => "inherits_across_namespaces",
    names_containing_dash => "names_containing_dash",
    names_containing_uppercase => "names_containing_uppercase",
    nested_classes_or_defines => "nested_classes_or_defines",
    parameter_order => "parameter_order",
    right_to_left_relationship => "right_to_left_relationship",
    variable_scope => "variable_scope",
    slash_comments => "slash_comments",
    star_comments => "star_comments",
    case_without_default => "case_without_default",
    selector_inside_resource => "selector_inside_resource",
    documentation => "documentation",
    unquoted_node_name => "unquoted_node_name",
    duplicate_params => "duplicate_params",
    ensure_first_param => "ensure_first_param",
    ensure_not_symlink_target => "ensure_not_symlink_target",
    file_mode => "file_mode",
    unquoted_file_mode => "unquoted_file_mode",
    unquoted_resource_title => "unquoted_resource_title",
    double_quoted_strings => "double_quoted_strings",
    only_variable_string => "only_variable_string",
    puppet_url_without_modules => "puppet_url_without_modules",
    quoted_booleans => "quoted_booleans",
    single_quote_string_with_variables => "single_quote_string_with_variables",
    variables_not_enclosed => "variables_not_enclosed",
    variable_contains_dash => "variable_contains_dash",
    variable_is_lowercase => "variable_is_lowercase",
    line_140chars => "140chars",
    soft_tabs_2sp => "2sp_soft_tabs",
    line_80chars => "80chars",
    arrow_alignment => "arrow_alignment",
    hard_tabs => "hard_tabs",
    space_before_arrow => "space_before_arrow",
    trailing_whitespace => "trailing_whitespace",
    legacy_facts => "legacy_facts",
    top_scope_facts => "top_scope_facts",
}

/// A rule without its documentation sections, its fixture or its test fails here.
#[test]
fn every_rule_has_docs_a_fixture_and_a_test() {
    for rule in RULES {
        let meta = rule.meta();
        let missing = docs::missing_sections(meta);
        assert!(missing.is_empty(), "{}: its doc comment lacks {missing:?}", meta.name);
        assert!(docs::body(meta).contains("```puppet"), "{}: its doc comment has no Puppet example", meta.name);
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("{}.pp", meta.name));
        assert!(fixture.is_file(), "{}: no fixture {}", meta.name, fixture.display());
        assert!(TESTED.contains(&meta.name), "{}: no test in tests/rules.rs", meta.name);
    }
    assert_eq!(RULES.len(), 40);
}

/// The check names are puppet-lint 4.3.0's, in its order, and those `puppet-ci.yaml` accepts.
#[test]
fn rules_are_puppet_lints_checks() {
    let names: Vec<&str> = RULES.iter().map(|rule| rule.meta().name).collect();
    assert_eq!(names, puppet_ci_config::lint::CHECKS);
    let off: Vec<&str> = RULES.iter().map(|rule| rule.meta()).filter(|meta| !meta.default_enabled).map(|meta| meta.name).collect();
    assert_eq!(off, ["class_inherits_from_params_class", "code_on_top_scope", "quoted_booleans", "80chars"]);
}

/// `docs/rules.md` is what `puppet-ci rule --markdown` prints (regenerate with it).
#[test]
fn rules_reference_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == docs::markdown(), "docs/rules.md is out of date: run `cargo run -p puppet_ci -- rule --markdown > docs/rules.md`");
}
