//! A control repo (or a module) as the catalog stage sees it: absolute paths of the
//! modulepath, manifest and Hiera configuration, the Puppetfile's modules from the module
//! store, the roles, and the modules that carry tests.

use std::path::{Path, PathBuf};

use puppet_catalog::PuppetVersion;
use puppet_ci_config::Config;

use crate::fixtures::{self, ResolveStats, StoreOptions};
use crate::{CatalogError, Result, TESTS_FILE};

/// Paths made absolute and the Puppetfile's modules resolved.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    /// Existing module folders, searched in order (Puppet skips missing ones too).
    pub modulepath: Vec<PathBuf>,
    pub manifest: Option<PathBuf>,
    pub hiera_config: Option<PathBuf>,
    pub puppet_version: PuppetVersion,
    /// Folders whose modules are someone else's (the Puppetfile's `moduledir`, the
    /// store): their metadata and tests are not the control repo's.
    pub third_party: Vec<PathBuf>,
    /// What resolving the Puppetfile or `.fixtures.yml` did.
    pub resolved: ResolveStats,
}

impl Project {
    /// The project of `config`: the control repo at `config.root`, or the module there
    /// (a `metadata.json` at the root), whose modulepath is its `.fixtures.yml`.
    pub fn open(config: &Config, store: &StoreOptions) -> Result<Project> {
        let root = std::path::absolute(&config.root).map_err(CatalogError::io("find", &config.root))?;
        let puppet_version = PuppetVersion::from_major(config.catalog.puppet_version).unwrap_or_default();
        let mut project = Project {
            modulepath: Vec::new(),
            manifest: None,
            hiera_config: None,
            puppet_version,
            third_party: vec![root.join(crate::CACHE_DIR)],
            resolved: ResolveStats::default(),
            config: config.clone(),
            root: root.clone(),
        };
        let fixtures_file = root.join(fixtures::FIXTURES_FILE);
        if root.join("metadata.json").is_file() && fixtures_file.is_file() {
            // A module: its fixtures are its modulepath, as puppetlabs_spec_helper makes it.
            let specs = fixtures::read_fixtures(&fixtures_file, &root)?;
            let (folder, stats) = fixtures::assemble(&specs, &root, store)?;
            project.modulepath.push(folder);
            project.resolved = stats;
            return Ok(project);
        }
        for folder in &config.modulepath {
            let folder = root.join(folder);
            if folder.is_dir() {
                project.modulepath.push(folder);
            }
        }
        let manifest = root.join(&config.manifest);
        if config.catalog.site_manifest && manifest.exists() {
            project.manifest = Some(manifest);
        }
        let hiera = root.join(&config.hiera_config);
        if hiera.is_file() {
            project.hiera_config = Some(hiera);
        }
        let puppetfile = root.join("Puppetfile");
        if puppetfile.is_file() {
            let parsed = puppet_ci_deploy::puppetfile::load(&puppetfile)?;
            let moduledir = root.join(&parsed.moduledir);
            project.third_party.push(moduledir.clone());
            let installed = moduledir.is_dir() && std::fs::read_dir(&moduledir).is_ok_and(|mut entries| entries.next().is_some());
            if !installed && !parsed.modules.is_empty() {
                // Not installed here (it is at deploy time): the store has them.
                let specs = fixtures::from_puppetfile(&parsed, &puppetfile, &root);
                let (folder, stats) = fixtures::assemble(&specs, &root, store)?;
                project.modulepath.push(folder);
                project.resolved = stats;
            }
        }
        Ok(project)
    }

