//! The fact sets the stage compiles with: those `catalog.fact_sets` names, or one per OS
//! release the control repo's modules support (`metadata.json`'s
//! `operatingsystem_support`), and the check that every supported release has one.

use std::path::{Path, PathBuf};

use puppet_facts::FactSet;
use rayon::prelude::*;
use serde_json::Value;

use crate::project::Project;
use crate::{CatalogError, Result};

/// A fact set and the name the user knows it by (`debian-12-x86_64`, `facts/web.json`).
#[derive(Debug, Clone)]
pub(crate) struct NamedFacts {
    pub name: String,
    pub set: FactSet,
    /// The hash of the facts, for cache keys.
    pub hash: String,
}

/// An OS release a module supports, and where it says so.
#[derive(Debug, Clone)]
struct Support {
    os: String,
    release: String,
    file: PathBuf,
    line: usize,
}

/// Loads a fact set named in a file of the user's: a file relative to `root`, else a
/// bundled set. `context` says where the name was given, for errors.
pub(crate) fn load_named(name: &str, root: &Path, context: &str) -> Result<NamedFacts> {
    let file = root.join(name);
    let loaded = if file.is_file() { puppet_facts::load_file(&file) } else { puppet_facts::load(name) };
    let set = loaded.map_err(|problem| CatalogError::Facts { context: context.to_string(), problem })?;
    let hash = crate::store::hash_text(&serde_json::to_string(&set.values).expect("facts serialize"));
    Ok(NamedFacts { name: name.to_string(), set, hash })
}

/// The stage's fact sets, and notes for the report (uncovered releases when not strict).
pub(crate) fn resolve(project: &Project) -> Result<(Vec<NamedFacts>, Vec<String>)> {
    let catalog = &project.config.catalog;
    let context = format!("{}: catalog.fact_sets", project.root.join(puppet_ci_config::FILE_NAME).display());
    let support = supported(project)?;
    let mut problems = Vec::new();
    let mut sets = Vec::new();
    if catalog.fact_sets.is_empty() {
        let bundled = puppet_facts::bundled_names();
        for wanted in &support {
            match bundled_for(&bundled, &wanted.os, &wanted.release) {
                Some(name) if sets.iter().any(|set: &NamedFacts| set.name == name) => {}
                Some(name) => sets.push(load_named(&name, &project.root, &context)?),
                None => problems.push(uncovered(project, wanted, &format!("no bundled fact set for it (bundled: {})", similar_names(&bundled, &wanted.os)))),
            }
        }
    } else {
        // The sets are parsed and hashed (for the cache keys) in parallel; the first one
        // in the list that does not load is the error.
        let loaded: Vec<Result<NamedFacts>> = catalog.fact_sets.par_iter().map(|name| load_named(name, &project.root, &format!("{context}: {name}"))).collect();
        sets = loaded.into_iter().collect::<Result<_>>()?;
        for wanted in &support {
            if !sets.iter().any(|set| covers(&set.set, &wanted.os, &wanted.release)) {
                let names: Vec<&str> = sets.iter().map(|set| set.name.as_str()).collect();
                problems.push(uncovered(project, wanted, &format!("none of catalog.fact_sets is {} {} ({})", wanted.os, wanted.release, names.join(", "))));
            }
        }
    }
    if !problems.is_empty() && catalog.strict_os {
        return Err(CatalogError::UncoveredOs { problems });
    }
    Ok((sets, problems))
}

fn uncovered(project: &Project, wanted: &Support, why: &str) -> String {
    format!(
        "{}:{}: {} {} is supported (operatingsystem_support) but no fact set covers it: {why}; add a bundled name or a Facter JSON file to catalog.fact_sets, or set catalog.strict_os: false",
        project.display_path(&wanted.file.display().to_string()).display(),
        wanted.line,
        wanted.os,
        wanted.release
    )
}

fn similar_names(bundled: &[String], os: &str) -> String {
    let prefix = format!("{}-", os.to_lowercase());
    let same_os: Vec<&str> = bundled.iter().filter(|name| name.starts_with(&prefix)).map(String::as_str).collect();
    if same_os.is_empty() {
        format!("none for {os}")
    } else {
        same_os.join(", ")
    }
}

