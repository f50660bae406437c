//! Parses `.pp` and `.epp` files (or every such file under given folders) and prints the
//! ones whose tree has an ERROR or MISSING node, with the position of the first one.
//! Usage: `cargo run -p puppet_grammar --example parse_files -- PATH...` (`-q`: only the
//! counts, `-t`: also print the tree of each failing file).
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            collect(&entry, out);
        }
    } else if matches!(path.extension().and_then(|e| e.to_str()), Some("pp" | "epp")) {
        out.push(path.to_path_buf());
    }
}

fn first_problem(node: tree_sitter::Node) -> Option<tree_sitter::Node> {
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    if !node.has_error() {
        return None;
    }
    let mut cursor = node.walk();
    let children: Vec<_> = node.children(&mut cursor).collect();
    children.into_iter().find_map(first_problem).or(Some(node))
}

fn main() {
    let mut quiet = false;
    let mut show_tree = false;
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-q" => quiet = true,
            "-t" => show_tree = true,
            _ => collect(Path::new(&arg), &mut files),
        }
    }
    let mut pp_parser = tree_sitter::Parser::new();
    pp_parser.set_language(&puppet_grammar::language()).expect("puppet grammar loads");
    let mut epp_parser = tree_sitter::Parser::new();
    epp_parser.set_language(&puppet_grammar::epp_language()).expect("epp grammar loads");
    let (mut pp_ok, mut pp_all, mut epp_ok, mut epp_all) = (0, 0, 0, 0);
    for file in &files {
        let Ok(source) = std::fs::read(file) else {
            println!("{}: cannot read", file.display());
            continue;
        };
        let is_epp = file.extension().and_then(|e| e.to_str()) == Some("epp");
        let parser = if is_epp { &mut epp_parser } else { &mut pp_parser };
        let tree = parser.parse(&source, None).expect("parse returns a tree");
        let root = tree.root_node();
        let problem = first_problem(root);
        if is_epp {
            epp_all += 1;
        } else {
            pp_all += 1;
        }
        match problem {
            None => {
                if is_epp {
                    epp_ok += 1;
                } else {
                    pp_ok += 1;
                }
            }
            Some(node) => {
                if !quiet {
                    let pos = node.start_position();
                    let what = if node.is_missing() {
                        format!("MISSING {}", node.kind())
                    } else {
                        node.kind().to_string()
                    };
                    let end = (node.start_byte() + 40).min(source.len()).min(node.end_byte().max(node.start_byte() + 1));
                    let text = String::from_utf8_lossy(&source[node.start_byte()..end]);
                    println!("{}:{}:{}: {} {:?}", file.display(), pos.row + 1, pos.column + 1, what, text);
                    if show_tree {
                        println!("{}", root.to_sexp());
                    }
                }
            }
        }
    }
    println!("pp: {pp_ok} of {pp_all} parse cleanly; epp: {epp_ok} of {epp_all} parse cleanly");
}
