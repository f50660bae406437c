//! Prints the first syntax error of each file as `file:line:column: symbol` (see
//! `puppet_grammar::first_error`). Usage:
//! `cargo run -p puppet_grammar --example first_errors -- FILE...`.
#![allow(clippy::print_stdout)]

fn main() {
    for path in std::env::args().skip(1) {
        let source = std::fs::read(&path).expect("readable");
        let language = if path.ends_with(".epp") {
            puppet_grammar::epp_language()
        } else {
            puppet_grammar::language()
        };
        match puppet_grammar::first_error(&language, &source) {
            None => println!("{path}: clean"),
            Some(error) => {
                let before = &source[..error.start_byte];
                let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
                let column = error.start_byte - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
                let text = String::from_utf8_lossy(&source[error.start_byte..error.end_byte]);
                println!("{path}:{line}:{column}: {} {text:?}", error.symbol);
            }
        }
    }
}
