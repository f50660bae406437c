//! Checks of a compiled catalog as a graph, which the compiler does not make: relationship
//! targets that do not exist, dependency cycles (as the agent would find them, with
//! containment and automatic relationships), an `exec` that runs on every run, a file that
//! feeds a service without notifying it, and, across roles meant for one host, the same
//! path, package or port managed twice.

use std::collections::{BTreeMap, HashSet};

use puppet_catalog::{Catalog, Resource};
use serde::{Deserialize, Serialize};
use rustc_hash::FxHashSet;
use serde_json::Value;

use crate::refs::{references, Index};

/// Which check found something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Check {
    MissingTarget,
    Cycle,
    ExecIdempotent,
    UnnotifiedService,
    SameHost,
}

impl Check {
    /// The diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            Check::MissingTarget => "missing-relationship-target",
            Check::Cycle => "dependency-cycle",
            Check::ExecIdempotent => "exec-not-idempotent",
            Check::UnnotifiedService => "unnotified-service",
            Check::SameHost => "same-host-conflict",
        }
    }
}

/// One finding, at a resource of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub check: Check,
    /// The resource's reference (`File[/etc/motd]`).
    pub resource: String,
    /// Where the resource is declared (absolute, as in the catalog), when known.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub message: String,
    pub help: String,
}

fn finding(check: Check, resource: &Resource, message: String, help: impl Into<String>) -> Finding {
    Finding { check, resource: resource.reference(), file: resource.file.clone(), line: resource.line, message, help: help.into() }
}

/// `Ref (file:line)`, with the file as `display` shows it.
fn placed(resource: &Resource, display: &dyn Fn(&str) -> String) -> String {
    match (&resource.file, resource.line) {
        (Some(file), Some(line)) => format!("{} ({}:{line})", resource.reference(), display(file)),
        (Some(file), None) => format!("{} ({})", resource.reference(), display(file)),
        _ => resource.reference(),
    }
}

/// Every finding of the single-catalog checks; `display` turns a catalog's absolute file
/// into what the user should read.
pub fn check_catalog(catalog: &Catalog, display: &dyn Fn(&str) -> String) -> Vec<Finding> {
    let index = Index::new(catalog);
    let mut findings = missing_targets(&index);
    findings.extend(cycles(&index, display));
    findings.extend(exec_idempotent(&index));
    findings.extend(unnotified_services(&index, display));
    findings
}

fn missing_targets(index: &Index<'_>) -> Vec<Finding> {
    index
        .relationships()
        .iter()
        .filter(|relationship| relationship.other.is_none())
        .map(|relationship| {
            let resource = index.resource(relationship.resource);
            finding(
                Check::MissingTarget,
                resource,
                format!("{} has {} => {}, which is not in the catalog", resource.reference(), relationship.parameter, relationship.reference),
                format!("declare {} (or include the class that does), or remove the relationship", relationship.reference),
            )
        })
        .collect()
}

/// The ordering graph of the agent: each resource a start and an end node (containers
/// are entered at the start and left at the end), containment, relationships, and the
/// automatic relationships of files, execs and users that no manual one contradicts.
struct Graph {
    successors: Vec<Vec<usize>>,
}

impl Graph {
    fn start(resource: usize) -> usize {
        resource * 2
    }

    fn end(resource: usize) -> usize {
        resource * 2 + 1
    }

    fn build(index: &Index<'_>) -> Graph {
        let count = index.catalog.resources.len();
        let mut successors = vec![Vec::new(); count * 2];
        for resource in 0..count {
            successors[Graph::start(resource)].push(Graph::end(resource));
            if let Some(container) = index.container(resource) {
                successors[Graph::start(container)].push(Graph::start(resource));
                successors[Graph::end(resource)].push(Graph::end(container));
            }
        }
        let mut manual: FxHashSet<(usize, usize)> = FxHashSet::default();
        for relationship in index.relationships() {
            if let Some((source, target)) = relationship.edge() {
                manual.insert((source, target));
                successors[Graph::end(source)].push(Graph::start(target));
            }
        }
        for (source, target) in automatic_relationships(index) {
            // Puppet skips an automatic relationship that a manual one already makes, or
            // one the other way round.
            if source != target && !manual.contains(&(source, target)) && !manual.contains(&(target, source)) {
                successors[Graph::end(source)].push(Graph::start(target));
            }
        }
        Graph { successors }
    }

