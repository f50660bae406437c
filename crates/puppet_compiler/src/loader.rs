//! Finding and parsing code: the modulepath's modules, Puppet's autoloader rules
//! (`a::b::c` is tried in `a/manifests/b/c.pp`, `a/manifests/b.pp`, then
//! `a/manifests/init.pp`, init.pp always first), and a parse cache shared by all
//! compiles of a process, keyed by path, size and modification time.
//!
//! The only I/O of the crate happens here: reading files of the modulepath and the
//! manifest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use puppet_syntax::ast::{DefinitionKind, Expr, ExprKind, NamedDefinition, Parameter};
use puppet_syntax::checker::FileLocation;
use puppet_syntax::Diagnostic;
use rustc_hash::{FxHashMap, FxHashSet};

/// A class, defined type or function written in the Puppet language.
#[derive(Debug)]
pub struct Definition {
    pub kind: DefinitionKind,
    /// Lower case, without a leading `::`.
    pub name: String,
    pub parameters: Vec<Parameter>,
    pub body: Option<Expr>,
    pub parent: Option<String>,
    pub return_type: Option<Expr>,
    pub file: Arc<str>,
    pub line: u32,
    pub module_name: Option<String>,
}

/// A node definition.
#[derive(Debug)]
pub struct NodeDefinition {
    pub matches: Vec<NodeMatch>,
    pub parent: Option<String>,
    pub body: Option<Expr>,
    pub file: Arc<str>,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeMatch {
    Name(String),
    Regex(String),
    Default,
}

impl NodeMatch {
    /// The name Puppet gives the node's resource (`__node_regexp__...` for a regex).
    pub fn resource_name(&self) -> String {
        match self {
            NodeMatch::Name(name) => name.clone(),
            NodeMatch::Default => "default".into(),
            NodeMatch::Regex(pattern) => {
                let kept: String = pattern.to_lowercase().chars().filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.')).collect();
                format!("__node_regexp__{}", kept.trim_start_matches('.'))
            }
        }
    }
}

/// `type Name = ...` in a file.
#[derive(Debug)]
pub struct TypeAliasDefinition {
    pub name: String,
    pub type_expr: Expr,
    pub file: Arc<str>,
}

/// One parsed file and what it defines.
#[derive(Debug)]
pub struct ParsedFile {
    pub path: Arc<str>,
    pub program: puppet_syntax::Program,
    /// The first syntax or validation error: the file cannot be used.
    pub error: Option<Diagnostic>,
    /// Duplicate hash keys Puppet 7 warns about (errors under Puppet 8's strict mode).
    pub strict_errors: Vec<Diagnostic>,
    pub definitions: Vec<Arc<Definition>>,
    pub nodes: Vec<Arc<NodeDefinition>>,
    pub type_aliases: Vec<Arc<TypeAliasDefinition>>,
}

/// Parsed files shared across compiles, keyed by path and invalidated when the file's
/// size or modification time changes.
#[derive(Default)]
pub struct ParseCache {
    files: Mutex<HashMap<(PathBuf, bool), CachedFile>>,
    /// The modules of each modulepath folder, kept while the folder's modification time
    /// (which adding, removing or renaming an entry changes) stays the same.
    module_folders: Mutex<HashMap<PathBuf, (Option<SystemTime>, Modules)>>,
}

/// The modules of a modulepath folder: name and folder, in name order.
type Modules = Arc<Vec<(String, PathBuf)>>;

/// A cached parse: the file's modification time and size when it was read.
type CachedFile = (Option<SystemTime>, u64, Arc<ParsedFile>);

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl ParseCache {
    pub fn new() -> ParseCache {
        ParseCache::default()
    }

    /// Parses a file (or returns the cached parse). `module` gives the location checks of
    /// a module file; `epp` parses a template.
    pub fn parse(&self, path: &Path, location: &FileLocation, epp: bool) -> Result<Arc<ParsedFile>, LoadError> {
        let metadata = std::fs::metadata(path).map_err(|source| LoadError::Io { path: path.display().to_string(), source })?;
        let modified = metadata.modified().ok();
        let key = (path.to_path_buf(), epp);
        if let Ok(files) = self.files.lock() {
            if let Some((time, size, parsed)) = files.get(&key) {
                if *time == modified && *size == metadata.len() {
                    return Ok(parsed.clone());
                }
            }
        }
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io { path: path.display().to_string(), source })?;
        let parsed = Arc::new(parse_source(&bytes, Arc::from(path.display().to_string().as_str()), location, epp, None));
        if let Ok(mut files) = self.files.lock() {
            files.insert(key, (modified, metadata.len(), parsed.clone()));
        }
        Ok(parsed)
    }

