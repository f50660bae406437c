//! The native catalog compiler: evaluates Puppet 7 manifests (the typed AST of
//! `puppet_syntax`) into the catalog Puppet would produce, with Puppet's errors at
//! Puppet's file and line.
//!
//! [`NativeCompiler`] keeps parsed files across compiles (keyed by path, size and
//! modification time); each [`NativeCompiler::compile`] is independent and
//! synchronous. The only I/O is reading the manifest and the modulepath.

mod engine;
pub mod eval;
mod facts;
pub mod functions;
pub mod hiera;
pub mod loader;
mod mt;
pub mod regex;
pub mod resource_types;
pub use puppet_semver as semver;
mod settings;
pub mod time;
pub mod types;
pub mod value;
mod yaml;

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;
use rustc_hash::FxHashMap;

pub use engine::NativeEngine;
pub use eval::{PuppetVersion, Strict};
use eval::{Compiler, ErrorClass, Flow, Settings};
use loader::{Loader, ParseCache};
use value::Value;

/// What to compile: the node, its facts, the code and the settings.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    pub node_name: String,
    /// The node's facts, as an agent sends them; converted once per thread for as long as
    /// the hash is shared (see [`puppet_catalog::Facts`]).
    pub facts: puppet_catalog::Facts,
    /// `trusted.extensions` (when `trusted` is not given).
    pub trusted_extensions: serde_json::Value,
    /// The whole `$trusted` hash; default: a node authenticated by its certificate.
    pub trusted: Option<serde_json::Value>,
    /// `$server_facts`; default: Puppet 7.23's, with the environment.
    pub server_facts: Option<serde_json::Value>,
    /// The environment folder: its `hiera.yaml` (or Hiera's default) is the environment
    /// layer of lookups.
    pub environment_dir: Option<PathBuf>,
    pub modulepath: Vec<PathBuf>,
    /// The main manifest: a file, or a folder of `.pp` files.
    pub manifest: Option<PathBuf>,
    /// Code used instead of the main manifest (`puppet apply -e`).
    pub code: Option<String>,
    /// Classes of the node (an ENC's): a name, with parameters for a resource-like
    /// declaration.
    pub classes: Vec<(String, Option<serde_json::Map<String, serde_json::Value>>)>,
    pub hiera_config: Option<PathBuf>,
    pub environment: String,
    pub strict_variables: bool,
    /// Puppet's `strict` setting; default: the version's.
    pub strict: Option<Strict>,
    pub version: PuppetVersion,
    /// Stop a compile after this many resources (runaway recursion or loops).
    pub max_resources: usize,
    /// Stop a compile after this many evaluation steps.
    pub max_steps: u64,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            node_name: "node.example.com".into(),
            facts: puppet_catalog::Facts::default(),
            trusted_extensions: serde_json::Value::Object(serde_json::Map::new()),
            trusted: None,
            server_facts: None,
            environment_dir: None,
            modulepath: Vec::new(),
            manifest: None,
            code: None,
            classes: Vec::new(),
            hiera_config: None,
            environment: "production".into(),
            strict_variables: false,
            strict: None,
            version: PuppetVersion::V7,
            max_resources: 200_000,
            max_steps: 50_000_000,
        }
    }
}

/// A compiled catalog, with the warnings and log messages of the compile.
#[derive(Debug, Clone)]
pub struct CompileOutput {
    /// The catalog; its JSON is `Puppet::Resource::Catalog#to_data_hash`'s.
    pub catalog: puppet_catalog::Catalog,
    pub warnings: Vec<String>,
    /// `notice`, `warning`, ... calls: level and message.
    pub messages: Vec<(String, String)>,
}

/// Why a compile failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The code is wrong: Puppet's message and where Puppet reports it.
    #[error("{message}")]
    Compile { message: String, file: Option<String>, line: Option<u32>, column: Option<u32>, issue_code: Option<String> },
    /// The code uses something the native compiler does not implement.
    #[error("the native compiler does not support {construct}")]
    Unsupported { construct: String, file: Option<String>, line: Option<u32> },
    /// The inputs could not be read (a missing manifest, bad facts).
    #[error("{0}")]
    Input(String),
}

/// The native compiler, with its cache of parsed files.
#[derive(Default)]
pub struct NativeCompiler {
    cache: ParseCache,
}

const PUPPET_VERSION: &str = "7.23.0";

impl NativeCompiler {
    pub fn new() -> NativeCompiler {
        NativeCompiler::default()
    }

