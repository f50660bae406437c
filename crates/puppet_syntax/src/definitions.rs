//! What `puppet parser validate` finds when it loads a file's definitions into its
//! environment (`resource/type_collection.rb`): a class, define or node defined twice.

use std::collections::HashMap;

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Class,
    Definition,
    Node,
}

/// Duplicate definitions, reported at the second one as Puppet reports them.
pub fn duplicates(program: &Program) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    collect(&program.body, &mut found);
    let mut seen: HashMap<(bool, String), (Kind, Span)> = HashMap::new();
    let mut diagnostics = Vec::new();
    for (kind, name, span) in found {
        // Classes and nodes share no names with each other's kind only through the checks below.
        let is_node = kind == Kind::Node;
        let key = (is_node, name.clone());
        let other_key = (!is_node, name.clone());
        let clash = seen.get(&key).copied().or_else(|| seen.get(&other_key).copied().filter(|(other, _)| {
            matches!((kind, other), (Kind::Class, Kind::Node) | (Kind::Node, Kind::Class))
        }));
        if let Some((previous, at)) = clash {
            let message = match (previous, kind) {
                (Kind::Class, Kind::Class) => format!("Class '{name}' is already defined (line: {}); cannot redefine", at.line),
                (Kind::Node, Kind::Class) => format!("Node '{name}' is already defined (line: {}); cannot be redefined as a class", at.line),
                (Kind::Definition, Kind::Class) => {
                    format!("Definition '{name}' is already defined (line: {}); cannot be redefined as a class", at.line)
                }
                (Kind::Node, Kind::Node) => format!("Node '{name}' is already defined (line: {}); cannot redefine", at.line),
                (Kind::Class, Kind::Node) => format!("Class '{name}' is already defined (line: {}); cannot be redefined as a node", at.line),
                (Kind::Class, Kind::Definition) => {
                    format!("'{name}' is already defined (line: {}) as a class; cannot redefine as a definition", at.line)
                }
                (Kind::Definition, Kind::Definition) => {
                    format!("Definition '{name}' is already defined (line: {}); cannot be redefined", at.line)
                }
                _ => continue,
            };
            diagnostics.push(Diagnostic::error("DUPLICATE_DEFINITION", message, span));
            continue;
        }
        seen.insert(key, (kind, span));
    }
    diagnostics
}

fn collect(expr: &Expr, found: &mut Vec<(Kind, String, Span)>) {
    crate::stack::guarded(|| match &expr.kind {
        ExprKind::Block(statements) => statements.iter().for_each(|statement| collect(statement, found)),
        ExprKind::Definition(definition) => {
            let kind = match definition.kind {
                DefinitionKind::Class => Some(Kind::Class),
                DefinitionKind::Define => Some(Kind::Definition),
                DefinitionKind::Function | DefinitionKind::Plan => None,
            };
            if let Some(body) = &definition.body {
                collect(body, found);
            }
            if let Some(kind) = kind {
                found.push((kind, definition.name.to_lowercase(), expr.span));
            }
        }
        ExprKind::Node { host_matches, .. } => {
            for host in host_matches {
                let name = match &host.kind {
                    ExprKind::LiteralString(name) | ExprKind::QualifiedName(name) => name.to_lowercase(),
                    ExprKind::LiteralDefault => "default".to_string(),
                    ExprKind::LiteralRegex(pattern) => {
                        // Puppet's name of a regex node (`resource/type.rb`).
                        let kept: String = pattern
                            .to_lowercase()
                            .chars()
                            .filter(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | ':' | '.'))
                            .collect();
                        format!("__node_regexp__{}", kept.trim_start_matches('.'))
                    }
                    _ => continue,
                };
                found.push((Kind::Node, name, expr.span));
            }
        }
        _ => {}
    });
}
