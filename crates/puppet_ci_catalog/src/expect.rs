//! Module tests without Ruby: a module's `puppet-ci-tests.yaml` declares, per class or
//! defined type, what its catalog must hold (what rspec-puppet's matchers say), per fact
//! set or for all of them.
//!
//! ```yaml
//! fact_sets: [debian-12-x86_64, redhat-9-x86_64]   # default: the stage's
//! tests:
//!   - class: profile::web
//!     params: {server_name: www.example.test}      # a resource-like declaration
//!     snapshot: true                               # a reviewed catalog snapshot per fact set
//!     expect:
//!       - contains: File[/etc/motd]
//!         with: {mode: "0644", content: "/managed by Puppet/"}   # /.../ is a regex
//!         without: [source]
//!         requires: [Package[apache2]]                 # also before, notifies, subscribes_to
//!       - not_contains: Package[httpd]
//!       - count: {type: File, equals: 4}
//!       - compile_error: "Unsupported OS"              # a regex
//!         fact_sets: [redhat-9-x86_64]
//!   - define: profile::vhost
//!     title: example
//! ```
//!
//! The file is checked whole before anything compiles: unknown keys, a type no module
//! defines, a bad regex or fact set name is an error at its line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use puppet_catalog::{Catalog, CompileError};
use puppet_ci_config::Step;
use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::refs::{parse_ref, Index};
use crate::types::{is_known, similar};
use crate::{CatalogError, Result};

/// A module's tests, read and checked.
#[derive(Debug, Clone)]
pub struct TestFile {
    pub path: PathBuf,
    pub module: String,
    pub module_dir: PathBuf,
    /// The fact sets of every test without its own; empty: the stage's.
    pub fact_sets: Vec<String>,
    pub node: Option<String>,
    pub tests: Vec<Test>,
}

/// What is compiled: a class, or a defined type with a title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Class(String),
    Define { name: String, title: String },
}

impl Subject {
    /// `profile::web`, or `profile::vhost[example]`.
    pub fn label(&self) -> String {
        match self {
            Subject::Class(name) => name.clone(),
            Subject::Define { name, title } => format!("{name}[{title}]"),
        }
    }

    /// A file name part: `profile__web`, `profile__vhost_example`.
    pub fn file_stem(&self) -> String {
        let raw = match self {
            Subject::Class(name) => name.clone(),
            Subject::Define { name, title } => format!("{name}_{title}"),
        };
        raw.replace("::", "__").chars().map(|character| if character.is_ascii_alphanumeric() || matches!(character, '_' | '-' | '.') { character } else { '_' }).collect()
    }
}

#[derive(Debug, Clone)]
pub struct Test {
    pub subject: Subject,
    pub params: Map<String, Value>,
    pub pre_condition: Option<String>,
    pub facts: BTreeMap<String, Value>,
    pub fact_sets: Vec<String>,
    pub snapshot: bool,
    pub expectations: Vec<Expectation>,
    /// Where the test starts in the file.
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Expectation {
    pub kind: ExpectKind,
    /// Only on these fact sets; empty: on all of the test's.
    pub fact_sets: Vec<String>,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone)]
pub enum ExpectKind {
    Contains { reference: String, with: Vec<(String, Matcher)>, without: Vec<String>, relations: Vec<(Relation, String)> },
    NotContains(String),
    Count { type_name: Option<String>, equals: usize },
    CompileError(Regex),
}

#[derive(Debug, Clone)]
pub enum Matcher {
    Equals(Value),
    Matches(Regex),
    /// `~`: the parameter is not set.
    Unset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Requires,
    Before,
    Notifies,
    SubscribesTo,
}

