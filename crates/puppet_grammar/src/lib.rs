//! Our tree-sitter grammars of the Puppet 7 language: `.pp` manifests and `.epp` templates.
//!
//! The parsers are generated from `puppet/grammar.js` and `epp/grammar.js` (both built by
//! `common/define-grammar.js`, written from Puppet's `egrammar.ra` and `lexer2.rb`) and
//! committed, with one external scanner (`common/scanner.h`) for what Puppet's lexer
//! decides from context. `NODES.md` lists every node kind and field: it is the contract
//! with the `puppet_syntax` crate, the only other crate that may look at node kinds.

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_puppet() -> *const ();
    fn tree_sitter_epp() -> *const ();
}

/// The tree-sitter language of Puppet manifests (`.pp`).
#[allow(unsafe_code)]
// SAFETY: `tree_sitter_puppet` is the generated `puppet/src/parser.c`, compiled and linked
// by build.rs: it takes no arguments and returns a pointer to a static TSLanguage, which
// is what `LanguageFn::from_raw` requires.
pub const PUPPET_LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_puppet) };

/// The tree-sitter language of EPP templates (`.epp`).
#[allow(unsafe_code)]
// SAFETY: as for PUPPET_LANGUAGE: `tree_sitter_epp` is the generated `epp/src/parser.c`,
// linked by build.rs, returning a pointer to a static TSLanguage.
pub const EPP_LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_epp) };

/// The node types of the Puppet grammar (tree-sitter's `node-types.json`).
pub const PUPPET_NODE_TYPES: &str = include_str!("../puppet/src/node-types.json");

/// The node types of the EPP grammar (tree-sitter's `node-types.json`).
pub const EPP_NODE_TYPES: &str = include_str!("../epp/src/node-types.json");

/// The Puppet manifest language, for `tree_sitter::Parser::set_language`.
pub fn language() -> tree_sitter::Language {
    PUPPET_LANGUAGE.into()
}

/// The EPP template language, for `tree_sitter::Parser::set_language`.
pub fn epp_language() -> tree_sitter::Language {
    EPP_LANGUAGE.into()
}

/// The token where the parser found the first syntax error: the first token that cannot
/// continue what precedes it, which is where Puppet's LALR parser stops too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstError {
    /// Byte range of the token (empty at the end of the input).
    pub start_byte: usize,
    pub end_byte: usize,
    /// The token's grammar symbol (`end` at the end of the input, `_error_sentinel` for a
    /// token Puppet's lexer rejects, `_unclosed_string` for a double quoted string that is
    /// not closed, positioned where Puppet reports it, `ERROR` for anything else).
    pub symbol: String,
}

/// Parses `source` again with tree-sitter's parse log to find where the first syntax error
/// is (the ERROR and MISSING nodes of a tree show where recovery ended, not where the
/// error was detected). Returns `None` when the source has no syntax error. Meant for
/// sources whose tree has an error: logging makes this parse several times slower.
pub fn first_error(language: &tree_sitter::Language, source: &[u8]) -> Option<FirstError> {
    use std::sync::{Arc, Mutex};

    #[derive(Default)]
    struct Log {
        // Stack position (row, byte column) of the version being processed.
        position: (usize, usize),
        // The last lookahead: symbol and total size (whitespace before it included).
        lookahead: Option<(String, usize)>,
        found: Option<((usize, usize), String, usize)>,
    }

    fn number_after(message: &str, key: &str) -> Option<usize> {
        let start = message.find(key)? + key.len();
        let digits: String = message[start..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }

    let log = Arc::new(Mutex::new(Log::default()));
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(language).ok()?;
    let sink = Arc::clone(&log);
    parser.set_logger(Some(Box::new(move |kind, message| {
        if kind != tree_sitter::LogType::Parse {
            return;
        }
        let Ok(mut log) = sink.lock() else { return };
        if log.found.is_some() {
            return;
        }
        if message.starts_with("process ") {
            if let (Some(row), Some(column)) = (number_after(message, "row:"), number_after(message, "col:")) {
                log.position = (row, column);
            }
        } else if let Some(rest) = message.strip_prefix("lexed_lookahead sym:") {
            let (symbol, size) = rest.rsplit_once(", size:").unwrap_or((rest, "0"));
            log.lookahead = Some((symbol.to_string(), size.parse().unwrap_or(0)));
        } else if message.starts_with("resume") || message.starts_with("recover") {
            if let Some((symbol, size)) = log.lookahead.clone() {
                log.found = Some((log.position, symbol, size));
            }
        }
    })));
    let tree = parser.parse(source, None)?;
    parser.set_logger(None);
    let found = log.lock().ok()?.found.clone();
    let Some(((row, column), symbol, size)) = found else {
        // No error was detected while parsing, yet the tree may still hold a MISSING
        // node; report the end of the input then.
        return tree.root_node().has_error().then(|| FirstError {
            start_byte: source.len(),
            end_byte: source.len(),
            symbol: "end".to_string(),
        });
    };
    let line_start = source
        .split_inclusive(|&b| b == b'\n')
        .take(row)
        .map(<[u8]>::len)
        .sum::<usize>();
    let from = (line_start + column).min(source.len());
    let end = (from + size).min(source.len());
    let start = from + source[from..end].iter().take_while(|b| b.is_ascii_whitespace()).count();
    if symbol == "end" {
        return Some(FirstError { start_byte: source.len(), end_byte: source.len(), symbol });
    }
    if symbol == "_unclosed_string" {
        // The token runs from the opening quote to the segment where Puppet reports it.
        return Some(FirstError { start_byte: end, end_byte: end, symbol });
    }
    Some(FirstError { start_byte: start, end_byte: end, symbol })
}
