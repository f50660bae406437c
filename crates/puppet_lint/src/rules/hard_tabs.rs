//! `hard_tabs`: tab characters in indentation or between tokens.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds tab characters in whitespace between tokens.
    ///
    /// ## Why
    /// Tabs display at different widths in different tools; the style guide indents
    /// with spaces.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    /// 	ensure => file,
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
    /// Safe: each tab becomes two spaces (layout only).
    pub struct HardTabs;
    crate::rule::RuleMeta {
        name: "hard_tabs",
        category: "check_whitespace",
        default_enabled: true,
        level: Level::Error,
        fix: FixKind::Format,
        summary: "whitespace should not contain tabs",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Indent, TokenKind::Whitespace]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

struct Tab(TokenId);

impl Rule for HardTabs {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        if ctx.tokens.value(token).contains('\t') {
            out.push(ctx.problem_at(&Self::META, "tab character found", token).with_fix(Tab(token)));
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Tab(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let token = tokens.get_mut(*token);
        token.value = token.value.replace('\t', "  ").into();
        Ok(())
    }
}