impl Relation {
    fn verb(self) -> &'static str {
        match self {
            Relation::Requires => "require",
            Relation::Before => "come before",
            Relation::Notifies => "notify",
            Relation::SubscribesTo => "subscribe to",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    fact_sets: Vec<String>,
    #[serde(default)]
    node: Option<String>,
    #[serde(default)]
    tests: Vec<RawTest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    class: Option<String>,
    define: Option<String>,
    title: Option<String>,
    #[serde(default)]
    params: serde_yaml::Mapping,
    pre_condition: Option<String>,
    #[serde(default)]
    facts: BTreeMap<String, serde_yaml::Value>,
    #[serde(default)]
    fact_sets: Vec<String>,
    #[serde(default)]
    snapshot: bool,
    #[serde(default)]
    expect: Vec<RawExpectation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpectation {
    contains: Option<String>,
    not_contains: Option<String>,
    #[serde(default)]
    with: serde_yaml::Mapping,
    #[serde(default)]
    without: Vec<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    before: Vec<String>,
    #[serde(default)]
    notifies: Vec<String>,
    #[serde(default)]
    subscribes_to: Vec<String>,
    count: Option<RawCount>,
    compile_error: Option<String>,
    #[serde(default)]
    fact_sets: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCount {
    #[serde(rename = "type")]
    type_name: Option<String>,
    equals: usize,
}

/// YAML to JSON: what a catalog parameter is compared with.
pub(crate) fn to_json(value: &serde_yaml::Value) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Reads and checks a module's tests file. `known_types` are the types the modulepath
/// defines; `fact_set_ok` says whether a fact set name loads.
pub fn read(path: &Path, module: &str, module_dir: &Path, known_types: &BTreeSet<String>, fact_set_ok: &dyn Fn(&str) -> bool) -> Result<TestFile> {
    let text = std::fs::read_to_string(path).map_err(CatalogError::io("read", path))?;
    let raw: RawFile = serde_yaml::from_str(&text).map_err(|error| {
        let location = error.location();
        let mut message = error.to_string();
        if let Some(location) = &location {
            message = message.replace(&format!(" at line {} column {}", location.line(), location.column()), "");
        }
        CatalogError::Expectations { path: path.to_path_buf(), line: location.as_ref().map(|location| location.line()), column: location.as_ref().map(|location| location.column()), message }
    })?;
    let at = |steps: &[Step]| puppet_ci_config::locate(&text, steps).unwrap_or((1, 1));
    let fail = |steps: &[Step], message: String| {
        let (line, column) = at(steps);
        CatalogError::Expectations { path: path.to_path_buf(), line: Some(line), column: Some(column), message }
    };
    for (index, name) in raw.fact_sets.iter().enumerate() {
        if !fact_set_ok(name) {
            return Err(fail(&[Step::Key("fact_sets".into()), Step::Index(index)], format!("no fact set {name}: not a file here, nor a bundled set")));
        }
    }
    let mut tests = Vec::new();
    for (test_index, raw_test) in raw.tests.into_iter().enumerate() {
        let test_at = |rest: &[Step]| {
            let mut steps = vec![Step::Key("tests".into()), Step::Index(test_index)];
            steps.extend_from_slice(rest);
            steps
        };
        let subject = match (raw_test.class, raw_test.define, raw_test.title) {
            (Some(class), None, None) => Subject::Class(class.trim_start_matches("::").to_string()),
            (None, Some(define), Some(title)) => {
                if !is_known(known_types, &define) {
                    return Err(fail(&test_at(&[Step::Key("define".into())]), unknown_type(known_types, &define)));
                }
                Subject::Define { name: define.trim_start_matches("::").to_string(), title }
            }
            (None, Some(_), None) => return Err(fail(&test_at(&[Step::Key("define".into())]), "a defined type's test needs a `title`".into())),
            (Some(_), None, Some(_)) => return Err(fail(&test_at(&[Step::Key("title".into())]), "a class has no title: `title` is for a `define`".into())),
            _ => return Err(fail(&test_at(&[]), "each test names exactly one `class` or one `define` (with a `title`)".into())),
        };
        let params = match to_json(&serde_yaml::Value::Mapping(raw_test.params)) {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let facts = raw_test.facts.iter().map(|(name, value)| (name.clone(), to_json(value))).collect();
        for (index, name) in raw_test.fact_sets.iter().enumerate() {
            if !fact_set_ok(name) {
                return Err(fail(&test_at(&[Step::Key("fact_sets".into()), Step::Index(index)]), format!("no fact set {name}: not a file here, nor a bundled set")));
            }
        }
        let test_fact_sets = if raw_test.fact_sets.is_empty() { raw.fact_sets.clone() } else { raw_test.fact_sets.clone() };
        let mut expectations = Vec::new();
        for (expect_index, raw_expectation) in raw_test.expect.into_iter().enumerate() {
            let expect_at = |rest: &[Step]| {
                let mut steps = test_at(&[Step::Key("expect".into()), Step::Index(expect_index)]);
                steps.extend_from_slice(rest);
                steps
            };
            let expectation = expectation(raw_expectation, known_types, &test_fact_sets, &|rest, message| fail(&expect_at(rest), message))?;
            let (line, column) = at(&expect_at(&[]));
            expectations.push(Expectation { line, column, ..expectation });
        }
        let (line, _) = at(&test_at(&[]));
        tests.push(Test { subject, params, pre_condition: raw_test.pre_condition, facts, fact_sets: raw_test.fact_sets, snapshot: raw_test.snapshot, expectations, line });
    }
    Ok(TestFile { path: path.to_path_buf(), module: module.to_string(), module_dir: module_dir.to_path_buf(), fact_sets: raw.fact_sets, node: raw.node, tests })
}

fn unknown_type(known: &BTreeSet<String>, wanted: &str) -> String {
    let hint = similar(known, wanted);
    let hint = if hint.is_empty() { String::new() } else { format!("; did you mean {}?", hint.join(" or ")) };
    format!("no resource type {wanted}: it is not one of Puppet's types, nor a defined type or Ruby type of the modulepath{hint}")
}

fn expectation(raw: RawExpectation, known: &BTreeSet<String>, test_fact_sets: &[String], fail: &dyn Fn(&[Step], String) -> CatalogError) -> Result<Expectation> {
    let key = |name: &str| Step::Key(name.to_string());
    let reference = |name: &str, text: &str| -> Result<String> {
        let Some((type_name, title)) = parse_ref(text) else {
            return Err(fail(&[key(name)], format!("{text:?} is not a resource reference like File[/etc/motd]")));
        };
        if !is_known(known, &type_name) {
            return Err(fail(&[key(name)], unknown_type(known, &type_name)));
        }
        Ok(format!("{type_name}[{title}]"))
    };
    let regex = |name: &str, pattern: &str| -> Result<Regex> {
        Regex::new(pattern).map_err(|error| fail(&[key(name)], format!("{pattern:?} is not a valid regex: {}", error.to_string().lines().last().unwrap_or_default().trim())))
    };
    let chosen = [raw.contains.is_some(), raw.not_contains.is_some(), raw.count.is_some(), raw.compile_error.is_some()].iter().filter(|chosen| **chosen).count();
    if chosen != 1 {
        return Err(fail(&[], "each expectation is exactly one of contains, not_contains, count or compile_error".into()));
    }
    let has_details = !raw.with.is_empty() || !raw.without.is_empty() || !raw.requires.is_empty() || !raw.before.is_empty() || !raw.notifies.is_empty() || !raw.subscribes_to.is_empty();
    if has_details && raw.contains.is_none() {
        return Err(fail(&[], "with, without and relationships (requires, before, notifies, subscribes_to) belong to a `contains` expectation".into()));
    }
    for (index, name) in raw.fact_sets.iter().enumerate() {
        if !test_fact_sets.is_empty() && !test_fact_sets.contains(name) {
            return Err(fail(&[key("fact_sets"), Step::Index(index)], format!("fact set {name} is not one the test compiles with ({})", test_fact_sets.join(", "))));
        }
    }
    let kind = if let Some(contains) = raw.contains {
        let subject = reference("contains", &contains)?;
        let mut with = Vec::new();
        for (name, value) in &raw.with {
            let name = name.as_str().map(str::to_string).unwrap_or_else(|| format!("{name:?}"));
            let matcher = match value {
                serde_yaml::Value::Null => Matcher::Unset,
                serde_yaml::Value::String(text) if text.len() >= 2 && text.starts_with('/') && text.ends_with('/') => {
                    Matcher::Matches(Regex::new(&text[1..text.len() - 1]).map_err(|error| {
                        fail(&[key("with"), key(&name)], format!("{text:?} is not a valid regex: {}", error.to_string().lines().last().unwrap_or_default().trim()))
                    })?)
                }
                other => Matcher::Equals(to_json(other)),
            };
            with.push((name, matcher));
        }
        let mut relations = Vec::new();
        for (relation, name, targets) in [
            (Relation::Requires, "requires", &raw.requires),
            (Relation::Before, "before", &raw.before),
            (Relation::Notifies, "notifies", &raw.notifies),
            (Relation::SubscribesTo, "subscribes_to", &raw.subscribes_to),
        ] {
            for target in targets {
                relations.push((relation, reference(name, target)?));
            }
        }
        ExpectKind::Contains { reference: subject, with, without: raw.without, relations }
    } else if let Some(not_contains) = raw.not_contains {
        ExpectKind::NotContains(reference("not_contains", &not_contains)?)
    } else if let Some(count) = raw.count {
        if let Some(type_name) = &count.type_name {
            if !is_known(known, type_name) {
                return Err(fail(&[key("count"), key("type")], unknown_type(known, type_name)));
            }
        }
        ExpectKind::Count { type_name: count.type_name.map(|name| crate::refs::canonical_type(&name)), equals: count.equals }
    } else {
        ExpectKind::CompileError(regex("compile_error", raw.compile_error.as_deref().unwrap_or_default())?)
    };
    Ok(Expectation { kind, fact_sets: raw.fact_sets, line: 0, column: 0 })
}

impl Test {
    /// The Puppet code that declares the subject, after the test's `pre_condition`.
    pub fn code(&self) -> String {
        let mut code = String::new();
        if let Some(pre) = &self.pre_condition {
            code.push_str(pre);
            code.push('\n');
        }
        let attributes = |indent: &str| -> String { self.params.iter().map(|(name, value)| format!("{indent}{name} => {},\n", puppet_literal(value))).collect() };
        match &self.subject {
            Subject::Class(name) if self.params.is_empty() => code.push_str(&format!("include {name}\n")),
            Subject::Class(name) => code.push_str(&format!("class {{ {}:\n{}}}\n", puppet_literal(&Value::String(name.clone())), attributes("  "))),
            Subject::Define { name, title } => code.push_str(&format!("{name} {{ {}:\n{}}}\n", puppet_literal(&Value::String(title.clone())), attributes("  "))),
        }
        code
    }

    /// Whether an expectation applies on a fact set.
    pub fn applies(expectation: &Expectation, fact_set: &str) -> bool {
        expectation.fact_sets.is_empty() || expectation.fact_sets.iter().any(|name| name == fact_set)
    }
}

/// A JSON value as a Puppet literal: `undef`, `true`, `8080`, `'text'`, `[...]`, `{...}`.
pub(crate) fn puppet_literal(value: &Value) -> String {
    match value {
        Value::Null => "undef".to_string(),
        Value::Bool(value) => value.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(items) => format!("[{}]", items.iter().map(puppet_literal).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!("{{{}}}", map.iter().map(|(key, value)| format!("{} => {}", puppet_literal(&Value::String(key.clone())), puppet_literal(value))).collect::<Vec<_>>().join(", ")),
    }
}

/// An expectation that did not hold, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The expectations of `test` that apply on `fact_set` and do not hold for the compile's
/// result.
pub fn evaluate(test: &Test, fact_set: &str, result: std::result::Result<&Catalog, &CompileError>) -> Vec<Failure> {
    let applying: Vec<&Expectation> = test.expectations.iter().filter(|expectation| Test::applies(expectation, fact_set)).collect();
    let failure = |expectation: &Expectation, message: String| Failure { line: expectation.line, column: expectation.column, message };
    let expected_error = applying.iter().find(|expectation| matches!(expectation.kind, ExpectKind::CompileError(_)));
    let catalog = match (result, expected_error) {
        (Err(error), Some(expectation)) => {
            let ExpectKind::CompileError(pattern) = &expectation.kind else { unreachable!("found as a compile error") };
            if pattern.is_match(&error.message) {
                return Vec::new();
            }
            return vec![failure(expectation, format!("the compile error does not match /{pattern}/: {}", error.message))];
        }
        (Err(error), None) => {
            return vec![Failure { line: test.line, column: 1, message: format!("{} does not compile on {fact_set}: {error}", test.subject.label()) }];
        }
        (Ok(_), Some(expectation)) => {
            let ExpectKind::CompileError(pattern) = &expectation.kind else { unreachable!("found as a compile error") };
            return vec![failure(expectation, format!("{} compiles on {fact_set}, but a compile error matching /{pattern}/ was expected", test.subject.label()))];
        }
        (Ok(catalog), None) => catalog,
    };
    let index = Index::new(catalog);
    let mut failures = Vec::new();
    for expectation in applying {
        match &expectation.kind {
            ExpectKind::Contains { reference, with, without, relations } => {
                let Some(position) = index.find_ref(reference) else {
                    failures.push(failure(expectation, format!("{reference} is not in the catalog{}", near(&index, reference))));
                    continue;
                };
                let resource = index.resource(position);
                for (name, matcher) in with {
                    let actual = resource.parameters.get(name);
                    if let Some(problem) = mismatch(actual, matcher) {
                        failures.push(failure(expectation, format!("{reference} parameter {name}: {problem}")));
                    }
                }
                for name in without {
                    if let Some(value) = resource.parameters.get(name) {
                        failures.push(failure(expectation, format!("{reference} has parameter {name} ({value}), expected it unset")));
                    }
                }
                for (relation, target) in relations {
                    match index.find_ref(target) {
                        None => failures.push(failure(expectation, format!("{reference} should {} {target}, which is not in the catalog", relation.verb()))),
                        Some(other) if !related(&index, position, other, *relation) => {
                            failures.push(failure(expectation, format!("{reference} does not {} {target}", relation.verb())));
                        }
                        Some(_) => {}
                    }
                }
            }
            ExpectKind::NotContains(reference) => {
                if let Some(position) = index.find_ref(reference) {
                    let resource = index.resource(position);
                    let place = match (&resource.file, resource.line) {
                        (Some(file), Some(line)) => format!(" (declared at {file}:{line})"),
                        _ => String::new(),
                    };
                    failures.push(failure(expectation, format!("{reference} is in the catalog{place}, expected it absent")));
                }
            }
            ExpectKind::Count { type_name, equals } => {
                let count = catalog
                    .resources
                    .iter()
                    .filter(|resource| match type_name {
                        Some(type_name) => &resource.type_name == type_name,
                        None => !matches!(resource.type_name.as_str(), "Class" | "Stage" | "Node"),
                    })
                    .count();
                if count != *equals {
                    let what = type_name.as_ref().map_or_else(|| "resources (classes and stages aside)".to_string(), |type_name| format!("{type_name} resources"));
                    failures.push(failure(expectation, format!("the catalog has {count} {what}, expected {equals}")));
                }
            }
            ExpectKind::CompileError(_) => {}
        }
    }
    failures
}

/// Up to three references of the same type, to help a typo.
fn near(index: &Index<'_>, reference: &str) -> String {
    let Some((type_name, _)) = parse_ref(reference) else { return String::new() };
    let same_type: Vec<String> = index.catalog.resources.iter().filter(|resource| resource.type_name == type_name).take(3).map(|resource| resource.reference()).collect();
    if same_type.is_empty() {
        format!(" (it has no {type_name} resource)")
    } else {
        format!(" (its {type_name} resources include {})", same_type.join(", "))
    }
}

/// Why a parameter's value does not match, or None when it does. A number or boolean
/// expected matches the same text (`mode: 644` and `'644'`).
fn mismatch(actual: Option<&Value>, matcher: &Matcher) -> Option<String> {
    match (actual, matcher) {
        (None, Matcher::Unset) => None,
        (Some(actual), Matcher::Unset) => Some(format!("is {actual}, expected it unset")),
        (None, _) => Some("is not set".to_string()),
        (Some(actual), Matcher::Matches(pattern)) => {
            let text = actual.as_str().map(str::to_string).unwrap_or_else(|| actual.to_string());
            (!pattern.is_match(&text)).then(|| format!("is {actual}, which does not match /{pattern}/"))
        }
        (Some(actual), Matcher::Equals(expected)) => {
            let scalar_text = |value: &Value| match value {
                Value::String(text) => Some(text.clone()),
                Value::Number(number) => Some(number.to_string()),
                Value::Bool(value) => Some(value.to_string()),
                _ => None,
            };
            let same = actual == expected || scalar_text(actual).is_some_and(|text| Some(text) == scalar_text(expected));
            (!same).then(|| format!("is {actual}, expected {expected}"))
        }
    }
}

/// Whether `position` relates to `other` so, directly or through their containers.
fn related(index: &Index<'_>, position: usize, other: usize, relation: Relation) -> bool {
    let (source, target, refresh) = match relation {
        Relation::Before => (position, other, false),
        Relation::Requires => (other, position, false),
        Relation::Notifies => (position, other, true),
        Relation::SubscribesTo => (other, position, true),
    };
    let sources = index.with_containers(source);
    let targets = index.with_containers(target);
    index.relationships().iter().any(|relationship| {
        (!refresh || relationship.refreshes())
            && relationship.edge().is_some_and(|(from, to)| sources.contains(&from) && targets.contains(&to))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> BTreeSet<String> {
        ["File", "Package", "Service", "Class", "Profile::Vhost"].iter().map(|name| name.to_string()).collect()
    }

    fn read_text(text: &str) -> Result<TestFile> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("puppet-ci-tests.yaml");
        std::fs::write(&path, text).unwrap();
        read(&path, "profile", dir.path(), &known(), &|name| name == "debian-12-x86_64" || name == "redhat-9-x86_64").map_err(|error| {
            // Name the file as the user would, whatever the temporary folder.
            match error {
                CatalogError::Expectations { line, column, message, .. } => CatalogError::Expectations { path: PathBuf::from("puppet-ci-tests.yaml"), line, column, message },
                other => other,
            }
        })
    }

    #[test]
    fn errors_name_the_line_and_what_is_wrong() {
        let error = |text: &str| read_text(text).unwrap_err().to_string();
        assert_eq!(
            error("tests:\n  - class: profile::web\n    expect:\n      - contains: Fiel[/etc/motd]\n"),
            "puppet-ci-tests.yaml:4:19: no resource type Fiel: it is not one of Puppet's types, nor a defined type or Ruby type of the modulepath; did you mean File?"
        );
        assert_eq!(
            error("tests:\n  - class: profile::web\n    expect:\n      - count: {type: Mount, equals: 1}\n"),
            "puppet-ci-tests.yaml:4:23: no resource type Mount: it is not one of Puppet's types, nor a defined type or Ruby type of the modulepath"
        );
        assert_eq!(error("tests:\n  - clas: profile::web\n"), "puppet-ci-tests.yaml:2:5: tests[0]: unknown field `clas`, expected one of `class`, `define`, `title`, `params`, `pre_condition`, `facts`, `fact_sets`, `snapshot`, `expect`");
        assert_eq!(error("fact_sets: [debian-13-sparc]\ntests: []\n"), "puppet-ci-tests.yaml:1:13: no fact set debian-13-sparc: not a file here, nor a bundled set");
        assert_eq!(
            error("tests:\n  - class: x\n    expect:\n      - {contains: 'File[/a]', compile_error: x}\n"),
            "puppet-ci-tests.yaml:4:9: each expectation is exactly one of contains, not_contains, count or compile_error"
        );
        assert!(error("tests:\n  - class: x\n    expect:\n      - compile_error: '(['\n").starts_with("puppet-ci-tests.yaml:4:24: \"([\" is not a valid regex"));
        assert_eq!(error("tests:\n  - define: profile::vhost\n"), "puppet-ci-tests.yaml:2:13: a defined type's test needs a `title`");
    }

    #[test]
    fn code_declares_the_subject() {
        let file = read_text("tests:\n  - class: profile::web\n  - class: profile::web\n    params: {port: 8080, name: \"it's\", list: [a, true], opt: ~}\n    pre_condition: \"include base\"\n  - define: profile::vhost\n    title: site\n").unwrap();
        assert_eq!(file.tests[0].code(), "include profile::web\n");
        assert_eq!(file.tests[1].code(), "include base\nclass { 'profile::web':\n  port => 8080,\n  name => 'it\\'s',\n  list => ['a', true],\n  opt => undef,\n}\n");
        assert_eq!(file.tests[2].code(), "profile::vhost { 'site':\n}\n");
        assert_eq!(file.tests[2].subject.file_stem(), "profile__vhost_site");
    }
}
