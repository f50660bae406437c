//! What a configuration means, checked when it is loaded: names that must be unique or
//! must name something, orders without cycles, regexes that compile, modes that are
//! modes. Every command loads the configuration the same way, so every command rejects
//! the same file with the same errors, before any stage runs.

use std::collections::{BTreeMap, HashMap};

use regex::Regex;

use crate::dynamic::{Check, Role};
use crate::integration::{Integration, NodeCheck};
use crate::locate::{yaml_path, Step};
use crate::Config;

/// Something wrong with what the configuration says, and where it says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub path: Vec<Step>,
    pub message: String,
}

struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, path: Vec<Step>, message: impl Into<String>) {
        self.0.push(Problem { path, message: message.into() });
    }
}

/// Every problem of `config`, in the order of the file's sections.
pub(crate) fn problems(config: &Config) -> Vec<Problem> {
    let mut problems = Problems(Vec::new());
    paths(config, &mut problems);
    roles(&config.roles, &mut problems);
    catalog(&config.catalog, &mut problems);
    if let Some(integration) = &config.integration {
        self::integration(config, integration, &mut problems);
    }
    if let Some(deploy) = &config.deploy {
        self::deploy(deploy, &mut problems);
    }
    lint(&config.lint, &mut problems);
    pipeline(&config.pipeline, &mut problems);
    nightly(&config.nightly, &mut problems);
    problems.0
}

/// Stage names must be the pipeline's.
fn pipeline(pipeline: &crate::pipeline::Pipeline, problems: &mut Problems) {
    for (key, names) in [("skip", &pipeline.skip), ("allow_empty", &pipeline.allow_empty)] {
        for (index, name) in names.iter().enumerate() {
            if !crate::pipeline::STAGE_NAMES.contains(&name.as_str()) {
                let stages = crate::pipeline::STAGE_NAMES.join(", ");
                problems.add(yaml_path!["pipeline", key, index], format!("no stage {name:?} (stages: {stages})"));
            }
        }
    }
}

fn nightly(nightly: &crate::nightly::Nightly, problems: &mut Problems) {
    if nightly.keep == 0 {
        problems.add(yaml_path!["nightly", "keep"], "keep must be at least 1: the history needs the last night");
    }
    // NaN is refused too.
    if nightly.slower_factor.is_nan() || nightly.slower_factor < 1.0 {
        problems.add(yaml_path!["nightly", "slower_factor"], "slower_factor must be 1 or more (1.5: half again as slow)");
    }
}

/// Check names must be puppet-lint's.
fn lint(lint: &crate::lint::Lint, problems: &mut Problems) {
    let lists = [("only_checks", lint.only_checks.as_deref().unwrap_or_default()), ("enable", &lint.enable[..]), ("disable", &lint.disable[..])];
    for (key, names) in lists {
        for (index, name) in names.iter().enumerate() {
            if !crate::lint::CHECKS.contains(&name.as_str()) {
                problems.add(yaml_path!["lint", key, index], format!("unknown check {name:?}: `puppet-ci rule --list` lists the 40 checks"));
            }
        }
    }
}

fn is_relative_inside(path: &std::path::Path) -> bool {
    path.is_relative() && !path.components().any(|part| matches!(part, std::path::Component::ParentDir)) && !path.as_os_str().is_empty()
}

fn paths(config: &Config, problems: &mut Problems) {
    if config.modulepath.is_empty() {
        problems.add(yaml_path!["modulepath"], "modulepath is empty: list the module folders (default [site, modules])");
    }
    for (index, dir) in config.modulepath.iter().enumerate() {
        if !is_relative_inside(dir) {
            problems.add(yaml_path!["modulepath", index], format!("modulepath entry {:?} must be a folder inside the control repo (a relative path without '..')", dir.display().to_string()));
        }
    }
    for (key, value) in [("manifest", &config.manifest), ("hiera_config", &config.hiera_config)] {
        if !is_relative_inside(value) {
            problems.add(yaml_path![key], format!("{key} {:?} must be a path inside the control repo (a relative path without '..')", value.display().to_string()));
        }
    }
}

/// A Puppet class name: `role::web`, `profile::db_server`.
fn is_class_name(name: &str) -> bool {
    let name = name.strip_prefix("::").unwrap_or(name);
    !name.is_empty()
        && name.split("::").all(|segment| {
            let mut characters = segment.chars();
            characters.next().is_some_and(|first| first.is_ascii_lowercase())
                && characters.all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || character == '_')
        })
}

