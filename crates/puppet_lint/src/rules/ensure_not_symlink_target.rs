//! `ensure_not_symlink_target`: `ensure => '/path'` on a file.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{Token, TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds `file` resources whose `ensure` is a path (a symlink target).
    ///
    /// ## Why
    /// `ensure => link` with `target => ...` says what is meant; a path in `ensure` is an
    /// old shortcut the style guide retired.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///   ensure => '/etc/issue',
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// file { '/etc/motd':
    ///   ensure => symlink,
    ///   target => '/etc/issue',
    /// }
    /// ```
    ///
    /// ## Fix
    /// Safe: rewrites to `ensure => symlink` and a `target` attribute.
    pub struct EnsureNotSymlinkTarget;
    crate::rule::RuleMeta {
        name: "ensure_not_symlink_target",
        category: "check_resources",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "a file's symlink target belongs in target, not ensure",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        file: true,
        uses_resources: true,
    }
}

struct Target {
    param: TokenId,
    value: TokenId,
}

impl Rule for EnsureNotSymlinkTarget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        let tokens = &ctx.tokens;
        for resource in ctx.resources() {
            if resource.type_token.is_none_or(|type_token| tokens.value(type_token) != "file") {
                continue;
            }
            for param in resource.param_tokens.iter().copied().filter(|param| tokens.value(*param) == "ensure") {
                let Some(value) = tokens.next_code(param).and_then(|arrow| tokens.next_code(arrow)) else { continue };
                if !tokens.value(value).starts_with('/') {
                    continue;
                }
                out.push(ctx.problem_at(&Self::META, "symlink target specified in ensure attr", value).with_fix(Target { param, value }));
            }
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Target { param, value }) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let Some(index) = tokens.index_of(*value) else { return Err(NoFix::NotFixable) };
        let indent = tokens.prev(*param).map(|prev| tokens.value(prev).to_string()).unwrap_or_default();
        let inserted = [
            Token::synthetic(TokenKind::Name, "symlink"),
            Token::synthetic(TokenKind::Comma, ","),
            Token::synthetic(TokenKind::Newline, "\n"),
            Token::synthetic(TokenKind::Indent, indent),
            Token::synthetic(TokenKind::Name, "target"),
            Token::synthetic(TokenKind::Whitespace, " "),
            Token::synthetic(TokenKind::Farrow, "=>"),
            Token::synthetic(TokenKind::Whitespace, " "),
        ];
        for token in inserted.into_iter().rev() {
            tokens.insert_unlinked(index, token);
        }
        Ok(())
    }
}
