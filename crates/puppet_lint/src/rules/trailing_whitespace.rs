//! `trailing_whitespace`: whitespace at the end of a line.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds spaces and tabs at the end of lines (outside strings and heredocs).
    ///
    /// ## Why
    /// Invisible characters make noisy diffs and confuse editors.
    ///
    /// ## Example
    /// ```puppet
    /// include ntp   
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// include ntp
    /// ```
    ///
    /// ## Fix
    /// Safe: the whitespace is removed (layout only).
    pub struct TrailingWhitespace;
    crate::rule::RuleMeta {
        name: "trailing_whitespace",
        category: "check_whitespace",
        default_enabled: true,
        level: Level::Error,
        fix: FixKind::Format,
        summary: "lines should not end with whitespace",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Whitespace, TokenKind::Indent]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

struct Trailing(TokenId);

impl Rule for TrailingWhitespace {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        if ctx.tokens.next(token).is_none_or(|next| ctx.tokens.kind(next) == TokenKind::Newline) {
            out.push(ctx.problem_at(&Self::META, "trailing whitespace found", token).with_fix(Trailing(token)));
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Trailing(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let (prev, next) = (tokens.prev(*token), tokens.next(*token));
        if let Some(prev) = prev {
            tokens.get_mut(prev).next = next;
        }
        if let Some(next) = next {
            tokens.get_mut(next).prev = prev;
        }
        tokens.remove_from_order(*token);
        Ok(())
    }
}
