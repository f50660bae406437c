//! `puppet-ci package`: the control repo at a git ref, its Puppetfile resolved into it, as
//! one deterministic, content-addressed `.tar.gz`.
//!
//! The artifact's id is a hash of the release tree (paths, executable bits, contents,
//! symlink targets), so the same code always packages to the same id and the same bytes,
//! whoever builds it and whenever. The tree gets two files of puppet-ci's own under
//! `.puppet-ci/`: `release.json` (what went in) and `version`, a script the release's
//! `environment.conf` names as `config_version`, so every catalog compiled from the
//! release carries its id in `version`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::puppetfile::{self, GitReference, ModuleSource};
use crate::{process, DeployError, Result};

/// Folder of puppet-ci's own files inside a release.
pub const METADATA_DIR: &str = ".puppet-ci";
/// Bumped when the artifact layout changes.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone)]
pub struct PackageOptions {
    /// The control repo: a git work tree or a folder inside one.
    pub root: PathBuf,
    /// The git ref to package (`HEAD`, a branch, a tag, a commit).
    pub reference: String,
    /// Folder of Forge modules: `author-name-version.tar.gz` files as the Forge serves
    /// them, or the same unpacked as `author-name-version/` folders.
    pub forge_cache: Option<PathBuf>,
    /// Where the artifact is written (created when missing).
    pub output_dir: PathBuf,
}

/// What a release is made of; `.puppet-ci/release.json` inside the artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseMetadata {
    pub format: u32,
    /// The content id (16 hex digits of the tree's SHA-256).
    pub id: String,
    /// The control repo commit the release was packaged from.
    pub commit: String,
    /// The ref as asked for (`HEAD`, `production`, ...).
    pub reference: String,
    pub modules: Vec<ResolvedModule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedModule {
    pub name: String,
    /// `forge author-name` or `git URL`.
    pub source: String,
    /// The Forge version, or the git commit the reference resolved to.
    pub version: String,
}

/// A packaged release: the `.tar.gz` and what it contains.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: PathBuf,
    pub metadata: ReleaseMetadata,
}

impl Artifact {
    pub fn id(&self) -> &str {
        &self.metadata.id
    }

    /// Opens an artifact file and reads its metadata (without unpacking the rest).
    pub fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(DeployError::io(path))?;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let wanted = Path::new(METADATA_DIR).join("release.json");
        let entries = archive.entries().map_err(DeployError::io(path))?;
        for entry in entries {
            let mut entry = entry.map_err(|err| DeployError::Artifact(format!("{} is not a puppet-ci artifact: {err}", path.display())))?;
            let entry_path = entry.path().map_err(DeployError::io(path))?.into_owned();
            if entry_path == wanted {
                let mut text = String::new();
                entry.read_to_string(&mut text).map_err(DeployError::io(path))?;
                let metadata: ReleaseMetadata = serde_json::from_str(&text)
                    .map_err(|err| DeployError::Artifact(format!("{}: broken {}: {err}", path.display(), wanted.display())))?;
                if metadata.format != FORMAT {
                    return Err(DeployError::Artifact(format!("{}: artifact format {} (this puppet-ci reads format {FORMAT})", path.display(), metadata.format)));
                }
                return Ok(Self { path: path.to_path_buf(), metadata });
            }
        }
        Err(DeployError::Artifact(format!("{} is not a puppet-ci artifact: it has no {}", path.display(), wanted.display())))
    }

    /// Unpacks the artifact into `dest` (an existing, empty folder) and checks that the
    /// tree hashes to the artifact's id, so a damaged or edited artifact is never deployed.
    pub fn unpack(&self, dest: &Path) -> Result<()> {
        let file = std::fs::File::open(&self.path).map_err(DeployError::io(&self.path))?;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        archive.set_preserve_permissions(true);
        archive
            .unpack(dest)
            .map_err(|err| DeployError::Artifact(format!("cannot unpack {} into {}: {}", self.path.display(), dest.display(), crate::error_chain(&err))))?;
        let id = content_id(dest)?;
        if id != self.metadata.id {
            return Err(DeployError::Artifact(format!(
                "{}: the unpacked tree hashes to {id}, not to the id {} it was packaged as; the artifact is damaged",
                self.path.display(),
                self.metadata.id
            )));
        }
        Ok(())
    }
}

