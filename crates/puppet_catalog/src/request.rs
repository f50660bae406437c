//! What a compile needs: the node, its facts, the code, and the settings that change
//! the language's behaviour, with the Puppet 7 / Puppet 8 differences in one place.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The Puppet major version whose semantics a compile follows.
///
/// Puppet 7 is the reference (the oracle installed for the tests); Puppet 8 (and
/// OpenVox 8) differ by the settings below. Every check that depends on the version asks
/// this type instead of comparing numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PuppetVersion {
    #[default]
    #[serde(rename = "7")]
    V7,
    #[serde(rename = "8")]
    V8,
}

impl PuppetVersion {
    /// The version of a major number, `None` for versions puppet-ci does not model.
    pub fn from_major(major: u32) -> Option<PuppetVersion> {
        match major {
            7 => Some(PuppetVersion::V7),
            8 => Some(PuppetVersion::V8),
            _ => None,
        }
    }

    pub fn major(self) -> u32 {
        match self {
            PuppetVersion::V7 => 7,
            PuppetVersion::V8 => 8,
        }
    }

    /// The release an agent and server of this version report (`$facts['puppetversion']`,
    /// `$server_facts['serverversion']`): Puppet 7 is the release installed as the oracle.
    pub fn release(self) -> &'static str {
        match self {
            PuppetVersion::V7 => "7.23.0",
            PuppetVersion::V8 => "8.10.0",
        }
    }

    /// Whether agents send the legacy top-level facts (`osfamily`, `ipaddress`, ...):
    /// Puppet 8's Facter no longer does.
    pub fn legacy_facts(self) -> bool {
        self == PuppetVersion::V7
    }

    /// The default of the `strict` setting.
    pub fn strict(self) -> StrictMode {
        match self {
            PuppetVersion::V7 => StrictMode::Warning,
            PuppetVersion::V8 => StrictMode::Error,
        }
    }

    /// The default of the `strict_variables` setting: an unknown variable is an error.
    pub fn strict_variables(self) -> bool {
        self == PuppetVersion::V8
    }
}

/// Puppet's `strict` setting: what happens on questionable code (a resource reference to
/// an undeclared resource in a relationship is still an error; this covers the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StrictMode {
    Off,
    Warning,
    Error,
}

impl StrictMode {
    /// The setting's value as Puppet spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            StrictMode::Off => "off",
            StrictMode::Warning => "warning",
            StrictMode::Error => "error",
        }
    }
}

/// The `$trusted` hash: what the server knows from the node's certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustedFacts {
    /// `remote` for a node that presented a certificate.
    pub authenticated: String,
    pub certname: String,
    /// Certificate extensions by OID or short name (`pp_role`, ...).
    pub extensions: Map<String, Value>,
    /// Data of the `trusted_external_command`; empty unless configured.
    pub external: Map<String, Value>,
}

impl TrustedFacts {
    /// What a server trusts of an agent with a certificate for `certname` and no extensions.
    pub fn remote(certname: &str) -> TrustedFacts {
        TrustedFacts {
            authenticated: "remote".to_owned(),
            certname: certname.to_owned(),
            extensions: Map::new(),
            external: Map::new(),
        }
    }

    /// The `$trusted` hash as Puppet builds it: `hostname` and `domain` are the certname
    /// split at its first dot (`domain` is undef when there is no dot).
    pub fn to_value(&self) -> Value {
        let (hostname, domain) = match self.certname.split_once('.') {
            Some((hostname, domain)) => (hostname.to_owned(), Value::String(domain.to_owned())),
            None => (self.certname.clone(), Value::Null),
        };
        let mut trusted = Map::new();
        trusted.insert("authenticated".to_owned(), Value::String(self.authenticated.clone()));
        trusted.insert("certname".to_owned(), Value::String(self.certname.clone()));
        trusted.insert("extensions".to_owned(), Value::Object(self.extensions.clone()));
        trusted.insert("hostname".to_owned(), Value::String(hostname));
        trusted.insert("domain".to_owned(), domain);
        trusted.insert("external".to_owned(), Value::Object(self.external.clone()));
        Value::Object(trusted)
    }
}

/// The `$server_facts` a compile sees (without `environment`, which every engine adds
/// from [`CompileRequest::environment`], as Puppet does).
pub fn default_server_facts(version: PuppetVersion) -> Map<String, Value> {
    let mut facts = Map::new();
    facts.insert("serverversion".to_owned(), Value::String(version.release().to_owned()));
    facts.insert("servername".to_owned(), Value::String("puppet".to_owned()));
    facts.insert("serverip".to_owned(), Value::String("127.0.0.1".to_owned()));
    facts
}

