//! The tree rewrites Puppet's parser does while it builds its model
//! (`model/factory.rb`, `parser/egrammar.ra`), independent of the CST: statement calls
//! without parentheses, blocks of one statement, unfolded hash arguments, names in
//! interpolation, resources without a title, and nested class names.

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Functions that can be called without parentheses as statements (`include a, b`).
const STATEMENT_CALLS: &[&str] = &[
    "require", "realize", "include", "contain", "tag", "debug", "info", "notice", "warning", "err", "fail", "import",
    "break", "next", "return",
];

pub fn is_statement_call(name: &str) -> bool {
    STATEMENT_CALLS.contains(&name)
}

/// One syntactic statement: an expression, or `a, b, c` (the arguments of a statement
/// call without parentheses), with the span of its first comma.
pub enum Statement {
    Expr(Expr),
    List(Vec<Expr>, Span),
}

/// Puppet's `transform_calls`: a statement-call name followed by an expression or a list
/// becomes a call of that function (`fail "x"`, `include a, b`).
pub fn transform_calls(statements: Vec<Statement>) -> Result<Vec<Expr>, Diagnostic> {
    let mut memo: Vec<Expr> = Vec::with_capacity(statements.len());
    for statement in statements {
        let name_is_call = memo
            .last()
            .is_some_and(|last| matches!(&last.kind, ExprKind::QualifiedName(name) if is_statement_call(name)));
        if name_is_call {
            let name = memo.pop().expect("checked above");
            let arguments = match statement {
                Statement::Expr(expr) => vec![expr],
                Statement::List(list, _) => list,
            };
            let span = name.span.to(arguments.last().map_or(name.span, |last| last.span));
            let call = Call { kind: CallKind::Named, rval_required: false, functor: name, arguments, lambda: None };
            memo.push(Expr::new(span, ExprKind::Call(Box::new(call))));
            continue;
        }
        match statement {
            Statement::List(_, comma) => {
                let message = match memo.last().map(|last| &last.kind) {
                    Some(ExprKind::QualifiedName(name)) => {
                        format!("attempt to pass argument list to the function '{name}' which cannot be called without parentheses")
                    }
                    _ => "illegal comma separated argument list".to_string(),
                };
                return Err(Diagnostic::error("SYNTAX_ERROR", message, comma));
            }
            Statement::Expr(mut expr) => {
                if let ExprKind::Call(call) = &mut expr.kind {
                    if call.kind == CallKind::Named {
                        call.rval_required = false;
                    }
                }
                memo.push(expr);
            }
        }
    }
    Ok(memo)
}

/// Puppet's `block_or_expression`: one statement is itself, several are a block, none
/// is nothing.
pub fn block_or_expression(mut statements: Vec<Expr>, span: Option<Span>) -> Option<Expr> {
    match statements.len() {
        0 => None,
        1 => statements.pop(),
        _ => {
            let span = span.unwrap_or_else(|| statements[0].span.to(statements[statements.len() - 1].span));
            Some(Expr::new(span, ExprKind::Block(statements)))
        }
    }
}

/// Puppet's `f_build_body` for a statement list: a block, even of one statement; `None`
/// when there are no statements.
pub fn body_block(statements: Vec<Expr>, span: Span) -> Option<Expr> {
    if statements.is_empty() {
        return None;
    }
    Some(Expr::new(span, ExprKind::Block(statements)))
}

/// Puppet's `ARGUMENTS`: adjacent `key => value` arguments (unfolded hashes) merge into
/// one hash. `unfolded` marks which arguments were written as bare `key => value`.
pub fn merge_unfolded(arguments: Vec<(Expr, bool)>) -> Vec<Expr> {
    let mut out: Vec<Expr> = Vec::with_capacity(arguments.len());
    let mut last_unfolded = false;
    for (argument, unfolded) in arguments {
        if unfolded && last_unfolded {
            if let (Some(last), ExprKind::LiteralHash(entries)) = (out.last_mut(), argument.kind.clone()) {
                if let ExprKind::LiteralHash(existing) = &mut last.kind {
                    existing.extend(entries);
                    continue;
                }
            }
        }
        last_unfolded = unfolded;
        out.push(argument);
    }
    out
}

/// Puppet's `interpolate` of the expression in `${...}`: a name or a decimal number at
/// the start of an access, a `.` or a method call is a variable (`${x[1]}`, `${x.y}`).
pub fn interpolate(expr: Expr) -> Expr {
    match expr.kind {
        ExprKind::QualifiedName(_) | ExprKind::LiteralInteger { .. } => to_variable(expr),
        _ => interpolate_inner(expr),
    }
}

fn interpolate_inner(mut expr: Expr) -> Expr {
    crate::stack::guarded(|| {
        match &mut expr.kind {
            ExprKind::Access { left, .. } | ExprKind::NamedAccess { left, .. } => rewrite_in_place(left),
            ExprKind::Call(call) if call.kind == CallKind::Method => rewrite_in_place(&mut call.functor),
            _ => {}
        }
        expr
    })
}

fn rewrite_in_place(target: &mut Expr) {
    if !is_interpolation_rewriteable(target) {
        return;
    }
    let taken = std::mem::replace(target, Expr::new(target.span, ExprKind::Nop));
    *target = match taken.kind {
        ExprKind::QualifiedName(_) | ExprKind::LiteralInteger { .. } => to_variable(taken),
        _ => interpolate_inner(taken),
    };
}

