//! `class_inherits_from_params_class`: `inherits foo::params`.

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
        file: true,
        uses_resources: false,
    }
}

impl Rule for ClassInheritsFromParamsClass {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        for class in ctx.class_indexes() {
            let Some(inherited) = class.inherited_token else { continue };
            if ctx.tokens.value(inherited).ends_with("::params") {
                out.push(ctx.problem_at(&Self::META, "class inheriting from params class", inherited));
            }
        }
    }
}
