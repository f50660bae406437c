//! `only_variable_string`: `"${var}"`.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds strings that hold one variable and nothing else.
    ///
    /// ## Why
    /// `"${var}"` turns the value into a string for no reason; `$var` keeps its type
    /// (an array stays an array).
    ///
    /// ## Example
    /// ```puppet
    /// $path = "${dir}"
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// $path = $dir
    /// ```
    ///
    /// ## Fix
    /// Safe: the quotes are removed.
    pub struct OnlyVariableString;
    crate::rule::RuleMeta {
        name: "only_variable_string",
        category: "check_strings",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "a string holding only a variable should be the variable",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Dqpre]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

struct Unquote {
    start: TokenId,
    variable: TokenId,
    end: TokenId,
}

impl Rule for OnlyVariableString {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        let tokens = &ctx.tokens;
        if !tokens.value(token).is_empty() {
            return;
        }
        let Some(variable) = tokens.next(token).filter(|next| matches!(tokens.kind(*next), TokenKind::Variable | TokenKind::UnencVariable)) else {
            return;
        };
        let ids = tokens.ids();
        let start = token as usize;
        let mut offset = 2;
        loop {
            let Some(end) = ids.get(start + offset).copied() else { return };
            match tokens.kind(end) {
                TokenKind::Lbrack => offset += 3,
                TokenKind::Dqpost => {
                    if tokens.value(end).is_empty() && tokens.next_code_kind(end) != Some(TokenKind::Farrow) {
                        let problem = ctx.problem_at(&Self::META, "string containing only a variable", variable);
                        out.push(problem.with_fix(Unquote { start: token, variable, end }));
                    }
                    return;
                }
                _ => return,
            }
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Unquote { start, variable, end }) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        tokens.delete(*start);
        tokens.delete(*end);
        tokens.get_mut(*variable).kind = TokenKind::Variable;
        Ok(())
    }
}