fn is_interpolation_rewriteable(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Access { .. } | ExprKind::QualifiedName(_) | ExprKind::NamedAccess { .. } => true,
        ExprKind::Call(call) => call.kind == CallKind::Method,
        ExprKind::LiteralInteger { radix, .. } => *radix == 10,
        _ => false,
    }
}

/// A name (or number) used as a variable: `$name`.
pub fn to_variable(expr: Expr) -> Expr {
    let span = expr.span;
    let name = match &expr.kind {
        ExprKind::QualifiedName(name) => name.clone(),
        ExprKind::LiteralInteger { value, .. } => value.to_string(),
        _ => return expr,
    };
    Expr::new(span, ExprKind::Variable(Expr::boxed(span, ExprKind::QualifiedName(name))))
}

/// A variable of the given name (without `$`).
pub fn variable(name: &str, span: Span, name_span: Span) -> Expr {
    Expr::new(span, ExprKind::Variable(Expr::boxed(name_span, ExprKind::QualifiedName(name.to_string()))))
}

/// The resource-like shape of `LEFT { attribute_operations }` (Puppet's `resource_shape`).
pub enum ResourceShape {
    /// `name { ... }`: a resource, or a name followed by a hash.
    Resource,
    /// `Name { ... }`: resource defaults.
    Defaults,
    /// `Name[title] { ... }`: resource override.
    Override,
    Error,
}

pub fn resource_shape(left: &Expr) -> ResourceShape {
    match &left.kind {
        ExprKind::QualifiedName(_) => ResourceShape::Resource,
        ExprKind::QualifiedReference(_) => ResourceShape::Defaults,
        ExprKind::Access { left: inner, keys } => {
            if matches!(&inner.kind, ExprKind::QualifiedReference(name) if name.eq_ignore_ascii_case("resource")) && keys.len() == 1 {
                ResourceShape::Defaults
            } else {
                ResourceShape::Override
            }
        }
        _ => ResourceShape::Error,
    }
}

/// Puppet's `transform_resource_wo_title`: `name { a => 1 }` is the name followed by a
/// hash (a call when the name is a statement function); `None` when an operation is `+>`
/// or a splat (a syntax error in Puppet).
pub fn resource_without_title(left: Expr, operations: Vec<AttributeOp>, braces: Span) -> Option<Expr> {
    if !matches!(left.kind, ExprKind::QualifiedName(_)) {
        return None;
    }
    let mut entries = Vec::with_capacity(operations.len());
    for operation in operations {
        match operation {
            AttributeOp::Set { span, name, append: false, value } => {
                let key = Expr::new(span, ExprKind::LiteralString(name));
                entries.push(KeyedEntry { span, key, value });
            }
            _ => return None,
        }
    }
    let hash = Expr::new(braces, ExprKind::LiteralHash(entries));
    let statements = transform_calls(vec![Statement::Expr(left), Statement::Expr(hash)]).ok()?;
    block_or_expression(statements, None)
}

/// Puppet's `classname`: a definition's name inside classes gets their names as prefix.
pub fn classname(namespace: &[String], name: &str) -> String {
    let joined = if namespace.is_empty() { format!("::{name}") } else { format!("{}::{name}", namespace.join("::")) };
    joined.strip_prefix("::").map(str::to_string).unwrap_or(joined)
}

/// Puppet's `TYPE_ASSIGNMENT` for `type Name = ...`: a type alias, or a type mapping when
/// the left side is an access; `Bar {..}` and `{..}` become `Object[{..}]`.
pub fn type_assignment(lhs: Expr, rhs: Expr, span: Span) -> Expr {
    if let ExprKind::Access { .. } = lhs.kind {
        return Expr::new(span, ExprKind::TypeMapping { type_expr: Box::new(lhs), mapping_expr: Box::new(rhs) });
    }
    let name = match &lhs.kind {
        ExprKind::QualifiedReference(name) => name.clone(),
        _ => String::new(),
    };
    let rhs = match rhs.kind {
        ExprKind::LiteralHash(_) => object_access(rhs),
        _ => rhs,
    };
    Expr::new(span, ExprKind::TypeAlias { name, type_expr: Box::new(rhs) })
}

/// `type Foo = Bar { ... }`: `Object[{parent => Bar, ...}]` (or `Bar[{...}]` for
/// `Object` and `TypeSet`).
pub fn type_alias_with_body(parent: Expr, mut hash: Expr) -> Expr {
    let parent_name = match &parent.kind {
        ExprKind::QualifiedReference(name) => name.clone(),
        _ => String::new(),
    };
    let span = parent.span.to(hash.span);
    if parent_name == "Object" || parent_name == "TypeSet" {
        return Expr::new(span, ExprKind::Access { left: Box::new(parent), keys: vec![hash] });
    }
    if let ExprKind::LiteralHash(entries) = &mut hash.kind {
        let key = Expr::new(parent.span, ExprKind::QualifiedName("parent".into()));
        entries.push(KeyedEntry { span: parent.span, key, value: parent.clone() });
    }
    let object = Expr::new(parent.span, ExprKind::QualifiedReference("Object".into()));
    Expr::new(span, ExprKind::Access { left: Box::new(object), keys: vec![hash] })
}

fn object_access(hash: Expr) -> Expr {
    let span = hash.span;
    let object = Expr::new(Span { end: span.start, ..span }, ExprKind::QualifiedReference("Object".into()));
    Expr::new(span, ExprKind::Access { left: Box::new(object), keys: vec![hash] })
}
