//! `case_without_default`: a `case` with no `default` option.

use puppet_syntax::ast::ExprKind;
use puppet_syntax::visit::{KindSet, Node, NodeKind};

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};

crate::declare_rule! {
    /// ## What it does
    /// Finds `case` statements without a `default` option.
    ///
    /// ## Why
    /// Without a default, a value nobody thought of silently does nothing; a default
    /// (even one that fails) makes the choice explicit.
    ///
    /// ## Example
    /// ```puppet
    /// case $facts['os']['family'] {
    ///   'Debian': { include apt }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// case $facts['os']['family'] {
    ///   'Debian': { include apt }
    ///   default: { fail('unsupported') }
    /// }
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct CaseWithoutDefault;
    crate::rule::RuleMeta {
        name: "case_without_default",
        category: "check_conditionals",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "case statements should have a default case",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Case]),
        file: false,
        uses_resources: false,
    }
}

impl Rule for CaseWithoutDefault {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(expr) = node.expr() else { return };
        let ExprKind::Case { options, .. } = &expr.kind else { return };
        let has_default = options.iter().any(|option| option.values.iter().any(|value| matches!(value.kind, ExprKind::LiteralDefault)));
        if has_default {
            return;
        }
        if let Some(keyword) = ctx.first_token(expr.span) {
            out.push(ctx.problem_at(&Self::META, "case statement without a default case", keyword));
        }
    }
}
