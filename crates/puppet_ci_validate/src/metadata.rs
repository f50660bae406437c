//! `metadata.json` of a module: the checks of metadata-json-lint 3 (its JSON schema, the
//! dependency and requirement version ranges, duplicate and deprecated fields, the SPDX
//! licence), with its check names and its messages, at the line of the field.
//!
//! metadata-json-lint's defaults are kept: `strict_license` on, `strict_dependencies` and
//! `strict_puppet_version` off. Its warnings are warnings here (they do not fail validate).

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use puppet_ci_report::{Diagnostic, Position, Severity};
use regex::Regex;
use serde_json::{Map, Value};

use puppet_semver::{Version, VersionRange};

/// The problems of one `metadata.json` text, shown as `file`.
pub fn check(file: &Path, text: &str) -> Vec<Diagnostic> {
    let parsed: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(err) => {
            let message = format!("Unable to parse metadata.json: {err}");
            return vec![Diagnostic::error(file, Position::new(err.line().max(1) as u32, err.column().max(1) as u32), "metadata_json/syntax", message)];
        }
    };
    let positions = crate::json_position::positions(text);
    let mut checker = Checker { file, positions, diagnostics: Vec::new() };
    checker.run(&parsed);
    checker.diagnostics
}

struct Checker<'a> {
    file: &'a Path,
    positions: HashMap<String, (u32, u32)>,
    diagnostics: Vec<Diagnostic>,
}

/// A property of the schema: its JSON type(s) and constraints.
struct Property {
    name: &'static str,
    types: &'static [&'static str],
    pattern: Option<&'static str>,
    max_length: Option<usize>,
    semver: bool,
}

const fn property(name: &'static str, types: &'static [&'static str]) -> Property {
    Property { name, types, pattern: None, max_length: None, semver: false }
}

const NAME_PATTERN: &str = r"^\w+-[a-z][a-z0-9_]*$";
const DEPENDENCY_NAME_PATTERN: &str = r"^\w+[/-][a-z][a-z0-9_]*$";

/// metadata-json-lint's schema, in its order.
static PROPERTIES: [Property; 15] = [
    property("author", &["string"]),
    property("data_provider", &["null", "string"]),
    property("dependencies", &["array"]),
    property("description", &["string"]),
    property("issues_url", &["string"]),
    property("license", &["string"]),
    property("operatingsystem_support", &["array"]),
    Property { pattern: Some(NAME_PATTERN), ..property("name", &["string"]) },
    property("project_page", &["string"]),
    property("requirements", &["array"]),
    property("source", &["string"]),
    Property { max_length: Some(144), ..property("summary", &["string"]) },
    property("tags", &["array"]),
    Property { semver: true, ..property("version", &["string"]) },
    // Not in the schema's list of properties; kept so the array has a fixed size.
    property("", &[]),
];

const REQUIRED: [&str; 7] = ["author", "dependencies", "license", "name", "source", "summary", "version"];

/// JSON types as the json-schema gem names them.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn regex(pattern: &str) -> Regex {
    // Ruby's `\w` matches ASCII word characters only.
    Regex::new(&pattern.replace(r"\w", "[A-Za-z0-9_]")).expect("a valid regex")
}

