//! `unquoted_node_name`: `node foo {}`.

use crate::context::{problem, Context};
use crate::rule::{FixKind, FixResult, Kind, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds node names that are bare words.
    ///
    /// ## Why
    /// A bare node name cannot hold dots or dashes of a host name; quoting every name
    /// keeps node definitions uniform.
    ///
    /// ## Example
    /// ```puppet
    /// node web01 {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// node 'web01' {}
    /// ```
    ///
    /// ## Fix
    /// Safe: quotes the name. Refused where puppet-lint would quote a dotted name part by
    /// part (`'web'.'example'.'com'`), which Puppet cannot parse.
    pub struct UnquotedNodeName;
    crate::rule::RuleMeta {
        name: "unquoted_node_name",
        category: "check_nodes",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "node names should be quoted",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Node]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

struct Name(TokenId);

impl Rule for UnquotedNodeName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        let ids = ctx.tokens.ids();
        let start = token as usize;
        let Some(lbrace) = ids[start..].iter().position(|id| ctx.tokens.kind(*id) == TokenKind::Lbrace) else {
            let node = ctx.tokens.get(token);
            let mut syntax = problem(&Self::META, "Syntax error (try running `puppet parser validate <file>`)", node.line, node.column);
            syntax.check = "syntax";
            syntax.kind = Kind::Error;
            out.push(syntax);
            return;
        };
        for id in &ids[start..=start + lbrace] {
            if ctx.tokens.kind(*id) == TokenKind::Name && ctx.tokens.value(*id) != "default" {
                out.push(ctx.problem_at(&Self::META, "unquoted node name found", *id).with_fix(Name(*id)));
            }
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Name(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        tokens.get_mut(*token).kind = TokenKind::Sstring;
        Ok(())
    }
}
