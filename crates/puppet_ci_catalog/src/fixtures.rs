//! The modules a module's tests (or a control repo's Puppetfile) need, assembled once into
//! a content-addressed module store under the cache.
//!
//! `.fixtures.yml` is read in puppetlabs_spec_helper's format: `symlinks` (name → folder,
//! `#{source_dir}` is the module itself), `repositories` (name → git URL or path, or a
//! mapping with `repo`, `ref`, `branch`, `subdir`), and `forge_modules` (name →
//! `author/name`, or a mapping with `repo` and `ref`, the version), from a local folder of
//! Forge tarballs: puppet-ci never downloads from the Forge.
//!
//! Each resolved module is stored once by the hash of its content
//! (`modules/objects/<sha256>`); `modules/index.json` remembers which source (repository
//! and ref, Forge module and version) gave which content, so a second run resolves
//! nothing. A modulepath is a folder of symlinks into the store (`modules/paths/<id>`).
//! Nothing is stored unless every module of the file resolved.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use puppet_ci_config::Step;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;

use crate::store::{hash_text, hash_tree, write_atomically};
use crate::{CatalogError, Result, CACHE_DIR};

/// The fixtures file of a module, at its root.
pub const FIXTURES_FILE: &str = ".fixtures.yml";

/// One module a modulepath needs, and where its description is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureSpec {
    /// The folder name in the modulepath (the module's name).
    pub name: String,
    pub source: FixtureSource,
    /// The file that asks for it (`.fixtures.yml`, `Puppetfile`) and the line.
    pub file: PathBuf,
    pub line: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixtureSource {
    /// A folder linked as it is (the module under test, a sibling checkout).
    Symlink(PathBuf),
    /// A git repository (URL, or a path relative to the file's folder) at a ref or branch.
    Git { repo: String, reference: Option<String>, branch: Option<String>, subdir: Option<String> },
    /// A Forge module from the local Forge cache; `None`: its newest version there.
    Forge { author: String, name: String, version: Option<String> },
}

impl FixtureSource {
    /// The store index's key: everything that decides the module's content.
    fn key(&self) -> String {
        match self {
            FixtureSource::Symlink(path) => format!("link {}", path.display()),
            FixtureSource::Git { repo, reference, branch, subdir } => {
                format!("git {repo} ref={} branch={} subdir={}", reference.as_deref().unwrap_or(""), branch.as_deref().unwrap_or(""), subdir.as_deref().unwrap_or(""))
            }
            FixtureSource::Forge { author, name, version } => format!("forge {author}-{name} {}", version.as_deref().unwrap_or("newest")),
        }
    }
}

/// How modules are found and whether the store's index is trusted.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// The folder of Forge tarballs (`author-name-version.tar.gz`).
    pub forge_cache: Option<PathBuf>,
    /// Resolve every source again (a branch that moved), instead of reusing the index.
    pub refresh: bool,
}

/// What [`assemble`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResolveStats {
    /// Modules fetched (git clone, Forge tarball unpacked) and stored.
    pub resolved: usize,
    /// Modules found in the store's index, untouched.
    pub reused: usize,
    /// Folders linked as they are (`symlinks`).
    pub linked: usize,
}

