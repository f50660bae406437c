//! Resource references as catalogs spell them (`File[/etc/motd]`, `Class[Profile::Web]`),
//! and an index of a catalog's resources by reference, alias and containment.

use std::cell::OnceCell;

use puppet_catalog::{Catalog, Resource};
use rustc_hash::FxHashMap;
use serde_json::Value;

/// The relationship metaparameters, as (name, whether the resource named is the source).
/// `before`/`notify` point from this resource to the target; `require`/`subscribe` from
/// the target to this resource.
pub(crate) const RELATIONSHIPS: [(&str, bool); 4] = [("before", true), ("notify", true), ("require", false), ("subscribe", false)];

/// `file` → `File`, `apache::vhost` → `Apache::Vhost`.
pub(crate) fn canonical_type(name: &str) -> String {
    let name = name.trim_start_matches("::");
    let mut canonical = String::with_capacity(name.len());
    for (position, segment) in name.split("::").enumerate() {
        if position > 0 {
            canonical.push_str("::");
        }
        let mut characters = segment.chars();
        if let Some(first) = characters.next() {
            canonical.extend(first.to_uppercase());
            canonical.extend(characters.flat_map(char::to_lowercase));
        }
    }
    canonical
}

/// `Type[title]` split into the canonical type and the title; `None` for anything else.
pub(crate) fn parse_ref(text: &str) -> Option<(String, String)> {
    let text = text.trim();
    let open = text.find('[')?;
    let inner = text[open + 1..].strip_suffix(']')?;
    let type_name = &text[..open];
    if !is_type_name(type_name) {
        return None;
    }
    Some((canonical_type(type_name), bare_title(inner).to_string()))
}

/// Whether a reference's type is spelled as `parse_ref` accepts it.
fn is_type_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|character| character.is_ascii_alphanumeric() || character == '_' || character == ':')
}

/// A reference's title without the spaces and quotes around it.
fn bare_title(inner: &str) -> &str {
    inner.trim().trim_matches(|quote| quote == '\'' || quote == '"')
}

/// The key a resource is found by: lower-case type, and the title as Puppet compares it
/// (class names without case, file paths without a trailing slash).
fn key(type_name: &str, title: &str) -> (String, String) {
    let type_name = type_name.to_lowercase();
    let title = match type_name.as_str() {
        "class" => title.trim_start_matches("::").to_lowercase(),
        "file" if title.len() > 1 => title.trim_end_matches('/').to_string(),
        _ => title.to_string(),
    };
    (type_name, title)
}

/// The parameter that names a resource of a type when its title does not (`path` of a
/// file, `command` of an exec, `name` of the rest).
fn namevar(type_name: &str) -> &'static str {
    match type_name {
        "File" => "path",
        "Exec" => "command",
        _ => "name",
    }
}

/// The values of a relationship parameter: one reference or a list of them.
pub(crate) fn references(value: &Value) -> Vec<&str> {
    match value {
        Value::String(text) => vec![text.as_str()],
        Value::Array(items) => items.iter().flat_map(references).collect(),
        _ => Vec::new(),
    }
}

/// The resources of a catalog by key, with each one's container.
pub(crate) struct Index<'c> {
    pub catalog: &'c Catalog,
    by_key: FxHashMap<(String, String), usize>,
    /// What `find_ref` answers for `Type[title]` spelled exactly as a resource's type and
    /// title (what a catalog's edges and most relationships say), found without making a
    /// key: the resource whose key it is.
    exact: FxHashMap<(&'c str, &'c str), usize>,
    container: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    relationships: OnceCell<Vec<Relationship<'c>>>,
}

impl<'c> Index<'c> {
    pub fn new(catalog: &'c Catalog) -> Index<'c> {
        let mut by_key = FxHashMap::with_capacity_and_hasher(catalog.resources.len(), Default::default());
        let mut exact = FxHashMap::with_capacity_and_hasher(catalog.resources.len(), Default::default());
        for (position, resource) in catalog.resources.iter().enumerate() {
            let found = *by_key.entry(key(&resource.type_name, &resource.title)).or_insert(position);
            // `find_ref` on this spelling makes the same key (a canonical type differs
            // from the type only by case, and the title is bare) and finds what the title
            // found: titles go in before aliases, which never replace them.
            let type_name = resource.type_name.as_str();
            if is_type_name(type_name) && !type_name.starts_with("::") && bare_title(&resource.title) == resource.title {
                exact.entry((type_name, resource.title.as_str())).or_insert(found);
            }
        }
        // Aliases second: a title always wins over another resource's alias.
        for (position, resource) in catalog.resources.iter().enumerate() {
            if let Some(Value::String(name)) = resource.parameters.get(namevar(&resource.type_name)) {
                by_key.entry(key(&resource.type_name, name)).or_insert(position);
            }
            if let Some(aliases) = resource.parameters.get("alias") {
                for alias in references(aliases) {
                    by_key.entry(key(&resource.type_name, alias)).or_insert(position);
                }
            }
        }
        let count = catalog.resources.len();
        let mut index = Index { catalog, by_key, exact, container: vec![None; count], children: vec![Vec::new(); count], relationships: OnceCell::new() };
        for edge in &catalog.edges {
            if let (Some(source), Some(target)) = (index.find_ref(&edge.source), index.find_ref(&edge.target)) {
                if index.container[target].is_none() && source != target {
                    index.container[target] = Some(source);
                    index.children[source].push(target);
                }
            }
        }
        index
    }

    pub fn resource(&self, position: usize) -> &'c Resource {
        &self.catalog.resources[position]
    }

