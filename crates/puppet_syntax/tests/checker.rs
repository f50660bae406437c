//! Puppet's checker: each expectation is what `puppet parser validate` reports (line and
//! message, Puppet 7.23). The fixtures under fixtures/syntax/invalid are checked against
//! Puppet itself by crates/puppet_ci/tests/syntax_differential.rs.

use std::path::Path;

use puppet_syntax::checker::FileLocation;

fn check(source: &str, expected: &[(u32, &str)]) {
    check_in(source, &FileLocation::Anywhere, expected);
}

fn check_in(source: &str, location: &FileLocation, expected: &[(u32, &str)]) {
    let parsed = puppet_syntax::parse(source);
    let found: Vec<(u32, String)> = parsed
        .validate_in(location)
        .into_iter()
        .filter(puppet_syntax::Diagnostic::is_error)
        .map(|diagnostic| (diagnostic.span.line, diagnostic.message))
        .collect();
    let expected: Vec<(u32, String)> = expected.iter().map(|(line, message)| (*line, (*message).to_string())).collect();
    assert_eq!(found, expected, "source: {source:?}");
}

#[test]
fn valid_code_has_no_errors() {
    check("class a($x = 1) { notice($x) }\n$y = [1, 2].map |$v| { $v * 2 }\n", &[]);
}

#[test]
fn assignments() {
    check("$x = 1\n1 = $x\n", &[(2, "Illegal attempt to assign to 'a Literal Integer'. Not an assignable reference")]);
    check("$other::x = 1\n", &[(1, "Illegal attempt to assign to 'other::x'. Cannot assign to variables in other namespaces")]);
    check("$1 = 2\n", &[(1, "Illegal attempt to assign to the numeric match result variable '$1'. Numeric variables are not assignable")]);
    check("$x[1] = 2\n", &[(1, "Illegal attempt to assign via [index/key]. Not an assignable reference")]);
    check("$x = 1\n$x += 2\n", &[(2, "The operator '+=' is no longer supported. See http://links.puppet.com/remove-plus-equals")]);
}

#[test]
fn definitions() {
    check("if $a {\n  class b {}\n}\n", &[(2, "Classes, definitions, and nodes may only appear at toplevel or inside other classes")]);
    check("class Foo {}\n", &[(1, "Unacceptable name. The name 'Foo' is unacceptable as the name of a Host Class Definition")]);
    check("define d($name) {}\n", &[(1, "The parameter $name redefines a built in parameter in the 'define' expression")]);
    check("class c($a, $a) {}\n", &[(1, "The parameter 'a' is declared more than once in the parameter list")]);
    check("class integer {}\n", &[(1, "The name: 'integer' is already defined by Puppet and can not be used as the name of a Host Class Definition.")]);
    check("class a {\n  function f() {}\n  notice(1)\n}\n", &[(2, "A Function Definition may only appear at toplevel")]);
    check("class a {}\nclass a {}\n", &[(2, "Class 'a' is already defined (line: 1); cannot redefine")]);
}

#[test]
fn expressions() {
    check("1\nnotice(2)\n", &[(1, "This Literal Integer has no effect. A value was produced and then forgotten (one or more preceding expressions may have the wrong form)")]);
    check("file { ensure => present }\n", &[(1, "This expression is invalid. Did you try declaring a 'file' resource without a title?")]);
    check("$x = private\n", &[(1, "Use of reserved word: private, must be quoted if intended to be a String value")]);
    check("$Foo = 1\n", &[(1, "Illegal variable name, The given name 'Foo' does not conform to the naming rule /^((::)?[a-z]\\w*)*((::)?[a-z_]\\w*)$/")]);
    check("$x = $y ? { default => 1, default => 2 }\n", &[(1, "This Selector Expression already has a 'default' entry - this is a duplicate")]);
    check("@File { mode => '0644' }\n", &[(1, "Resource Defaults are not virtualizable")]);
    check("User <| title > 'a' |>\n", &[(1, "Illegal query expression. A '>' expression cannot be used in a query")]);
    check("file { 'a': require +> File['b'] }\n", &[(1, "Illegal +> operation on attribute require. This operator can not be used in a Resource Instance Definition")]);
    check("$x = 9223372036854775808\n", &[(1, "A Literal Integer resulted in a value outside of Puppet Integer max range, got '+0x8000000000000000'")]);
    check("node 'a b' {}\n", &[(1, "The hostname 'a b' contains illegal characters (only letters, digits, '_', '-', and '.' are allowed)")]);
}

#[test]
fn module_files_hold_their_own_definitions() {
    let location = FileLocation::in_modulepath(Path::new("profile/manifests/db.pp"), "site/profile/manifests/db.pp".into());
    assert_eq!(location, FileLocation::Module { file: "site/profile/manifests/db.pp".into(), namespace: "profile::db".into() });
    check_in("class profile::db {}\nclass profile::db::extra {}\n", &location, &[]);
    check_in(
        "class profile::other {}\ninclude foo\n",
        &location,
        &[
            (2, "This Function Call is unacceptable as a top level construct in this location"),
            (1, "Unacceptable location. The name 'profile::other' is unacceptable in file 'site/profile/manifests/db.pp'"),
        ],
    );
    let init = FileLocation::in_modulepath(Path::new("profile/manifests/init.pp"), "init.pp".into());
    assert_eq!(init, FileLocation::Module { file: "init.pp".into(), namespace: "profile".into() });
    let elsewhere = FileLocation::in_modulepath(Path::new("profile/files/x.pp"), "x.pp".into());
    check_in("class profile {}\n", &elsewhere, &[(1, "Unacceptable location. The name 'profile' is unacceptable in file 'x.pp'")]);
    assert_eq!(FileLocation::in_modulepath(Path::new("profile/templates/x.epp"), "x.epp".into()), FileLocation::Anywhere);
}

/// `${true}` is a variable named by the boolean true: Puppet's checker crashes on it
/// (NoMethodError), which fails the validation with Ruby's message.
#[test]
fn boolean_made_variable_in_interpolation() {
    check("notice(\"${true}\")\n", &[(1, "undefined method `[]' for true:TrueClass")]);
    check("notice(\"${false[0]}\")\n", &[(1, "undefined method `[]' for false:FalseClass")]);
    check("notice(\"${type[0]} ${node.x} ${0}\")\n", &[]);
}
