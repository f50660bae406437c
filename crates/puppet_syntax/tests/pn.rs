//! PN of small snippets: what `puppet parser dump --format pn` prints for them (each
//! expectation was produced by Puppet 7.23).

fn check(input: &str, expected: &str) {
    let parsed = puppet_syntax::parse(input);
    assert!(parsed.errors.is_empty(), "{input:?} gave errors: {:?}", parsed.errors);
    let pn = parsed.to_pn().expect("no syntax errors").expect("Puppet can dump this tree");
    assert_eq!(pn, expected, "input: {input:?}");
}

fn check_epp(input: &str, expected: &str) {
    let parsed = puppet_syntax::parse_epp(input);
    assert!(parsed.errors.is_empty(), "{input:?} gave errors: {:?}", parsed.errors);
    let pn = parsed.to_pn().expect("no syntax errors").expect("Puppet can dump this tree");
    assert_eq!(pn, expected, "input: {input:?}");
}

#[test]
fn empty_and_comment_only_files_are_nop() {
    check("", "(nop)");
    check("# only a comment\n", "(nop)");
    check("/* block */\n", "(nop)");
}

#[test]
fn literals() {
    check("[1, 2.5, 0x1F, 017, -3, -2.0, 1e20]", "(array 1 2.5 (int {:radix 16 :value 31}) (int {:radix 8 :value 15}) -3 -2.0 1.0e+20)");
    check("true", "true");
    check("undef", "nil");
    check("default", "(default)");
    check("$r = /a\\/b/", "(= (var \"r\") (regexp \"a/b\"))");
    check("$s = 'a\\'b\\\\c\\n'", "(= (var \"s\") \"a'b\\\\c\\\\n\")");
    check("$s = \"tab\\there\\u00e9\\$x\"", "(= (var \"s\") \"tab\\there\u{e9}$x\")");
    check("$s = \"bell\u{7}\"", "(= (var \"s\") \"bell\\o007\")");
}

#[test]
fn statement_calls_without_parentheses() {
    check("fail \"boom\"", "(invoke {:functor (qn \"fail\") :args [\"boom\"]})");
    check("include a, b", "(invoke {:functor (qn \"include\") :args [(qn \"a\") (qn \"b\")]})");
    check("notice(\"a\", 'b')", "(invoke {:functor (qn \"notice\") :args [\"a\" \"b\"]})");
    check("$x = foo(1)", "(= (var \"x\") (call {:functor (qn \"foo\") :args [1]}))");
    check("foo bar", "(block (qn \"foo\") (qn \"bar\"))");
}

#[test]
fn interpolation() {
    check(
        "\"b${x}c$y d\"",
        "(concat \"b\" (str (var \"x\")) \"c\" (str (var \"y\")) \" d\")",
    );
    check(
        "$v = \"${x[1]} ${x.y} ${1} ${foo(1)}\"",
        "(= (var \"v\") (concat (str (access (var \"x\") 1)) \" \" (str (call-method {:functor (. (var \"x\") (qn \"y\")) :args []})) \" \" (str (var \"1\")) \" \" (str (call {:functor (qn \"foo\") :args [1]}))))",
    );
    check("\"cost: $\"", "\"cost: $\"");
}

