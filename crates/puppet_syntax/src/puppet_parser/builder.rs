//! The fast front end: Puppet's lexer and the LR tables of its grammar, with grammar
//! actions that build the AST directly, the way egrammar.ra's actions call Puppet's
//! Factory. The tree is the one the tree-sitter lowering (`lower.rs`) builds, every span
//! and comment included. What this front end does not build (a syntax error, a heredoc,
//! a template, a construct the lowering reports an error for) gives `None`: the caller
//! then takes the tree-sitter path, which reports errors as it always did.
//!
//! The parser's stack is a vector, so deep nesting needs no deep recursion.

use crate::ast::*;
use crate::factory::{self, Statement};
use crate::numbers::{parse_number, Number};
use crate::span::Span;
use crate::strings::{self, Escapes};

use super::lexer::{Kind, Lexer, Token};
use super::tables::{self, P, T};

/// The tree of a manifest (`epp`: a template), or `None` when the file must take the
/// tree-sitter path.
pub fn build(source: &str, epp: bool) -> Option<Program> {
    if source.starts_with('\u{feff}') || source.len() >= u32::MAX as usize {
        return None;
    }
    let mut lexer = Lexer::new(source, epp);
    let mut builder = Builder { source, epp, positions: Positions::new(source), namespace: Vec::new(), previous: None, heredoc_spec: None, heredoc: None };
    let mut stack: Vec<Slot> = Vec::with_capacity(64);
    stack.push(Slot { state: tables::START_STATE, value: Value::Empty, span: Span::default(), empty: true });
    let mut lookahead: Option<Tok> = None;
    let mut at_end = false;
    loop {
        if lookahead.is_none() && !at_end {
            match lexer.next_token().ok()? {
                Some(token) => lookahead = Some(builder.token(&token)?),
                None => at_end = true,
            }
        }
        let terminal = lookahead.map_or(tables::EOF, |token| token.kind as u16);
        let state = usize::from(stack.last()?.state);
        match tables::ACTIONS[state * tables::TOKENS + usize::from(terminal)] {
            0 => return None,
            1 => break,
            shift if shift > 1 => {
                let token = lookahead.take()?;
                stack.push(Slot { state: (shift - 2) as u16, value: Value::Token(token), span: token.span, empty: false });
            }
            reduce => {
                let production = usize::try_from(-1 - i32::from(reduce)).ok()?;
                let (rule, length, _) = tables::PRODUCTIONS[production];
                let base = stack.len().checked_sub(usize::from(length))?;
                let below = usize::from(stack.get(base.checked_sub(1)?)?.state);
                let goto = tables::GOTOS[below * tables::RULES + usize::from(rule)];
                if goto == u16::MAX {
                    return None;
                }
                let kind = tables::PRODUCTION_KINDS[production];
                let mut first: Option<Span> = None;
                let mut last: Option<Span> = None;
                for slot in stack[base..].iter().filter(|slot| !slot.empty) {
                    first = first.or(Some(slot.span));
                    last = Some(slot.span);
                }
                let span = first.zip(last).map(|(first, last)| first.to(last));
                let value = {
                    let mut kids = Kids { slots: &mut stack[base..], next: 0, span: span.unwrap_or_default() };
                    builder.reduce(kind, &mut kids)?
                };
                if let Value::PassThrough = value {
                    // A unit production: its child's value and span stay where they are.
                    stack.last_mut()?.state = goto;
                    continue;
                }
                // A heredoc's text is on the lines after it: the heredoc and what holds
                // it end with its `@(...)`, as in the tree-sitter tree.
                let span = span.filter(|_| !matches!(kind, P::sublocated_text__SUBLOCATE_string | P::sublocated_text__SUBLOCATE_dq_string));
                stack.truncate(base);
                stack.push(Slot { state: goto, value, span: span.unwrap_or_default(), empty: span.is_none() });
            }
        }
    }
    let program = stack.pop()?;
    let mut comment_positions = Positions::new(source);
    let comments: Vec<Comment> = lexer
        .comments
        .iter()
        .map(|&(start, end)| Comment { span: comment_positions.span(start, end), text: source[start..end].to_string() })
        .collect();
    let end = source.len();
    let body = match program.value {
        Value::Template(parameters, statements) => {
            // A template's root spans the whole text.
            let root = Span { end: end as u32, ..Positions::new(source).span(0, 0) };
            let body = factory::body_block(statements, root).map(Box::new);
            let epp = Expr::new(root, ExprKind::Epp { parameters_specified: parameters.is_some(), body });
            let lambda = Lambda { parameters: parameters.unwrap_or_default(), body: Some(epp), return_type: None };
            Some(Expr::new(root, ExprKind::Lambda(Box::new(lambda))))
        }
        Value::Body(statements) => {
            // The tree-sitter root starts at its first token or comment and ends with the text.
            let first = comments.first().map_or(program.span, |comment| if comment.span.start < program.span.start { comment.span } else { program.span });
            let root = Span { end: end as u32, ..first };
            factory::block_or_expression(statements, Some(root))
        }
        Value::Empty => None,
        _ => return None,
    };
    let body = body.unwrap_or_else(|| Expr::new(builder.positions.span(end, end), ExprKind::Nop));
    Some(Program { body, comments })
}

/// The items of a list symbol's value (`$list`, a [`Value`] variant); a symbol that
/// matched nothing is the empty list.
macro_rules! list_of {
    ($kids:expr, $list:path) => {
        match $kids.next() {
            $list(items) => Some(items),
            Value::Empty => Some(Vec::new()),
            _ => None,
        }
    };
}

/// `list: item`: a list of the item's value (`$item` and `$list` are [`Value`] variants).
macro_rules! list_start {
    ($kids:expr, $item:path, $list:path) => {
        match $kids.next() {
            $item(item) => Some($list(vec![item.item()])),
            _ => None,
        }
    };
}

/// `list: list SEPARATOR... item`: the item's value added to the list.
macro_rules! list_push {
    ($kids:expr, $separators:expr, $item:path, $list:path) => {{
        let $list(mut items) = $kids.next() else { return None };
        $kids.skip($separators);
        let $item(item) = $kids.next() else { return None };
        items.push(item.item());
        Some($list(items))
    }};
}

/// A token as the grammar actions see it: its kind and span (its text is in the source).
#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: T,
    span: Span,
}

/// One entry of the parser's stack: the state, and the value and span of its symbol
/// (`empty` for a symbol that matched no token).
struct Slot {
    state: u16,
    value: Value,
    span: Span,
    empty: bool,
}

