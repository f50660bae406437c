//! Hiera: `hiera.yaml` (version 5 as Puppet 7 checks it: its schema, one data provider
//! function and one location per level, unique level names, the keys each layer allows;
//! versions 3 and 4 deprecated) and the data files (YAML and JSON syntax, a hash at the top),
//! with Puppet's words and the file and line.

use std::path::Path;

use puppet_ci_config::locate::{locate, Step};
use puppet_ci_report::{Diagnostic, Position, Severity};
use serde_yaml::{Mapping, Value};

/// Which layer a `hiera.yaml` configures: they allow different keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The global `hiera.yaml` (`--hiera-config`): `hiera3_backend` is allowed.
    Global,
    /// A control repo's (an environment's) `hiera.yaml`.
    Environment,
    /// A module's `hiera.yaml`: `default_hierarchy` is allowed.
    Module,
}

const FUNCTION_KEYS: [&str; 3] = ["data_hash", "lookup_key", "data_dig"];
const LOCATION_KEYS: [&str; 7] = ["path", "paths", "glob", "globs", "uri", "uris", "mapped_paths"];
const HIERARCHY_KEYS: [&str; 15] =
    ["name", "options", "data_hash", "lookup_key", "hiera3_backend", "data_provider", "data_dig", "path", "paths", "glob", "globs", "uri", "uris", "mapped_paths", "datadir"];
const DEFAULTS_KEYS: [&str; 5] = ["data_hash", "lookup_key", "data_dig", "datadir", "options"];
const TOP_KEYS: [&str; 5] = ["version", "defaults", "hierarchy", "plan_hierarchy", "default_hierarchy"];

/// The problems of a `hiera.yaml` text, shown as `file`, for a configuration of `layer`.
pub fn check_config(file: &Path, text: &str, layer: Layer) -> Vec<Diagnostic> {
    let mut checker = Checker { file, text, diagnostics: Vec::new() };
    let value: Value = match serde_yaml::from_str(text) {
        Ok(value) => value,
        Err(err) => {
            checker.yaml_error(&err);
            return checker.diagnostics;
        }
    };
    let Value::Mapping(config) = value else {
        checker.report(Severity::Warning, "HIERA_NOT_A_HASH", &[], "File exists but does not contain a valid YAML hash. Falling back to Hiera version 3 default config".into());
        return checker.diagnostics;
    };
    match config.get("version").and_then(Value::as_i64) {
        None if config.get("version").is_none() => checker.report(
            Severity::Warning,
            "HIERA_VERSION_DEPRECATED",
            &[],
            format!("{}: Use of 'hiera.yaml' version 3 is deprecated. It should be converted to version 5", file.display()),
        ),
        Some(4) => checker.report(
            Severity::Warning,
            "HIERA_VERSION_DEPRECATED",
            &[Step::Key("version".into())],
            format!("{}: Use of 'hiera.yaml' version 4 is deprecated. It should be converted to version 5", file.display()),
        ),
        Some(5) => checker.version5(&config, layer),
        Some(3) if layer != Layer::Global => {
            let location = if layer == Layer::Module { "a module" } else { "an environment" };
            checker.error("HIERA_VERSION_3_NOT_GLOBAL", &[Step::Key("version".into())], format!("hiera.yaml version 3 cannot be used in {location}"));
        }
        Some(3) => {}
        _ => {
            let version = config.get("version").map(yaml_text).unwrap_or_default();
            checker.error("HIERA_UNSUPPORTED_VERSION", &[Step::Key("version".into())], format!("This runtime does not support hiera.yaml version {version}"));
        }
    }
    checker.diagnostics
}

