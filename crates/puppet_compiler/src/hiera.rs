//! Hiera 5 (`puppet/pops/lookup`): the global and module layers, `hiera.yaml`
//! versions 5 and 3, the yaml and json backends, hierarchy paths with interpolation of
//! facts and scope, the merge strategies (first, unique, hash, deep), `lookup_options`,
//! and the `lookup`/`alias`/`literal`/`scope` interpolation functions in data.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::eval::{plain, preformatted, Compiler, Flow, ScopeId, R};
use crate::value::{Map, Value};

/// One level of a hierarchy.
#[derive(Clone, Debug)]
struct Level {
    name: String,
    backend: Backend,
    datadir: PathBuf,
    locations: Vec<Location>,
}

#[derive(Clone, Debug)]
enum Backend {
    Yaml,
    Json,
    /// A backend the native engine does not run (eyaml, a custom function).
    Unsupported(String),
}

#[derive(Clone, Debug)]
enum Location {
    Path(String),
    Glob(String),
    MappedPaths { variable: String, key: String, template: String },
}

#[derive(Clone, Debug)]
pub struct Config {
    levels: Vec<Level>,
    default_levels: Vec<Level>,
    version: u32,
}

/// Hiera 5's configuration when `hiera.yaml` is missing: `data/common.yaml`.
fn default_config(root: &Path) -> Config {
    Config {
        levels: vec![Level { name: "Common".into(), backend: Backend::Yaml, datadir: root.join("data"), locations: vec![Location::Path("common.yaml".into())] }],
        default_levels: Vec::new(),
        version: 5,
    }
}

/// The lookup state of a compile: configurations and data files read so far.
#[derive(Default)]
pub struct Hiera {
    pub global_config: Option<PathBuf>,
    /// The environment folder (its `hiera.yaml`, or Hiera 5's default `data/common.yaml`).
    pub environment_dir: Option<PathBuf>,
    global: Option<Option<Rc<Config>>>,
    environment: Option<Option<Rc<Config>>>,
    modules: FxHashMap<String, Option<Rc<Config>>>,
    files: FxHashMap<PathBuf, Result<Option<Value>, String>>,
    lookup_options: FxHashMap<Option<String>, Rc<Map>>,
    /// Keys being looked up (to detect endless recursion through interpolation).
    active: Vec<String>,
}

/// A merge strategy.
#[derive(Clone, Debug, PartialEq)]
pub enum Merge {
    First,
    Unique,
    Hash,
    Deep(DeepOptions),
}

/// The options of the deep merge (`DeepMergeStrategy`'s, passed to the deep_merge gem).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeepOptions {
    pub knockout_prefix: Option<String>,
    pub merge_hash_arrays: bool,
    pub sort_merged_arrays: bool,
}

impl Merge {
    pub fn from_value(value: &Value) -> Result<Merge, String> {
        let name = match value {
            Value::String(s) => s.to_string(),
            Value::Hash(map) => match map.get(&Value::from("strategy")) {
                Some(s) => s.to_puppet_string(),
                None => return Err("The hash given as 'merge' must contain the name of a strategy in string form for the key 'strategy'".into()),
            },
            Value::Undef => return Ok(Merge::First),
            other => other.to_puppet_string(),
        };
        match name.as_str() {
            "first" | "default" => Ok(Merge::First),
            "unique" => Ok(Merge::Unique),
            "hash" => Ok(Merge::Hash),
            "deep" | "unconstrained_deep" => {
                let option = |key: &str| match value {
                    Value::Hash(map) => map.get(&Value::from(key)).cloned(),
                    _ => None,
                };
                Ok(Merge::Deep(DeepOptions {
                    knockout_prefix: option("knockout_prefix").filter(|v| !v.is_undef()).map(|v| v.to_puppet_string()),
                    merge_hash_arrays: option("merge_hash_arrays").is_some_and(|v| v.is_true()),
                    sort_merged_arrays: option("sort_merged_arrays").is_some_and(|v| v.is_true()),
                }))
            }
            other => Err(format!("Unknown merge strategy: '{other}'")),
        }
    }

    /// Merges a higher priority value `e1` with a lower priority `e2`.
    fn merge(&self, e1: Value, e2: Value) -> Value {
        match self {
            Merge::First => e1,
            Merge::Unique => {
                let mut out: Vec<Value> = Vec::new();
                for v in flatten(&e1).into_iter().chain(flatten(&e2)) {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
                Value::array(out)
            }
            Merge::Hash => match (&e1, &e2) {
                (Value::Hash(high), Value::Hash(low)) => {
                    let mut out = (**low).clone();
                    for (k, v) in high.iter() {
                        out.insert(k.clone(), v.clone());
                    }
                    Value::hash(out)
                }
                _ => e1,
            },
            Merge::Deep(options) => deep_merge_with(e1, e2, options),
        }
    }

    fn single(&self, value: Value) -> Value {
        match (self, &value) {
            (Merge::Unique, Value::Array(values)) => {
                let mut out: Vec<Value> = Vec::new();
                for v in values.iter() {
                    if !out.contains(v) {
                        out.push(v.clone());
                    }
                }
                Value::array(out)
            }
            _ => value,
        }
    }

    fn convert(&self, value: Value) -> Value {
        match self {
            Merge::Unique => Value::array(flatten(&value)),
            _ => value,
        }
    }
}

fn flatten(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(values) => values.iter().flat_map(flatten).collect(),
        other => vec![other.clone()],
    }
}

