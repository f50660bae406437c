//! `right_to_left_relationship`: the `<-` chaining arrow.

use puppet_syntax::ast::{BinaryOp, ExprKind};
use puppet_syntax::visit::{KindSet, Node, NodeKind};

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};

crate::declare_rule! {
    /// ## What it does
    /// Finds right-to-left relationships (`<-`).
    ///
    /// ## Why
    /// Relationships read left to right everywhere else; one direction keeps chains
    /// readable.
    ///
    /// ## Example
    /// ```puppet
    /// Service['httpd'] <- Package['httpd']
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// Package['httpd'] -> Service['httpd']
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct RightToLeftRelationship;
    crate::rule::RuleMeta {
        name: "right_to_left_relationship",
        category: "check_classes",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "relationships should go left to right",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Binary]),
        file: false,
        uses_resources: false,
    }
}

impl Rule for RightToLeftRelationship {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(ExprKind::Binary { op: BinaryOp::OutEdge, op_span, .. }) = node.expr().map(|expr| &expr.kind) else { return };
        if let Some(arrow) = ctx.first_token(*op_span) {
            out.push(ctx.problem_at(&Self::META, "right-to-left (<-) relationship", arrow));
        }
    }
}