/// The bundled set of an OS release (`Debian`, `12` → `debian-12-x86_64`), x86_64 first.
fn bundled_for(bundled: &[String], os: &str, release: &str) -> Option<String> {
    let prefix = format!("{}-{}-", os.to_lowercase(), release.to_lowercase());
    let candidates: Vec<&String> = bundled.iter().filter(|name| name.starts_with(&prefix)).collect();
    candidates.iter().find(|name| name.ends_with("-x86_64")).or(candidates.first()).map(|name| (*name).clone())
}

/// Whether a fact set is the OS release: `os.name` (any case) and the release's major
/// version or full version (`22.04`).
fn covers(set: &FactSet, os: &str, release: &str) -> bool {
    let facts = &set.values;
    let name = facts.get("os").and_then(|os| os.get("name")).and_then(Value::as_str).unwrap_or_default();
    if !name.eq_ignore_ascii_case(os) {
        return false;
    }
    let release_fact = facts.get("os").and_then(|os| os.get("release"));
    let field = |key: &str| release_fact.and_then(|release| release.get(key)).and_then(Value::as_str).unwrap_or_default().to_string();
    let (major, full) = (field("major"), field("full"));
    major == release || full == release || full.starts_with(&format!("{release}."))
}

/// The OS releases the control repo's own modules support.
fn supported(project: &Project) -> Result<Vec<Support>> {
    let mut files: Vec<PathBuf> = Vec::new();
    if project.root.join("metadata.json").is_file() {
        files.push(project.root.join("metadata.json"));
    }
    for (_, dir) in project.modules() {
        let metadata = dir.join("metadata.json");
        if metadata.is_file() && project.is_own(&dir) {
            let real = metadata.canonicalize().unwrap_or(metadata);
            if !files.contains(&real) {
                files.push(real);
            }
        }
    }
    let mut support = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(CatalogError::io("read", &file))?;
        let metadata: Value = serde_json::from_str(&text)
            .map_err(|error| CatalogError::Metadata { path: file.clone(), message: format!("line {}: not JSON: {error}", error.line()) })?;
        let Some(entries) = metadata.get("operatingsystem_support") else { continue };
        let Some(entries) = entries.as_array() else {
            return Err(CatalogError::Metadata { path: file, message: "operatingsystem_support must be a list".into() });
        };
        for entry in entries {
            let Some(os) = entry.get("operatingsystem").and_then(Value::as_str) else {
                return Err(CatalogError::Metadata { path: file, message: "an operatingsystem_support entry has no operatingsystem".into() });
            };
            let releases: Vec<String> = entry
                .get("operatingsystemrelease")
                .and_then(Value::as_array)
                .map(|releases| releases.iter().filter_map(|release| release.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            for release in releases {
                let line = line_of(&text, os, &release);
                if !support.iter().any(|known: &Support| known.os.eq_ignore_ascii_case(os) && known.release == release) {
                    support.push(Support { os: os.to_string(), release, file: file.clone(), line });
                }
            }
        }
    }
    Ok(support)
}

/// The line of a release in `metadata.json`: the first `"release"` after the OS's name.
fn line_of(text: &str, os: &str, release: &str) -> usize {
    let os_at = text.find(&format!("\"{os}\"")).unwrap_or(0);
    let release_at = text[os_at..].find(&format!("\"{release}\"")).map_or(os_at, |offset| os_at + offset);
    text[..release_at].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_sets_are_found_by_os_and_release() {
        let bundled = puppet_facts::bundled_names();
        assert_eq!(bundled_for(&bundled, "Debian", "12").as_deref(), Some("debian-12-x86_64"));
        assert_eq!(bundled_for(&bundled, "Ubuntu", "22.04").as_deref(), Some("ubuntu-22.04-x86_64"));
        assert_eq!(bundled_for(&bundled, "RedHat", "9").as_deref(), Some("redhat-9-x86_64"));
        assert_eq!(bundled_for(&bundled, "Debian", "10"), None);
        let debian = puppet_facts::bundled("debian-12-x86_64").unwrap();
        assert!(covers(&debian, "debian", "12"));
        assert!(!covers(&debian, "Debian", "11"));
        let ubuntu = puppet_facts::bundled("ubuntu-22.04-x86_64").unwrap();
        assert!(covers(&ubuntu, "Ubuntu", "22.04"));
    }
}
