//! `variable_contains_dash`: `$foo-bar`.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta};
use crate::ruby;
use crate::token::{TokenId, TokenKind, TokenKindSet};

crate::declare_rule! {
    /// ## What it does
    /// Finds variable names containing a dash.
    ///
    /// ## Why
    /// Puppet reads `$foo-bar` as `$foo` minus `bar`; dashes in variable names do not
    /// work in current Puppet.
    ///
    /// ## Example
    /// ```puppet
    /// $log-dir = '/var/log'
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// $log_dir = '/var/log'
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct VariableContainsDash;
    crate::rule::RuleMeta {
        name: "variable_contains_dash",
        category: "check_variables",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "variable names should not contain a dash",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Variable, TokenKind::UnencVariable]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

impl Rule for VariableContainsDash {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        let value = ctx.tokens.value(token);
        if value.contains('-') && ruby::remove_index_brackets(value).contains('-') {
            out.push(ctx.problem_at(&Self::META, "variable contains a dash", token));
        }
    }
}
