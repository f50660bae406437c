//! `variables_not_enclosed`: `"$var"` instead of `"${var}"`.

use std::collections::HashMap;

use crate::context::Context;
use crate::lexer;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds variables interpolated in strings without braces.
    ///
    /// ## Why
    /// `"$var"` ends the name at the first character that cannot be in one, which is
    /// easy to get wrong (`"$name-x"`, `"$a::b"`); `"${var}"` says where it ends.
    ///
    /// ## Example
    /// ```puppet
    /// $path = "/home/$user"
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// $path = "/home/${user}"
    /// ```
    ///
    /// ## Fix
    /// Safe: braces are added. Refused where that would change the value: Puppet reads
    /// `"$a[0]"` as `$a` followed by the text `[0]`, which puppet-lint's `"${a[0]}"` turns
    /// into an element of `$a`.
    pub struct VariablesNotEnclosed;
    crate::rule::RuleMeta {
        name: "variables_not_enclosed",
        category: "check_strings",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Format,
        summary: "variables in strings should be enclosed in braces",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::UnencVariable]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

struct Variable(TokenId);

/// puppet-lint's `extract_hash_or_array_ref`: the `[..][..]` at the start of the text, and
/// the rest.
fn split_reference(value: &str) -> (String, String) {
    let mut depth = 0i64;
    let mut reference = String::new();
    let mut chars = value.char_indices().peekable();
    while let Some((_, ch)) = chars.next() {
        reference.push(ch);
        match ch {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ => {}
        }
        if depth == 0 && chars.peek().map(|(_, next)| *next) != Some('[') {
            break;
        }
    }
    let rest = chars.peek().map_or(String::new(), |(index, _)| value[*index..].to_string());
    (reference, rest)
}

impl Rule for VariablesNotEnclosed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        out.push(ctx.problem_at(&Self::META, "variable not enclosed in {}", token).with_fix(Variable(token)));
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Variable(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let token = *token;
        tokens.get_mut(token).kind = TokenKind::Variable;
        let string = tokens.next(token).filter(|next| {
            matches!(tokens.kind(*next), TokenKind::Dqmid | TokenKind::Dqpost | TokenKind::HeredocMid | TokenKind::HeredocPost)
                && tokens.value(*next).starts_with('[')
        });
        if let Some(string) = string {
            let Some(index) = tokens.index_of(string) else { return Err(NoFix::NotFixable) };
            let (reference, rest) = split_reference(tokens.value(string));
            let Ok(sub) = lexer::tokenise(&reference) else { return Err(NoFix::NotFixable) };
            // The new tokens keep the links the lexer gave them among themselves, as
            // puppet-lint's do, then are linked in one by one.
            let mut mapping = HashMap::new();
            let mut added = Vec::new();
            for id in sub.ids() {
                let mut copy = sub.get(*id).clone().into_owned();
                copy.offset = crate::token::NO_OFFSET;
                let new_id = tokens.push_detached(copy);
                mapping.insert(*id, new_id);
                added.push(new_id);
            }
            for new_id in &added {
                let remap = |link: Option<TokenId>| link.and_then(|old| mapping.get(&old).copied());
                let copy = tokens.get_mut(*new_id);
                copy.prev = remap(copy.prev);
                copy.next = remap(copy.next);
                copy.prev_code = remap(copy.prev_code);
                copy.next_code = remap(copy.next_code);
            }
            for (offset, new_id) in added.iter().enumerate() {
                tokens.link_in(index + offset, *new_id);
            }
            tokens.get_mut(string).value = rest.into();
        }
        if tokens.value(token).contains('-') {
            let value = tokens.value(token).to_string();
            let (name, text) = value.split_once('-').unwrap_or((&value, ""));
            let (name, text) = (name.to_string(), text.to_string());
            tokens.get_mut(token).value = name.into();
            if let Some(next) = tokens.next(token) {
                let after = format!("-{text}{}", tokens.value(next));
                tokens.get_mut(next).value = after.into();
            }
        }
        Ok(())
    }
}
