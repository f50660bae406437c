//! The resource types a catalog of this modulepath can hold: Puppet 7's own, the defined
//! types of the modules (`define x::y`), and their Ruby types (`lib/puppet/type/*.rb`).
//! Expectations that name any other type are refused before anything compiles.

use std::collections::BTreeSet;

use crate::refs::canonical_type;

/// The types of Debian's Puppet 7 (`lib/puppet/type/*.rb`), and the catalog's own kinds.
const BUILT_IN: &[&str] = &[
    "Class", "Node", "Stage", "Exec", "File", "Filebucket", "Group", "Notify", "Package", "Resources", "Schedule", "Service", "Tidy", "User",
    "Whit", "Component",
];

/// Every type name (capitalised as in a reference) a catalog compiled with `modules` can hold.
pub(crate) fn known_types(modules: &[(String, std::path::PathBuf)]) -> BTreeSet<String> {
    let mut types: BTreeSet<String> = BUILT_IN.iter().map(|name| (*name).to_string()).collect();
    let define = regex::Regex::new(r"(?m)^\s*define\s+([a-z][a-z0-9_]*(?:::[a-z][a-z0-9_]*)*)").expect("a valid regex");
    for (_, dir) in modules {
        let ruby_types = dir.join("lib/puppet/type");
        if let Ok(entries) = std::fs::read_dir(&ruby_types) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|extension| extension == "rb") {
                    if let Some(stem) = path.file_stem() {
                        types.insert(canonical_type(&stem.to_string_lossy()));
                    }
                }
            }
        }
        for entry in walkdir::WalkDir::new(dir.join("manifests")).follow_links(true).into_iter().flatten() {
            if !entry.file_type().is_file() || entry.path().extension().is_none_or(|extension| extension != "pp") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            for capture in define.captures_iter(&text) {
                types.insert(canonical_type(&capture[1]));
            }
        }
    }
    types
}

/// Whether `type_name` (any case) is one of `known`.
pub(crate) fn is_known(known: &BTreeSet<String>, type_name: &str) -> bool {
    known.contains(&canonical_type(type_name))
}

/// Types of `known` close to `wanted`, for a "did you mean" hint.
pub(crate) fn similar(known: &BTreeSet<String>, wanted: &str) -> Vec<String> {
    let wanted = wanted.to_lowercase();
    known
        .iter()
        .filter(|name| {
            let name = name.to_lowercase();
            similar::TextDiff::from_chars(name.as_str(), wanted.as_str()).ratio() >= 0.75
        })
        .cloned()
        .collect()
}