/// A Debian package name (policy 5.6.1), as `--include` takes it.
fn is_package_name(name: &str) -> bool {
    name.len() >= 2
        && name.starts_with(|first: char| first.is_ascii_lowercase() || first.is_ascii_digit())
        && name.chars().all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || matches!(character, '+' | '-' | '.'))
}

fn is_suite_name(name: &str) -> bool {
    name.starts_with(|first: char| first.is_ascii_lowercase())
        && name.chars().all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || character == '-')
}

fn is_fact_name(name: &str) -> bool {
    name.starts_with(|first: char| first.is_ascii_alphabetic() || first == '_')
        && name.chars().all(|character| character.is_ascii_alphanumeric() || character == '_')
}

/// A file mode as the `file` check takes it: three or four octal digits (`"0644"`).
pub fn is_file_mode(mode: &str) -> bool {
    let digits = mode.strip_prefix("0o").unwrap_or(mode);
    (3..=4).contains(&digits.len()) && digits.chars().all(|character| ('0'..='7').contains(&character))
}

fn regex_problem(pattern: &str) -> Option<String> {
    Regex::new(pattern).err().map(|err| format!("{pattern:?} is not a valid regex: {}", err.to_string().lines().last().unwrap_or_default().trim().trim_start_matches("error: ")))
}

fn url_problem(url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => None,
        _ => Some(format!("url {url:?} is not an http:// or https:// URL with a host")),
    }
}

fn status_problem(status: u16) -> Option<String> {
    (!(100..=599).contains(&status)).then(|| format!("status {status} is not an HTTP status (100 to 599)"))
}

const SUPERVISOR_STATES: &[&str] = &["STOPPED", "STARTING", "RUNNING", "BACKOFF", "STOPPING", "EXITED", "FATAL", "UNKNOWN"];

fn roles(roles: &[Role], problems: &mut Problems) {
    let mut first_at: HashMap<&str, usize> = HashMap::new();
    for (index, role) in roles.iter().enumerate() {
        let at = |rest: Vec<Step>| {
            let mut path = yaml_path!["roles", index];
            path.extend(rest);
            path
        };
        if !is_class_name(&role.name) {
            problems.add(at(yaml_path!["name"]), format!("role name {:?} is not a Puppet class name (like role::web)", role.name));
        }
        if let Some(first) = first_at.insert(&role.name, index) {
            first_at.insert(&role.name, first);
            problems.add(at(yaml_path!["name"]), format!("role {} is defined twice (roles item {} and item {}); role names must be unique", role.name, first + 1, index + 1));
        }
        if !is_suite_name(&role.suite) {
            problems.add(at(yaml_path!["suite"]), format!("suite {:?} is not a Debian suite name (like bookworm)", role.suite));
        }
        for (package_index, package) in role.packages.iter().enumerate() {
            if !is_package_name(package.trim()) {
                problems.add(at(yaml_path!["packages", package_index]), format!("{package:?} is not a Debian package name"));
            }
        }
        for name in role.facts.keys() {
            if !is_fact_name(name) {
                problems.add(at(yaml_path!["facts", name]), format!("fact name {name:?} is not a fact name (letters, digits, '_')"));
            }
        }
        for (check_index, check) in role.checks.iter().enumerate() {
            let (kind, messages) = check_problems(check);
            for (key, message) in messages {
                let mut path = at(yaml_path!["checks", check_index, kind]);
                if let Some(key) = key {
                    path.push(Step::from(key));
                }
                problems.add(path, format!("{kind} check: {message}"));
            }
        }
    }
}

