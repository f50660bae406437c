//! `parameter_order`: an optional parameter before a required one.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};

crate::declare_rule! {
    /// ## What it does
    /// Finds class and defined type parameters without a default that come after a
    /// parameter with one.
    ///
    /// ## Why
    /// Required parameters first is the style guide's order; readers see at once what a
    /// caller must give.
    ///
    /// ## Example
    /// ```puppet
    /// class ntp (
    ///   $servers = [],
    ///   $package,
    /// ) {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// class ntp (
    ///   $package,
    ///   $servers = [],
    /// ) {}
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct ParameterOrder;
    crate::rule::RuleMeta {
        name: "parameter_order",
        category: "check_classes",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "required parameters should come before optional ones",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Definition]),
        file: false,
        uses_resources: false,
    }
}

impl Rule for ParameterOrder {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some(definition) = ast::definition(ctx, node) else { return };
        let mut optional_seen = false;
        for parameter in &definition.definition.parameters {
            if parameter.value.is_some() {
                optional_seen = true;
                continue;
            }
            if !optional_seen || parameter.captures_rest {
                continue;
            }
            if let Some(variable) = ctx.first_token(parameter.span) {
                out.push(ctx.problem_at(&Self::META, "optional parameter listed before required parameter", variable));
            }
        }
    }
}
