//! `duplicate_params`: the same attribute twice in one resource body.

use std::collections::HashSet;

use puppet_syntax::ast::{Expr, ExprKind};
use puppet_syntax::visit::{KindSet, Node, NodeKind};
use puppet_syntax::Span;

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};

/// A bare word (`name`) and where it is.
fn bare_word(expr: &Expr) -> Option<(Span, &str)> {
    match &expr.kind {
        ExprKind::QualifiedName(name) => Some((expr.span, name)),
        _ => None,
    }
}

crate::declare_rule! {
    /// ## What it does
    /// Finds an attribute given twice in the same resource body.
    ///
    /// ## Why
    /// Puppet refuses the catalog ("Duplicate parameter"); only one of the values was
    /// meant.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///   ensure => file,
    ///   ensure => absent,
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// file { '/etc/motd':
    ///   ensure => file,
    /// }
    /// ```
    ///
    /// ## Fix
    /// None: which value is right is for a person to decide.
    pub struct DuplicateParams;
    crate::rule::RuleMeta {
        name: "duplicate_params",
        category: "check_resources",
        default_enabled: true,
        level: Level::Error,
        fix: FixKind::None,
        summary: "a resource must not set the same attribute twice",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::ResourceBody, NodeKind::LiteralHash, NodeKind::Selector]),
        file: false,
        uses_resources: false,
    }
}

impl Rule for DuplicateParams {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        // The attributes of a body; inside a body, also the bare-word keys of a hash or the
        // bare-word matches of a selector (puppet-lint looks at every `name =>` of a level).
        let names: Vec<(Span, &str)> = match node {
            Node::ResourceBody(body) => ast::attributes(body).map(|(operation, name, _)| (operation.span(), name)).collect(),
            Node::Expr(expr) if ancestors.iter().any(|ancestor| matches!(ancestor, Node::ResourceBody(_))) => match &expr.kind {
                ExprKind::LiteralHash(entries) => entries.iter().filter_map(|entry| bare_word(&entry.key)).collect(),
                ExprKind::Selector { entries, .. } => entries.iter().filter_map(|entry| bare_word(&entry.matching)).collect(),
                _ => return,
            },
            _ => return,
        };
        let mut seen = HashSet::new();
        for (span, name) in names {
            if seen.insert(name) {
                continue;
            }
            if let Some(token) = ctx.first_token(span) {
                out.push(ctx.problem_at(&Self::META, "duplicate parameter found in resource", token));
            }
        }
    }
}
