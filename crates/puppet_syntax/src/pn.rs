//! Puppet's PN notation of an AST, byte for byte as `puppet parser dump --format pn`
//! prints it (Puppet's `model/pn_transformer.rb` and `pn.rb`).

use crate::ast::*;
use crate::numbers::ruby_float_to_s;
use crate::stack::guarded;

/// A PN value, as Puppet's `PN::Literal`, `PN::List`, `PN::Map` and `PN::Call`.
#[derive(Debug, Clone, PartialEq)]
pub enum Pn {
    Nil,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<Pn>),
    Map(Vec<(String, Pn)>),
    Call(&'static str, Vec<Pn>),
}

/// Why Puppet's dump cannot print a tree (it raises an exception for these).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PnError {
    #[error("key {0} does not conform to pattern /^[A-Za-z_-][0-9A-Za-z_-]*$/)")]
    BadKey(String),
    #[error("undefined method `Literal' for Puppet::Pops::PN:Module")]
    SplatParameter,
    #[error("Visitor Error: the configured receiver (Puppet::Pops::Model::PNTransformer) can't handle instance of: Puppet::Pops::Model::{0}")]
    Unsupported(&'static str),
}

impl Pn {
    fn str(value: impl Into<String>) -> Pn {
        Pn::Str(value.into())
    }

    /// Puppet's `as_call`: a call keeps its elements, a list becomes the elements.
    fn into_call(self, name: &'static str) -> Pn {
        match self {
            Pn::Call(_, elements) | Pn::List(elements) => Pn::Call(name, elements),
            other => Pn::Call(name, vec![other]),
        }
    }

    /// Formats as Puppet does: on one line, or indented by two spaces per level.
    pub fn format(&self, pretty: bool) -> String {
        let mut out = String::new();
        self.format_into(if pretty { Some("") } else { None }, &mut out);
        out
    }

    fn format_into(&self, indent: Option<&str>, out: &mut String) {
        guarded(|| match self {
            Pn::Nil => out.push_str("nil"),
            Pn::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Pn::Int(value) => out.push_str(&value.to_string()),
            Pn::Float(value) => out.push_str(&ruby_float_to_s(*value)),
            Pn::Str(value) => double_quote(value, out),
            Pn::List(elements) => {
                out.push('[');
                let deeper = indent.map(|current| format!("{current}  "));
                format_elements(elements, deeper.as_deref(), out);
                out.push(']');
            }
            Pn::Call(name, elements) => {
                out.push('(');
                out.push_str(name);
                if !elements.is_empty() {
                    if indent.is_none() {
                        out.push(' ');
                    }
                    let deeper = indent.map(|current| format!("{current}  "));
                    format_elements(elements, deeper.as_deref(), out);
                }
                out.push(')');
            }
            Pn::Map(entries) => {
                let deeper = indent.map(|current| format!("{current}  "));
                out.push('{');
                for (index, (key, value)) in entries.iter().enumerate() {
                    if let Some(deeper) = &deeper {
                        out.push('\n');
                        out.push_str(deeper);
                    } else if index > 0 {
                        out.push(' ');
                    }
                    out.push(':');
                    out.push_str(key);
                    out.push(' ');
                    value.format_into(deeper.as_deref(), out);
                }
                out.push('}');
            }
        });
    }
}

fn format_elements(elements: &[Pn], indent: Option<&str>, out: &mut String) {
    for (index, element) in elements.iter().enumerate() {
        if let Some(indent) = indent {
            out.push('\n');
            out.push_str(indent);
        } else if index > 0 {
            out.push(' ');
        }
        element.format_into(indent, out);
    }
}

fn double_quote(text: &str, out: &mut String) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ch if (ch as u32) < 0x20 => out.push_str(&format!("\\o{:03o}", ch as u32)),
            ch => out.push(ch),
        }
    }
    out.push('"');
}

/// The PN text of a program, as `puppet parser dump --format pn` prints it (without
/// its `--- FILE` header and final newline).
pub fn program_to_pn(program: &Program) -> Result<String, PnError> {
    program_to_pn_with(program, false)
}

/// [`program_to_pn`], indented as Puppet's `--pretty` when `pretty` is set.
pub fn program_to_pn_with(program: &Program, pretty: bool) -> Result<String, PnError> {
    Ok(transform(&program.body)?.format(pretty))
}

/// The PN tree of an expression (Puppet's `PNTransformer.transform`).
pub fn transform(expr: &Expr) -> Result<Pn, PnError> {
    guarded(|| transform_kind(&expr.kind))
}

