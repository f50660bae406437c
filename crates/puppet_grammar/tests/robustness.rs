//! Bad input never crashes the parsers: random fragments of Puppet and EPP syntax, binary
//! bytes, invalid UTF-8, an empty file, deep nesting and a large file all give a tree.

fn parse(source: &[u8], epp: bool) -> tree_sitter::Tree {
    let mut parser = tree_sitter::Parser::new();
    let language = if epp { puppet_grammar::epp_language() } else { puppet_grammar::language() };
    parser.set_language(&language).expect("the grammar loads");
    parser.parse(source, None).expect("parsing returns a tree")
}

/// A small deterministic xorshift generator, so that failures reproduce.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "$x", " = ", "\"a ${", "}", "\"", "'", "@(END)", "@(\"E\"/tL$)", "\nEND\n", "\n  | E\n",
    "\n", " ", "{", "}", "[", "]", "(", ")", "/", "/a/", "\\", "\\n", "$", "${x[1]}", "<%",
    "<%=", "<%-", "%>", "-%>", "<%#", "<%%", "%%>", "|", "|>", "<|", "<<|", "|>>", "->",
    "~>", "file", "File", "class", "define", "node", "if", "else", "case", "default", ":",
    ",", ";", "=>", "+>", "*", "-", "0x1G", "1.5", "0777", "Foo::bar", "::", "#c\n",
    "/*", "*/", "@", "@@", "?", "!", "in", "and", "\r\n", "\t", "é", "\u{1F600}", "type",
    "function", "unless", "elsif", "inherits", "$::y", "foo-bar", "_w", "\u{0}",
];

#[test]
fn random_fragments_never_crash() {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    for round in 0..3000 {
        let length = 1 + random.below(40);
        let mut source = String::new();
        for _ in 0..length {
            source.push_str(FRAGMENTS[random.below(FRAGMENTS.len())]);
        }
        let tree = parse(source.as_bytes(), round % 2 == 1);
        assert_eq!(tree.root_node().end_byte(), source.len(), "the tree covers {source:?}");
    }
}

#[test]
fn binary_and_invalid_utf8_give_errors() {
    let mut random = Random(42);
    let bytes: Vec<u8> = (0..4096).map(|_| random.next() as u8).collect();
    assert!(parse(&bytes, false).root_node().has_error());
    assert!(parse(&bytes, true).root_node().end_byte() <= bytes.len());
    assert!(parse(b"$x = \"\xff\xfe\"\n$y = \xc3(", false).root_node().has_error());
}

#[test]
fn empty_input_is_an_empty_program() {
    assert_eq!(parse(b"", false).root_node().to_sexp(), "(program)");
    assert_eq!(parse(b"", true).root_node().to_sexp(), "(template)");
}

#[test]
fn deep_nesting_parses() {
    let depth = 10_000;
    let source = format!("$x = {}1{}", "[".repeat(depth), "]".repeat(depth));
    let tree = parse(source.as_bytes(), false);
    assert!(!tree.root_node().has_error());
    let source = format!("$x = {}1{}", "(".repeat(depth), ")".repeat(depth));
    assert!(!parse(source.as_bytes(), false).root_node().has_error());
}

#[test]
fn a_large_file_parses() {
    let unit = "file { \"/tmp/${x}\": ensure => present, content => @(END) }\n  text $y\n  | END\n";
    let source = unit.repeat(10 * 1024 * 1024 / unit.len());
    let tree = parse(source.as_bytes(), false);
    assert!(!tree.root_node().has_error());
    assert_eq!(tree.root_node().end_byte(), source.len());
}

/// Inputs on which tree-sitter's error recovery once looped forever: unknown characters,
/// and `type`/`word` tokens its error-recovery lexer does not know (the scanner lexes them).
#[test]
fn error_recovery_terminates() {
    let inputs: &[&[u8]] = &[
        b"n|<%\n,|~",
        b"n|<%\n,|\xa0",
        b"x|<%\n,|\\",
        b")) Foo x 12 $y\n",
        b")) _x ::Foo $ ~ & 'open",
        b"  include pro<<    =>::%$<<|ftype: ${title}\": }",
    ];
    for input in inputs {
        assert!(parse(input, false).root_node().has_error(), "{:?}", String::from_utf8_lossy(input));
        // In a template, the same text as code.
        let code = [b"<% ".as_slice(), input].concat();
        assert!(parse(&code, true).root_node().has_error(), "{:?}", String::from_utf8_lossy(&code));
    }
}
