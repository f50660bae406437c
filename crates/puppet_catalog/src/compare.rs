//! Normalisation and comparison of catalogs: what "the same catalog" means between two
//! engines.
//!
//! [`normalize`] drops only what differs between two compiles of the same code by the same
//! Puppet (`version`, `catalog_uuid`, `code_id`) and turns what has no meaningful order into
//! sets: resources keyed by type and title, edges, classes, and tags. Everything else is
//! compared as it is: parameter names as a set, parameter values exactly (array order and
//! hash key order included, as Puppet's hashes are ordered), `file`, `line`, `exported`,
//! `kind` and `sensitive_parameters` of each resource, and the catalog's `name`,
//! `environment` and `catalog_format`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use crate::model::{Catalog, Edge, Resource};

/// A resource's identity in a catalog: its type and title.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceKey {
    pub type_name: String,
    pub title: String,
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}[{}]", self.type_name, self.title)
    }
}

/// A resource without its order in the catalog and with its tags as a set.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedResource {
    pub tags: BTreeSet<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub exported: bool,
    pub kind: Option<String>,
    pub parameters: Map<String, Value>,
    pub sensitive_parameters: BTreeSet<String>,
}

/// A catalog reduced to what two engines must agree on.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedCatalog {
    pub name: String,
    pub environment: String,
    pub catalog_format: u32,
    pub tags: BTreeSet<String>,
    pub resources: BTreeMap<ResourceKey, NormalizedResource>,
    /// Resources declared twice under one key: Puppet never emits these.
    pub duplicates: Vec<ResourceKey>,
    pub edges: BTreeSet<Edge>,
    pub classes: BTreeSet<String>,
}

/// Drops `version`, `catalog_uuid` and `code_id`, and turns the unordered parts into sets.
pub fn normalize(catalog: &Catalog) -> NormalizedCatalog {
    let mut resources = BTreeMap::new();
    let mut duplicates = Vec::new();
    for resource in &catalog.resources {
        let key = ResourceKey { type_name: resource.type_name.clone(), title: resource.title.clone() };
        if resources.insert(key.clone(), normalize_resource(resource)).is_some() {
            duplicates.push(key);
        }
    }
    NormalizedCatalog {
        name: catalog.name.clone(),
        environment: catalog.environment.clone(),
        catalog_format: catalog.catalog_format,
        tags: catalog.tags.iter().cloned().collect(),
        resources,
        duplicates,
        edges: catalog.edges.iter().cloned().collect(),
        classes: catalog.classes.iter().cloned().collect(),
    }
}

fn normalize_resource(resource: &Resource) -> NormalizedResource {
    NormalizedResource {
        tags: resource.tags.iter().cloned().collect(),
        file: resource.file.clone(),
        line: resource.line,
        exported: resource.exported,
        kind: resource.kind.clone(),
        parameters: resource.parameters.clone(),
        sensitive_parameters: resource.sensitive_parameters.iter().cloned().collect(),
    }
}

/// One way two catalogs differ. `expected` is the first catalog given to [`compare`]
/// (the reference, normally Puppet's), `actual` the second.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    /// A value differs: a catalog field (`name`), or a resource's (`File[/x] line`,
    /// `File[/x] parameter mode`). An absent value is `null`.
    Value { path: String, expected: Value, actual: Value },
    /// A resource of the expected catalog is not in the actual one.
    MissingResource(ResourceKey),
    /// A resource of the actual catalog is not in the expected one.
    ExtraResource(ResourceKey),
    /// A catalog holds two resources with one type and title.
    DuplicateResource { key: ResourceKey, in_expected: bool },
    MissingEdge(Edge),
    ExtraEdge(Edge),
    MissingClass(String),
    ExtraClass(String),
}

impl fmt::Display for Difference {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Value { path, expected, actual } => {
                write!(formatter, "{path}: expected {expected}, got {actual}")
            }
            Difference::MissingResource(key) => write!(formatter, "missing resource {key}"),
            Difference::ExtraResource(key) => write!(formatter, "extra resource {key}"),
            Difference::DuplicateResource { key, in_expected } => {
                let which = if *in_expected { "expected" } else { "actual" };
                write!(formatter, "resource {key} appears twice in the {which} catalog")
            }
            Difference::MissingEdge(edge) => write!(formatter, "missing edge {} -> {}", edge.source, edge.target),
            Difference::ExtraEdge(edge) => write!(formatter, "extra edge {} -> {}", edge.source, edge.target),
            Difference::MissingClass(class) => write!(formatter, "missing class {class}"),
            Difference::ExtraClass(class) => write!(formatter, "extra class {class}"),
        }
    }
}

