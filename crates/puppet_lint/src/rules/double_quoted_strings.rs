//! `double_quoted_strings`: `"text"` with nothing that needs double quotes.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds double quoted strings with no variables and no escapes that need double
    /// quotes (`\n`, `\t`, `\$`, `\"`, `\\`, a single quote, ...).
    ///
    /// ## Why
    /// Double quotes tell the reader "something is interpolated here"; plain text in
    /// single quotes says it is not.
    ///
    /// ## Example
    /// ```puppet
    /// $message = "hello"
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// $message = 'hello'
    /// ```
    ///
    /// ## Fix
    /// Safe: the string is single quoted, where that keeps its value (the AST stays the
    /// same). Refused where single quotes would change it: an escape such as `\u00e9`
    /// that only double quotes understand.
    pub struct DoubleQuotedStrings;
    crate::rule::RuleMeta {
        name: "double_quoted_strings",
        category: "check_strings",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Format,
        summary: "strings without variables or escapes should be single quoted",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::String]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

struct Quoted(TokenId);

/// puppet-lint's test: after turning runs of `column` spaces into newlines, does the
/// value hold one of `\$ \" \' ' CR TAB \t \s LF \n \\`?
fn needs_double_quotes(value: &str, column: u32) -> bool {
    const ESCAPES: [&str; 11] = ["\\$", "\\\"", "\\'", "'", "\r", "\t", "\\t", "\\s", "\n", "\\n", "\\\\"];
    if column > 0 && value.contains(&" ".repeat(column as usize)) {
        return true;
    }
    ESCAPES.iter().any(|escape| value.contains(escape))
}

impl Rule for DoubleQuotedStrings {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        let string = ctx.tokens.get(token);
        if needs_double_quotes(&string.value, string.column) {
            return;
        }
        out.push(ctx.problem_at(&Self::META, "double quoted string containing no variables", token).with_fix(Quoted(token)));
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Quoted(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        tokens.get_mut(*token).kind = TokenKind::Sstring;
        Ok(())
    }
}
