//! `parameter_order`: an optional parameter before a required one.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds class and defined type parameters without a default that come after a
    /// parameter with one.
    ///
    /// ## Why
    /// Required parameters first is the style guide's order; readers see at once what a
    /// caller must give.
    ///
    /// ## Example
    /// ```puppet
    /// class ntp (
    ///   $servers = [],
    ///   $package,
    /// ) {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// class ntp (
    ///   $package,
    ///   $servers = [],
    /// ) {}
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct ParameterOrder;
    crate::rule::RuleMeta {
        name: "parameter_order",
        category: "check_classes",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "required parameters should come before optional ones",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        file: true,
        uses_resources: false,
    }
}

/// puppet-lint's `parameter?`: a variable right after `(`, `,` or a type.
fn is_parameter(tokens: &Tokens<'_>, token: TokenId) -> bool {
    tokens.kind(token) == TokenKind::Variable
        && matches!(
            tokens.prev_code_kind(token),
            Some(TokenKind::Lparen | TokenKind::Comma | TokenKind::Type | TokenKind::Rbrack | TokenKind::Classref)
        )
}

/// puppet-lint's `required_parameter?`: followed by `,` or `)` (no default).
fn is_required(tokens: &Tokens<'_>, token: TokenId) -> bool {
    match tokens.next_code_kind(token) {
        None | Some(TokenKind::Comma | TokenKind::Rparen) => tokens.prev_code_kind(token) != Some(TokenKind::Equals),
        _ => false,
    }
}

impl Rule for ParameterOrder {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        for definition in ctx.classes_and_defines() {
            if definition.param_tokens.is_none() {
                continue;
            }
            let params = definition.params(&ctx.tokens);
            let mut parens = 0usize;
            let mut nesting = 0usize;
            for (index, token) in params.iter().enumerate() {
                match ctx.tokens.kind(*token) {
                    TokenKind::Lparen => parens += 1,
                    TokenKind::Rparen => parens = parens.saturating_sub(1),
                    TokenKind::Lbrace | TokenKind::Lbrack => nesting += 1,
                    TokenKind::Rbrace | TokenKind::Rbrack => nesting = nesting.saturating_sub(1),
                    _ => {}
                }
                if nesting != 0 || parens != 0 || !is_parameter(&ctx.tokens, *token) || !is_required(&ctx.tokens, *token) {
                    continue;
                }
                if !params[..=index].iter().any(|before| ctx.tokens.kind(*before) == TokenKind::Equals) {
                    continue;
                }
                out.push(ctx.problem_at(&Self::META, "optional parameter listed before required parameter", *token));
            }
        }
    }
}
