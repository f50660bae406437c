//! The compile stage: a [`CompileRequest`] built from paths and a fact set as a user names
//! them, and the engine that compiles it.
//!
//! `puppet-ci compile` and the catalog stage call this; it checks what would otherwise
//! surface as a confusing compile result (a manifest or modulepath folder that does not
//! exist, an unreadable fact set) and turns it into a clear error first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub mod suite;

use puppet_catalog::{Catalog, CompileRequest, Engine, EngineError, Facts, PuppetVersion};
use puppet_compiler::NativeEngine;
use puppet_engine_puppet::PuppetEngine;
pub use puppet_engine_puppet::PuppetEngineOptions;
use puppet_facts::{AgentOptions, FactSet, FactsError};
use serde_json::{Map, Value};

/// Why a compile could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Facts(#[from] FactsError),
    #[error("manifest not found: {}", .0.display())]
    ManifestNotFound(PathBuf),
    #[error("modulepath folder not found: {}", .0.display())]
    ModulepathNotFound(PathBuf),
    #[error("hiera config not found: {}", .0.display())]
    HieraConfigNotFound(PathBuf),
    #[error("environment folder not found: {}", .0.display())]
    EnvironmentDirNotFound(PathBuf),
    #[error("no node name: give --node, or facts with networking.fqdn ({facts} has none)")]
    NoNodeName { facts: String },
    #[error("cannot make {} absolute: {error}", path.display())]
    Path { path: PathBuf, error: std::io::Error },
    #[error(transparent)]
    Engine(EngineError),
}

/// What to compile, as a user gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct CompileOptions {
    /// Module folders, searched in order; empty folders are fine.
    pub modulepath: Vec<PathBuf>,
    /// The site manifest: a file or a folder of `.pp` files.
    pub manifest: Option<PathBuf>,
    /// Inline code instead of the manifest.
    pub code: Option<String>,
    /// Classes to include, as an ENC would.
    pub classes: Vec<String>,
    /// A facts file, or a bundled set's name (`debian-12-x86_64`).
    pub facts: String,
    /// The node's certname; default: the facts' `networking.fqdn`.
    pub node: Option<String>,
    pub hiera_config: Option<PathBuf>,
    /// The environment folder (Hiera's environment layer); default: the folder that holds
    /// the manifest when the manifest is `<folder>/manifests` or in it, as in a control repo.
    pub environment_dir: Option<PathBuf>,
    pub environment: String,
    pub strict_variables: bool,
    pub puppet_version: PuppetVersion,
    /// Whether the agent sends legacy facts; default: as `puppet_version`'s agents do.
    pub legacy_facts: Option<bool>,
}

impl CompileOptions {
    /// Options for a fact set, with everything else empty or default.
    pub fn new(facts: &str) -> CompileOptions {
        CompileOptions {
            modulepath: Vec::new(),
            manifest: None,
            code: None,
            classes: Vec::new(),
            facts: facts.to_owned(),
            node: None,
            hiera_config: None,
            environment_dir: None,
            environment: "production".to_owned(),
            strict_variables: false,
            puppet_version: PuppetVersion::V7,
            legacy_facts: None,
        }
    }
}

/// The request for `options`: paths checked and made absolute, facts loaded with the
/// agent's additions.
pub fn build_request(options: &CompileOptions) -> Result<CompileRequest, SetupError> {
    let fact_set = puppet_facts::load(&options.facts)?;
    build_request_with_facts(options, fact_set)
}

/// The request for `options` with facts already loaded (and perhaps changed: the catalog
/// stage's per-node facts); `options.facts` is not read.
pub fn build_request_with_facts(options: &CompileOptions, fact_set: FactSet) -> Result<CompileRequest, SetupError> {
    let paths = checked_paths(options)?;
    let (node, facts) = agent_facts(options, fact_set)?;
    Ok(request_of(options, paths, &node, Facts::new(facts)))
}

/// Agent fact hashes built once per fact set, node and agent settings, and shared by every
/// request built through [`SharedFacts::build_request`]: an engine converts a shared hash
/// once (see [`puppet_catalog::Facts`]), not once per compile. Safe to use from many threads.
#[derive(Default)]
pub struct SharedFacts {
    built: Mutex<HashMap<SharedFactsKey, (String, Facts)>>,
}

/// What an agent's fact hash depends on besides the fact set's file.
#[derive(Clone, PartialEq, Eq, Hash)]
struct SharedFactsKey {
    facts: String,
    node: Option<String>,
    puppet_version: PuppetVersion,
    legacy_facts: Option<bool>,
}

impl SharedFacts {
    pub fn new() -> SharedFacts {
        SharedFacts::default()
    }

    /// The request for `options`, as [`build_request`] builds it, with the fact hash of an
    /// earlier request for the same facts, node and agent settings.
    pub fn build_request(&self, options: &CompileOptions) -> Result<CompileRequest, SetupError> {
        let paths = checked_paths(options)?;
        let key = SharedFactsKey {
            facts: options.facts.clone(),
            node: options.node.clone(),
            puppet_version: options.puppet_version,
            legacy_facts: options.legacy_facts,
        };
        let built = self.built.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&key).cloned();
        let (node, facts) = match built {
            Some(built) => built,
            None => {
                let (node, facts) = agent_facts(options, puppet_facts::load(&options.facts)?)?;
                let built = (node, Facts::new(facts));
                self.built.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).entry(key).or_insert(built).clone()
            }
        };
        Ok(request_of(options, paths, &node, facts))
    }
}

