//! Evaluation of the language: each case compiles code and compares the titles of the
//! `notify` resources it declares (or the error) with what Puppet 7 gives.

use puppet_catalog::Catalog;
use puppet_compiler::{CompileOptions, Error, NativeCompiler};

fn compile(code: &str) -> Result<Catalog, Error> {
    let facts = serde_json::json!({"os": {"family": "Debian", "name": "Debian"}, "osfamily": "Debian", "networking": {"fqdn": "n1.example.com"}});
    let options = CompileOptions {
        node_name: "n1.example.com".into(),
        facts: facts.as_object().cloned().expect("an object").into(),
        code: Some(code.to_string()),
        ..CompileOptions::default()
    };
    NativeCompiler::new().compile(&options).map(|output| output.catalog)
}

/// Compiles `code` and checks the titles of its notify resources, in catalog order.
fn check(code: &str, expected: &[&str]) {
    let catalog = compile(code).unwrap_or_else(|error| panic!("compile failed: {error}\ncode: {code}"));
    let titles: Vec<&str> = catalog.resources.iter().filter(|r| r.type_name == "Notify").map(|r| r.title.as_str()).collect();
    assert_eq!(titles, expected, "code: {code}");
}

/// Compiles `code` and checks the error message and the line Puppet reports it at.
fn check_error(code: &str, expected: &str, expected_line: Option<u32>) {
    match compile(code) {
        Ok(_) => panic!("expected an error for: {code}"),
        Err(Error::Compile { message, line, .. }) => {
            assert_eq!(message, expected, "code: {code}");
            assert_eq!(line, expected_line, "code: {code}");
        }
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn arithmetic_follows_ruby() {
    check(r#"notify { "${7 / 2} ${-7 / 2} ${-7 % 3} ${2.5 * 2} ${1 << 4} ${0x10 + 010}": }"#, &["3 -4 2 5.0 16 24"]);
}

#[test]
fn strings_compare_case_insensitively() {
    check(r#"if 'ABC' == 'abc' { notify { 'eq': } } if 'b' in ['A', 'B'] { notify { 'in': } }"#, &["eq", "in"]);
}

#[test]
fn interpolation_of_collections() {
    check(r#"$a = [1, 'b', undef, {k => [2]}] notify { "${a} ${a[1]}": }"#, &["[1, b, , {k => [2]}] b"]);
}

#[test]
fn match_captures_in_if_and_case() {
    check(
        r#"if 'foo123' =~ /([a-z]+)(\d+)/ { notify { "${1}-${2}": } } case 'apache2' { /^ap(.*)/: { notify { "c${1}": } } }"#,
        &["foo-123", "cache2"],
    );
}

#[test]
fn selectors_and_defaults() {
    check(r#"$x = 'b' ? { 'a' => 1, /b/ => 2, default => 3 } notify { "${x}": }"#, &["2"]);
}

#[test]
fn iteration_functions() {
    check(
        r#"$a = [1,2,3].map |$x| { $x * 2 } $b = {a => 1}.map |$k, $v| { "${k}${v}" } $c = [1,2,3].reduce |$m, $x| { $m + $x }
           notify { "${a} ${b} ${c}": }"#,
        &["[2, 4, 6] [a1] 6"],
    );
}

#[test]
fn defines_see_title_and_parameters() {
    check(r#"define d($p = "${title}x") { notify { "${name}:${p}": } } d { 'a': } d { 'b': p => 'q' }"#, &["a:ax", "b:q"]);
}

#[test]
fn classes_with_parameters_and_inheritance() {
    check(
        r#"class base { $v = 'base' } class child($x = 1) inherits base { notify { "${v} ${x}": } } class { 'child': x => 2 }"#,
        &["base 2"],
    );
}

#[test]
fn reassignment_is_an_error() {
    check_error("$x = 1\n$x = 2", "Evaluation Error: Cannot reassign variable '$x'", Some(2));
}

#[test]
fn duplicate_declaration_reports_both_places() {
    check_error(
        "notify { 'a': }\nnotify { 'a': }",
        "Evaluation Error: Error while evaluating a Resource Statement, Duplicate declaration: Notify[a] is already declared at (line: 1); cannot redeclare (line: 2)",
        Some(2),
    );
}

#[test]
fn type_mismatch_of_a_class_parameter() {
    check_error(
        "class foo(Integer $x) { }\nclass { 'foo': x => 'a' }",
        "Evaluation Error: Error while evaluating a Resource Statement, Class[Foo]: parameter 'x' expects an Integer value, got String",
        Some(2),
    );
}

#[test]
fn unknown_function() {
    check_error("nosuch(1)", "Evaluation Error: Unknown function: 'nosuch'.", Some(1));
}

#[test]
fn a_missing_lookup_key_has_no_place() {
    check_error("lookup('no::such')", "Function lookup() did not find a value for the name 'no::such'", None);
}