    /// The modules of a modulepath folder (its subfolders with a module's name), by name.
    fn modules_in(&self, folder: &Path) -> Modules {
        let modified = std::fs::metadata(folder).and_then(|metadata| metadata.modified()).ok();
        if let Ok(folders) = self.module_folders.lock() {
            if let Some((time, modules)) = folders.get(folder) {
                if modified.is_some() && *time == modified {
                    return modules.clone();
                }
            }
        }
        let Ok(entries) = std::fs::read_dir(folder) else { return Arc::default() };
        let mut names: Vec<(String, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.path().is_dir())
            .filter_map(|entry| entry.file_name().to_str().map(|name| (name.to_string(), entry.path())))
            .filter(|(name, _)| is_module_name(name))
            .collect();
        names.sort();
        let modules = Arc::new(names);
        if let Ok(mut folders) = self.module_folders.lock() {
            folders.insert(folder.to_path_buf(), (modified, modules.clone()));
        }
        modules
    }
}

/// Parses and validates source text, and collects its definitions.
pub fn parse_source(bytes: &[u8], path: Arc<str>, location: &FileLocation, epp: bool, module_name: Option<&str>) -> ParsedFile {
    let parse = puppet_syntax::parse_bytes(bytes, epp);
    let (error, strict_errors) = if parse.has_errors() {
        (parse.errors.first().cloned(), Vec::new())
    } else {
        let diagnostics = parse.validate_in(location);
        let strict: Vec<Diagnostic> = diagnostics.iter().filter(|d| d.code == "DUPLICATE_KEY").cloned().collect();
        (diagnostics.into_iter().find(Diagnostic::is_error), strict)
    };
    let mut file = ParsedFile {
        path: path.clone(),
        program: parse.program,
        error,
        strict_errors,
        definitions: Vec::new(),
        nodes: Vec::new(),
        type_aliases: Vec::new(),
    };
    if file.error.is_none() {
        let module_name = module_name.map(str::to_string).or_else(|| match location {
            FileLocation::Module { namespace, .. } => namespace.split("::").next().map(str::to_string),
            _ => None,
        });
        let mut definitions = Vec::new();
        let mut nodes = Vec::new();
        let mut aliases = Vec::new();
        collect_definitions(&file.program.body, &path, module_name.as_deref(), &mut definitions, &mut nodes, &mut aliases, true);
        file.definitions = definitions;
        file.nodes = nodes;
        file.type_aliases = aliases;
    }
    file
}