/// Packages the control repo at `options.reference`; returns the artifact written to
/// `options.output_dir/ID.tar.gz`.
pub fn package(options: &PackageOptions) -> Result<Artifact> {
    let root = &options.root;
    let ControlRepo { commit, prefix, toplevel } = resolve_control_repo(root, &options.reference)?;
    std::fs::create_dir_all(&options.output_dir).map_err(DeployError::io(&options.output_dir))?;
    let staging = tempfile::Builder::new()
        .prefix(".puppet-ci-package-")
        .tempdir_in(&options.output_dir)
        .map_err(DeployError::io(&options.output_dir))?;
    let tree = staging.path().join("tree");
    std::fs::create_dir(&tree).map_err(DeployError::io(&tree))?;

    // From the top of the work tree: run inside a subfolder, `git archive` reads the tree it
    // is given as if it were the whole repository and keeps only that subfolder of it.
    let treeish = if prefix.is_empty() { commit.clone() } else { format!("{commit}:{prefix}") };
    let archive = process::run(Command::new("git").arg("-C").arg(&toplevel).args(["archive", "--format=tar", &treeish]), None)?;
    tar::Archive::new(archive.as_slice()).unpack(&tree).map_err(|err| DeployError::Git(format!("cannot unpack `git archive {treeish}`: {err}")))?;
    if tree.join(METADATA_DIR).exists() {
        return Err(DeployError::Artifact(format!("the control repo has a {METADATA_DIR}/ folder at {commit}; puppet-ci writes its release files there, rename it")));
    }

    let modules = resolve_puppetfile(&tree, root, options.forge_cache.as_deref(), staging.path())?;
    if let Some(missing) = missing_code(&tree) {
        return Err(DeployError::NoCode { release: format!("the release of commit {}", &commit[..commit.len().min(12)]), missing });
    }
    write_config_version(&tree)?;
    let id = content_id(&tree)?;
    let metadata = ReleaseMetadata { format: FORMAT, id: id.clone(), commit, reference: options.reference.clone(), modules };
    let metadata_dir = tree.join(METADATA_DIR);
    std::fs::create_dir(&metadata_dir).map_err(DeployError::io(&metadata_dir))?;
    let json = serde_json::to_string_pretty(&metadata).expect("metadata serializes") + "\n";
    std::fs::write(metadata_dir.join("release.json"), json).map_err(DeployError::io(&metadata_dir))?;
    let version_script = metadata_dir.join("version");
    std::fs::write(&version_script, format!("#!/bin/sh\necho {id}\n")).map_err(DeployError::io(&version_script))?;
    set_executable(&version_script)?;

    let path = options.output_dir.join(format!("{id}.tar.gz"));
    let temporary = staging.path().join("artifact.tar.gz");
    write_tarball(&tree, &temporary)?;
    std::fs::rename(&temporary, &path).map_err(DeployError::io(&path))?;
    Ok(Artifact { path, metadata })
}

/// Where the control repo is in git, at the ref asked for.
struct ControlRepo {
    /// The commit the ref names.
    commit: String,
    /// The control repo's folder inside the work tree (`fixtures/control-repo`), or "".
    prefix: String,
    /// The top folder of the work tree.
    toplevel: PathBuf,
}

