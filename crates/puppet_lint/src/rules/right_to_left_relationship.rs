//! `right_to_left_relationship`: the `<-` chaining arrow.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet};

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
        tokens: TokenKindSet::of(&[TokenKind::OutEdge]),
        file: false,
        uses_resources: false,
    }
}

impl Rule for RightToLeftRelationship {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        out.push(ctx.problem_at(&Self::META, "right-to-left (<-) relationship", token));
    }
}