/// The problems of a Hiera data file: YAML (`.yaml`, `.yml`, `.eyaml`) or JSON, whose top
/// must be a hash (an empty file is an empty hash).
pub fn check_data(file: &Path, text: &str) -> Vec<Diagnostic> {
    let mut checker = Checker { file, text, diagnostics: Vec::new() };
    let json = file.extension().is_some_and(|extension| extension == "json");
    if json {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => checker.error("HIERA_DATA_NOT_A_HASH", &[], format!("{}: file does not contain a valid json hash", file.display())),
            Err(err) => {
                let message = format!("Unable to parse {}: {err}", file.display());
                checker.diagnostics.push(Diagnostic::error(file, Position::new(err.line().max(1) as u32, err.column().max(1) as u32), "HIERA_DATA_SYNTAX", message));
            }
        }
        return checker.diagnostics;
    }
    match serde_yaml::from_str::<Value>(text) {
        Ok(Value::Mapping(_) | Value::Null | Value::Bool(false)) => {}
        Ok(_) => checker.error("HIERA_DATA_NOT_A_HASH", &[], format!("{}: file does not contain a valid yaml hash", file.display())),
        Err(err) => checker.yaml_error(&err),
    }
    checker.diagnostics
}

struct Checker<'a> {
    file: &'a Path,
    text: &'a str,
    diagnostics: Vec<Diagnostic>,
}

/// Puppet's name for the type of a YAML value.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "Undef",
        Value::Bool(_) => "Boolean",
        Value::Number(number) if number.is_f64() => "Float",
        Value::Number(_) => "Integer",
        Value::String(_) => "String",
        Value::Sequence(_) => "Array",
        Value::Mapping(_) => "Hash",
        Value::Tagged(_) => "Object",
    }
}

fn yaml_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

