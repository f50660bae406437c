//! Calls: named function calls and method calls (`$x.f()`), lambdas, functions written
//! in the Puppet language, and `Type(args)` (`new`).

use std::sync::Arc;

use puppet_syntax::ast::{Call, CallKind, Expr, ExprKind, Lambda};
use puppet_syntax::Span;

use super::{plain, Compiler, Ephemeral, Flow, ScopeId, R};
use crate::loader::{Definition, Wanted};
use crate::types::{self, PType};
use crate::value::Value;

/// A lambda passed to a function, with the scope it closes over.
#[derive(Clone, Copy)]
pub struct LambdaRef<'a> {
    pub lambda: &'a Lambda,
    pub scope: ScopeId,
    pub span: Span,
}

impl LambdaRef<'_> {
    /// The range of arguments the lambda accepts.
    pub fn arity(&self) -> (usize, usize) {
        let mut min = 0;
        let mut max = 0usize;
        for parameter in &self.lambda.parameters {
            if parameter.captures_rest {
                return (min, usize::MAX);
            }
            if parameter.value.is_none() {
                min += 1;
            }
            max += 1;
        }
        (min, max)
    }

    pub fn accepts(&self, count: usize) -> bool {
        let (min, max) = self.arity();
        min <= count && count <= max
    }
}

/// What a built-in function sees of its call.
pub struct CallContext<'a> {
    pub name: &'a str,
    pub scope: ScopeId,
    pub span: Span,
    pub lambda: Option<LambdaRef<'a>>,
}