fn resolve_control_repo(root: &Path, reference: &str) -> Result<ControlRepo> {
    if !root.is_dir() {
        return Err(DeployError::Usage(format!("the control repo {} is not a folder", root.display())));
    }
    let not_git = |_| DeployError::Git(format!("{} is not in a git repository: puppet-ci packages a committed ref, so commit the control repo first", root.display()));
    let prefix = process::run_text(Command::new("git").arg("-C").arg(root).args(["rev-parse", "--show-prefix"])).map_err(not_git)?;
    let toplevel = process::run_text(Command::new("git").arg("-C").arg(root).args(["rev-parse", "--show-toplevel"])).map_err(not_git)?;
    let commit = process::run_text(Command::new("git").arg("-C").arg(root).args(["rev-parse", "--verify", "--quiet", &format!("{reference}^{{commit}}")]))
        .map_err(|_| DeployError::Git(format!("{}: git ref '{reference}' does not name a commit", root.display())))?;
    let prefix = prefix.trim_end_matches('/').to_string();
    if !prefix.is_empty() {
        // The folder may not exist at an older ref: say so instead of git's "not a tree object".
        let kind = process::run_text(Command::new("git").arg("-C").arg(&toplevel).args(["cat-file", "-t", &format!("{commit}:{prefix}")])).unwrap_or_default();
        if kind != "tree" {
            return Err(DeployError::Git(format!("{}: the control repo folder {prefix} is not in the repository at '{reference}'", root.display())));
        }
    }
    Ok(ControlRepo { commit, prefix, toplevel: PathBuf::from(toplevel) })
}

/// The `manifest` setting of an environment's `environment.conf`, when it sets one.
fn manifest_setting(tree: &Path) -> Option<String> {
    let text = std::fs::read_to_string(tree.join("environment.conf")).ok()?;
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .filter_map(|line| line.split_once('='))
        .find(|(key, _)| key.trim() == "manifest")
        .map(|(_, value)| value.trim().trim_matches(['"', '\'']).to_string())
}

fn has_puppet_code(path: &Path) -> bool {
    walkdir::WalkDir::new(path)
        .follow_links(true)
        .into_iter()
        .filter_map(|entry| entry.ok())
        .any(|entry| entry.file_type().is_file() && entry.path().extension().is_some_and(|extension| extension == "pp"))
}

/// What an environment tree lacks to serve code, or `None` when it has a manifest: the
/// `manifest` of its `environment.conf` (Puppet's default: the `manifests/` folder) is a
/// file, or a folder holding at least one `.pp` file. A manifest outside the environment
/// (an absolute path, or one with `$` variables) is the master's business, not checked.
pub fn missing_code(tree: &Path) -> Option<String> {
    let (manifest, source) = match manifest_setting(tree) {
        Some(manifest) => (manifest, "the `manifest` of environment.conf"),
        None => ("manifests".to_string(), "Puppet's default manifest folder"),
    };
    if manifest.contains('$') || Path::new(&manifest).is_absolute() {
        return None;
    }
    let path = tree.join(&manifest);
    if path.is_file() || (path.is_dir() && has_puppet_code(&path)) {
        return None;
    }
    let what = if path.is_dir() { "holds no .pp file" } else { "is not there" };
    Some(format!("no manifest: {manifest} ({source}) {what}"))
}

fn resolve_puppetfile(tree: &Path, root: &Path, forge_cache: Option<&Path>, scratch: &Path) -> Result<Vec<ResolvedModule>> {
    let puppetfile_path = tree.join("Puppetfile");
    if !puppetfile_path.is_file() {
        return Ok(Vec::new());
    }
    // Errors should name the Puppetfile of the user's repo, not our staging copy.
    let puppetfile = puppetfile::load(&puppetfile_path).map_err(|err| match err {
        DeployError::Puppetfile { line, message, .. } => DeployError::Puppetfile { path: root.join("Puppetfile"), line, message },
        other => other,
    })?;
    let moduledir = tree.join(&puppetfile.moduledir);
    if !moduledir.starts_with(tree) || puppetfile.moduledir.components().any(|part| matches!(part, std::path::Component::ParentDir)) {
        return Err(DeployError::Usage(format!("{}: moduledir {} leaves the control repo", root.join("Puppetfile").display(), puppetfile.moduledir.display())));
    }
    std::fs::create_dir_all(&moduledir).map_err(DeployError::io(&moduledir))?;
    let mut resolved = Vec::new();
    for module in &puppetfile.modules {
        let dest = moduledir.join(&module.name);
        if dest.exists() {
            return Err(DeployError::Module {
                module: module.name.clone(),
                message: format!("{}/{} is committed in the control repo and also in the Puppetfile (line {}); keep one", puppetfile.moduledir.display(), module.name, module.line),
            });
        }
        let entry = match &module.source {
            ModuleSource::Forge { author, name, version } => {
                let Some(cache) = forge_cache else {
                    return Err(DeployError::Module {
                        module: format!("{author}-{name}"),
                        message: "comes from the Forge, and no forge cache folder is configured (deploy.forge_cache in puppet-ci.yaml, or --forge-cache); puppet-ci does not download".into(),
                    });
                };
                let version = install_forge_module(cache, author, name, version.as_deref(), &dest)?;
                ResolvedModule { name: module.name.clone(), source: format!("forge {author}-{name}"), version }
            }
            ModuleSource::Git { url, reference } => {
                let commit = install_git_module(url, reference, root, &module.name, &dest, scratch)?;
                ResolvedModule { name: module.name.clone(), source: format!("git {url}"), version: commit }
            }
        };
        if std::fs::read_dir(&dest).map_or(true, |mut entries| entries.next().is_none()) {
            return Err(DeployError::Module {
                module: module.name.clone(),
                message: format!("{} (Puppetfile line {}) resolved to an empty folder: nothing to install", entry.source, module.line),
            });
        }
        resolved.push(entry);
    }
    Ok(resolved)
}