/// The value of a grammar symbol.
enum Value {
    Empty,
    /// What a unit production gives: its child's value, left in place.
    PassThrough,
    Token(Tok),
    Expr(Expr),
    OptExpr(Option<Expr>),
    Exprs(Vec<Expr>),
    /// A call, access or list argument, and whether it is a `key => value` (an unfolded hash).
    Argument(Expr, bool),
    Arguments(Vec<(Expr, bool)>),
    Statement(Statement),
    Statements(Vec<Statement>),
    /// Statements after Factory's transform_calls.
    Body(Vec<Expr>),
    Operation(Box<AttributeOp>),
    Operations(Vec<AttributeOp>),
    Bodies(Vec<ResourceBody>),
    /// additional_resource_bodies: the first body's trailing comma, and the other bodies.
    MoreBodies(Option<Span>, Vec<ResourceBody>),
    Entry(Box<KeyedEntry>),
    Entries(Vec<KeyedEntry>),
    SelectorEntry(Box<SelectorEntry>),
    SelectorEntries(Vec<SelectorEntry>),
    CaseOption(Box<CaseOption>),
    CaseOptions(Vec<CaseOption>),
    Parameter(Box<Parameter>),
    Parameters(Vec<Parameter>),
    /// A class's full name.
    Name(String),
    /// A collect query: exported or not, and its expression.
    Query(bool, Option<Expr>),
    /// The pieces of a double quoted string after its first, last first.
    Pieces(Vec<Piece>),
    /// A template: its parameters (`None` without `|...|`) and statements.
    Template(Option<Vec<Parameter>>, Vec<Expr>),
}

/// A list item as the list holds it (the large ones are boxed on the parser's stack).
trait Item<T> {
    fn item(self) -> T;
}

impl<T> Item<T> for Box<T> {
    fn item(self) -> T {
        *self
    }
}

impl Item<Statement> for Statement {
    fn item(self) -> Statement {
        self
    }
}

/// A text token of a double quoted string, or an interpolated expression.
enum Piece {
    Text(Tok),
    Interpolation(Expr),
}

/// The children of a reduction, their values taken in order.
struct Kids<'a> {
    slots: &'a mut [Slot],
    next: usize,
    /// The span of them all.
    span: Span,
}

impl Kids<'_> {
    fn next(&mut self) -> Value {
        let Some(slot) = self.slots.get_mut(self.next) else { return Value::Empty };
        self.next += 1;
        std::mem::replace(&mut slot.value, Value::Empty)
    }

    fn skip(&mut self, count: usize) {
        self.next += count;
    }

    /// The span of the child at `index`; `None` when it matched nothing.
    fn span(&self, index: usize) -> Option<Span> {
        self.slots.get(index).filter(|slot| !slot.empty).map(|slot| slot.span)
    }

    /// The span of the children `from..=to`.
    fn between(&self, from: usize, to: usize) -> Span {
        let mut spans = (from..=to).filter_map(|index| self.span(index));
        let Some(first) = spans.next() else { return self.span };
        first.to(spans.next_back().unwrap_or(first))
    }

    fn expr(&mut self) -> Option<Expr> {
        match self.next() {
            Value::Expr(expr) => Some(expr),
            _ => None,
        }
    }

    fn token(&mut self) -> Option<Tok> {
        match self.next() {
            Value::Token(token) => Some(token),
            _ => None,
        }
    }

    /// `expression FARROW expression`: the two expressions.
    fn pair(&mut self) -> Option<(Expr, Expr)> {
        let left = self.expr()?;
        self.skip(1);
        Some((left, self.expr()?))
    }

    fn opt_expr(&mut self) -> Option<Option<Expr>> {
        match self.next() {
            Value::OptExpr(expr) => Some(expr),
            Value::Expr(expr) => Some(Some(expr)),
            Value::Empty => Some(None),
            _ => None,
        }
    }
}

/// The span from the first to the last of the spans given.
fn union(spans: &[Option<Span>]) -> Option<Span> {
    let first = spans.iter().flatten().next()?;
    let last = spans.iter().rev().flatten().next()?;
    Some(first.to(*last))
}

/// Lines and columns of byte offsets, counted forward from the last offset asked for
/// (tokens come in order), so that no line table is needed.
struct Positions<'s> {
    bytes: &'s [u8],
    offset: usize,
    line: u32,
    column: u32,
}

impl<'s> Positions<'s> {
    fn new(source: &'s str) -> Self {
        Positions { bytes: source.as_bytes(), offset: 0, line: 1, column: 1 }
    }

    fn span(&mut self, start: usize, end: usize) -> Span {
        if start < self.offset {
            // Back (after a heredoc's text): to the start of the line, then forward.
            let start = start.min(self.bytes.len());
            self.line -= self.bytes[start..self.offset].iter().filter(|byte| **byte == b'\n').count() as u32;
            self.offset = self.bytes[..start].iter().rposition(|byte| *byte == b'\n').map_or(0, |newline| newline + 1);
            self.column = 1;
        }
        let target = start.min(self.bytes.len());
        advance(&self.bytes[self.offset.min(target)..target], &mut self.line, &mut self.column);
        self.offset = target;
        Span { start: start as u32, end: end as u32, line: self.line, column: self.column }
    }
}

/// The span `start..end`, its line and column counted from `anchor`, which starts
/// before it.
fn span_after(source: &str, anchor: Span, start: usize, end: usize) -> Span {
    let (mut line, mut column) = (anchor.line, anchor.column);
    advance(&source.as_bytes()[anchor.start as usize..start], &mut line, &mut column);
    Span { start: start as u32, end: end as u32, line, column }
}

/// Moves a line and column past `bytes`. Columns count characters: UTF-8 continuation
/// bytes add none.
fn advance(bytes: &[u8], line: &mut u32, column: &mut u32) {
    for &byte in bytes {
        if byte == b'\n' {
            *line += 1;
            *column = 1;
        } else if byte & 0xC0 != 0x80 {
            *column += 1;
        }
    }
}

/// The text of the heredoc being parsed, as the tree-sitter lowering reads it.
struct HeredocText {
    spec: crate::lower::HeredocSpec,
    /// From the start of the text's first line to the start of the end tag's line.
    span: Span,
    margin: Option<String>,
    /// `-` before the end tag: the text's last line break is not part of it.
    remove_break: bool,
}

impl HeredocText {
    /// True for the first token of the heredoc's text (not of a string in one of its
    /// interpolations, which starts with its quote, later).
    fn starts_with(&self, token: Tok) -> bool {
        token.span.start == self.span.start
    }

    /// The text `from..to` of the source with the margin removed, and the last line
    /// break too when `last` and the end tag says so.
    fn raw(&self, source: &str, from: usize, to: usize, last: bool) -> String {
        let mut raw = crate::lower::strip_margin(source, self.span.start as usize, from, to, self.margin.as_deref());
        if last && self.remove_break {
            if raw.ends_with("\r\n") {
                raw.truncate(raw.len() - 2);
            } else if raw.ends_with('\n') {
                raw.truncate(raw.len() - 1);
            }
        }
        raw
    }
}

struct Builder<'s> {
    source: &'s str,
    epp: bool,
    positions: Positions<'s>,
    /// The kind of the last token read.
    previous: Option<T>,
    /// The spec (`@(...)`) of the last heredoc read.
    heredoc_spec: Option<Span>,
    /// The text of the heredoc being parsed.
    heredoc: Option<HeredocText>,
    /// Names of the classes being parsed, for the names of nested definitions
    /// (egrammar.ra's `namestack`).
    namespace: Vec<String>,
}

