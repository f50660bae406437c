//! `puppet-ci diff`: the catalogs of two git refs, for every role × fact set, compared
//! resource by resource, with the differences grouped across nodes ("23 nodes:
//! File[/etc/motd] parameter content changed") and file contents (from `content`,
//! templates and `source` files of the modules) as unified diffs, as octocatalog-diff
//! shows them. Each ref's tree is extracted once (`git archive`) into the cache and its
//! catalogs are cached like the stage's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use puppet_catalog::{Catalog, Resource};
use puppet_ci_config::Config;
use puppet_ci_report::{Case, Diagnostic, Location, Outcome, Position, StageReport};
use serde_json::Value;

use crate::project::Project;
use crate::run::{compile_roles, NodeCatalog, StageOptions};
use crate::{CatalogError, Result, CACHE_DIR};

/// What to compare.
#[derive(Clone)]
pub struct DiffOptions {
    pub from: String,
    pub to: String,
    pub stage: StageOptions,
}

/// One difference and the nodes it is found on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// `role::web on debian-12-x86_64`, ...
    pub nodes: Vec<String>,
    /// `File[/etc/motd] parameter content changed`.
    pub change: String,
    /// The unified diff of a file's content, when the change is one.
    pub diff: Option<String>,
    /// Where the resource is declared in `--to` (or `--from` for a removed one).
    pub location: Option<(PathBuf, u32)>,
}

#[derive(Debug, Clone)]
pub struct DiffReport {
    /// The commits compared.
    pub from: String,
    pub to: String,
    /// Nodes compared.
    pub nodes: usize,
    /// Largest groups first.
    pub groups: Vec<Group>,
}

impl DiffReport {
    pub fn differs(&self) -> bool {
        !self.groups.is_empty()
    }

