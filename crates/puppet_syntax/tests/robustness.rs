//! Bad and extreme input: parsing never panics, never overflows the stack, and gives a
//! clear error or the right tree. Tests run on threads with small (2 MiB) stacks, so deep
//! nesting here shows that lowering, printing, checking and dropping do not recurse on
//! the thread's own stack.

use puppet_syntax::{parse, parse_bytes, parse_epp};

const DEPTH: usize = 10_000;

fn pn_of(source: &str) -> String {
    let parsed = parse(source);
    assert!(parsed.errors.is_empty(), "errors: {:?}", parsed.errors);
    parsed.to_pn().expect("parsed").expect("dumpable")
}

#[test]
fn empty_file_is_a_nop() {
    assert_eq!(pn_of(""), "(nop)");
    assert_eq!(pn_of("\n\n   \n"), "(nop)");
    assert!(parse_epp("").errors.is_empty());
}

#[test]
fn invalid_utf8_is_a_clear_error_at_the_bad_byte() {
    let parsed = parse_bytes(b"$x = 1\n$y = '\xff'\n", false);
    assert_eq!(parsed.errors.len(), 1);
    let error = &parsed.errors[0];
    assert_eq!((error.span.line, error.span.column), (2, 7));
    assert!(error.message.contains("not valid UTF-8"), "{}", error.message);
    assert!(parsed.to_pn().is_none());
}

#[test]
fn binary_garbage_never_panics() {
    // A deterministic pseudo-random byte soup, and the same bytes made valid UTF-8.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let parsed = parse_bytes(&bytes, false);
    assert!(!parsed.errors.is_empty());
    let text = String::from_utf8_lossy(&bytes).replace('\u{0}', " ");
    for parsed in [parse(&text), parse_epp(&text)] {
        // Garbage is rejected with a located syntax error (or, rarely, parses).
        for error in &parsed.errors {
            assert!(error.span.line >= 1 && error.span.column >= 1);
        }
        let _ = parsed.validate();
    }
}

#[test]
fn byte_order_mark_is_rejected_like_puppet() {
    let parsed = parse("\u{feff}$x = 1\n");
    assert_eq!(parsed.errors.len(), 1);
    assert!(parsed.errors[0].message.starts_with("Illegal UTF-8 Byte Order mark"), "{}", parsed.errors[0].message);
}

#[test]
fn ten_megabyte_file_parses() {
    let line = "$x = { 'a' => [1, 2, \"b${y}\"], b => foo($z) }\n";
    let source = line.repeat(10 * 1024 * 1024 / line.len() + 1);
    assert!(source.len() >= 10 * 1024 * 1024);
    let parsed = parse(&source);
    assert!(parsed.errors.is_empty());
    assert!(parsed.validate().is_empty());
    let pn = parsed.to_pn().expect("parsed").expect("dumpable");
    assert!(pn.starts_with("(block (= (var \"x\") (hash (=> \"a\" (array 1 2 (concat \"b\" (str (var \"y\")))))"));
}

#[test]
fn nesting_ten_thousand_deep_arrays() {
    let source = format!("$x = {}1{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let pn = pn_of(&source);
    assert_eq!(pn.matches("(array").count(), DEPTH);
}

#[test]
fn nesting_ten_thousand_deep_parentheses_and_operators() {
    let source = format!("$x = {}1{}", "(1 + ".repeat(DEPTH), ")".repeat(DEPTH));
    let pn = pn_of(&source);
    assert_eq!(pn.matches("(paren").count(), DEPTH);
    let source = format!("$x = {}true", "!".repeat(DEPTH));
    assert_eq!(pn_of(&source).matches("(!").count(), DEPTH);
}

#[test]
fn a_hundred_thousand_nested_parentheses_validate() {
    // Puppet accepts them; the checker once re-checked the chain from every level
    // (quadratic: 18 s here). `cargo bench -p puppet_syntax` shows the time is linear.
    let depth = 100_000;
    let parsed = parse(&format!("$x = {}1{}\n", "(".repeat(depth), ")".repeat(depth)));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert!(parsed.validate().is_empty());
    // A value-less expression at the bottom is reported from every level, as Puppet does.
    let parsed = parse(&format!("$x = {}File <| |>{}\n", "(".repeat(DEPTH), ")".repeat(DEPTH)));
    let errors = parsed.validate();
    assert!(!errors.is_empty());
    for error in &errors {
        assert_eq!(error.message, "Invalid use of expression. A Virtual Query does not produce a value");
        assert_eq!((error.span.line, error.span.column), (1, 6 + DEPTH as u32));
    }
}

#[test]
fn nesting_ten_thousand_deep_blocks() {
    let source = format!("{}notice(1){}", "if $a { ".repeat(DEPTH), " }".repeat(DEPTH));
    let parsed = parse(&source);
    assert!(parsed.errors.is_empty());
    assert!(parsed.validate().is_empty());
    assert_eq!(parsed.to_pn().expect("parsed").expect("dumpable").matches("(if").count(), DEPTH);
}

#[test]
fn nesting_ten_thousand_deep_hashes_in_a_class() {
    let source = format!("class a {{ $x = {}1{} }}", "{a => ".repeat(DEPTH), "}".repeat(DEPTH));
    let parsed = parse(&source);
    assert!(parsed.errors.is_empty());
    assert!(parsed.validate().is_empty());
}

#[test]
fn unbalanced_deep_nesting_is_a_syntax_error() {
    let source = "[".repeat(DEPTH);
    let parsed = parse(&source);
    assert_eq!(parsed.errors.len(), 1);
    // As Puppet: the parser runs out of input with the brackets open.
    assert_eq!(parsed.errors[0].message, "Syntax error at end of input");
    assert_eq!(parsed.errors[0].span.line, 1);
}

#[test]
fn large_valid_file_inside_one_resource_has_no_error() {
    // Large texts are parsed a prefix at a time; a prefix cut inside the class must not
    // be taken for an error.
    let mut source = String::from("class big {\n  if $a {\n    file { 'x':\n");
    for index in 0..20_000 {
        source.push_str(&format!("      a{index} => [1, 2, \"b${{x}}\"],\n"));
    }
    source.push_str("    }\n  }\n}\n");
    assert!(source.len() > 512 * 1024);
    let parsed = parse(&source);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert!(parsed.validate().is_empty());
}

#[test]
fn large_text_garbage_reports_its_first_error() {
    let tokens = ["$x", "=", "{", "}", "[", "]", "(", ")", "foo", "Foo", ",", ";", "if", "class", "=>", "1", "->", "|", ":", "\n", " "];
    let mut state: u64 = 7;
    let mut source = String::from("$ok = 1\n\n");
    while source.len() < 400 * 1024 {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        source.push_str(tokens[(state >> 33) as usize % tokens.len()]);
    }
    let parsed = parse(&source);
    assert_eq!(parsed.errors.len(), 1);
    assert!(parsed.errors[0].span.line < 100, "{:?}", parsed.errors[0]);
}
