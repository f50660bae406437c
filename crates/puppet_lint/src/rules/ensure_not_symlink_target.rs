//! `ensure_not_symlink_target`: `ensure => '/path'` on a file.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
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
        nodes: KindSet::of(&[NodeKind::ResourceBody]),
        file: false,
        uses_resources: false,
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

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some((body, "file")) = ast::resource_body(node, ancestors) else { return };
        for (operation, _, value) in ast::attributes(body).filter(|(_, name, _)| *name == "ensure") {
            let (Some(param), Some(value)) = (ctx.first_token(operation.span()), ctx.first_token(value.span)) else { continue };
            if !ctx.tokens.value(value).starts_with('/') {
                continue;
            }
            out.push(ctx.problem_at(&Self::META, "symlink target specified in ensure attr", value).with_fix(Target { param, value }));
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