    /// Compiles a catalog.
    pub fn compile(&self, options: &CompileOptions) -> Result<CompileOutput, Error> {
        for path in &options.modulepath {
            if !path.is_dir() {
                return Err(Error::Input(format!("modulepath entry not found: {}", path.display())));
            }
        }
        let node_name = options.node_name.to_lowercase();
        // Converted once per thread and shared; the client's facts go at the end where
        // missing (an agent's facts have them, so the shared hash is rarely copied).
        let mut facts = facts::values(&options.facts);
        if let Value::Hash(map) = &mut facts {
            let client_facts = [
                ("clientcert", Value::from(node_name.as_str())),
                ("clientversion", Value::from(PUPPET_VERSION)),
                ("clientnoop", Value::Boolean(false)),
                ("puppetversion", Value::from(PUPPET_VERSION)),
            ];
            for (name, value) in client_facts {
                if !map.contains_key(&Value::from(name)) {
                    Rc::make_mut(map).insert(Value::from(name), value);
                }
            }
        }
        let (hostname, domain) = match node_name.split_once('.') {
            Some((h, d)) => (Value::from(h), Value::from(d)),
            None => (Value::from(node_name.as_str()), Value::Undef),
        };
        let trusted = match &options.trusted {
            Some(trusted) => value::from_json(trusted),
            None => {
                let mut trusted = value::Map::new();
                trusted.insert(Value::from("authenticated"), Value::from("remote"));
                trusted.insert(Value::from("certname"), Value::from(node_name.as_str()));
                trusted.insert(Value::from("extensions"), value::from_json(&options.trusted_extensions));
                trusted.insert(Value::from("hostname"), hostname);
                trusted.insert(Value::from("domain"), domain);
                trusted.insert(Value::from("external"), Value::empty_hash());
                Value::hash(trusted)
            }
        };
        let server = match &options.server_facts {
            Some(server) => value::from_json(server),
            None => {
                let mut server = value::Map::new();
                server.insert(Value::from("serverversion"), Value::from(PUPPET_VERSION));
                server.insert(Value::from("servername"), Value::from("puppet"));
                server.insert(Value::from("serverip"), Value::from("127.0.0.1"));
                server.insert(Value::from("environment"), Value::from(options.environment.as_str()));
                Value::hash(server)
            }
        };

        let main = self.main_manifest(options)?;
        let strict = options.strict.unwrap_or(match options.version {
            PuppetVersion::V7 => Strict::Warning,
            PuppetVersion::V8 => Strict::Error,
        });
        let settings = Settings {
            node_name: node_name.clone(),
            environment: options.environment.clone(),
            strict_variables: options.strict_variables || options.version == PuppetVersion::V8,
            strict,
            version: options.version,
            max_resources: options.max_resources,
            max_steps: options.max_steps,
        };
        let mut loader = Loader::new(&self.cache, &options.modulepath);
        loader.strict_error = strict == Strict::Error;
        let mut compiler = Compiler::new(settings, loader, facts, trusted, server);
        compiler.hiera.global_config = options.hiera_config.clone();
        compiler.hiera.environment_dir = options.environment_dir.clone();
        if let Some(main) = &main {
            if let Some(error) = compiler.loader.file_error(main) {
                return Err(to_error(compiler.load_failure(loader::parse_failure(&main.path, error)), &node_name));
            }
            if let Err(failure) = compiler.loader.register(main) {
                return Err(to_error(compiler.load_failure(failure), &node_name));
            }
        }
        let classes: Vec<(String, Option<IndexMap<String, Value>>)> = options
            .classes
            .iter()
            .map(|(name, params)| (name.clone(), params.as_ref().map(|p| p.iter().map(|(k, v)| (k.clone(), value::from_json(v))).collect())))
            .collect();
        match compiler.compile(main, &classes) {
            Ok(()) => {
                let catalog = compiler.catalog();
                Ok(CompileOutput { catalog, warnings: compiler.warnings, messages: compiler.log_messages })
            }
            Err(flow) => Err(to_error(flow, &node_name)),
        }
    }

    fn main_manifest(&self, options: &CompileOptions) -> Result<Option<Arc<loader::ParsedFile>>, Error> {
        let location = puppet_syntax::checker::FileLocation::Anywhere;
        if let Some(code) = &options.code {
            return Ok(Some(Arc::new(loader::parse_source(code.as_bytes(), Arc::from(""), &location, false, None))));
        }
        let Some(manifest) = &options.manifest else { return Ok(None) };
        if manifest.is_dir() {
            let mut files: Vec<PathBuf> = walk_pp_files(manifest);
            files.sort();
            // All files of the folder make one program, parsed file by file.
            let mut combined: Option<Arc<loader::ParsedFile>> = None;
            let mut parsed_files = Vec::new();
            for file in files {
                let parsed = self.cache.parse(&file, &location, false).map_err(|e| Error::Input(e.to_string()))?;
                parsed_files.push(parsed);
            }
            if let Some(first) = parsed_files.first() {
                if parsed_files.len() == 1 {
                    combined = Some(first.clone());
                } else {
                    combined = Some(Arc::new(merge_files(&parsed_files)));
                }
            }
            return Ok(combined);
        }
        if !manifest.is_file() {
            return Err(Error::Input(format!("manifest not found: {}", manifest.display())));
        }
        self.cache.parse(manifest, &location, false).map(Some).map_err(|e| Error::Input(e.to_string()))
    }
}

