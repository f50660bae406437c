//! Prints where a file's first syntax error is by two methods, to study how tree-sitter's
//! error nodes relate to the token where Puppet's parser stops. Usage:
//! `cargo run -p puppet_grammar --example error_states -- [-v] FILE...`.
#![allow(clippy::print_stdout)]

use std::collections::HashMap;

fn leaves<'t>(node: tree_sitter::Node<'t>, out: &mut Vec<tree_sitter::Node<'t>>) {
    if node.child_count() == 0 {
        out.push(node);
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        leaves(child, out);
    }
}

fn valid(language: &tree_sitter::Language, cache: &mut HashMap<u16, Vec<u16>>, state: u16, symbol: u16) -> bool {
    let symbols = cache.entry(state).or_insert_with(|| {
        language.lookahead_iterator(state).map(|it| it.collect()).unwrap_or_default()
    });
    symbols.contains(&symbol)
}

fn main() {
    let mut verbose = false;
    for path in std::env::args().skip(1) {
        if path == "-v" {
            verbose = true;
            continue;
        }
        let source = std::fs::read(&path).expect("readable");
        let epp = path.ends_with(".epp");
        let language = if epp { puppet_grammar::epp_language() } else { puppet_grammar::language() };
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language).expect("loads");
        if verbose {
            parser.set_logger(Some(Box::new(|kind, message| {
                if kind == tree_sitter::LogType::Parse {
                    println!("    log: {message}");
                }
            })));
        }
        let tree = parser.parse(&source, None).expect("tree");
        let mut all = Vec::new();
        leaves(tree.root_node(), &mut all);
        let mut cache = HashMap::new();
        let mut found = None;
        for (i, leaf) in all.iter().enumerate() {
            if verbose {
                println!(
                    "  {} {}:{} state={} grammar={} valid={}",
                    leaf.kind(),
                    leaf.start_position().row + 1,
                    leaf.start_position().column + 1,
                    leaf.parse_state(),
                    leaf.grammar_name(),
                    valid(&language, &mut cache, leaf.parse_state(), leaf.grammar_id())
                );
            }
            if found.is_some() {
                continue;
            }
            if leaf.is_missing() {
                found = Some(all.get(i + 1).map_or("end".to_string(), |n| format!("{}:{}", n.start_position().row + 1, n.start_position().column + 1)));
            } else if leaf.is_error() || !valid(&language, &mut cache, leaf.parse_state(), leaf.grammar_id()) {
                found = Some(format!("{}:{}", leaf.start_position().row + 1, leaf.start_position().column + 1));
            }
        }
        println!("{path}\t{}", found.unwrap_or_else(|| "-".to_string()));
    }
}
