//! Collectors (`Type <| query |>`, `realize`): their queries, evaluated at the end of
//! the compile and again until nothing changes, realizing virtual resources and
//! applying the collector's overrides.

use puppet_syntax::ast::{AttributeOp, BinaryOp, Expr, ExprKind, UnaryOp};

use super::{plain, Compiler, Override, Param, RelationshipEnd, ResourceId, ScopeId, Source, R};
use crate::types::capitalize_segments;
use crate::value::Value;

/// A collector query, its operands evaluated when the collector was created.
#[derive(Clone, Debug)]
pub enum Query {
    And(Box<Query>, Box<Query>),
    Or(Box<Query>, Box<Query>),
    Equals(String, Value),
    NotEquals(String, Value),
    Tagged(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct CollectorOverride {
    pub params: Vec<(String, Param)>,
    pub source: Source,
    pub file: Option<std::sync::Arc<str>>,
    pub line: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Collector {
    pub type_name: String,
    pub query: Option<Query>,
    pub overrides: Option<CollectorOverride>,
    pub scope: ScopeId,
    pub collected: Vec<ResourceId>,
    pub exported: bool,
    /// `realize`: references not found yet.
    pub fixed: Option<Vec<(String, String)>>,
    /// The left side of a relationship whose right side collected nothing.
    pub empty_alternative: Option<Vec<RelationshipEnd>>,
    pub deleted: bool,
}

impl Compiler<'_> {
    pub(super) fn eval_collect(&mut self, expr: &Expr, type_expr: &Expr, exported: bool, query: Option<&Expr>, operations: &[AttributeOp], scope: ScopeId) -> R<Value> {
        if exported {
            let location = self.loc(expr.span).suffix();
            self.warn(format!("You cannot collect without storeconfigs being set{location}"));
        }
        let ExprKind::QualifiedReference(name) = &type_expr.kind else {
            return Err(plain("LHS is not a type"));
        };
        let lower = name.to_lowercase();
        if lower == "class" {
            return Err(plain("Classes cannot be collected"));
        }
        let type_name = match self.find_resource_type(&lower, type_expr.span)? {
            Some(super::catalog::ResolvedType::Builtin(t)) => capitalize_segments(t.name),
            Some(super::catalog::ResolvedType::Define(d)) => capitalize_segments(&d.name),
            _ => return Err(plain(format!("Resource type {lower} doesn't exist"))),
        };
        let overrides = if operations.is_empty() {
            None
        } else {
            let params = self.eval_operations_public(operations, scope)?;
            Some(CollectorOverride { params, source: self.scopes[scope].source.clone(), file: Some(self.file.clone()), line: Some(expr.span.line) })
        };
        let query = match query {
            Some(q) if !matches!(q.kind, ExprKind::Nop) => Some(self.build_query(q, scope)?),
            _ => None,
        };
        self.collectors.push(Collector {
            type_name,
            query,
            overrides,
            scope,
            collected: Vec::new(),
            exported,
            fixed: None,
            empty_alternative: None,
            deleted: false,
        });
        Ok(Value::Collector(self.collectors.len() - 1))
    }

    fn build_query(&mut self, expr: &Expr, scope: ScopeId) -> R<Query> {
        match &expr.kind {
            ExprKind::Binary { op: BinaryOp::And, left, right, .. } => Ok(Query::And(Box::new(self.build_query(left, scope)?), Box::new(self.build_query(right, scope)?))),
            ExprKind::Binary { op: BinaryOp::Or, left, right, .. } => Ok(Query::Or(Box::new(self.build_query(left, scope)?), Box::new(self.build_query(right, scope)?))),
            ExprKind::Binary { op: op @ (BinaryOp::Eq | BinaryOp::Ne), left, right, .. } => {
                let attribute = self.query_operand(left, scope)?.to_puppet_string();
                let value = self.query_operand(right, scope)?;
                if *op == BinaryOp::Eq {
                    if attribute == "tag" {
                        let mut tags = Vec::new();
                        for t in super::catalog::flatten_value(value) {
                            if matches!(t, Value::Integer(_) | Value::Float(_)) {
                                return Err(plain("Cannot transform a number to a tag"));
                            }
                            tags.push(t.to_puppet_string().to_lowercase());
                        }
                        return Ok(Query::Tagged(tags));
                    }
                    Ok(Query::Equals(attribute, value))
                } else {
                    Ok(Query::NotEquals(attribute, value))
                }
            }
            ExprKind::Unary { op: UnaryOp::Paren, expr: inner } => self.build_query(inner, scope),
            _ => Err(plain(format!("Cannot transform object of class Puppet::Pops::Model::{}", model_class(expr)))),
        }
    }

    fn query_operand(&mut self, expr: &Expr, scope: ScopeId) -> R<Value> {
        match &expr.kind {
            ExprKind::Unary { op: UnaryOp::Paren, expr: inner } => self.query_operand(inner, scope),
            ExprKind::LiteralUndef => Ok(Value::Undef),
            ExprKind::Variable(_)
            | ExprKind::LiteralBoolean(_)
            | ExprKind::LiteralString(_)
            | ExprKind::ConcatenatedString(_)
            | ExprKind::LiteralInteger { .. }
            | ExprKind::LiteralFloat(_)
            | ExprKind::QualifiedName(_)
            | ExprKind::Access { .. } => self.eval(expr, scope),
            _ => Err(plain(format!("Cannot transform object of class Puppet::Pops::Model::{}", model_class(expr)))),
        }
    }

    fn query_matches(&self, query: &Query, id: ResourceId) -> bool {
        let resource = &self.resources[id];
        match query {
            Query::And(a, b) => self.query_matches(a, id) && self.query_matches(b, id),
            Query::Or(a, b) => self.query_matches(a, id) || self.query_matches(b, id),
            Query::Equals(attribute, expected) => {
                let actual = if attribute == "title" { Value::from(&*resource.title) } else { resource.get(attribute).cloned().unwrap_or(Value::Undef) };
                match &actual {
                    Value::Array(_) => super::ops::includes(&actual, expected).0,
                    other => super::ops::equals(other, expected),
                }
            }
            Query::NotEquals(attribute, expected) => {
                let actual = if attribute == "title" { Value::from(&*resource.title) } else { resource.get(attribute).cloned().unwrap_or(Value::Undef) };
                !super::ops::equals(&actual, expected)
            }
            Query::Tagged(tags) => self.raw_tagged(id, tags),
        }
    }

    /// `raw_tagged?`: the resource's tags or those of its containers.
    pub fn raw_tagged(&self, id: ResourceId, tags: &[String]) -> bool {
        let mut current = Some(id);
        let mut guard = 0;
        while let Some(r) = current {
            let resource = &self.resources[r];
            if tags.iter().any(|t| resource.has_tag(t)) {
                return true;
            }
            let next = self.scopes[resource.scope].resource;
            if next == Some(r) {
                break;
            }
            current = next;
            guard += 1;
            if guard > 10_000 {
                break;
            }
        }
        false
    }

    /// `realize(refs)`: a collector of a fixed set of references.
    pub fn realize(&mut self, references: Vec<(String, String)>, scope: ScopeId) {
        self.collectors.push(Collector {
            type_name: String::new(),
            query: None,
            overrides: None,
            scope,
            collected: Vec::new(),
            exported: false,
            fixed: Some(references),
            empty_alternative: None,
            deleted: false,
        });
    }

    /// `evaluate_collections`: true when some collector found something new.
    pub(super) fn evaluate_collections(&mut self) -> R<bool> {
        let mut found_something = false;
        for index in 0..self.collectors.len() {
            if self.collectors[index].deleted {
                continue;
            }
            if self.evaluate_collector(index)? {
                found_something = true;
            }
        }
        Ok(found_something)
    }

    fn evaluate_collector(&mut self, index: usize) -> R<bool> {
        let collector = self.collectors[index].clone();
        if collector.exported {
            return Ok(false);
        }
        let objects: Vec<ResourceId> = match &collector.fixed {
            Some(references) => {
                let mut found = Vec::new();
                let mut remaining = Vec::new();
                for (type_name, title) in references {
                    if type_name.is_empty() {
                        return Err(plain(format!(
                            "Puppet::Parser::Compiler failed with error ArgumentError: No title provided and {} is not a valid resource reference",
                            crate::value::ruby_string_inspect(title)
                        )));
                    }
                    match self.find_resource(type_name, title) {
                        Some(id) => found.push(id),
                        None => remaining.push((type_name.clone(), title.clone())),
                    }
                }
                if remaining.is_empty() {
                    self.collectors[index].deleted = true;
                }
                self.collectors[index].fixed = Some(remaining);
                found
            }
            None => self
                .compiler_order
                .iter()
                .copied()
                .filter(|id| *self.resources[*id].type_name == *collector.type_name)
                .filter(|id| collector.query.as_ref().is_none_or(|q| self.query_matches(q, *id)))
                .collect(),
        };
        for id in &objects {
            self.resources[*id].is_virtual = false;
        }
        if objects.is_empty() {
            return Ok(false);
        }
        if let Some(overrides) = &collector.overrides {
            if !self.override_sources.iter().any(|s| s.same(&overrides.source)) {
                self.override_sources.push(overrides.source.clone());
            }
            for id in &objects {
                if collector.collected.contains(id) {
                    continue;
                }
                let type_name = self.resources[*id].type_name.to_string();
                let title = self.resources[*id].title.to_string();
                let mut params: Vec<(String, Param)> = overrides.params.clone();
                for (name, param) in self.lookup_defaults(collector.scope, &type_name) {
                    if !params.iter().any(|(n, _)| *n == name) {
                        params.push((name, param));
                    }
                }
                let over = Override {
                    params,
                    source: overrides.source.clone(),
                    file: overrides.file.clone(),
                    line: overrides.line,
                    scope: collector.scope,
                    from_collector: true,
                };
                self.add_override(&type_name, &title, over)?;
            }
        }
        let new: Vec<ResourceId> = objects.into_iter().filter(|id| !collector.collected.contains(id)).collect();
        if new.is_empty() {
            return Ok(false);
        }
        self.collectors[index].collected.extend(new);
        Ok(true)
    }

    pub fn collector_of(&self, value: &Value) -> Option<usize> {
        match value {
            Value::Collector(index) => Some(*index),
            _ => None,
        }
    }

    /// Virtual resources `realize` could not find.
    pub fn unresolved_realizations(&self) -> Vec<String> {
        self.collectors
            .iter()
            .filter_map(|c| c.fixed.as_ref())
            .flatten()
            .map(|(t, title)| {
                let (t, title) = Self::catalog_key(t, title);
                format!("{t}[{title}]")
            })
            .collect()
    }

    fn eval_operations_public(&mut self, operations: &[AttributeOp], scope: ScopeId) -> R<Vec<(String, Param)>> {
        let mut out = Vec::new();
        for operation in operations {
            match operation {
                AttributeOp::Set { span, name, append, value } => {
                    let v = self.eval(value, scope)?;
                    let source = self.scopes[scope].source.clone();
                    out.push((name.clone(), Param { value: v, source, file: Some(self.file.clone()), line: Some(span.line), add: *append }));
                }
                AttributeOp::Splat { span, expr } => {
                    let v = self.eval(expr, scope)?;
                    if let Value::Hash(map) = v {
                        for (k, v) in map.iter() {
                            let source = self.scopes[scope].source.clone();
                            out.push((k.to_puppet_string(), Param { value: v.clone(), source, file: Some(self.file.clone()), line: Some(span.line), add: false }));
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

fn model_class(expr: &Expr) -> &'static str {
    match &expr.kind {
        ExprKind::Binary { op, .. } => match op.class() {
            puppet_syntax::ast::BinaryClass::Comparison => "ComparisonExpression",
            puppet_syntax::ast::BinaryClass::Match => "MatchExpression",
            puppet_syntax::ast::BinaryClass::In => "InExpression",
            puppet_syntax::ast::BinaryClass::Arithmetic => "ArithmeticExpression",
            _ => "BinaryExpression",
        },
        ExprKind::Call(_) => "CallNamedFunctionExpression",
        ExprKind::LiteralList(_) => "LiteralList",
        ExprKind::LiteralHash(_) => "LiteralHash",
        ExprKind::LiteralRegex(_) => "LiteralRegularExpression",
        ExprKind::Unary { op: UnaryOp::Not, .. } => "NotExpression",
        _ => "Expression",
    }
}
