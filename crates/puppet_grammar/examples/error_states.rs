//! Prints the leaves of a file with their parse states (a tool for studying error
//! positions). Usage: `cargo run -p puppet_grammar --example error_states -- FILE`.
#![allow(clippy::print_stdout)]

fn walk(node: tree_sitter::Node, depth: usize, in_error: bool) {
    let in_error = in_error || node.is_error();
    if node.child_count() == 0 || node.is_error() {
        println!(
            "{:indent$}{} {}:{} state={} next={} err={} missing={}",
            "",
            node.kind(),
            node.start_position().row + 1,
            node.start_position().column + 1,
            node.parse_state(),
            node.next_parse_state(),
            in_error,
            node.is_missing(),
            indent = depth * 2
        );
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk(child, depth + 1, in_error);
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let source = std::fs::read(&path).expect("readable");
    let mut parser = tree_sitter::Parser::new();
    let epp = path.ends_with(".epp");
    let language = if epp { puppet_grammar::epp_language() } else { puppet_grammar::language() };
    parser.set_language(&language).expect("loads");
    let tree = parser.parse(&source, None).expect("tree");
    println!("{}", tree.root_node().to_sexp());
    walk(tree.root_node(), 0, false);
}
