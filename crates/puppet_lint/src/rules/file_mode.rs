//! `file_mode`: a file mode that is not 4 octal digits or a symbolic mode.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds `file` and `concat` resources whose `mode` is neither four octal digits
    /// (`'0644'`) nor a symbolic mode (`'u=rw,go=r'`).
    ///
    /// ## Why
    /// Three digits and numbers are easy to misread (is `644` octal?); four digits in a
    /// string are what Puppet documents.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///   mode => '644',
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
    /// Safe for three octal digits: `644` and `'644'` become `'0644'`.
    pub struct FileMode;
    crate::rule::RuleMeta {
        name: "file_mode",
        category: "check_resources",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "file modes should be 4 octal digits or symbolic",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::ResourceBody]),
        file: false,
        uses_resources: false,
    }
}

struct Mode(TokenId);

/// One clause of a symbolic mode: `[ugoa]*[-=+][-=+rstwxXugo]*`.
fn symbolic_clause(clause: &str) -> bool {
    let rest = clause.trim_start_matches(['u', 'g', 'o', 'a']);
    let mut chars = rest.chars();
    matches!(chars.next(), Some('-' | '=' | '+')) && chars.all(|ch| "-=+rstwxXugo".contains(ch))
}

/// puppet-lint's `MODE_RE`: `\A([0-7]{4}|SYM_RE)\Z`.
pub fn valid_mode(value: &str) -> bool {
    let value = value.strip_suffix('\n').unwrap_or(value);
    let octal = value.len() == 4 && value.bytes().all(|byte| (b'0'..=b'7').contains(&byte));
    octal || value.split(',').all(symbolic_clause)
}

impl Rule for FileMode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some((body, "file" | "concat")) = ast::resource_body(node, ancestors) else { return };
        for (_, _, value) in ast::attributes(body).filter(|(_, name, _)| *name == "mode") {
            let Some(value) = ctx.first_token(value.span) else { break };
            // puppet-lint stops at the first mode it does not flag.
            if matches!(ctx.tokens.kind(value), TokenKind::Variable | TokenKind::Undef | TokenKind::FunctionName) || valid_mode(ctx.tokens.value(value)) {
                break;
            }
            let message = "mode should be represented as a 4 digit octal value or symbolic mode";
            out.push(ctx.problem_at(&Self::META, message, value).with_fix(Mode(value)));
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Mode(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let value = tokens.value(*token);
        let digits = value.strip_suffix('\n').unwrap_or(value);
        if !(digits.len() == 3 && digits.bytes().all(|byte| (b'0'..=b'7').contains(&byte))) {
            return Err(NoFix::NotFixable);
        }
        let token = tokens.get_mut(*token);
        token.kind = TokenKind::Sstring;
        token.value = format!("0{}", token.value).into();
        Ok(())
    }
}
