//! `2sp_soft_tabs`: indentation that is not a multiple of two spaces.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet};

crate::declare_rule! {
    /// ## What it does
    /// Finds lines indented by an odd number of characters.
    ///
    /// ## Why
    /// The style guide indents by two spaces; odd indentation is a misaligned line.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///    ensure => file,
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
    /// None.
    pub struct SoftTabs2sp;
    crate::rule::RuleMeta {
        name: "2sp_soft_tabs",
        category: "check_whitespace",
        default_enabled: true,
        level: Level::Error,
        fix: FixKind::None,
        summary: "indentation should be in steps of two spaces",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Indent]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

impl Rule for SoftTabs2sp {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        if !ctx.tokens.value(token).chars().count().is_multiple_of(2) {
            out.push(ctx.problem_at(&Self::META, "two-space soft tabs not used", token));
        }
    }
}
