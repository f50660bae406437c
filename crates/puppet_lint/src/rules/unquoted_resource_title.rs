//! `unquoted_resource_title`: `file { foo: }`.

use puppet_syntax::ast::{Expr, ExprKind};
use puppet_syntax::visit::{KindSet, Node, NodeKind};

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds resource titles written as bare words.
    ///
    /// ## Why
    /// A bare word title is a string to Puppet, but looks like a name; quoting titles
    /// keeps them uniform and greppable.
    ///
    /// ## Example
    /// ```puppet
    /// package { ntp: }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// package { 'ntp': }
    /// ```
    ///
    /// ## Fix
    /// Safe: quotes the title.
    pub struct UnquotedResourceTitle;
    crate::rule::RuleMeta {
        name: "unquoted_resource_title",
        category: "check_resources",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "resource titles should be quoted",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::ResourceBody]),
        file: false,
        uses_resources: false,
    }
}

struct Title(TokenId);

impl Rule for UnquotedResourceTitle {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Node::ResourceBody(body) = node else { return };
        let titles: Vec<&Expr> = match &body.title.kind {
            ExprKind::LiteralList(items) => items.iter().collect(),
            _ => vec![&body.title],
        };
        for title in titles.into_iter().filter(|title| matches!(title.kind, ExprKind::QualifiedName(_))) {
            if let Some(token) = ctx.first_token(title.span).filter(|token| ctx.tokens.kind(*token) == TokenKind::Name) {
                out.push(ctx.problem_at(&Self::META, "unquoted resource title", token).with_fix(Title(token)));
            }
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Title(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        tokens.get_mut(*token).kind = TokenKind::Sstring;
        Ok(())
    }
}
