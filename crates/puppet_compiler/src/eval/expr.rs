//! Evaluation of expressions (`EvaluatorImpl#eval_*`): literals, variables, strings,
//! operators, conditionals, and the dispatch to calls and catalog expressions.

use std::rc::Rc;

use puppet_syntax::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use puppet_syntax::Span;

use super::ops::{self, a_an_value};
use super::{plain, Compiler, Ephemeral, Flow, ScopeId, R};
use crate::types::{self, PType};
use crate::value::{Map, Value};

pub const MAX_DEPTH: usize = 2_000;

/// Where Puppet positions an expression: binary expressions at their operator.
pub fn position(expr: &Expr) -> Span {
    match &expr.kind {
        ExprKind::Binary { op_span, .. } => *op_span,
        _ => expr.span,
    }
}

/// Strips parentheses (`unwind_parentheses`).
pub fn unwind(expr: &Expr) -> &Expr {
    let mut current = expr;
    while let ExprKind::Unary { op: UnaryOp::Paren, expr } = &current.kind {
        current = expr;
    }
    current
}

impl Compiler<'_> {
    /// Evaluates an expression (`EvaluatorImpl#evaluate`): plain errors raised inside are
    /// reported at this expression.
    pub fn eval(&mut self, expr: &Expr, scope: ScopeId) -> R<Value> {
        let result = stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, || self.eval_inner(expr, scope));
        match result {
            Ok(value) => Ok(value),
            Err(Flow::Error(error)) if error.class == super::ErrorClass::Plain => {
                Err(self.wrap_error(Flow::Error(error), &puppet_syntax::checker::label(expr), position(expr)))
            }
            Err(other) => Err(other),
        }
    }

    fn eval_inner(&mut self, expr: &Expr, scope: ScopeId) -> R<Value> {
        self.step(expr.span)?;
        match &expr.kind {
            ExprKind::Nop => Ok(Value::Undef),
            ExprKind::LiteralString(s) => Ok(Value::from(s.as_str())),
            ExprKind::LiteralInteger { value, .. } => match i64::try_from(*value) {
                Ok(i) => Ok(Value::Integer(i)),
                Err(_) => Err(plain(format!("Use of a Ruby Integer outside of Puppet Integer max range, got '{value:#x}'"))),
            },
            ExprKind::LiteralFloat(f) => Ok(Value::Float(*f)),
            ExprKind::LiteralBoolean(b) => Ok(Value::Boolean(*b)),
            ExprKind::LiteralUndef => Ok(Value::Undef),
            ExprKind::LiteralDefault => Ok(Value::Default),
            ExprKind::LiteralRegex(source) => self.regex_value(source, expr.span),
            ExprKind::QualifiedName(name) => Ok(Value::from(name.as_str())),
            ExprKind::QualifiedReference(name) => {
                let t = self.resolve_type_name(name, expr.span)?;
                if matches!(t, PType::TypeReference(_)) && !self.lenient_types {
                    return Err(self.fail("UNKNOWN_RESOURCE_TYPE", format!("Resource type not found: {}", type_reference_string(&t)), expr.span));
                }
                Ok(Value::type_value(t))
            }
            ExprKind::ReservedWord { word, future } => {
                if *future {
                    Ok(Value::from(word.as_str()))
                } else {
                    Err(self.fail("RESERVED_WORD", format!("Use of reserved word: {word}, must be quoted if intended to be a String value"), expr.span))
                }
            }
            ExprKind::Variable(name_expr) => {
                let name = match &name_expr.kind {
                    ExprKind::QualifiedName(name) => name.clone(),
                    ExprKind::LiteralInteger { value, .. } => value.to_string(),
                    _ => return Err(self.fail("ILLEGAL_VARIABLE_EXPRESSION", "Illegal variable expression", name_expr.span)),
                };
                self.variable_value(&name, scope, expr.span)
            }
            ExprKind::ConcatenatedString(segments) => {
                let mut out = String::new();
                for segment in segments {
                    match &segment.kind {
                        ExprKind::LiteralString(text) => out.push_str(text),
                        _ => {
                            let value = self.eval(segment, scope)?;
                            value.write_puppet_string(&mut out);
                        }
                    }
                }
                Ok(Value::from(out))
            }
            ExprKind::Text(inner) => {
                let value = match &inner.kind {
                    ExprKind::QualifiedName(name) => self.variable_value(name, scope, expr.span)?,
                    _ => self.eval(inner, scope)?,
                };
                Ok(Value::from(value.to_puppet_string()))
            }
            ExprKind::Heredoc { syntax, text } => {
                let value = self.eval(text, scope)?;
                if syntax == "json" || syntax.ends_with("+json") {
                    if let Value::String(s) = &value {
                        if let Err(error) = serde_json::from_str::<serde_json::Value>(s) {
                            // Reported as Puppet's syntax checker reports it (no "Evaluation Error").
                            return Err(Flow::Error(Box::new(super::EvalError {
                                detail: format!(
                                    "Invalid produced text having syntax: '{syntax}'. JSON syntax checker: Cannot parse invalid JSON string. \"{error}\""
                                ),
                                location: self.loc(text.span),
                                class: super::ErrorClass::Preformatted,
                                issue_code: Some("ILLEGAL_JSON"),
                                unsupported: None,
                            })));
                        }
                    }
                }
                Ok(value)
            }
            ExprKind::LiteralList(values) => Ok(Value::array(self.unfold(values, scope)?)),
            ExprKind::LiteralHash(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for entry in entries {
                    let key = self.eval(&entry.key, scope)?;
                    let value = self.eval(&entry.value, scope)?;
                    map.insert(key, value);
                }
                Ok(Value::hash(map))
            }
            ExprKind::Access { left, keys } => self.eval_access(expr, left, keys, scope),
            ExprKind::NamedAccess { .. } => {
                Err(self.fail("ILLEGAL_EXPRESSION", "Illegal expression. A '.' expression is unacceptable here", expr.span))
            }
            ExprKind::Unary { op, expr: inner } => match op {
                UnaryOp::Paren => self.eval(inner, scope),
                UnaryOp::Not => Ok(Value::Boolean(!self.eval(inner, scope)?.is_true())),
                UnaryOp::Minus => {
                    let value = self.eval(inner, scope)?;
                    match self.coerce_numeric(&value, expr.span)? {
                        Value::Integer(i) => match i.checked_neg() {
                            Some(n) => Ok(Value::Integer(n)),
                            None => Err(plain(format!("Use of a Ruby Integer outside of Puppet Integer max range, got '{:#x}'", -(i as i128)))),
                        },
                        Value::Float(f) => Ok(Value::Float(-f)),
                        other => Ok(other),
                    }
                }
                UnaryOp::Unfold => {
                    let value = self.eval(inner, scope)?;
                    Ok(Value::array(unfold_value(value)))
                }
            },
            ExprKind::Binary { op, op_span, left, right } => self.eval_binary(expr, *op, *op_span, left, right, scope),
            ExprKind::Selector { left, entries } => self.guarded(scope, |this| {
                let test = this.eval(left, scope)?;
                let mut default = None;
                for entry in entries {
                    let matching = unwind(&entry.matching);
                    match &matching.kind {
                        ExprKind::LiteralDefault => default = Some(&entry.value),
                        ExprKind::Unary { op: UnaryOp::Unfold, .. } => {
                            let options = this.eval(matching, scope)?;
                            for option in options.as_array().unwrap_or(&[]).to_vec() {
                                if this.is_match(&test, &option, scope) {
                                    return this.eval(&entry.value, scope);
                                }
                            }
                        }
                        _ => {
                            let option = this.eval(matching, scope)?;
                            if this.is_match(&test, &option, scope) {
                                return this.eval(&entry.value, scope);
                            }
                        }
                    }
                }
                match default {
                    Some(value) => this.eval(value, scope),
                    None => Err(this.fail(
                        "UNMATCHED_SELECTOR",
                        format!("No matching entry for selector parameter with value '{}'", test.ruby_to_s()),
                        left.span,
                    )),
                }
            }),
            ExprKind::Block(statements) => {
                let mut last = Value::Undef;
                for statement in statements {
                    last = self.eval(statement, scope)?;
                }
                Ok(last)
            }
            ExprKind::If { test, then_expr, else_expr } => self.guarded(scope, |this| {
                if this.eval(test, scope)?.is_true() {
                    this.eval_optional(then_expr.as_deref(), scope)
                } else {
                    this.eval_optional(else_expr.as_deref(), scope)
                }
            }),
            ExprKind::Unless { test, then_expr, else_expr } => self.guarded(scope, |this| {
                if !this.eval(test, scope)?.is_true() {
                    this.eval_optional(then_expr.as_deref(), scope)
                } else {
                    this.eval_optional(else_expr.as_deref(), scope)
                }
            }),
            ExprKind::Case { test, options } => self.guarded(scope, |this| {
                let test = this.eval(test, scope)?;
                let mut default = None;
                for option in options {
                    for value in &option.values {
                        let value = unwind(value);
                        match &value.kind {
                            ExprKind::LiteralDefault => {
                                default = Some(option);
                                continue;
                            }
                            ExprKind::Unary { op: UnaryOp::Unfold, .. } => {
                                let candidates = this.eval(value, scope)?;
                                for candidate in candidates.as_array().unwrap_or(&[]).to_vec() {
                                    if this.is_match(&test, &candidate, scope) {
                                        return this.eval_optional(option.then_expr.as_ref(), scope);
                                    }
                                }
                            }
                            _ => {
                                let candidate = this.eval(value, scope)?;
                                if this.is_match(&test, &candidate, scope) {
                                    return this.eval_optional(option.then_expr.as_ref(), scope);
                                }
                            }
                        }
                    }
                }
                match default {
                    Some(option) => this.eval_optional(option.then_expr.as_ref(), scope),
                    None => Ok(Value::Undef),
                }
            }),
            ExprKind::Call(call) => self.eval_call(expr, call, scope),
            ExprKind::Lambda(_) => Ok(Value::Undef),
            ExprKind::Resource { form, type_name, bodies } => self.eval_resource(expr, *form, type_name, bodies, scope),
            ExprKind::ResourceDefaults { type_ref, operations, .. } => self.eval_resource_defaults(expr, type_ref, operations, scope),
            ExprKind::ResourceOverride { resources, operations, .. } => self.eval_resource_override(expr, resources, operations, scope),
            ExprKind::Collect { type_expr, exported, query, operations, .. } => {
                self.eval_collect(expr, type_expr, *exported, query.as_deref(), operations, scope)
            }
            ExprKind::Definition(_) | ExprKind::Node { .. } | ExprKind::TypeAlias { .. } | ExprKind::TypeMapping { .. } | ExprKind::TypeDefinition { .. } => {
                Ok(Value::Undef)
            }
            ExprKind::Apply { .. } => Err(self.unsupported("apply blocks", expr.span)),
            ExprKind::Epp { body, .. } => self.eval_epp_body(body.as_deref(), scope),
            ExprKind::RenderString(text) => {
                if let Some(buffer) = self.epp_buffers.last_mut() {
                    buffer.push(Value::from(text.as_str()));
                }
                Ok(Value::Undef)
            }
            ExprKind::Render(inner) => {
                let value = self.eval(inner, scope)?;
                let rendered = match value {
                    Value::Sensitive(_) => value,
                    other => Value::from(other.to_puppet_string()),
                };
                if let Some(buffer) = self.epp_buffers.last_mut() {
                    buffer.push(rendered);
                }
                Ok(Value::Undef)
            }
        }
    }

    pub fn eval_optional(&mut self, expr: Option<&Expr>, scope: ScopeId) -> R<Value> {
        match expr {
            Some(expr) => self.eval(expr, scope),
            None => Ok(Value::Undef),
        }
    }

    /// `unfold`: evaluates arguments, splicing `*x` in place.
    pub fn unfold(&mut self, exprs: &[Expr], scope: ScopeId) -> R<Vec<Value>> {
        let mut values = Vec::with_capacity(exprs.len());
        for expr in exprs {
            let inner = unwind(expr);
            if let ExprKind::Unary { op: UnaryOp::Unfold, .. } = inner.kind {
                let value = self.eval(inner, scope)?;
                if let Value::Array(items) = value {
                    values.extend(items.iter().cloned());
                }
            } else {
                values.push(self.eval(expr, scope)?);
            }
        }
        Ok(values)
    }

    /// A case or selector option match (`CompareOperator#match` with a scope): a
    /// matching regular expression sets `$0..$n`.
    pub fn is_match(&mut self, test: &Value, option: &Value, scope: ScopeId) -> bool {
        let (matched, captures) = ops::matches(test, option);
        if let Some(captures) = captures {
            self.push_ephemeral(scope, Ephemeral::Match(Some(captures)));
        }
        matched
    }

    pub fn regex_value(&mut self, source: &str, span: Span) -> R<Value> {
        match self.regex(source) {
            Ok(regex) => Ok(Value::Regexp(regex)),
            Err(message) => Err(self.fail("RUNTIME_ERROR", message, span)),
        }
    }

    /// A compiled regular expression (`Regex::new` keeps what it compiled).
    pub fn regex(&mut self, source: &str) -> Result<crate::regex::Regex, String> {
        crate::regex::Regex::new(source)
    }

    /// `get_variable_value`: an unknown variable is undef with a warning, or an error
    /// under `strict_variables`.
    pub fn variable_value(&mut self, name: &str, scope: ScopeId, span: Span) -> R<Value> {
        if let Some(value) = self.lookup_variable(scope, name)? {
            return Ok(value);
        }
        let strict_error = self.settings.strict_variables || self.settings.strict == super::Strict::Error;
        if strict_error {
            return Err(self.fail("UNKNOWN_VARIABLE", format!("Unknown variable: '{name}'."), span));
        }
        if self.settings.strict == super::Strict::Warning {
            let location = self.loc(span).suffix();
            self.warn(format!("Unknown variable: '{name}'.{location}"));
        }
        Ok(Value::Undef)
    }

    /// `coerce_numeric`: numbers, and numeric strings with a warning (an error under
    /// strict mode).
    pub fn coerce_numeric(&mut self, value: &Value, span: Span) -> R<Value> {
        match value {
            Value::Integer(_) | Value::Float(_) | Value::Timespan(_) | Value::Timestamp(_) => Ok(value.clone()),
            Value::String(s) => match ops::string_to_number(s) {
                Some(number) => {
                    let message = format!("The string '{s}' was automatically coerced to the numerical value {}", number.to_puppet_string());
                    match self.settings.strict {
                        super::Strict::Error => Err(self.fail("NUMERIC_COERCION", message, span)),
                        super::Strict::Warning => {
                            self.warn(message);
                            Ok(number)
                        }
                        super::Strict::Off => Ok(number),
                    }
                }
                None => Err(self.fail("NOT_NUMERIC", format!("The value '{s}' cannot be converted to Numeric."), span)),
            },
            other => Err(self.fail("NOT_NUMERIC", format!("The value '{}' cannot be converted to Numeric.", other.ruby_to_s()), span)),
        }
    }

    fn eval_binary(&mut self, expr: &Expr, op: BinaryOp, op_span: Span, left: &Expr, right: &Expr, scope: ScopeId) -> R<Value> {
        match op {
            BinaryOp::Assign => self.eval_assignment(expr, op_span, left, right, scope),
            BinaryOp::AddAssign | BinaryOp::SubAssign => {
                Err(self.fail("UNSUPPORTED_OPERATOR", format!("The operator '{}' is not supported.", op.as_str()), op_span))
            }
            BinaryOp::And => {
                if self.eval(left, scope)?.is_true() {
                    Ok(Value::Boolean(self.eval(right, scope)?.is_true()))
                } else {
                    Ok(Value::Boolean(false))
                }
            }
            BinaryOp::Or => {
                if self.eval(left, scope)?.is_true() {
                    Ok(Value::Boolean(true))
                } else {
                    Ok(Value::Boolean(self.eval(right, scope)?.is_true()))
                }
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod | BinaryOp::Shl | BinaryOp::Shr => {
                let l = self.eval(left, scope)?;
                let r = self.eval(right, scope)?;
                self.arithmetic(op, op_span, &l, &r, left, right)
            }
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let l = self.eval(left, scope)?;
                let r = self.eval(right, scope)?;
                self.comparison(op, op_span, &l, &r)
            }
            BinaryOp::Match | BinaryOp::NotMatch => {
                let l = self.eval(left, scope)?;
                let pattern = self.eval(right, scope)?;
                let positive = op == BinaryOp::Match;
                let regex = match &pattern {
                    Value::Type(t) => return Ok(Value::Boolean(types::instance_of(t, &l) == positive)),
                    Value::SemVerRange(range) => return Ok(Value::Boolean(ops::semver_range_includes(range, &l) == positive)),
                    Value::Regexp(regex) => regex.clone(),
                    Value::String(source) => match self.regex(source) {
                        Ok(regex) => regex,
                        Err(detail) => {
                            return Err(self.fail(
                                "MATCH_NOT_REGEXP",
                                format!("Can not convert right match operand to a regular expression. Caused by '{detail}'."),
                                position(right),
                            ))
                        }
                    },
                    other => {
                        return Err(self.fail(
                            "MATCH_NOT_REGEXP",
                            format!("Can not convert right match operand to a regular expression. Caused by 'no implicit conversion of {} into String'.", ruby_class(other)),
                            position(right),
                        ))
                    }
                };
                let Value::String(text) = &l else {
                    return Err(self.fail("MATCH_NOT_STRING", format!("Left match operand must result in a String value. Got {}.", a_an_value(&l)), position(left)));
                };
                match regex.captures(text) {
                    Some(captures) => {
                        self.push_ephemeral(scope, Ephemeral::Match(Some(Rc::new(captures))));
                        Ok(Value::Boolean(positive))
                    }
                    None => Ok(Value::Boolean(!positive)),
                }
            }
            BinaryOp::In => {
                let l = self.eval(left, scope)?;
                let r = self.eval(right, scope)?;
                let (found, captures) = ops::includes(&r, &l);
                if let Some(captures) = captures {
                    self.push_ephemeral(scope, Ephemeral::Match(Some(captures)));
                }
                Ok(Value::Boolean(found))
            }
            BinaryOp::InEdge | BinaryOp::InEdgeSub | BinaryOp::OutEdge | BinaryOp::OutEdgeSub => {
                let l = self.eval(left, scope)?;
                let r = self.eval(right, scope)?;
                self.eval_relationship(op, op_span, l, r, scope)
            }
        }
    }

    fn eval_assignment(&mut self, expr: &Expr, op_span: Span, left: &Expr, right: &Expr, scope: ScopeId) -> R<Value> {
        let value = self.eval(right, scope)?;
        match &left.kind {
            ExprKind::Variable(_) => {
                let name = variable_name(left);
                self.assign(&name, value.clone(), left, op_span, scope)?;
            }
            ExprKind::LiteralList(targets) => self.assign_to_list(targets, &value, op_span, right, scope)?,
            _ => return Err(self.fail("ILLEGAL_ASSIGNMENT", "Illegal attempt to assign via [index/key]. Not an assignable reference", position(expr))),
        }
        Ok(value)
    }

    /// `assign_Array`: `[$a, $b] = ...` from an array (nested lists take nested arrays), a
    /// hash (by the variables' names) or a class reference (its variables).
    fn assign_to_list(&mut self, targets: &[Expr], value: &Value, op_span: Span, right: &Expr, scope: ScopeId) -> R<()> {
        let names: Vec<String> = targets.iter().map(variable_name).collect();
        match value {
            Value::Hash(map) => {
                for (index, name) in names.iter().enumerate() {
                    let Some(v) = map.get(&Value::from(name.as_str())).cloned() else {
                        return Err(self.fail("MISSING_MULTI_ASSIGNMENT_KEY", format!("No value for required key '{name}' in assignment to variables from hash"), op_span));
                    };
                    self.assign(name, v, &targets[index], op_span, scope)?;
                }
            }
            Value::Type(t) if matches!(**t, PType::Class(Some(_))) => {
                let PType::Class(Some(class_name)) = &**t else { unreachable!() };
                let title = types::capitalize_segments(class_name);
                if self.find_resource("Class", &title).is_none() {
                    return Err(self.fail("UNKNOWN_RESOURCE", format!("Resource not found: Class['{class_name}']"), right.span));
                }
                for (index, name) in names.iter().enumerate() {
                    let qualified = format!("{}::{name}", class_name.to_lowercase());
                    match self.lookup_variable(scope, &qualified)? {
                        Some(v) => self.assign(name, v, &targets[index], op_span, scope)?,
                        None => {
                            return Err(self.fail(
                                "MISSING_MULTI_ASSIGNMENT_VARIABLE",
                                format!("No value for required variable '${qualified}' in assignment to variables from class reference"),
                                targets[index].span,
                            ))
                        }
                    }
                }
            }
            other => {
                let values = match other {
                    Value::Array(values) => values.to_vec(),
                    single => vec![single.clone()],
                };
                if values.len() != names.len() {
                    return Err(self.fail(
                        "ILLEGAL_MULTI_ASSIGNMENT_SIZE",
                        format!("Mismatched number of assignable entries and values, expected {}, got {}", names.len(), values.len()),
                        op_span,
                    ));
                }
                for (index, name) in names.iter().enumerate() {
                    match &targets[index].kind {
                        ExprKind::LiteralList(inner) => self.assign_to_list(inner, &values[index], op_span, right, scope)?,
                        _ => self.assign(name, values[index].clone(), &targets[index], op_span, scope)?,
                    }
                }
            }
        }
        Ok(())
    }

    fn assign(&mut self, name: &str, value: Value, target: &Expr, op_span: Span, scope: ScopeId) -> R<()> {
        if name.contains("::") {
            return Err(self.fail(
                "CROSS_SCOPE_ASSIGNMENT",
                format!("Illegal attempt to assign to '{name}'. Cannot assign to variables in other namespaces"),
                target.span,
            ));
        }
        if name == "server_facts" {
            return Err(self.fail("ILLEGAL_RESERVED_ASSIGNMENT", format!("Attempt to assign to a reserved variable name: '${name}'"), op_span));
        }
        if self.is_bound(scope, name) {
            if name == "trusted" || name == "facts" {
                return Err(self.fail("ILLEGAL_RESERVED_ASSIGNMENT", format!("Attempt to assign to a reserved variable name: '${name}'"), op_span));
            }
            let message = if matches!(name, "title" | "name" | "module_name" | "caller_module_name") {
                format!("Cannot reassign built in (or already assigned) variable '${name}'")
            } else {
                format!("Cannot reassign variable '${name}'")
            };
            return Err(self.fail("ILLEGAL_REASSIGNMENT", message, op_span));
        }
        self.set_variable(scope, name, value)
    }

    fn arithmetic(&mut self, op: BinaryOp, op_span: Span, l: &Value, r: &Value, left: &Expr, right: &Expr) -> R<Value> {
        let operator = op.as_str();
        if matches!(l, Value::Binary(_)) && op == BinaryOp::Add {
            return ops::concatenate(l, r).map_err(|message| self.wrap_error(plain(message), &format!("'{operator}' expression"), op_span));
        }
        if matches!(l, Value::Array(_) | Value::Hash(_)) && matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Shl) {
            let result = match op {
                BinaryOp::Add => ops::concatenate(l, r),
                BinaryOp::Sub => ops::delete(l, r),
                _ => {
                    let Value::Array(values) = l else {
                        return Err(self.fail("OPERATOR_NOT_APPLICABLE", format!("Operator '<<' is not applicable to {}.", a_an_value(l)), position(left)));
                    };
                    let mut out = values.to_vec();
                    out.push(r.clone());
                    Ok(Value::array(out))
                }
            };
            return result.map_err(|message| self.wrap_error(plain(message), &format!("'{operator}' expression"), op_span));
        }
        let l = self.coerce_numeric(l, position(left))?;
        let r = self.coerce_numeric(r, position(right))?;
        let not_applicable = |this: &Self| this.fail("OPERATOR_NOT_APPLICABLE", format!("Operator '{operator}' is not applicable to {}.", a_an_value(&l)), position(left));
        let result = match (&l, &r) {
            (Value::Integer(a), Value::Integer(b)) => {
                let (a, b) = (*a as i128, *b as i128);
                let value: i128 = match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a.checked_mul(b).unwrap_or(i128::MAX),
                    BinaryOp::Div => match ops::floor_div(a as i64, b as i64) {
                        Some(q) => q as i128,
                        None if b == 0 => return Err(self.fail("DIV_BY_ZERO", "Division by 0", position(right))),
                        None => a / b,
                    },
                    BinaryOp::Mod => match ops::floor_mod(a as i64, b as i64) {
                        Some(m) => m as i128,
                        None if b == 0 => return Err(self.fail("DIV_BY_ZERO", "Division by 0", position(right))),
                        None => 0,
                    },
                    BinaryOp::Shl => shift(a, b),
                    BinaryOp::Shr => shift(a, -b),
                    _ => unreachable!("arithmetic operator"),
                };
                if value < i128::from(i64::MIN) || value > i128::from(i64::MAX) {
                    let shown = if value > 0 { format!("+{value:#x}") } else { format!("-{:#x}", -value) };
                    let range = if value > 0 { "max" } else { "min" };
                    return Err(self.fail(
                        "NUMERIC_OVERFLOW",
                        format!("{} resulted in a value outside of Puppet Integer {range} range, got '{shown}'", capitalized_a_an(&format!("'{operator}' expression"))),
                        op_span,
                    ));
                }
                Value::Integer(value as i64)
            }
            (Value::Integer(_) | Value::Float(_), Value::Integer(_) | Value::Float(_)) => {
                if op == BinaryOp::Mod {
                    if matches!(l, Value::Float(_)) {
                        return Err(not_applicable(self));
                    }
                    return Err(self.fail(
                        "OPERATOR_NOT_APPLICABLE_WHEN",
                        format!("Operator '%' is not applicable to {} when right side is {}.", a_an_value(&l), a_an_value(&r)),
                        position(left),
                    ));
                }
                if matches!(op, BinaryOp::Shl | BinaryOp::Shr) {
                    return Err(not_applicable(self));
                }
                let (a, b) = (ops::as_f64(&l), ops::as_f64(&r));
                let value = match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    BinaryOp::Div => {
                        if b == 0.0 && matches!(r, Value::Integer(_)) && matches!(l, Value::Integer(_)) {
                            return Err(self.fail("DIV_BY_ZERO", "Division by 0", position(right)));
                        }
                        a / b
                    }
                    _ => unreachable!("arithmetic operator"),
                };
                if value.is_infinite() {
                    return Err(self.fail("RESULT_IS_INFINITY", format!("The result of the {operator} expression is Infinity"), position(left)));
                }
                Value::Float(value)
            }
            (Value::Timespan(a), Value::Timespan(b)) => match op {
                BinaryOp::Add => Value::Timespan(a + b),
                BinaryOp::Sub => Value::Timespan(a - b),
                _ => return Err(not_applicable(self)),
            },
            (Value::Timestamp(a), Value::Timespan(b)) => match op {
                BinaryOp::Add => Value::Timestamp(a + b),
                BinaryOp::Sub => Value::Timestamp(a - b),
                _ => return Err(not_applicable(self)),
            },
            (Value::Timestamp(a), Value::Timestamp(b)) if op == BinaryOp::Sub => Value::Timespan(a - b),
            (Value::Timespan(a), Value::Integer(_) | Value::Float(_)) | (Value::Timestamp(a), Value::Integer(_) | Value::Float(_)) => {
                let nanos = (ops::as_f64(&r) * 1e9) as i128;
                let is_span = matches!(l, Value::Timespan(_));
                let make = |n: i128| if is_span { Value::Timespan(n) } else { Value::Timestamp(n) };
                match op {
                    BinaryOp::Add => make(a + nanos),
                    BinaryOp::Sub => make(a - nanos),
                    BinaryOp::Mul if is_span => Value::Timespan((*a as f64 * ops::as_f64(&r)) as i128),
                    BinaryOp::Div if is_span => Value::Timespan((*a as f64 / ops::as_f64(&r)) as i128),
                    _ => return Err(not_applicable(self)),
                }
            }
            _ => return Err(not_applicable(self)),
        };
        Ok(result)
    }

    fn comparison(&mut self, op: BinaryOp, op_span: Span, l: &Value, r: &Value) -> R<Value> {
        if let Value::Type(left_type) = l {
            let right_type = match r {
                Value::Type(t) => Some(&**t),
                _ => None,
            };
            let result = match op {
                BinaryOp::Eq => right_type.is_some_and(|t| &**left_type == t),
                BinaryOp::Ne => !right_type.is_some_and(|t| &**left_type == t),
                BinaryOp::Lt => right_type.is_some_and(|t| types::assignable(t, left_type) && t != &**left_type),
                BinaryOp::Le => right_type.is_some_and(|t| types::assignable(t, left_type)),
                BinaryOp::Gt => right_type.is_some_and(|t| types::assignable(left_type, t) && t != &**left_type),
                BinaryOp::Ge => right_type.is_some_and(|t| types::assignable(left_type, t)),
                _ => unreachable!("comparison operator"),
            };
            return Ok(Value::Boolean(result));
        }
        let result = match op {
            BinaryOp::Eq => ops::equals(l, r),
            BinaryOp::Ne => !ops::equals(l, r),
            _ => {
                let ordering = match ops::compare(l, r) {
                    Ok(ordering) => ordering,
                    Err(detail) => {
                        return Err(self.fail(
                            "COMPARISON_NOT_POSSIBLE",
                            format!("Comparison of: {} {} {}, is not possible. Caused by '{detail}'.", ops::value_label(l), op.as_str(), ops::value_label(r)),
                            op_span,
                        ))
                    }
                };
                match op {
                    BinaryOp::Lt => ordering.is_lt(),
                    BinaryOp::Le => ordering.is_le(),
                    BinaryOp::Gt => ordering.is_gt(),
                    _ => ordering.is_ge(),
                }
            }
        };
        Ok(Value::Boolean(result))
    }

    /// Evaluates a body of an EPP template into its text.
    fn eval_epp_body(&mut self, body: Option<&Expr>, scope: ScopeId) -> R<Value> {
        self.epp_buffers.push(Vec::new());
        let result = self.eval_optional(body, scope);
        let parts = self.epp_buffers.pop().unwrap_or_default();
        result?;
        let mut sensitive = false;
        let mut out = String::new();
        for part in parts {
            match part {
                Value::Sensitive(inner) => {
                    sensitive = true;
                    out.push_str(&inner.to_puppet_string());
                }
                other => other.write_puppet_string(&mut out),
            }
        }
        if sensitive {
            Ok(Value::Sensitive(Rc::new(Value::from(out))))
        } else {
            Ok(Value::from(out))
        }
    }
}

