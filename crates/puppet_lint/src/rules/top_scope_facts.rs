//! `top_scope_facts`: `$::fact` instead of `$facts['fact']`.

use regex::Regex;

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds top-scope variables (`$::name`) other than the legacy facts (which
    /// `legacy_facts` reports), `$::trusted` and `$::facts`, and the names given with
    /// `--top-scope-variables`.
    ///
    /// ## Why
    /// A top-scope variable is usually a fact; `$facts['name']` says so and cannot be
    /// overridden by a variable of the same name.
    ///
    /// ## Example
    /// ```puppet
    /// $role = $::role
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// $role = $facts['role']
    /// ```
    ///
    /// ## Fix
    /// Safe: rewrites to `$facts['name']`. Refused when `legacy_facts` already rewrote
    /// the same variable (puppet-lint would write `$facts['facts']['os']...`).
    pub struct TopScopeFacts;
    crate::rule::RuleMeta {
        name: "top_scope_facts",
        category: "top_scope_facts",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "use the facts hash instead of top-scope variables",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Variable, TokenKind::UnencVariable]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

const ALLOWLIST: &str = "trusted|facts|architecture|augeasversion|bios_release_date|bios_vendor|bios_version|boardassettag|boardmanufacturer|boardproductname|boardserialnumber|chassisassettag|chassistype|domain|fqdn|gid|hardwareisa|hardwaremodel|hostname|id|ipaddress|ipaddress6|lsbdistcodename|lsbdistdescription|lsbdistid|lsbdistrelease|lsbmajdistrelease|lsbminordistrelease|lsbrelease|macaddress|macosx_buildversion|macosx_productname|macosx_productversion|macosx_productversion_major|macosx_productversion_minor|manufacturer|memoryfree|memorysize|netmask|netmask6|network|network6|operatingsystem|operatingsystemmajrelease|operatingsystemrelease|osfamily|physicalprocessorcount|processorcount|productname|rubyplatform|rubysitedir|rubyversion|selinux|selinux_config_mode|selinux_config_policy|selinux_current_mode|selinux_enforced|selinux_policyversion|serialnumber|swapencrypted|swapfree|swapsize|system32|uptime|uptime_days|uptime_hours|uptime_seconds|uuid|xendomains|zonename";

/// `^::(allowlist)`: the allowlist, with the configured top-scope variables appended as
/// puppet-lint appends them (as regex alternatives).
pub fn allowlist_regex(extra: &[String]) -> Regex {
    let mut alternatives = ALLOWLIST.to_string();
    for name in extra {
        alternatives.push('|');
        alternatives.push_str(name);
    }
    Regex::new(&format!("(?m)^::(?:{alternatives})"))
        .or_else(|_| {
            let escaped: Vec<String> = extra.iter().map(|name| regex::escape(name)).collect();
            Regex::new(&format!("(?m)^::(?:{ALLOWLIST}|{})", escaped.join("|")))
        })
        .expect("valid allowlist regex")
}

fn is_namespaced(value: &str) -> bool {
    // `^::[a-z0-9_][a-zA-Z0-9_]+::`
    value.split('\n').any(|line| {
        let Some(rest) = line.strip_prefix("::") else { return false };
        let bytes = rest.as_bytes();
        let Some(first) = bytes.first() else { return false };
        if !(first.is_ascii_lowercase() || first.is_ascii_digit() || *first == b'_') {
            return false;
        }
        let word = bytes[1..].iter().take_while(|byte| byte.is_ascii_alphanumeric() || **byte == b'_').count();
        word >= 1 && bytes[1 + word..].starts_with(b"::")
    })
}

struct Fact(TokenId);

impl Rule for TopScopeFacts {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        let value = ctx.tokens.value(token);
        if !value.split('\n').any(|line| line.starts_with("::")) {
            return;
        }
        if ctx.settings.allowlist().is_match(value) || is_namespaced(value) {
            return;
        }
        out.push(ctx.problem_at(&Self::META, "top scope fact instead of facts hash", token).with_fix(Fact(token)));
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Fact(token)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let value = tokens.value(*token);
        let Some(name) = value.strip_prefix("::") else {
            return Err(NoFix::Refused("another fix already rewrote this variable".to_string()));
        };
        let fixed = match name.find('[') {
            Some(bracket) => format!("facts['{}']{}", &name[..bracket], &name[bracket..]),
            None => format!("facts['{name}']"),
        };
        tokens.get_mut(*token).value = fixed.into();
        Ok(())
    }
}
