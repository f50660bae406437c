//! `names_containing_uppercase`: a class or defined type name with capitals.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{TokenId, Tokens};

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
        nodes: KindSet::of(&[NodeKind::Definition]),
        file: false,
        uses_resources: false,
    }
}

struct Name(TokenId);

impl Rule for NamesContainingUppercase {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(definition) = ast::definition(ctx, node) else { return };
        let Some(name_token) = definition.name_token(ctx) else { return };
        let name = ctx.tokens.value(name_token);
        if !name.bytes().any(|byte| byte.is_ascii_uppercase()) {
            return;
        }
        let message = format!("{} '{name}' contains illegal uppercase", definition.what());
        out.push(ctx.problem_at(&Self::META, message, name_token).with_fix(Name(name_token)));
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Name(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let token = tokens.get_mut(*token);
        token.value = token.value.to_lowercase().into();
        Ok(())
    }
}
