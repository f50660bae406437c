//! `quoted_booleans`: `'true'` and `'false'` as strings.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds strings that hold only `true` or `false` (off by default, as in puppet-lint).
    ///
    /// ## Why
    /// The string `'false'` is true in a condition; a boolean says what is meant.
    ///
    /// ## Example
    /// ```puppet
    /// service { 'ntp':
    ///   enable => 'true',
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// service { 'ntp':
    ///   enable => true,
    /// }
    /// ```
    ///
    /// ## Fix
    /// Safe: the quotes are removed (the value becomes a boolean, as intended).
    pub struct QuotedBooleans;
    crate::rule::RuleMeta {
        name: "quoted_booleans",
        category: "check_strings",
        default_enabled: false,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "booleans should not be quoted",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::String, TokenKind::Sstring]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

struct Boolean(TokenId);

impl Rule for QuotedBooleans {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        if matches!(ctx.tokens.value(token), "true" | "false") {
            out.push(ctx.problem_at(&Self::META, "quoted boolean value found", token).with_fix(Boolean(token)));
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Boolean(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let kind = if tokens.value(*token) == "true" { TokenKind::True } else { TokenKind::False };
        tokens.get_mut(*token).kind = kind;
        Ok(())
    }
}