impl<'s> Builder<'s> {
    /// The grammar token of a lexer token; `None` for what the grammar does not know, an
    /// empty variable name (an error of Puppet's validation), a heredoc in a heredoc or a
    /// template (left to the tree-sitter path).
    fn token(&mut self, token: &Token) -> Option<Tok> {
        let Kind::G(kind) = token.kind else { return None };
        if kind == T::VARIABLE && token.end <= token.offset + 1 && self.source.as_bytes().get(token.offset) == Some(&b'$') {
            return None;
        }
        // After these words Puppet's lexer reads `/.../` as a regex where our tree-sitter
        // grammar reads divisions (`undef /re/ $x`): such a text keeps today's reading.
        if kind == T::REGEX && matches!(self.previous, Some(T::DEFAULT | T::UNDEF | T::PRIVATE | T::ATTR | T::RENDER_STRING)) {
            return None;
        }
        self.previous = Some(kind);
        if kind == T::HEREDOC {
            if self.epp || self.heredoc.is_some() {
                return None;
            }
            self.heredoc_spec = Some(self.positions.span(token.offset, token.end));
        }
        if kind == T::SUBLOCATE {
            let spec = self.heredoc_spec.take()?;
            let spec = crate::lower::parse_heredoc_spec(self.text(spec)).ok()?;
            let end_line = self.source.get(token.end..)?;
            let end_line = &end_line[..end_line.find('\n').unwrap_or(end_line.len())];
            let (leading, has_margin, remove_break) = crate::lower::parse_end_line(end_line, &spec.tag);
            let margin = (has_margin && !leading.is_empty()).then_some(leading);
            let span = self.positions.span(token.offset, token.end);
            self.heredoc = Some(HeredocText { spec, span, margin, remove_break });
            return Some(Tok { kind, span });
        }
        // A render tag's token is where Puppet's lexer started the text before it: its
        // span is the tag's (`<%=`), which ends where the token does.
        let start = if kind == T::RENDER_EXPR { token.end.checked_sub(3)? } else { token.offset };
        Some(Tok { kind, span: self.positions.span(start, token.end) })
    }

