//! Fact sets for catalog compiles: Facter JSON files, the bundled facterdb sets, and the
//! facts a Puppet agent sends beside Facter's structured ones.
//!
//! A compile needs the fact hash an agent sends. Facter's JSON (and the bundled facterdb
//! sets in `facts/`) hold the structured facts only; a Puppet 7 agent also sends the
//! legacy top-level facts (`osfamily`, `ipaddress`, ...) that Facter 4 derives from them,
//! and its own `clientcert`, `clientversion`, `clientnoop` and `puppetversion`.
//! [`agent_facts`] adds both, as the agent would.

use std::path::{Path, PathBuf};

use puppet_catalog::PuppetVersion;
use serde_json::{Map, Value};

mod legacy;

pub use legacy::legacy_facts;

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// Why a fact set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    /// The cause is part of the message (not an error source), so that a chain of causes
    /// does not print it twice.
    #[error("cannot read facts file {}: {error}", path.display())]
    Read { path: PathBuf, error: std::io::Error },
    #[error("{}:{line}:{column}: malformed facts JSON: {message}", path.display())]
    Json { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{}: facts must be a JSON object of fact names to values (Facter's --json output), not {found}", path.display())]
    NotAnObject { path: PathBuf, found: &'static str },
    #[error("no facts file {name} and no bundled fact set of that name; bundled sets: {}", available.join(", "))]
    UnknownSet { name: String, available: Vec<String> },
}

/// Facts read from a file or a bundled set, before the agent's additions.
#[derive(Debug, Clone, PartialEq)]
pub struct FactSet {
    /// Where the facts come from: the file's path, or `bundled 4.11/debian-12-x86_64`.
    pub source: String,
    pub values: Map<String, Value>,
}

/// Loads `spec`: a file when one exists at that path, else a bundled set's name
/// (`debian-12-x86_64`: the set from the newest Facter version that has it; or
/// `4.3/debian-12-x86_64` for a given version).
pub fn load(spec: &str) -> Result<FactSet, FactsError> {
    let path = Path::new(spec);
    if path.is_file() {
        return load_file(path);
    }
    bundled(spec).ok_or_else(|| {
        if path.components().count() > 2 || path.extension().is_some_and(|extension| extension == "json") {
            // It looks like a path, so the missing file is the news.
            return FactsError::Read { path: path.to_owned(), error: std::io::Error::from_raw_os_error(2) };
        }
        FactsError::UnknownSet { name: spec.to_owned(), available: bundled_names() }
    })
}

/// Loads a Facter JSON file: a JSON object of facts, or `{"name": ..., "values": {...}}`
/// as `puppet facts show` prints it.
pub fn load_file(path: &Path) -> Result<FactSet, FactsError> {
    let text = std::fs::read_to_string(path).map_err(|error| FactsError::Read { path: path.to_owned(), error })?;
    let values = parse(&text, path)?;
    Ok(FactSet { source: path.display().to_string(), values })
}

/// Parses the text of a facts file; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Map<String, Value>, FactsError> {
    let value: Value = serde_json::from_str(text).map_err(|error| FactsError::Json {
        path: path.to_owned(),
        line: error.line(),
        column: error.column(),
        message: error.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
    })?;
    let Value::Object(mut object) = value else {
        return Err(FactsError::NotAnObject { path: path.to_owned(), found: json_kind(&value) });
    };
    if object.contains_key("name") && object.get("values").is_some_and(Value::is_object) {
        let Some(Value::Object(values)) = object.remove("values") else { unreachable!("checked above") };
        return Ok(values);
    }
    Ok(object)
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A bundled set by name (`debian-12-x86_64`, or `4.3/debian-12-x86_64`).
pub fn bundled(name: &str) -> Option<FactSet> {
    let name = name.strip_suffix(".facts").unwrap_or(name);
    let (version, name) = match name.split_once('/') {
        Some((version, name)) => (Some(version), name),
        None => (None, name),
    };
    let (set_version, _, text) = BUNDLED
        .iter()
        .filter(|(set_version, set_name, _)| *set_name == name && version.is_none_or(|version| version == *set_version))
        .max_by_key(|(set_version, _, _)| version_key(set_version))?;
    let values = parse(text, Path::new(&format!("facts/{set_version}/{name}.facts")))
        .expect("bundled fact sets are checked by the tests");
    Some(FactSet { source: format!("bundled {set_version}/{name}"), values })
}

/// The names of the bundled sets, each once, sorted.
pub fn bundled_names() -> Vec<String> {
    let mut names: Vec<String> = BUNDLED.iter().map(|(_, name, _)| (*name).to_owned()).collect();
    names.sort();
    names.dedup();
    names
}

/// Every bundled set with its version: `4.3/debian-12-x86_64`.
pub fn bundled_versioned_names() -> Vec<String> {
    BUNDLED.iter().map(|(version, name, _)| format!("{version}/{name}")).collect()
}

fn version_key(version: &str) -> Vec<u32> {
    version.split('.').map(|part| part.parse().unwrap_or(0)).collect()
}

/// What the agent adds to Facter's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentOptions {
    /// The agent's certname (`clientcert`).
    pub certname: String,
    /// The Puppet version of the agent: its release is `clientversion` and `puppetversion`.
    pub puppet_version: PuppetVersion,
    /// Whether to add the legacy facts Facter 4 derives (Puppet 7), or to drop them
    /// (Puppet 8's Facter no longer sends them).
    pub legacy_facts: bool,
}

impl AgentOptions {
    /// The agent of a Puppet version: legacy facts as that version sends them.
    pub fn new(certname: &str, puppet_version: PuppetVersion) -> AgentOptions {
        AgentOptions { certname: certname.to_owned(), puppet_version, legacy_facts: puppet_version.legacy_facts() }
    }
}

/// The fact hash an agent sends: Facter's facts, plus (or minus) the legacy facts, plus
/// the agent's own facts, keys sorted as `facter --json` sorts them.
///
/// Legacy facts already in `facts` (a file saved from a real node) are kept as they are;
/// without legacy facts, those in `facts` are removed.
/// `clientcert`, `clientversion`, `clientnoop` and `puppetversion` are always the agent's
/// (the agent overwrites them; a facterdb set's `puppetversion` is the version that
/// recorded it, not the agent compiled for).
pub fn agent_facts(facts: Map<String, Value>, options: &AgentOptions) -> Map<String, Value> {
    let mut facts = facts;
    let legacy = legacy_facts(&facts);
    if options.legacy_facts {
        for (name, value) in legacy {
            facts.entry(name).or_insert(value);
        }
    } else {
        // Exactly the names Facter 4 would derive from these facts: a custom fact that
        // happens to start like a legacy one (`network_zone`) stays.
        facts.retain(|name, _| !legacy.contains_key(name));
    }
    let release = options.puppet_version.release();
    facts.insert("clientcert".to_owned(), Value::String(options.certname.clone()));
    facts.insert("clientversion".to_owned(), Value::String(release.to_owned()));
    facts.insert("clientnoop".to_owned(), Value::Bool(false));
    facts.insert("puppetversion".to_owned(), Value::String(release.to_owned()));
    facts.sort_keys();
    facts
}
