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
pub const PUPPET_LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_puppet) };

/// The tree-sitter language of EPP templates (`.epp`).
#[allow(unsafe_code)]
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