/// `DeepMerge.deep_merge!(source, dest)` with Hiera's options: hashes merged
/// recursively, arrays unioned (lower priority first), scalars from the source.
#[cfg(test)]
fn deep_merge(source: Value, dest: Value) -> Value {
    deep_merge_with(source, dest, &DeepOptions::default())
}

/// `DeepMerge.deep_merge!(source, dest)` of the deep_merge gem, with
/// `preserve_unmergeables` false as Puppet calls it.
fn deep_merge_with(source: Value, dest: Value, options: &DeepOptions) -> Value {
    let knockout = options.knockout_prefix.as_deref();
    let knocked = |item: &Value| -> Option<String> {
        match (item, knockout) {
            (Value::String(text), Some(prefix)) => text.strip_prefix(prefix).map(str::to_string),
            _ => None,
        }
    };
    match (&source, &dest) {
        (Value::Undef, _) => dest,
        (_, Value::Undef) | (_, Value::Boolean(false)) => source,
        // Each key of the source overwrites a destination that is not a hash: none, none.
        (Value::Hash(src), _) if src.is_empty() => dest,
        (Value::Hash(src), Value::Hash(dst)) => {
            let mut out = (**dst).clone();
            for (k, v) in src.iter() {
                let merged = match out.get(k) {
                    Some(existing) if existing.is_true() => deep_merge_with(v.clone(), existing.clone(), options),
                    _ => deep_merge_with(v.clone(), v.clone(), options),
                };
                out.insert(k.clone(), merged);
            }
            Value::hash(out)
        }
        (Value::Array(src), _) => {
            let mut src = src.to_vec();
            let mut dest = dest;
            // A bare knockout prefix in the source empties the destination.
            if let Some(prefix) = knockout {
                if src.iter().any(|v| matches!(v, Value::String(s) if &**s == prefix)) {
                    dest = match dest {
                        Value::Array(_) => Value::array(Vec::new()),
                        Value::Hash(_) => Value::empty_hash(),
                        Value::String(_) => Value::from(""),
                        _ => Value::Undef,
                    };
                    src.retain(|v| !matches!(v, Value::String(s) if &**s == prefix));
                }
            }
            match dest {
                Value::Array(dst) => {
                    let mut dst = dst.to_vec();
                    if knockout.is_some() {
                        src.retain(|item| match knocked(item) {
                            Some(target) => {
                                dst.retain(|d| *d != Value::from(target.as_str()) && d != item);
                                false
                            }
                            None => true,
                        });
                    }
                    let all_hashes = |values: &[Value]| values.iter().all(|v| matches!(v, Value::Hash(_)));
                    let mut out = if options.merge_hash_arrays && all_hashes(&src) && all_hashes(&dst) {
                        let mut list: Vec<Value> = dst
                            .iter()
                            .enumerate()
                            .map(|(i, d)| deep_merge_with(src.get(i).cloned().unwrap_or_else(Value::empty_hash), d.clone(), options))
                            .collect();
                        list.extend(src.iter().skip(dst.len()).cloned());
                        list
                    } else {
                        // Ruby's `dest | source`: the union without duplicates, in order.
                        let mut union: Vec<Value> = Vec::new();
                        for v in dst.into_iter().chain(src) {
                            if !union.contains(&v) {
                                union.push(v);
                            }
                        }
                        union
                    };
                    if options.sort_merged_arrays {
                        out.sort_by(ruby_sort_order);
                    }
                    Value::array(out)
                }
                other => overwrite_unmergeable(Value::array(src), other, knockout),
            }
        }
        _ => overwrite_unmergeable(source, dest, knockout),
    }
}

/// `DeepMerge.overwrite_unmergeables`: the source wins, but a source carrying the knockout
/// prefix leaves an empty string.
fn overwrite_unmergeable(source: Value, _dest: Value, knockout: Option<&str>) -> Value {
    let Some(prefix) = knockout else { return source };
    match &source {
        Value::String(text) if text.starts_with(prefix) => Value::from(""),
        // `delete_if` changes the source itself, so it always "equals" what is left of it.
        Value::Array(values) => Value::array(values.iter().filter(|v| !matches!(v, Value::String(s) if s.starts_with(prefix))).cloned().collect()),
        _ => source,
    }
}

/// Ruby's `Array#sort!` order for the values Hiera data holds (numbers, then strings by bytes).
fn ruby_sort_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        _ => crate::eval::ops::compare(a, b).unwrap_or(std::cmp::Ordering::Equal),
    }
}

