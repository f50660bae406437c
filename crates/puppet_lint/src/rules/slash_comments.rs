//! `slash_comments`: `//` comments.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds comments started with `//`.
    ///
    /// ## Why
    /// Puppet's comments start with `#`; the style guide keeps to one comment style.
    ///
    /// ## Example
    /// ```puppet
    /// // the web server
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// # the web server
    /// ```
    ///
    /// ## Fix
    /// Safe: `//` becomes `#`, where that keeps the AST. In Puppet `//` starts an empty
    /// regex, so in code Puppet parses there is no `//` comment to find: this check only
    /// matters to puppet-lint, which reads `//` as a comment.
    pub struct SlashComments;
    crate::rule::RuleMeta {
        name: "slash_comments",
        category: "check_comments",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Format,
        summary: "comments should start with #, not //",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::SlashComment]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

struct Comment(TokenId);

impl Rule for SlashComments {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        out.push(ctx.problem_at(&Self::META, "// comment found", token).with_fix(Comment(token)));
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Comment(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        tokens.get_mut(*token).kind = TokenKind::Comment;
        Ok(())
    }
}