fn list(exprs: &[Expr]) -> Result<Pn, PnError> {
    Ok(Pn::List(exprs.iter().map(transform).collect::<Result<_, _>>()?))
}

fn optional(expr: Option<&Expr>) -> Result<Pn, PnError> {
    match expr {
        Some(expr) => transform(expr),
        None => Ok(Pn::Call("nop", vec![])),
    }
}

fn is_nop(expr: Option<&Expr>) -> bool {
    expr.is_none_or(|expr| matches!(expr.kind, ExprKind::Nop))
}

/// Puppet's `block_as_entry`: a block gives its statements, anything else a list of one.
fn block_as_entry(expr: Option<&Expr>) -> Result<Pn, PnError> {
    match expr.map(|expr| &expr.kind) {
        Some(ExprKind::Block(statements)) => list(statements),
        _ => Ok(Pn::List(vec![optional(expr)?])),
    }
}

fn binary(op: &'static str, left: &Expr, right: &Expr) -> Result<Pn, PnError> {
    Ok(Pn::Call(op, vec![transform(left)?, transform(right)?]))
}

fn check_key(key: &str) -> Result<(), PnError> {
    let mut chars = key.chars();
    let first_ok = chars.next().is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_' || ch == '-');
    if first_ok && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-') {
        Ok(())
    } else {
        Err(PnError::BadKey(key.to_string()))
    }
}

fn parameters_entry(parameters: &[Parameter]) -> Result<Pn, PnError> {
    let mut entries = Vec::with_capacity(parameters.len());
    for parameter in parameters {
        let mut map = Vec::new();
        if let Some(type_expr) = &parameter.type_expr {
            map.push(("type".to_string(), transform(type_expr)?));
        }
        if parameter.captures_rest {
            // Puppet 7.23 calls `PN::Literal(true)` here, which does not exist.
            return Err(PnError::SplatParameter);
        }
        if let Some(value) = &parameter.value {
            map.push(("value".to_string(), transform(value)?));
        }
        check_key(&parameter.name)?;
        entries.push((parameter.name.clone(), Pn::Map(map)));
    }
    Ok(Pn::Map(entries))
}

fn operations(operations: &[AttributeOp]) -> Result<Pn, PnError> {
    let mut items = Vec::with_capacity(operations.len());
    for operation in operations {
        items.push(match operation {
            AttributeOp::Set { name, append, value, .. } => {
                Pn::Call(if *append { "+>" } else { "=>" }, vec![Pn::str(name.as_str()), transform(value)?])
            }
            AttributeOp::Splat { expr, .. } => Pn::Call("splat-hash", vec![transform(expr)?]),
        });
    }
    Ok(Pn::List(items))
}

fn entry(key: &str, value: Pn) -> (String, Pn) {
    (key.to_string(), value)
}

fn call_to_pn(call: &Call) -> Result<Pn, PnError> {
    let mut entries = vec![entry("functor", transform(&call.functor)?), entry("args", list(&call.arguments)?)];
    if let Some(lambda) = &call.lambda {
        entries.push(entry("block", transform(lambda)?));
    }
    let name = match (call.kind, call.rval_required) {
        (CallKind::Named, true) => "call",
        (CallKind::Named, false) => "invoke",
        (CallKind::Method, true) => "call-method",
        (CallKind::Method, false) => "invoke-method",
        (CallKind::Function, true) => "call-lambda",
        (CallKind::Function, false) => "invoke-lambda",
    };
    Ok(Pn::Map(entries).into_call(name))
}

fn if_to_pn(name: &'static str, test: &Expr, then_expr: Option<&Expr>, else_expr: Option<&Expr>) -> Result<Pn, PnError> {
    let mut entries = vec![entry("test", transform(test)?)];
    if !is_nop(then_expr) {
        entries.push(entry("then", block_as_entry(then_expr)?));
    }
    if !is_nop(else_expr) {
        entries.push(entry("else", block_as_entry(else_expr)?));
    }
    Ok(Pn::Map(entries).into_call(name))
}

fn form_entry(entries: &mut Vec<(String, Pn)>, form: ResourceForm) {
    if form != ResourceForm::Regular {
        entries.push(entry("form", Pn::str(form.as_str())));
    }
}

