//! `variable_scope`: a variable used in a class without a namespace and not defined there.

use std::collections::{HashMap, HashSet};

use crate::context::Context;
use crate::rule::{FixKind, Level, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::ruby;
use crate::token::{TokenId, TokenKind};

crate::declare_rule! {
    /// ## What it does
    /// Finds variables used inside a class or defined type that are neither defined there
    /// (as a parameter, by assignment, as a lambda parameter) nor fully qualified, nor
    /// one of the variables Puppet always defines (`$name`, `$title`, `$facts`, ...).
    ///
    /// ## Why
    /// An unqualified variable that is not local is looked up at top scope; name it
    /// (`$::osfamily`, `$facts['os']`, `$other::var`) so readers know where it comes from.
    ///
    /// ## Example
    /// ```puppet
    /// class foo {
    ///   notify { $message: }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// class foo (String $message) {
    ///   notify { $message: }
    /// }
    /// ```
    ///
    /// ## Fix
    /// None.
    pub struct VariableScope;
    crate::rule::RuleMeta {
        name: "variable_scope",
        category: "check_classes",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::None,
        summary: "top-scope variables should be used with an explicit namespace",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: crate::rule::NO_NODES,
        file: true,
        uses_resources: false,
    }
}

/// Variables Puppet defines in every scope (puppet-lint's `DEFAULT_SCOPE_VARS`).
const DEFAULT_SCOPE_VARS: [&str; 24] = [
    "name",
    "title",
    "module_name",
    "environment",
    "clientcert",
    "clientversion",
    "servername",
    "serverip",
    "serverversion",
    "caller_module_name",
    "alias",
    "audit",
    "before",
    "loglevel",
    "noop",
    "notify",
    "require",
    "schedule",
    "stage",
    "subscribe",
    "tag",
    "facts",
    "trusted",
    "server_facts",
];

fn is_facts_access(value: &str) -> bool {
    // `^(facts|trusted)\[.+\]`: `^` is any line start, `.+` stays on its line.
    value.split('\n').any(|line| {
        let rest = line.strip_prefix("facts[").or_else(|| line.strip_prefix("trusted["));
        rest.is_some_and(|rest| {
            let mut chars = rest.chars();
            chars.next().is_some() && chars.as_str().contains(']')
        })
    })
}

fn is_number(value: &str) -> bool {
    let digits = value.strip_suffix('\n').unwrap_or(value);
    !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
}

impl Rule for VariableScope {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, ctx: &Context<'_, '_>, out: &mut Vec<Problem>) {
        let tokens = &ctx.tokens;
        let ids = tokens.ids();
        // puppet-lint builds this set once per file: what one class defines counts in the
        // classes after it too.
        let mut in_scope: HashSet<String> = DEFAULT_SCOPE_VARS.iter().map(|name| name.to_string()).collect();
        for definition in ctx.classes_and_defines() {
            let mut referenced: Vec<TokenId> = Vec::new();
            for token in definition.params(tokens) {
                if tokens.kind(*token) != TokenKind::Variable {
                    continue;
                }
                if matches!(tokens.next_code_kind(*token), Some(TokenKind::Comma | TokenKind::Equals | TokenKind::Rparen)) {
                    in_scope.insert(tokens.value(*token).to_string());
                }
            }
            let mut block_scopes: HashMap<u32, Vec<String>> = HashMap::new();
            let mut in_pipe = false;
            let mut block_params: Vec<Vec<String>> = Vec::new();
            for (position, token) in ids[definition.start..=definition.end].iter().enumerate() {
                match tokens.kind(*token) {
                    TokenKind::Equals => match tokens.prev_code(*token) {
                        Some(prev) if tokens.kind(prev) == TokenKind::Variable => {
                            in_scope.insert(tokens.value(prev).to_string());
                        }
                        Some(prev) if tokens.kind(prev) == TokenKind::Rbrack => {
                            let mut depth = 0i64;
                            let mut current = Some(*token);
                            while let Some(next) = current.and_then(|id| tokens.prev_code(id)) {
                                current = Some(next);
                                match tokens.kind(next) {
                                    TokenKind::Variable => {
                                        in_scope.insert(tokens.value(next).to_string());
                                    }
                                    TokenKind::Rbrack => depth += 1,
                                    TokenKind::Lbrack => {
                                        depth -= 1;
                                        if depth == 0 {
                                            break;
                                        }
                                    }
                                    TokenKind::Comma => {}
                                    _ => break,
                                }
                            }
                        }
                        _ => {}
                    },
                    TokenKind::Variable => {
                        if in_pipe {
                            if let Some(params) = block_params.last_mut() {
                                params.push(tokens.value(*token).to_string());
                            }
                        } else {
                            referenced.push(*token);
                        }
                    }
                    TokenKind::Pipe => {
                        in_pipe = !in_pipe;
                        if in_pipe {
                            block_params.push(Vec::new());
                            continue;
                        }
                        let start = definition.start + position;
                        let mut depth = 0i64;
                        let mut end_token = None;
                        for candidate in &ids[start..] {
                            match tokens.kind(*candidate) {
                                TokenKind::Lbrace => depth += 1,
                                TokenKind::Rbrace => {
                                    depth -= 1;
                                    if depth == 0 {
                                        end_token = Some(*candidate);
                                        break;
                                    }
                                }
                                _ => {}
                            }
                        }
                        let params = block_params.pop().unwrap_or_default();
                        let Some(end_token) = end_token else { continue };
                        for line in tokens.get(*token).line..=tokens.get(end_token).line {
                            block_scopes.entry(line).or_default().extend(params.iter().cloned());
                        }
                    }
                    _ => {}
                }
            }
            for token in referenced {
                let value = tokens.value(token);
                let bare = ruby::remove_trailing_index(value);
                let line = tokens.get(token).line;
                if block_scopes.get(&line).is_some_and(|params| params.contains(&bare)) {
                    continue;
                }
                if value.contains("::") || is_facts_access(value) || in_scope.contains(&bare) || is_number(value) {
                    continue;
                }
                out.push(ctx.problem_at(&Self::META, "top-scope variable being used without an explicit namespace", token));
            }
        }
    }
}