/// Reads `.fixtures.yml`; `module_dir` is `#{source_dir}` and the base of relative paths.
pub fn read_fixtures(path: &Path, module_dir: &Path) -> Result<Vec<FixtureSpec>> {
    let text = std::fs::read_to_string(path).map_err(CatalogError::io("read", path))?;
    let fail = |line: Option<usize>, message: String| CatalogError::Fixtures { path: path.to_path_buf(), line, message };
    let document: Value = serde_yaml::from_str(&text).map_err(|error| fail(error.location().map(|location| location.line()), error.to_string()))?;
    let Some(fixtures) = document.get("fixtures") else {
        return Err(fail(Some(1), "no `fixtures:` mapping (puppetlabs_spec_helper's format: fixtures: {symlinks, repositories, forge_modules})".into()));
    };
    let Value::Mapping(sections) = fixtures else {
        return Err(fail(Some(1), "`fixtures:` must be a mapping of symlinks, repositories and forge_modules".into()));
    };
    let mut specs = Vec::new();
    for (section, entries) in sections {
        let section = section.as_str().unwrap_or_default();
        let line_of = |name: &str| puppet_ci_config::locate(&text, &[Step::Key("fixtures".into()), Step::Key(section.into()), Step::Key(name.into())]).map(|(line, _)| line);
        if !matches!(section, "symlinks" | "repositories" | "forge_modules") {
            let line = puppet_ci_config::locate(&text, &[Step::Key("fixtures".into()), Step::Key(section.into())]).map(|(line, _)| line);
            return Err(fail(line, format!("unknown fixtures section `{section}` (symlinks, repositories, forge_modules)")));
        }
        let Value::Mapping(entries) = entries else {
            if entries.is_null() {
                continue;
            }
            return Err(fail(None, format!("`{section}` must be a mapping of module names")));
        };
        for (name, entry) in entries {
            let name = name.as_str().map(str::to_string).unwrap_or_else(|| format!("{name:?}"));
            let line = line_of(&name);
            let source = fixture_source(section, entry, module_dir).map_err(|message| fail(line, format!("{section} {name}: {message}")))?;
            specs.push(FixtureSpec { name, source, file: path.to_path_buf(), line });
        }
    }
    Ok(specs)
}

fn fixture_source(section: &str, entry: &Value, module_dir: &Path) -> std::result::Result<FixtureSource, String> {
    let text = |value: &Value| -> std::result::Result<String, String> {
        let text = value.as_str().map(str::to_string).or_else(|| value.as_f64().map(|number| number.to_string())).ok_or("expected a string")?;
        interpolate(&text, module_dir)
    };
    let (main, options) = match entry {
        Value::String(_) => (text(entry)?, None),
        Value::Mapping(mapping) => {
            for key in mapping.keys() {
                let key = key.as_str().unwrap_or_default();
                if !matches!(key, "repo" | "ref" | "branch" | "subdir" | "target" | "scm" | "flags" | "puppet_version") {
                    return Err(format!("unknown key `{key}` (repo, ref, branch, subdir, target, scm, flags)"));
                }
            }
            if let Some(scm) = mapping.get("scm").and_then(Value::as_str) {
                if scm != "git" {
                    return Err(format!("scm {scm} is not supported: puppet-ci reads git repositories"));
                }
            }
            let repo = mapping.get("repo").ok_or("no `repo`")?;
            (text(repo)?, Some(mapping))
        }
        _ => return Err("expected a string or a mapping with `repo`".into()),
    };
    let option = |key: &str| -> std::result::Result<Option<String>, String> { options.and_then(|mapping| mapping.get(key)).map(text).transpose() };
    match section {
        "symlinks" => {
            let path = module_dir.join(&main);
            Ok(FixtureSource::Symlink(path))
        }
        "repositories" => Ok(FixtureSource::Git { repo: main, reference: option("ref")?, branch: option("branch")?, subdir: option("subdir")? }),
        _ => {
            let (author, name) = main.split_once(['/', '-']).ok_or_else(|| format!("{main:?} is not author/name"))?;
            Ok(FixtureSource::Forge { author: author.to_string(), name: name.to_string(), version: option("ref")? })
        }
    }
}

/// `#{source_dir}` is the module's folder; other Ruby interpolations cannot be evaluated.
fn interpolate(text: &str, module_dir: &Path) -> std::result::Result<String, String> {
    let text = text.replace("#{source_dir}", &module_dir.display().to_string());
    if text.contains("#{") {
        return Err(format!("{text:?}: only #{{source_dir}} is interpolated (puppet-ci does not evaluate Ruby)"));
    }
    Ok(text)
}