impl Checker<'_> {
    fn report(&mut self, severity: Severity, code: &str, path: &[Step], message: String) {
        let (line, column) = if path.is_empty() { None } else { locate(self.text, path) }.unwrap_or((1, 1));
        self.diagnostics.push(Diagnostic::new(self.file, Position::new(line as u32, column as u32), code, severity, message));
    }

    fn error(&mut self, code: &str, path: &[Step], message: String) {
        self.report(Severity::Error, code, path, message);
    }

    fn yaml_error(&mut self, err: &serde_yaml::Error) {
        let (line, column) = err.location().map_or((1, 1), |location| (location.line(), location.column()));
        // The position is the diagnostic's: the message need not say it again.
        let text = err.to_string().replacen(&format!(" at line {line} column {column}"), "", 1);
        let message = format!("({}): {text}", self.file.display());
        self.diagnostics.push(Diagnostic::error(self.file, Position::new(line as u32, column as u32), "HIERA_YAML_SYNTAX", message));
    }

    /// A type mismatch, as Puppet's type asserter words it.
    fn mismatch(&mut self, path: &[Step], described: &str, problem: String) {
        let message = format!("The Lookup Configuration at '{}' has wrong type, {described}{problem}", self.file.display());
        self.error("HIERA_WRONG_TYPE", path, message);
    }

    fn version5(&mut self, config: &Mapping, layer: Layer) {
        let mut types_ok = true;
        for (key, _) in config {
            let key = yaml_text(key);
            if !TOP_KEYS.contains(&key.as_str()) {
                self.mismatch(&[Step::Key(key.clone())], "", format!("unrecognized key '{key}'"));
                types_ok = false;
            }
        }
        if let Some(defaults) = config.get("defaults") {
            types_ok &= self.section(&[Step::Key("defaults".into())], "entry 'defaults' ", defaults, &DEFAULTS_KEYS);
        }
        for key in ["hierarchy", "plan_hierarchy", "default_hierarchy"] {
            let Some(levels) = config.get(key) else { continue };
            let described = format!("entry '{key}' ");
            let Value::Sequence(levels) = levels else {
                self.mismatch(&[Step::Key(key.into())], &described, format!("expects an Array value, got {}", type_name(levels)));
                types_ok = false;
                continue;
            };
            for (index, level) in levels.iter().enumerate() {
                let path = [Step::Key(key.into()), Step::Index(index)];
                types_ok &= self.section(&path, &format!("{described}index {index} "), level, &HIERARCHY_KEYS);
            }
        }
        // Puppet stops at the type check: the rules below assume the types are right.
        if !types_ok {
            return;
        }
        let defaults = config.get("defaults").and_then(Value::as_mapping);
        if let Some(defaults) = defaults {
            if FUNCTION_KEYS.iter().filter(|key| defaults.contains_key(**key)).count() > 1 {
                self.error("HIERA_MULTIPLE_DATA_PROVIDER_FUNCTIONS_IN_DEFAULT", &[Step::Key("defaults".into())], format!("Only one of {} can be defined in defaults", combine(&FUNCTION_KEYS)));
            }
            self.reserved_options(defaults, &[Step::Key("defaults".into())], None);
        }
        if config.contains_key("default_hierarchy") && layer != Layer::Module {
            // Puppet points at the key's line, as here.
            let line = self.text.lines().position(|line| line.starts_with("default_hierarchy:")).map_or(1, |index| index as u32 + 1);
            let message = "'default_hierarchy' is only allowed in the module layer";
            self.diagnostics.push(Diagnostic::error(self.file, Position::new(line, 1), "HIERA_DEFAULT_HIERARCHY_NOT_IN_MODULE", message));
        }
        for key in ["hierarchy", "plan_hierarchy", "default_hierarchy"] {
            let Some(Value::Sequence(levels)) = config.get(key) else { continue };
            let mut names: Vec<String> = Vec::new();
            for (index, level) in levels.iter().enumerate() {
                let Value::Mapping(level) = level else { continue };
                let path = [Step::Key(key.into()), Step::Index(index)];
                let name = level.get("name").map(yaml_text).unwrap_or_default();
                if names.contains(&name) {
                    let mut at = path.to_vec();
                    at.push(Step::Key("name".into()));
                    self.error("HIERA_HIERARCHY_NAME_MULTIPLY_DEFINED", &at, format!("Hierarchy name '{name}' defined more than once."));
                }
                names.push(name.clone());
                self.level(level, &path, &name, defaults, layer);
            }
        }
    }

    /// Checks the keys and value types of `defaults` or of one hierarchy level.
    fn section(&mut self, path: &[Step], described: &str, value: &Value, allowed: &[&str]) -> bool {
        let Value::Mapping(section) = value else {
            self.mismatch(path, described, format!("expects a Struct value, got {}", type_name(value)));
            return false;
        };
        let mut ok = true;
        for (key, value) in section {
            let key = yaml_text(key);
            let mut at = path.to_vec();
            at.push(Step::Key(key.clone()));
            let entry = format!("{described}entry '{key}' ");
            match key.as_str() {
                _ if !allowed.contains(&key.as_str()) => {
                    self.mismatch(&at, described, format!("unrecognized key '{key}'"));
                    ok = false;
                }
                "options" => {
                    if !matches!(value, Value::Mapping(_)) {
                        self.mismatch(&at, &entry, format!("expects a Hash value, got {}", type_name(value)));
                        ok = false;
                    }
                }
                "paths" | "globs" | "uris" | "mapped_paths" => {
                    let Value::Sequence(items) = value else {
                        self.mismatch(&at, &entry, format!("expects an Array value, got {}", type_name(value)));
                        ok = false;
                        continue;
                    };
                    let size_ok = if key == "mapped_paths" { items.len() == 3 } else { !items.is_empty() };
                    if !size_ok {
                        let expected = if key == "mapped_paths" { "to be 3".to_string() } else { "to be at least 1".to_string() };
                        self.mismatch(&at, &entry, format!("expects size {expected}, got {}", items.len()));
                        ok = false;
                    }
                    for (index, item) in items.iter().enumerate() {
                        if !is_non_empty_string(item) {
                            let mut item_at = at.clone();
                            item_at.push(Step::Index(index));
                            self.mismatch(&item_at, &format!("{entry}index {index} "), expects_string(item));
                            ok = false;
                        }
                    }
                }
                _ => {
                    if !is_non_empty_string(value) {
                        self.mismatch(&at, &entry, expects_string(value));
                        ok = false;
                    }
                }
            }
        }
        if allowed.contains(&"name") && !section.contains_key("name") {
            self.mismatch(path, described, "expects a value for key 'name'".into());
            ok = false;
        }
        ok
    }

    fn level(&mut self, level: &Mapping, path: &[Step], name: &str, defaults: Option<&Mapping>, layer: Layer) {
        let functions = ["data_hash", "lookup_key", "data_dig", "hiera3_backend", "data_provider"].iter().filter(|key| level.contains_key(**key)).count();
        // Without `defaults:`, Puppet's defaults give `data_hash: yaml_data`.
        let default_function = defaults.is_none_or(|defaults| FUNCTION_KEYS.iter().any(|key| defaults.contains_key(*key)));
        if functions == 0 && !default_function {
            self.error("HIERA_MISSING_DATA_PROVIDER_FUNCTION", path, format!("One of {} must be defined in hierarchy '{name}'", combine(&FUNCTION_KEYS)));
        } else if functions > 1 {
            self.error("HIERA_MULTIPLE_DATA_PROVIDER_FUNCTIONS", path, format!("Only one of {} can be defined in hierarchy '{name}'", combine(&FUNCTION_KEYS)));
        }
        if let Some(backend) = level.get("hiera3_backend").map(yaml_text) {
            let mut at = path.to_vec();
            at.push(Step::Key("hiera3_backend".into()));
            if layer != Layer::Global {
                self.error("HIERA_V3_BACKEND_NOT_GLOBAL", &at, "'hiera3_backend' is only allowed in the global layer".into());
            } else if backend == "json" || backend == "yaml" {
                self.error("HIERA_V3_BACKEND_REPLACED_BY_DATA_HASH", &at, format!("Use \"data_hash: {backend}_data\" instead of \"hiera3_backend: {backend}\""));
            }
        }
        if LOCATION_KEYS.iter().filter(|key| level.contains_key(**key)).count() > 1 {
            self.error("HIERA_MULTIPLE_LOCATION_SPECS", path, format!("Only one of {} can be defined in hierarchy '{name}'", combine(&LOCATION_KEYS)));
        }
        if let Some(Value::Mapping(options)) = level.get("options") {
            let mut at = path.to_vec();
            at.push(Step::Key("options".into()));
            self.reserved_options(options, &at, Some(name));
        }
    }

    fn reserved_options(&mut self, section: &Mapping, path: &[Step], name: Option<&str>) {
        let options = match name {
            Some(_) => Some(section),
            None => section.get("options").and_then(Value::as_mapping),
        };
        let Some(options) = options else { return };
        for key in ["path", "uri"] {
            if !options.contains_key(key) {
                continue;
            }
            match name {
                Some(name) => self.error("HIERA_OPTION_RESERVED_BY_PUPPET", path, format!("Option key '{key}' used in hierarchy '{name}' is reserved by Puppet")),
                None => self.error("HIERA_DEFAULT_OPTION_RESERVED_BY_PUPPET", path, format!("Option key '{key}' used in defaults is reserved by Puppet")),
            }
        }
    }
}

