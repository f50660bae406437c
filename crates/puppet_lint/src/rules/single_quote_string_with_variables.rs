//! `single_quote_string_with_variables`: `'${var}'`.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet};

crate::declare_rule! {
    /// ## What it does
    /// Finds single quoted strings holding `${`, outside `inline_epp` and
    /// `inline_template` calls.
    ///
    /// ## Why
    /// Single quotes never interpolate: `'${name}'` is the text `${name}`, which is
    /// rarely what was meant.
    ///
    /// ## Example
    /// ```puppet
    /// notify { 'greeting': message => 'hello ${name}' }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// notify { 'greeting': message => "hello ${name}" }
    /// ```
    ///
    /// ## Fix
    /// None: whether interpolation was meant is for a person to decide.
    pub struct SingleQuoteStringWithVariables;
    crate::rule::RuleMeta {
        name: "single_quote_string_with_variables",
        category: "check_strings",
        default_enabled: true,
        level: Level::Error,
        fix: FixKind::None,
        summary: "single quoted strings do not interpolate variables",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Sstring]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

impl Rule for SingleQuoteStringWithVariables {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        let tokens = &ctx.tokens;
        if !tokens.value(token).contains("${") {
            return;
        }
        let two_before = tokens.prev(token).and_then(|prev| tokens.prev(prev));
        if two_before.is_some_and(|id| tokens.value(id).contains("inline_epp") || tokens.value(id).contains("inline_template")) {
            return;
        }
        out.push(ctx.problem_at(&Self::META, "single quoted string containing a variable found", token));
    }
}