/// The Puppetfile's modules as fixtures; git paths are relative to the control repo.
pub(crate) fn from_puppetfile(puppetfile: &puppet_ci_deploy::puppetfile::Puppetfile, path: &Path, root: &Path) -> Vec<FixtureSpec> {
    use puppet_ci_deploy::puppetfile::{GitReference, ModuleSource};
    let _ = root;
    puppetfile
        .modules
        .iter()
        .map(|module| {
            let source = match &module.source {
                ModuleSource::Forge { author, name, version } => FixtureSource::Forge { author: author.clone(), name: name.clone(), version: version.clone() },
                ModuleSource::Git { url, reference } => {
                    let (reference, branch) = match reference {
                        GitReference::Tag(name) | GitReference::Commit(name) | GitReference::Any(name) => (Some(name.clone()), None),
                        GitReference::Branch(name) => (None, Some(name.clone())),
                        GitReference::Default => (None, None),
                    };
                    FixtureSource::Git { repo: url.clone(), reference, branch, subdir: None }
                }
            };
            FixtureSpec { name: module.name.clone(), source, file: path.to_path_buf(), line: Some(module.line) }
        })
        .collect()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Index {
    /// Source key → what it resolved to.
    entries: BTreeMap<String, IndexEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct IndexEntry {
    /// The content hash: the folder under `objects/`.
    content: String,
    /// The commit or version the source resolved to.
    resolved: String,
}

/// The module store of a control repo or module at `root`.
pub(crate) fn store_dir(root: &Path) -> PathBuf {
    root.join(CACHE_DIR).join("modules")
}

/// Makes a modulepath folder for `specs`: each module resolved (or found in the store),
/// then linked under its name. Returns the folder and what was done.
pub fn assemble(specs: &[FixtureSpec], root: &Path, options: &StoreOptions) -> Result<(PathBuf, ResolveStats)> {
    let store = store_dir(root);
    let objects = store.join("objects");
    let index_path = store.join("index.json");
    let mut index: Index = std::fs::read_to_string(&index_path).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default();
    let mut stats = ResolveStats::default();
    let mut links: Vec<(String, PathBuf)> = Vec::new();
    // Fetched modules wait in a scratch folder until every module resolved.
    let scratch = tempfile::Builder::new().prefix("resolve-").tempdir_in(create(&store)?).map_err(CatalogError::io("create a folder in", &store))?;
    let mut fetched: Vec<(String, PathBuf, IndexEntry)> = Vec::new();
    for (position, spec) in specs.iter().enumerate() {
        let fail = |message: String| CatalogError::Fixtures { path: spec.file.clone(), line: spec.line, message: format!("{} {}: {message}", describe(&spec.source), spec.name) };
        if links.iter().any(|(name, _)| name == &spec.name) {
            return Err(fail("a module of this name is listed twice".into()));
        }
        let key = spec.source.key();
        if let FixtureSource::Symlink(path) = &spec.source {
            if !path.is_dir() {
                return Err(fail(format!("{} is not a folder", path.display())));
            }
            stats.linked += 1;
            links.push((spec.name.clone(), path.clone()));
            continue;
        }
        let known = index.entries.get(&key).filter(|entry| !options.refresh && objects.join(&entry.content).is_dir());
        if let Some(entry) = known {
            stats.reused += 1;
            links.push((spec.name.clone(), objects.join(&entry.content)));
            continue;
        }
        let base = spec.file.parent().unwrap_or(root);
        let into = scratch.path().join(position.to_string());
        let resolved = match &spec.source {
            FixtureSource::Git { repo, reference, branch, subdir } => fetch_git(repo, reference.as_deref(), branch.as_deref(), subdir.as_deref(), base, &into),
            FixtureSource::Forge { author, name, version } => unpack_forge(options.forge_cache.as_deref(), author, name, version.as_deref(), &into),
            FixtureSource::Symlink(_) => unreachable!("links are handled above"),
        }
        .map_err(fail)?;
        let content = hash_tree(&into, &|_| false)?;
        stats.resolved += 1;
        links.push((spec.name.clone(), objects.join(&content)));
        fetched.push((key, into, IndexEntry { content, resolved }));
    }
    // Everything resolved: move the new modules into the store and remember them.
    create(&objects)?;
    for (key, folder, entry) in fetched {
        let destination = objects.join(&entry.content);
        if !destination.is_dir() {
            std::fs::rename(&folder, &destination).map_err(CatalogError::io("store", &destination))?;
        }
        index.entries.insert(key, entry);
    }
    if stats.resolved > 0 {
        write_atomically(&index_path, &serde_json::to_string_pretty(&index).expect("the index serializes"))?;
    }
    let id = hash_text(&links.iter().map(|(name, target)| format!("{name} {}\n", target.display())).collect::<String>());
    let paths = create(&store.join("paths"))?;
    let folder = paths.join(&id[..16]);
    if !folder.is_dir() {
        let building = tempfile::Builder::new().prefix("building-").tempdir_in(&paths).map_err(CatalogError::io("create a folder in", &paths))?;
        for (name, target) in &links {
            symlink(target, &building.path().join(name))?;
        }
        let built = building.keep();
        if std::fs::rename(&built, &folder).is_err() {
            // Another run made the same folder first: theirs is the same.
            let _ = std::fs::remove_dir_all(&built);
        }
    }
    Ok((folder, stats))
}

fn describe(source: &FixtureSource) -> &'static str {
    match source {
        FixtureSource::Symlink(_) => "symlink",
        FixtureSource::Git { .. } => "repository",
        FixtureSource::Forge { .. } => "forge module",
    }
}

fn create(folder: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(folder).map_err(CatalogError::io("create", folder))?;
    Ok(folder.to_path_buf())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> Result<()> {
    std::os::unix::fs::symlink(target, link).map_err(CatalogError::io("link", link))
}

#[cfg(not(unix))]
fn symlink(_target: &Path, link: &Path) -> Result<()> {
    Err(CatalogError::Io { action: "link", path: link.to_path_buf(), source: std::io::ErrorKind::Unsupported.into() })
}

/// Runs git; its last line of error output on failure.
fn git(arguments: &[&str], folder: Option<&Path>) -> std::result::Result<String, String> {
    let mut command = Command::new("git");
    if let Some(folder) = folder {
        command.arg("-C").arg(folder);
    }
    let output = command
        .args(arguments)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("git failed").trim();
        return Err(format!("git {} failed: {last}", arguments.first().copied().unwrap_or_default()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Clones `repo` at the branch and/or ref into `into` (without `.git`); the commit.
fn fetch_git(repo: &str, reference: Option<&str>, branch: Option<&str>, subdir: Option<&str>, base: &Path, into: &Path) -> std::result::Result<String, String> {
    let looks_local = !repo.contains("://") && !repo.contains('@');
    let repo = if looks_local { base.join(repo).display().to_string() } else { repo.to_string() };
    let checkout = into.with_extension("git");
    let checkout_text = checkout.display().to_string();
    let mut clone = vec!["clone", "--quiet"];
    if let Some(branch) = branch {
        clone.extend(["--branch", branch]);
    }
    clone.extend(["--", repo.as_str(), checkout_text.as_str()]);
    git(&clone, None)?;
    if let Some(reference) = reference {
        git(&["-c", "advice.detachedHead=false", "checkout", "--quiet", reference, "--"], Some(&checkout))
            .map_err(|error| format!("ref {reference}: {error}"))?;
    }
    let commit = git(&["rev-parse", "HEAD"], Some(&checkout))?;
    let _ = std::fs::remove_dir_all(checkout.join(".git"));
    let source = match subdir {
        Some(subdir) => checkout.join(subdir),
        None => checkout.clone(),
    };
    if !source.is_dir() {
        return Err(format!("the repository has no folder {}", subdir.unwrap_or_default()));
    }
    std::fs::rename(&source, into).map_err(|error| format!("cannot move the checkout: {error}"))?;
    let _ = std::fs::remove_dir_all(&checkout);
    Ok(commit)
}

/// Unpacks `author-name-version.tar.gz` (the newest version when none is given) from the
/// Forge cache into `into`; the version.
fn unpack_forge(cache: Option<&Path>, author: &str, name: &str, version: Option<&str>, into: &Path) -> std::result::Result<String, String> {
    let cache = cache.ok_or("comes from the Forge, and no Forge cache folder is configured (catalog.forge_cache or deploy.forge_cache in puppet-ci.yaml); puppet-ci does not download")?;
    let prefix = format!("{author}-{name}-");
    let entries = std::fs::read_dir(cache).map_err(|error| format!("cannot read the Forge cache {}: {error}", cache.display()))?;
    let mut versions: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let rest = file_name.strip_prefix(&prefix)?;
            // A tarball, or the same unpacked as a folder.
            let version = match rest.strip_suffix(".tar.gz") {
                Some(version) => version,
                None if entry.path().is_dir() => rest,
                None => return None,
            };
            Some((version.to_string(), entry.path()))
        })
        .collect();
    versions.sort_by_key(|(version, _)| version.split('.').map(|part| part.parse::<u64>().unwrap_or(0)).collect::<Vec<_>>());
    let chosen = match version {
        Some(wanted) => versions.iter().find(|(found, _)| found == wanted),
        None => versions.last(),
    };
    let Some((version, tarball)) = chosen else {
        let have: Vec<&str> = versions.iter().map(|(version, _)| version.as_str()).collect();
        return Err(format!(
            "version {} is not in the Forge cache {} (it has: {}); put {author}-{name}-VERSION.tar.gz (or the unpacked folder) there",
            version.unwrap_or("any"),
            cache.display(),
            if have.is_empty() { "none".to_string() } else { have.join(", ") }
        ));
    };
    if tarball.is_dir() {
        copy_tree(tarball, into)?;
        return Ok(version.clone());
    }
    let file = std::fs::File::open(tarball).map_err(|error| format!("cannot read {}: {error}", tarball.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    std::fs::create_dir_all(into).map_err(|error| format!("cannot create {}: {error}", into.display()))?;
    let entries = archive.entries().map_err(|error| format!("{} is not a tar.gz: {error}", tarball.display()))?;
    for entry in entries {
        let mut entry = entry.map_err(|error| format!("{} is not a tar.gz: {error}", tarball.display()))?;
        let path = entry.path().map_err(|error| format!("{}: {error}", tarball.display()))?.into_owned();
        // The tarball's one top folder (author-name-version/) is the module's folder.
        let inside: PathBuf = path.components().skip(1).collect();
        if inside.as_os_str().is_empty() {
            continue;
        }
        if inside.components().any(|part| !matches!(part, std::path::Component::Normal(_))) {
            return Err(format!("{}: entry {} leaves the module's folder", tarball.display(), path.display()));
        }
        let destination = into.join(&inside);
        if let Some(parent) = destination.parent() {
            std::fs::create_dir_all(parent).map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
        }
        entry.unpack(&destination).map_err(|error| format!("cannot unpack {}: {error}", path.display()))?;
    }
    Ok(version.clone())
}

/// Copies a folder's files (following symlinks) into `into`.
fn copy_tree(from: &Path, into: &Path) -> std::result::Result<(), String> {
    for entry in walkdir::WalkDir::new(from).follow_links(true) {
        let entry = entry.map_err(|error| format!("cannot read {}: {error}", from.display()))?;
        let relative = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let destination = into.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&destination).map_err(|error| format!("cannot create {}: {error}", destination.display()))?;
        } else {
            std::fs::copy(entry.path(), &destination).map_err(|error| format!("cannot copy {}: {error}", entry.path().display()))?;
        }
    }
    Ok(())
}
