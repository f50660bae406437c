//! `selector_inside_resource`: `attr => $x ? { ... }` in a resource.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::TokenKind;

crate::declare_rule! {
    /// ## What it does
    /// Finds selectors used as attribute values inside resource declarations.
    ///
    /// ## Why
    /// The style guide keeps resource declarations simple: choose the value in a
    /// variable first, then use the variable.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///   owner => $facts['os']['family'] ? { 'Debian' => 'root', default => 'adm' },
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// $owner = $facts['os']['family'] ? { 'Debian' => 'root', default => 'adm' }
    /// file { '/etc/motd':
    ///   owner => $owner,
    /// }
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct SelectorInsideResource;
    crate::rule::RuleMeta {
        name: "selector_inside_resource",
        category: "check_conditionals",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "resources should not contain selectors",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        file: true,
        uses_resources: true,
    }
}

impl Rule for SelectorInsideResource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        let tokens = &ctx.tokens;
        for resource in ctx.resources() {
            for id in &tokens.ids()[resource.colon..=resource.end] {
                if tokens.kind(*id) != TokenKind::Farrow {
                    continue;
                }
                let Some(value) = tokens.next_code(*id).filter(|value| tokens.kind(*value) == TokenKind::Variable) else { continue };
                if tokens.next_code_kind(value) == Some(TokenKind::Qmark) {
                    out.push(ctx.problem_at(&Self::META, "selector inside resource block", *id));
                }
            }
        }
    }
}