/// Every difference between two catalogs after [`normalize`]; empty when they are the same.
/// The order is stable: catalog fields, then resources by key, then edges, then classes.
pub fn compare(expected: &Catalog, actual: &Catalog) -> Vec<Difference> {
    let expected = normalize(expected);
    let actual = normalize(actual);
    let mut differences = Vec::new();
    let mut value = |path: &str, left: Value, right: Value| {
        if !json_identical(&left, &right) {
            differences.push(Difference::Value { path: path.to_owned(), expected: left, actual: right });
        }
    };
    value("name", Value::from(expected.name.clone()), Value::from(actual.name.clone()));
    value("environment", Value::from(expected.environment.clone()), Value::from(actual.environment.clone()));
    value("catalog_format", Value::from(expected.catalog_format), Value::from(actual.catalog_format));
    value("tags", set_value(&expected.tags), set_value(&actual.tags));

    differences.extend(
        expected.duplicates.iter().map(|key| Difference::DuplicateResource { key: key.clone(), in_expected: true }),
    );
    differences.extend(
        actual.duplicates.iter().map(|key| Difference::DuplicateResource { key: key.clone(), in_expected: false }),
    );
    for (key, left) in &expected.resources {
        match actual.resources.get(key) {
            None => differences.push(Difference::MissingResource(key.clone())),
            Some(right) => compare_resources(key, left, right, &mut differences),
        }
    }
    differences.extend(
        actual.resources.keys().filter(|key| !expected.resources.contains_key(*key)).cloned().map(Difference::ExtraResource),
    );
    differences.extend(expected.edges.difference(&actual.edges).cloned().map(Difference::MissingEdge));
    differences.extend(actual.edges.difference(&expected.edges).cloned().map(Difference::ExtraEdge));
    differences.extend(expected.classes.difference(&actual.classes).cloned().map(Difference::MissingClass));
    differences.extend(actual.classes.difference(&expected.classes).cloned().map(Difference::ExtraClass));
    differences
}

fn compare_resources(key: &ResourceKey, left: &NormalizedResource, right: &NormalizedResource, out: &mut Vec<Difference>) {
    let mut value = |field: &str, expected: Value, actual: Value| {
        if !json_identical(&expected, &actual) {
            out.push(Difference::Value { path: format!("{key} {field}"), expected, actual });
        }
    };
    value("tags", set_value(&left.tags), set_value(&right.tags));
    value("file", Value::from(left.file.clone()), Value::from(right.file.clone()));
    value("line", Value::from(left.line), Value::from(right.line));
    value("exported", Value::from(left.exported), Value::from(right.exported));
    value("kind", Value::from(left.kind.clone()), Value::from(right.kind.clone()));
    value("sensitive_parameters", set_value(&left.sensitive_parameters), set_value(&right.sensitive_parameters));
    let names: BTreeSet<&String> = left.parameters.keys().chain(right.parameters.keys()).collect();
    for name in names {
        // An undef parameter is not in Puppet's catalog at all, so "absent" is not `null`.
        let absent = || Value::from("<absent>");
        let expected = left.parameters.get(name).cloned().unwrap_or_else(absent);
        let actual = right.parameters.get(name).cloned().unwrap_or_else(absent);
        value(&format!("parameter {name}"), expected, actual);
    }
}

fn set_value(set: &BTreeSet<String>) -> Value {
    Value::Array(set.iter().cloned().map(Value::String).collect())
}

/// JSON equality that also requires hash keys in the same order (serde_json's own
/// equality ignores key order; Puppet's hashes are ordered).
pub(crate) fn json_identical(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left.iter().zip(right.iter()).all(|((left_key, left_value), (right_key, right_value))| {
                    left_key == right_key && json_identical(left_value, right_value)
                })
        }
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(left, right)| json_identical(left, right))
        }
        (left, right) => left == right,
    }
}
