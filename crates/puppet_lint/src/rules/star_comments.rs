//! `star_comments`: `/* */` comments.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::ruby;
use crate::token::{Token, TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds comments in `/* */`.
    ///
    /// ## Why
    /// Puppet's comments start with `#`; the style guide keeps to one comment style.
    ///
    /// ## Example
    /// ```puppet
    /// /* the web server */
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// # the web server
    /// ```
    ///
    /// ## Fix
    /// Safe: each line of the comment becomes a `#` comment at the same indentation
    /// (layout only).
    pub struct StarComments;
    crate::rule::RuleMeta {
        name: "star_comments",
        category: "check_comments",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Format,
        summary: "comments should start with #, not be in /* */",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Mlcomment]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

struct Comment(TokenId);

impl Rule for StarComments {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        out.push(ctx.problem_at(&Self::META, "/* */ comment found", token).with_fix(Comment(token)));
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Comment(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let token = *token;
        let value = tokens.value(token).to_string();
        let mut lines: Vec<String> = ruby::split(ruby::strip(&value), "\n").into_iter().map(|line| ruby::strip(line).to_string()).collect();
        let first = if lines.is_empty() { String::new() } else { lines.remove(0) };
        {
            let comment = tokens.get_mut(token);
            comment.kind = TokenKind::Comment;
            comment.value = format!(" {first}").into();
        }
        // `tokens.index(token.next_token) || 1`.
        let index = tokens.next(token).and_then(|next| tokens.index_of(next)).unwrap_or(1);
        for line in lines.iter().rev() {
            let indent = tokens.prev(token).map(|prev| tokens.value(prev).to_string());
            tokens.insert(index, Token::synthetic(TokenKind::Comment, format!(" {line}")));
            if let Some(indent) = indent {
                tokens.insert(index, Token::synthetic(TokenKind::Indent, indent));
            }
            tokens.insert(index, Token::synthetic(TokenKind::Newline, "\n"));
        }
        Ok(())
    }
}