    pub fn find(&self, type_name: &str, title: &str) -> Option<usize> {
        // A resource's own type and title: what its key finds, without making the key.
        if let Some(&found) = self.exact.get(&(type_name, title)) {
            return Some(found);
        }
        self.by_key.get(&key(type_name, title)).copied()
    }

    pub fn find_ref(&self, reference: &str) -> Option<usize> {
        let spelled = reference.split_once('[').and_then(|(type_name, rest)| Some((type_name, rest.strip_suffix(']')?)));
        if let Some(&found) = spelled.and_then(|spelled| self.exact.get(&spelled)) {
            return Some(found);
        }
        let (type_name, title) = parse_ref(reference)?;
        self.find(&type_name, &title)
    }

    pub fn container(&self, position: usize) -> Option<usize> {
        self.container[position]
    }

    pub fn children(&self, position: usize) -> &[usize] {
        &self.children[position]
    }

    /// The resource and the containers around it, innermost first.
    pub fn with_containers(&self, position: usize) -> Vec<usize> {
        let mut chain = vec![position];
        let mut at = position;
        while let Some(container) = self.container(at) {
            if chain.contains(&container) {
                break;
            }
            chain.push(container);
            at = container;
        }
        chain
    }

    /// The resource and everything inside it, at any depth.
    pub fn with_contents(&self, position: usize) -> Vec<usize> {
        let mut all = vec![position];
        let mut next = 0;
        while next < all.len() {
            for &child in self.children(all[next]) {
                if !all.contains(&child) {
                    all.push(child);
                }
            }
            next += 1;
        }
        all
    }

    /// Every relationship parameter value of the catalog, its target found or not
    /// (`other: None`), worked out once per index.
    pub fn relationships(&self) -> &[Relationship<'c>] {
        self.relationships.get_or_init(|| {
            let mut found = Vec::new();
            let catalog: &'c Catalog = self.catalog;
            for (position, resource) in catalog.resources.iter().enumerate() {
                for (parameter, outgoing) in RELATIONSHIPS {
                    let Some(value) = resource.parameters.get(parameter) else { continue };
                    for reference in references(value) {
                        let other = self.find_ref(reference);
                        found.push(Relationship { resource: position, parameter, outgoing, reference, other });
                    }
                }
            }
            found
        })
    }
}

/// One relationship parameter value of a resource.
pub(crate) struct Relationship<'c> {
    /// The resource that has the parameter.
    pub resource: usize,
    pub parameter: &'static str,
    /// Whether the resource is the source (`before`, `notify`).
    pub outgoing: bool,
    pub reference: &'c str,
    /// The resource referred to, when the catalog has it.
    pub other: Option<usize>,
}

impl Relationship<'_> {
    /// (source, target) when the target exists.
    pub fn edge(&self) -> Option<(usize, usize)> {
        let other = self.other?;
        Some(if self.outgoing { (self.resource, other) } else { (other, self.resource) })
    }

    /// Whether the edge refreshes its target (`notify`, `subscribe`).
    pub fn refreshes(&self) -> bool {
        matches!(self.parameter, "notify" | "subscribe")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_and_types_are_canonical() {
        assert_eq!(parse_ref("File[/etc/motd]"), Some(("File".into(), "/etc/motd".into())));
        assert_eq!(parse_ref("apache::vhost['x[1]']"), Some(("Apache::Vhost".into(), "x[1]".into())));
        assert_eq!(parse_ref("Class[Profile::Web]"), Some(("Class".into(), "Profile::Web".into())));
        assert_eq!(parse_ref("not a ref"), None);
        assert_eq!(parse_ref("File /x]"), None);
        assert_eq!(canonical_type("SSH_authorized_key"), "Ssh_authorized_key");
    }
}
