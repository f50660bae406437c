//! Lowering of the tree-sitter CST (crates/puppet_grammar, node kinds in its NODES.md)
//! to the AST, building the tree the way Puppet's parser builds its model. This is the
//! only module that reads node kinds and field names.

use tree_sitter::{Node, Parser, Tree};

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::factory::{self, Statement};
use crate::numbers::{parse_number, Number};
use crate::span::{LineIndex, Span};
use crate::stack::guarded;
use crate::strings::{self, Escapes};
use crate::Parse;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Manifest,
    Template,
}

/// Parses and lowers a source text; never panics.
pub fn parse(source: &str, mode: Mode) -> Parse {
    let index = LineIndex::new(source);
    let empty_span = index.span(source, source.len() as u32, source.len() as u32);
    let nop = |errors: Vec<Diagnostic>| Parse {
        program: Program { body: Expr::new(empty_span, ExprKind::Nop), comments: Vec::new() },
        errors,
    };
    if source.starts_with('\u{feff}') {
        let span = index.span(source, 0, 3);
        return nop(vec![Diagnostic::error(
            "ILLEGAL_BOM",
            "Illegal UTF-8 Byte Order mark at beginning of input: [EF BB BF] - remove these from the puppet source",
            span,
        )]);
    }
    let Some((tree, parsed)) = parse_tree_bounded(source, mode) else {
        return nop(vec![Diagnostic::error("SYNTAX_ERROR", "the parser could not parse this text", empty_span)]);
    };
    // When only a prefix was parsed (see parse_tree_bounded), positions are the same.
    let whole = source;
    let source = &source[..parsed];
    let mut lowerer = Lowerer::new(source, mode, index);
    lowerer.collect_extras(&tree);
    if let Some(error) = lowerer.first_syntax_error(tree.root_node()) {
        // Our grammar rejects the text: Puppet's own lexer and grammar say where and how.
        // When Puppet's grammar accepts it, the error is one of our grammar's own (or an
        // error of lowering): keep what the tree says.
        let error = puppet_syntax_error(whole, mode, &lowerer.index).unwrap_or(error);
        let program = Program { body: Expr::new(empty_span, ExprKind::Nop), comments: std::mem::take(&mut lowerer.comments) };
        return Parse { program, errors: vec![error] };
    }
    let body = match mode {
        Mode::Manifest => lowerer.program(tree.root_node()),
        Mode::Template => lowerer.template(tree.root_node()),
    };
    let comments = std::mem::take(&mut lowerer.comments);
    let mut errors = std::mem::take(&mut lowerer.errors);
    errors.truncate(1);
    // Lowering raises what Puppet's grammar actions raise; Puppet's parser may stop earlier.
    if let Some(error) = errors.first_mut() {
        if let Some(puppet) = puppet_syntax_error(whole, mode, &lowerer.index) {
            *error = puppet;
        }
    }
    Parse { program: Program { body, comments }, errors }
}

/// The first error Puppet's lexer and parser raise for `source`, as a diagnostic.
fn puppet_syntax_error(source: &str, mode: Mode, index: &LineIndex) -> Option<Diagnostic> {
    let error = crate::puppet_parser::first_error(source, mode == Mode::Template)?;
    let offset = error.offset.unwrap_or(source.len()).min(source.len()) as u32;
    let span = index.span(source, offset, offset);
    Some(Diagnostic::error(error.issue.code(), error.issue.message(), span))
}

/// Text up to this size is parsed whole at once.
const FIRST_PREFIX: usize = 64 * 1024;

/// Parses the text; a large text a doubling prefix at a time (cut at line ends),
/// stopping when two prefixes agree on a first error before their last line: Puppet
/// reports the first error only, and tree-sitter's recovery from errors everywhere
/// (binary-like garbage) takes time quadratic in the text after them. Returns the tree
/// and how many bytes of the text it covers. A prefix's error that a longer prefix does
/// not confirm is an artifact of the cut and is ignored.
fn parse_tree_bounded(source: &str, mode: Mode) -> Option<(Tree, usize)> {
    if source.len() <= FIRST_PREFIX {
        return parse_tree(source, mode).map(|tree| (tree, source.len()));
    }
    // Most large files have no error: one parse of the whole text, stopped at an error.
    if let Some(tree) = parse_tree_without_errors(source, mode) {
        return Some((tree, source.len()));
    }
    let mut size = FIRST_PREFIX;
    let mut previous_error: Option<Span> = None;
    while size < source.len() {
        let size_on_char = (0..=size).rev().find(|&index| source.is_char_boundary(index)).unwrap_or(0);
        let cut = source[..size_on_char].rfind('\n').map_or(size_on_char, |newline| newline + 1);
        let prefix = &source[..cut];
        let tree = parse_tree(prefix, mode)?;
        let error = first_error_in(prefix, mode, &tree);
        let last_line = prefix[..cut.saturating_sub(1)].rfind('\n').map_or(0, |newline| newline + 1);
        if let (Some(error), Some(previous)) = (error, previous_error) {
            // The cut leaves constructs open: the errors that makes reach the cut. An error
            // that closes before the last line is in the text itself.
            if error == previous && (error.start as usize) < last_line && has_error_closed_before(tree.root_node(), last_line) {
                return Some((tree, cut));
            }
        }
        previous_error = error;
        size *= 2;
    }
    parse_tree(source, mode).map(|tree| (tree, source.len()))
}

/// True when an ERROR or MISSING node ends before `offset`.
fn has_error_closed_before(root: Node<'_>, offset: usize) -> bool {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if (node.is_error() || node.is_missing()) && node.end_byte() < offset {
            return true;
        }
        if node.has_error() && node.start_byte() < offset && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
        }
    }
}

/// Where the first syntax error of a parsed text is reported.
fn first_error_in(source: &str, mode: Mode, tree: &Tree) -> Option<Span> {
    if !tree.root_node().has_error() {
        return None;
    }
    let mut lowerer = Lowerer::new(source, mode, LineIndex::new(source));
    lowerer.collect_extras(tree);
    lowerer.first_syntax_error(tree.root_node()).map(|error| error.span)
}

fn parse_tree(source: &str, mode: Mode) -> Option<Tree> {
    with_parser(mode, |parser| parser.parse(source, None))
}

/// Parses the whole text but gives up (`None`) at the first syntax error, so that a text
/// with errors costs only the parse up to them before [`parse_tree_bounded`] takes over.
fn parse_tree_without_errors(source: &str, mode: Mode) -> Option<Tree> {
    let bytes = source.as_bytes();
    let mut read = |offset: usize, _: tree_sitter::Point| bytes.get(offset..).unwrap_or_default();
    let mut stop_at_error = |state: &tree_sitter::ParseState| state.has_error();
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut stop_at_error);
    with_parser(mode, |parser| {
        let tree = parser.parse_with_options(&mut read, None, Some(options));
        if tree.is_none() {
            // A cancelled parse would resume at the next call: start afresh instead.
            parser.reset();
        }
        tree.filter(|tree| !tree.root_node().has_error())
    })
}

thread_local! {
    /// One parser per thread and language: creating one allocates its stacks and tables.
    static PARSERS: std::cell::RefCell<[Option<Parser>; 2]> = const { std::cell::RefCell::new([None, None]) };
}

/// Runs `f` with this thread's parser for `mode` (`None` when the language cannot be set).
fn with_parser<R>(mode: Mode, f: impl FnOnce(&mut Parser) -> Option<R>) -> Option<R> {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.try_borrow_mut().ok()?;
        let slot = &mut parsers[mode as usize];
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&language(mode)).ok()?;
            *slot = Some(parser);
        }
        f(slot.as_mut()?)
    })
}

fn language(mode: Mode) -> tree_sitter::Language {
    match mode {
        Mode::Manifest => puppet_grammar::language(),
        Mode::Template => puppet_grammar::epp_language(),
    }
}

/// Field ids by name and the ids of the kinds the lowering looks for, looked up once per
/// language: tree-sitter finds a field name by comparing it with every field's name.
struct Symbols {
    fields: std::collections::HashMap<&'static str, std::num::NonZeroU16>,
    comment: u16,
    heredoc_body: u16,
    /// Node kind names by kind id.
    kinds: Vec<&'static str>,
}