/// Splits a lookup key into segments (`a.b."c.d".0`): numeric segments after the first
/// are indexes.
pub fn split_key(key: &str) -> Result<Vec<Value>, String> {
    let mut segments = Vec::new();
    let chars: Vec<char> = key.chars().collect();
    let mut i = 0;
    let mut current = String::new();
    let mut quoted = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' if current.is_empty() => {
                let end = chars[i + 1..].iter().position(|x| *x == c).ok_or("Unterminated quote")?;
                current = chars[i + 1..i + 1 + end].iter().collect();
                quoted = true;
                i += end + 2;
                if i < chars.len() && chars[i] != '.' {
                    return Err("Syntax error".into());
                }
                continue;
            }
            '.' => {
                if current.is_empty() && !quoted {
                    return Err("Syntax error".into());
                }
                push_segment(&mut segments, std::mem::take(&mut current), quoted);
                quoted = false;
            }
            _ => current.push(c),
        }
        i += 1;
    }
    if current.is_empty() && !quoted {
        if key.ends_with('.') {
            return Err("Syntax error".into());
        }
        if segments.is_empty() {
            segments.push(Value::from(""));
        }
        return Ok(segments);
    }
    push_segment(&mut segments, current, quoted);
    Ok(segments)
}

fn push_segment(segments: &mut Vec<Value>, text: String, quoted: bool) {
    if !quoted && !segments.is_empty() && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.parse::<i64>() {
            segments.push(Value::Integer(n));
            return;
        }
    }
    segments.push(Value::from(text));
}

/// Converts YAML to values (integers stay integers, keys keep their type).
pub fn from_yaml(yaml: &serde_yaml::Value) -> Value {
    match yaml {
        serde_yaml::Value::Null => Value::Undef,
        serde_yaml::Value::Bool(b) => Value::Boolean(*b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Integer(i)
            } else {
                Value::Float(n.as_f64().unwrap_or(0.0))
            }
        }
        serde_yaml::Value::String(s) => Value::from(s.as_str()),
        serde_yaml::Value::Sequence(values) => Value::array(values.iter().map(from_yaml).collect()),
        serde_yaml::Value::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                out.insert(from_yaml(k), from_yaml(v));
            }
            Value::hash(out)
        }
        serde_yaml::Value::Tagged(tagged) => from_yaml(&tagged.value),
    }
}

fn yaml_string(map: &serde_yaml::Mapping, key: &str) -> Option<String> {
    map.get(serde_yaml::Value::String(key.into())).and_then(|v| v.as_str()).map(str::to_string)
}

fn parse_config(path: &Path) -> Result<Config, String> {
    let root = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(map) = yaml.as_mapping() else {
        return Ok(v3_config(&root, &serde_yaml::Mapping::new()));
    };
    let version = map
        .get(serde_yaml::Value::String("version".into()))
        .or_else(|| map.get(serde_yaml::Value::String(":version".into())))
        .and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
        .unwrap_or(3);
    match version {
        5 => v5_config(&root, map, path),
        3 => Ok(v3_config(&root, map)),
        other => Err(format!("This runtime does not support hiera.yaml version {other}")),
    }
}

