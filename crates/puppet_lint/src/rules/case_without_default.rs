//! `case_without_default`: a `case` with no `default` option.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::TokenKind;

crate::declare_rule! {
    /// ## What it does
    /// Finds `case` statements without a `default` option.
    ///
    /// ## Why
    /// Without a default, a value nobody thought of silently does nothing; a default
    /// (even one that fails) makes the choice explicit.
    ///
    /// ## Example
    /// ```puppet
    /// case $facts['os']['family'] {
    ///   'Debian': { include apt }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// case $facts['os']['family'] {
    ///   'Debian': { include apt }
    ///   default: { fail('unsupported') }
    /// }
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct CaseWithoutDefault;
    crate::rule::RuleMeta {
        name: "case_without_default",
        category: "check_conditionals",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "case statements should have a default case",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        file: true,
        uses_resources: false,
    }
}

impl Rule for CaseWithoutDefault {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        let tokens = &ctx.tokens;
        let ids = tokens.ids();
        // Each case from its keyword to the `}` closing its first `{`.
        let mut cases: Vec<(usize, usize)> = Vec::new();
        for (start, id) in ids.iter().enumerate() {
            if tokens.kind(*id) != TokenKind::Case {
                continue;
            }
            let mut depth = 0i64;
            for (index, candidate) in ids.iter().enumerate().skip(start + 1) {
                match tokens.kind(*candidate) {
                    TokenKind::Lbrace => depth += 1,
                    TokenKind::Rbrace => {
                        depth -= 1;
                        if depth == 0 {
                            cases.push((start, index));
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        for (position, (start, end)) in cases.iter().enumerate() {
            // The tokens of the cases after this one do not count (nested cases).
            let later = &cases[position + 1..];
            let mut depth = 0i64;
            let mut found_default = false;
            for (index, id) in ids.iter().enumerate().take(*end + 1).skip(*start) {
                if later.iter().any(|(later_start, later_end)| (*later_start..=*later_end).contains(&index)) {
                    continue;
                }
                match tokens.kind(*id) {
                    TokenKind::Lbrace => depth += 1,
                    TokenKind::Rbrace => depth -= 1,
                    TokenKind::Default if depth == 1 => {
                        found_default = true;
                        break;
                    }
                    _ => {}
                }
            }
            if !found_default {
                out.push(ctx.problem_at(&Self::META, "case statement without a default case", ids[*start]));
            }
        }
    }
}