/// Compares dotted versions numerically (`1.10.0` > `1.9.2`); pre-release text compares
/// as text after the numbers.
fn version_key(version: &str) -> Vec<(u64, String)> {
    version
        .split(['.', '-'])
        .map(|part| {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            (digits.parse().unwrap_or(0), part[digits.len()..].to_string())
        })
        .collect()
}

fn install_forge_module(cache: &Path, author: &str, name: &str, version: Option<&str>, dest: &Path) -> Result<String> {
    let module = format!("{author}-{name}");
    let entries = std::fs::read_dir(cache).map_err(|err| DeployError::Module { module: module.clone(), message: format!("cannot read the forge cache {}: {err}", cache.display()) })?;
    // version → (path, is a tarball)
    let mut available: BTreeMap<String, (PathBuf, bool)> = BTreeMap::new();
    let prefix = format!("{module}-");
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
        if let Some(found) = rest.strip_suffix(".tar.gz") {
            available.insert(found.to_string(), (entry.path(), true));
        } else if entry.path().is_dir() {
            available.entry(rest.to_string()).or_insert((entry.path(), false));
        }
    }
    let chosen = match version {
        Some(version) => available.get_key_value(version),
        None => available.iter().max_by_key(|(version, _)| version_key(version)),
    };
    let Some((version, (path, is_tarball))) = chosen else {
        let have: Vec<_> = available.keys().cloned().collect();
        return Err(DeployError::Module {
            module,
            message: format!(
                "version {} is not in the forge cache {} (it has: {}); put {author}-{name}-VERSION.tar.gz there",
                version.unwrap_or("(any)"),
                cache.display(),
                if have.is_empty() { "none".to_string() } else { have.join(", ") }
            ),
        });
    };
    std::fs::create_dir_all(dest).map_err(DeployError::io(dest))?;
    if *is_tarball {
        // Forge tarballs hold one top folder, `author-name-version/`; the module is its content.
        let file = std::fs::File::open(path).map_err(DeployError::io(path))?;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let broken = |err: std::io::Error| DeployError::Module { module: module.clone(), message: format!("{} is not a readable .tar.gz: {err}", path.display()) };
        for entry in archive.entries().map_err(broken)? {
            let mut entry = entry.map_err(broken)?;
            let entry_path = entry.path().map_err(broken)?.into_owned();
            let inside: PathBuf = entry_path.components().skip(1).collect();
            if inside.as_os_str().is_empty() {
                continue;
            }
            entry.unpack_in_raw(dest, &inside).map_err(broken)?;
        }
    } else {
        copy_tree(path, dest)?;
    }
    Ok(version.clone())
}

trait UnpackInRaw {
    fn unpack_in_raw(&mut self, dest: &Path, inside: &Path) -> std::io::Result<()>;
}

