//! `code_on_top_scope`: code outside any class or defined type.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};

crate::declare_rule! {
    /// ## What it does
    /// Reports every token outside a class or defined type (off by default, as in
    /// puppet-lint: site manifests and node definitions live at top scope).
    ///
    /// ## Why
    /// In a module, code at top scope runs for every node that loads the file.
    ///
    /// ## Example
    /// ```puppet
    /// package { 'ntp': }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// class ntp {
    ///   package { 'ntp': }
    /// }
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct CodeOnTopScope;
    crate::rule::RuleMeta {
        name: "code_on_top_scope",
        category: "check_classes",
        default_enabled: false,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "code should be inside a class or defined type",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: crate::rule::NO_NODES,
        file: true,
        uses_resources: false,
    }
}

impl Rule for CodeOnTopScope {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        let ids = ctx.tokens.ids();
        let mut inside = vec![false; ids.len()];
        for definition in ctx.classes_and_defines() {
            for flag in &mut inside[definition.start..=definition.end.min(ids.len() - 1)] {
                *flag = true;
            }
        }
        for (index, id) in ids.iter().enumerate() {
            if inside[index] || ctx.tokens.kind(*id).is_formatting() {
                continue;
            }
            let message = format!("code outside of class or define block - {}", ctx.tokens.value(*id));
            out.push(ctx.problem_at(&Self::META, message, *id));
        }
    }
}