fn collect_definitions(
    expr: &Expr,
    path: &Arc<str>,
    module_name: Option<&str>,
    definitions: &mut Vec<Arc<Definition>>,
    nodes: &mut Vec<Arc<NodeDefinition>>,
    aliases: &mut Vec<Arc<TypeAliasDefinition>>,
    top: bool,
) {
    match &expr.kind {
        ExprKind::Block(statements) => {
            for statement in statements {
                collect_definitions(statement, path, module_name, definitions, nodes, aliases, top);
            }
        }
        ExprKind::Definition(definition) => {
            let NamedDefinition { kind, name, parameters, body, parent_class, return_type } = &**definition;
            definitions.push(Arc::new(Definition {
                kind: *kind,
                name: name.trim_start_matches("::").to_lowercase(),
                parameters: parameters.clone(),
                body: body.clone(),
                parent: parent_class.as_ref().map(|p| p.trim_start_matches("::").to_lowercase()),
                return_type: return_type.clone(),
                file: path.clone(),
                line: expr.span.line,
                module_name: module_name.map(str::to_string),
            }));
            if *kind == DefinitionKind::Class {
                if let Some(body) = body {
                    collect_definitions(body, path, module_name, definitions, nodes, aliases, false);
                }
            }
        }
        ExprKind::Node { host_matches, parent, body } if top => {
            let matches = host_matches
                .iter()
                .map(|host| match &host.kind {
                    ExprKind::LiteralDefault => NodeMatch::Default,
                    ExprKind::LiteralRegex(pattern) => NodeMatch::Regex(pattern.clone()),
                    ExprKind::LiteralString(name) | ExprKind::QualifiedName(name) => NodeMatch::Name(name.to_lowercase()),
                    _ => NodeMatch::Name(String::new()),
                })
                .collect();
            let parent = parent.as_ref().and_then(|p| match &p.kind {
                ExprKind::LiteralString(name) | ExprKind::QualifiedName(name) => Some(name.to_lowercase()),
                ExprKind::LiteralDefault => Some("default".to_string()),
                _ => None,
            });
            nodes.push(Arc::new(NodeDefinition { matches, parent, body: body.as_deref().cloned(), file: path.clone(), line: expr.span.line }));
        }
        ExprKind::TypeAlias { name, type_expr } if top => {
            aliases.push(Arc::new(TypeAliasDefinition { name: name.clone(), type_expr: (**type_expr).clone(), file: path.clone() }));
        }
        _ => {}
    }
}

/// What kind of definition a lookup wants.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Wanted {
    Class,
    Define,
    Function,
}

/// A definition clash or an unparsable file found while loading.
#[derive(Debug, Clone)]
pub struct LoadFailure {
    pub message: String,
    pub file: Option<Arc<str>>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub issue_code: &'static str,
}

/// The modules of one compile and every definition loaded so far.
pub struct Loader<'c> {
    cache: &'c ParseCache,
    /// Puppet's strict mode is `error`: warnings of the checker that strict mode turns
    /// into errors fail the file.
    pub strict_error: bool,
    /// Module name to its folder, first match on the modulepath wins.
    modules: FxHashMap<String, PathBuf>,
    loaded_files: FxHashSet<PathBuf>,
    classes: FxHashMap<String, Arc<Definition>>,
    defines: FxHashMap<String, Arc<Definition>>,
    functions: FxHashMap<String, Arc<Definition>>,
    pub nodes: Vec<Arc<NodeDefinition>>,
    type_aliases: FxHashMap<String, Arc<TypeAliasDefinition>>,
    not_found: FxHashSet<(Wanted, String)>,
}