/// A node's fact hash, shared: a cloned request (nodes that differ only by their classes
/// or code, one fact set compiled for many cases) holds the same hash instead of a copy,
/// and an engine may keep what it derives from a hash for as long as the hash lives (the
/// native engine converts it to its own values once per thread, not once per compile).
///
/// Read it as the map it holds (`Deref`); a change (`DerefMut`, `From` a map) copies the
/// hash first when it is shared, so no other request sees it.
#[derive(Clone, Default, PartialEq)]
pub struct Facts(Arc<Map<String, Value>>);

impl Facts {
    pub fn new(facts: Map<String, Value>) -> Facts {
        Facts(Arc::new(facts))
    }

    /// The shared hash: two requests whose `shared()` are the same `Arc` (`Arc::ptr_eq`)
    /// have the same facts, which a cache keyed by a `Weak` of it can rely on.
    pub fn shared(&self) -> &Arc<Map<String, Value>> {
        &self.0
    }
}

impl From<Map<String, Value>> for Facts {
    fn from(facts: Map<String, Value>) -> Facts {
        Facts::new(facts)
    }
}

impl Deref for Facts {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        &self.0
    }
}

impl DerefMut for Facts {
    fn deref_mut(&mut self) -> &mut Map<String, Value> {
        Arc::make_mut(&mut self.0)
    }
}

impl std::fmt::Debug for Facts {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(formatter)
    }
}

impl Serialize for Facts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Facts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Facts, D::Error> {
        Map::deserialize(deserializer).map(Facts::new)
    }
}

/// One compile: a node with its facts, and the code to compile for it.
///
/// Paths should be absolute: engines read relative ones from the current folder, and
/// Puppet writes them absolute into the catalog's `file` attributes.
///
/// The code is the manifest (a file, or a folder of `.pp` files read in name order), or
/// `code` instead of it (as `puppet apply -e`), plus `classes` declared as an ENC would
/// (`include`), with modules autoloaded from `modulepath`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompileRequest {
    /// The node's certname, lower case: matched against `node` definitions.
    pub node: String,
    /// The full fact hash the agent sends (structured facts, legacy facts and the agent's
    /// own `clientcert`, `clientversion`, ...): see the `puppet_facts` crate. Shared by
    /// clones of the request.
    pub facts: Facts,
    pub trusted: TrustedFacts,
    /// `$server_facts`, without `environment`.
    pub server_facts: Map<String, Value>,
    /// Module folders, searched in order.
    pub modulepath: Vec<PathBuf>,
    /// The site manifest: a file, or a folder of `.pp` files.
    pub manifest: Option<PathBuf>,
    /// Inline code used instead of the manifest.
    pub code: Option<String>,
    /// Classes to include, as an ENC's `classes` list.
    pub classes: Vec<String>,
    /// The global `hiera.yaml`. None: Puppet's default for a missing file (a Hiera 5
    /// layer with no data of its own).
    pub hiera_config: Option<PathBuf>,
    /// The environment's folder (a control repo): its `hiera.yaml` (or Hiera 5's default
    /// `data/common.yaml`) is the environment layer of lookups. None: no environment layer.
    pub environment_dir: Option<PathBuf>,
    pub environment: String,
    /// `strict_variables` asked for explicitly; Puppet 8 turns it on regardless.
    pub strict_variables: bool,
    pub puppet_version: PuppetVersion,
}

impl CompileRequest {
    /// A request for `node` with `facts`, trusted as a node with a certificate, in the
    /// `production` environment, with Puppet 7 semantics and no code yet.
    pub fn new(node: &str, facts: Map<String, Value>) -> CompileRequest {
        let node = node.to_lowercase();
        CompileRequest {
            trusted: TrustedFacts::remote(&node),
            node,
            facts: Facts::new(facts),
            server_facts: default_server_facts(PuppetVersion::V7),
            modulepath: Vec::new(),
            manifest: None,
            code: None,
            classes: Vec::new(),
            hiera_config: None,
            environment_dir: None,
            environment: "production".to_owned(),
            strict_variables: false,
            puppet_version: PuppetVersion::V7,
        }
    }

    /// Whether an unknown variable is an error in this compile.
    pub fn effective_strict_variables(&self) -> bool {
        self.strict_variables || self.puppet_version.strict_variables()
    }

    /// The `strict` setting in this compile.
    pub fn strict_mode(&self) -> StrictMode {
        self.puppet_version.strict()
    }

    /// `$server_facts` as the compile sees it: the request's server facts and the environment.
    pub fn server_facts_value(&self) -> Value {
        let mut facts = self.server_facts.clone();
        facts.insert("environment".to_owned(), Value::String(self.environment.clone()));
        Value::Object(facts)
    }
}