fn v5_levels(root: &Path, entries: Option<&serde_yaml::Value>, defaults: &serde_yaml::Mapping, path: &Path) -> Result<Vec<Level>, String> {
    let mut levels = Vec::new();
    let Some(entries) = entries.and_then(|e| e.as_sequence()) else { return Ok(levels) };
    let default_datadir = yaml_string(defaults, "datadir").unwrap_or_else(|| "data".into());
    for entry in entries {
        let Some(entry) = entry.as_mapping() else { continue };
        let name = yaml_string(entry, "name").unwrap_or_default();
        let datadir = root.join(yaml_string(entry, "datadir").unwrap_or_else(|| default_datadir.clone()));
        let backend = if let Some(f) = yaml_string(entry, "data_hash").or_else(|| {
            if entry.contains_key(serde_yaml::Value::String("lookup_key".into())) || entry.contains_key(serde_yaml::Value::String("data_dig".into())) {
                None
            } else {
                yaml_string(defaults, "data_hash")
            }
        }) {
            match f.as_str() {
                "yaml_data" => Backend::Yaml,
                "json_data" => Backend::Json,
                other => Backend::Unsupported(format!("the hiera backend '{other}' ({})", path.display())),
            }
        } else if let Some(f) = yaml_string(entry, "lookup_key").or_else(|| yaml_string(entry, "data_dig")).or_else(|| yaml_string(defaults, "lookup_key")) {
            Backend::Unsupported(format!("the hiera backend '{f}' ({})", path.display()))
        } else {
            Backend::Yaml
        };
        let mut locations = Vec::new();
        let string_list = |key: &str| -> Vec<String> {
            entry.get(serde_yaml::Value::String(key.into())).and_then(|v| v.as_sequence()).map(|s| s.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
        };
        if let Some(p) = yaml_string(entry, "path") {
            locations.push(Location::Path(p));
        } else if !string_list("paths").is_empty() {
            locations.extend(string_list("paths").into_iter().map(Location::Path));
        } else if let Some(g) = yaml_string(entry, "glob") {
            locations.push(Location::Glob(g));
        } else if !string_list("globs").is_empty() {
            locations.extend(string_list("globs").into_iter().map(Location::Glob));
        } else if let Some(mapped) = entry.get(serde_yaml::Value::String("mapped_paths".into())).and_then(|v| v.as_sequence()) {
            let parts: Vec<String> = mapped.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
            if parts.len() == 3 {
                locations.push(Location::MappedPaths { variable: parts[0].clone(), key: parts[1].clone(), template: parts[2].clone() });
            }
        } else if entry.contains_key(serde_yaml::Value::String("uri".into())) || entry.contains_key(serde_yaml::Value::String("uris".into())) {
            locations.push(Location::Path(String::new()));
        } else {
            locations.push(Location::Path(name.clone()));
        }
        levels.push(Level { name, backend, datadir, locations });
    }
    Ok(levels)
}

fn v5_config(root: &Path, map: &serde_yaml::Mapping, path: &Path) -> Result<Config, String> {
    let defaults = map.get(serde_yaml::Value::String("defaults".into())).and_then(|v| v.as_mapping()).cloned().unwrap_or_default();
    let levels = v5_levels(root, map.get(serde_yaml::Value::String("hierarchy".into())), &defaults, path)?;
    let default_levels = v5_levels(root, map.get(serde_yaml::Value::String("default_hierarchy".into())), &defaults, path)?;
    let mut config = Config { levels, default_levels, version: 5 };
    if map.get(serde_yaml::Value::String("hierarchy".into())).is_none() {
        config.levels.push(Level {
            name: "Common".into(),
            backend: Backend::Yaml,
            datadir: root.join(yaml_string(&defaults, "datadir").unwrap_or_else(|| "data".into())),
            locations: vec![Location::Path("common.yaml".into())],
        });
    }
    Ok(config)
}

fn v3_config(root: &Path, map: &serde_yaml::Mapping) -> Config {
    let get = |key: &str| map.get(serde_yaml::Value::String(format!(":{key}"))).or_else(|| map.get(serde_yaml::Value::String(key.into())));
    let backends: Vec<String> = match get("backends") {
        Some(serde_yaml::Value::Sequence(s)) => s.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(serde_yaml::Value::String(s)) => vec![s.clone()],
        _ => vec!["yaml".into()],
    };
    let hierarchy: Vec<String> = match get("hierarchy") {
        Some(serde_yaml::Value::Sequence(s)) => s.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(serde_yaml::Value::String(s)) => vec![s.clone()],
        _ => vec!["nodes/%{::trusted.certname}".into(), "common".into()],
    };
    let mut levels = Vec::new();
    for backend in backends {
        let datadir = get(&backend)
            .and_then(|b| b.as_mapping())
            .and_then(|b| b.get(serde_yaml::Value::String(":datadir".into())).or_else(|| b.get(serde_yaml::Value::String("datadir".into()))))
            .and_then(|d| d.as_str())
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("data"));
        let (kind, extension) = match backend.as_str() {
            "yaml" => (Backend::Yaml, "yaml"),
            "json" => (Backend::Json, "json"),
            other => (Backend::Unsupported(format!("the hiera 3 backend '{other}'")), "yaml"),
        };
        levels.push(Level {
            name: backend.clone(),
            backend: kind,
            datadir: root.join(datadir),
            locations: hierarchy.iter().map(|h| Location::Path(format!("{h}.{extension}"))).collect(),
        });
    }
    Config { levels, default_levels: Vec::new(), version: 3 }
}

/// How many files of a kind a thread keeps parsed before it starts over.
const KEPT_FILES: usize = 4096;

/// Files parsed by one thread, by key: each with the size and modification time it had.
type ParsedFiles<K, T> = std::cell::RefCell<FxHashMap<K, (u64, std::time::SystemTime, T)>>;

thread_local! {
    /// Data files, by path and backend (JSON or not).
    static DATA_FILES: ParsedFiles<(PathBuf, bool), Result<Option<Value>, String>> = std::cell::RefCell::new(FxHashMap::default());
    /// `hiera.yaml` files.
    static CONFIGS: ParsedFiles<PathBuf, Result<Rc<Config>, String>> = std::cell::RefCell::new(FxHashMap::default());
}

/// What `parse` makes of the file at `path`, kept across compiles while the file's size
/// and modification time stay the same (as `loader::ParseCache` keeps manifests): most
/// compiles read the same Hiera files, and parsing YAML is the costly part of a lookup.
/// None when there is no such file.
fn parsed_file<K: std::hash::Hash + Eq, T: Clone>(
    files: &'static std::thread::LocalKey<ParsedFiles<K, T>>,
    key: K,
    path: &Path,
    parse: impl FnOnce() -> T,
) -> Option<T> {
    let metadata = std::fs::metadata(path).ok().filter(std::fs::Metadata::is_file)?;
    let modified = metadata.modified().unwrap_or(std::time::UNIX_EPOCH);
    let kept = files.with(|files| files.borrow().get(&key).filter(|(size, time, _)| *size == metadata.len() && *time == modified).map(|(_, _, parsed)| parsed.clone()));
    if kept.is_some() {
        return kept;
    }
    let parsed = parse();
    files.with(|files| {
        let mut files = files.borrow_mut();
        if files.len() >= KEPT_FILES {
            files.clear();
        }
        files.insert(key, (metadata.len(), modified, parsed.clone()));
    });
    Some(parsed)
}