fn transform_kind(kind: &ExprKind) -> Result<Pn, PnError> {
    Ok(match kind {
        ExprKind::Nop => Pn::Call("nop", vec![]),
        ExprKind::LiteralString(value) => Pn::str(value.as_str()),
        ExprKind::LiteralInteger { value, radix: 10 } => Pn::Int(*value),
        ExprKind::LiteralInteger { value, radix } => Pn::Map(vec![
            entry("radix", Pn::Int(i128::from(*radix))),
            entry("value", Pn::Int(*value)),
        ])
        .into_call("int"),
        ExprKind::LiteralFloat(value) => Pn::Float(*value),
        ExprKind::LiteralBoolean(value) => Pn::Bool(*value),
        ExprKind::LiteralUndef => Pn::Nil,
        ExprKind::LiteralDefault => Pn::Call("default", vec![]),
        ExprKind::LiteralRegex(pattern) => Pn::str(pattern.as_str()).into_call("regexp"),
        ExprKind::QualifiedName(name) => Pn::Call("qn", vec![Pn::str(name.as_str())]),
        ExprKind::QualifiedReference(name) => Pn::Call("qr", vec![Pn::str(name.as_str())]),
        ExprKind::ReservedWord { word, .. } => Pn::str(word.as_str()).into_call("reserved"),
        ExprKind::Variable(expr) => match &expr.kind {
            ExprKind::QualifiedName(name) => Pn::Call("var", vec![Pn::str(name.as_str())]),
            _ => Pn::Call("var", vec![transform(expr)?]),
        },
        ExprKind::ConcatenatedString(segments) => list(segments)?.into_call("concat"),
        ExprKind::Text(expr) => Pn::Call("str", vec![transform(expr)?]),
        ExprKind::Heredoc { syntax, text } => {
            let mut entries = Vec::new();
            if !syntax.is_empty() {
                entries.push(entry("syntax", Pn::str(syntax.as_str())));
            }
            entries.push(entry("text", transform(text)?));
            Pn::Map(entries).into_call("heredoc")
        }
        ExprKind::LiteralList(values) => list(values)?.into_call("array"),
        ExprKind::LiteralHash(entries) => {
            let mut items = Vec::with_capacity(entries.len());
            for keyed in entries {
                items.push(Pn::Call("=>", vec![transform(&keyed.key)?, transform(&keyed.value)?]));
            }
            Pn::Call("hash", items)
        }
        ExprKind::Access { left, keys } => {
            let mut items = vec![transform(left)?];
            for key in keys {
                items.push(transform(key)?);
            }
            Pn::Call("access", items)
        }
        ExprKind::NamedAccess { left, right } => binary(".", left, right)?,
        ExprKind::Unary { op, expr } => match op {
            UnaryOp::Not => Pn::Call("!", vec![transform(expr)?]),
            UnaryOp::Unfold => Pn::Call("unfold", vec![transform(expr)?]),
            UnaryOp::Paren => Pn::Call("paren", vec![transform(expr)?]),
            UnaryOp::Minus => match &expr.kind {
                ExprKind::LiteralInteger { value, .. } => Pn::Int(-*value),
                ExprKind::LiteralFloat(value) => Pn::Float(-*value),
                _ => Pn::Call("-", vec![transform(expr)?]),
            },
        },
        ExprKind::Binary { op, left, right, .. } => binary(op.as_str(), left, right)?,
        ExprKind::Selector { left, entries } => {
            let mut items = Vec::with_capacity(entries.len());
            for selector in entries {
                items.push(Pn::Call("=>", vec![transform(&selector.matching)?, transform(&selector.value)?]));
            }
            Pn::Call("?", vec![transform(left)?, Pn::List(items)])
        }
        ExprKind::Block(statements) => list(statements)?.into_call("block"),
        ExprKind::If { test, then_expr, else_expr } => if_to_pn("if", test, then_expr.as_deref(), else_expr.as_deref())?,
        ExprKind::Unless { test, then_expr, else_expr } => {
            if_to_pn("unless", test, then_expr.as_deref(), else_expr.as_deref())?
        }
        ExprKind::Case { test, options } => {
            let mut items = Vec::with_capacity(options.len());
            for option in options {
                items.push(Pn::Map(vec![
                    entry("when", list(&option.values)?),
                    entry("then", block_as_entry(option.then_expr.as_ref())?),
                ]));
            }
            Pn::Call("case", vec![transform(test)?, Pn::List(items)])
        }
        ExprKind::Call(call) => call_to_pn(call)?,
        ExprKind::Lambda(lambda) => {
            let mut entries = Vec::new();
            if !lambda.parameters.is_empty() {
                entries.push(entry("params", parameters_entry(&lambda.parameters)?));
            }
            if let Some(return_type) = &lambda.return_type {
                entries.push(entry("returns", transform(return_type)?));
            }
            if lambda.body.is_some() {
                entries.push(entry("body", block_as_entry(lambda.body.as_ref())?));
            }
            Pn::Map(entries).into_call("lambda")
        }
        ExprKind::Resource { form, type_name, bodies } => {
            let mut items = Vec::with_capacity(bodies.len());
            for body in bodies {
                items.push(Pn::Map(vec![entry("title", transform(&body.title)?), entry("ops", operations(&body.operations)?)]));
            }
            let mut entries = vec![entry("type", transform(type_name)?), entry("bodies", Pn::List(items))];
            form_entry(&mut entries, *form);
            Pn::Map(entries).into_call("resource")
        }
        ExprKind::ResourceDefaults { form, type_ref, operations: ops } => {
            let mut entries = vec![entry("type", transform(type_ref)?), entry("ops", operations(ops)?)];
            form_entry(&mut entries, *form);
            Pn::Map(entries).into_call("resource-defaults")
        }
        ExprKind::ResourceOverride { form, resources, operations: ops } => {
            let mut entries = vec![entry("resources", transform(resources)?), entry("ops", operations(ops)?)];
            form_entry(&mut entries, *form);
            Pn::Map(entries).into_call("resource-override")
        }
        ExprKind::Collect { type_expr, exported, query, operations: ops, .. } => {
            let name = if *exported { "exported-query" } else { "virtual-query" };
            let query = match query.as_deref() {
                Some(expr) if !matches!(expr.kind, ExprKind::Nop) => Pn::Call(name, vec![transform(expr)?]),
                _ => Pn::Call(name, vec![]),
            };
            let mut entries = vec![entry("type", transform(type_expr)?), entry("query", query)];
            if !ops.is_empty() {
                entries.push(entry("ops", operations(ops)?));
            }
            Pn::Map(entries).into_call("collect")
        }
        ExprKind::Definition(definition) => {
            let name = match definition.kind {
                DefinitionKind::Class => "class",
                DefinitionKind::Define => "define",
                DefinitionKind::Function => "function",
                DefinitionKind::Plan => "plan",
            };
            let mut entries = vec![entry("name", Pn::str(definition.name.as_str()))];
            if let Some(parent) = &definition.parent_class {
                entries.push(entry("parent", Pn::str(parent.as_str())));
            }
            if !definition.parameters.is_empty() {
                entries.push(entry("params", parameters_entry(&definition.parameters)?));
            }
            if definition.body.is_some() {
                entries.push(entry("body", block_as_entry(definition.body.as_ref())?));
            }
            if let Some(return_type) = &definition.return_type {
                entries.push(entry("returns", transform(return_type)?));
            }
            Pn::Map(entries).into_call(name)
        }
        ExprKind::Node { host_matches, parent, body } => {
            let mut entries = vec![entry("matches", list(host_matches)?)];
            if let Some(parent) = parent {
                entries.push(entry("parent", transform(parent)?));
            }
            if body.is_some() {
                entries.push(entry("body", block_as_entry(body.as_deref())?));
            }
            Pn::Map(entries).into_call("node")
        }
        ExprKind::TypeAlias { name, type_expr } => Pn::Call("type-alias", vec![Pn::str(name.as_str()), transform(type_expr)?]),
        ExprKind::TypeMapping { type_expr, mapping_expr } => {
            Pn::Call("type-mapping", vec![transform(type_expr)?, transform(mapping_expr)?])
        }
        ExprKind::TypeDefinition { name, parent, body } => Pn::Call(
            "type-definition",
            vec![
                Pn::str(name.as_str()),
                parent.as_ref().map_or(Pn::Nil, |parent| Pn::str(parent.as_str())),
                optional(body.as_deref())?,
            ],
        ),
        ExprKind::Apply { .. } => return Err(PnError::Unsupported("ApplyExpression")),
        ExprKind::Epp { body, .. } => match body {
            None => Pn::Call("epp", vec![]),
            Some(body) => transform(body)?.into_call("epp"),
        },
        ExprKind::RenderString(text) => Pn::str(text.as_str()).into_call("render-s"),
        ExprKind::Render(expr) => Pn::Call("render", vec![transform(expr)?]),
    })
}
