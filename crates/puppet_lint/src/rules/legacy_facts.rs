//! `legacy_facts`: facts by their Facter 2 names (`$::osfamily`, `$facts['fqdn']`).

use std::sync::OnceLock;

use regex::Regex;

use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta};
use crate::token::{TokenId, TokenKind, TokenKindSet, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds facts used by their legacy (Facter 2) names: `$::osfamily`,
    /// `$facts['operatingsystem']`, `%{::fqdn}` in Hiera data.
    ///
    /// ## Why
    /// Facter 4 no longer sends legacy facts by default; the structured fact
    /// (`$facts['os']['family']`) is the one that stays.
    ///
    /// ## Example
    /// ```puppet
    /// if $::osfamily == 'Debian' {}
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// if $facts['os']['family'] == 'Debian' {}
    /// ```
    ///
    /// ## Fix
    /// Safe: rewrites the fact to its structured form. The facts that have none
    /// (`$::interfaces`, `$::memorysize_mb`, ...) are left for a person (puppet-lint
    /// calls them fixed without changing them, or drops the key of `"${facts['interfaces']}"`).
    pub struct LegacyFacts;
    crate::rule::RuleMeta {
        name: "legacy_facts",
        category: "legacy_facts",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "use structured facts instead of legacy facts",
        docs: Self::DOCS,
        tokens: TokenKindSet::of(&[TokenKind::Variable, TokenKind::UnencVariable]),
        nodes: crate::rule::NO_NODES,
        file: false,
        uses_resources: false,
    }
}

/// Facts that have no structured equivalent.
const UNCONVERTIBLE_FACTS: [&str; 11] = [
    "memoryfree_mb",
    "memorysize_mb",
    "swapfree_mb",
    "swapsize_mb",
    "blockdevices",
    "interfaces",
    "zones",
    "sshfp_dsa",
    "sshfp_ecdsa",
    "sshfp_ed25519",
    "sshfp_rsa",
];

