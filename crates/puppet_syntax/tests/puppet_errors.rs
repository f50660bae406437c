//! Syntax errors where Puppet's parser reports them, with Puppet's words: the first error
//! of each text, found by Puppet's own grammar over Puppet's tokens (puppet_parser). The
//! expected positions and messages are what Puppet 7.23 prints for the same text.

use puppet_syntax::{parse, parse_epp};

/// The first error of `source` as `line:column: message`.
fn first_error(source: &str, epp: bool) -> String {
    let parsed = if epp { parse_epp(source) } else { parse(source) };
    let errors = if parsed.has_errors() { parsed.errors.clone() } else { parsed.validate() };
    let error = errors.first().unwrap_or_else(|| panic!("no error in {source:?}"));
    format!("{}:{}: {}", error.span.line, error.span.column, error.message)
}

fn check(source: &str, expected: &str) {
    assert_eq!(first_error(source, false), expected, "in {source:?}");
}

#[test]
fn parameter_lists_and_blocks_after_calls_stop_where_puppet_stops() {
    // The five smallest forms of issue 8, each at Puppet's token.
    check("x (String $architecture)\n", "1:11: Syntax error at 'architecture'");
    check("foo($a) { $b = 1 }\n", "1:14: Syntax error at '='");
    check("foo() { include bar }\n", "1:17: Syntax error at 'bar'");
    check("apply($t) { file { \"/x\": } }\n", "1:18: Syntax error at '{'");
    check("x(String $t) { if $a {\n", "1:10: Syntax error at 't'");
}

#[test]
fn tokens_are_named_by_their_value() {
    // The token's value; at the end of input Puppet gives no position (ours: the end).
    check("$x = 1\n$y = ]\n", "2:6: Syntax error at ']'");
    check("$x = 'a' 'b' ]\n", "1:14: Syntax error at ']'");
    check("$x = [1, 2\n", "2:1: Syntax error at end of input");
}

#[test]
fn errors_of_grammar_actions_use_puppets_words() {
    check("class class {}\n", "1:7: 'class' keyword not allowed at this location");
    check("$a, $b\n", "1:3: illegal comma separated argument list");
    check("foo $a, $b\n", "1:7: attempt to pass argument list to the function 'foo' which cannot be called without parentheses");
    check("@foo(1)\n", "1:1: Virtual (@) can only be applied to a Resource Expression");
    check("$x + $y { a => 1 }\n", "1:4: Expression is not valid as a resource, resource-default, or resource-override");
}

#[test]
fn lexer_errors_come_first_where_the_lexer_reads() {
    // Puppet's lexer reads a whole double quoted string before the parser sees it.
    // After the last variable or interpolation of the string (a failed scan: '').
    check("$x = \"abc $y\n", "1:13: Unclosed quote after 'y' followed by '\\n...'");
    check("$x = \"${y z\n", "2:1: Unclosed quote after '' followed by '<eof>'");
    check("$x = \"${facts['os']})\n", "1:21: Unclosed quote after 's'' followed by ')\\n...'");
    check("$x = 0x1G\n", "1:6: Not a valid hex number 0x1G");
    check("$x = @(END)\nno end\n", "2:1: Heredoc without end-tagged line");
    check("$x = /a)b/\n", "1:6: unmatched close parenthesis: /a)b/");
}

#[test]
fn epp_errors_at_puppets_places() {
    assert_eq!(first_error("<% if $a { %>\nyes\n", true), "3:1: Syntax error at end of input");
    assert_eq!(first_error("a <%= $x \n", true), "2:1: Unbalanced epp tag, reached <eof> without closing tag.");
    assert_eq!(first_error("<% if $a %>x<% } %>\n", true), "1:12: Syntax error at 'x'");
}