/// The problems of one role check: its kind, and each problem with the key it is about.
fn check_problems(check: &Check) -> (&'static str, Vec<(Option<&'static str>, String)>) {
    let mut found: Vec<(Option<&'static str>, Option<String>)> = Vec::new();
    let kind = match check {
        Check::Http(http) => {
            found.push((Some("url"), url_problem(&http.url)));
            found.push((Some("status"), status_problem(http.status)));
            found.push((Some("body_regex"), http.body_regex.as_deref().and_then(regex_problem)));
            "http"
        }
        Check::Port(port) => {
            found.push((Some("port"), (port.port == 0).then(|| "port 0 is not a port".to_string())));
            "port"
        }
        Check::Process(process) => {
            found.push((Some("command"), regex_problem(&process.command)));
            "process"
        }
        Check::Service(service) => {
            found.push((Some("name"), service.name.trim().is_empty().then(|| "the service name is empty".to_string())));
            "service"
        }
        Check::Supervisor(supervisor) => {
            found.push((Some("program"), supervisor.program.trim().is_empty().then(|| "the program name is empty".to_string())));
            let state = supervisor.state.to_uppercase();
            found.push((
                Some("state"),
                (!SUPERVISOR_STATES.contains(&state.as_str())).then(|| format!("state {:?} is not a supervisor state ({})", supervisor.state, SUPERVISOR_STATES.join(", "))),
            ));
            "supervisor"
        }
        Check::Apache(_) => "apache",
        Check::Command(command) => {
            found.push((Some("run"), command.run.trim().is_empty().then(|| "the command is empty".to_string())));
            found.push((Some("output"), command.output.as_deref().and_then(regex_problem)));
            "command"
        }
        Check::File(file) => {
            found.push((Some("path"), (!file.path.starts_with('/')).then(|| format!("path {:?} is not an absolute path", file.path))));
            found.push((
                Some("mode"),
                file.mode.as_deref().filter(|mode| !is_file_mode(mode)).map(|mode| format!("mode {mode:?} is not an octal file mode (like \"0644\")")),
            ));
            found.push((Some("content"), file.content.as_deref().and_then(regex_problem)));
            "file"
        }
        Check::Package(package) => {
            found.push((Some("name"), (!is_package_name(&package.name)).then(|| format!("{:?} is not a Debian package name", package.name))));
            "package"
        }
    };
    (kind, found.into_iter().filter_map(|(key, message)| message.map(|message| (key, message))).collect())
}

/// A host name on the integration network: letters, digits and `-`.
fn is_host_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('-') && name.chars().all(|character| character.is_ascii_alphanumeric() || character == '-')
}

fn integration(config: &Config, integration: &Integration, problems: &mut Problems) {
    if integration.nodes.is_empty() {
        problems.add(yaml_path!["integration", "nodes"], "integration has no nodes: list at least one, or remove the integration section");
    }
    let mut first_at: HashMap<&str, usize> = HashMap::new();
    for (index, node) in integration.nodes.iter().enumerate() {
        let at = |key: &str| yaml_path!["integration", "nodes", index, key];
        if !is_host_name(&node.name) {
            problems.add(at("name"), format!("node name {:?} is not a host name (letters, digits, '-')", node.name));
        }
        if let Some(first) = first_at.insert(&node.name, index) {
            first_at.insert(&node.name, first);
            problems.add(at("name"), format!("node {} is defined twice (nodes item {} and item {})", node.name, first + 1, index + 1));
        }
        if config.role(&node.role).is_none() {
            let known: Vec<&str> = config.roles.iter().map(|role| role.name.as_str()).collect();
            problems.add(
                at("role"),
                format!("node {} has role {}, which is not under `roles:` (roles: {})", node.name, node.role, if known.is_empty() { "none".to_string() } else { known.join(", ") }),
            );
        }
    }
    for (index, node) in integration.nodes.iter().enumerate() {
        for (after_index, name) in node.after.iter().enumerate() {
            let at = yaml_path!["integration", "nodes", index, "after", after_index];
            if name == &node.name {
                problems.add(at, format!("node {} comes after itself", node.name));
            } else if !first_at.contains_key(name.as_str()) {
                problems.add(at, format!("node {} comes after {name}, which is not a node", node.name));
            }
        }
    }
    if let Err(cycle) = integration.waves() {
        let first = integration.nodes.iter().position(|node| cycle.contains(&node.name)).unwrap_or_default();
        problems.add(yaml_path!["integration", "nodes", first, "after"], format!("the `after:` of nodes {} form a cycle: none of them can be applied first", cycle.join(", ")));
    }
    for (index, check) in integration.checks.iter().enumerate() {
        let (kind, from) = match check {
            NodeCheck::Tcp(tcp) => ("tcp", &tcp.from),
            NodeCheck::Http(http) => ("http", &http.from),
            NodeCheck::Mysql(mysql) => ("mysql", &mysql.from),
        };
        let at = |key: &str| yaml_path!["integration", "checks", index, kind, key];
        if !first_at.contains_key(from.as_str()) {
            problems.add(at("from"), format!("{kind} check runs from {from}, which is not a node"));
        }
        match check {
            NodeCheck::Tcp(tcp) if tcp.port == 0 => problems.add(at("port"), "tcp check: port 0 is not a port"),
            NodeCheck::Http(http) => {
                if let Some(message) = url_problem(&http.url) {
                    problems.add(at("url"), format!("http check: {message}"));
                }
                if let Some(message) = status_problem(http.status) {
                    problems.add(at("status"), format!("http check: {message}"));
                }
            }
            NodeCheck::Mysql(mysql) if mysql.port == 0 => problems.add(at("port"), "mysql check: port 0 is not a port"),
            _ => {}
        }
    }
}

