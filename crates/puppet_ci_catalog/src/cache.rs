//! Compile results kept between runs, under the control repo's `.puppet-ci/cache`, keyed
//! by a hash of the code (every file of the control repo and its modulepath but the
//! module tests' files and snapshots), the request (node, facts, trusted facts, settings)
//! and the engines' versions. A pair whose key is unchanged is not compiled again. Only a
//! catalog (with its graph findings, so that a cached run reads the catalog only when a
//! check needs it) or a compile error of the user's code is kept; a run that could not
//! finish writes nothing.

use std::path::{Path, PathBuf};

use puppet_catalog::{Catalog, CompileError};
use puppet_ci_compile::EngineChoice;
use serde::{Deserialize, Serialize};

use crate::project::Project;
use crate::store::{hash_text, hash_tree, write_atomically};
use crate::{Result, CACHE_DIR};

/// Bumped when what is stored, or what decides a result, changes shape.
const FORMAT: &str = "puppet-ci catalog cache 2";

/// One compile's result as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub engine: String,
    #[serde(default)]
    pub note: Option<String>,
    pub seconds: f64,
    pub outcome: Stored,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Stored {
    /// A catalog (in a file of its own beside the entry) and what the graph checks found.
    Compiled { findings: Vec<crate::graph::Finding> },
    CompileError(CompileError),
}

pub(crate) struct Cache {
    /// None: caching is off (`--no-cache`).
    dir: Option<PathBuf>,
    /// What every key of this run shares: the code and the engines.
    base: String,
}

impl Cache {
    /// The cache of `project` for `choice`; `enabled: false` reads and writes nothing but
    /// still computes nothing expensive.
    pub fn open(project: &Project, choice: EngineChoice, enabled: bool) -> Result<Cache> {
        if !enabled {
            return Ok(Cache { dir: None, base: String::new() });
        }
        let code = code_hash(project)?;
        let base = hash_text(&format!("{FORMAT}\n{code}\n{}\n", engine_fingerprint(choice)));
        Ok(Cache { dir: Some(project.root.join(CACHE_DIR).join("catalogs")), base })
    }

    /// The key of a compile described by `request` (everything the request is made of).
    pub fn key(&self, request: &str) -> String {
        if self.dir.is_none() {
            return String::new();
        }
        hash_text(&format!("{}\n{request}", self.base))
    }

    fn path(&self, key: &str, suffix: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        Some(dir.join(&key[..2]).join(format!("{key}{suffix}")))
    }

    pub fn get(&self, key: &str) -> Option<Entry> {
        let text = std::fs::read_to_string(self.path(key, ".json")?).ok()?;
        // An entry that does not read (an older format, a torn disk) is compiled again.
        serde_json::from_str(&text).ok()
    }

    pub fn get_catalog(&self, key: &str) -> Option<Catalog> {
        let text = std::fs::read_to_string(self.path(key, ".catalog.json")?).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Stores an entry, the catalog first: an entry is only there with its catalog.
    pub fn put(&self, key: &str, entry: &Entry, catalog: Option<&Catalog>) -> Result<()> {
        let (Some(path), Some(catalog_path)) = (self.path(key, ".json"), self.path(key, ".catalog.json")) else { return Ok(()) };
        if let Some(catalog) = catalog {
            write_atomically(&catalog_path, &catalog.to_json())?;
        }
        write_atomically(&path, &serde_json::to_string(entry).expect("an entry serializes"))
    }
}

/// The hash of everything a compile reads: the control repo (without `.git` and the
/// cache) and every modulepath folder outside it (the module store, linked checkouts).
fn code_hash(project: &Project) -> Result<String> {
    let cache = project.root.join(CACHE_DIR);
    // `.puppet-ci` holds the cache and release artifacts: nothing a compile reads.
    let own = project.root.join(".puppet-ci");
    // The tests' files and snapshots are read by the evaluation, not by a compile: writing
    // a snapshot does not compile everything again.
    let skip = |path: &Path| {
        let is_snapshots = || path.file_name().is_some_and(|name| name == "snapshots") && path.parent().is_some_and(|module| module.join(crate::TESTS_FILE).is_file());
        path == own || path.file_name().is_some_and(|name| name == ".git" || name == crate::TESTS_FILE) || is_snapshots()
    };
    let mut parts = vec![format!("root {}", hash_tree(&project.root, &skip)?)];
    for folder in &project.modulepath {
        if !folder.starts_with(&project.root) || folder.starts_with(&cache) {
            parts.push(format!("modulepath {} {}", folder.display(), hash_tree(folder, &skip)?));
        }
    }
    Ok(hash_text(&parts.join("\n")))
}

/// What identifies the engines: this puppet-ci binary (the native engine and the Puppet
/// worker script are in it) and, when Puppet may compile, the installed Puppet's version
/// file, found without starting Ruby.
fn engine_fingerprint(choice: EngineChoice) -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            let metadata = std::fs::metadata(&exe).ok()?;
            let modified = metadata.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
            Some(format!("{} {} {}.{}", exe.display(), metadata.len(), modified.as_secs(), modified.subsec_nanos()))
        })
        .unwrap_or_else(|| "unknown binary".to_string());
    let puppet = match choice {
        EngineChoice::Native => String::new(),
        EngineChoice::Auto | EngineChoice::Puppet => puppet_version_file(),
    };
    format!("{} {binary}\n{puppet}", env!("CARGO_PKG_VERSION"))
}

/// The text of Puppet's `version.rb` where Debian and Puppet's own packages put it.
fn puppet_version_file() -> String {
    const PLACES: [&str; 3] = [
        "/usr/lib/ruby/vendor_ruby/puppet/version.rb",
        "/opt/puppetlabs/puppet/lib/ruby/vendor_ruby/puppet/version.rb",
        "/usr/local/lib/site_ruby/puppet/version.rb",
    ];
    PLACES.iter().find_map(|place| std::fs::read_to_string(place).ok()).map(|text| hash_text(&text)).unwrap_or_else(|| "puppet version unknown".to_string())
}
