//! Keeps `docs/architecture.md` true: every crate is in its table, the "depends on" column
//! is exactly each crate's workspace dependencies, every arrow points to a lower layer, and
//! no command module of the binary imports another.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Row {
    layer: u32,
    depends_on: BTreeSet<String>,
}

/// The crate table of docs/architecture.md.
fn documented() -> BTreeMap<String, Row> {
    let text = std::fs::read_to_string(workspace().join("docs/architecture.md")).expect("docs/architecture.md");
    let mut rows = BTreeMap::new();
    for line in text.lines().filter(|line| line.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 4, "a crate row has four cells: {line}");
        let name = cells[0].trim_matches('`').to_string();
        let layer = cells[1].parse().unwrap_or_else(|_| panic!("layer of {name}: {}", cells[1]));
        let depends_on = cells[3].split(',').map(|dep| dep.trim().trim_matches('`').to_string()).filter(|dep| !dep.is_empty()).collect();
        rows.insert(name, Row { layer, depends_on });
    }
    rows
}

/// Each crate's dependencies on other crates of the workspace (`[dependencies]` only).
fn actual() -> BTreeMap<String, BTreeSet<String>> {
    let mut crates = BTreeMap::new();
    for entry in std::fs::read_dir(workspace().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else { continue };
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut in_dependencies = false;
        let mut deps = BTreeSet::new();
        for line in manifest.lines() {
            if line.starts_with('[') {
                in_dependencies = line.trim() == "[dependencies]";
                continue;
            }
            let dep = line.split(['.', ' ', '=']).next().unwrap_or_default();
            if in_dependencies && dep.starts_with("puppet") {
                deps.insert(dep.to_string());
            }
        }
        crates.insert(name, deps);
    }
    crates
}

#[test]
fn the_documented_crate_graph_is_the_real_one() {
    let documented = documented();
    let actual = actual();
    let missing: Vec<&String> = actual.keys().filter(|name| !documented.contains_key(*name)).collect();
    assert!(missing.is_empty(), "crates missing from docs/architecture.md: {missing:?}");
    let gone: Vec<&String> = documented.keys().filter(|name| !actual.contains_key(*name)).collect();
    assert!(gone.is_empty(), "docs/architecture.md lists crates that do not exist: {gone:?}");
    for (name, deps) in &actual {
        let row = &documented[name];
        assert_eq!(&row.depends_on, deps, "docs/architecture.md: the dependencies of {name}");
        for dep in deps {
            assert!(documented[dep].layer < row.layer, "{name} (layer {}) depends on {dep} (layer {}): arrows point down", row.layer, documented[dep].layer);
        }
    }
}

#[test]
fn no_command_imports_another() {
    let commands = workspace().join("crates/puppet_ci/src/commands");
    for entry in std::fs::read_dir(&commands).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let imports_a_command = line.contains("super::") || line.contains("crate::commands::");
            assert!(!imports_a_command, "{}:{}: a command imports another: {line}", path.display(), number + 1);
        }
    }
}