/// Ruby's `inspect` of a string, as the json-schema gem quotes values.
fn inspect(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

impl Checker<'_> {
    fn at(&self, pointer: &str) -> Position {
        let (line, column) = self.positions.get(pointer).or_else(|| self.positions.get("")).copied().unwrap_or((1, 1));
        Position::new(line, column)
    }

    fn report(&mut self, severity: Severity, check: &str, pointer: &str, message: String) {
        let diagnostic = Diagnostic::new(self.file, self.at(pointer), format!("metadata_json/{check}"), severity, message);
        self.diagnostics.push(diagnostic);
    }

    fn error(&mut self, check: &str, pointer: &str, message: String) {
        self.report(Severity::Error, check, pointer, message);
    }

    fn warn(&mut self, check: &str, pointer: &str, message: String) {
        self.report(Severity::Warning, check, pointer, message);
    }

    fn run(&mut self, parsed: &Value) {
        let Value::Object(metadata) = parsed else {
            self.error("required_fields", "", format!("The property '#/' of type {} did not match the following type: object", type_name(parsed)));
            return;
        };
        self.schema(metadata);
        if let Some(Value::Array(dependencies)) = metadata.get("dependencies") {
            self.dependencies(dependencies);
        }
        for field in ["types", "checksum"] {
            if metadata.get(field).is_some_and(|value| !value.is_null()) {
                self.error("deprecated_fields", &format!("/{field}"), format!("Deprecated field '{field}' found in metadata.json."));
            }
        }
        if let Some(Value::Array(requirements)) = metadata.get("requirements") {
            self.requirements(requirements);
        }
        if let Some(Value::String(license)) = metadata.get("license") {
            if license != "proprietary" && spdx::license_id(license).is_none() {
                self.warn("license", "/license", format!("License identifier {license} is not in the SPDX list: http://spdx.org/licenses/"));
            }
        }
    }

    /// The JSON schema, with the json-schema gem's messages.
    fn schema(&mut self, metadata: &Map<String, Value>) {
        for property in PROPERTIES.iter().filter(|property| !property.name.is_empty()) {
            let Some(value) = metadata.get(property.name) else { continue };
            let pointer = format!("/{}", property.name);
            self.value(property.name, &pointer, property.name, value, property);
        }
        for name in REQUIRED {
            if !metadata.contains_key(name) {
                self.error("required_fields", "", format!("The file did not contain a required property of '{name}'"));
            }
        }
    }

    /// Checks one value against its property; `path` is the property's place as the gem
    /// names it (`dependencies/0/name`), `check` the top-level field.
    fn value(&mut self, check: &str, pointer: &str, path: &str, value: &Value, property: &Property) {
        if !property.types.contains(&type_name(value)) {
            let message = if property.types.len() == 1 {
                format!("The property '{path}' of type {} did not match the following type: {}", type_name(value), property.types[0])
            } else {
                format!("The property '{path}' of type {} did not match one or more of the following types: {}", type_name(value), property.types.join(", "))
            };
            self.error(check, pointer, message);
            return;
        }
        if let Value::String(text) = value {
            if let Some(pattern) = property.pattern {
                if !regex(pattern).is_match(text) {
                    self.error(check, pointer, format!("The property '{path}' value {} did not match the regex '{pattern}'", inspect(text)));
                }
            }
            if let Some(max) = property.max_length {
                if text.chars().count() > max {
                    self.error(check, pointer, format!("The property '{path}' was not of a maximum string length of {max}"));
                }
            }
            if property.semver && Version::parse(text).is_none() {
                self.error(check, pointer, format!("The property '{path}' must be a valid semantic version: Unable to parse '{text}' as a semantic version identifier"));
            }
        }
        if let Value::Array(items) = value {
            for (index, item) in items.iter().enumerate() {
                let item_pointer = format!("{pointer}/{index}");
                let item_path = format!("{path}/{index}");
                self.item(check, &item_pointer, &item_path, item);
            }
        }
    }

    /// The schema of the items of `dependencies`, `requirements`, `operatingsystem_support`
    /// and `tags`.
    fn item(&mut self, check: &str, pointer: &str, path: &str, item: &Value) {
        let (fields, required): (Vec<Property>, &str) = match check {
            "tags" => {
                let property = property("", &["string"]);
                self.value(check, pointer, path, item, &property);
                return;
            }
            "dependencies" => (
                vec![Property { pattern: Some(DEPENDENCY_NAME_PATTERN), ..property("name", &["string"]) }, property("version_requirement", &["string"])],
                "name",
            ),
            "requirements" => (vec![property("name", &["string"]), property("version_requirement", &["string"])], "name"),
            "operatingsystem_support" => (vec![property("operatingsystem", &["string"]), property("operatingsystemrelease", &["array"])], "operatingsystem"),
            _ => return,
        };
        // Items that are not objects are not checked by the gem's `properties`.
        let Value::Object(object) = item else { return };
        for field in &fields {
            let Some(value) = object.get(field.name) else { continue };
            let field_pointer = format!("{pointer}/{}", field.name);
            let field_path = format!("{path}/{}", field.name);
            if field.name == "operatingsystemrelease" {
                if let Value::Array(releases) = value {
                    for (index, release) in releases.iter().enumerate() {
                        self.value(check, &format!("{field_pointer}/{index}"), &format!("{field_path}/{index}"), release, &property("", &["string"]));
                    }
                } else {
                    self.value(check, &field_pointer, &field_path, value, field);
                }
                continue;
            }
            self.value(check, &field_pointer, &field_path, value, field);
        }
        if !object.contains_key(required) {
            self.error(check, pointer, format!("The property '{path}' did not contain a required property of '{required}'"));
        }
    }

    fn dependencies(&mut self, dependencies: &[Value]) {
        let mut names: Vec<Option<&str>> = Vec::new();
        for (index, dependency) in dependencies.iter().enumerate() {
            let pointer = format!("/dependencies/{index}");
            let name = dependency.get("name").and_then(Value::as_str);
            if names.contains(&name) {
                self.warn("dependencies", &pointer, format!("Duplicate dependencies on {}", name.unwrap_or("")));
            }
            names.push(name);
            let requirement = dependency.get("version_requirement").and_then(Value::as_str).unwrap_or("");
            if let Err(err) = VersionRange::parse_satisfiable(requirement) {
                self.error("dependencies", &format!("{pointer}/version_requirement"), format!("Invalid 'version_requirement' field in metadata.json: {err}"));
                continue;
            }
            if mixed_syntax(requirement) {
                let message = format!(
                    "Mixing \"x\" or \"*\" version syntax with operators is not recommended in metadata.json, use one style in the {} dependency: {requirement}",
                    name.unwrap_or("")
                );
                self.warn("dependencies", &format!("{pointer}/version_requirement"), message);
            }
            if dependency.get("version_range").is_some() {
                let message = format!("Dependency {} has a 'version_range' attribute which is no longer used by the forge.", name.unwrap_or(""));
                self.warn("dependencies", &format!("{pointer}/version_range"), message);
            }
        }
    }

    fn requirements(&mut self, requirements: &[Value]) {
        for (index, requirement) in requirements.iter().enumerate() {
            let pointer = format!("/requirements/{index}");
            if requirement.get("name").and_then(Value::as_str) == Some("pe") {
                self.warn("requirements", &pointer, "The 'pe' requirement is no longer supported by the Forge.".to_string());
            }
            let range = requirement.get("version_requirement").and_then(Value::as_str).unwrap_or("");
            if let Err(err) = VersionRange::parse_satisfiable(range) {
                self.error("requirements", &format!("{pointer}/version_requirement"), format!("Invalid 'version_requirement' field in metadata.json: {err}"));
                continue;
            }
            if requirement.get("version_requirement").is_some() && mixed_syntax(range) {
                let message = format!("Mixing \"x\" or \"*\" version syntax with operators is not recommended in metadata.json, use one style in the puppet version: {range}");
                self.warn("requirement", &format!("{pointer}/version_requirement"), message);
            }
        }
        let mut counts: Vec<(String, usize)> = Vec::new();
        for name in requirements.iter().filter_map(|requirement| requirement.get("name").and_then(Value::as_str)) {
            let name = name.to_lowercase();
            match counts.iter_mut().find(|(seen, _)| *seen == name) {
                Some((_, count)) => *count += 1,
                None => counts.push((name, 1)),
            }
        }
        for (name, count) in counts {
            if count > 1 {
                self.error("requirements", "/requirements", format!("Duplicate entries in the 'requirements' list with the name '{name}'"));
            }
        }
    }
}

