//! `names_containing_uppercase`: a class or defined type name with capitals.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds classes and defined types whose name contains an uppercase letter.
    ///
    /// ## Why
    /// Module and class names are lowercase; Puppet's autoloader looks for lowercase
    /// file names.
    ///
    /// ## Example
    /// ```puppet
    /// class Foo::Bar {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// class foo::bar {}
    /// ```
    ///
    /// ## Fix
    /// Safe: lowercases the name where it is defined (references elsewhere are not
    /// changed).
    pub struct NamesContainingUppercase;
    crate::rule::RuleMeta {
        name: "names_containing_uppercase",
        category: "check_classes",
        default_enabled: true,
        level: Level::Error,
        fix: FixKind::Rewrite,
        summary: "class and defined type names must be lowercase",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        file: true,
        uses_resources: false,
    }
}

struct Name(TokenId);

impl Rule for NamesContainingUppercase {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        for definition in ctx.classes_and_defines() {
            let Some(name_token) = definition.name_token else { continue };
            let name = ctx.tokens.value(name_token);
            if !name.bytes().any(|byte| byte.is_ascii_uppercase()) {
                continue;
            }
            let what = if definition.kind == TokenKind::Class { "class" } else { "defined type" };
            let message = format!("{what} '{name}' contains illegal uppercase");
            out.push(ctx.problem_at(&Self::META, message, name_token).with_fix(Name(name_token)));
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Name(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let token = tokens.get_mut(*token);
        token.value = token.value.to_lowercase().into();
        Ok(())
    }
}