impl Symbols {
    fn build(mode: Mode) -> Self {
        let language = language(mode);
        let fields = (1..=language.field_count() as u16)
            .filter_map(|id| Some((language.field_name_for_id(id)?, std::num::NonZeroU16::new(id)?)))
            .collect();
        Symbols {
            fields,
            comment: language.id_for_node_kind("comment", true),
            heredoc_body: language.id_for_node_kind("heredoc_body", true),
            kinds: (0..language.node_kind_count() as u16).map(|id| language.node_kind_for_id(id).unwrap_or("")).collect(),
        }
    }

    fn of(mode: Mode) -> &'static Symbols {
        static MANIFEST: std::sync::OnceLock<Symbols> = std::sync::OnceLock::new();
        static TEMPLATE: std::sync::OnceLock<Symbols> = std::sync::OnceLock::new();
        match mode {
            Mode::Manifest => MANIFEST.get_or_init(|| Symbols::build(Mode::Manifest)),
            Mode::Template => TEMPLATE.get_or_init(|| Symbols::build(Mode::Template)),
        }
    }

    fn field(&self, name: &str) -> Option<std::num::NonZeroU16> {
        self.fields.get(name).copied()
    }
}

struct Lowerer<'s> {
    source: &'s str,
    index: LineIndex,
    symbols: &'static Symbols,
    /// The `heredoc_body` nodes in document order; the n-th belongs to the n-th heredoc.
    heredoc_bodies: Vec<Node<'s>>,
    next_heredoc: usize,
    comments: Vec<Comment>,
    /// Names of the classes (and plans) being lowered, for nested definitions' names.
    namespace: Vec<String>,
    /// Errors Puppet's parser raises while building the tree (the first one counts).
    errors: Vec<Diagnostic>,
}

type Lowered = Result<Expr, Diagnostic>;

impl<'s> Lowerer<'s> {
    fn new(source: &'s str, mode: Mode, index: LineIndex) -> Self {
        Lowerer { source, index, symbols: Symbols::of(mode), heredoc_bodies: Vec::new(), next_heredoc: 0, comments: Vec::new(), namespace: Vec::new(), errors: Vec::new() }
    }

    // ------------------------------------------------------------------ utilities

    fn span(&self, node: Node<'_>) -> Span {
        self.index.span(self.source, node.start_byte() as u32, node.end_byte() as u32)
    }

    fn span_of(&self, start: usize, end: usize) -> Span {
        self.index.span(self.source, start as u32, end as u32)
    }

