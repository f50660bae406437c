//! `duplicate_params`: the same attribute twice in one resource body.

use std::collections::{HashMap, HashSet};

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::TokenKind;

crate::declare_rule! {
    /// ## What it does
    /// Finds an attribute given twice in the same resource body.
    ///
    /// ## Why
    /// Puppet refuses the catalog ("Duplicate parameter"); only one of the values was
    /// meant.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///   ensure => file,
    ///   ensure => absent,
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
    /// None: which value is right is for a person to decide.
    pub struct DuplicateParams;
    crate::rule::RuleMeta {
        name: "duplicate_params",
        category: "check_resources",
        default_enabled: true,
        level: Level::Error,
        fix: FixKind::None,
        summary: "a resource must not set the same attribute twice",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        file: true,
        uses_resources: true,
    }
}

impl Rule for DuplicateParams {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        let tokens = &ctx.tokens;
        for resource in ctx.resources() {
            let mut seen: HashMap<i64, HashSet<&str>> = HashMap::new();
            let mut level = 0i64;
            for id in &tokens.ids()[resource.colon..=resource.end] {
                match tokens.kind(*id) {
                    TokenKind::Lbrace => level += 1,
                    TokenKind::Rbrace => {
                        seen.remove(&level);
                        level -= 1;
                    }
                    TokenKind::Farrow => {
                        let Some(name) = tokens.prev_code(*id).filter(|name| tokens.kind(*name) == TokenKind::Name) else { continue };
                        if !seen.entry(level).or_default().insert(tokens.value(name)) {
                            out.push(ctx.problem_at(&Self::META, "duplicate parameter found in resource", name));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