    /// The strongly connected components with more than one node, by Tarjan's
    /// algorithm without recursion (a catalog can be deep).
    fn cyclic_components(&self) -> Vec<Vec<usize>> {
        let count = self.successors.len();
        let mut order = vec![usize::MAX; count];
        let mut low = vec![0; count];
        let mut on_stack = vec![false; count];
        let mut stack = Vec::new();
        let mut components = Vec::new();
        let mut next = 0;
        for root in 0..count {
            if order[root] != usize::MAX {
                continue;
            }
            let mut work: Vec<(usize, usize)> = vec![(root, 0)];
            order[root] = next;
            low[root] = next;
            next += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (node, ref mut child)) = work.last_mut() {
                if let Some(&successor) = self.successors[node].get(*child) {
                    *child += 1;
                    if order[successor] == usize::MAX {
                        order[successor] = next;
                        low[successor] = next;
                        next += 1;
                        stack.push(successor);
                        on_stack[successor] = true;
                        work.push((successor, 0));
                    } else if on_stack[successor] {
                        low[node] = low[node].min(order[successor]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[node]);
                }
                if low[node] == order[node] {
                    let mut component = Vec::new();
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        component.push(member);
                        if member == node {
                            break;
                        }
                    }
                    if component.len() > 1 {
                        components.push(component);
                    }
                }
            }
        }
        components
    }

    /// A shortest cycle through `from` inside `component`, as nodes.
    fn cycle_through(&self, from: usize, component: &FxHashSet<usize>) -> Vec<usize> {
        let mut previous: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(node) = queue.pop_front() {
            for &successor in &self.successors[node] {
                if !component.contains(&successor) || previous.contains_key(&successor) {
                    continue;
                }
                previous.insert(successor, node);
                if successor == from {
                    let mut path = vec![from];
                    let mut at = node;
                    while at != from {
                        path.push(at);
                        at = previous[&at];
                    }
                    path.reverse();
                    return path;
                }
                queue.push_back(successor);
            }
        }
        vec![from]
    }
}

/// What Puppet's types relate by themselves (`autorequire`): a file to its nearest parent
/// folder, its owner, its group and its link target; an exec to its cwd, the files its
/// commands name and its user; a user to its groups. (source, target) pairs.
fn automatic_relationships<'c>(index: &Index<'c>) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let text = |resource: &'c Resource, parameter: &str| -> Option<&'c str> { resource.parameters.get(parameter).and_then(Value::as_str) };
    let by_name = |type_name: &str, name: &str| -> Option<usize> {
        if name.is_empty() || name.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        index.find(type_name, name)
    };
    let absolute_paths = |line: &str| -> Vec<String> { line.lines().filter_map(|line| line.split_whitespace().next()).filter(|word| word.starts_with('/')).map(str::to_string).collect() };
    for (position, resource) in index.catalog.resources.iter().enumerate() {
        let mut requires: Vec<Option<usize>> = Vec::new();
        match resource.type_name.as_str() {
            "File" => {
                let path = text(resource, "path").unwrap_or(&resource.title);
                let mut parent = std::path::Path::new(path).parent();
                while let Some(folder) = parent {
                    // A parent of a path given as text is text too.
                    if let Some(found) = folder.to_str().and_then(|folder| index.find("File", folder)) {
                        requires.push(Some(found));
                        break;
                    }
                    parent = folder.parent();
                }
                requires.push(text(resource, "owner").and_then(|owner| by_name("User", owner)));
                requires.push(text(resource, "group").and_then(|group| by_name("Group", group)));
                requires.push(text(resource, "target").and_then(|target| index.find("File", target)));
            }
            "Exec" => {
                requires.push(text(resource, "cwd").and_then(|cwd| index.find("File", cwd)));
                for parameter in ["command", "onlyif", "unless"] {
                    let lines = resource.parameters.get(parameter).map(references).unwrap_or_default();
                    for line in lines {
                        requires.extend(absolute_paths(line).into_iter().map(|path| index.find("File", &path)));
                    }
                }
                requires.push(text(resource, "user").and_then(|user| by_name("User", user)));
            }
            "User" => {
                requires.push(text(resource, "gid").and_then(|group| by_name("Group", group)));
                let groups = resource.parameters.get("groups").map(references).unwrap_or_default();
                requires.extend(groups.iter().map(|group| by_name("Group", group)));
            }
            _ => {}
        }
        found.extend(requires.into_iter().flatten().map(|required| (required, position)));
    }
    found
}