fn walk_pp_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk_pp_files(&path));
            } else if path.extension().is_some_and(|e| e == "pp") {
                out.push(path);
            }
        }
    }
    out
}

/// The files of a manifest folder as one program (their bodies in order).
fn merge_files(files: &[Arc<loader::ParsedFile>]) -> loader::ParsedFile {
    use puppet_syntax::ast::{Expr, ExprKind};
    let mut statements = Vec::new();
    let mut definitions = Vec::new();
    let mut nodes = Vec::new();
    let mut aliases = Vec::new();
    let mut error = None;
    let mut strict_errors = Vec::new();
    for file in files {
        if error.is_none() {
            error = file.error.clone();
        }
        strict_errors.extend(file.strict_errors.iter().cloned());
        statements.push(Expr::new(file.program.body.span, ExprKind::Block(vec![file.program.body.clone()])));
        definitions.extend(file.definitions.iter().cloned());
        nodes.extend(file.nodes.iter().cloned());
        aliases.extend(file.type_aliases.iter().cloned());
    }
    let body = Expr::new(puppet_syntax::Span::default(), ExprKind::Block(statements));
    loader::ParsedFile {
        path: files[0].path.clone(),
        program: puppet_syntax::Program { body, comments: Vec::new() },
        error,
        strict_errors,
        definitions,
        nodes,
        type_aliases: aliases,
    }
}

/// The error a failed compile gives, with " on node NAME" as Puppet words it.
fn to_error(flow: Flow, node_name: &str) -> Error {
    match flow {
        Flow::Error(error) => {
            if let Some(construct) = error.unsupported {
                return Error::Unsupported {
                    construct,
                    file: error.location.file.as_deref().filter(|f| !f.is_empty()).map(str::to_string),
                    line: error.location.line,
                };
            }
            let _ = node_name;
            // The message without its location (Ruby's `basic_message`); plain errors (Ruby's
            // ArgumentError, a Puppet::Error raised without a place) have no location.
            if error.class == ErrorClass::Plain {
                return Error::Compile { message: error.detail, file: None, line: None, column: None, issue_code: error.issue_code.map(str::to_string) };
            }
            Error::Compile {
                message: error.detail.clone(),
                file: error.location.file.as_deref().filter(|f| !f.is_empty()).map(str::to_string),
                line: error.location.line,
                column: error.location.column,
                issue_code: error.issue_code.map(str::to_string),
            }
        }
        Flow::Break(location) | Flow::Next(_, location) | Flow::Return(_, location) => Error::Compile {
            message: "break() from context where this is illegal".to_string(),
            file: location.file.as_deref().filter(|f| !f.is_empty()).map(str::to_string),
            line: location.line,
            column: location.column,
            issue_code: None,
        },
        Flow::UnevaluatedParameter(name) => Error::Compile {
            message: format!("expects a value for parameter ${name}"),
            file: None,
            line: None,
            column: None,
            issue_code: None,
        },
    }
}

impl Compiler<'_> {
    /// A new compiler for one catalog.
    pub fn new(settings: Settings, loader: Loader<'_>, facts: Value, trusted: Value, server_facts: Value) -> Compiler<'_> {
        let mut top = eval::Scope::new(None, eval::Source::Main, None);
        top.is_top = true;
        Compiler {
            settings,
            loader,
            scopes: vec![top],
            topscope: 0,
            node_scope: None,
            resources: Vec::new(),
            index: eval::ResourceIndex::default(),
            catalog_order: Vec::new(),
            compiler_order: Vec::new(),
            edges: Vec::new(),
            classes: Vec::new(),
            catalog_tags: Vec::new(),
            class_scopes: FxHashMap::default(),
            qualified_variables: FxHashMap::default(),
            relationships: Vec::new(),
            overrides: IndexMap::new(),
            collectors: Vec::new(),
            file: Arc::from(""),
            warnings: Vec::new(),
            log_messages: Vec::new(),
            steps: 0,
            depth: 0,
            facts,
            trusted,
            server_facts,
            type_cache: FxHashMap::default(),
            hiera: hiera::Hiera::default(),
            epp_cache: FxHashMap::default(),
            inline_epp_cache: FxHashMap::default(),
            main_stage: 0,
            epp_buffers: Vec::new(),
            lenient_types: false,
            override_sources: Vec::new(),
            signature_cache: FxHashMap::default(),
            parsed_types: FxHashMap::default(),
        }
    }
}
