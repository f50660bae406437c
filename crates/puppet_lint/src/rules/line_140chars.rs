//! `140chars`: lines longer than 140 characters.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};

crate::declare_rule! {
    /// ## What it does
    /// Finds lines longer than 140 characters, except lines holding a URL (`://`) or a
    /// `template(` call, which would be harder to read split.
    ///
    /// ## Why
    /// Long lines hide code off the right edge of editors and review tools.
    ///
    /// ## Example
    /// ```puppet
    /// $packages = ['apache2', 'libapache2-mod-php', 'php-mysql', 'php-gd', 'php-curl', 'php-xml', 'php-mbstring', 'php-zip', 'php-intl', 'php-bcmath']
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// $packages = [
    ///   'apache2', 'libapache2-mod-php', 'php-mysql', 'php-gd', 'php-curl',
    ///   'php-xml', 'php-mbstring', 'php-zip', 'php-intl', 'php-bcmath',
    /// ]
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct Line140Chars;
    crate::rule::RuleMeta {
        name: "140chars",
        category: "check_whitespace",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "lines should be at most 140 characters long",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: crate::rule::NO_NODES,
        file: true,
        uses_resources: false,
    }
}

impl Rule for Line140Chars {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        super::line_length::check(ctx, &Self::META, 140, out);
    }
}