/// The folders and files of `options`, checked and made absolute.
struct CheckedPaths {
    modulepath: Vec<PathBuf>,
    manifest: Option<PathBuf>,
    hiera_config: Option<PathBuf>,
    environment_dir: Option<PathBuf>,
}

fn checked_paths(options: &CompileOptions) -> Result<CheckedPaths, SetupError> {
    let absolute = |path: &Path| std::path::absolute(path).map_err(|error| SetupError::Path { path: path.to_owned(), error });
    let mut modulepath = Vec::new();
    for folder in &options.modulepath {
        if !folder.is_dir() {
            return Err(SetupError::ModulepathNotFound(folder.clone()));
        }
        modulepath.push(absolute(folder)?);
    }
    let manifest = match &options.manifest {
        Some(manifest) if !manifest.exists() => return Err(SetupError::ManifestNotFound(manifest.clone())),
        Some(manifest) => Some(absolute(manifest)?),
        None => None,
    };
    let hiera_config = match &options.hiera_config {
        Some(config) if !config.is_file() => return Err(SetupError::HieraConfigNotFound(config.clone())),
        Some(config) => Some(absolute(config)?),
        None => None,
    };
    let environment_dir = match (&options.environment_dir, &manifest) {
        (Some(folder), _) if !folder.is_dir() => return Err(SetupError::EnvironmentDirNotFound(folder.clone())),
        (Some(folder), _) => Some(absolute(folder)?),
        (None, Some(manifest)) => environment_of_manifest(manifest),
        (None, None) => None,
    };
    Ok(CheckedPaths { modulepath, manifest, hiera_config, environment_dir })
}

/// The node's name and the facts its agent sends.
fn agent_facts(options: &CompileOptions, fact_set: FactSet) -> Result<(String, Map<String, Value>), SetupError> {
    let node = match &options.node {
        Some(node) => node.to_lowercase(),
        None => fact_set
            .values
            .get("networking")
            .and_then(|networking| networking.get("fqdn"))
            .and_then(Value::as_str)
            .map(str::to_lowercase)
            .ok_or_else(|| SetupError::NoNodeName { facts: fact_set.source.clone() })?,
    };
    let mut agent = AgentOptions::new(&node, options.puppet_version);
    if let Some(legacy_facts) = options.legacy_facts {
        agent.legacy_facts = legacy_facts;
    }
    let facts = puppet_facts::agent_facts(fact_set.values, &agent);
    Ok((node, facts))
}

fn request_of(options: &CompileOptions, paths: CheckedPaths, node: &str, facts: Facts) -> CompileRequest {
    let mut request = CompileRequest::new(node, Map::new());
    request.facts = facts;
    request.server_facts = puppet_catalog::default_server_facts(options.puppet_version);
    request.modulepath = paths.modulepath;
    request.manifest = paths.manifest;
    request.code = options.code.clone();
    request.classes = options.classes.clone();
    request.hiera_config = paths.hiera_config;
    request.environment_dir = paths.environment_dir;
    request.environment = options.environment.clone();
    request.strict_variables = options.strict_variables;
    request.puppet_version = options.puppet_version;
    request
}

/// `<folder>` for a manifest `<folder>/manifests` or `<folder>/manifests/<file>`.
fn environment_of_manifest(manifest: &Path) -> Option<PathBuf> {
    let manifests = if manifest.is_dir() { manifest } else { manifest.parent()? };
    if manifests.file_name()? != "manifests" {
        return None;
    }
    manifests.parent().map(Path::to_owned)
}

/// Which engine compiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// The native engine, and Puppet for a node the native engine does not support.
    #[default]
    Auto,
    Native,
    Puppet,
}

/// The engine for `choice`. The Puppet engine's worker starts at its first compile.
pub fn engine(choice: EngineChoice, puppet: PuppetEngineOptions) -> Result<Box<dyn Engine>, SetupError> {
    match choice {
        EngineChoice::Native => Ok(Box::new(NativeEngine::new())),
        EngineChoice::Auto => Ok(Box::new(AutoEngine { native: NativeEngine::new(), puppet_options: puppet, puppet: std::sync::OnceLock::new() })),
        EngineChoice::Puppet => Ok(Box::new(PuppetEngine::with_options(puppet).map_err(SetupError::Engine)?)),
    }
}

/// `--engine auto`: the native engine, and real Puppet (started when first needed) for a
/// node whose code uses something the native engine does not implement.
struct AutoEngine {
    native: NativeEngine,
    puppet_options: PuppetEngineOptions,
    puppet: std::sync::OnceLock<Result<PuppetEngine, EngineError>>,
}

impl Engine for AutoEngine {
    fn name(&self) -> &'static str {
        "auto"
    }

    fn compile(&self, request: &CompileRequest) -> Result<Catalog, EngineError> {
        match self.native.compile(request) {
            Err(EngineError::Unsupported { .. }) => match self.puppet.get_or_init(|| PuppetEngine::with_options(self.puppet_options.clone())) {
                Ok(puppet) => puppet.compile(request),
                Err(error) => Err(error.clone()),
            },
            other => other,
        }
    }
}

/// Compiles `options` with `choice`: what `puppet-ci compile` does.
pub fn compile(
    options: &CompileOptions,
    choice: EngineChoice,
    puppet: PuppetEngineOptions,
) -> Result<Result<Catalog, EngineError>, SetupError> {
    let request = build_request(options)?;
    let engine = engine(choice, puppet)?;
    Ok(engine.compile(&request))
}
