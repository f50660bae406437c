//! `names_containing_dash`: a class or defined type name with a `-`.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};

crate::declare_rule! {
    /// ## What it does
    /// Finds classes and defined types whose name contains a dash.
    ///
    /// ## Why
    /// Puppet 4 and later refuse dashes in class and type names.
    ///
    /// ## Example
    /// ```puppet
    /// class foo-bar {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// class foo_bar {}
    /// ```
    ///
    /// ## Fix
    /// None: the name is referenced elsewhere.
    pub struct NamesContainingDash;
    crate::rule::RuleMeta {
        name: "names_containing_dash",
        category: "check_classes",
        default_enabled: true,
        level: Level::Error,
        fix: FixKind::None,
        summary: "class and defined type names must not contain a dash",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Definition]),
        file: false,
        uses_resources: false,
    }
}

impl Rule for NamesContainingDash {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(definition) = ast::definition(ctx, node) else { return };
        let Some(name) = definition.name_token(ctx) else { return };
        if ctx.tokens.value(name).contains('-') {
            out.push(ctx.problem_at(&Self::META, format!("{} name containing a dash", definition.what()), name));
        }
    }
}
