//! Prints the tree-sitter CST of a file, for debugging the lowering:
//! `cargo run -p puppet_syntax --example cst FILE`.

#![allow(clippy::print_stdout)]

fn main() {
    let path = std::env::args().nth(1).expect("usage: cst FILE");
    let text = std::fs::read_to_string(&path).expect("readable UTF-8 file");
    print!("{}", puppet_syntax::debug_cst(&text, path.ends_with(".epp")));
}
