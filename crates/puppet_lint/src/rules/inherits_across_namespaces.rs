//! `inherits_across_namespaces`: a class inheriting from another module's class.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::ruby;

crate::declare_rule! {
    /// ## What it does
    /// Finds classes that inherit from a class of another module.
    ///
    /// ## Why
    /// Inheritance across modules couples them tightly; the style guide allows it only
    /// inside one module (for params classes).
    ///
    /// ## Example
    /// ```puppet
    /// class ssh::server inherits apache::params {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// class ssh::server inherits ssh::params {}
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct InheritsAcrossNamespaces;
    crate::rule::RuleMeta {
        name: "inherits_across_namespaces",
        category: "check_classes",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "a class should only inherit from a class of its own module",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Definition]),
        file: false,
        uses_resources: false,
    }
}

fn module_name(name: &str) -> Option<&str> {
    ruby::split(name, "::").into_iter().find(|part| !part.is_empty())
}

impl Rule for InheritsAcrossNamespaces {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(definition) = ast::definition(ctx, node).filter(ast::Definition::is_class) else { return };
        let Some(parent) = definition.parent_token(ctx) else { return };
        let class_module = definition.name_token(ctx).and_then(|name| module_name(ctx.tokens.value(name)));
        if module_name(ctx.tokens.value(parent)) != class_module {
            out.push(ctx.problem_at(&Self::META, "class inherits across module namespaces", parent));
        }
    }
}