fn shift(a: i128, b: i128) -> i128 {
    if b >= 0 {
        if b >= 127 {
            if a == 0 {
                0
            } else {
                i128::MAX
            }
        } else {
            a.checked_shl(b as u32).unwrap_or(i128::MAX)
        }
    } else {
        let b = (-b).min(127);
        a >> b
    }
}

fn capitalized_a_an(word: &str) -> String {
    let phrase = types::a_an(word);
    let mut chars = phrase.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => phrase,
    }
}

/// The variable name of a `$x` expression.
pub fn variable_name(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Variable(inner) => match &inner.kind {
            ExprKind::QualifiedName(name) => name.clone(),
            ExprKind::LiteralInteger { value, .. } => value.to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// `eval_UnfoldExpression`.
pub fn unfold_value(value: Value) -> Vec<Value> {
    match value {
        Value::Undef => Vec::new(),
        Value::Array(values) => values.to_vec(),
        Value::Hash(map) => map.iter().map(|(k, v)| Value::array(vec![k.clone(), v.clone()])).collect(),
        Value::Iterator(values) => values.to_vec(),
        other => vec![other],
    }
}

/// Ruby's class name of a value, for messages that show it.
pub fn ruby_class(value: &Value) -> &'static str {
    match value {
        Value::Undef => "NilClass",
        Value::Default => "Symbol",
        Value::Boolean(true) => "TrueClass",
        Value::Boolean(false) => "FalseClass",
        Value::Integer(_) => "Integer",
        Value::Float(_) => "Float",
        Value::String(_) => "String",
        Value::Regexp(_) => "Regexp",
        Value::Array(_) => "Array",
        Value::Hash(_) => "Hash",
        Value::Type(_) => "Puppet::Pops::Types::PAnyType",
        _ => "Object",
    }
}

/// The text of an unresolved type reference.
pub fn type_reference_string(t: &PType) -> String {
    match t {
        PType::TypeReference(name) => name.to_string(),
        other => other.to_string(),
    }
}
