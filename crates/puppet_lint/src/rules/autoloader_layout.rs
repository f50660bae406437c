//! `autoloader_layout`: a class or defined type in a file the autoloader would not look in.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::ruby;

crate::declare_rule! {
    /// ## What it does
    /// Finds classes and defined types whose file is not where Puppet's autoloader looks
    /// for them: `apache::vhost` belongs in `apache/manifests/vhost.pp`, `apache` in
    /// `apache/manifests/init.pp`. With `--relative` the module folder's own name is not
    /// compared (a checkout in `puppetlabs-apache/` is fine).
    ///
    /// ## Why
    /// Puppet finds a class only in the file its name points to; anywhere else it is
    /// "could not find class" at compile time.
    ///
    /// ## Example
    /// ```puppet
    /// # apache/manifests/server.pp
    /// class apache::vhost {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// # apache/manifests/vhost.pp
    /// class apache::vhost {}
    /// ```
    ///
    /// ## Fix
    /// None: moving files is for a person to do.
    pub struct AutoloaderLayout;
    crate::rule::RuleMeta {
        name: "autoloader_layout",
        category: "check_classes",
        default_enabled: true,
        level: Level::Error,
        fix: FixKind::None,
        summary: "classes and defined types must be in the file the autoloader expects",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::Definition]),
        file: false,
        uses_resources: false,
    }
}

/// The end of the path the autoloader expects for a name (puppet-lint's `expected_path`).
pub fn expected_path(name: &str, relative: bool) -> String {
    let parts = ruby::split(name, "::");
    let expected = if parts.len() > 1 {
        format!("/{}/manifests/{}.pp", parts[0], parts[1..].join("/"))
    } else {
        format!("/{name}/manifests/init.pp")
    };
    if !relative {
        return expected;
    }
    let trimmed = expected.strip_prefix('/').unwrap_or(&expected);
    let pieces = ruby::split(trimmed, "/");
    pieces.get(1..).unwrap_or_default().join("/")
}

impl Rule for AutoloaderLayout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        if ctx.fullpath.is_empty() {
            return;
        }
        let Some(definition) = ast::definition(ctx, node) else { return };
        let Some(name_token) = definition.name_token(ctx) else { return };
        let name = ctx.tokens.value(name_token);
        if ctx.fullpath.ends_with(&expected_path(name, ctx.settings.relative)) {
            return;
        }
        out.push(ctx.problem_at(&Self::META, format!("{name} not in autoload module layout"), name_token));
    }
}