fn cycles(index: &Index<'_>, display: &dyn Fn(&str) -> String) -> Vec<Finding> {
    let graph = Graph::build(index);
    let mut findings = Vec::new();
    for component in graph.cyclic_components() {
        let members: FxHashSet<usize> = component.iter().copied().collect();
        let from = *component.iter().min().expect("a component has members");
        let nodes = graph.cycle_through(from, &members);
        // Nodes to resources: a container's start and end are the container.
        let mut resources: Vec<usize> = Vec::new();
        for node in nodes {
            let resource = node / 2;
            if resources.last() != Some(&resource) {
                resources.push(resource);
            }
        }
        if resources.len() > 1 && resources.first() == resources.last() {
            resources.pop();
        }
        // Start at the resource with the smallest reference, so the text is stable.
        if let Some(first) = (0..resources.len()).min_by_key(|&at| index.resource(resources[at]).reference()) {
            resources.rotate_left(first);
        }
        // Point at the first resource declared in a file.
        let at = resources.iter().copied().find(|&resource| index.resource(resource).file.is_some()).unwrap_or(resources[0]);
        let mut chain: Vec<String> = resources.iter().map(|&resource| placed(index.resource(resource), display)).collect();
        chain.push(index.resource(resources[0]).reference());
        findings.push(finding(
            Check::Cycle,
            index.resource(at),
            format!("dependency cycle: {}", chain.join(" => ")),
            "break the cycle: one of these relationships (or a class-level one around them) must go",
        ));
    }
    findings
}

fn exec_idempotent(index: &Index<'_>) -> Vec<Finding> {
    index
        .catalog
        .resources
        .iter()
        .filter(|resource| resource.type_name == "Exec")
        .filter(|resource| {
            let guarded = ["creates", "onlyif", "unless"].iter().any(|guard| resource.parameters.contains_key(*guard));
            let refresh_only = match resource.parameters.get("refreshonly") {
                Some(Value::Bool(value)) => *value,
                Some(Value::String(value)) => value == "true",
                _ => false,
            };
            !guarded && !refresh_only
        })
        .map(|resource| {
            finding(
                Check::ExecIdempotent,
                resource,
                format!("{} runs on every Puppet run: it has no creates, onlyif, unless or refreshonly", resource.reference()),
                "add `creates`, `onlyif` or `unless` so it runs only when needed, or `refreshonly => true` and notify it",
            )
        })
        .collect()
}

/// Whether a file's path is a service's configuration by name: `/etc/NAME/...`,
/// `/etc/NAME.conf`, `/etc/default/NAME`, `/etc/sysconfig/NAME`, a systemd unit or drop-in.
fn path_names_service(path: &str, service: &str) -> bool {
    let service = service.trim_end_matches(".service");
    if service.is_empty() {
        return false;
    }
    // What follows `folder` + the service's name in the path, when the path starts so.
    let after = |folder: &str| path.strip_prefix(folder).and_then(|rest| rest.strip_prefix(service));
    after("/etc/").is_some_and(|rest| rest.starts_with('/') || rest.starts_with('.'))
        || after("/etc/default/") == Some("")
        || after("/etc/sysconfig/") == Some("")
        || after("/etc/systemd/system/").is_some_and(|rest| rest == ".service" || rest.starts_with(".service.d/"))
}

