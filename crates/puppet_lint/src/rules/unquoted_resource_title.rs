//! `unquoted_resource_title`: `file { foo: }`.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds resource titles written as bare words.
    ///
    /// ## Why
    /// A bare word title is a string to Puppet, but looks like a name; quoting titles
    /// keeps them uniform and greppable.
    ///
    /// ## Example
    /// ```puppet
    /// package { ntp: }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// package { 'ntp': }
    /// ```
    ///
    /// ## Fix
    /// Safe: quotes the title.
    pub struct UnquotedResourceTitle;
    crate::rule::RuleMeta {
        name: "unquoted_resource_title",
        category: "check_resources",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "resource titles should be quoted",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        file: true,
        uses_resources: false,
    }
}

struct Title(TokenId);

impl Rule for UnquotedResourceTitle {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        for token in ctx.title_tokens() {
            if ctx.tokens.kind(*token) == TokenKind::Name {
                out.push(ctx.problem_at(&Self::META, "unquoted resource title", *token).with_fix(Title(*token)));
            }
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Title(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        tokens.get_mut(*token).kind = TokenKind::Sstring;
        Ok(())
    }
}