/// A certname as Puppet accepts it: lowercase letters, digits, `.`, `-` and `_`.
fn is_certname(name: &str) -> bool {
    !name.is_empty() && !name.starts_with(['.', '-']) && name.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'.' | b'-' | b'_'))
}

/// A dotted fact name for an override: `datacenter`, `os.release.full`.
fn is_dotted_fact_name(name: &str) -> bool {
    name.split('.').all(is_fact_name)
}

fn catalog(catalog: &crate::catalog::Catalog, problems: &mut Problems) {
    for (index, role) in catalog.roles.iter().enumerate() {
        if !is_class_name(role) {
            problems.add(yaml_path!["catalog", "roles", index], format!("role {role:?} is not a Puppet class name (like role::web)"));
        }
    }
    for (index, fact_set) in catalog.fact_sets.iter().enumerate() {
        if fact_set.trim().is_empty() {
            problems.add(yaml_path!["catalog", "fact_sets", index], "the fact set name is empty: name a bundled set (debian-12-x86_64) or a Facter JSON file");
        }
        if catalog.fact_sets[..index].contains(fact_set) {
            problems.add(yaml_path!["catalog", "fact_sets", index], format!("fact set {fact_set} is listed twice"));
        }
    }
    for name in catalog.facts.keys() {
        if !is_dotted_fact_name(name) {
            problems.add(yaml_path!["catalog", "facts", name], format!("fact name {name:?} is not a fact name (letters, digits, '_'; dots for nested facts)"));
        }
    }
    if catalog.puppet_workers == 0 {
        problems.add(yaml_path!["catalog", "puppet_workers"], "puppet_workers 0 leaves no Puppet engine: use at least 1");
    }
    if !(7..=8).contains(&catalog.puppet_version) {
        problems.add(yaml_path!["catalog", "puppet_version"], format!("puppet_version {} is not 7 or 8", catalog.puppet_version));
    }
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (index, node) in catalog.nodes.iter().enumerate() {
        let at = |key: &str| yaml_path!["catalog", "nodes", index, key];
        if !is_certname(&node.name) {
            problems.add(at("name"), format!("node name {:?} is not a certname (lowercase letters, digits, '.', '-', '_')", node.name));
        }
        if let Some(first) = names.insert(&node.name, index) {
            names.insert(&node.name, first);
            problems.add(at("name"), format!("node {} is defined twice (nodes item {} and item {})", node.name, first + 1, index + 1));
        }
        if !is_class_name(&node.role) {
            problems.add(at("role"), format!("role {:?} is not a Puppet class name (like role::web)", node.role));
        } else if !catalog.roles.is_empty() && !catalog.roles.contains(&node.role) {
            problems.add(at("role"), format!("node {} has role {}, which is not in catalog.roles ({})", node.name, node.role, catalog.roles.join(", ")));
        }
        for (set_index, fact_set) in node.fact_sets.iter().enumerate() {
            if !catalog.fact_sets.is_empty() && !catalog.fact_sets.contains(fact_set) {
                problems.add(
                    yaml_path!["catalog", "nodes", index, "fact_sets", set_index],
                    format!("node {} names fact set {fact_set}, which is not in catalog.fact_sets ({})", node.name, catalog.fact_sets.join(", ")),
                );
            }
        }
        for name in node.facts.keys() {
            if !is_dotted_fact_name(name) {
                problems.add(yaml_path!["catalog", "nodes", index, "facts", name], format!("fact name {name:?} is not a fact name (letters, digits, '_'; dots for nested facts)"));
            }
        }
    }
    for (index, group) in catalog.same_host.iter().enumerate() {
        if group.len() < 2 {
            problems.add(yaml_path!["catalog", "same_host", index], "a same_host group lists the roles of one host: name at least two");
        }
        for (role_index, role) in group.iter().enumerate() {
            if !is_class_name(role) {
                problems.add(yaml_path!["catalog", "same_host", index, role_index], format!("role {role:?} is not a Puppet class name (like role::web)"));
            } else if group[..role_index].contains(role) {
                problems.add(yaml_path!["catalog", "same_host", index, role_index], format!("role {role} is listed twice in this group"));
            }
        }
    }
}