impl Compiler<'_> {
    pub(super) fn eval_call(&mut self, expr: &Expr, call: &Call, scope: ScopeId) -> R<Value> {
        let lambda = call.lambda.as_ref().and_then(|l| match &l.kind {
            ExprKind::Lambda(lambda) => Some(LambdaRef { lambda, scope, span: l.span }),
            _ => None,
        });
        match call.kind {
            CallKind::Named => {
                let functor = &call.functor;
                let is_type = match &functor.kind {
                    ExprKind::QualifiedReference(_) => true,
                    ExprKind::Access { left, .. } => matches!(left.kind, ExprKind::QualifiedReference(_)),
                    _ => false,
                };
                if is_type {
                    let t = self.eval(functor, scope)?;
                    let mut args = vec![t];
                    args.extend(self.unfold(&call.arguments, scope)?);
                    return self.call_function("new", args, lambda, scope, expr.span);
                }
                let name = match &functor.kind {
                    ExprKind::QualifiedName(name) => name.clone(),
                    ExprKind::RenderString(_) => {
                        return Err(self.fail("ILLEGAL_EPP_PARAMETERS", "Ambiguous EPP parameter expression. Probably missing '<%-' before parameters to remove leading whitespace", expr.span))
                    }
                    _ => {
                        return Err(self.fail(
                            "ILLEGAL_EXPRESSION",
                            format!("Illegal expression. {} is unacceptable as function name in a Function Call", capitalize_first(&types::a_an(&puppet_syntax::checker::label(functor)))),
                            functor.span,
                        ))
                    }
                };
                let args = self.unfold(&call.arguments, scope)?;
                self.call_function(&name, args, lambda, scope, expr.span)
            }
            CallKind::Method => {
                let ExprKind::NamedAccess { left, right } = &call.functor.kind else {
                    return Err(self.fail("ILLEGAL_EXPRESSION", "Illegal expression. function accessor", call.functor.span));
                };
                let ExprKind::QualifiedName(name) = &right.kind else {
                    return Err(self.fail("ILLEGAL_EXPRESSION", "Illegal expression. function name", right.span));
                };
                let mut args = self.unfold(std::slice::from_ref(left), scope)?;
                args.extend(self.unfold(&call.arguments, scope)?);
                self.call_function(name, args, lambda, scope, expr.span)
            }
            CallKind::Function => Err(self.fail("ILLEGAL_EXPRESSION", "Illegal expression. Object is unacceptable as function name", call.functor.span)),
        }
    }

    /// Calls a function by name: built-in functions first, then functions written in the
    /// Puppet language; a Ruby function of a module is not supported natively.
    pub fn call_function(&mut self, name: &str, args: Vec<Value>, lambda: Option<LambdaRef<'_>>, scope: ScopeId, span: Span) -> R<Value> {
        let name = name.trim_start_matches("::");
        if let Some(function) = crate::functions::builtin(name) {
            let mut context = CallContext { name, scope, span, lambda };
            return function(self, &mut context, args);
        }
        if let Some(definition) = self.find_definition(Wanted::Function, name, span)? {
            return self.call_puppet_function(&definition, args, lambda, span);
        }
        if let Some(path) = self.loader.ruby_function_path(name) {
            if let Some(function) = crate::functions::module_builtin(name) {
                let mut context = CallContext { name, scope, span, lambda };
                return function(self, &mut context, args);
            }
            return Err(self.unsupported(format!("the function '{name}' written in Ruby ({})", path.display()), span));
        }
        Err(self.fail("UNKNOWN_FUNCTION", format!("Unknown function: '{name}'."), span))
    }

    /// Calls a lambda with arguments (`Closure#call`): parameters with defaults, the
    /// parameter types, and `next` returning early.
    pub fn call_lambda(&mut self, lambda: &LambdaRef<'_>, args: Vec<Value>) -> R<Value> {
        // A call is a step even when the body is empty: a loop over a huge range must
        // reach the budget.
        self.step(lambda.span)?;
        let scope = lambda.scope;
        let level = self.ephemeral_level(scope);
        let result = self.call_closure(scope, &lambda.lambda.parameters, lambda.lambda.body.as_ref(), lambda.lambda.return_type.as_ref(), args, "lambda", lambda.span);
        self.pop_ephemerals(scope, level);
        match result {
            Err(Flow::Next(value, _)) => Ok(value),
            other => other,
        }
    }

    /// Binds arguments to parameters in a new local scope and evaluates the body.
    #[allow(clippy::too_many_arguments)]
    fn call_closure(
        &mut self,
        scope: ScopeId,
        parameters: &[puppet_syntax::ast::Parameter],
        body: Option<&Expr>,
        return_type: Option<&Expr>,
        args: Vec<Value>,
        closure_name: &str,
        span: Span,
    ) -> R<Value> {
        self.depth += 1;
        if self.depth > super::expr::MAX_DEPTH {
            self.depth -= 1;
            // Ruby runs out of stack here ("stack level too deep", without a place).
            let _ = span;
            return Err(Flow::Error(Box::new(super::EvalError {
                detail: format!("stack level too deep (calls of {closure_name} nested more than {} deep: endless recursion?)", super::expr::MAX_DEPTH),
                location: super::Location::default(),
                class: super::ErrorClass::Preformatted,
                issue_code: Some("STACK_LEVEL_TOO_DEEP"),
                unsupported: None,
            })));
        }
        let result = stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || self.call_closure_inner(scope, parameters, body, return_type, args, closure_name, span));
        self.depth -= 1;
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn call_closure_inner(
        &mut self,
        scope: ScopeId,
        parameters: &[puppet_syntax::ast::Parameter],
        body: Option<&Expr>,
        return_type: Option<&Expr>,
        args: Vec<Value>,
        closure_name: &str,
        _span: Span,
    ) -> R<Value> {
        let level = self.ephemeral_level(scope);
        // The parameters as a scope of their own, for the defaults that read the ones
        // before them; without defaults nothing reads it.
        let with_defaults = parameters.iter().any(|p| p.value.is_some());
        if with_defaults {
            let names: Vec<String> = parameters.iter().map(|p| p.name.clone()).collect();
            let values = vec![None; names.len()];
            self.push_ephemeral(scope, Ephemeral::Parameters { callee: closure_name.to_string(), names, values, read_only: false });
        }
        let param_index = self.ephemeral_level(scope).wrapping_sub(1);
        let mut bindings: Vec<(String, Value)> = Vec::with_capacity(parameters.len());
        let mut failure = None;
        for (index, parameter) in parameters.iter().enumerate() {
            let value = if index >= args.len() {
                match &parameter.value {
                    Some(default) => match self.eval_in_parameters(scope, param_index, default) {
                        Ok(v) => {
                            if parameter.captures_rest && !matches!(v, Value::Array(_)) {
                                Value::array(vec![v])
                            } else {
                                v
                            }
                        }
                        Err(flow) => {
                            failure = Some(flow);
                            break;
                        }
                    },
                    None if parameter.captures_rest => Value::array(Vec::new()),
                    None => {
                        failure = Some(self.fail("MISSING_REQUIRED_PARAMETER", format!("Parameter ${} is required but no value was given", parameter.name), parameter.span));
                        break;
                    }
                }
            } else if parameter.captures_rest {
                Value::array(args[index..].to_vec())
            } else {
                args[index].clone()
            };
            if with_defaults {
                if let Ephemeral::Parameters { values, .. } = &mut self.scopes[scope].ephemeral[param_index] {
                    values[index] = Some(value.clone());
                }
            }
            bindings.push((parameter.name.clone(), value));
        }
        self.pop_ephemerals(scope, level);
        if let Some(flow) = failure {
            return Err(flow);
        }
        // Argument count and types (`callable_with?`).
        let max = if parameters.last().is_some_and(|p| p.captures_rest) { usize::MAX } else { parameters.len() };
        let min = parameters.iter().filter(|p| p.value.is_none() && !p.captures_rest).count();
        if args.len() > max || args.len() < min {
            let label = if closure_name == "lambda" { "block".to_string() } else { format!("'{closure_name}'") };
            let expected = types::IntRange { from: Some(min as i64), to: if max == usize::MAX { None } else { Some(max as i64) } };
            let mismatch = types::Mismatch { path: Vec::new(), kind: types::describe::MismatchKind::Count { expected, actual: types::IntRange::exact(args.len() as i64) } };
            return Err(plain(format!("{label}{}", mismatch.format())));
        }
        for (parameter, (_, value)) in parameters.iter().zip(bindings.iter()) {
            let Some(type_expr) = &parameter.type_expr else { continue };
            let t = match self.eval(type_expr, scope)? {
                Value::Type(t) => (*t).clone(),
                _ => PType::Any,
            };
            let ok = if parameter.captures_rest {
                match (&t, value) {
                    (PType::Array { element, .. }, Value::Array(values)) => values.iter().all(|v| types::instance_of(element, v)),
                    (t, Value::Array(values)) => values.iter().all(|v| types::instance_of(t, v)),
                    _ => true,
                }
            } else {
                types::instance_of(&t, value)
            };
            if !ok {
                let label = if closure_name == "lambda" { "block".to_string() } else { format!("'{closure_name}'") };
                let message = types::describe_mismatch(&format!("parameter '{}'", parameter.name), &t, &types::infer_set(value));
                return Err(plain(format!("{label} {message}")));
            }
        }
        let mut locals = rustc_hash::FxHashMap::default();
        for (name, value) in bindings {
            locals.insert(name, value);
        }
        self.push_ephemeral(scope, Ephemeral::Local(locals));
        let result = match body {
            Some(body) => self.eval(body, scope),
            None => Ok(Value::Undef),
        };
        let result = match result {
            Err(Flow::Next(value, _)) => Ok(value),
            other => other,
        };
        let value = result?;
        if let Some(return_type) = return_type {
            if let Value::Type(t) = self.eval(return_type, scope)? {
                if !types::instance_of(&t, &value) {
                    let message = types::describe_mismatch(&format!("value returned from {closure_name}"), &t, &types::infer_set(&value));
                    return Err(plain(message));
                }
            }
        }
        Ok(value)
    }

    fn eval_in_parameters(&mut self, scope: ScopeId, param_index: usize, default: &Expr) -> R<Value> {
        if let Ephemeral::Parameters { read_only, .. } = &mut self.scopes[scope].ephemeral[param_index] {
            *read_only = true;
        }
        let level = self.ephemeral_level(scope);
        self.push_ephemeral(scope, Ephemeral::Match(None));
        let result = self.eval(default, scope);
        self.pop_ephemerals(scope, level);
        if let Ephemeral::Parameters { read_only, .. } = &mut self.scopes[scope].ephemeral[param_index] {
            *read_only = false;
        }
        match result {
            Err(Flow::UnevaluatedParameter(name)) => Err(plain(format!("lambda: expects a value for parameter ${name}"))),
            other => other,
        }
    }

    /// Calls a function written in the Puppet language: evaluated in the top scope
    /// with its parameters as locals; `return` ends it.
    pub fn call_puppet_function(&mut self, definition: &Arc<Definition>, args: Vec<Value>, lambda: Option<LambdaRef<'_>>, span: Span) -> R<Value> {
        let _ = lambda;
        let top = self.topscope;
        let saved = std::mem::replace(&mut self.file, definition.file.clone());
        let level = self.ephemeral_level(top);
        let result = self.call_closure(top, &definition.parameters, definition.body.as_ref(), definition.return_type.as_ref(), args, &definition.name, span);
        self.pop_ephemerals(top, level);
        self.file = saved;
        match result {
            Err(Flow::Return(value, _)) | Err(Flow::Next(value, _)) => Ok(value),
            Err(Flow::Break(location)) => Err(super::located("break() from context where this is illegal", location)),
            other => other,
        }
    }
}

fn capitalize_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