/// Module folder names Puppet accepts.
fn is_module_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl<'c> Loader<'c> {
    pub fn new(cache: &'c ParseCache, modulepath: &[PathBuf]) -> Loader<'c> {
        let mut modules = FxHashMap::default();
        for folder in modulepath {
            for (name, path) in cache.modules_in(folder).iter() {
                modules.entry(name.clone()).or_insert_with(|| path.clone());
            }
        }
        Loader {
            cache,
            strict_error: false,
            modules,
            loaded_files: FxHashSet::default(),
            classes: FxHashMap::default(),
            defines: FxHashMap::default(),
            functions: FxHashMap::default(),
            nodes: Vec::new(),
            type_aliases: FxHashMap::default(),
            not_found: FxHashSet::default(),
        }
    }

    pub fn module_path(&self, name: &str) -> Option<&Path> {
        self.modules.get(name).map(PathBuf::as_path)
    }

    pub fn cache(&self) -> &'c ParseCache {
        self.cache
    }

    /// Registers the definitions of a parsed file (the main manifest or an autoloaded
    /// file), failing on a class or define defined twice.
    pub fn register(&mut self, file: &ParsedFile) -> Result<(), LoadFailure> {
        for definition in &file.definitions {
            let table = match definition.kind {
                DefinitionKind::Class => &mut self.classes,
                DefinitionKind::Define => &mut self.defines,
                DefinitionKind::Function => &mut self.functions,
                DefinitionKind::Plan => continue,
            };
            if let Some(existing) = table.get(&definition.name) {
                if definition.kind == DefinitionKind::Class {
                    if Arc::ptr_eq(existing, definition) {
                        continue;
                    }
                    let message = format!(
                        "Class '{}' is already defined{}; cannot redefine",
                        definition.name,
                        location_suffix(&existing.file, existing.line)
                    );
                    return Err(LoadFailure { message, file: Some(definition.file.clone()), line: Some(definition.line), column: None, issue_code: "DUPLICATE_DEFINITION" });
                }
                continue;
            }
            table.insert(definition.name.clone(), definition.clone());
        }
        for node in &file.nodes {
            self.nodes.push(node.clone());
        }
        for alias in &file.type_aliases {
            self.type_aliases.entry(alias.name.to_lowercase()).or_insert_with(|| alias.clone());
        }
        Ok(())
    }

    fn parse_and_register(&mut self, path: &Path, module_root: Option<&Path>) -> Result<Option<Arc<ParsedFile>>, LoadFailure> {
        if !self.loaded_files.insert(path.to_path_buf()) {
            return Ok(None);
        }
        let location = match module_root {
            Some(root) => {
                let relative = path.strip_prefix(root.parent().unwrap_or(root)).unwrap_or(path);
                FileLocation::in_modulepath(relative, path.display().to_string())
            }
            None => FileLocation::Anywhere,
        };
        let parsed = self.cache.parse(path, &location, false).map_err(|error| LoadFailure {
            message: error.to_string(),
            file: Some(Arc::from(path.display().to_string().as_str())),
            line: None,
            column: None,
            issue_code: "IO_ERROR",
        })?;
        if let Some(error) = self.file_error(&parsed) {
            return Err(parse_failure(&parsed.path, error));
        }
        self.register(&parsed)?;
        Ok(Some(parsed))
    }

    /// The error that stops a file from loading, if any.
    pub fn file_error<'f>(&self, file: &'f ParsedFile) -> Option<&'f Diagnostic> {
        file.error.as_ref().or_else(|| if self.strict_error { file.strict_errors.first() } else { None })
    }

    /// `find_hostclass`, `find_definition` or a Puppet-language function, autoloading
    /// as Puppet does.
    pub fn find(&mut self, wanted: Wanted, name: &str) -> Result<Option<Arc<Definition>>, LoadFailure> {
        let name = name.trim_start_matches("::").to_lowercase();
        if let Some(found) = self.lookup(wanted, &name) {
            return Ok(Some(found));
        }
        if name.is_empty() || self.not_found.contains(&(wanted, name.clone())) {
            return Ok(None);
        }
        let segments: Vec<&str> = name.split("::").collect();
        let module = segments[0];
        if let Some(root) = self.modules.get(module).cloned() {
            let files: Vec<PathBuf> = match wanted {
                Wanted::Function => {
                    if segments.len() < 2 {
                        Vec::new()
                    } else {
                        let mut path = root.join("functions");
                        for segment in &segments[1..] {
                            path.push(segment);
                        }
                        path.set_extension("pp");
                        vec![path]
                    }
                }
                Wanted::Class | Wanted::Define => {
                    // files_to_try_for: the most specific first; init.pp always first.
                    let mut files = Vec::new();
                    for count in (1..=segments.len()).rev() {
                        let mut batch = vec![root.join("manifests").join("init.pp")];
                        if count > 1 {
                            let mut path = root.join("manifests");
                            for segment in &segments[1..count] {
                                path.push(segment);
                            }
                            path.set_extension("pp");
                            batch.push(path);
                        }
                        files.extend(batch);
                    }
                    files
                }
            };
            for file in files {
                if file.is_file() {
                    self.parse_and_register(&file, Some(&root))?;
                    if let Some(found) = self.lookup(wanted, &name) {
                        return Ok(Some(found));
                    }
                }
            }
        }
        self.not_found.insert((wanted, name));
        Ok(None)
    }

    /// A definition already loaded (no autoloading: `known_resource_types.hostclass`).
    pub fn loaded(&self, wanted: Wanted, name: &str) -> Option<Arc<Definition>> {
        self.lookup(wanted, name)
    }

    fn lookup(&self, wanted: Wanted, name: &str) -> Option<Arc<Definition>> {
        match wanted {
            Wanted::Class => self.classes.get(name).cloned(),
            Wanted::Define => self.defines.get(name).cloned(),
            Wanted::Function => self.functions.get(name).cloned(),
        }
    }

    /// A type alias by name (any case), loaded from `<module>/types/...` when needed.
    pub fn find_type_alias(&mut self, name: &str) -> Result<Option<Arc<TypeAliasDefinition>>, LoadFailure> {
        let lower = name.to_lowercase();
        if let Some(found) = self.type_aliases.get(&lower) {
            return Ok(Some(found.clone()));
        }
        let segments: Vec<&str> = lower.split("::").collect();
        if segments.len() < 2 {
            return Ok(None);
        }
        let Some(root) = self.modules.get(segments[0]).cloned() else { return Ok(None) };
        let mut path = root.join("types");
        for segment in &segments[1..] {
            path.push(segment);
        }
        path.set_extension("pp");
        if path.is_file() {
            self.parse_and_register(&path, Some(&root))?;
        }
        Ok(self.type_aliases.get(&lower).cloned())
    }

    /// A Ruby function of a module (`lib/puppet/functions/...` or the legacy
    /// `lib/puppet/parser/functions/...`), which the native engine cannot run.
    pub fn ruby_function_path(&self, name: &str) -> Option<PathBuf> {
        let segments: Vec<&str> = name.split("::").collect();
        for root in self.modules.values() {
            let mut path = root.join("lib/puppet/functions");
            for segment in &segments {
                path.push(segment);
            }
            path.set_extension("rb");
            if path.is_file() {
                return Some(path);
            }
            if segments.len() == 1 {
                let legacy = root.join("lib/puppet/parser/functions").join(format!("{name}.rb"));
                if legacy.is_file() {
                    return Some(legacy);
                }
            }
        }
        None
    }

    /// A Ruby resource type of a module (`lib/puppet/type/<name>.rb`).
    pub fn ruby_type_path(&self, name: &str) -> Option<PathBuf> {
        if name.contains(':') {
            return None;
        }
        self.modules.values().map(|root| root.join("lib/puppet/type").join(format!("{}.rb", name.to_lowercase()))).find(|path| path.is_file())
    }

    /// A module file (`templates/x.epp`, `files/y`) from `module/rest`.
    pub fn module_file(&self, folder: &str, reference: &str) -> Option<PathBuf> {
        let (module, rest) = reference.split_once('/')?;
        let root = self.modules.get(module)?;
        let path = root.join(folder).join(rest);
        path.is_file().then_some(path)
    }

    pub fn modules(&self) -> impl Iterator<Item = (&String, &PathBuf)> {
        self.modules.iter()
    }
}

/// ` (file: f, line: n)` as Puppet appends it.
pub fn location_suffix(file: &str, line: u32) -> String {
    if file.is_empty() {
        format!(" (line: {line})")
    } else {
        format!(" (file: {file}, line: {line})")
    }
}

/// A syntax or validation error of a file, as the compile error Puppet gives.
pub fn parse_failure(path: &Arc<str>, error: &Diagnostic) -> LoadFailure {
    LoadFailure {
        message: error.message.clone(),
        file: if path.is_empty() { None } else { Some(path.clone()) },
        line: Some(error.span.line),
        column: Some(error.span.column),
        issue_code: error.code,
    }
}
