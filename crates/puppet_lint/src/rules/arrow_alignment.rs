//! `arrow_alignment`: `=>` not aligned within a block of attributes.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{Token, TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// In resources and hashes written over several lines, finds `=>` arrows that are not
    /// in the same column as the other arrows of their block (one space after the
    /// longest name).
    ///
    /// ## Why
    /// Aligned arrows make the attribute names and values read as two columns.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///   ensure => file,
    ///   mode => '0644',
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// file { '/etc/motd':
    ///   ensure => file,
    ///   mode   => '0644',
    /// }
    /// ```
    ///
    /// ## Fix
    /// Safe: moves the arrows to the column (an attribute sharing a line with another is
    /// moved to a line of its own); layout only.
    pub struct ArrowAlignment;
    crate::rule::RuleMeta {
        name: "arrow_alignment",
        category: "check_whitespace",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Format,
        summary: "arrows in a block should be aligned",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: crate::rule::NO_NODES,
        file: true,
        uses_resources: true,
    }
}

struct Align {
    arrow: TokenId,
    arrow_column: i64,
    newline: bool,
    newline_indent: i64,
}

/// A Ruby array indexed by a level that may be negative (`-1` is the last element).
struct Levels<T> {
    items: Vec<T>,
}

impl<T: Clone + Default> Levels<T> {
    fn slot(&mut self, index: i64) -> &mut T {
        let position = if index < 0 { (self.items.len() as i64 + index).max(0) as usize } else { index as usize };
        if position >= self.items.len() {
            self.items.resize(position + 1, T::default());
        }
        &mut self.items[position]
    }

    fn push(&mut self, item: T) {
        self.items.push(item);
    }
}

fn manifest_len(tokens: &Tokens<'_>, id: TokenId) -> i64 {
    tokens.manifest(id).chars().count() as i64
}

impl Rule for ArrowAlignment {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        let tokens = &ctx.tokens;
        for resource in ctx.resources() {
            let body: Vec<TokenId> =
                tokens.ids()[resource.colon..=resource.end].iter().copied().filter(|id| !tokens.kind(*id).is_comment()).collect();
            let first = body.iter().find(|id| tokens.kind(**id) == TokenKind::Farrow);
            let last = body.iter().rev().find(|id| tokens.kind(**id) == TokenKind::Farrow);
            let (Some(first), Some(last)) = (first, last) else { continue };
            if tokens.get(*first).line == tokens.get(*last).line {
                continue;
            }
            let mut arrow_column = Levels { items: vec![0i64] };
            let mut param_column: Levels<Option<i64>> = Levels { items: vec![None] };
            let mut level_tokens: Levels<Vec<TokenId>> = Levels { items: Vec::new() };
            let mut level = 0i64;
            for token in body {
                match tokens.kind(token) {
                    TokenKind::Farrow => {
                        let Some(param) = tokens.prev_code(token) else { continue };
                        let mut iter = param;
                        let param_length = if tokens.kind(param) == TokenKind::Dqpost {
                            let mut length = 0;
                            while tokens.kind(iter) != TokenKind::Dqpre {
                                length += manifest_len(tokens, iter);
                                let Some(prev) = tokens.prev(iter) else { break };
                                iter = prev;
                            }
                            length + manifest_len(tokens, iter)
                        } else {
                            manifest_len(tokens, param)
                        };
                        if param_column.slot(level).is_none() {
                            let start = if tokens.kind(param) == TokenKind::Dqpost { iter } else { param };
                            *param_column.slot(level) = Some(tokens.get(start).column as i64);
                        }
                        let line = tokens.get(token).line;
                        let this_column = if level_tokens.slot(level).iter().any(|other| tokens.get(*other).line == line) {
                            param_column.slot(level).unwrap_or(0) + param_length + 1
                        } else {
                            tokens.get(param).column as i64 + manifest_len(tokens, param) + 1
                        };
                        let column = arrow_column.slot(level);
                        if *column < this_column {
                            *column = this_column;
                        }
                        level_tokens.slot(level).push(token);
                    }
                    TokenKind::Lbrace => {
                        level += 1;
                        arrow_column.push(0);
                        level_tokens.slot(level);
                        param_column.push(None);
                    }
                    TokenKind::Rbrace | TokenKind::Semic => {
                        let arrows = level_tokens.slot(level).clone();
                        let mut lines: Vec<u32> = arrows.iter().map(|arrow| tokens.get(*arrow).line).collect();
                        lines.dedup();
                        lines.sort_unstable();
                        lines.dedup();
                        if lines.len() > 1 {
                            let expected = *arrow_column.slot(level);
                            let indent = param_column.slot(level).unwrap_or(0) - 1;
                            for arrow in &arrows {
                                let found = tokens.get(*arrow).column as i64;
                                if found == expected || arrows.len() == 1 {
                                    continue;
                                }
                                let line = tokens.get(*arrow).line;
                                let first_on_line = arrows.iter().find(|other| tokens.get(**other).line == line);
                                let message = format!("indentation of => is not properly aligned (expected in column {expected}, but found it in column {found})");
                                let fix = Align { arrow: *arrow, arrow_column: expected, newline: first_on_line != Some(arrow), newline_indent: indent };
                                out.push(ctx.problem_at(&Self::META, message, *arrow).with_fix(fix));
                            }
                        }
                        *arrow_column.slot(level) = 0;
                        level_tokens.slot(level).clear();
                        *param_column.slot(level) = None;
                        level -= 1;
                    }
                    _ => {}
                }
            }
        }
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(align) = problem.fix_data::<Align>() else { return Err(NoFix::NotFixable) };
        let arrow = align.arrow;
        let Some(param) = tokens.prev_code(arrow) else { return Err(NoFix::NotFixable) };
        let new_len = if align.newline {
            let Some(before_param) = tokens.prev(param) else { return Err(NoFix::NotFixable) };
            let Some(index) = tokens.index_of(before_param) else { return Err(NoFix::NotFixable) };
            tokens.insert_unlinked(index, Token::synthetic(TokenKind::Newline, "\n"));
            let indent = tokens.get_mut(before_param);
            indent.kind = TokenKind::Indent;
            indent.value = " ".repeat(align.newline_indent.max(0) as usize).into();
            let end = tokens.index_of(param).ok_or(NoFix::NotFixable)?;
            let start_token = tokens.prev_token_of(arrow, &[TokenKind::Indent, TokenKind::Newline]).ok_or(NoFix::NotFixable)?;
            let start = tokens.index_of(start_token).ok_or(NoFix::NotFixable)?;
            let param_length: i64 = if start <= end { tokens.ids()[start..=end].iter().map(|id| manifest_len(tokens, *id)).sum() } else { 0 };
            align.arrow_column - (param_length + 1)
        } else {
            let current = match tokens.prev(arrow) {
                Some(prev) if tokens.kind(prev) == TokenKind::Whitespace => manifest_len(tokens, prev),
                _ => 0,
            };
            current + align.arrow_column - problem.column as i64
        };
        if new_len < 0 {
            return Err(NoFix::NotFixable);
        }
        let spaces = " ".repeat(new_len as usize);
        match tokens.prev(arrow) {
            Some(prev) if tokens.kind(prev) == TokenKind::Whitespace => tokens.get_mut(prev).value = spaces.into(),
            Some(prev) => {
                let index = tokens.index_of(prev).ok_or(NoFix::NotFixable)?;
                tokens.insert_unlinked(index + 1, Token::synthetic(TokenKind::Whitespace, spaces));
            }
            None => return Err(NoFix::NotFixable),
        }
        Ok(())
    }
}