/// A data file's value (`None`: no such file).
fn read_data_file(path: &Path, backend: &Backend) -> Result<Option<Value>, String> {
    let key = (path.to_path_buf(), matches!(backend, Backend::Json));
    let parse = || match std::fs::read_to_string(path) {
        Err(e) => Err(format!("{}: {e}", path.display())),
        Ok(text) => match backend {
            Backend::Json => serde_json::from_str::<serde_json::Value>(&text)
                .map(|j| Some(crate::value::from_json(&j)))
                .map_err(|e| format!("Unable to parse {}: {e}", path.display())),
            _ => {
                if text.trim().is_empty() {
                    Ok(Some(Value::empty_hash()))
                } else {
                    crate::yaml::parse(&text).map(|v| Some(v.unwrap_or_else(Value::empty_hash))).map_err(|e| format!("Unable to parse {}: {e}", path.display()))
                }
            }
        },
    };
    parsed_file(&DATA_FILES, key, path, parse).unwrap_or(Ok(None))
}

/// A `hiera.yaml` file (which the caller has seen to be a file).
fn read_config(path: &Path) -> Result<Rc<Config>, String> {
    let parse = || parse_config(path).map(Rc::new);
    parsed_file(&CONFIGS, path.to_path_buf(), path, parse).unwrap_or_else(parse)
}