fn is_non_empty_string(value: &Value) -> bool {
    matches!(value, Value::String(text) if !text.is_empty())
}

fn expects_string(value: &Value) -> String {
    match value {
        Value::String(_) => "expects a String[1] value, got String".to_string(),
        other => format!("expects a String value, got {}", type_name(other)),
    }
}

/// Puppet's `combine_strings`: `a, b, c, or d`.
fn combine(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [first, second] => format!("{first} or {second}"),
        [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str, layer: Layer) -> Vec<String> {
        check_config(Path::new("hiera.yaml"), text, layer).into_iter().map(|diagnostic| format!("{}: {}", diagnostic.start.line, diagnostic.message)).collect()
    }

    #[test]
    fn a_good_configuration_has_no_problems() {
        let text = "---\nversion: 5\ndefaults:\n  datadir: data\n  data_hash: yaml_data\nhierarchy:\n  - name: \"Per node\"\n    path: \"nodes/%{trusted.certname}.yaml\"\n  - name: common\n    paths: [common.yaml]\n";
        assert_eq!(problems(text, Layer::Environment), Vec::<String>::new());
    }

    #[test]
    fn type_problems_in_puppets_words() {
        let prefix = "The Lookup Configuration at 'hiera.yaml' has wrong type, ";
        let found = problems("version: 5\nhierarchy:\n  - name: common\n    pat: common.yaml\n  - path: x.yaml\n", Layer::Environment);
        assert_eq!(found, [format!("4: {prefix}entry 'hierarchy' index 0 unrecognized key 'pat'"), format!("5: {prefix}entry 'hierarchy' index 1 expects a value for key 'name'")]);
        let found = problems("version: 5\ndefaults:\n  datadir: 1\nhierarchy:\n  - name: a\n    paths: []\n", Layer::Environment);
        assert_eq!(
            found,
            [format!("3: {prefix}entry 'defaults' entry 'datadir' expects a String value, got Integer"), format!("6: {prefix}entry 'hierarchy' index 0 entry 'paths' expects size to be at least 1, got 0")]
        );
        assert_eq!(problems("version: 5\nhierarchy: {}\n", Layer::Environment), [format!("2: {prefix}entry 'hierarchy' expects an Array value, got Hash")]);
    }

    #[test]
    fn rules_of_levels_and_layers() {
        let text = "version: 5\ndefaults:\n  datadir: data\nhierarchy:\n  - name: a\n    path: x.yaml\n    paths: [y.yaml]\n    data_hash: yaml_data\n  - name: a\n    data_hash: yaml_data\n    lookup_key: eyaml_lookup_key\n  - name: b\n    path: b.yaml\n    options:\n      path: z\ndefault_hierarchy:\n  - name: d\n    data_hash: yaml_data\n";
        assert_eq!(
            problems(text, Layer::Environment),
            [
                "16: 'default_hierarchy' is only allowed in the module layer",
                "5: Only one of path, paths, glob, globs, uri, uris, or mapped_paths can be defined in hierarchy 'a'",
                "9: Hierarchy name 'a' defined more than once.",
                "9: Only one of data_hash, lookup_key, or data_dig can be defined in hierarchy 'a'",
                "12: One of data_hash, lookup_key, or data_dig must be defined in hierarchy 'b'",
                "15: Option key 'path' used in hierarchy 'b' is reserved by Puppet",
            ]
        );
        assert_eq!(problems("version: 3\n", Layer::Module), ["1: hiera.yaml version 3 cannot be used in a module"]);
        assert_eq!(problems("version: 6\n", Layer::Environment), ["1: This runtime does not support hiera.yaml version 6"]);
        assert_eq!(problems(":backends: [yaml]\n", Layer::Global), ["1: hiera.yaml: Use of 'hiera.yaml' version 3 is deprecated. It should be converted to version 5"]);
    }

    #[test]
    fn data_files() {
        let data = |name: &str, text: &str| check_data(Path::new(name), text).into_iter().map(|d| format!("{}:{}: {}", d.start.line, d.start.column, d.message)).collect::<Vec<_>>();
        assert_eq!(data("common.yaml", "---\nprofile::base::ntp: [a, b]\n"), Vec::<String>::new());
        assert_eq!(data("empty.yaml", ""), Vec::<String>::new());
        let broken = data("common.yaml", "a: 1\nb: [2\nc: 3\n");
        assert_eq!(broken, ["3:2: (common.yaml): did not find expected ',' or ']', while parsing a flow sequence at line 2 column 4"]);
        assert_eq!(data("list.yaml", "- 1\n"), ["1:1: list.yaml: file does not contain a valid yaml hash"]);
        let json = data("x.json", "{\"a\": }");
        assert!(json[0].starts_with("1:7: Unable to parse x.json: "), "{json:?}");
    }
}
