//! `unquoted_file_mode`: `mode => 0644`.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
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
        nodes: KindSet::of(&[NodeKind::ResourceBody]),
        file: false,
        uses_resources: false,
    }
}

struct Mode(TokenId);

impl Rule for UnquotedFileMode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some((body, "file" | "concat")) = ast::resource_body(node, ancestors) else { return };
        for (_, _, value) in ast::attributes(body).filter(|(_, name, _)| *name == "mode") {
            let Some(value) = ctx.first_token(value.span) else { continue };
            if matches!(ctx.tokens.kind(value), TokenKind::Name | TokenKind::Number) {
                out.push(ctx.problem_at(&Self::META, "unquoted file mode", value).with_fix(Mode(value)));
            }
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Mode(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        tokens.get_mut(*token).kind = TokenKind::Sstring;
        Ok(())
    }
}
