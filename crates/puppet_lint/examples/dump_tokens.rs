//! Prints the tokens of each file as puppet-lint's lexer makes them, one JSON line per
//! token (`[TYPE, line, column, value, raw]`), to compare with puppet-lint's own lexer
//! (`tests/differential/lint-tokens.rb`).

#![allow(clippy::print_stdout)]

fn main() {
    for path in std::env::args().skip(1) {
        println!("=== {path}");
        let bytes = std::fs::read(&path).expect("readable file");
        let text = String::from_utf8_lossy(&bytes);
        match puppet_lint::lexer::tokenise(&text) {
            Ok(tokens) => {
                for id in tokens.ids() {
                    let token = tokens.get(*id);
                    let line = serde_json::json!([token.kind.name(), token.line, token.column, token.value, token.raw]);
                    println!("{line}");
                }
            }
            Err(err) => println!("ERROR {}:{} {}", err.line, err.column, err.reason.unwrap_or("")),
        }
    }
}