/// interpolation_support's transform_to_variable: in `${...}`, a first token that is a
/// name, bare word, keyword or number is a variable when it is alone or followed by `.`
/// or `[` (with no blank before the `[`). Each expectation is Puppet 7.23's dump.
#[test]
fn interpolation_first_token_made_variable() {
    check(r#""${type['ds_name']}""#, r#"(concat (str (access (var "type") "ds_name")))"#);
    check(r#""${node.foo}""#, r#"(concat (str (call-method {:functor (. (var "node") (qn "foo")) :args []})))"#);
    check(r#""${true}""#, "(concat (str (var true)))");
    check(r#""${true[0]}""#, "(concat (str (access (var true) 0)))");
    check(r#""${false.foo}""#, r#"(concat (str (call-method {:functor (. (var false) (qn "foo")) :args []})))"#);
    check(r#""${default[0]}""#, r#"(concat (str (access (var "default") 0)))"#);
    check(r#""${undef[0]}""#, r#"(concat (str (access (var "undef") 0)))"#);
    check(r#""${class}""#, r#"(concat (str (var "class")))"#);
    check(r#""${unless[0][1]}""#, r#"(concat (str (access (access (var "unless") 0) 1)))"#);
    check(r#""${case.foo(1, 2)}""#, r#"(concat (str (call-method {:functor (. (var "case") (qn "foo")) :args [1 2]})))"#);
    check(
        r#""${if.each |$x| {}}""#,
        r#"(concat (str (call-method {:functor (. (var "if") (qn "each")) :args [] :block (lambda {:params {:x {}}})})))"#,
    );
    check(r#""${ type[0] }""#, r#"(concat (str (access (var "type") 0)))"#);
    check("\"${type # c\n.foo}\"", r#"(concat (str (call-method {:functor (. (var "type") (qn "foo")) :args []})))"#);
    check(r#""${type/* c */[0]}""#, r#"(concat (str (access (var "type") 0)))"#);
    check(r#""${type[0] + 1}""#, r#"(concat (str (+ (access (var "type") 0) 1)))"#);
    check(r#""${true + 1}""#, "(concat (str (+ true 1)))");
    // Numbers keep their text: `${0x10[0]}` is the variable `$0x10`.
    check(r#""${0x10[0]} ${1e3[0]} ${1.5}""#, r#"(concat (str (access (var "0x10") 0)) " " (str (access (var "1e3") 0)) " " (str (var "1.5")))"#);
    check(r#""${1.foo}""#, r#"(concat (str (call-method {:functor (. (var "1") (qn "foo")) :args []})))"#);
    check("$x = @(\"END\")\n  ${type[0]} ${true}\n  | END\n", r#"(= (var "x") (heredoc {:text (concat (str (access (var "type") 0)) " " (str (var true)) "\n")}))"#);
    check_epp("<% $x = \"${type[0]}\" -%>\n", r#"(lambda {:body [(epp (= (var "x") (concat (str (access (var "type") 0)))) (render-s ""))]})"#);
}

#[test]
fn method_calls() {
    check(
        "$x.each |$k, Integer $v = 3| { notice $v }",
        "(call-method {:functor (. (var \"x\") (qn \"each\")) :args [] :block (lambda {:params {:k {} :v {:type (qr \"Integer\") :value 3}} :body [(invoke {:functor (qn \"notice\") :args [(var \"v\")]})]})})",
    );
    check("$y = $x.foo(1)", "(= (var \"y\") (call-method {:functor (. (var \"x\") (qn \"foo\")) :args [1]}))");
}

#[test]
fn definitions_are_namespaced() {
    check(
        "class a::b($p = 1) inherits c { class d { } define e() {} }",
        "(class {:name \"a::b\" :parent \"c\" :params {:p {:value 1}} :body [(class {:name \"a::b::d\"}) (define {:name \"a::b::e\"})]})",
    );
    check(
        "function foo::bar(String $x) >> Integer { 1 }",
        "(function {:name \"foo::bar\" :params {:x {:type (qr \"String\")}} :body [1] :returns (qr \"Integer\")})",
    );
}

#[test]
fn resources() {
    check(
        "foo { 'x': a => 1, * => $h }",
        "(resource {:type (qn \"foo\") :bodies [{:title \"x\" :ops [(=> \"a\" 1) (splat-hash (var \"h\"))]}]})",
    );
    check("Foo { a => 1 }", "(resource-defaults {:type (qr \"Foo\") :ops [(=> \"a\" 1)]})");
    check("Foo['x'] { a +> 1 }", "(resource-override {:resources (access (qr \"Foo\") \"x\") :ops [(+> \"a\" 1)]})");
    check("@@foo { 'y': }", "(resource {:type (qn \"foo\") :bodies [{:title \"y\" :ops []}] :form \"exported\"})");
    check(
        "Foo <| title == 'x' |> { a => 2 }",
        "(collect {:type (qr \"Foo\") :query (virtual-query (== (qn \"title\") \"x\")) :ops [(=> \"a\" 2)]})",
    );
    check("file { ensure => present }", "(block (qn \"file\") (hash (=> \"ensure\" (qn \"present\"))))");
}

#[test]
fn conditionals() {
    check(
        "if $a { 1 } elsif $b { 2; 3 } else { }",
        "(if {:test (var \"a\") :then [1] :else [(if {:test (var \"b\") :then [2 3]})]})",
    );
    check("unless $a { 1 } else { 2 }", "(unless {:test (var \"a\") :then [1] :else [2]})");
    check(
        "case $a { 1, 2: { x } default: {} }",
        "(case (var \"a\") [{:when [1 2] :then [(qn \"x\")]} {:when [(default)] :then [(nop)]}])",
    );
    check(
        "$y = $x ? { 1 => 'a', default => 'b' }",
        "(= (var \"y\") (? (var \"x\") [(=> 1 \"a\") (=> (default) \"b\")]))",
    );
}

#[test]
fn heredocs() {
    check(
        "$s = @(\"END\":json/t)\n  a\\tb ${x}\n  |- END\n",
        "(= (var \"s\") (heredoc {:syntax \"json\" :text (concat \"a\\tb \" (str (var \"x\")))}))",
    );
    check("$s = @(END)\n  text $x\\n\n  | END\n", "(= (var \"s\") (heredoc {:text \"text $x\\\\n\\n\"}))");
}

#[test]
fn operators() {
    check("$q = !$a and $b or -$c", "(= (var \"q\") (or (and (! (var \"a\")) (var \"b\")) (- (var \"c\"))))");
    check("$w = *$a", "(= (var \"w\") (unfold (var \"a\")))");
    check("$z = $x[1,2]", "(= (var \"z\") (access (var \"x\") 1 2))");
    check("foo(a => 1, b => 2)", "(invoke {:functor (qn \"foo\") :args [(hash (=> (qn \"a\") 1) (=> (qn \"b\") 2))]})");
}

#[test]
fn nodes_and_types() {
    check("node \"a.b\", /x/, default { }", "(node {:matches [\"a.b\" (regexp \"x\") (default)]})");
    check("type Foo = Integer[1,2]", "(type-alias \"Foo\" (access (qr \"Integer\") 1 2))");
}

#[test]
fn templates() {
    check_epp(
        "<%- |$x, Integer $y = 2| -%>\nhello <%= $x %> world\n<% if $y { -%>\n  yes\n<% } %>\n<%# comment %>\n",
        "(lambda {:params {:x {} :y {:type (qr \"Integer\") :value 2}} :body [(epp (render-s \"hello \") (render (var \"x\")) (render-s \" world\\n\") (if {:test (var \"y\") :then [(render-s \"  yes\\n\")]}) (render-s \"\\n\\n\"))]})",
    );
    check_epp("just text\n", "(lambda {:body [(epp (render-s \"just text\\n\"))]})");
    check_epp("", "(lambda {:body [(epp)]})");
}