/// Puppet's rule for environment names: lowercase letters, digits and underscores.
fn is_environment_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

fn deploy(deploy: &crate::deploy::Deploy, problems: &mut Problems) {
    if deploy.branch.trim().is_empty() {
        problems.add(yaml_path!["deploy", "branch"], "branch is empty");
    }
    for (branch, environment) in &deploy.environments {
        if !is_environment_name(environment) {
            problems.add(
                yaml_path!["deploy", "environments", branch],
                format!("environment {environment:?} (of branch {branch}) is not a Puppet environment name (lowercase letters, digits and '_')"),
            );
        }
    }
    if deploy.keep_releases < 2 {
        problems.add(
            yaml_path!["deploy", "keep_releases"],
            format!("keep_releases {} leaves no release to roll back to: keep at least 2 (the live one and one before it)", deploy.keep_releases),
        );
    }
    if deploy.smoke.certname.trim().is_empty() {
        problems.add(yaml_path!["deploy", "smoke", "certname"], "the smoke test certname is empty");
    }
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, master) in deploy.masters.iter().enumerate() {
        let at = |key: &str| yaml_path!["deploy", "masters", index, key];
        if master.name.trim().is_empty() {
            problems.add(at("name"), "the master's name is empty");
        } else if master.name == "all" {
            problems.add(at("name"), "a master cannot be named `all`: `--to all` means every master");
        }
        if let Some(first) = names.insert(&master.name, index) {
            names.insert(&master.name, first);
            problems.add(at("name"), format!("master {} is defined twice (masters item {} and item {})", master.name, first + 1, index + 1));
        }
        if !master.code_dir.is_absolute() {
            problems.add(at("code_dir"), format!("code_dir {:?} must be an absolute path on the master (like /etc/puppetlabs/code)", master.code_dir.display().to_string()));
        }
        if let Some(server) = &master.server {
            let host = server.strip_prefix("https://").unwrap_or_default();
            if host.is_empty() || host.starts_with('/') {
                problems.add(at("server"), format!("server {server:?} is not an https:// URL with a host (like https://puppet1.example.com:8140)"));
            }
        }
        if let Some(haproxy_server) = &master.haproxy_server {
            if !haproxy_server.split_once('/').is_some_and(|(backend, server)| !backend.is_empty() && !server.is_empty()) {
                problems.add(at("haproxy_server"), format!("haproxy_server {haproxy_server:?} is not BACKEND/SERVER"));
            }
        }
        if let Some(ssh) = &master.ssh {
            if ssh.host.trim().is_empty() {
                problems.add(yaml_path!["deploy", "masters", index, "ssh", "host"], "the ssh host is empty");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_modes() {
        for good in ["0644", "644", "0o755", "4755"] {
            assert!(is_file_mode(good), "{good}");
        }
        for bad in ["rwx", "0648", "64", "06444", "", "0o"] {
            assert!(!is_file_mode(bad), "{bad}");
        }
    }

    #[test]
    fn certnames_and_dotted_facts() {
        assert!(is_certname("web01.example.com") && is_certname("db_1"));
        assert!(!is_certname("Web01") && !is_certname("") && !is_certname(".x") && !is_certname("a b"));
        assert!(is_dotted_fact_name("os.release.full") && is_dotted_fact_name("datacenter"));
        assert!(!is_dotted_fact_name("os..full") && !is_dotted_fact_name("a-b"));
    }

    #[test]
    fn names() {
        assert!(is_class_name("role::web") && is_class_name("::role::db_2") && is_class_name("base"));
        assert!(!is_class_name("Role::Web") && !is_class_name("role::web; exec") && !is_class_name("role::") && !is_class_name(""));
        assert!(is_package_name("mariadb-server") && is_package_name("g++") && is_package_name("python3.11"));
        assert!(!is_package_name("apache2,curl") && !is_package_name("Apache") && !is_package_name("a"));
    }
}