fn unnotified_services(index: &Index<'_>, display: &dyn Fn(&str) -> String) -> Vec<Finding> {
    let relationships = index.relationships();
    let services: Vec<usize> = (0..index.catalog.resources.len()).filter(|&position| index.resource(position).type_name == "Service").collect();
    if services.is_empty() {
        return Vec::new();
    }
    // Refresh edges between resources, with containers standing for what they contain.
    let mut refreshes: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for relationship in relationships.iter().filter(|relationship| relationship.refreshes()) {
        if let Some((source, target)) = relationship.edge() {
            refreshes.entry(source).or_default().push(target);
        }
    }
    let ordered_before: FxHashSet<(usize, usize)> = relationships.iter().filter_map(|relationship| relationship.edge()).collect();
    let mut findings = Vec::new();
    for (position, file) in index.catalog.resources.iter().enumerate() {
        if file.type_name != "File" || !(file.parameters.contains_key("content") || file.parameters.contains_key("source")) {
            continue;
        }
        if matches!(file.parameters.get("ensure").and_then(Value::as_str), Some("absent" | "directory" | "link")) {
            continue;
        }
        let path = file.parameters.get("path").and_then(Value::as_str).unwrap_or(&file.title);
        let refreshed = refreshed_by(index, &refreshes, position);
        for &service in &services {
            let service_resource = index.resource(service);
            let name = service_resource.parameters.get("name").and_then(Value::as_str).unwrap_or(&service_resource.title);
            let feeds = ordered_before.contains(&(position, service)) || path_names_service(path, name);
            if !feeds || refreshed.contains(&service) {
                continue;
            }
            findings.push(finding(
                Check::UnnotifiedService,
                file,
                format!(
                    "{} feeds {} but does not notify it: a change to the file leaves the service running the old configuration",
                    file.reference(),
                    placed(service_resource, display)
                ),
                format!("add `notify => {}` to the file (or `subscribe => {}` to the service)", service_resource.reference(), file.reference()),
            ));
        }
    }
    findings
}

/// The resources a change to `position` refreshes: the targets of the notify/subscribe
/// relationships of it and its containers, a container's targets standing for all it
/// contains, followed through the refresh-only execs that pass a refresh on.
fn refreshed_by(index: &Index<'_>, refreshes: &BTreeMap<usize, Vec<usize>>, position: usize) -> FxHashSet<usize> {
    let mut reached: FxHashSet<usize> = FxHashSet::default();
    let mut queue: Vec<usize> = index.with_containers(position);
    let mut seen: FxHashSet<usize> = queue.iter().copied().collect();
    while let Some(source) = queue.pop() {
        for &target in refreshes.get(&source).map(Vec::as_slice).unwrap_or_default() {
            for inside in index.with_contents(target) {
                if reached.insert(inside) && index.resource(inside).type_name == "Exec" {
                    for outer in index.with_containers(inside) {
                        if seen.insert(outer) {
                            queue.push(outer);
                        }
                    }
                }
            }
        }
    }
    reached
}

/// A role's catalog among the roles of one host.
pub struct HostRole<'c> {
    pub role: &'c str,
    pub catalog: &'c Catalog,
}

