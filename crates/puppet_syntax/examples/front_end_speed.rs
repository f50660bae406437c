//! Times the front ends on the same files, one thread: Puppet's lexer and LR tables alone
//! (`puppet_parser::first_error`), the tree they build (the fast path of `parse`), and the
//! tree-sitter parse and lowering. Usage: `front_end_speed FILE...`

#![allow(clippy::print_stdout)]

use std::time::Instant;

fn main() {
    let files: Vec<(String, bool)> = std::env::args()
        .skip(1)
        .map(|path| (std::fs::read_to_string(&path).unwrap_or_default(), path.ends_with(".epp")))
        .collect();
    for round in 0..3 {
        let start = Instant::now();
        let errors = files.iter().filter(|(text, epp)| puppet_syntax::puppet_parser::first_error(text, *epp).is_some()).count();
        let recognise = start.elapsed();
        let start = Instant::now();
        let built = files.iter().filter(|(text, epp)| puppet_syntax::parse_with_puppet_grammar(text, *epp).is_some()).count();
        let build = start.elapsed();
        let start = Instant::now();
        let valid = files.iter().filter(|(text, epp)| !puppet_syntax::parse_with_tree_sitter(text, *epp).has_errors()).count();
        let tree_sitter = start.elapsed();
        println!(
            "round {round}: lexer+LR {recognise:?} ({errors} errors); lexer+LR+AST {build:?} ({built} built); tree-sitter+lowering {tree_sitter:?} ({valid} valid)"
        );
    }
}