    /// The node's kind, as `Node::kind` gives it (which measures and checks the C string
    /// each time).
    fn kind<'t>(&self, node: impl std::borrow::Borrow<Node<'t>>) -> &'static str {
        let node = node.borrow();
        self.symbols.kinds.get(node.kind_id() as usize).copied().unwrap_or_else(|| node.kind())
    }

    fn text(&self, node: Node<'_>) -> &'s str {
        self.source.get(node.start_byte()..node.end_byte()).unwrap_or("")
    }

    fn field(&self, node: Node<'s>, name: &str) -> Option<Node<'s>> {
        node.child_by_field_id(self.symbols.field(name)?.get())
    }

    fn fields(&self, node: Node<'s>, name: &str) -> Vec<Node<'s>> {
        let Some(id) = self.symbols.field(name) else { return Vec::new() };
        let mut cursor = node.walk();
        node.children_by_field_id(id, &mut cursor).collect()
    }

    /// True when `node` has an anonymous child token `token` (such as `(`).
    fn has_token(&self, node: Node<'s>, token: &str) -> bool {
        let mut cursor = node.walk();
        let found = node.children(&mut cursor).any(|child| !child.is_named() && self.kind(child) == token);
        found
    }

    fn required(&self, node: Node<'s>, name: &str) -> Result<Node<'s>, Diagnostic> {
        self.field(node, name).ok_or_else(|| self.syntax_error_at(node))
    }

    fn syntax_error_at(&self, node: Node<'_>) -> Diagnostic {
        let text = self.text(node);
        let first = text.split_whitespace().next().unwrap_or("");
        Diagnostic::error("SYNTAX_ERROR", format!("Syntax error at '{first}'"), self.span(node))
    }

    fn error(&self, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::error("SYNTAX_ERROR", message, span)
    }

    /// Comments and heredoc bodies, which the grammar keeps as extras anywhere in the tree.
    fn collect_extras(&mut self, tree: &'s Tree) {
        if self.source.contains("@(") {
            self.collect_extras_by_walking(tree);
        } else {
            self.collect_comments(tree);
        }
    }

    /// Every node visited: finds the heredoc bodies too.
    fn collect_extras_by_walking(&mut self, tree: &'s Tree) {
        let mut cursor = tree.walk();
        loop {
            let node = cursor.node();
            let mut descend = true;
            if node.kind_id() == self.symbols.comment {
                self.comments.push(Comment { span: self.span(node), text: self.text(node).to_string() });
                descend = false;
            } else if node.kind_id() == self.symbols.heredoc_body {
                self.heredoc_bodies.push(node);
            }
            if descend && cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    /// The comments of a text without heredocs: only the nodes at each `#` and `/*` are
    /// looked at, moving one cursor forward through the tree (a comment starts with one
    /// of them; most are inside strings or comments, or there are none).
    fn collect_comments(&mut self, tree: &'s Tree) {
        let bytes = self.source.as_bytes();
        let mut cursor = tree.walk();
        let mut from = 0;
        while let Some(offset) = next_comment_start(bytes, from) {
            from = offset + 1;
            // Forward to the first node that ends after the offset.
            let mut node = cursor.node();
            while node.end_byte() <= offset {
                if !cursor.goto_next_sibling() && !cursor.goto_parent() {
                    return;
                }
                node = cursor.node();
            }
            if node.start_byte() > offset {
                // Between tokens (only in a text with errors): no comment.
                continue;
            }
            // Down to the innermost node there.
            while cursor.goto_first_child_for_byte(offset).is_some() {}
            let node = cursor.node();
            if node.start_byte() > offset {
                continue;
            }
            if node.kind_id() == self.symbols.comment && node.start_byte() == offset {
                self.comments.push(Comment { span: self.span(node), text: self.text(node).to_string() });
            }
            // The rest of this token (a comment, a string) holds no other comment.
            from = from.max(node.end_byte());
        }
    }

    /// The first ERROR or MISSING node, as Puppet's message for the token where its
    /// parser stopped.
    fn first_syntax_error(&self, root: Node<'s>) -> Option<Diagnostic> {
        if !root.has_error() {
            return None;
        }
        let first = first_error_node(root);
        if let Some(error) = first.and_then(|node| self.bad_heredoc_spec(node)) {
            return Some(error);
        }
        // Text no token covers is where Puppet's lexer failed (bad numbers, unclosed
        // quotes and comments, bad heredoc specs): it wins when it is not after the error.
        if let Some(gap) = self.first_uncovered_text(root) {
            let error_end = first.map_or(self.source.len(), |node| node.end_byte());
            if gap <= error_end || first.is_some_and(|node| self.source[node.end_byte()..gap].trim().is_empty()) {
                return Some(self.lexer_error(gap));
            }
        }
        if let Some(missing) = first.filter(|node| node.is_missing() && self.kind(node) == "heredoc_end") {
            let body_start = missing.parent().and_then(|body| body.child(0)).map_or(missing.start_byte(), |child| child.start_byte());
            return Some(Diagnostic::error(
                "HEREDOC_WITHOUT_END_TAGGED_LINE",
                "Heredoc without end-tagged line",
                self.span_of(body_start, body_start),
            ));
        }
        if let Some(missing) = first.filter(|node| node.is_missing() && self.kind(node) == "\"") {
            if let Some(string) = missing.parent() {
                return Some(self.unclosed_double_quote(string));
            }
        }
        let node = first?;
        if node.is_error() {
            // Inside the error, a nested error holds the tokens the parser skipped: the
            // token after them is where Puppet's parser stops.
            if let Some(nested) = first_nested_error(node) {
                return Some(match next_leaf(nested) {
                    Some(token) => self.error_at_token(token, node),
                    None => self.error("Syntax error at end of input", self.span_of(self.source.len(), self.source.len())),
                });
            }
            // Puppet's parser reads on until a token cannot continue what it has: when the
            // error's tokens run to the end of a line, that is the first token of the next
            // line (an unfinished `function f()`, `$x.`, `<| a == 1`, `case $x`).
            // An `else` that the grammar set aside for a later one: Puppet stops at the later.
            if node.child(0).is_some_and(|child| matches!(self.kind(child), "else_clause" | "elsif_clause")) {
                if let Some(token) = next_leaf(node) {
                    return Some(self.error_at_token(token, node));
                }
            }
            if let Some(token) = self.first_token_on_a_later_line(node) {
                return Some(self.error_at_token(token, node));
            }
            return Some(self.error_at_token(first_leaf(node).unwrap_or(node), node));
        }
        Some(match next_leaf(node) {
            Some(token) => self.error_at_token(token, token),
            None => self.error("Syntax error at end of input", self.span_of(self.source.len(), self.source.len())),
        })
    }

    /// The first token (inside `error` or after it, extras skipped) that starts on a later
    /// line than the error, when the error's first line holds nothing after its tokens.
    fn first_token_on_a_later_line(&self, error: Node<'s>) -> Option<Node<'s>> {
        let first = first_leaf(error)?;
        let line = first.start_position().row;
        let only_text = {
            let mut cursor = error.walk();
            let all_text = error.children(&mut cursor).all(|child| matches!(self.kind(child), "template_text" | "template_trivia" | "comment"));
            all_text
        };
        // Only an error that starts with a token asking for more (a keyword that opens a
        // construct, an operator) is one whose tokens Puppet's parser could still accept.
        let opens = matches!(
            self.kind(first),
            "function" | "class" | "define" | "node" | "case" | "if" | "unless" | "type" | "." | "<|" | "<<|" | "@" | "@@"
                | "->" | "~>" | "<-" | "<~" | "=" | "+=" | "-=" | "+" | "-" | "*" | "/" | "%" | "<<" | ">>" | "and" | "or"
                | "in" | "==" | "!=" | "=~" | "!~" | "<" | ">" | "<=" | ">=" | "?" | "!" | "inherits"
        );
        if !opens && !only_text {
            return None;
        }
        let mut token = next_leaf(first);
        while let Some(current) = token {
            let extra = matches!(self.kind(current), "comment" | "epp_open" | "epp_close" | "template_trivia" | "heredoc_body");
            if !extra {
                if current.start_position().row > line || only_text {
                    return Some(current);
                }
                if current.start_byte() >= error.end_byte() {
                    return None;
                }
            }
            token = next_leaf(current);
        }
        None
    }

    /// The first non-blank text that no leaf token covers (an ERROR leaf counts as
    /// uncovered), as a byte offset.
    fn first_uncovered_text(&self, root: Node<'s>) -> Option<usize> {
        let mut covered = 0;
        let mut cursor = root.walk();
        let blank = |text: &str| text.trim_start_matches([' ', '\t', '\r', '\n', '\u{c}', '\u{b}']).len();
        loop {
            let node = cursor.node();
            if node.child_count() == 0 && node.end_byte() > node.start_byte() {
                let start = node.start_byte();
                if start > covered {
                    let between = &self.source[covered..start];
                    if blank(between) > 0 {
                        return Some(covered + between.len() - blank(between));
                    }
                }
                if node.is_error() {
                    return Some(start);
                }
                covered = covered.max(node.end_byte());
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    let rest = &self.source[covered.min(self.source.len())..];
                    return (blank(rest) > 0).then(|| covered + rest.len() - blank(rest));
                }
            }
        }
    }

    /// Puppet's lexer error for the text at `offset`.
    fn lexer_error(&self, offset: usize) -> Diagnostic {
        let rest = &self.source[offset..];
        let at = |offset: usize| self.span_of(offset, offset + 1);
        let followed_by = |from: usize| {
            let tail = &self.source[from.min(self.source.len())..];
            if tail.is_empty() {
                return "<eof>".to_string();
            }
            let head: String = tail.chars().take(5).collect();
            format!("{}...", head.replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r"))
        };
        let code = "SYNTAX_ERROR";
        if rest.starts_with('\'') {
            let message = format!("Unclosed quote after \"'\" followed by '{}'", followed_by(offset + 1));
            return Diagnostic::error("UNCLOSED_QUOTE", message, at(offset + 1));
        }
        if rest.starts_with("/*") {
            return Diagnostic::error("UNCLOSED_MLCOMMENT", "Unclosed multiline comment", at(offset));
        }
        if rest.starts_with("@(") {
            return Diagnostic::error("HEREDOC_INVALID_SYNTAX", "Invalid syntax in heredoc expected @(endtag[:syntax][/escapes])", at(offset));
        }
        if rest.starts_with(|ch: char| ch.is_ascii_digit()) {
            let word: String = rest.chars().take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_' || *ch == '.').collect();
            let message = match parse_number(&word) {
                Err(error) if !error.0.starts_with("Internal") => error.0,
                _ => format!("Illegal number '{word}'"),
            };
            return Diagnostic::error("ILLEGAL_NUMBER", message, at(offset));
        }
        if rest.starts_with("::") {
            let message = if rest.strip_prefix("::").is_some_and(|after| after.starts_with(|ch: char| ch.is_ascii_uppercase())) {
                "Illegal fully qualified class reference"
            } else {
                "Illegal fully qualified name"
            };
            return Diagnostic::error(code, message, at(offset));
        }
        if rest.starts_with(|ch: char| ch.is_ascii_uppercase()) {
            return Diagnostic::error("ILLEGAL_CLASS_REFERENCE", "Illegal class reference", at(offset));
        }
        let token: String = rest.chars().take_while(|ch| !ch.is_whitespace()).take(20).collect();
        Diagnostic::error(code, format!("Syntax error at '{token}'"), at(offset))
    }

    /// `@(` that the grammar could not read as a heredoc: Puppet's heredoc spec errors.
    fn bad_heredoc_spec(&self, error: Node<'s>) -> Option<Diagnostic> {
        let text = self.text(error);
        // `@(` after another `@` is `@@` followed by a parenthesis, not a heredoc.
        let relative = text.match_indices("@(").map(|(index, _)| index).find(|&index| index == 0 || text.as_bytes()[index - 1] != b'@')?;
        let offset = error.start_byte() + relative;
        let rest = &self.source[offset..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let at = self.span_of(offset, offset + 2);
        let Some(close) = rest[..line_end].find(')') else {
            let tail: String = rest.chars().take(5).collect();
            let message = format!("Unclosed parenthesis after '@(' followed by '{}...'", tail.replace('\n', "\\n"));
            return Some(Diagnostic::error("HEREDOC_UNCLOSED_PARENTHESIS", message, at));
        };
        let spec = &rest[..=close];
        let message = match parse_heredoc_spec(spec) {
            Err(message) => message,
            Ok(_) if spec.contains(':') && !spec_has_valid_syntax(spec) => {
                "Invalid syntax in heredoc expected @(endtag[:syntax][/escapes])".to_string()
            }
            Ok(_) => return None,
        };
        Some(Diagnostic::error("HEREDOC_INVALID_SYNTAX", message, at))
    }

    /// A double-quoted string without its closing quote: Puppet reports it where its
    /// lexer last started reading text (after the quote or the last interpolation).
    fn unclosed_double_quote(&self, string: Node<'s>) -> Diagnostic {
        let mut cursor = string.walk();
        let last_interpolation = string
            .named_children(&mut cursor)
            .filter(|child| matches!(self.kind(child), "interpolation" | "variable"))
            .last();
        let offset = last_interpolation.map_or(string.start_byte() + 1, |node| node.end_byte());
        let after = last_interpolation.map_or_else(|| "'\"'".to_string(), |node| format!("'{}'", self.text(node).trim_start_matches('$')));
        let tail: String = self.source[offset..].chars().take(5).collect();
        let message = format!("Unclosed quote after {after} followed by '{}...'", tail.replace('\n', "\\n"));
        Diagnostic::error("UNCLOSED_QUOTE", message, self.span_of(offset, offset + 1))
    }

    fn error_at_token(&self, token: Node<'_>, _error: Node<'_>) -> Diagnostic {
        let text = self.text(token);
        if token.start_byte() >= self.source.len() || text.is_empty() && token.end_byte() >= self.source.len() {
            return self.error("Syntax error at end of input", self.span_of(self.source.len(), self.source.len()));
        }
        let shown = token_value(self.kind(token), text);
        self.error(format!("Syntax error at '{shown}'"), self.span(token))
    }

    // ------------------------------------------------------------------ statements

    fn program(&mut self, root: Node<'s>) -> Expr {
        let span = self.span(root);
        match self.statements(root) {
            Ok(statements) => factory::block_or_expression(statements, Some(span))
                .unwrap_or_else(|| Expr::new(self.span_of(self.source.len(), self.source.len()), ExprKind::Nop)),
            Err(error) => {
                self.errors.push(error);
                Expr::new(span, ExprKind::Nop)
            }
        }
    }

    /// The statements among a node's children (Puppet's `statements`: with its calls
    /// without parentheses transformed).
    fn statements(&mut self, parent: Node<'s>) -> Result<Vec<Expr>, Diagnostic> {
        let mut cursor = parent.walk();
        let children: Vec<Node<'s>> = parent.children(&mut cursor).collect();
        let mut statements = Vec::with_capacity(children.len());
        let mut previous: Option<Node<'s>> = None;
        for child in children {
            if !child.is_named() {
                if self.kind(child) == ";" {
                    previous = None;
                }
                continue;
            }
            if !is_statement_kind(self.kind(child)) {
                continue;
            }
            if let (Some(before), "hash") = (previous, self.kind(child)) {
                // `expression {` is always Puppet's `resource LBRACE`, never a hash.
                return Err(self.brace_after_expression(before, child));
            }
            previous = Some(child);
            if self.kind(child) == "statement_list" {
                let items = self.fields(child, "item");
                let mut lowered = Vec::with_capacity(items.len());
                for item in &items {
                    lowered.push(self.expr(*item)?);
                }
                let comma = items.first().map_or(self.span(child), |first| {
                    let after = first.end_byte();
                    let offset = self.source[after..].find(',').map_or(after, |found| after + found);
                    self.span_of(offset, offset + 1)
                });
                statements.push(Statement::List(lowered, comma));
                continue;
            }
            statements.push(Statement::Expr(self.expr(child)?));
        }
        factory::transform_calls(statements)
    }

    /// The error for `{ ... }` right after an expression statement.
    fn brace_after_expression(&self, before: Node<'s>, hash: Node<'s>) -> Diagnostic {
        let entries = self.fields(hash, "entry");
        let attribute_like = entries.iter().all(|entry| {
            self.field(*entry, "key").is_some_and(|key| self.kind(key) == "name" || is_keyword(self.text(key)))
        });
        if !attribute_like {
            let arrow = entries
                .iter()
                .find_map(|entry| {
                    let mut cursor = entry.walk();
                    let found = entry.children(&mut cursor).find(|child| self.kind(child) == "=>");
                    found
                })
                .unwrap_or(hash);
            return self.error("Syntax error at '=>'", self.span(arrow));
        }
        // The resource's left side is the innermost expression that ends the statement.
        let mut left = before;
        while let Some(right) = self.field(left, "right").or_else(|| (self.kind(left) == "statement_list").then(|| self.fields(left, "item").pop()).flatten()) {
            left = right;
        }
        self.error("Expression is not valid as a resource, resource-default, or resource-override", self.span(left))
    }

    /// A `{ statements }` block as a definition or lambda body: always a block.
    fn body(&mut self, block: Option<Node<'s>>) -> Result<Option<Expr>, Diagnostic> {
        let Some(block) = block else { return Ok(None) };
        let statements = self.statements(block)?;
        Ok(factory::body_block(statements, self.span(block)))
    }

    /// A `{ statements }` block of `if`, `unless` and `else`: one statement is itself.
    fn block_or_expression(&mut self, block: Option<Node<'s>>) -> Result<Option<Box<Expr>>, Diagnostic> {
        let Some(block) = block else { return Ok(None) };
        let statements = self.statements(block)?;
        Ok(factory::block_or_expression(statements, Some(self.span(block))).map(Box::new))
    }

    // ------------------------------------------------------------------ expressions

    fn expr(&mut self, node: Node<'s>) -> Lowered {
        guarded(|| self.expr_inner(node))
    }

    fn boxed(&mut self, node: Node<'s>) -> Result<Box<Expr>, Diagnostic> {
        Ok(Box::new(self.expr(node)?))
    }

    fn field_expr(&mut self, node: Node<'s>, name: &str) -> Result<Box<Expr>, Diagnostic> {
        let child = self.required(node, name)?;
        self.boxed(child)
    }

    fn expr_inner(&mut self, node: Node<'s>) -> Lowered {
        let span = self.span(node);
        let kind = match self.kind(node) {
            "variable" => {
                let name = self.text(node).trim_start_matches('$');
                let name_span = self.span_of(node.start_byte() + 1, node.end_byte());
                return Ok(factory::variable(name, span, name_span));
            }
            "interpolated_variable" => {
                // Puppet's VARIABLE token keeps the value of the token it replaces: the
                // booleans stay booleans (`${true}` is `(var true)`).
                let name = self.text(node);
                let name_expr = match name {
                    "true" | "false" => ExprKind::LiteralBoolean(name == "true"),
                    _ => ExprKind::QualifiedName(name.to_string()),
                };
                return Ok(Expr::new(span, ExprKind::Variable(Box::new(Expr::new(span, name_expr)))));
            }
            "name" => ExprKind::QualifiedName(self.text(node).to_string()),
            "word" => ExprKind::LiteralString(self.text(node).to_string()),
            "type" => ExprKind::QualifiedReference(self.text(node).to_string()),
            "number" => match parse_number(self.text(node)) {
                Ok(Number::Integer { value, radix }) => ExprKind::LiteralInteger { value, radix },
                Ok(Number::Float(value)) => ExprKind::LiteralFloat(value),
                Err(error) => return Err(self.error(error.0, span)),
            },
            "boolean" => ExprKind::LiteralBoolean(self.text(node) == "true"),
            "default" => ExprKind::LiteralDefault,
            "undef" => ExprKind::LiteralUndef,
            "reserved_word" => ExprKind::ReservedWord { word: self.text(node).to_string(), future: false },
            "regex" => {
                let source = regex_source(self.text(node));
                // Puppet's lexer compiles each regex with Ruby's Regexp.new.
                if let Some(problem) = crate::puppet_parser::regex_problem(&source) {
                    // Ruby shows the pattern with its slashes escaped.
                    let shown = source.replace('/', "\\/");
                    return Err(Diagnostic::error("INVALID_REGEX", format!("{problem}: /{shown}/"), span));
                }
                ExprKind::LiteralRegex(source)
            }
            "single_quoted_string" => {
                let text = self.text(node);
                let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
                ExprKind::LiteralString(strings::unescape_single_quoted(inner))
            }
            "double_quoted_string" => return self.double_quoted(node),
            "heredoc" => return self.heredoc(node),
            "array" => {
                let elements = self.fields(node, "element");
                ExprKind::LiteralList(self.arguments(&elements)?)
            }
            "hash" => {
                let mut entries = Vec::new();
                for entry in self.fields(node, "entry") {
                    entries.push(self.keyed_entry(entry)?);
                }
                ExprKind::LiteralHash(entries)
            }
            "keyed_entry" => {
                // A `key => value` argument: an unfolded hash of one entry.
                ExprKind::LiteralHash(vec![self.keyed_entry(node)?])
            }
            "assignment_expression"
            | "relationship_expression"
            | "in_expression"
            | "match_expression"
            | "arithmetic_expression"
            | "comparison_expression"
            | "and_expression"
            | "or_expression" => {
                let operator = self.required(node, "operator")?;
                let op = BinaryOp::from_token(self.text(operator)).ok_or_else(|| self.syntax_error_at(operator))?;
                let left = self.field_expr(node, "left")?;
                let right = self.field_expr(node, "right")?;
                ExprKind::Binary { op, op_span: self.span(operator), left, right }
            }
            "not_expression" => ExprKind::Unary { op: UnaryOp::Not, expr: self.field_expr(node, "expr")? },
            "unary_minus_expression" => ExprKind::Unary { op: UnaryOp::Minus, expr: self.field_expr(node, "expr")? },
            "unfold_expression" => ExprKind::Unary { op: UnaryOp::Unfold, expr: self.field_expr(node, "expr")? },
            "paren_expression" => ExprKind::Unary { op: UnaryOp::Paren, expr: self.field_expr(node, "expr")? },
            "selector_expression" => {
                let left = self.field_expr(node, "left")?;
                let mut entries = Vec::new();
                for entry in self.fields(node, "entry") {
                    let matching = self.field_expr(entry, "matching")?;
                    let value = self.field_expr(entry, "value")?;
                    entries.push(SelectorEntry { span: self.span(entry), matching: *matching, value: *value });
                }
                ExprKind::Selector { left, entries }
            }
            "access_expression" => {
                let left = self.field_expr(node, "left")?;
                let keys = self.fields(node, "key");
                ExprKind::Access { left, keys: self.arguments(&keys)? }
            }
            "named_access_expression" => {
                let left = self.field_expr(node, "left")?;
                let right = self.required(node, "right")?;
                let right = Expr::boxed(self.span(right), ExprKind::QualifiedName(self.text(right).to_string()));
                ExprKind::NamedAccess { left, right }
            }
            "call_named_function_expression" => {
                let functor = self.required(node, "functor")?;
                if self.kind(functor) == "call_method_expression" && !self.has_token(functor, "(") && self.field(functor, "lambda").is_none() {
                    // `$x.f(args)` read as a call of `$x.f`: Puppet's method call with arguments.
                    let functor = *self.field_expr(functor, "functor")?;
                    let arguments = self.fields(node, "argument");
                    let arguments = self.arguments(&arguments)?;
                    let lambda = self.field(node, "lambda").map(|lambda| self.expr(lambda)).transpose()?;
                    let call = Call { kind: CallKind::Method, rval_required: true, functor, arguments, lambda };
                    return Ok(Expr::new(span, ExprKind::Call(Box::new(call))));
                }
                let functor = if self.kind(functor) == "name" && self.text(functor) == "type" {
                    Expr::new(self.span(functor), ExprKind::QualifiedName("type".into()))
                } else {
                    self.expr(functor)?
                };
                let arguments = self.fields(node, "argument");
                let arguments = self.arguments(&arguments)?;
                let lambda = self.field(node, "lambda").map(|lambda| self.expr(lambda)).transpose()?;
                ExprKind::Call(Box::new(Call { kind: CallKind::Named, rval_required: true, functor, arguments, lambda }))
            }
            "call_method_expression" => {
                let functor = *self.field_expr(node, "functor")?;
                let arguments = self.fields(node, "argument");
                let arguments = self.arguments(&arguments)?;
                let lambda = self.field(node, "lambda").map(|lambda| self.expr(lambda)).transpose()?;
                ExprKind::Call(Box::new(Call { kind: CallKind::Method, rval_required: true, functor, arguments, lambda }))
            }
            "lambda_expression" => {
                let parameters = self.parameters(self.field(node, "parameters"))?;
                let return_type = self.field(node, "return_type").map(|node| self.expr(node)).transpose()?;
                let body = self.body(self.field(node, "body"))?;
                ExprKind::Lambda(Box::new(Lambda { parameters, body, return_type }))
            }
            "if_expression" | "elsif_clause" => return self.if_expression(node),
            "unless_expression" => {
                let test = self.field_expr(node, "condition")?;
                let then_expr = self.block_or_expression(self.field(node, "consequence"))?;
                let else_expr = match self.field(node, "alternative") {
                    Some(alternative) => self.block_or_expression(self.field(alternative, "body"))?,
                    None => None,
                };
                ExprKind::Unless { test, then_expr, else_expr }
            }
            "case_expression" => {
                let test = self.field_expr(node, "test")?;
                let mut options = Vec::new();
                for option in self.fields(node, "option") {
                    let mut values = Vec::new();
                    for value in self.fields(option, "value") {
                        values.push(self.expr(value)?);
                    }
                    let then_expr = self.body(self.field(option, "body"))?;
                    options.push(CaseOption { span: self.span(option), values, then_expr });
                }
                ExprKind::Case { test, options }
            }
            "collect_expression" => {
                let type_expr = self.field_expr(node, "type")?;
                let query = self.required(node, "query")?;
                let exported = self.kind(query) == "exported_query";
                let query_expr = self.field(query, "expr").map(|expr| self.boxed(expr)).transpose()?;
                let operations = self.operations(node)?;
                ExprKind::Collect { type_expr, exported, query: query_expr, query_span: self.span(query), operations }
            }
            "resource_expression" => return self.resource(node),
            "untitled_resource" => return self.untitled_resource(node),
            "host_class_definition" => {
                let name = self.classname(self.required(node, "name")?);
                let parameters = self.parameters(self.field(node, "parameters"))?;
                let parent_class = self.field(node, "parent").map(|parent| self.text(parent).to_string());
                self.namespace.push(self.text(self.required(node, "name")?).to_string());
                let body = self.body(self.field(node, "body"));
                self.namespace.pop();
                let definition = NamedDefinition { kind: DefinitionKind::Class, name, parameters, body: body?, parent_class, return_type: None };
                ExprKind::Definition(Box::new(definition))
            }
            "resource_type_definition" => {
                let name = self.classname(self.required(node, "name")?);
                let parameters = self.parameters(self.field(node, "parameters"))?;
                let body = self.body(self.field(node, "body"))?;
                let definition = NamedDefinition { kind: DefinitionKind::Define, name, parameters, body, parent_class: None, return_type: None };
                ExprKind::Definition(Box::new(definition))
            }
            "function_definition" => {
                let name = self.text(self.required(node, "name")?).to_string();
                let parameters = self.parameters(self.field(node, "parameters"))?;
                let return_type = self.field(node, "return_type").map(|node| self.expr(node)).transpose()?;
                let body = self.body(self.field(node, "body"))?;
                let definition = NamedDefinition { kind: DefinitionKind::Function, name, parameters, body, parent_class: None, return_type };
                ExprKind::Definition(Box::new(definition))
            }
            "node_definition" => {
                let mut host_matches = Vec::new();
                for host in self.fields(node, "hostname") {
                    host_matches.push(self.hostname(host)?);
                }
                let parent = self.field(node, "parent").map(|parent| self.hostname(parent).map(Box::new)).transpose()?;
                let body = self.body(self.field(node, "body"))?.map(Box::new);
                ExprKind::Node { host_matches, parent, body }
            }
            "type_alias" => {
                let lhs = *self.field_expr(node, "name")?;
                let value = self.required(node, "value")?;
                let rhs = if self.kind(value) == "keyed_entry" {
                    let parent = *self.field_expr(value, "key")?;
                    let hash = *self.field_expr(value, "value")?;
                    factory::type_alias_with_body(parent, hash)
                } else {
                    self.expr(value)?
                };
                return Ok(factory::type_assignment(lhs, rhs, span));
            }
            "type_definition" => {
                let name = self.text(self.required(node, "name")?).to_string();
                let parent = self.field(node, "parent").map(|parent| self.text(parent).to_string());
                let body = self.body(self.field(node, "body"))?.map(Box::new);
                ExprKind::TypeDefinition { name, parent, body }
            }
            "template_text" => ExprKind::RenderString(self.template_text(node)),
            "render_expression" => {
                let expr = self.required(node, "expr")?;
                let inner = if self.kind(expr) == "block" {
                    let statements = self.statements(expr)?;
                    factory::block_or_expression(statements, Some(self.span(expr)))
                        .unwrap_or_else(|| Expr::new(self.span(expr), ExprKind::Nop))
                } else {
                    self.expr(expr)?
                };
                ExprKind::Render(Box::new(inner))
            }
            "block" => {
                let statements = self.statements(node)?;
                return Ok(factory::block_or_expression(statements, Some(span)).unwrap_or_else(|| Expr::new(span, ExprKind::Nop)));
            }
            _ => return Err(self.syntax_error_at(node)),
        };
        Ok(Expr::new(span, kind))
    }

    fn if_expression(&mut self, node: Node<'s>) -> Lowered {
        let span = self.span(node);
        let test = self.field_expr(node, "condition")?;
        let then_expr = self.block_or_expression(self.field(node, "consequence"))?;
        let else_expr = match self.field(node, "alternative") {
            Some(alternative) if self.kind(alternative) == "elsif_clause" => Some(Box::new(self.if_expression(alternative)?)),
            Some(alternative) => self.block_or_expression(self.field(alternative, "body"))?,
            None => None,
        };
        Ok(Expr::new(span, ExprKind::If { test, then_expr, else_expr }))
    }

    /// Call and access arguments, with adjacent `key => value` entries merged into one
    /// hash as Puppet's `ARGUMENTS` does.
    fn arguments(&mut self, nodes: &[Node<'s>]) -> Result<Vec<Expr>, Diagnostic> {
        let mut lowered = Vec::with_capacity(nodes.len());
        for node in nodes {
            let unfolded = self.kind(node) == "keyed_entry";
            let expr = if self.kind(node) == "word" && matches!(self.text(*node), "type" | "function") {
                Expr::new(self.span(*node), ExprKind::LiteralString(self.text(*node).to_string()))
            } else {
                self.expr(*node)?
            };
            lowered.push((expr, unfolded));
        }
        Ok(factory::merge_unfolded(lowered))
    }

    fn keyed_entry(&mut self, node: Node<'s>) -> Result<KeyedEntry, Diagnostic> {
        let key = self.required(node, "key")?;
        let value = self.required(node, "value")?;
        let key = self.hash_entry(key)?;
        let value = self.hash_entry(value)?;
        Ok(KeyedEntry { span: self.span(node), key, value })
    }

    fn hash_entry(&mut self, node: Node<'s>) -> Lowered {
        if self.kind(node) == "word" && matches!(self.text(node), "type" | "function") {
            return Ok(Expr::new(self.span(node), ExprKind::LiteralString(self.text(node).to_string())));
        }
        self.expr(node)
    }

    fn parameters(&mut self, list: Option<Node<'s>>) -> Result<Vec<Parameter>, Diagnostic> {
        let Some(list) = list else { return Ok(Vec::new()) };
        let mut parameters = Vec::new();
        for parameter in self.fields(list, "parameter") {
            let name = self.required(parameter, "name")?;
            let type_expr = self.field(parameter, "type").map(|node| self.expr(node)).transpose()?;
            let value = self.field(parameter, "value").map(|node| self.expr(node)).transpose()?;
            parameters.push(Parameter {
                span: self.span(name),
                name: self.text(name).trim_start_matches('$').to_string(),
                type_expr,
                value,
                captures_rest: self.field(parameter, "splat").is_some(),
            });
        }
        Ok(parameters)
    }

    fn classname(&self, node: Node<'s>) -> String {
        factory::classname(&self.namespace, self.text(node))
    }

    fn operations(&mut self, node: Node<'s>) -> Result<Vec<AttributeOp>, Diagnostic> {
        let mut operations = Vec::new();
        for operation in self.fields(node, "operation") {
            let span = self.span(operation);
            if self.kind(operation) == "attributes_operation" {
                operations.push(AttributeOp::Splat { span, expr: *self.field_expr(operation, "value")? });
                continue;
            }
            let name = self.text(self.required(operation, "name")?).to_string();
            let append = self.field(operation, "operator").is_some_and(|operator| self.text(operator) == "+>");
            let value = *self.field_expr(operation, "value")?;
            operations.push(AttributeOp::Set { span, name, append, value });
        }
        Ok(operations)
    }

    fn form(&self, node: Node<'s>) -> ResourceForm {
        match self.field(node, "form").map(|form| self.text(form)) {
            Some("@") => ResourceForm::Virtual,
            Some("@@") => ResourceForm::Exported,
            _ => ResourceForm::Regular,
        }
    }

    fn resource(&mut self, node: Node<'s>) -> Lowered {
        let span = self.span(node);
        let form = self.form(node);
        let type_node = self.required(node, "type")?;
        let type_name = if self.kind(type_node) == "name" && self.text(type_node) == "class" {
            Expr::new(self.span(type_node), ExprKind::QualifiedName("class".into()))
        } else {
            self.expr(type_node)?
        };
        if form != ResourceForm::Regular && !is_resource_type(&type_name) {
            // `@` before something that is not a resource is Puppet's syntax error.
        }
        let mut bodies = Vec::new();
        for body in self.fields(node, "body") {
            let title = *self.field_expr(body, "title")?;
            let operations = self.operations(body)?;
            bodies.push(ResourceBody { span: self.span(body), title, operations });
        }
        Ok(Expr::new(span, ExprKind::Resource { form, type_name: Box::new(type_name), bodies }))
    }

    fn untitled_resource(&mut self, node: Node<'s>) -> Lowered {
        let span = self.span(node);
        let form = self.form(node);
        let type_node = self.required(node, "type")?;
        let mut type_expr = self.expr(type_node)?;
        let operations = self.operations(node)?;
        // `Type <| query |> { ops }` read as a collection followed by a body.
        if let ExprKind::Collect { operations: collect_operations, .. } = &mut type_expr.kind {
            if collect_operations.is_empty() && form == ResourceForm::Regular {
                *collect_operations = operations;
                type_expr.span = span;
                return Ok(type_expr);
            }
        }
        let brace_start = self.source[type_node.end_byte()..node.end_byte()].find('{').map_or(type_node.end_byte(), |found| type_node.end_byte() + found);
        let braces = self.span_of(brace_start, node.end_byte());
        let result = match factory::resource_shape(&type_expr) {
            factory::ResourceShape::Resource => {
                let type_span = type_expr.span;
                match factory::resource_without_title(type_expr, operations, braces) {
                    Some(expr) => expr,
                    None => {
                        let _ = type_span;
                        return Err(self.error(
                            "Syntax error resource body without title or hash with +>",
                            self.span_of(brace_start, brace_start + 1),
                        ));
                    }
                }
            }
            factory::ResourceShape::Defaults => {
                Expr::new(span, ExprKind::ResourceDefaults { form, type_ref: Box::new(type_expr), operations })
            }
            factory::ResourceShape::Override => {
                Expr::new(span, ExprKind::ResourceOverride { form, resources: Box::new(type_expr), operations })
            }
            factory::ResourceShape::Error => {
                return Err(self.error(
                    "Expression is not valid as a resource, resource-default, or resource-override",
                    type_expr.span,
                ))
            }
        };
        if form != ResourceForm::Regular && !matches!(result.kind, ExprKind::ResourceDefaults { .. } | ExprKind::ResourceOverride { .. }) {
            let which = if form == ResourceForm::Virtual { "Virtual (@)" } else { "Exported (@@)" };
            return Err(self.error(format!("{which} can only be applied to a Resource Expression"), span));
        }
        Ok(result)
    }

    fn hostname(&mut self, node: Node<'s>) -> Lowered {
        if self.kind(node) == "dotted_name" {
            return Ok(Expr::new(self.span(node), ExprKind::LiteralString(self.text(node).to_string())));
        }
        self.expr(node)
    }

    // ------------------------------------------------------------------ strings

    /// The literal pieces and interpolations of a string's content between `start` and
    /// `end`: `(raw text, None)` or `("", Some(interpolation node))`.
    fn string_parts(&self, node: Node<'s>, start: usize, end: usize) -> Vec<(usize, usize, Option<Node<'s>>)> {
        let mut parts = Vec::new();
        let mut position = start;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if !matches!(self.kind(child), "interpolation" | "variable") {
                continue;
            }
            if child.start_byte() > position {
                parts.push((position, child.start_byte(), None));
            }
            parts.push((child.start_byte(), child.end_byte(), Some(child)));
            position = child.end_byte();
        }
        if end > position {
            parts.push((position, end, None));
        }
        parts
    }

    fn double_quoted(&mut self, node: Node<'s>) -> Lowered {
        let span = self.span(node);
        let start = node.start_byte() + 1;
        let end = node.end_byte().saturating_sub(1).max(start);
        let parts = self.string_parts(node, start, end);
        let pieces: Vec<Piece<'s>> = parts
            .into_iter()
            .map(|(from, to, interpolation)| match interpolation {
                Some(node) => Piece::Interpolation(node),
                None => Piece::Text(from, to, self.source[from..to].to_string()),
            })
            .collect();
        self.string_from_pieces(pieces, Escapes::DOUBLE_QUOTED, span)
    }

    fn string_from_pieces(&mut self, pieces: Vec<Piece<'s>>, escapes: Escapes, span: Span) -> Lowered {
        let has_interpolation = pieces.iter().any(|piece| matches!(piece, Piece::Interpolation(_)));
        let mut segments = Vec::new();
        let mut whole = String::new();
        for piece in pieces {
            match piece {
                Piece::Text(from, to, raw) => {
                    let text = strings::unescape(&raw, escapes).map_err(|message| self.error(message, self.span_of(from, to)))?;
                    if has_interpolation {
                        if !text.is_empty() {
                            segments.push(Expr::new(self.span_of(from, to), ExprKind::LiteralString(text)));
                        }
                    } else {
                        whole.push_str(&text);
                    }
                }
                Piece::Interpolation(node) => segments.push(self.interpolation(node)?),
            }
        }
        if !has_interpolation {
            return Ok(Expr::new(span, ExprKind::LiteralString(whole)));
        }
        Ok(Expr::new(span, ExprKind::ConcatenatedString(segments)))
    }

    /// `$var` or `${expr}` in a string: a Text expression.
    fn interpolation(&mut self, node: Node<'s>) -> Lowered {
        let span = self.span(node);
        if self.kind(node) == "variable" {
            let name = self.text(node).trim_start_matches('$');
            let name_span = self.span_of(node.start_byte() + 1, node.end_byte());
            return Ok(Expr::new(span, ExprKind::Text(Box::new(factory::variable(name, span, name_span)))));
        }
        let expr_node = self.required(node, "expr")?;
        // The lexer already made the first token a variable where Puppet's lexer does
        // (`interpolated_variable`); Factory.TEXT's `interpolate` does the rest.
        let expr = factory::interpolate(self.expr(expr_node)?);
        Ok(Expr::new(span, ExprKind::Text(Box::new(expr))))
    }

    fn heredoc(&mut self, node: Node<'s>) -> Lowered {
        let span = self.span(node);
        let spec = self.text(node);
        let heredoc = parse_heredoc_spec(spec).map_err(|message| self.error(message, span))?;
        let body_node = self.heredoc_bodies.get(self.next_heredoc).copied();
        let Some(body) = body_node.filter(|body| body.start_byte() >= node.end_byte()) else {
            // In a template the grammar reads the lines after the tag as template text;
            // Puppet reads the heredoc's text from them too (and renders them as well).
            return self.heredoc_from_following_lines(node, heredoc);
        };
        self.next_heredoc += 1;
        let mut cursor = body.walk();
        let children: Vec<Node<'s>> = body.children(&mut cursor).collect();
        let Some(end) = children.iter().rev().find(|child| self.kind(**child) == "heredoc_end").copied() else {
            return Err(self.error("Heredoc without end-tagged line", span));
        };
        let text_start = children.first().map_or(end.start_byte(), |first| first.start_byte()).min(end.start_byte());
        let end_line = &self.source[end.start_byte()..end.end_byte()];
        let (leading, has_margin, remove_break) = parse_end_line(end_line, &heredoc.tag);
        let margin = if has_margin && !leading.is_empty() { Some(leading) } else { None };
        // Literal pieces with the margin removed from each line, as Puppet removes it
        // from the raw lines before reading escapes and interpolation.
        let parts = self.string_parts(body, text_start, end.start_byte());
        let mut pieces = Vec::with_capacity(parts.len());
        for (from, to, interpolation) in parts {
            match interpolation {
                Some(node) if heredoc.interpolate => pieces.push(Piece::Interpolation(node)),
                Some(_) | None => {
                    let raw = strip_margin(self.source, text_start, from, to, margin.as_deref());
                    match pieces.last_mut() {
                        Some(Piece::Text(_, last_to, last)) if !heredoc.interpolate => {
                            last.push_str(&raw);
                            *last_to = to;
                        }
                        _ => pieces.push(Piece::Text(from, to, raw)),
                    }
                }
            }
        }
        if remove_break {
            if let Some(Piece::Text(_, _, last)) = pieces.last_mut() {
                if last.ends_with("\r\n") {
                    last.truncate(last.len() - 2);
                } else if last.ends_with('\n') {
                    last.truncate(last.len() - 1);
                }
            }
        }
        if pieces.is_empty() {
            pieces.push(Piece::Text(text_start, text_start, String::new()));
        }
        let text_span = self.span_of(text_start, end.start_byte());
        let text = self.string_from_pieces(pieces, heredoc.escapes, text_span)?;
        Ok(Expr::new(span, ExprKind::Heredoc { syntax: heredoc.syntax, text: Box::new(text) }))
    }

    /// A heredoc whose text the grammar gave no `heredoc_body`: its text read from the
    /// source lines after the heredoc's line, up to the end tag.
    fn heredoc_from_following_lines(&mut self, node: Node<'s>, heredoc: HeredocSpec) -> Lowered {
        let span = self.span(node);
        let rest = &self.source[node.end_byte()..];
        let Some(newline) = rest.find('\n') else {
            return Err(self.error("Heredoc without any following lines of text", span));
        };
        let body_start = node.end_byte() + newline + 1;
        let mut position = body_start;
        for line in self.source[body_start..].split_inclusive('\n') {
            let content = line.trim_end_matches('\n').trim_end_matches('\r').trim_end_matches([' ', '\t']);
            if let Some(before) = content.strip_suffix(heredoc.tag.as_str()) {
                if before.chars().all(|ch| matches!(ch, ' ' | '\t' | '|' | '-')) {
                    let (leading, has_margin, remove_break) = parse_end_line(content, &heredoc.tag);
                    let margin = if has_margin && !leading.is_empty() { Some(leading.as_str()) } else { None };
                    let mut raw = strip_margin(self.source, body_start, body_start, position, margin);
                    if remove_break {
                        if raw.ends_with("\r\n") {
                            raw.truncate(raw.len() - 2);
                        } else if raw.ends_with('\n') {
                            raw.truncate(raw.len() - 1);
                        }
                    }
                    let text_span = self.span_of(body_start, position);
                    let text = self.string_from_pieces(vec![Piece::Text(body_start, position, raw)], heredoc.escapes, text_span)?;
                    return Ok(Expr::new(span, ExprKind::Heredoc { syntax: heredoc.syntax, text: Box::new(text) }));
                }
            }
            position += line.len();
        }
        Err(Diagnostic::error("HEREDOC_WITHOUT_END_TAGGED_LINE", "Heredoc without end-tagged line", self.span_of(body_start, body_start)))
    }

    // ------------------------------------------------------------------ templates

    fn template(&mut self, root: Node<'s>) -> Expr {
        let span = self.span(root);
        match self.template_inner(root) {
            Ok(expr) => expr,
            Err(error) => {
                self.errors.push(error);
                Expr::new(span, ExprKind::Nop)
            }
        }
    }

    fn template_inner(&mut self, root: Node<'s>) -> Lowered {
        let span = self.span(root);
        let parameters_node = self.field(root, "parameters");
        let parameters = self.parameters(parameters_node)?;
        let statements = self.statements(root)?;
        let body = factory::body_block(statements, span).map(Box::new);
        let epp = Expr::new(span, ExprKind::Epp { parameters_specified: parameters_node.is_some(), body });
        let lambda = Lambda { parameters, body: Some(epp), return_type: None };
        Ok(Expr::new(span, ExprKind::Lambda(Box::new(lambda))))
    }

    fn template_text(&self, node: Node<'s>) -> String {
        let before = &self.source[..node.start_byte()];
        let after = &self.source[node.end_byte()..];
        epp_text(self.text(node), before.ends_with("-%>"), after.starts_with("<%-"))
    }
}

/// The value of template text as Puppet's `EppScanner` gives it: comments removed,
/// `<%%` and `%%>` unescaped, blanks trimmed around `-%>` and `<%-`.
pub(crate) fn epp_text(raw: &str, skip_leading: bool, trim_trailing: bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    let mut skip = skip_leading;
    loop {
        let (mut part, after) = match rest.find("<%") {
            Some(index) => (&rest[..index + 2], Some(&rest[index + 2..])),
            None => (rest, None),
        };
        if skip {
            part = part.trim_start_matches([' ', '\t']);
            part = part.strip_prefix('\r').unwrap_or(part);
            part = part.strip_prefix('\n').unwrap_or(part);
            skip = false;
        }
        out.push_str(&part.replace("%%>", "%>"));
        let Some(after) = after else { break };
        if let Some(next) = after.strip_prefix('%') {
            rest = next;
            continue;
        }
        out.truncate(out.len().saturating_sub(2));
        if !after.starts_with('#') {
            // Another tag: not part of this text (the grammar ends text before tags).
            break;
        }
        let bytes = after.as_bytes();
        let end = (0..bytes.len().saturating_sub(2))
            .find(|&index| bytes[index] != b'%' && bytes[index + 1] == b'%' && bytes[index + 2] == b'>')
            .map_or(after.len(), |index| index + 3);
        let comment = &after[..end];
        if comment.as_bytes().get(1) == Some(&b'-') {
            let kept = out.trim_end_matches([' ', '\t']).len();
            out.truncate(kept);
        }
        skip = comment.ends_with("-%>");
        rest = &after[end..];
    }
    if trim_trailing {
        let kept = out.trim_end_matches([' ', '\t']).len();
        out.truncate(kept);
    }
    out
}

enum Piece<'s> {
    Text(usize, usize, String),
    Interpolation(Node<'s>),
}

pub(crate) struct HeredocSpec {
    pub(crate) tag: String,
    pub(crate) syntax: String,
    pub(crate) interpolate: bool,
    pub(crate) escapes: Escapes,
}

/// `@(TAG:syntax/escapes)` as Puppet's `PATTERN_HEREDOC` reads it.
pub(crate) fn parse_heredoc_spec(spec: &str) -> Result<HeredocSpec, String> {
    let inner = spec.strip_prefix("@(").and_then(|rest| rest.strip_suffix(')')).ok_or("Invalid heredoc syntax")?;
    let tag_end = inner.find([':', '/']).unwrap_or(inner.len());
    let mut tag = inner[..tag_end].trim().to_string();
    let mut rest = &inner[tag_end..];
    let mut syntax = String::new();
    if let Some(after) = rest.strip_prefix(':') {
        let end = after.find('/').unwrap_or(after.len());
        syntax = after[..end].trim().to_string();
        rest = &after[end..];
    }
    let mut escapes = Escapes::NONE;
    if let Some(flags) = rest.strip_prefix('/') {
        escapes = Escapes::heredoc(flags.trim()).map_err(|error| match error {
            strings::HeredocFlagError::Repeated(flags) => {
                let listed: Vec<String> = flags.chars().map(String::from).collect();
                format!("An escape char for @() may only appear once. Got '{}'", listed.join(", "))
            }
            strings::HeredocFlagError::Invalid(flag) => format!("Invalid heredoc escape char. Only t, r, n, s,  u, L, $ allowed. Got '{flag}'"),
        })?;
    }
    let interpolate = tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"');
    if interpolate {
        tag = tag[1..tag.len() - 1].trim().to_string();
    }
    if inner[..tag_end].is_empty() {
        return Err("Invalid syntax in heredoc expected @(endtag[:syntax][/escapes])".into());
    }
    if tag.is_empty() {
        return Err("Heredoc with an empty endtag".into());
    }
    Ok(HeredocSpec { tag, syntax, interpolate, escapes })
}

/// `:syntax` of a heredoc spec is `[a-z][a-zA-Z0-9_+]+` (Puppet's PATTERN_HEREDOC).
fn spec_has_valid_syntax(spec: &str) -> bool {
    let Some((_, after)) = spec.split_once(':') else { return true };
    let syntax = after.split(['/', ')']).next().unwrap_or("").trim_matches([' ', '\t']);
    syntax.len() >= 2
        && syntax.starts_with(|ch: char| ch.is_ascii_lowercase())
        && syntax.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '+')
}

/// The end line `   |- TAG`: its leading blanks, whether it has a margin `|`, and
/// whether `-` removes the last line break.
pub(crate) fn parse_end_line(line: &str, tag: &str) -> (String, bool, bool) {
    let position = line.rfind(tag).unwrap_or(0);
    let before = &line[..position];
    // Puppet's regex finds the first place where blanks, `|` and `-` lead to the tag.
    let trimmed = before.trim_end_matches([' ', '\t']);
    let (before_dash, remove_break) = match trimmed.strip_suffix('-') {
        Some(rest) => (rest.trim_end_matches([' ', '\t']), true),
        None => (trimmed, false),
    };
    let (leading, has_margin) = match before_dash.strip_suffix('|') {
        Some(rest) => {
            let blanks = rest.len() - rest.trim_end_matches([' ', '\t']).len();
            (rest[rest.len() - blanks..].to_string(), true)
        }
        None => (String::new(), false),
    };
    (leading, has_margin, remove_break)
}

/// The source text `from..to` of a heredoc body, with `margin` removed at each line start.
pub(crate) fn strip_margin(source: &str, body_start: usize, from: usize, to: usize, margin: Option<&str>) -> String {
    let raw = &source[from..to];
    let Some(margin) = margin else { return raw.to_string() };
    let mut out = String::with_capacity(raw.len());
    let mut position = from;
    for line in raw.split_inclusive('\n') {
        let at_line_start = position == body_start || source.as_bytes().get(position.wrapping_sub(1)) == Some(&b'\n');
        if at_line_start && line.starts_with(margin) {
            out.push_str(&line[margin.len()..]);
        } else {
            out.push_str(line);
        }
        position += line.len();
    }
    out
}

/// A regex token's pattern as Ruby's `Regexp#source`: between the slashes, `\/` as `/`.
pub(crate) fn regex_source(text: &str) -> String {
    let inner = text.strip_prefix('/').unwrap_or(text);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    inner.replace("\\/", "/")
}

fn is_keyword(text: &str) -> bool {
    matches!(
        text,
        "case" | "class" | "default" | "define" | "if" | "elsif" | "else" | "inherits" | "node" | "and" | "or" | "undef"
            | "false" | "true" | "in" | "unless" | "function" | "type" | "attr" | "private"
    )
}

fn is_statement_kind(kind: &str) -> bool {
    !matches!(
        kind,
        "comment" | "heredoc_body" | "template_trivia" | "epp_open" | "epp_close" | "parameter_list"
    )
}

fn is_resource_type(expr: &Expr) -> bool {
    matches!(expr.kind, ExprKind::QualifiedName(_) | ExprKind::QualifiedReference(_) | ExprKind::Access { .. })
}

/// How Puppet shows a token in "Syntax error at '...'": strings without their quotes.
fn token_value<'t>(kind: &str, text: &'t str) -> &'t str {
    match kind {
        "single_quoted_string" | "double_quoted_string" => text.get(1..text.len().saturating_sub(1)).unwrap_or(text),
        _ => text.lines().next().unwrap_or(text),
    }
}

/// The offset of the first `#` or `/*` at or after `from`.
fn next_comment_start(bytes: &[u8], from: usize) -> Option<usize> {
    let mut offset = from;
    while offset < bytes.len() {
        match bytes[offset] {
            b'#' => return Some(offset),
            b'/' if bytes.get(offset + 1) == Some(&b'*') => return Some(offset),
            _ => offset += 1,
        }
    }
    None
}

/// The first ERROR or MISSING node of the tree, in document order.
fn first_error_node(root: Node<'_>) -> Option<Node<'_>> {
    first_error_within(root, true, |node| node.is_error() || node.is_missing())
}

/// The first ERROR node inside `node` (not `node` itself), in document order.
fn first_nested_error(node: Node<'_>) -> Option<Node<'_>> {
    first_error_within(node, false, |node| node.is_error())
}

/// The first node under `top` (or `top` itself when `include_top`) that `wanted`
/// accepts, looking only into subtrees that contain errors.
fn first_error_within<'t>(top: Node<'t>, include_top: bool, wanted: fn(&Node<'t>) -> bool) -> Option<Node<'t>> {
    if !top.has_error() {
        return None;
    }
    if include_top && wanted(&top) {
        return Some(top);
    }
    let mut cursor = top.walk();
    if !cursor.goto_first_child() {
        return None;
    }
    loop {
        let current = cursor.node();
        if wanted(&current) {
            return Some(current);
        }
        if current.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() || cursor.node() == top {
                return None;
            }
        }
    }
}

fn first_leaf(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = node;
    while current.child_count() > 0 {
        current = current.child(0)?;
    }
    (current != node || node.child_count() == 0).then_some(current).filter(|leaf| leaf.end_byte() > leaf.start_byte())
}

fn next_leaf(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = node;
    loop {
        if let Some(sibling) = current.next_sibling() {
            let mut leaf = sibling;
            while leaf.child_count() > 0 {
                leaf = leaf.child(0)?;
            }
            if leaf.end_byte() > leaf.start_byte() {
                return Some(leaf);
            }
            current = leaf;
            continue;
        }
        current = current.parent()?;
    }
}

/// The CST, one node per line with its field name and position (for debugging).
pub fn debug_cst(source: &str, mode: Mode) -> String {
    let Some(tree) = parse_tree(source, mode) else { return String::new() };
    let mut out = String::new();
    let mut cursor = tree.walk();
    let mut depth = 0;
    loop {
        let node = cursor.node();
        let field = cursor.field_name().map(|name| format!("{name}: ")).unwrap_or_default();
        let flag = if node.is_missing() { " MISSING" } else if node.is_error() { " ERROR" } else { "" };
        let text = if node.child_count() == 0 { format!(" {:?}", &source[node.start_byte()..node.end_byte()]) } else { String::new() };
        let start = node.start_position();
        out.push_str(&format!("{}{field}{}{flag} [{}:{}]{text}\n", "  ".repeat(depth), node.kind(), start.row + 1, start.column + 1));
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
            depth -= 1;
        }
    }
}