/// What a resource manages that must be unique on a host: a path, a package, a port.
fn managed(resource: &Resource) -> Vec<String> {
    let text = |parameter: &str| resource.parameters.get(parameter).and_then(Value::as_str).map(str::to_string);
    let mut keys = Vec::new();
    match resource.type_name.as_str() {
        "File" => keys.push(format!("File[{}]", text("path").unwrap_or_else(|| resource.title.clone()).trim_end_matches('/'))),
        "Package" => keys.push(format!("Package[{}]", text("name").unwrap_or_else(|| resource.title.clone()))),
        _ => {}
    }
    for parameter in ["port", "ports", "listen_port"] {
        let Some(value) = resource.parameters.get(parameter) else { continue };
        let values = match value {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        for value in values {
            let port = match &value {
                Value::Number(number) => number.as_u64(),
                Value::String(text) => text.parse().ok(),
                _ => None,
            };
            if let Some(port) = port {
                keys.push(format!("port {port}"));
            }
        }
    }
    keys
}

/// Collisions between the catalogs of roles meant for one host: a path, package or port
/// managed by two declarations (one class included by both roles is one declaration).
pub fn same_host(roles: &[HostRole<'_>], display: &dyn Fn(&str) -> String) -> Vec<Finding> {
    let mut first_seen: BTreeMap<String, (&str, &Resource)> = BTreeMap::new();
    let mut findings = Vec::new();
    for role in roles {
        let mut own: HashSet<String> = HashSet::new();
        for resource in &role.catalog.resources {
            for key in managed(resource) {
                if !own.insert(key.clone()) {
                    continue;
                }
                let Some((other_role, other)) = first_seen.get(&key) else {
                    first_seen.insert(key, (role.role, resource));
                    continue;
                };
                let same_declaration = other.file == resource.file && other.line == resource.line && other.type_name == resource.type_name && other.title == resource.title;
                if *other_role == role.role || same_declaration && other.parameters == resource.parameters {
                    continue;
                }
                findings.push(finding(
                    Check::SameHost,
                    resource,
                    format!(
                        "{} and {} are meant for one host (catalog.same_host) but both manage {key}: {} in {}, {} in {}",
                        other_role,
                        role.role,
                        placed(other, display),
                        other_role,
                        placed(resource, display),
                        role.role
                    ),
                    "manage it in one class that both roles include, or keep the roles on different hosts",
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resource(type_name: &str, title: &str, line: u32, parameters: Value) -> Resource {
        Resource {
            type_name: type_name.into(),
            title: title.into(),
            tags: Vec::new(),
            file: Some("/repo/site/x/manifests/init.pp".into()),
            line: Some(line),
            exported: false,
            kind: Some("compilable_type".into()),
            parameters: parameters.as_object().cloned().unwrap_or_default(),
            sensitive_parameters: Vec::new(),
        }
    }

    fn catalog(resources: Vec<Resource>) -> Catalog {
        let mut all = vec![
            Resource { file: None, line: None, kind: Some("unknown".into()), ..resource("Class", "X", 0, json!({})) },
        ];
        all.extend(resources);
        let edges = all[1..].iter().map(|resource| puppet_catalog::Edge { source: "Class[X]".into(), target: resource.reference(), event: None, callback: None }).collect();
        Catalog {
            tags: Vec::new(),
            name: "n".into(),
            version: json!(1),
            code_id: None,
            catalog_uuid: None,
            catalog_format: 2,
            environment: "production".into(),
            resources: all,
            edges,
            classes: vec!["x".into()],
            metadata: None,
            recursive_metadata: None,
        }
    }

    fn check(resources: Vec<Resource>) -> Vec<String> {
        let display = |file: &str| file.trim_start_matches("/repo/").to_string();
        check_catalog(&catalog(resources), &display).into_iter().map(|finding| format!("{} {}:{}: {}", finding.check.code(), finding.resource, finding.line.unwrap_or(0), finding.message)).collect()
    }

    #[test]
    fn missing_targets_are_found_by_title_alias_and_namevar() {
        let found = check(vec![
            resource("File", "motd", 2, json!({"path": "/etc/motd"})),
            resource("Exec", "a", 3, json!({"command": "/bin/true", "require": "File[/etc/motd]", "refreshonly": true})),
            resource("Exec", "b", 4, json!({"command": "/bin/true", "before": ["File[motd]", "Package[nope]"], "creates": "/x"})),
        ]);
        assert_eq!(found, ["missing-relationship-target Exec[b]:4: Exec[b] has before => Package[nope], which is not in the catalog"]);
    }

    #[test]
    fn cycles_are_printed_resource_by_resource() {
        let found = check(vec![
            resource("Notify", "one", 2, json!({"require": "Notify[two]"})),
            resource("Notify", "two", 3, json!({"require": "Notify[one]"})),
        ]);
        assert_eq!(
            found,
            ["dependency-cycle Notify[one]:2: dependency cycle: Notify[one] (site/x/manifests/init.pp:2) => Notify[two] (site/x/manifests/init.pp:3) => Notify[one]"]
        );
    }

    #[test]
    fn a_resource_that_requires_its_own_class_is_a_cycle_through_the_class() {
        let found = check(vec![resource("File", "/x", 2, json!({"require": "Class[X]", "ensure": "file"}))]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("dependency cycle: Class[X] => File[/x] (site/x/manifests/init.pp:2) => Class[X]"), "{found:?}");
    }

    #[test]
    fn automatic_relationships_count_unless_a_manual_one_contradicts_them() {
        // A folder that requires a file inside it: Puppet drops the automatic relationship.
        let none = check(vec![resource("File", "/a", 2, json!({"ensure": "directory", "require": "File[/a/b]"})), resource("File", "/a/b", 3, json!({"ensure": "file"}))]);
        assert!(none.is_empty(), "{none:?}");
        // Through a third resource the automatic relationship stays, and closes a cycle.
        let cycle = check(vec![
            resource("File", "/a", 2, json!({"ensure": "directory", "require": "Notify[n]"})),
            resource("Notify", "n", 3, json!({"require": "File[/a/b]"})),
            resource("File", "/a/b", 4, json!({"ensure": "file"})),
        ]);
        assert_eq!(cycle.len(), 1, "{cycle:?}");
        assert!(cycle[0].contains("File[/a] (site/x/manifests/init.pp:2) => File[/a/b]"), "{cycle:?}");
    }

    #[test]
    fn execs_without_a_guard_and_unnotified_services() {
        let found = check(vec![
            resource("Exec", "reload", 2, json!({"command": "/usr/sbin/apachectl graceful"})),
            resource("Exec", "guarded", 3, json!({"command": "/bin/x", "unless": "/bin/y"})),
            resource("Exec", "false", 4, json!({"command": "/bin/x", "refreshonly": false})),
            resource("File", "/etc/nginx/nginx.conf", 5, json!({"content": "x"})),
            resource("File", "/etc/app.ini", 6, json!({"content": "x", "before": "Service[app]"})),
            resource("File", "/etc/nginx/ok.conf", 7, json!({"content": "x", "notify": "Service[nginx]"})),
            resource("File", "/etc/redis/redis.conf", 8, json!({"content": "x", "notify": "Exec[restart]"})),
            resource("Exec", "restart", 9, json!({"command": "/bin/true", "refreshonly": true, "notify": "Service[redis]"})),
            resource("Service", "nginx", 10, json!({})),
            resource("Service", "app", 11, json!({})),
            resource("Service", "redis", 12, json!({})),
        ]);
        let codes: Vec<&str> = found.iter().map(|line| line.split(':').next().unwrap()).collect();
        assert_eq!(
            codes,
            [
                "exec-not-idempotent Exec[reload]",
                "exec-not-idempotent Exec[false]",
                "unnotified-service File[/etc/nginx/nginx.conf]",
                "unnotified-service File[/etc/app.ini]",
            ],
            "{found:#?}"
        );
    }

    #[test]
    fn roles_of_one_host_collide_only_across_declarations() {
        let web = catalog(vec![resource("File", "/etc/motd", 2, json!({})), resource("Package", "nginx", 3, json!({})), resource("Notify", "w", 4, json!({"port": 80}))]);
        let mut db = catalog(vec![resource("File", "/etc/motd", 2, json!({})), resource("Package", "db", 9, json!({"name": "nginx"})), resource("Notify", "d", 5, json!({"port": "80"}))]);
        db.resources[2].file = Some("/repo/site/y/manifests/init.pp".into());
        let display = |file: &str| file.trim_start_matches("/repo/").to_string();
        let found = same_host(&[HostRole { role: "role::web", catalog: &web }, HostRole { role: "role::db", catalog: &db }], &display);
        let messages: Vec<&str> = found.iter().map(|finding| finding.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "role::web and role::db are meant for one host (catalog.same_host) but both manage Package[nginx]: Package[nginx] (site/x/manifests/init.pp:3) in role::web, Package[db] (site/y/manifests/init.pp:9) in role::db",
                "role::web and role::db are meant for one host (catalog.same_host) but both manage port 80: Notify[w] (site/x/manifests/init.pp:4) in role::web, Notify[d] (site/x/manifests/init.pp:5) in role::db",
            ]
        );
    }
}
