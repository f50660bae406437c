//! `arrow_on_right_operand_line`: a chaining arrow at the end of a line.

use puppet_syntax::ast::{BinaryOp, ExprKind};
use puppet_syntax::visit::{KindSet, Node, NodeKind};

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{Token, TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds a chaining arrow (`->` or `~>`) left on the line of its left operand while
    /// the right operand is on the next line.
    ///
    /// ## Why
    /// The style guide puts the arrow in front of the resource it points to, so a chain
    /// reads top to bottom, one relationship per line.
    ///
    /// ## Example
    /// ```puppet
    /// Package['httpd'] ->
    ///   Service['httpd']
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// Package['httpd']
    ///   -> Service['httpd']
    /// ```
    ///
    /// ## Fix
    /// Safe: moves the arrow in front of the right operand (layout only).
    pub struct ArrowOnRightOperandLine;
    crate::rule::RuleMeta {
        name: "arrow_on_right_operand_line",
        category: "check_classes",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Format,
        summary: "a chaining arrow should be on the line of its right operand",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Binary]),
        file: false,
        uses_resources: false,
    }
}

/// The arrow to move.
struct Arrow(TokenId);

impl Rule for ArrowOnRightOperandLine {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(ExprKind::Binary { op: BinaryOp::InEdge | BinaryOp::InEdgeSub, op_span, .. }) = node.expr().map(|expr| &expr.kind) else { return };
        let Some(arrow) = ctx.first_token(*op_span) else { return };
        let Some(next) = ctx.tokens.next_code(arrow) else { return };
        if ctx.tokens.get(next).line == ctx.tokens.get(arrow).line {
            return;
        }
        out.push(ctx.problem_at(&Self::META, "arrow should be on the right operand's line", arrow).with_fix(Arrow(arrow)));
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Arrow(arrow)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let arrow = *arrow;
        let (Some(left), Some(right)) = (tokens.prev_code(arrow), tokens.next_code(arrow)) else { return Err(NoFix::NotFixable) };
        tokens.delete(arrow);
        let Some(right_index) = tokens.index_of(right) else { return Err(NoFix::NotFixable) };
        tokens.link_in(right_index, arrow);
        let line = tokens.get(right).line;
        let mut space = Token::synthetic(TokenKind::Whitespace, " ");
        space.line = line;
        space.column = 3;
        tokens.insert(right_index + 1, space);
        let Some(trailing) = tokens.next(left).filter(|next| tokens.kind(*next) == TokenKind::Whitespace) else { return Ok(()) };
        if tokens.next(trailing).is_some_and(|after| matches!(tokens.kind(after), TokenKind::Newline | TokenKind::Whitespace)) {
            tokens.delete(trailing);
        }
        Ok(())
    }
}
