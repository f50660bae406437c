//! puppet-lint's one check of YAML files (Hiera data): `legacy_facts` in `%{...}`
//! interpolations. The file must be valid YAML; puppet-lint also runs its Puppet lexer
//! over YAML and reports its "Syntax error"s, which is not done here.

use crate::context::problem;
use crate::engine::{FileLint, SYNTAX};
use crate::rules::{is_legacy_fact, RULES};
use crate::settings::Settings;

/// Lints a YAML file's text.
pub fn lint_yaml(source: &str, settings: &Settings) -> FileLint {
    let Some(index) = Settings::rule_index("legacy_facts").filter(|index| settings.enabled[*index]) else {
        return FileLint::default();
    };
    let value: serde_yaml::Value = match serde_yaml::from_str(source) {
        Ok(value) => value,
        Err(err) => {
            let (line, column) = err.location().map_or((1, 1), |location| (location.line() as u32, location.column() as u32));
            return FileLint { problems: vec![problem(&SYNTAX, format!("YAML syntax error: {err}"), line, column)], ..FileLint::default() };
        }
    };
    let lines: Vec<&str> = source.split('\n').collect();
    let meta = RULES[index].meta();
    let mut problems = Vec::new();
    let mut found = |text: &str| {
        for fact in interpolated_facts(text) {
            if !is_legacy_fact(fact) {
                continue;
            }
            // The first line holding the whole value (1 for values over several lines).
            let line = lines.iter().position(|line| line.contains(text)).map_or(1, |index| index + 1);
            let mut legacy = problem(meta, format!("legacy fact '{fact}'"), line as u32, 1);
            legacy.rule = index;
            problems.push(legacy);
        }
    };
    walk(&value, &mut found);
    FileLint { problems, ..FileLint::default() }
}

/// Every string of the document: mapping keys and values, in order.
fn walk(value: &serde_yaml::Value, found: &mut impl FnMut(&str)) {
    match value {
        serde_yaml::Value::Mapping(mapping) => {
            for (key, value) in mapping {
                if let serde_yaml::Value::String(key) = key {
                    found(key);
                }
                walk(value, found);
            }
        }
        serde_yaml::Value::Sequence(items) => items.iter().for_each(|item| walk(item, found)),
        serde_yaml::Value::String(text) => found(text),
        serde_yaml::Value::Tagged(tagged) => walk(&tagged.value, found),
        _ => {}
    }
}

/// The fact names of `%{fact}`, `%{::fact}`, `%{:fact}` and `%{facts.fact}` in a text, as
/// puppet-lint's `%{(?:(?:::?)?|facts\.)([a-zA-Z0-9_]+)(?!\.[a-zA-Z])}` scans them.
pub fn interpolated_facts(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let is_word = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    let mut facts = Vec::new();
    let mut index = 0;
    while let Some(found) = text[index..].find("%{").map(|found| index + found) {
        let after = found + 2;
        let mut matched = None;
        for prefix in ["::", ":", "", "facts."] {
            if !text[after..].starts_with(prefix) {
                continue;
            }
            let start = after + prefix.len();
            let mut end = start + bytes[start..].iter().take_while(|byte| is_word(**byte)).count();
            if end == start {
                continue;
            }
            let blocked = |end: usize| bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_alphabetic);
            if blocked(end) {
                // Backtracking gives back one character: the next one is a word character.
                end -= 1;
                if end == start {
                    continue;
                }
            }
            matched = Some((start, end));
            break;
        }
        match matched {
            Some((start, end)) => {
                facts.push(&text[start..end]);
                index = end;
            }
            None => index = after,
        }
    }
    facts
}
