//! `names_containing_dash`: a class or defined type name with a `-`.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::TokenKind;

crate::declare_rule! {
    /// ## What it does
    /// Finds classes and defined types whose name contains a dash.
    ///
    /// ## Why
    /// Puppet 4 and later refuse dashes in class and type names.
    ///
    /// ## Example
    /// ```puppet
    /// class foo-bar {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// class foo_bar {}
    /// ```
    ///
    /// ## Fix
    /// None: the name is referenced elsewhere.
    pub struct NamesContainingDash;
    crate::rule::RuleMeta {
        name: "names_containing_dash",
        category: "check_classes",
        default_enabled: true,
        level: Level::Error,
        fix: FixKind::None,
        summary: "class and defined type names must not contain a dash",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        file: true,
        uses_resources: false,
    }
}

impl Rule for NamesContainingDash {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        for definition in ctx.classes_and_defines() {
            let Some(name) = definition.name_token else { continue };
            if !ctx.tokens.value(name).contains('-') {
                continue;
            }
            let what = if definition.kind == TokenKind::Class { "class" } else { "defined type" };
            out.push(ctx.problem_at(&Self::META, format!("{what} name containing a dash"), name));
        }
    }
}