/// Legacy facts with one structured equivalent.
const EASY_FACTS: [(&str, &str); 68] = [
    ("architecture", "facts['os']['architecture']"),
    ("augeasversion", "facts['augeas']['version']"),
    ("bios_release_date", "facts['dmi']['bios']['release_date']"),
    ("bios_vendor", "facts['dmi']['bios']['vendor']"),
    ("bios_version", "facts['dmi']['bios']['version']"),
    ("boardassettag", "facts['dmi']['board']['asset_tag']"),
    ("boardmanufacturer", "facts['dmi']['board']['manufacturer']"),
    ("boardproductname", "facts['dmi']['board']['product']"),
    ("boardserialnumber", "facts['dmi']['board']['serial_number']"),
    ("chassisassettag", "facts['dmi']['chassis']['asset_tag']"),
    ("chassistype", "facts['dmi']['chassis']['type']"),
    ("domain", "facts['networking']['domain']"),
    ("fqdn", "facts['networking']['fqdn']"),
    ("gid", "facts['identity']['group']"),
    ("hardwareisa", "facts['processors']['isa']"),
    ("hardwaremodel", "facts['os']['hardware']"),
    ("hostname", "facts['networking']['hostname']"),
    ("id", "facts['identity']['user']"),
    ("ipaddress", "facts['networking']['ip']"),
    ("ipaddress6", "facts['networking']['ip6']"),
    ("lsbdistcodename", "facts['os']['distro']['codename']"),
    ("lsbdistdescription", "facts['os']['distro']['description']"),
    ("lsbdistid", "facts['os']['distro']['id']"),
    ("lsbdistrelease", "facts['os']['distro']['release']['full']"),
    ("lsbmajdistrelease", "facts['os']['distro']['release']['major']"),
    ("lsbminordistrelease", "facts['os']['distro']['release']['minor']"),
    ("lsbrelease", "facts['os']['distro']['release']['specification']"),
    ("macaddress", "facts['networking']['mac']"),
    ("macosx_buildversion", "facts['os']['macosx']['build']"),
    ("macosx_productname", "facts['os']['macosx']['product']"),
    ("macosx_productversion", "facts['os']['macosx']['version']['full']"),
    ("macosx_productversion_major", "facts['os']['macosx']['version']['major']"),
    ("macosx_productversion_minor", "facts['os']['macosx']['version']['minor']"),
    ("manufacturer", "facts['dmi']['manufacturer']"),
    ("memoryfree", "facts['memory']['system']['available']"),
    ("memorysize", "facts['memory']['system']['total']"),
    ("netmask", "facts['networking']['netmask']"),
    ("netmask6", "facts['networking']['netmask6']"),
    ("network", "facts['networking']['network']"),
    ("network6", "facts['networking']['network6']"),
    ("operatingsystem", "facts['os']['name']"),
    ("operatingsystemmajrelease", "facts['os']['release']['major']"),
    ("operatingsystemrelease", "facts['os']['release']['full']"),
    ("osfamily", "facts['os']['family']"),
    ("physicalprocessorcount", "facts['processors']['physicalcount']"),
    ("processorcount", "facts['processors']['count']"),
    ("productname", "facts['dmi']['product']['name']"),
    ("rubyplatform", "facts['ruby']['platform']"),
    ("rubysitedir", "facts['ruby']['sitedir']"),
    ("rubyversion", "facts['ruby']['version']"),
    ("selinux", "facts['os']['selinux']['enabled']"),
    ("selinux_config_mode", "facts['os']['selinux']['config_mode']"),
    ("selinux_config_policy", "facts['os']['selinux']['config_policy']"),
    ("selinux_current_mode", "facts['os']['selinux']['current_mode']"),
    ("selinux_enforced", "facts['os']['selinux']['enforced']"),
    ("selinux_policyversion", "facts['os']['selinux']['policy_version']"),
    ("serialnumber", "facts['dmi']['product']['serial_number']"),
    ("swapencrypted", "facts['memory']['swap']['encrypted']"),
    ("swapfree", "facts['memory']['swap']['available']"),
    ("swapsize", "facts['memory']['swap']['total']"),
    ("system32", "facts['os']['windows']['system32']"),
    ("uptime", "facts['system_uptime']['uptime']"),
    ("uptime_days", "facts['system_uptime']['days']"),
    ("uptime_hours", "facts['system_uptime']['hours']"),
    ("uptime_seconds", "facts['system_uptime']['seconds']"),
    ("uuid", "facts['dmi']['product']['uuid']"),
    ("xendomains", "facts['xen']['domains']"),
    ("zonename", "facts['solaris_zones']['current']"),
];

/// Facts named after a device, an interface, ... (puppet-lint's `REGEX_FACTS`), each with
/// the structured form its fix writes.
fn regex_facts() -> &'static [(Regex, &'static str)] {
    static FACTS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    FACTS.get_or_init(|| {
        [
            (r"(?m)^blockdevice_(?P<devicename>.*)_(?P<attribute>model|size|vendor)$", "facts['disks']['${devicename}']['${attribute}']"),
            (
                r"(?m)^(?P<attribute>ipaddress|ipaddress6|macaddress|mtu|netmask|netmask6|network|network6)_(?P<interface>.*)$",
                "interface",
            ),
            (r"(?m)^processor(?P<id>[0-9]+)$", "facts['processors']['models'][${id}]"),
            (r"(?m)^sp_(?P<name>.*)$", "facts['system_profiler']['${name}']"),
            (r"(?m)^ssh(?P<algorithm>dsa|ecdsa|ed25519|rsa)key$", "facts['ssh']['${algorithm}']['key']"),
            (r"(?m)^ldom_(?P<name>.*)$", "facts['ldom']['${name}']"),
            (
                r"(?m)^zone_(?P<name>.*)_(?P<attribute>brand|iptype|name|uuid|id|path|status)$",
                "facts['solaris_zones']['zones']['${name}']['${attribute}']",
            ),
        ]
        .into_iter()
        .map(|(pattern, replacement)| (Regex::new(pattern).expect("valid fact regex"), replacement))
        .collect()
    })
}

