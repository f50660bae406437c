//! Parses sample manifests and templates with the generated parsers: valid input must give
//! a tree without ERROR or MISSING nodes (and the expected shape where given); invalid
//! input must give at least one.

fn parse(source: &str, epp: bool) -> tree_sitter::Tree {
    let mut parser = tree_sitter::Parser::new();
    let language = if epp { puppet_grammar::epp_language() } else { puppet_grammar::language() };
    parser.set_language(&language).expect("the grammar loads");
    parser.parse(source, None).expect("parsing returns a tree")
}

/// Checks that `source` parses cleanly and, when `expected` is not empty, that the tree's
/// S-expression contains it.
fn check(source: &str, expected: &str) {
    check_dialect(source, expected, false);
}

fn check_epp(source: &str, expected: &str) {
    check_dialect(source, expected, true);
}

fn check_dialect(source: &str, expected: &str, epp: bool) {
    let tree = parse(source, epp);
    let sexp = tree.root_node().to_sexp();
    assert!(!tree.root_node().has_error(), "unexpected error in {source:?}:\n{sexp}");
    assert!(sexp.contains(expected), "expected {expected:?} in the tree of {source:?}:\n{sexp}");
}

fn check_error(source: &str, epp: bool) {
    let tree = parse(source, epp);
    assert!(
        tree.root_node().has_error(),
        "expected a syntax error in {source:?}, got:\n{}",
        tree.root_node().to_sexp()
    );
}

#[test]
fn statement_calls_take_arguments_without_parentheses() {
    // The name is a statement of its own, the arguments the next one (Puppet joins them).
    check("include foo, bar", "(program (name) (statement_list item: (name) item: (name)))");
    check("fail \"boom\"", "(program (name) (double_quoted_string (string_content)))");
    // A minus after a name is the binary operator, as in Puppet.
    check("notice - 1", "(arithmetic_expression left: (name) right: (number))");
    check("notice(1)", "(call_named_function_expression functor: (name) argument: (number))");
    check("notice (1)", "(call_named_function_expression functor: (name) argument: (number))");
}

#[test]
fn whitespace_decides_brackets_and_parentheses() {
    check("$a = $b[1]", "(access_expression left: (variable) key: (number))");
    check("$a = $b [1]", "");
    check("foo\n(1)", "(program (name) (paren_expression expr: (number)))");
}

#[test]
fn resources_defaults_overrides_and_collectors() {
    check("@@file { 'a': ensure => present, * => $h }", "(resource_expression type: (name) body: (resource_body");
    check("File { mode => '0644' }", "(untitled_resource type: (type) operation: (attribute_operation");
    check("File['x'] { mode => '0644' }", "(untitled_resource type: (access_expression");
    check("class { 'x': }", "(resource_expression type: (name) body: (resource_body title: (single_quoted_string)))");
    check("User <| title == 'a' |> { shell => 'x' }", "(collect_expression type: (type) query: (virtual_query expr: (comparison_expression");
    check("User <<| |>>", "(collect_expression type: (type) query: (exported_query))");
    check("file { 'a': unless => 1, tag => 2 }", "(attribute_operation name: (name) value: (number))");
}

#[test]
fn strings_heredocs_and_regexes() {
    check("$x = \"a ${b[1]} $c \\n $ d\"", "(interpolation expr: (access_expression");
    check("$x = @(END)\n  text\n  | END\n", "(heredoc (heredoc_start))) (heredoc_body (string_content) (heredoc_end))");
    check("$x = [@(A), @(B)]\na\nA\nb\nB\n$y = 1\n", "(heredoc_body (string_content) (heredoc_end)) (heredoc_body (string_content) (heredoc_end))");
    check("$x = $y =~ /a\\/b/", "(match_expression left: (variable) right: (regex))");
    check("$x = $y / 2 / 3", "(arithmetic_expression left: (arithmetic_expression");
}

#[test]
fn epp_templates() {
    check_epp("<%- | String $x = 'a' | -%>\nHello <%= $x %>!\n", "(template (epp_open) parameters: (parameter_list parameter: (parameter");
    check_epp("<% if $x { %>yes<% } else { %>no<% } -%>\n", "(if_expression condition: (variable) consequence: (block (epp_close) (template_text) (epp_open))");
    check_epp("a <%# comment %> b <%% c %%>", "(template (template_text))");
}

#[test]
fn invalid_input_gives_errors() {
    check_error("class { 'a': x => true' }\n", false);
    check_error("$x = @(END)\nno end\n", false);
    check_error("$x = @(END)", false);
    check_error("notice(1);", false);
    check_error("$x = { class => 1 }", false);
    check_error("if $x { ", false);
    check_error("<% $x = 1", true);
    check_error("text <%# unclosed", true);
    check_error("<%= $x", true);
}

#[test]
fn first_error_is_the_token_where_parsing_stops() {
    let language = puppet_grammar::language();
    assert_eq!(puppet_grammar::first_error(&language, b"$a = [1, 2]\n$b = 3\n"), None);
    let source = b"case $x {\n  'a' { }\n}\n";
    let error = puppet_grammar::first_error(&language, source).expect("an error");
    assert_eq!(&source[error.start_byte..error.end_byte], b"{");
    assert_eq!(error.start_byte, 16);
    let source = b"$a = [1, 2\n$b = 3\n";
    let error = puppet_grammar::first_error(&language, source).expect("an error");
    assert_eq!(&source[error.start_byte..error.end_byte], b"$b");
    let error = puppet_grammar::first_error(&language, b"class a").expect("an error");
    assert_eq!((error.symbol.as_str(), error.start_byte), ("end", 7));
    let source = b"$a = \"x ${b} y\n$c = 1\n";
    let error = puppet_grammar::first_error(&language, source).expect("an error");
    // Puppet: "Unclosed quote after 'c'": the string ends at `$c`, the interpolation of
    // the next line, and the error is at the segment after it.
    assert_eq!(error.symbol, "_unclosed_string");
    assert_eq!(error.start_byte, 17);
}

/// NODES.md is the contract with puppet_syntax: it names every visible node kind of both
/// grammars and every field.
#[test]
fn nodes_md_documents_every_node_kind_and_field() {
    let doc = include_str!("../NODES.md");
    for language in [puppet_grammar::language(), puppet_grammar::epp_language()] {
        for id in 0..language.node_kind_count() as u16 {
            let Some(kind) = language.node_kind_for_id(id) else { continue };
            if !language.node_kind_is_named(id) || !language.node_kind_is_visible(id) || kind == "ERROR" {
                continue;
            }
            assert!(doc.contains(&format!("`{kind}`")), "NODES.md does not document the node kind `{kind}`");
        }
        for id in 1..=language.field_count() as u16 {
            let Some(field) = language.field_name_for_id(id) else { continue };
            let documented = ["", "*", "?"].iter().any(|suffix| doc.contains(&format!("`{field}{suffix}:`")));
            assert!(documented, "NODES.md does not document the field `{field}:`");
        }
    }
}
