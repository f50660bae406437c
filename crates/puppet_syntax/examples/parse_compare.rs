//! Compares the two parsers on files: the tree Puppet's grammar builds (the fast path)
//! against the tree-sitter path's, and prints how many trees are equal, how many differ
//! and how many files take the tree-sitter path (`fallback`).
//! Usage: `parse_compare [--show] FILE...` (`--show` prints both trees of a difference).

#![allow(clippy::print_stdout)]

fn main() {
    let mut show = false;
    let (mut equal, mut different, mut fallback, mut fallback_valid) = (0, 0, 0, 0);
    for path in std::env::args().skip(1) {
        if path == "--show" {
            show = true;
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let epp = path.ends_with(".epp");
        let slow = puppet_syntax::parse_with_tree_sitter(&text, epp);
        match puppet_syntax::parse_with_puppet_grammar(&text, epp) {
            None => {
                fallback += 1;
                if !slow.has_errors() {
                    fallback_valid += 1;
                    println!("fallback (valid): {path}");
                }
            }
            Some(fast) if !slow.has_errors() && fast == slow.program => equal += 1,
            Some(fast) => {
                different += 1;
                println!("different: {path}");
                if show {
                    println!("tree-sitter errors: {:?}", slow.errors);
                    println!("--- Puppet's grammar\n{fast:#?}\n--- tree-sitter\n{:#?}", slow.program);
                }
            }
        }
    }
    println!("equal {equal}, different {different}, fallback {fallback} ({fallback_valid} of them valid)");
}
