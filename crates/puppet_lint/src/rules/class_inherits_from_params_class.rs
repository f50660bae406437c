//! `class_inherits_from_params_class`: `inherits foo::params`.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};

crate::declare_rule! {
    /// ## What it does
    /// Finds classes that inherit from a `::params` class (off by default, as in
    /// puppet-lint).
    ///
    /// ## Why
    /// The params-class pattern predates Hiera data in modules; module data
    /// (`data/common.yaml`) gives defaults without inheritance.
    ///
    /// ## Example
    /// ```puppet
    /// class ntp inherits ntp::params {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// class ntp (String $server = 'pool.ntp.org') {}
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct ClassInheritsFromParamsClass;
    crate::rule::RuleMeta {
        name: "class_inherits_from_params_class",
        category: "check_classes",
        default_enabled: false,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "a class should not inherit from a params class",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Definition]),
        file: false,
        uses_resources: false,
    }
}

impl Rule for ClassInheritsFromParamsClass {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(definition) = ast::definition(ctx, node).filter(ast::Definition::is_class) else { return };
        let Some(parent) = definition.parent_token(ctx) else { return };
        if ctx.tokens.value(parent).ends_with("::params") {
            out.push(ctx.problem_at(&Self::META, "class inheriting from params class", parent));
        }
    }
}
