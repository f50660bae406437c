//! `puppet_url_without_modules`: `puppet:///files/...` without `modules/`.

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds `puppet://` URLs whose path does not start with `modules/`.
    ///
    /// ## Why
    /// Files served from modules live under `puppet:///modules/<module>/`; other mount
    /// points need server configuration and break when the code moves.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///   source => 'puppet:///motd/motd',
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// file { '/etc/motd':
    ///   source => 'puppet:///modules/motd/motd',
    /// }
    /// ```
    ///
    /// ## Fix
    /// Safe: inserts `modules/` after the URL's authority.
    pub struct PuppetUrlWithoutModules;
    crate::rule::RuleMeta {
        name: "puppet_url_without_modules",
        category: "check_strings",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "puppet:// URLs should point into modules/",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Sstring, TokenKind::String, TokenKind::Dqpre]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

struct Url(TokenId);

/// The end of `puppet://.*?/` starting at `start` (`.` does not cross a newline).
fn authority_end(value: &str, start: usize) -> Option<usize> {
    let after = start + "puppet://".len();
    let rest = &value[after..];
    let slash = rest.find(['/', '\n'])?;
    (rest.as_bytes()[slash] == b'/').then_some(after + slash + 1)
}

/// `value[%r{puppet://.*?/(.+)}, 1]`: the path after the first URL's authority.
fn url_path(value: &str) -> Option<&str> {
    for (start, _) in value.match_indices("puppet://") {
        let Some(path_start) = authority_end(value, start) else { continue };
        let line_end = value[path_start..].find('\n').map_or(value.len(), |end| path_start + end);
        if line_end > path_start {
            return Some(&value[path_start..line_end]);
        }
    }
    None
}

impl Rule for PuppetUrlWithoutModules {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        let value = ctx.tokens.value(token);
        if !value.starts_with("puppet://") || url_path(value).is_some_and(|path| path.starts_with("modules/")) {
            return;
        }
        out.push(ctx.problem_at(&Self::META, "puppet:// URL without modules/ found", token).with_fix(Url(token)));
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Url(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let value = tokens.value(*token).to_string();
        // `gsub!(%r{(puppet://.*?/)}, '\1modules/')`, every URL in the value.
        let mut fixed = String::with_capacity(value.len() + 8);
        let mut copied = 0;
        let mut search = 0;
        while let Some(found) = value[search..].find("puppet://").map(|found| search + found) {
            match authority_end(&value, found) {
                Some(end) => {
                    fixed.push_str(&value[copied..end]);
                    fixed.push_str("modules/");
                    copied = end;
                    search = end;
                }
                None => search = found + 1,
            }
        }
        fixed.push_str(&value[copied..]);
        tokens.get_mut(*token).value = fixed.into();
        Ok(())
    }
}
