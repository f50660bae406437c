//! Prints the tokens Puppet's lexer makes of a file and the first syntax error Puppet's
//! grammar finds in it (crate::puppet_parser). Usage:
//! `cargo run -p puppet_syntax --example puppet_tokens -- FILE`.
#![allow(clippy::print_stdout)]

fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let epp = path.ends_with(".epp");
        for token in puppet_syntax::puppet_parser::tokens(&text, epp) {
            println!("{token}");
        }
        println!("{path}: {:?}", puppet_syntax::puppet_parser::first_error(&text, epp));
    }
}