impl<R: Read> UnpackInRaw for tar::Entry<'_, R> {
    /// Unpacks this entry at `dest/inside`, refusing paths that leave `dest`.
    fn unpack_in_raw(&mut self, dest: &Path, inside: &Path) -> std::io::Result<()> {
        if inside.components().any(|part| !matches!(part, std::path::Component::Normal(_))) {
            return Err(std::io::Error::other(format!("entry {} leaves the module folder", inside.display())));
        }
        let target = dest.join(inside);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        self.unpack(&target).map(|_| ())
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(from).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(|err| DeployError::Io { path: from.to_path_buf(), source: err.into() })?;
        let relative = entry.path().strip_prefix(from).expect("walkdir stays under its root");
        let target = to.join(relative);
        let kind = entry.file_type();
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(DeployError::io(&target))?;
        } else if kind.is_symlink() {
            let link = std::fs::read_link(entry.path()).map_err(DeployError::io(entry.path()))?;
            std::os::unix::fs::symlink(link, &target).map_err(DeployError::io(&target))?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(DeployError::io(&target))?;
        }
    }
    Ok(())
}

fn git_in(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir);
    command
}

fn install_git_module(url: &str, reference: &GitReference, root: &Path, name: &str, dest: &Path, scratch: &Path) -> Result<String> {
    // A relative path in the Puppetfile is relative to the control repo.
    let source = if !url.contains("://") && !url.contains('@') && Path::new(url).is_relative() { root.join(url).to_string_lossy().into_owned() } else { url.to_string() };
    let clone = scratch.join(format!("git-{name}"));
    process::run(Command::new("git").args(["clone", "--quiet", "--no-checkout", &source]).arg(&clone), None).map_err(|err| DeployError::Module {
        module: name.to_string(),
        message: format!("cannot clone {url}: {err}"),
    })?;
    let candidates: Vec<String> = match reference {
        GitReference::Tag(tag) => vec![format!("refs/tags/{tag}")],
        GitReference::Branch(branch) => vec![format!("refs/remotes/origin/{branch}")],
        GitReference::Commit(commit) => vec![commit.clone()],
        GitReference::Any(any) => vec![format!("refs/tags/{any}"), format!("refs/remotes/origin/{any}"), any.clone()],
        GitReference::Default => vec!["HEAD".to_string()],
    };
    let commit = candidates
        .iter()
        .find_map(|candidate| process::run_text(git_in(&clone).args(["rev-parse", "--verify", "--quiet", &format!("{candidate}^{{commit}}")])).ok())
        .ok_or_else(|| DeployError::Module { module: name.to_string(), message: format!("{url} has no {}", reference.describe()) })?;
    let archive = process::run(git_in(&clone).args(["archive", "--format=tar", &commit]), None)?;
    std::fs::create_dir_all(dest).map_err(DeployError::io(dest))?;
    tar::Archive::new(archive.as_slice())
        .unpack(dest)
        .map_err(|err| DeployError::Module { module: name.to_string(), message: format!("cannot unpack {url} at {commit}: {err}") })?;
    Ok(commit)
}

/// Makes the release's `environment.conf` name `.puppet-ci/version` as `config_version`,
/// keeping every other line the control repo has.
fn write_config_version(tree: &Path) -> Result<()> {
    let path = tree.join("environment.conf");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(DeployError::Io { path, source }),
    };
    let mut text: String = existing
        .lines()
        .filter(|line| !line.trim_start().starts_with("config_version"))
        .map(|line| format!("{line}\n"))
        .collect();
    text.push_str(&format!("# Written by puppet-ci package: catalogs report the release id as their version.\nconfig_version = {METADATA_DIR}/version\n"));
    std::fs::write(&path, text).map_err(DeployError::io(&path))
}

fn set_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(DeployError::io(path))
}

/// One entry of a release tree, in the canonical order both the id and the tarball use.
enum TreeEntry {
    Dir(String),
    File { path: String, executable: bool, full: PathBuf },
    Symlink { path: String, target: PathBuf },
}