    fn text(&self, span: Span) -> &'s str {
        &self.source[span.start as usize..span.end as usize]
    }

    fn binary(&self, span: Span, kids: &mut Kids<'_>) -> Option<Value> {
        let left = kids.expr()?;
        let operator = kids.token()?;
        let right = kids.expr()?;
        let op = BinaryOp::from_token(self.text(operator.span))?;
        let kind = ExprKind::Binary { op, op_span: operator.span, left: Box::new(left), right: Box::new(right) };
        Some(Value::Expr(Expr::new(span, kind)))
    }

    fn unary(span: Span, op: UnaryOp, kids: &mut Kids<'_>) -> Option<Value> {
        kids.skip(1);
        let expr = kids.expr()?;
        Some(Value::Expr(Expr::new(span, ExprKind::Unary { op, expr: Box::new(expr) })))
    }

    /// A name token's text as an expression of `kind`.
    fn literal(&self, token: Tok, kind: impl FnOnce(String) -> ExprKind) -> Value {
        Value::Expr(Expr::new(token.span, kind(self.text(token.span).to_string())))
    }

    fn variable(&self, token: Tok) -> Expr {
        let text = self.text(token.span);
        if let Some(name) = text.strip_prefix('$') {
            let name_span = span_after(self.source, token.span, token.span.start as usize + 1, token.span.end as usize);
            return factory::variable(name, token.span, name_span);
        }
        // The first token of `${...}` that the lexer made a variable keeps its value: the
        // booleans stay booleans (`${true}` is `(var true)`).
        let name = match text {
            "true" | "false" => ExprKind::LiteralBoolean(text == "true"),
            _ => ExprKind::QualifiedName(text.to_string()),
        };
        Expr::new(token.span, ExprKind::Variable(Box::new(Expr::new(token.span, name))))
    }

    /// A STRING token: single quoted, double quoted without interpolation, or a heredoc's
    /// text.
    fn string(&self, token: Tok) -> Option<Expr> {
        if let Some(heredoc) = self.heredoc.as_ref().filter(|heredoc| heredoc.starts_with(token)) {
            let (start, end) = (heredoc.span.start as usize, heredoc.span.end as usize);
            let text = strings::unescape(&heredoc.raw(self.source, start, end, true), heredoc.spec.escapes).ok()?;
            return Some(Expr::new(heredoc.span, ExprKind::LiteralString(text)));
        }
        let text = self.text(token.span);
        let inner = text.get(1..text.len().checked_sub(1)?)?;
        let value = if text.starts_with('\'') { strings::unescape_single_quoted(inner) } else { strings::unescape(inner, Escapes::DOUBLE_QUOTED).ok()? };
        Some(Expr::new(token.span, ExprKind::LiteralString(value)))
    }

    /// A double quoted string (or heredoc text) with interpolations: its first text
    /// token and the rest.
    fn concatenated(&self, span: Span, first: Tok, mut rest: Vec<Piece>) -> Option<Expr> {
        let heredoc = self.heredoc.as_ref().filter(|heredoc| heredoc.starts_with(first));
        let (span, escapes) = match heredoc {
            Some(heredoc) => (heredoc.span, heredoc.spec.escapes),
            None => (span, Escapes::DOUBLE_QUOTED),
        };
        rest.push(Piece::Text(first));
        rest.reverse();
        let mut segments = Vec::with_capacity(rest.len());
        let mut previous_end = first.span.start as usize;
        let mut pieces = rest.into_iter().peekable();
        while let Some(piece) = pieces.next() {
            match piece {
                Piece::Text(token) => {
                    previous_end = token.span.end as usize;
                    let (raw, start, end) = match heredoc {
                        Some(heredoc) => {
                            let start = token.span.start as usize;
                            let end = match token.kind {
                                T::DQPOST => heredoc.span.end as usize,
                                // Puppet's lexer places the start of the text (its offset 0)
                                // before the first line's margin.
                                T::DQPRE if token.span.end == token.span.start => {
                                    let margin = heredoc.margin.as_deref().filter(|margin| self.source[start..].starts_with(margin));
                                    start + margin.map_or(0, str::len)
                                }
                                _ => token.span.end as usize,
                            };
                            previous_end = end;
                            if start >= end {
                                continue;
                            }
                            (heredoc.raw(self.source, start, end, token.kind == T::DQPOST), start, end)
                        }
                        None => {
                            let start = if token.kind == T::DQPRE { token.span.start as usize + 1 } else { token.span.start as usize };
                            let end = if token.kind == T::DQPOST { (token.span.end as usize).checked_sub(1)? } else { token.span.end as usize };
                            (self.source.get(start..end)?.to_string(), start, end)
                        }
                    };
                    let text = strings::unescape(&raw, escapes).ok()?;
                    if !text.is_empty() {
                        segments.push(Expr::new(span_after(self.source, token.span, start, end), ExprKind::LiteralString(text)));
                    }
                }
                Piece::Interpolation(expr) => {
                    let next_start = match pieces.peek() {
                        Some(Piece::Text(next)) => next.span.start as usize,
                        _ => return None,
                    };
                    let interpolation = span_after(self.source, span, previous_end, next_start);
                    segments.push(Expr::new(interpolation, ExprKind::Text(Box::new(factory::interpolate(expr)))));
                }
            }
        }
        Some(Expr::new(span, ExprKind::ConcatenatedString(segments)))
    }

    /// A call of `functor` with arguments and a lambda; `$x.f(args)` read as a call of
    /// the method call `$x.f` is Puppet's method call with those arguments.
    fn call(span: Span, functor: Expr, arguments: Vec<(Expr, bool)>, lambda: Option<Expr>) -> Expr {
        let arguments = factory::merge_unfolded(arguments);
        let mut functor = functor;
        let mut kind = CallKind::Named;
        if let ExprKind::Call(call) = &mut functor.kind {
            let without_parentheses = call.kind == CallKind::Method && call.arguments.is_empty() && call.lambda.is_none() && call.functor.span.end == functor.span.end;
            if without_parentheses {
                kind = CallKind::Method;
                let named_access = std::mem::replace(&mut call.functor, Expr::new(Span::default(), ExprKind::Nop));
                functor = named_access;
            }
        }
        Expr::new(span, ExprKind::Call(Box::new(Call { kind, rval_required: true, functor, arguments, lambda })))
    }

    /// `type_name { title: operations; ... }` once its bodies are built.
    fn resource(span: Span, type_name: Expr, bodies: Vec<ResourceBody>) -> Value {
        let kind = ExprKind::Resource { form: ResourceForm::Regular, type_name: Box::new(type_name), bodies };
        Value::Expr(Expr::new(span, kind))
    }

    /// `left { operations }`: resource defaults, an override, or a name and a hash.
    fn untitled_resource(span: Span, left: Expr, operations: Vec<AttributeOp>, braces: Span) -> Option<Expr> {
        match factory::resource_shape(&left) {
            factory::ResourceShape::Resource => factory::resource_without_title(left, operations, braces),
            factory::ResourceShape::Defaults => {
                Some(Expr::new(span, ExprKind::ResourceDefaults { form: ResourceForm::Regular, type_ref: Box::new(left), operations }))
            }
            factory::ResourceShape::Override => {
                Some(Expr::new(span, ExprKind::ResourceOverride { form: ResourceForm::Regular, resources: Box::new(left), operations }))
            }
            factory::ResourceShape::Error => None,
        }
    }

    /// `@resource` or `@@resource`: only resources, defaults and overrides take a form.
    fn with_form(span: Span, form: ResourceForm, mut expr: Expr) -> Option<Value> {
        match &mut expr.kind {
            ExprKind::Resource { form: current, .. }
            | ExprKind::ResourceDefaults { form: current, .. }
            | ExprKind::ResourceOverride { form: current, .. }
                if *current == ResourceForm::Regular =>
            {
                *current = form;
            }
            _ => return None,
        }
        expr.span = span;
        Some(Value::Expr(expr))
    }

    fn definition(span: Span, definition: NamedDefinition) -> Value {
        Value::Expr(Expr::new(span, ExprKind::Definition(Box::new(definition))))
    }

    /// The value of a reduction by `production` of the children `kids`; `PassThrough`
    /// for a unit production whose child's value is its own.
    fn reduce(&mut self, production: P, kids: &mut Kids<'_>) -> Option<Value> {
        let span = kids.span;
        let expr = |kind: ExprKind| Some(Value::Expr(Expr::new(span, kind)));
        match production {
            P::program__statements | P::program__ => Some(kids.next()),
            P::statements__syntactic_statements => match kids.next() {
                Value::Statements(statements) => Some(Value::Body(factory::transform_calls(statements).ok()?)),
                _ => None,
            },
            P::syntactic_statements__syntactic_statement => list_start!(kids, Value::Statement, Value::Statements),
            P::syntactic_statements__syntactic_statements_SEMIC_syntactic_statement => {
                list_push!(kids, 1, Value::Statement, Value::Statements)
            }
            P::syntactic_statements__syntactic_statements_syntactic_statement => list_push!(kids, 0, Value::Statement, Value::Statements),
            P::syntactic_statement__assignment => Some(Value::Statement(Statement::Expr(kids.expr()?))),
            P::syntactic_statement__syntactic_statement_COMMA_assignment => {
                let first = kids.next();
                let comma = kids.token()?;
                let expr = kids.expr()?;
                match first {
                    Value::Statement(Statement::Expr(first)) => Some(Value::Statement(Statement::List(vec![first, expr], comma.span))),
                    Value::Statement(Statement::List(mut list, first_comma)) => {
                        list.push(expr);
                        Some(Value::Statement(Statement::List(list, first_comma)))
                    }
                    _ => None,
                }
            }
            P::assignment__relationship_EQUALS_assignment
            | P::assignment__relationship_APPENDS_assignment
            | P::assignment__relationship_DELETES_assignment
            | P::relationship__relationship_IN_EDGE_resource
            | P::relationship__relationship_IN_EDGE_SUB_resource
            | P::relationship__relationship_OUT_EDGE_resource
            | P::relationship__relationship_OUT_EDGE_SUB_resource
            | P::expression__expression_IN_expression
            | P::expression__expression_MATCH_expression
            | P::expression__expression_NOMATCH_expression
            | P::expression__expression_PLUS_expression
            | P::expression__expression_MINUS_expression
            | P::expression__expression_DIV_expression
            | P::expression__expression_TIMES_expression
            | P::expression__expression_MODULO_expression
            | P::expression__expression_LSHIFT_expression
            | P::expression__expression_RSHIFT_expression
            | P::expression__expression_NOTEQUAL_expression
            | P::expression__expression_ISEQUAL_expression
            | P::expression__expression_GREATERTHAN_expression
            | P::expression__expression_GREATEREQUAL_expression
            | P::expression__expression_LESSTHAN_expression
            | P::expression__expression_LESSEQUAL_expression
            | P::expression__expression_AND_expression
            | P::expression__expression_OR_expression => self.binary(span, kids),
            P::argument__assignment | P::access_arg__expression => Some(Value::Argument(kids.expr()?, false)),
            P::argument__hashpair | P::access_arg__hashpair => match kids.next() {
                Value::Entry(entry) => Some(Value::Argument(Expr::new(span, ExprKind::LiteralHash(vec![*entry])), true)),
                _ => None,
            },
            P::arguments__argument | P::access_args__access_arg | P::collection_entries__collection_entry => match kids.next() {
                Value::Argument(argument, unfolded) => Some(Value::Arguments(vec![(argument, unfolded)])),
                _ => None,
            },
            P::arguments__arguments_COMMA_argument
            | P::access_args__access_args_COMMA_access_arg
            | P::collection_entries__collection_entries_COMMA_collection_entry => {
                let mut arguments = list_of!(kids, Value::Arguments)?;
                kids.skip(1);
                let Value::Argument(argument, unfolded) = kids.next() else { return None };
                arguments.push((argument, unfolded));
                Some(Value::Arguments(arguments))
            }
            P::resource__AT_resource | P::resource__ATAT_resource => {
                let form = if production == P::resource__AT_resource { ResourceForm::Virtual } else { ResourceForm::Exported };
                kids.skip(1);
                Self::with_form(span, form, kids.expr()?)
            }
            P::resource__resource_LBRACE_expression_COLON_attribute_operations_additional_resource_bodies_RBRACE => {
                let type_name = kids.expr()?;
                kids.skip(1);
                let title = kids.expr()?;
                kids.skip(1);
                let operations = list_of!(kids, Value::Operations)?;
                let Value::MoreBodies(comma, more) = kids.next() else { return None };
                let first_span = union(&[kids.span(2), kids.span(3), kids.span(4), comma]).unwrap_or(span);
                let mut bodies = Vec::with_capacity(1 + more.len());
                bodies.push(ResourceBody { span: first_span, title, operations });
                bodies.extend(more);
                Some(Self::resource(span, type_name, bodies))
            }
            P::resource__CLASS_LBRACE_resource_bodies_endsemi_RBRACE => {
                let class = kids.token()?;
                kids.skip(1);
                let Value::Bodies(bodies) = kids.next() else { return None };
                let type_name = Expr::new(class.span, ExprKind::QualifiedName("class".into()));
                Some(Self::resource(span, type_name, bodies))
            }
            P::resource__resource_LBRACE_attribute_operations_endcomma_RBRACE => {
                let left = kids.expr()?;
                let operations = {
                    kids.skip(1);
                    list_of!(kids, Value::Operations)?
                };
                Some(Value::Expr(Self::untitled_resource(span, left, operations, kids.between(1, 4))?))
            }
            P::resource_body__expression_COLON_attribute_operations_endcomma => {
                let title = kids.expr()?;
                kids.skip(1);
                let operations = list_of!(kids, Value::Operations)?;
                Some(Value::Bodies(vec![ResourceBody { span, title, operations }]))
            }
            P::resource_bodies__resource_body => Some(kids.next()),
            P::resource_bodies__resource_bodies_SEMIC_resource_body => {
                let Value::Bodies(mut bodies) = kids.next() else { return None };
                kids.skip(1);
                let Value::Bodies(more) = kids.next() else { return None };
                bodies.extend(more);
                Some(Value::Bodies(bodies))
            }
            P::additional_resource_bodies__endcomma | P::additional_resource_bodies__endcomma_SEMIC => {
                Some(Value::MoreBodies(kids.span(0), Vec::new()))
            }
            P::additional_resource_bodies__endcomma_SEMIC_resource_bodies_endsemi => {
                kids.skip(2);
                let Value::Bodies(bodies) = kids.next() else { return None };
                Some(Value::MoreBodies(kids.span(0), bodies))
            }
            P::expression__MINUS_expression => Self::unary(span, UnaryOp::Minus, kids),
            P::expression__TIMES_expression => Self::unary(span, UnaryOp::Unfold, kids),
            P::expression__NOT_expression => Self::unary(span, UnaryOp::Not, kids),
            P::expression__LPAREN_assignment_RPAREN | P::expression__WSLPAREN_assignment_RPAREN => Self::unary(span, UnaryOp::Paren, kids),
            P::expression__expression_QMARK_selector_entries => {
                let left = kids.expr()?;
                kids.skip(1);
                let entries = match kids.next() {
                    Value::SelectorEntries(entries) => entries,
                    Value::SelectorEntry(entry) => vec![*entry],
                    _ => return None,
                };
                expr(ExprKind::Selector { left: Box::new(left), entries })
            }
            P::bracketed_expression__expression_LBRACK_access_args_endcomma_RBRACK
            | P::parameter_type__type_LBRACK_access_args_RBRACK => {
                let left = kids.expr()?;
                kids.skip(1);
                let keys = factory::merge_unfolded(list_of!(kids, Value::Arguments)?);
                expr(ExprKind::Access { left: Box::new(left), keys })
            }
            P::expressions__expression => Some(Value::Exprs(vec![kids.expr()?])),
            P::expressions__expressions_COMMA_expression | P::hostnames__hostnames_COMMA_hostname => {
                let Value::Exprs(mut exprs) = kids.next() else { return None };
                kids.skip(1);
                exprs.push(kids.expr()?);
                Some(Value::Exprs(exprs))
            }
            P::primary_expression__plan_expression | P::primary_expression__apply_expression => None,
            P::primary_expression__NUMBER => {
                let token = kids.token()?;
                let kind = match parse_number(self.text(token.span)).ok()? {
                    Number::Integer { value, radix } => ExprKind::LiteralInteger { value, radix },
                    Number::Float(value) => ExprKind::LiteralFloat(value),
                };
                expr(kind)
            }
            P::primary_expression__BOOLEAN => {
                let token = kids.token()?;
                expr(ExprKind::LiteralBoolean(self.text(token.span) == "true"))
            }
            P::primary_expression__DEFAULT | P::hostname__DEFAULT => expr(ExprKind::LiteralDefault),
            P::primary_expression__UNDEF => expr(ExprKind::LiteralUndef),
            P::primary_expression__NAME => Some(self.literal(kids.token()?, ExprKind::QualifiedName)),
            P::type__CLASSREF => Some(self.literal(kids.token()?, ExprKind::QualifiedReference)),
            P::reserved_word__PRIVATE | P::reserved_word__ATTR => {
                Some(self.literal(kids.token()?, |word| ExprKind::ReservedWord { word, future: false }))
            }
            P::regex__REGEX => {
                let token = kids.token()?;
                expr(ExprKind::LiteralRegex(crate::lower::regex_source(self.text(token.span))))
            }
            P::variable__VARIABLE => Some(Value::Expr(self.variable(kids.token()?))),
            P::call_function_expression__call_function_start_arguments_endcomma_RPAREN
            | P::call_function_expression__call_function_start_arguments_endcomma_RPAREN_lambda
            | P::call_function_expression__call_function_start_RPAREN
            | P::call_function_expression__call_function_start_RPAREN_lambda => {
                let functor = kids.expr()?;
                let with_arguments = matches!(
                    production,
                    P::call_function_expression__call_function_start_arguments_endcomma_RPAREN
                        | P::call_function_expression__call_function_start_arguments_endcomma_RPAREN_lambda
                );
                let arguments = if with_arguments { list_of!(kids, Value::Arguments)? } else { Vec::new() };
                kids.skip(if with_arguments { 2 } else { 1 });
                let lambda = match kids.next() {
                    Value::Expr(lambda) => Some(lambda),
                    Value::Empty => None,
                    _ => return None,
                };
                Some(Value::Expr(Self::call(span, functor, arguments, lambda)))
            }
            P::call_function_start__expression_LPAREN => Some(kids.next()),
            P::call_function_start__TYPE_LPAREN => {
                let token = kids.token()?;
                Some(Value::Expr(Expr::new(token.span, ExprKind::QualifiedName("type".into()))))
            }
            P::call_method_with_lambda_expression__call_method_expression_lambda => {
                let mut call = kids.expr()?;
                let lambda = kids.expr()?;
                let ExprKind::Call(inner) = &mut call.kind else { return None };
                inner.lambda = Some(lambda);
                call.span = span;
                Some(Value::Expr(call))
            }
            P::call_method_expression__named_access_LPAREN_arguments_RPAREN
            | P::call_method_expression__named_access_LPAREN_RPAREN
            | P::call_method_expression__named_access => {
                let functor = kids.expr()?;
                let arguments = if production == P::call_method_expression__named_access_LPAREN_arguments_RPAREN {
                    kids.skip(1);
                    factory::merge_unfolded(list_of!(kids, Value::Arguments)?)
                } else {
                    Vec::new()
                };
                let call = Call { kind: CallKind::Method, rval_required: true, functor, arguments, lambda: None };
                expr(ExprKind::Call(Box::new(call)))
            }
            P::named_access__expression_DOT_NAME | P::named_access__expression_DOT_TYPE => {
                let left = kids.expr()?;
                kids.skip(1);
                let name = kids.token()?;
                let right = Expr::boxed(name.span, ExprKind::QualifiedName(self.text(name.span).to_string()));
                expr(ExprKind::NamedAccess { left: Box::new(left), right })
            }
            P::lambda__lambda_parameter_list_opt_return_type_lambda_rest => {
                let parameters = list_of!(kids, Value::Parameters)?;
                let return_type = kids.opt_expr()?;
                let body = kids.opt_expr()?;
                expr(ExprKind::Lambda(Box::new(Lambda { parameters, body, return_type })))
            }
            P::lambda_rest__LBRACE_statements_RBRACE => {
                kids.skip(1);
                Some(Value::OptExpr(factory::body_block(list_of!(kids, Value::Body)?, span)))
            }
            P::lambda_rest__LBRACE_RBRACE => Some(Value::OptExpr(None)),
            P::lambda_parameter_list__PIPE_PIPE | P::parameter_list__LPAREN_RPAREN | P::parameter_list__WSLPAREN_RPAREN => {
                Some(Value::Parameters(Vec::new()))
            }
            P::lambda_parameter_list__PIPE_parameters_endcomma_PIPE
            | P::parameter_list__LPAREN_parameters_endcomma_RPAREN
            | P::parameter_list__WSLPAREN_parameters_endcomma_RPAREN
            | P::epp_parameters_list__PIPE_parameters_endcomma_PIPE => {
                kids.skip(1);
                Some(kids.next())
            }
            P::if_expression__IF_if_part | P::else__ELSIF_if_part => {
                kids.skip(1);
                let mut if_expr = kids.expr()?;
                if_expr.span = span;
                Some(Value::Expr(if_expr))
            }
            P::if_part__expression_LBRACE_statements_RBRACE_else | P::if_part__expression_LBRACE_RBRACE_else => {
                let test = kids.expr()?;
                kids.skip(1);
                let then_expr = if production == P::if_part__expression_LBRACE_statements_RBRACE_else {
                    factory::block_or_expression(list_of!(kids, Value::Body)?, Some(kids.between(1, 3))).map(Box::new)
                } else {
                    None
                };
                kids.skip(1);
                let else_expr = kids.opt_expr()?.map(Box::new);
                expr(ExprKind::If { test: Box::new(test), then_expr, else_expr })
            }
            P::else__ | P::unless_else__ | P::else__ELSE_LBRACE_RBRACE | P::unless_else__ELSE_LBRACE_RBRACE => Some(Value::OptExpr(None)),
            P::else__ELSE_LBRACE_statements_RBRACE | P::unless_else__ELSE_LBRACE_statements_RBRACE => {
                kids.skip(2);
                Some(Value::OptExpr(factory::block_or_expression(list_of!(kids, Value::Body)?, Some(kids.between(1, 3)))))
            }
            P::unless_expression__UNLESS_expression_LBRACE_statements_RBRACE_unless_else
            | P::unless_expression__UNLESS_expression_LBRACE_RBRACE_unless_else => {
                kids.skip(1);
                let test = kids.expr()?;
                kids.skip(1);
                let then_expr = if production == P::unless_expression__UNLESS_expression_LBRACE_statements_RBRACE_unless_else {
                    let then_expr = factory::block_or_expression(list_of!(kids, Value::Body)?, Some(kids.between(2, 4))).map(Box::new);
                    kids.skip(1);
                    then_expr
                } else {
                    kids.skip(1);
                    None
                };
                let else_expr = kids.opt_expr()?.map(Box::new);
                expr(ExprKind::Unless { test: Box::new(test), then_expr, else_expr })
            }
            P::case_expression__CASE_expression_LBRACE_case_options_RBRACE => {
                kids.skip(1);
                let test = kids.expr()?;
                kids.skip(1);
                let Value::CaseOptions(options) = kids.next() else { return None };
                expr(ExprKind::Case { test: Box::new(test), options })
            }
            P::case_options__case_option => list_start!(kids, Value::CaseOption, Value::CaseOptions),
            P::case_options__case_options_case_option => list_push!(kids, 0, Value::CaseOption, Value::CaseOptions),
            P::case_option__expressions_COLON_LBRACE_options_statements_RBRACE => {
                let Value::Exprs(values) = kids.next() else { return None };
                kids.skip(2);
                let then_expr = factory::body_block(list_of!(kids, Value::Body)?, kids.between(2, 4));
                Some(Value::CaseOption(Box::new(CaseOption { span, values, then_expr })))
            }
            P::options_statements__nil | P::opt_statements__nil | P::optional_statements__ => Some(Value::Body(Vec::new())),
            P::selector_entries__selector_entry => Some(kids.next()),
            P::selector_entries__SELBRACE_selector_entry_list_endcomma_RBRACE => {
                kids.skip(1);
                Some(kids.next())
            }
            P::selector_entry_list__selector_entry => list_start!(kids, Value::SelectorEntry, Value::SelectorEntries),
            P::selector_entry_list__selector_entry_list_COMMA_selector_entry => list_push!(kids, 1, Value::SelectorEntry, Value::SelectorEntries),
            P::selector_entry__expression_FARROW_expression => {
                let (matching, value) = kids.pair()?;
                Some(Value::SelectorEntry(Box::new(SelectorEntry { span, matching, value })))
            }
            P::collection_expression__expression_collect_query_LBRACE_attribute_operations_endcomma_RBRACE
            | P::collection_expression__expression_collect_query => {
                let type_expr = kids.expr()?;
                let Value::Query(exported, query) = kids.next() else { return None };
                let operations = if production == P::collection_expression__expression_collect_query {
                    Vec::new()
                } else {
                    kids.skip(1);
                    list_of!(kids, Value::Operations)?
                };
                let query_span = kids.span(1)?;
                let kind = ExprKind::Collect { type_expr: Box::new(type_expr), exported, query: query.map(Box::new), query_span, operations };
                expr(kind)
            }
            P::collect_query__LCOLLECT_optional_query_RCOLLECT | P::collect_query__LLCOLLECT_optional_query_RRCOLLECT => {
                kids.skip(1);
                Some(Value::Query(production == P::collect_query__LLCOLLECT_optional_query_RRCOLLECT, kids.opt_expr()?))
            }
            P::optional_query__nil | P::nodeparent__nil | P::opt_return_type__nil | P::classparent__nil => Some(Value::OptExpr(None)),
            P::attribute_operations__ => Some(Value::Operations(Vec::new())),
            P::attribute_operations__attribute_operation => list_start!(kids, Value::Operation, Value::Operations),
            P::attribute_operations__attribute_operations_COMMA_attribute_operation => list_push!(kids, 1, Value::Operation, Value::Operations),
            P::attribute_operation__attribute_name_FARROW_expression | P::attribute_operation__attribute_name_PARROW_expression => {
                let name = kids.token()?;
                kids.skip(1);
                let value = kids.expr()?;
                let append = production == P::attribute_operation__attribute_name_PARROW_expression;
                Some(Value::Operation(Box::new(AttributeOp::Set { span, name: self.text(name.span).to_string(), append, value })))
            }
            P::attribute_operation__TIMES_FARROW_expression => {
                kids.skip(2);
                Some(Value::Operation(Box::new(AttributeOp::Splat { span, expr: kids.expr()? })))
            }
            P::definition_expression__DEFINE_classname_parameter_list_LBRACE_opt_statements_RBRACE => {
                kids.skip(1);
                let name = kids.token()?;
                let parameters = list_of!(kids, Value::Parameters)?;
                kids.skip(1);
                let body = factory::body_block(list_of!(kids, Value::Body)?, kids.between(3, 5));
                let name = factory::classname(&self.namespace, self.text(name.span));
                let definition = NamedDefinition { kind: DefinitionKind::Define, name, parameters, body, parent_class: None, return_type: None };
                Some(Self::definition(span, definition))
            }
            P::hostclass_expression__CLASS_stacked_classname_parameter_list_classparent_LBRACE_opt_statements_RBRACE => {
                kids.skip(1);
                let Value::Name(name) = kids.next() else { return None };
                let parameters = list_of!(kids, Value::Parameters)?;
                let parent_class = match kids.next() {
                    Value::Token(parent) => Some(self.text(parent.span).to_string()),
                    Value::OptExpr(None) => None,
                    _ => return None,
                };
                kids.skip(1);
                let body = factory::body_block(list_of!(kids, Value::Body)?, kids.between(4, 6));
                self.namespace.pop();
                let definition = NamedDefinition { kind: DefinitionKind::Class, name, parameters, body, parent_class, return_type: None };
                Some(Self::definition(span, definition))
            }
            P::stacked_classname__classname => {
                // egrammar.ra's stacked_classname: the names of definitions inside the
                // class's body, reduced before the class itself, are prefixed with it.
                let token = kids.token()?;
                let text = self.text(token.span);
                let name = factory::classname(&self.namespace, text);
                self.namespace.push(text.to_string());
                Some(Value::Name(name))
            }
            P::classname__CLASS | P::classname__STRING => None,
            P::classparent__INHERITS_classnameordefault | P::nodeparent__INHERITS_hostname => {
                kids.skip(1);
                Some(kids.next())
            }
            P::node_definition_expression__NODE_hostnames_endcomma_nodeparent_LBRACE_statements_RBRACE
            | P::node_definition_expression__NODE_hostnames_endcomma_nodeparent_LBRACE_RBRACE => {
                kids.skip(1);
                let Value::Exprs(host_matches) = kids.next() else { return None };
                kids.skip(1);
                let parent = kids.opt_expr()?.map(Box::new);
                let body = if production == P::node_definition_expression__NODE_hostnames_endcomma_nodeparent_LBRACE_statements_RBRACE {
                    kids.skip(1);
                    factory::body_block(list_of!(kids, Value::Body)?, kids.between(4, 6)).map(Box::new)
                } else {
                    None
                };
                expr(ExprKind::Node { host_matches, parent, body })
            }
            P::hostnames__hostname => Some(Value::Exprs(vec![kids.expr()?])),
            P::hostname__dotted_name => expr(ExprKind::LiteralString(self.text(span).to_string())),
            P::dotted_name__name_or_number | P::dotted_name__dotted_name_DOT_name_or_number | P::name_or_number__NAME | P::name_or_number__NUMBER => {
                Some(Value::Empty)
            }
            P::function_definition__FUNCTION_classname_parameter_list_opt_return_type_LBRACE_opt_statements_RBRACE => {
                kids.skip(1);
                let name = kids.token()?;
                let parameters = list_of!(kids, Value::Parameters)?;
                let return_type = kids.opt_expr()?;
                kids.skip(1);
                let body = factory::body_block(list_of!(kids, Value::Body)?, kids.between(4, 6));
                let name = self.text(name.span).to_string();
                let definition = NamedDefinition { kind: DefinitionKind::Function, name, parameters, body, parent_class: None, return_type };
                Some(Self::definition(span, definition))
            }
            P::opt_return_type__RSHIFT_type => {
                kids.skip(1);
                Some(Value::OptExpr(Some(kids.expr()?)))
            }
            P::opt_return_type__RSHIFT_type_LBRACK_access_args_RBRACK => {
                kids.skip(1);
                let left = kids.expr()?;
                kids.skip(1);
                let keys = factory::merge_unfolded(list_of!(kids, Value::Arguments)?);
                Some(Value::OptExpr(Some(Expr::new(kids.between(1, 4), ExprKind::Access { left: Box::new(left), keys }))))
            }
            P::parameter_list__nil => Some(Value::Parameters(Vec::new())),
            P::parameters__parameter => list_start!(kids, Value::Parameter, Value::Parameters),
            P::parameters__parameters_COMMA_parameter => list_push!(kids, 1, Value::Parameter, Value::Parameters),
            P::regular_parameter__VARIABLE_EQUALS_expression | P::regular_parameter__VARIABLE => {
                let variable = kids.token()?;
                let value = if production == P::regular_parameter__VARIABLE { None } else {
                    kids.skip(1);
                    Some(kids.expr()?)
                };
                let name = self.text(variable.span).trim_start_matches('$').to_string();
                Some(Value::Parameter(Box::new(Parameter { span: variable.span, name, type_expr: None, value, captures_rest: false })))
            }
            P::splat_parameter__TIMES_regular_parameter => {
                kids.skip(1);
                let Value::Parameter(mut parameter) = kids.next() else { return None };
                parameter.captures_rest = true;
                Some(Value::Parameter(parameter))
            }
            P::typed_parameter__parameter_type_untyped_parameter => {
                let type_expr = kids.expr()?;
                let Value::Parameter(mut parameter) = kids.next() else { return None };
                parameter.type_expr = Some(type_expr);
                Some(Value::Parameter(parameter))
            }
            P::type_alias__type_alias_lhs_EQUALS_type_hash => {
                let lhs = kids.expr()?;
                kids.skip(1);
                let parent = kids.expr()?;
                let hash = kids.expr()?;
                Some(Value::Expr(factory::type_assignment(lhs, factory::type_alias_with_body(parent, hash), span)))
            }
            P::type_alias__type_alias_lhs_EQUALS_type_LBRACK_access_args_endcomma_RBRACK => {
                let lhs = kids.expr()?;
                kids.skip(1);
                let left = kids.expr()?;
                kids.skip(1);
                let keys = factory::merge_unfolded(list_of!(kids, Value::Arguments)?);
                let rhs = Expr::new(kids.between(2, 6), ExprKind::Access { left: Box::new(left), keys });
                Some(Value::Expr(factory::type_assignment(lhs, rhs, span)))
            }
            P::type_alias__type_alias_lhs_EQUALS_type | P::type_alias__type_alias_lhs_EQUALS_hash | P::type_alias__type_alias_lhs_EQUALS_array => {
                let lhs = kids.expr()?;
                kids.skip(1);
                let rhs = kids.expr()?;
                Some(Value::Expr(factory::type_assignment(lhs, rhs, span)))
            }
            P::type_alias_lhs__TYPE_parameter_type => {
                kids.skip(1);
                Some(kids.next())
            }
            P::type_definition__TYPE_CLASSREF_LBRACE_optional_statements_RBRACE
            | P::type_definition__TYPE_CLASSREF_INHERITS_CLASSREF_LBRACE_optional_statements_RBRACE => {
                kids.skip(1);
                let name = self.text(kids.token()?.span).to_string();
                let (parent, braces) = if production == P::type_definition__TYPE_CLASSREF_LBRACE_optional_statements_RBRACE {
                    (None, kids.between(2, 4))
                } else {
                    kids.skip(1);
                    (Some(self.text(kids.token()?.span).to_string()), kids.between(4, 6))
                };
                kids.skip(1);
                let body = factory::body_block(list_of!(kids, Value::Body)?, braces).map(Box::new);
                expr(ExprKind::TypeDefinition { name, parent, body })
            }
            P::array__LISTSTART_collection_entries_endcomma_RBRACK | P::array__LBRACK_collection_entries_endcomma_RBRACK => {
                kids.skip(1);
                expr(ExprKind::LiteralList(factory::merge_unfolded(list_of!(kids, Value::Arguments)?)))
            }
            P::array__LISTSTART_RBRACK | P::array__LBRACK_RBRACK => expr(ExprKind::LiteralList(Vec::new())),
            P::hash__LBRACE_hashpairs_RBRACE | P::hash__LBRACE_hashpairs_COMMA_RBRACE => {
                kids.skip(1);
                let Value::Entries(entries) = kids.next() else { return None };
                expr(ExprKind::LiteralHash(entries))
            }
            P::hash__LBRACE_RBRACE => expr(ExprKind::LiteralHash(Vec::new())),
            P::hashpairs__hashpair => list_start!(kids, Value::Entry, Value::Entries),
            P::hashpairs__hashpairs_COMMA_hashpair => list_push!(kids, 1, Value::Entry, Value::Entries),
            P::hashpair__hash_entry_FARROW_hash_entry => {
                let (key, value) = kids.pair()?;
                Some(Value::Entry(Box::new(KeyedEntry { span, key, value })))
            }
            P::collection_entry__collection_entry_keyword => {
                let token = kids.token()?;
                Some(Value::Argument(Expr::new(span, ExprKind::LiteralString(self.text(token.span).to_string())), false))
            }
            P::hash_entry__collection_entry_keyword => Some(self.literal(kids.token()?, ExprKind::LiteralString)),
            P::string__STRING => Some(Value::Expr(self.string(kids.token()?)?)),
            P::string__WORD => Some(self.literal(kids.token()?, ExprKind::LiteralString)),
            P::dq_string__dqpre_dqrval => {
                let first = kids.token()?;
                let Value::Pieces(rest) = kids.next() else { return None };
                Some(Value::Expr(self.concatenated(span, first, rest)?))
            }
            P::dqrval__text_expression_dqtail => {
                let interpolation = kids.expr()?;
                let Value::Pieces(mut pieces) = kids.next() else { return None };
                pieces.push(Piece::Interpolation(interpolation));
                Some(Value::Pieces(pieces))
            }
            P::dqtail__dqpost => Some(Value::Pieces(vec![Piece::Text(kids.token()?)])),
            P::dqtail__dqmid_dqrval => {
                let middle = kids.token()?;
                let Value::Pieces(mut pieces) = kids.next() else { return None };
                pieces.push(Piece::Text(middle));
                Some(Value::Pieces(pieces))
            }
            P::epp_expression__EPP_START_epp_parameters_list_optional_statements => {
                kids.skip(1);
                let parameters = match kids.next() {
                    Value::Parameters(parameters) => Some(parameters),
                    Value::Empty => None,
                    _ => return None,
                };
                Some(Value::Template(parameters, list_of!(kids, Value::Body)?))
            }
            P::epp_parameters_list__PIPE_PIPE => Some(Value::Parameters(Vec::new())),
            P::epp_render_expression__RENDER_STRING => {
                let token = kids.token()?;
                let (start, end) = (token.span.start as usize, token.span.end as usize);
                let text = crate::lower::epp_text(&self.source[start..end], self.source[..start].ends_with("-%>"), self.source[end..].starts_with("<%-"));
                expr(ExprKind::RenderString(text))
            }
            P::epp_render_expression__RENDER_EXPR_expression_epp_end => {
                kids.skip(1);
                expr(ExprKind::Render(Box::new(kids.expr()?)))
            }
            P::epp_render_expression__RENDER_EXPR_LBRACE_statements_RBRACE_epp_end => {
                kids.skip(2);
                let braces = kids.between(1, 3);
                let inner = factory::block_or_expression(list_of!(kids, Value::Body)?, Some(braces)).unwrap_or_else(|| Expr::new(braces, ExprKind::Nop));
                expr(ExprKind::Render(Box::new(inner)))
            }
            P::heredoc__HEREDOC_sublocated_text => {
                let spec = kids.token()?;
                let text = kids.expr()?;
                let syntax = self.heredoc.take()?.spec.syntax;
                Some(Value::Expr(Expr::new(spec.span, ExprKind::Heredoc { syntax, text: Box::new(text) })))
            }
            P::sublocated_text__SUBLOCATE_string | P::sublocated_text__SUBLOCATE_dq_string => {
                kids.skip(1);
                Some(kids.next())
            }
            P::plan_expression__PLAN_stacked_classname_parameter_list_LBRACE_opt_statements_RBRACE
            | P::apply_expression__APPLY_LPAREN_arguments_endcomma_RPAREN_LBRACE_statements_RBRACE
            | P::apply_expression__APPLY_LPAREN_arguments_endcomma_RPAREN_LBRACE_RBRACE => None,
            P::endcomma__ | P::endsemi__ | P::nil__ => Some(Value::Empty),
            // The other productions of one symbol pass its value on.
            _ if kids.slots.len() == 1 => Some(Value::PassThrough),
            _ => Some(Value::Empty),
        }
    }
}
