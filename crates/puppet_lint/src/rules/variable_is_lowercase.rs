//! `variable_is_lowercase`: `$Foo`.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta};
use crate::ruby;
use crate::token::{TokenId, TokenKind, TokenKindSet};

crate::declare_rule! {
    /// ## What it does
    /// Finds variable names containing an uppercase letter.
    ///
    /// ## Why
    /// Puppet variable names start lowercase by convention, and names that differ only
    /// in case are easy to confuse.
    ///
    /// ## Example
    /// ```puppet
    /// $logDir = '/var/log'
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// $log_dir = '/var/log'
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct VariableIsLowercase;
    crate::rule::RuleMeta {
        name: "variable_is_lowercase",
        category: "check_variables",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "variable names should be lowercase",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Variable, TokenKind::UnencVariable]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

impl Rule for VariableIsLowercase {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        let value = ctx.tokens.value(token);
        let has_upper = |text: &str| text.bytes().any(|byte| byte.is_ascii_uppercase());
        if has_upper(value) && has_upper(&ruby::remove_index_brackets(value)) {
            out.push(ctx.problem_at(&Self::META, "variable contains an uppercase letter", token));
        }
    }
}