fn tree_entries(tree: &Path, skip_metadata: bool) -> Result<Vec<TreeEntry>> {
    use std::os::unix::fs::PermissionsExt;
    let mut entries = Vec::new();
    let walker = walkdir::WalkDir::new(tree).min_depth(1).follow_links(false).sort_by_file_name();
    for entry in walker.into_iter().filter_entry(|entry| !(skip_metadata && entry.depth() == 1 && entry.file_name() == METADATA_DIR)) {
        let entry = entry.map_err(|err| DeployError::Io { path: tree.to_path_buf(), source: err.into() })?;
        let relative = entry.path().strip_prefix(tree).expect("walkdir stays under its root");
        let path = relative.to_str().ok_or_else(|| DeployError::Artifact(format!("{} is not a UTF-8 path", relative.display())))?.to_string();
        let kind = entry.file_type();
        if kind.is_dir() {
            entries.push(TreeEntry::Dir(path));
        } else if kind.is_symlink() {
            let target = std::fs::read_link(entry.path()).map_err(DeployError::io(entry.path()))?;
            entries.push(TreeEntry::Symlink { path, target });
        } else {
            let mode = entry.metadata().map_err(|err| DeployError::Io { path: entry.path().to_path_buf(), source: err.into() })?.permissions().mode();
            entries.push(TreeEntry::File { path, executable: mode & 0o111 != 0, full: entry.path().to_path_buf() });
        }
    }
    Ok(entries)
}

/// The content id of a release tree (its `.puppet-ci/` folder left out).
pub fn content_id(tree: &Path) -> Result<String> {
    let mut hasher = Sha256::new();
    for entry in tree_entries(tree, true)? {
        match entry {
            TreeEntry::Dir(path) => hasher.update(format!("d {path}\0").as_bytes()),
            TreeEntry::Symlink { path, target } => hasher.update(format!("l {path}\0{}\0", target.display()).as_bytes()),
            TreeEntry::File { path, executable, full } => {
                let content = std::fs::read(&full).map_err(DeployError::io(&full))?;
                hasher.update(format!("f {} {} {path}\0", if executable { 755 } else { 644 }, content.len()).as_bytes());
                hasher.update(&content);
            }
        }
    }
    Ok(hex::encode(&hasher.finalize()[..8]))
}

/// Writes `tree` as a gzipped tar whose bytes depend only on the tree: sorted entries,
/// zero times and owners, modes normalised to 755/644.
fn write_tarball(tree: &Path, dest: &Path) -> Result<()> {
    let file = std::fs::File::create(dest).map_err(DeployError::io(dest))?;
    let encoder = flate2::GzBuilder::new().mtime(0).write(file, flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    let io = DeployError::io(dest);
    let entries = tree_entries(tree, false)?;
    let result: std::io::Result<()> = (|| {
        for entry in entries {
            let mut header = tar::Header::new_gnu();
            header.set_mtime(0);
            header.set_uid(0);
            header.set_gid(0);
            match entry {
                TreeEntry::Dir(path) => {
                    header.set_entry_type(tar::EntryType::Directory);
                    header.set_mode(0o755);
                    header.set_size(0);
                    builder.append_data(&mut header, format!("{path}/"), std::io::empty())?;
                }
                TreeEntry::Symlink { path, target } => {
                    header.set_entry_type(tar::EntryType::Symlink);
                    header.set_mode(0o777);
                    header.set_size(0);
                    builder.append_link(&mut header, path, target)?;
                }
                TreeEntry::File { path, executable, full } => {
                    let content = std::fs::read(&full)?;
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_mode(if executable { 0o755 } else { 0o644 });
                    header.set_size(content.len() as u64);
                    builder.append_data(&mut header, path, content.as_slice())?;
                }
            }
        }
        let mut encoder = builder.into_inner()?;
        encoder.flush()?;
        let file = encoder.finish()?;
        file.sync_all()
    })();
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let mut versions = vec!["1.10.0", "1.9.2", "2.0.0", "1.2.0"];
        versions.sort_by_key(|version| version_key(version));
        assert_eq!(versions, ["1.2.0", "1.9.2", "1.10.0", "2.0.0"]);
    }
}
