//! `80chars`: lines longer than 80 characters.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};

crate::declare_rule! {
    /// ## What it does
    /// Finds lines longer than 80 characters, except lines holding a URL (`://`) or a
    /// `template(` call (off by default, as in puppet-lint: the style guide's limit is
    /// now 140, see `140chars`).
    ///
    /// ## Why
    /// Some teams keep to 80 columns for side-by-side review.
    ///
    /// ## Example
    /// ```puppet
    /// $packages = ['apache2', 'libapache2-mod-php', 'php-mysql', 'php-gd', 'php-curl']
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// $packages = [
    ///   'apache2', 'libapache2-mod-php', 'php-mysql', 'php-gd', 'php-curl',
    /// ]
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct Line80Chars;
    crate::rule::RuleMeta {
        name: "80chars",
        category: "check_whitespace",
        default_enabled: false,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "lines should be at most 80 characters long",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: crate::rule::NO_NODES,
        file: true,
        uses_resources: false,
    }
}

impl Rule for Line80Chars {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        super::line_length::check(ctx, &Self::META, 80, out);
    }
}