    /// The groups as a stage report (each a failed case at its resource), for the
    /// machine formats.
    pub fn stage_report(&self) -> StageReport {
        let mut report = StageReport::new("diff");
        for group in &self.groups {
            let mut case = Case::new("diff", format!("{} node{}: {}", group.nodes.len(), plural(group.nodes.len()), group.change), Outcome::failed(format!("on {}", group.nodes.join(", "))))
                .with_output(group.diff.clone().unwrap_or_default());
            if let Some((file, line)) = &group.location {
                case = case.with_location(Location { file: file.clone(), line: *line, column: 1 });
                case.diagnostics.push(Diagnostic::new(file.clone(), Position::new(*line, 1), "catalog-diff", puppet_ci_report::Severity::Info, format!("{} on {} node{}", group.change, group.nodes.len(), plural(group.nodes.len()))));
            }
            report.cases.push(case);
        }
        if report.cases.is_empty() {
            report.cases.push(Case::new("diff", format!("{} nodes compared: no difference", self.nodes), Outcome::Passed));
        }
        report
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// A ref's tree: the commit, and the control repo's folder inside the extracted tree.
struct Tree {
    commit: String,
    root: PathBuf,
}

fn git(root: &Path, arguments: &[&str]) -> Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(arguments)
        .output()
        .map_err(|error| CatalogError::Git(format!("cannot run git: {error}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("git failed").trim().to_string();
        return Err(CatalogError::Git(format!("git {}: {last}", arguments.join(" "))));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim_end_matches('\n').to_string())
}

/// Extracts `reference` of the repository holding `root` (once per commit).
fn tree(root: &Path, reference: &str) -> Result<Tree> {
    let commit = git(root, &["rev-parse", "--verify", "--quiet", &format!("{reference}^{{commit}}")])
        .map_err(|_| CatalogError::Git(format!("{reference} is not a commit of the repository at {}", root.display())))?;
    let top = PathBuf::from(git(root, &["rev-parse", "--show-toplevel"])?);
    let prefix = git(root, &["rev-parse", "--show-prefix"])?;
    let trees = root.join(CACHE_DIR).join("trees");
    let folder = trees.join(&commit);
    if !folder.is_dir() {
        std::fs::create_dir_all(&trees).map_err(CatalogError::io("create", &trees))?;
        let staging = tempfile::Builder::new().prefix("extract-").tempdir_in(&trees).map_err(CatalogError::io("create a folder in", &trees))?;
        let output = Command::new("git")
            .arg("-C")
            .arg(&top)
            .args(["archive", "--format=tar", &commit])
            .output()
            .map_err(|error| CatalogError::Git(format!("cannot run git archive: {error}")))?;
        if !output.status.success() {
            return Err(CatalogError::Git(format!("git archive {commit}: {}", String::from_utf8_lossy(&output.stderr).trim())));
        }
        tar::Archive::new(output.stdout.as_slice()).unpack(staging.path()).map_err(CatalogError::io("unpack the tree of", staging.path()))?;
        let extracted = staging.keep();
        if std::fs::rename(&extracted, &folder).is_err() {
            let _ = std::fs::remove_dir_all(&extracted);
        }
    }
    Ok(Tree { commit, root: folder.join(prefix) })
}

/// Compares the catalogs of `options.from` and `options.to`.
pub fn diff(config: &Config, options: &DiffOptions) -> Result<DiffReport> {
    let from = tree(&config.root, &options.from)?;
    let to = tree(&config.root, &options.to)?;
    let (from_project, from_nodes) = compile_side(&from, &options.stage)?;
    let (to_project, to_nodes) = compile_side(&to, &options.stage)?;
    let key = |node: &NodeCatalog| format!("{} on {}", node.role, node.label);
    let from_by: BTreeMap<String, &NodeCatalog> = from_nodes.iter().map(|node| (key(node), node)).collect();
    let to_by: BTreeMap<String, &NodeCatalog> = to_nodes.iter().map(|node| (key(node), node)).collect();
    // (change, diff) → (nodes, where).
    type Found = (Vec<String>, Option<(PathBuf, u32)>);
    let mut changes: BTreeMap<(String, Option<String>), Found> = BTreeMap::new();
    let mut add = |node: &str, change: Change| {
        let entry = changes.entry((change.text, change.diff)).or_insert_with(|| (Vec::new(), change.location));
        entry.0.push(node.to_string());
    };
    let names: Vec<&String> = from_by.keys().chain(to_by.keys().filter(|name| !from_by.contains_key(*name))).collect();
    for name in &names {
        match (from_by.get(*name), to_by.get(*name)) {
            (Some(_), None) => add(name, Change::plain("only in --from (a role or fact set that --to no longer has)")),
            (None, Some(_)) => add(name, Change::plain("only in --to (a new role or fact set)")),
            (Some(old), Some(new)) => match (&old.result, &new.result) {
                (Ok(old), Ok(new)) => {
                    for change in compare(old, new, &from_project, &to_project) {
                        add(name, change);
                    }
                }
                (Ok(_), Err(error)) => add(name, Change::plain(&format!("compiles in --from, fails in --to: {error}"))),
                (Err(error), Ok(_)) => add(name, Change::plain(&format!("failed in --from ({error}), compiles in --to"))),
                (Err(old), Err(new)) if old != new => add(name, Change::plain(&format!("fails in both, differently: {new}"))),
                (Err(_), Err(_)) => {}
            },
            (None, None) => {}
        }
    }
    let mut groups: Vec<Group> = changes.into_iter().map(|((change, diff), (nodes, location))| Group { nodes, change, diff, location }).collect();
    groups.sort_by(|left, right| right.nodes.len().cmp(&left.nodes.len()).then_with(|| left.change.cmp(&right.change)));
    Ok(DiffReport { from: from.commit, to: to.commit, nodes: names.len(), groups })
}

fn compile_side(tree: &Tree, options: &StageOptions) -> Result<(Project, Vec<NodeCatalog>)> {
    let config = Config::load(&tree.root)?;
    compile_roles(&config, options)
}

struct Change {
    text: String,
    diff: Option<String>,
    location: Option<(PathBuf, u32)>,
}

impl Change {
    fn plain(text: &str) -> Change {
        Change { text: text.to_string(), diff: None, location: None }
    }
}

fn place(resource: &Resource, project: &Project) -> Option<(PathBuf, u32)> {
    Some((project.display_path(resource.file.as_deref()?), resource.line.unwrap_or(1)))
}

/// The differences of two catalogs of one node that a reviewer cares about: resources
/// added or removed, parameters changed (file contents as diffs), and the content of
/// `source` files that changed under an unchanged parameter. Places (file, line) and
/// tags are not differences.
fn compare(old: &Catalog, new: &Catalog, old_project: &Project, new_project: &Project) -> Vec<Change> {
    let key = |resource: &Resource| (resource.type_name.clone(), resource.title.clone());
    let old_by: BTreeMap<(String, String), &Resource> = old.resources.iter().map(|resource| (key(resource), resource)).collect();
    let new_by: BTreeMap<(String, String), &Resource> = new.resources.iter().map(|resource| (key(resource), resource)).collect();
    let mut changes = Vec::new();
    for (resource_key, resource) in &old_by {
        if !new_by.contains_key(resource_key) {
            changes.push(Change { text: format!("{} removed", resource.reference()), diff: None, location: place(resource, old_project) });
        }
    }
    for (resource_key, resource) in &new_by {
        let Some(before) = old_by.get(resource_key) else {
            changes.push(Change { text: format!("{} added", resource.reference()), diff: None, location: place(resource, new_project) });
            continue;
        };
        let names: Vec<&String> = before.parameters.keys().chain(resource.parameters.keys().filter(|name| !before.parameters.contains_key(*name))).collect();
        for name in names {
            let (old_value, new_value) = (before.parameters.get(name), resource.parameters.get(name));
            if old_value == new_value {
                continue;
            }
            let reference = resource.reference();
            let change = match (old_value, new_value) {
                (Some(Value::String(old_text)), Some(Value::String(new_text))) if old_text.contains('\n') || new_text.contains('\n') => {
                    Change { text: format!("{reference} parameter {name} changed"), diff: Some(unified(old_text, new_text)), location: None }
                }
                (Some(old_value), Some(new_value)) => Change { text: format!("{reference} parameter {name} changed: {old_value} -> {new_value}"), diff: None, location: None },
                (None, Some(new_value)) => Change { text: format!("{reference} parameter {name} added: {new_value}"), diff: None, location: None },
                (Some(old_value), None) => Change { text: format!("{reference} parameter {name} removed (was {old_value})"), diff: None, location: None },
                (None, None) => continue,
            };
            changes.push(Change { location: place(resource, new_project), ..change });
        }
        if resource.type_name == "File" && before.parameters.get("source") == resource.parameters.get("source") {
            if let Some(source) = resource.parameters.get("source").and_then(Value::as_str) {
                let (old_text, new_text) = (source_text(source, old_project), source_text(source, new_project));
                if old_text != new_text {
                    changes.push(Change {
                        text: format!("{} content from {source} changed", resource.reference()),
                        diff: Some(unified(old_text.as_deref().unwrap_or(""), new_text.as_deref().unwrap_or(""))),
                        location: place(resource, new_project),
                    });
                }
            }
        }
    }
    changes
}

/// The text of a `puppet:///modules/NAME/PATH` source in a project's modulepath.
fn source_text(source: &str, project: &Project) -> Option<String> {
    let rest = source.strip_prefix("puppet:///modules/")?;
    let (module, path) = rest.split_once('/')?;
    let (_, dir) = project.modules().into_iter().find(|(name, _)| name == module)?;
    std::fs::read_to_string(dir.join("files").join(path)).ok()
}

fn unified(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new).unified_diff().context_radius(3).header("--from", "--to").to_string()
}