    /// The modules of the modulepath by name, the first of a name winning as in Puppet.
    pub fn modules(&self) -> Vec<(String, PathBuf)> {
        let mut modules: Vec<(String, PathBuf)> = Vec::new();
        for folder in &self.modulepath {
            let Ok(entries) = std::fs::read_dir(folder) else { continue };
            let mut found: Vec<(String, PathBuf)> = entries
                .flatten()
                .filter(|entry| entry.path().is_dir())
                .map(|entry| (entry.file_name().to_string_lossy().into_owned(), entry.path()))
                .filter(|(name, _)| is_module_name(name))
                .collect();
            found.sort();
            for (name, path) in found {
                if !modules.iter().any(|(known, _)| known == &name) {
                    modules.push((name, path));
                }
            }
        }
        modules
    }

    /// Whether `dir` (a module folder, perhaps through a symlink) is the control repo's
    /// own code rather than a third party's.
    pub fn is_own(&self, dir: &Path) -> bool {
        let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let inside = |folder: &PathBuf| folder.canonicalize().is_ok_and(|folder| real.starts_with(folder)) || dir.starts_with(folder);
        real.starts_with(&self.root) && !self.third_party.iter().any(inside)
    }

    /// The role classes: `catalog.roles`, else every `role::*` class of the modulepath
    /// (`role/manifests/web.pp` is `role::web`), sorted.
    pub fn roles(&self) -> Vec<String> {
        if !self.config.catalog.roles.is_empty() {
            return self.config.catalog.roles.clone();
        }
        let Some((_, role_module)) = self.modules().into_iter().find(|(name, _)| name == "role") else { return Vec::new() };
        let manifests = role_module.join("manifests");
        let mut roles: Vec<String> = walkdir::WalkDir::new(&manifests)
            .follow_links(true)
            .into_iter()
            .flatten()
            .filter(|entry| entry.file_type().is_file() && entry.path().extension().is_some_and(|extension| extension == "pp"))
            .filter_map(|entry| {
                let relative = entry.path().strip_prefix(&manifests).ok()?.with_extension("");
                let segments: Vec<String> = relative.components().map(|part| part.as_os_str().to_string_lossy().into_owned()).collect();
                if segments == ["init"] || !segments.iter().all(|segment| is_module_name(segment)) {
                    return None;
                }
                Some(format!("role::{}", segments.join("::")))
            })
            .collect();
        roles.sort();
        roles
    }

    /// The control repo's own modules that have a tests file, with its path. A module at
    /// the root (a module repository) counts too.
    pub fn modules_with_tests(&self) -> Vec<(String, PathBuf)> {
        let mut found: Vec<(String, PathBuf)> = Vec::new();
        for (name, dir) in self.modules() {
            if dir.join(TESTS_FILE).is_file() && self.is_own(&dir) {
                let real = dir.canonicalize().unwrap_or(dir);
                found.push((name, real));
            }
        }
        if self.root.join(TESTS_FILE).is_file() && !found.iter().any(|(_, dir)| dir == &self.root) {
            found.push((module_name_of(&self.root), self.root.clone()));
        }
        found
    }

    /// A path as the user should see it: relative to the root when it is inside it
    /// (through the links of a fixtures modulepath too).
    pub fn display_path(&self, path: &str) -> PathBuf {
        let path = Path::new(path);
        let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        match real.strip_prefix(&self.root).or_else(|_| path.strip_prefix(&self.root)) {
            Ok(relative) => relative.to_path_buf(),
            Err(_) => path.to_path_buf(),
        }
    }
}

/// A module folder's name as Puppet accepts it.
pub(crate) fn is_module_name(name: &str) -> bool {
    name.starts_with(|first: char| first.is_ascii_lowercase())
        && name.chars().all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || character == '_')
}

/// The module's name from its `metadata.json` (`author-name` → `name`), else its folder's.
pub(crate) fn module_name_of(dir: &Path) -> String {
    let from_metadata = std::fs::read_to_string(dir.join("metadata.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|metadata| metadata["name"].as_str().map(str::to_string))
        .and_then(|name| name.rsplit(['-', '/']).next().map(str::to_string));
    from_metadata.unwrap_or_else(|| dir.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default())
}
