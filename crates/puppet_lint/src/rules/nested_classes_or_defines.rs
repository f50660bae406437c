//! `nested_classes_or_defines`: a class or defined type defined inside a class.

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::TokenKind;

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
        file: true,
        uses_resources: false,
    }
}

impl Rule for NestedClassesOrDefines {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        let ids = ctx.tokens.ids();
        for class in ctx.class_indexes() {
            for id in &ids[class.start + 1..=class.end] {
                let kind = ctx.tokens.kind(*id);
                if !matches!(kind, TokenKind::Class | TokenKind::Define) {
                    continue;
                }
                if ctx.tokens.next_code_kind(*id) == Some(TokenKind::Lbrace) {
                    continue;
                }
                let what = if kind == TokenKind::Class { "class" } else { "defined type" };
                out.push(ctx.problem_at(&Self::META, format!("{what} defined inside a class"), *id));
            }
        }
    }
}