pub fn easy_fact(name: &str) -> Option<&'static str> {
    EASY_FACTS.iter().find(|(fact, _)| *fact == name).map(|(_, structured)| *structured)
}

/// Is `name` a legacy fact puppet-lint knows?
pub fn is_legacy_fact(name: &str) -> bool {
    easy_fact(name).is_some() || UNCONVERTIBLE_FACTS.contains(&name) || regex_facts().iter().any(|(regex, _)| regex.is_match(name))
}

/// The structured form of a fact named by a pattern (`ipaddress_eth0`).
fn regex_fact(name: &str) -> Option<String> {
    for (regex, replacement) in regex_facts() {
        let Some(captures) = regex.captures(name) else { continue };
        if *replacement == "interface" {
            let attribute = captures.name("attribute").map_or("", |found| found.as_str()).replacen("address", "", 1);
            let interface = captures.name("interface").map_or("", |found| found.as_str());
            return Some(format!("facts['networking']['interfaces']['{interface}']['{attribute}']"));
        }
        let mut out = String::new();
        captures.expand(replacement, &mut out);
        return Some(out);
    }
    None
}

fn facts_hash_regex() -> &'static (Regex, Regex) {
    static REGEXES: OnceLock<(Regex, Regex)> = OnceLock::new();
    REGEXES.get_or_init(|| {
        (
            Regex::new(r"(?m)^(?:::)?facts\['(?P<value>.+)'\]$").expect("valid regex"),
            Regex::new(r"(?m)^(?:::)?facts\[(?P<value>.+)\]$").expect("valid regex"),
        )
    })
}

/// The fact a variable token names, as puppet-lint reads it.
fn fact_name(tokens: &Tokens<'_>, token: TokenId) -> String {
    let value = tokens.value(token);
    let (quoted, bare) = facts_hash_regex();
    if let Some(captures) = quoted.captures(value).or_else(|| bare.captures(value)) {
        return captures.name("value").map_or("", |found| found.as_str()).to_string();
    }
    if value == "facts" {
        // `$facts ['key']` and `"${facts['key']}"`: the key is a token of its own.
        let Some(lbrack) = tokens.next_code(token).filter(|next| tokens.kind(*next) == TokenKind::Lbrack) else { return String::new() };
        let key = tokens.next_code(lbrack).filter(|key| matches!(tokens.kind(*key), TokenKind::String | TokenKind::Sstring | TokenKind::Name));
        return key.map_or(String::new(), |key| tokens.value(key).to_string());
    }
    value.strip_prefix("::").map_or(String::new(), str::to_string)
}

struct Fact {
    token: TokenId,
    name: String,
}

impl Rule for LegacyFacts {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_token(&self, ctx: &Context<'_, '_>, token: TokenId, out: &mut Vec<Problem>) {
        let name = fact_name(&ctx.tokens, token);
        if name.is_empty() || !is_legacy_fact(&name) {
            return;
        }
        let problem = ctx.problem_at(&Self::META, format!("legacy fact '{name}'"), token);
        out.push(problem.with_fix(Fact { token, name }));
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Fact { token, name }) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let structured = match easy_fact(name) {
            Some(structured) => structured.to_string(),
            None => match regex_fact(name) {
                Some(structured) => structured,
                // No structured equivalent: puppet-lint leaves the variable as it is and
                // calls it fixed (or, with the key in tokens of its own, drops the key and
                // leaves `$facts`); here it stays a warning.
                None if tokens.value(*token) == "facts" => {
                    return Err(NoFix::Refused(format!("'{name}' has no structured equivalent; puppet-lint would drop the key and leave `$facts`")))
                }
                None => return Err(NoFix::NotFixable),
            },
        };
        if tokens.value(*token) == "facts" {
            // Remove the `['key']` tokens after `$facts`.
            while let Some(next) = tokens.next(*token) {
                let kind = tokens.kind(next);
                tokens.delete(next);
                if kind == TokenKind::Rbrack {
                    break;
                }
            }
        }
        tokens.get_mut(*token).value = structured.into();
        Ok(())
    }
}
