//! Puppet 7 syntax: parses manifests (`.pp`) and templates (`.epp`) into a typed, owned
//! AST shaped like Puppet's own model, prints it in Puppet's PN notation, and runs the
//! validation Puppet does when it parses.
//!
//! Two front ends build the same tree: Puppet's own lexer and grammar with actions that
//! build the AST ([`puppet_parser`], the fast path), and our tree-sitter grammar with the
//! CST lowered (`lower`), which takes every file the first gives up on (syntax errors
//! above all) and reports its errors.
//!
//! This is the only crate that knows the CST: everything else reads [`ast`].
//! Parsing never fails and never panics: [`parse`] returns the tree *and* its errors.

pub mod ast;
pub mod checker;
mod definitions;
pub mod diagnostic;
pub mod erb;
mod factory;
mod lower;
pub mod numbers;
pub mod pn;
pub mod puppet_parser;
pub mod span;
mod stack;
pub mod strings;
pub mod visit;

pub use ast::Program;
pub use diagnostic::{Diagnostic, Severity};
pub use span::{LineIndex, Span};

/// The result of parsing one file: the tree (as much as could be built) and the syntax
/// errors. Like Puppet, only the first syntax error is meaningful; when `errors` is not
/// empty the tree is partial.
#[derive(Debug)]
pub struct Parse {
    pub program: Program,
    pub errors: Vec<Diagnostic>,
}

impl Parse {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Puppet's PN of the tree, as `puppet parser dump --format pn` prints it (without
    /// its `--- FILE` header and the final newline). `None` when parsing failed.
    pub fn to_pn(&self) -> Option<Result<String, pn::PnError>> {
        if self.has_errors() {
            return None;
        }
        Some(pn::program_to_pn(&self.program))
    }

    /// Syntax errors, else what Puppet's checker finds (errors and warnings), as
    /// `puppet parser validate` reports them.
    pub fn validate(&self) -> Vec<Diagnostic> {
        self.validate_in(&checker::FileLocation::Anywhere)
    }

    /// [`Parse::validate`] for a file at a known place in a module, with Puppet's checks
    /// of what a module file may define (`puppet parser validate` run in an environment).
    pub fn validate_in(&self, location: &checker::FileLocation) -> Vec<Diagnostic> {
        if self.has_errors() {
            return self.errors.clone();
        }
        let mut diagnostics = checker::check_in(&self.program, location);
        // Puppet loads the definitions only when the checker found no error.
        if !diagnostics.iter().any(Diagnostic::is_error) {
            diagnostics.extend(definitions::duplicates(&self.program));
        }
        diagnostics
    }
}

/// The C allocation functions the parsers' C code (tree-sitter's runtime, its trees)
/// allocates with; the C library's `malloc` when never set.
pub struct CAllocator {
    pub malloc: unsafe extern "C" fn(size: usize) -> *mut std::ffi::c_void,
    pub calloc: unsafe extern "C" fn(count: usize, size: usize) -> *mut std::ffi::c_void,
    pub realloc: unsafe extern "C" fn(pointer: *mut std::ffi::c_void, size: usize) -> *mut std::ffi::c_void,
    pub free: unsafe extern "C" fn(pointer: *mut std::ffi::c_void),
}

/// Makes the parsers allocate with `allocator`, such as the program's own global allocator
/// (a tree is many small allocations: with mimalloc instead of glibc's malloc, parsing
/// takes about 5% fewer instructions).
///
/// # Safety
///
/// Call it before anything of this crate or `puppet_grammar` has parsed (memory allocated
/// by one allocator must not be freed by another), from one thread, and with four
/// functions of one allocator.
#[allow(unsafe_code)]
pub unsafe fn use_c_allocator(allocator: &CAllocator) {
    // SAFETY: the caller guarantees that no tree-sitter object exists yet and that the
    // functions belong together.
    unsafe { tree_sitter::set_allocator(Some(allocator.malloc), Some(allocator.calloc), Some(allocator.realloc), Some(allocator.free)) };
}

/// Parses Puppet code (a `.pp` manifest).
pub fn parse(source: &str) -> Parse {
    if let Some(program) = puppet_parser::build(source, false) {
        return Parse { program, errors: Vec::new() };
    }
    lower::parse(source, lower::Mode::Manifest)
}

/// The tree of a file built by Puppet's grammar (the fast path of [`parse`]), or `None`
/// where [`parse`] takes the tree-sitter path; for the tests that compare the two.
#[doc(hidden)]
pub fn parse_with_puppet_grammar(source: &str, epp: bool) -> Option<Program> {
    puppet_parser::build(source, epp)
}

/// [`parse`] or [`parse_epp`] by the tree-sitter path only; for the tests that compare
/// the two paths.
#[doc(hidden)]
pub fn parse_with_tree_sitter(source: &str, epp: bool) -> Parse {
    lower::parse(source, if epp { lower::Mode::Template } else { lower::Mode::Manifest })
}

/// Parses an EPP template (a `.epp` file).
pub fn parse_epp(source: &str) -> Parse {
    if let Some(program) = puppet_parser::build(source, true) {
        return Parse { program, errors: Vec::new() };
    }
    lower::parse(source, lower::Mode::Template)
}

/// Parses a file's bytes: text that is not UTF-8 gives a clear error at the first bad
/// byte instead of a tree.
pub fn parse_bytes(bytes: &[u8], epp: bool) -> Parse {
    match std::str::from_utf8(bytes) {
        Ok(text) if epp => parse_epp(text),
        Ok(text) => parse(text),
        Err(err) => {
            let valid = &bytes[..err.valid_up_to()];
            let text = std::str::from_utf8(valid).unwrap_or_default();
            let index = LineIndex::new(text);
            let span = index.span(text, err.valid_up_to() as u32, err.valid_up_to() as u32 + 1);
            let message = format!(
                "invalid UTF-8: byte 0x{:02x} at offset {} is not valid UTF-8 (Puppet reads manifests as UTF-8)",
                bytes[err.valid_up_to()],
                err.valid_up_to()
            );
            Parse {
                program: Program { body: ast::Expr::new(span, ast::ExprKind::Nop), comments: Vec::new() },
                errors: vec![Diagnostic::error("INVALID_ENCODING", message, span)],
            }
        }
    }
}

/// The CST as tree-sitter prints it, one node per line; for debugging the lowering.
#[doc(hidden)]
pub fn debug_cst(source: &str, epp: bool) -> String {
    lower::debug_cst(source, if epp { lower::Mode::Template } else { lower::Mode::Manifest })
}
