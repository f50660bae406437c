//! `selector_inside_resource`: `attr => $x ? { ... }` in a resource.

use puppet_syntax::ast::ExprKind;
use puppet_syntax::visit::{KindSet, Node, NodeKind};

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::TokenKind;

crate::declare_rule! {
    /// ## What it does
    /// Finds selectors used as attribute values inside resource declarations.
    ///
    /// ## Why
    /// The style guide keeps resource declarations simple: choose the value in a
    /// variable first, then use the variable.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///   owner => $facts['os']['family'] ? { 'Debian' => 'root', default => 'adm' },
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// $owner = $facts['os']['family'] ? { 'Debian' => 'root', default => 'adm' }
    /// file { '/etc/motd':
    ///   owner => $owner,
    /// }
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct SelectorInsideResource;
    crate::rule::RuleMeta {
        name: "selector_inside_resource",
        category: "check_conditionals",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "resources should not contain selectors",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Selector]),
        file: false,
        uses_resources: false,
    }
}

impl Rule for SelectorInsideResource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(expr) = node.expr() else { return };
        let ExprKind::Selector { left, .. } = &expr.kind else { return };
        // The value after an `=>` (an attribute, a hash or selector entry) somewhere in a
        // resource body, chosen by a variable (`$x ? {`, puppet-lint's shape of it).
        let after_arrow = matches!(ancestors.last(), Some(Node::AttributeOp(_) | Node::KeyedEntry(_) | Node::SelectorEntry(_)));
        if !after_arrow || !ancestors.iter().any(|ancestor| matches!(ancestor, Node::ResourceBody(_))) {
            return;
        }
        let Some(variable) = ctx.first_token(left.span).filter(|token| ctx.tokens.kind(*token) == TokenKind::Variable) else { return };
        if ctx.tokens.next_code_kind(variable) != Some(TokenKind::Qmark) {
            return;
        }
        if let Some(arrow) = ctx.tokens.prev_code(variable).filter(|token| ctx.tokens.kind(*token) == TokenKind::Farrow) {
            out.push(ctx.problem_at(&Self::META, "selector inside resource block", arrow));
        }
    }
}
