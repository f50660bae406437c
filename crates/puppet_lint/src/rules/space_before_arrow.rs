//! `space_before_arrow`: more (or less) than one space before `=>` in a one-line resource.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{Token, TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// In resources written on one line, finds `=>` not preceded by exactly one space.
    /// (Resources over several lines are `arrow_alignment`'s.)
    ///
    /// ## Why
    /// One space on each side of `=>` is the style guide's spacing.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd': ensure  => file }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// file { '/etc/motd': ensure => file }
    /// ```
    ///
    /// ## Fix
    /// Safe: the space before the arrow becomes one space (layout only). Where there is
    /// none (`name=>`), one is added before the arrow; puppet-lint adds it before the
    /// name, which changes nothing.
    pub struct SpaceBeforeArrow;
    crate::rule::RuleMeta {
        name: "space_before_arrow",
        category: "check_whitespace",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Format,
        summary: "one space before => in one-line resources",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: crate::rule::NO_NODES,
        file: true,
        uses_resources: true,
    }
}

struct Before(TokenId);

impl Rule for SpaceBeforeArrow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        let tokens = &ctx.tokens;
        for resource in ctx.resources() {
            let arrows: Vec<TokenId> = tokens.ids()[resource.colon..=resource.end]
                .iter()
                .copied()
                .filter(|id| tokens.kind(*id) == TokenKind::Farrow)
                .collect();
            let (Some(first), Some(last)) = (arrows.first(), arrows.last()) else { continue };
            if tokens.get(*first).line != tokens.get(*last).line {
                continue;
            }
            for arrow in arrows {
                let Some(prev) = tokens.prev(arrow) else { continue };
                if tokens.value(prev) == " " {
                    continue;
                }
                let (line, column) = (tokens.get(prev).line, tokens.get(prev).column);
                let message = format!("there should be a single space before '=>' on line {line}, column {column}");
                out.push(ctx.problem_at(&Self::META, message, prev).with_fix(Before(prev)));
            }
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Before(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        if tokens.kind(*token) == TokenKind::Whitespace {
            tokens.get_mut(*token).value = " ".into();
            return Ok(());
        }
        // puppet-lint inserts the space at the token's own index, before the token, which
        // leaves `name=>` as it was (a second --fix adds another space); the space goes
        // after the token here, before the arrow.
        let Some(index) = tokens.index_of(*token) else { return Err(NoFix::NotFixable) };
        tokens.insert(index + 1, Token::synthetic(TokenKind::Whitespace, " "));
        Ok(())
    }
}
