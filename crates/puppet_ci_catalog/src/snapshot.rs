//! Catalog snapshots, reviewed like insta's: the catalog of a test on a fact set as text
//! (resources sorted by reference, each with its place and parameters) in the module's
//! `snapshots/` folder, committed with the code. A run compares; `--update-snapshots`
//! writes; a difference nobody reviewed fails the test and shows the diff.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use puppet_catalog::Catalog;

use crate::refs::Index;
use crate::store::write_atomically;
use crate::Result;

/// The snapshot file of a test on a fact set: `<module>/snapshots/<subject>@<fact set>.snap`.
pub(crate) fn path(module_dir: &Path, stem: &str, fact_set: &str) -> PathBuf {
    let fact_set: String = fact_set.chars().map(|character| if character.is_ascii_alphanumeric() || matches!(character, '.' | '-' | '_') { character } else { '_' }).collect();
    module_dir.join("snapshots").join(format!("{stem}@{fact_set}.snap"))
}

/// The catalog as the snapshot's text; `display` makes manifest paths relative.
pub(crate) fn render(title: &str, catalog: &Catalog, display: &dyn Fn(&str) -> String) -> String {
    let index = Index::new(catalog);
    let mut order: Vec<usize> = (0..catalog.resources.len()).collect();
    order.sort_by_key(|&position| (catalog.resources[position].type_name.clone(), catalog.resources[position].title.clone()));
    let mut out = format!("# puppet-ci catalog snapshot of {title}: review changes like code; `--update-snapshots` rewrites it.\n");
    for position in order {
        let resource = &catalog.resources[position];
        let _ = write!(out, "{}", resource.reference());
        if let Some(file) = &resource.file {
            let _ = write!(out, "  {}", display(file));
            if let Some(line) = resource.line {
                let _ = write!(out, ":{line}");
            }
        }
        if let Some(container) = index.container(position) {
            let _ = write!(out, "  in {}", catalog.resources[container].reference());
        }
        out.push('\n');
        for (name, value) in &resource.parameters {
            match value.as_str().filter(|text| text.contains('\n')) {
                // A file's text, line by line, so that a change reads as a diff of lines.
                Some(text) => {
                    let _ = writeln!(out, "    {name} =");
                    for line in text.split_inclusive('\n') {
                        match line.strip_suffix('\n') {
                            Some(line) => {
                                let _ = writeln!(out, "      | {line}");
                            }
                            None => {
                                let _ = writeln!(out, "      | {line}\n      (no newline at the end)");
                            }
                        }
                    }
                }
                None => {
                    let _ = writeln!(out, "    {name} = {value}");
                }
            }
        }
    }
    out
}

/// How a run's catalog compares with the reviewed snapshot.
pub(crate) enum Verdict {
    Same,
    /// No snapshot yet.
    Missing,
    /// The unified diff from the snapshot to now.
    Changed(String),
    /// `--update-snapshots` wrote it (new or changed).
    Written,
}

pub(crate) fn check(path: &Path, text: &str, update: bool) -> Result<Verdict> {
    let old = std::fs::read_to_string(path).ok();
    if old.as_deref() == Some(text) {
        return Ok(Verdict::Same);
    }
    if update {
        write_atomically(path, text)?;
        return Ok(Verdict::Written);
    }
    let Some(old) = old else { return Ok(Verdict::Missing) };
    let diff = similar::TextDiff::from_lines(old.as_str(), text).unified_diff().context_radius(3).header("reviewed", "now").to_string();
    Ok(Verdict::Changed(diff))
}
