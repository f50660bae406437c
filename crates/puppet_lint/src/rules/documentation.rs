//! `documentation`: a class or defined type without a comment above it.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds classes and defined types with no comment directly above them.
    ///
    /// ## Why
    /// The comment above a class is its documentation (puppet-strings reads it).
    ///
    /// ## Example
    /// ```puppet
    /// class ntp {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// # @summary Keeps the clock in time.
    /// class ntp {}
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct Documentation;
    crate::rule::RuleMeta {
        name: "documentation",
        category: "check_documentation",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "classes and defined types should be documented",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Definition]),
        file: false,
        uses_resources: false,
    }
}

/// The comment right above a token: only whitespace and at most one line break between.
fn comment_above(tokens: &Tokens<'_>, start: TokenId) -> Option<TokenId> {
    let mut newlines = 0;
    let mut prev = tokens.prev(start);
    while let Some(id) = prev {
        let kind = tokens.kind(id);
        if !matches!(kind, TokenKind::Whitespace | TokenKind::Newline | TokenKind::Indent) {
            break;
        }
        if kind == TokenKind::Newline {
            newlines += 1;
        }
        if newlines > 1 {
            break;
        }
        prev = tokens.prev(id);
    }
    prev.filter(|id| tokens.kind(*id).is_comment())
}

impl Rule for Documentation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(definition) = ast::definition(ctx, node) else { return };
        if comment_above(&ctx.tokens, definition.keyword).is_some() {
            return;
        }
        out.push(ctx.problem_at(&Self::META, format!("{} not documented", definition.what()), definition.keyword));
    }
}