/// An operator mixed with an `x` or `*` wildcard (`>= 2.x`), as metadata-json-lint sees it.
fn mixed_syntax(requirement: &str) -> bool {
    static MIXED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[><=^~]{1,2}\s*[0-9]\.(?:(?:x|\*)|[0-9]\.(?:x|\*))").expect("a valid regex"));
    MIXED.is_match(requirement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(String, String, String, u32)> {
        check(Path::new("metadata.json"), text)
            .into_iter()
            .map(|diagnostic| (diagnostic.severity.as_str().to_string(), diagnostic.code, diagnostic.message, diagnostic.start.line))
            .collect()
    }

    const GOOD: &str = r#"{
  "name": "acme-web",
  "version": "1.2.3",
  "author": "acme",
  "summary": "x",
  "license": "Apache-2.0",
  "source": "https://x",
  "dependencies": [{"name": "puppetlabs/stdlib", "version_requirement": ">= 4.0.0 < 10.0.0"}]
}"#;

    #[test]
    fn a_good_file_has_no_problems() {
        assert_eq!(problems(GOOD), []);
    }

    #[test]
    fn schema_problems_use_the_json_schema_gems_words() {
        let text = GOOD.replace("\"acme-web\"", "\"acme_web\"").replace("\"1.2.3\"", "\"1.2\"").replace("  \"author\": \"acme\",\n", "");
        assert_eq!(
            problems(&text),
            [
                ("error".into(), "metadata_json/name".into(), r#"The property 'name' value "acme_web" did not match the regex '^\w+-[a-z][a-z0-9_]*$'"#.into(), 2),
                ("error".into(), "metadata_json/version".into(), "The property 'version' must be a valid semantic version: Unable to parse '1.2' as a semantic version identifier".into(), 3),
                ("error".into(), "metadata_json/required_fields".into(), "The file did not contain a required property of 'author'".into(), 1),
            ]
        );
    }

    #[test]
    fn dependency_and_requirement_checks() {
        let text = GOOD.replace(
            r#""dependencies": [{"name": "puppetlabs/stdlib", "version_requirement": ">= 4.0.0 < 10.0.0"}]"#,
            r#""dependencies": [{"name": "puppetlabs/stdlib", "version_requirement": ">= 2.x"}, {"name": "puppetlabs/stdlib", "version_requirement": "garbage"}],
  "requirements": [{"name": "pe"}, {"name": "puppet", "version_requirement": ">= 2.0.0 < 1.0.0"}, {"name": "Puppet"}],
  "types": []"#,
        );
        let found: Vec<String> = problems(&text).into_iter().map(|(severity, code, message, _)| format!("{severity} {code}: {message}")).collect();
        assert_eq!(
            found,
            [
                "warning metadata_json/dependencies: Mixing \"x\" or \"*\" version syntax with operators is not recommended in metadata.json, use one style in the puppetlabs/stdlib dependency: >= 2.x",
                "warning metadata_json/dependencies: Duplicate dependencies on puppetlabs/stdlib",
                "error metadata_json/dependencies: Invalid 'version_requirement' field in metadata.json: Unparsable version range: \"garbage\"",
                "error metadata_json/deprecated_fields: Deprecated field 'types' found in metadata.json.",
                "warning metadata_json/requirements: The 'pe' requirement is no longer supported by the Forge.",
                "error metadata_json/requirements: Invalid 'version_requirement' field in metadata.json: Range matches no versions: \">= 2.0.0 < 1.0.0\"",
                "error metadata_json/requirements: Duplicate entries in the 'requirements' list with the name 'puppet'",
            ]
        );
    }

    #[test]
    fn licences_and_syntax() {
        let text = GOOD.replace("Apache-2.0", "Apache 2");
        assert_eq!(problems(&text)[0].2, "License identifier Apache 2 is not in the SPDX list: http://spdx.org/licenses/");
        assert_eq!(problems(&GOOD.replace("Apache-2.0", "proprietary")), []);
        let broken = problems("{\n  \"name\": \n}");
        assert_eq!((broken[0].1.as_str(), broken[0].3), ("metadata_json/syntax", 3));
    }
}