/// Where a lookup comes from: the calling scope.
impl Compiler<'_> {
    fn global_config(&mut self) -> R<Option<Rc<Config>>> {
        if let Some(config) = &self.hiera.global {
            return Ok(config.clone());
        }
        let config = match self.hiera.global_config.clone() {
            Some(path) if path.is_file() => Some(read_config(&path).map_err(plain)?),
            _ => None,
        };
        self.hiera.global = Some(config.clone());
        Ok(config)
    }

    fn environment_config(&mut self) -> R<Option<Rc<Config>>> {
        if let Some(config) = &self.hiera.environment {
            return Ok(config.clone());
        }
        let config = match self.hiera.environment_dir.clone() {
            Some(dir) => {
                let path = dir.join("hiera.yaml");
                if path.is_file() {
                    let config = read_config(&path).map_err(plain)?;
                    Some(config).filter(|config| config.version >= 5)
                } else {
                    Some(Rc::new(default_config(&dir)))
                }
            }
            None => None,
        };
        self.hiera.environment = Some(config.clone());
        Ok(config)
    }

    fn module_config(&mut self, module: &str) -> R<Option<Rc<Config>>> {
        if let Some(config) = self.hiera.modules.get(module) {
            return Ok(config.clone());
        }
        let path = self.loader.module_path(module).map(|p| p.join("hiera.yaml"));
        let config = match path {
            Some(path) if path.is_file() => {
                let config = read_config(&path).map_err(plain)?;
                Some(config).filter(|config| config.version >= 5)
            }
            _ => None,
        };
        self.hiera.modules.insert(module.to_string(), config.clone());
        Ok(config)
    }

    fn data_file(&mut self, path: &Path, backend: &Backend) -> R<Option<Value>> {
        // A file that does not parse is a `LookupError` in `yaml_data` and `json_data`: it
        // is reported without a place.
        if let Some(cached) = self.hiera.files.get(path) {
            return cached.clone().map_err(preformatted);
        }
        let result = read_data_file(path, backend).and_then(|value| match value {
            Some(Value::Hash(_)) | None => Ok(value),
            Some(Value::Undef) => Ok(Some(Value::empty_hash())),
            // `yaml_data` only warns and reads nothing unless strict mode is `error` (a
            // file holding `false` only warns even then).
            Some(Value::Boolean(false)) => Ok(Some(Value::empty_hash())),
            Some(_) if self.settings.strict != crate::eval::Strict::Error => Ok(Some(Value::empty_hash())),
            Some(_) => Err(format!("{}: file does not contain a valid yaml hash", path.display())),
        });
        self.hiera.files.insert(path.to_path_buf(), result.clone());
        result.map_err(preformatted)
    }

    /// The data files of a hierarchy level, with paths interpolated.
    fn level_files(&mut self, level: &Level, scope: ScopeId) -> R<Vec<PathBuf>> {
        let mut files = Vec::new();
        for location in &level.locations {
            match location {
                Location::Path(p) => {
                    let p = self.interpolate_path(p, scope)?;
                    files.push(level.datadir.join(p));
                }
                Location::Glob(g) => {
                    let g = self.interpolate_path(g, scope)?;
                    let pattern = level.datadir.join(g).display().to_string();
                    let mut matched = glob_files(&pattern);
                    matched.sort();
                    files.extend(matched);
                }
                Location::MappedPaths { variable, key, template } => {
                    let values = self.scope_value(variable, scope)?;
                    let items: Vec<Value> = match values {
                        Some(Value::Array(items)) => items.to_vec(),
                        Some(Value::Hash(map)) => map.keys().cloned().collect(),
                        Some(Value::String(s)) => vec![Value::String(s)],
                        _ => Vec::new(),
                    };
                    for item in items {
                        let text = template.replace(&format!("%{{{key}}}"), &item.to_puppet_string());
                        let text = self.interpolate_path(&text, scope)?;
                        files.push(level.datadir.join(text));
                    }
                }
            }
        }
        Ok(files)
    }

    fn interpolate_path(&mut self, text: &str, scope: ScopeId) -> R<String> {
        match self.interpolate_string(text, scope, false)? {
            Value::String(s) => Ok(s.to_string()),
            other => Ok(other.to_puppet_string()),
        }
    }

    /// A scope variable with dotted navigation (`facts.os.family`).
    fn scope_value(&mut self, key: &str, scope: ScopeId) -> R<Option<Value>> {
        let segments = split_key(key).map_err(plain)?;
        let root = segments[0].to_puppet_string();
        let root = root.strip_prefix("::").map(str::to_string).unwrap_or(root);
        let Some(mut value) = self.lookup_variable(scope, &root).ok().flatten() else { return Ok(None) };
        for segment in &segments[1..] {
            value = match (&value, segment) {
                (Value::Hash(map), key) => match map.get(key).or_else(|| map.get(&Value::from(key.to_puppet_string()))) {
                    Some(v) => v.clone(),
                    None => return Ok(None),
                },
                (Value::Array(values), Value::Integer(i)) => match values.get(*i as usize) {
                    Some(v) => v.clone(),
                    None => return Ok(None),
                },
                _ => return Ok(None),
            };
        }
        Ok(Some(value))
    }

    /// Interpolates `%{...}` in a string of data or of a hierarchy path.
    fn interpolate_string(&mut self, text: &str, scope: ScopeId, allow_methods: bool) -> R<Value> {
        if !text.contains("%{") {
            return Ok(Value::from(text));
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("%{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let expr = after[..end].trim();
            let whole = start == 0 && end + 3 == rest.len() && out.is_empty();
            rest = &after[end + 1..];
            if matches!(expr, "" | "::" | "\"\"" | "''" | "\"::\"" | "'::'") {
                continue;
            }
            let (method, key) = parse_method(expr);
            let value = match method.as_deref() {
                None | Some("scope") => self.scope_value(&key, scope)?,
                Some("literal") => Some(Value::from(key.as_str())),
                Some("lookup") | Some("hiera") | Some("alias") => {
                    if !allow_methods {
                        return Err(plain("Interpolation using method syntax is not allowed in this context"));
                    }
                    let found = self.hiera_lookup(&key, None, scope)?;
                    if method.as_deref() == Some("alias") {
                        if !whole {
                            return Err(plain("'alias' interpolation is only permitted if the expression is equal to the entire string"));
                        }
                        return Ok(found.unwrap_or(Value::Undef));
                    }
                    found
                }
                Some(other) => return Err(plain(format!("Unknown interpolation method '{other}'"))),
            };
            if let Some(value) = value {
                match &value {
                    Value::String(s) => {
                        let nested = self.interpolate_string(s, scope, allow_methods)?;
                        out.push_str(&nested.to_puppet_string());
                    }
                    Value::Undef => {}
                    other => out.push_str(&other.ruby_to_s()),
                }
            }
        }
        out.push_str(rest);
        Ok(Value::from(out))
    }

    fn interpolate_value(&mut self, value: Value, scope: ScopeId) -> R<Value> {
        match value {
            Value::String(s) => {
                if s.contains("%{") {
                    self.interpolate_string(&s, scope, true)
                } else {
                    Ok(Value::String(s))
                }
            }
            Value::Array(values) => {
                let mut out = Vec::with_capacity(values.len());
                for v in values.iter() {
                    out.push(self.interpolate_value(v.clone(), scope)?);
                }
                Ok(Value::array(out))
            }
            Value::Hash(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map.iter() {
                    let k = self.interpolate_value(k.clone(), scope)?;
                    let v = self.interpolate_value(v.clone(), scope)?;
                    out.insert(k, v);
                }
                Ok(Value::hash(out))
            }
            other => Ok(other),
        }
    }

    /// Looks a key up in one configuration's hierarchy with a merge strategy.
    fn config_lookup(&mut self, config: &Config, key: &str, merge: &Merge, scope: ScopeId, defaults: bool) -> R<Option<Value>> {
        let levels = if defaults { config.default_levels.clone() } else { config.levels.clone() };
        let mut result: Option<Value> = None;
        let mut count = 0;
        for level in &levels {
            if let Backend::Unsupported(what) = &level.backend {
                return Err(self.unsupported_flow(what.clone()));
            }
            let files = self.level_files(level, scope)?;
            for file in files {
                let Some(Value::Hash(data)) = self.data_file(&file, &level.backend)? else { continue };
                let Some(raw) = data.get(&Value::from(key)).cloned() else { continue };
                let value = self.interpolate_value(raw, scope)?;
                count += 1;
                result = Some(match result {
                    None => {
                        if *merge == Merge::First {
                            return Ok(Some(value));
                        }
                        merge.convert(value)
                    }
                    Some(previous) => merge.merge(previous, value),
                });
            }
            let _ = &level.name;
        }
        Ok(result.map(|v| if count == 1 { merge.single(v) } else { v }))
    }

    fn unsupported_flow(&self, construct: String) -> Flow {
        self.unsupported(construct, puppet_syntax::Span::default())
    }

    /// The `lookup_options` that apply to a module (global and module layers merged).
    fn lookup_options_for(&mut self, module: Option<&str>, scope: ScopeId) -> R<Rc<Map>> {
        let cache_key = module.map(str::to_string);
        if let Some(found) = self.hiera.lookup_options.get(&cache_key) {
            return Ok(found.clone());
        }
        let mut merged = Map::new();
        if let Some(config) = self.global_config()? {
            if let Some(Value::Hash(map)) = self.config_lookup(&config, "lookup_options", &Merge::Hash, scope, false)? {
                merged = (*map).clone();
            }
        }
        if let Some(config) = self.environment_config()? {
            if let Some(Value::Hash(map)) = self.config_lookup(&config, "lookup_options", &Merge::Hash, scope, false)? {
                for (k, v) in map.iter() {
                    if !merged.contains_key(k) {
                        merged.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        if let Some(module) = module {
            if let Some(config) = self.module_config(module)? {
                if let Some(Value::Hash(map)) = self.config_lookup(&config, "lookup_options", &Merge::Hash, scope, false)? {
                    for (k, v) in map.iter() {
                        let key = k.to_puppet_string();
                        if key.starts_with(&format!("{module}::")) && !merged.contains_key(k) {
                            merged.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
        }
        let options = Rc::new(merged);
        self.hiera.lookup_options.insert(cache_key, options.clone());
        Ok(options)
    }

    /// Hiera's lookup of a key (`LookupAdapter#lookup`); `Ok(None)` when not found.
    pub fn hiera_lookup(&mut self, key: &str, merge: Option<Merge>, scope: ScopeId) -> R<Option<Value>> {
        if key == "lookup_options" || key.starts_with("lookup_options.") {
            return Ok(None);
        }
        if self.hiera.active.iter().any(|k| k == key) {
            return Err(plain(format!("Recursive lookup detected in [{}]", self.hiera.active.join(", "))));
        }
        if self.hiera.active.len() > 64 {
            return Err(plain("Lookup nested too deeply"));
        }
        let segments = split_key(key).map_err(|problem| plain(format!("{problem} in key: {key}")))?;
        let root = segments[0].to_puppet_string();
        let root_key = root.trim_start_matches("::").to_string();
        let module = root_key.split_once("::").map(|(m, _)| m.to_string());
        self.hiera.active.push(key.to_string());
        let result = self.hiera_lookup_root(&root_key, module.as_deref(), merge, scope);
        self.hiera.active.pop();
        let Some(value) = result? else { return Ok(None) };
        if segments.len() == 1 {
            return Ok(Some(value));
        }
        let mut current = value;
        for segment in &segments[1..] {
            current = match (&current, segment) {
                (Value::Hash(map), k) => match map.get(k) {
                    Some(v) => v.clone(),
                    None => return Ok(None),
                },
                (Value::Array(values), Value::Integer(i)) => match values.get(*i as usize) {
                    Some(v) => v.clone(),
                    None => return Ok(None),
                },
                _ => return Ok(None),
            };
        }
        Ok(Some(current))
    }

    fn hiera_lookup_root(&mut self, root_key: &str, module: Option<&str>, merge: Option<Merge>, scope: ScopeId) -> R<Option<Value>> {
        let options = self.lookup_options_for(module, scope)?;
        // The options of the key: its own entry, else the first pattern that matches it.
        let mut key_options = None;
        if let Some(Value::Hash(opts)) = options.get(&Value::from(root_key)) {
            key_options = Some(opts.clone());
        } else {
            for (pattern, value) in options.iter() {
                let pattern = pattern.to_puppet_string();
                if pattern.starts_with('^') {
                    if let Ok(regex) = self.regex(&pattern) {
                        if regex.is_match(root_key) {
                            if let Value::Hash(opts) = value {
                                key_options = Some(opts.clone());
                            }
                            break;
                        }
                    }
                }
            }
        }
        let merge = match merge {
            Some(m) => m,
            None => match key_options.as_ref().and_then(|opts| opts.get(&Value::from("merge"))) {
                Some(m) => Merge::from_value(m).map_err(plain)?,
                None => Merge::First,
            },
        };
        let convert_to = key_options.as_ref().and_then(|opts| opts.get(&Value::from("convert_to"))).cloned();
        let result = self.hiera_lookup_layers(root_key, module, &merge, scope)?;
        match (result, convert_to) {
            (Some(value), Some(convert_to)) => self.convert_result(root_key, value, &convert_to, scope).map(Some),
            (result, _) => Ok(result),
        }
    }

    /// `LookupAdapter#convert_result`: `convert_to` in the key's `lookup_options` (a type, or
    /// a type and more arguments) converts the value found with `new`.
    fn convert_result(&mut self, key: &str, value: Value, convert_to: &Value, scope: ScopeId) -> R<Value> {
        let parts = match convert_to {
            Value::Array(parts) => parts.to_vec(),
            single => vec![single.clone()],
        };
        let Some((target, extra)) = parts.split_first() else { return Ok(value) };
        let target = match target {
            Value::String(text) => match self.parse_type_text(text) {
                Ok(t) => Value::type_value(t),
                Err(_) => {
                    return Err(preformatted(format!(
                        "Invalid data type in lookup_options for key '{key}' could not parse '{text}'"
                    )))
                }
            },
            other => other.clone(),
        };
        let mut args = vec![target, value];
        args.extend(extra.iter().cloned());
        self.call_function("new", args, None, scope, puppet_syntax::Span::default())
    }

    /// The value of a key through the global, environment and module layers.
    fn hiera_lookup_layers(&mut self, root_key: &str, module: Option<&str>, merge: &Merge, scope: ScopeId) -> R<Option<Value>> {
        let merge = merge.clone();
        let mut result: Option<Value> = None;
        let mut providers: Vec<Rc<Config>> = Vec::new();
        if let Some(config) = self.global_config()? {
            providers.push(config);
        }
        if let Some(config) = self.environment_config()? {
            providers.push(config);
        }
        if let Some(module) = module {
            if let Some(config) = self.module_config(module)? {
                providers.push(config);
            }
        }
        for config in &providers {
            if let Some(value) = self.config_lookup(config, root_key, &merge, scope, false)? {
                result = Some(match result {
                    None => {
                        if merge == Merge::First {
                            return Ok(Some(value));
                        }
                        value
                    }
                    Some(previous) => merge.merge(previous, value),
                });
            }
        }
        if result.is_none() {
            if let Some(module) = module {
                if let Some(config) = self.module_config(module)? {
                    if !config.default_levels.is_empty() {
                        result = self.config_lookup(&config, root_key, &merge, scope, true)?;
                    }
                }
            }
        }
        Ok(result)
    }

    /// Automatic parameter lookup of `class::param`.
    pub fn lookup_for_parameter(&mut self, key: &str, scope: ScopeId) -> R<Option<Value>> {
        match self.hiera_lookup(key, None, scope) {
            Ok(value) => Ok(value),
            Err(Flow::Error(mut error)) if error.unsupported.is_none() && error.class == crate::eval::ErrorClass::Plain => {
                error.detail = format!("Lookup of key '{key}' failed: {}", error.detail);
                Err(Flow::Error(error))
            }
            Err(other) => Err(other),
        }
    }
}

fn parse_method(expr: &str) -> (Option<String>, String) {
    if let Some(open) = expr.find('(') {
        if expr.ends_with(')') {
            let name = &expr[..open];
            if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                let inner = expr[open + 1..expr.len() - 1].trim();
                let key = inner.trim_matches(|c| c == '"' || c == '\'').to_string();
                return (Some(name.to_string()), key);
            }
        }
    }
    (None, expr.to_string())
}

/// Files matching a glob pattern (`*`, `**`, `?`).
fn glob_files(pattern: &str) -> Vec<PathBuf> {
    let path = Path::new(pattern);
    let mut results = vec![PathBuf::from("/")];
    let components: Vec<String> = path.components().map(|c| c.as_os_str().to_string_lossy().to_string()).collect();
    for component in components.iter().skip(usize::from(pattern.starts_with('/'))) {
        let mut next = Vec::new();
        for base in &results {
            if component == "**" {
                next.extend(all_dirs(base));
            } else if component.contains(['*', '?', '[', '{']) {
                if let Ok(entries) = std::fs::read_dir(base) {
                    for entry in entries.flatten() {
                        let name = entry.file_name().to_string_lossy().to_string();
                        if wildcard(component, &name) {
                            next.push(base.join(name));
                        }
                    }
                }
            } else {
                let candidate = base.join(component);
                if candidate.exists() {
                    next.push(candidate);
                }
            }
        }
        results = next;
    }
    results.into_iter().filter(|p| p.is_file()).collect()
}

fn all_dirs(base: &Path) -> Vec<PathBuf> {
    let mut out = vec![base.to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(base) {
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                out.extend(all_dirs(&entry.path()));
            }
        }
    }
    out
}

fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    fn matches(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => matches(&p[1..], n) || (!n.is_empty() && matches(p, &n[1..])),
            (Some('?'), Some(_)) => matches(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => matches(&p[1..], &n[1..]),
            _ => false,
        }
    }
    matches(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_into_segments() {
        assert_eq!(split_key("a.b.0").unwrap(), vec![Value::from("a"), Value::from("b"), Value::Integer(0)]);
        assert_eq!(split_key("a.'b.c'").unwrap(), vec![Value::from("a"), Value::from("b.c")]);
        assert!(split_key("a..b").is_err());
    }

    #[test]
    fn merges() {
        let a = Value::array(vec![Value::from("x")]);
        let b = Value::array(vec![Value::from("y"), Value::from("x")]);
        assert_eq!(Merge::Unique.merge(a.clone(), b.clone()), Value::array(vec![Value::from("x"), Value::from("y")]));
        assert_eq!(deep_merge(a, b), Value::array(vec![Value::from("y"), Value::from("x")]));
    }
}
