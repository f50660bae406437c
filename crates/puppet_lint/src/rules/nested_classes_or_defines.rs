//! `nested_classes_or_defines`: a class or defined type defined inside a class.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};

crate::declare_rule! {
    /// ## What it does
    /// Finds classes and defined types defined inside the body of a class.
    ///
    /// ## Why
    /// A nested definition is still global; nesting only hides it from the autoloader's
    /// layout and from readers.
    ///
    /// ## Example
    /// ```puppet
    /// class apache {
    ///   class ssl {}
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// # apache/manifests/ssl.pp
    /// class apache::ssl {}
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct NestedClassesOrDefines;
    crate::rule::RuleMeta {
        name: "nested_classes_or_defines",
        category: "check_classes",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "classes and defined types should not be defined inside a class",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Definition]),
        file: false,
        uses_resources: false,
    }
}

impl Rule for NestedClassesOrDefines {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(definition) = ast::definition(ctx, node) else { return };
        // Reported once for each class it is inside, as puppet-lint looks inside each class.
        let enclosing = ancestors.iter().filter(|ancestor| ast::definition(ctx, **ancestor).is_some_and(|outer| outer.is_class())).count();
        for _ in 0..enclosing {
            out.push(ctx.problem_at(&Self::META, format!("{} defined inside a class", definition.what()), definition.keyword));
        }
    }
}
