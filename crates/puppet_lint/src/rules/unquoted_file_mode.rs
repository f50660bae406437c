//! `unquoted_file_mode`: `mode => 0644`.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds `file` and `concat` modes written as bare numbers or words.
    ///
    /// ## Why
    /// A bare `0644` is a number to Puppet (octal, then printed in decimal in places);
    /// a string says exactly what is meant.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///   mode => 0644,
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// file { '/etc/motd':
    ///   mode => '0644',
    /// }
    /// ```
    ///
    /// ## Fix
    /// Safe: quotes the mode.
    pub struct UnquotedFileMode;
    crate::rule::RuleMeta {
        name: "unquoted_file_mode",
        category: "check_resources",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "file modes should be quoted",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        file: true,
        uses_resources: true,
    }
}

struct Mode(TokenId);

impl Rule for UnquotedFileMode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        let tokens = &ctx.tokens;
        for resource in ctx.resources() {
            if resource.type_token.is_none_or(|type_token| !matches!(tokens.value(type_token), "file" | "concat")) {
                continue;
            }
            for param in resource.param_tokens.iter().copied().filter(|param| tokens.value(*param) == "mode") {
                let Some(value) = tokens.next_code(param).and_then(|arrow| tokens.next_code(arrow)) else { continue };
                if matches!(tokens.kind(value), TokenKind::Name | TokenKind::Number) {
                    out.push(ctx.problem_at(&Self::META, "unquoted file mode", value).with_fix(Mode(value)));
                }
            }
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Mode(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        tokens.get_mut(*token).kind = TokenKind::Sstring;
        Ok(())
    }
}
