//! `puppet-ci.yaml`: how a control repo tells puppet-ci what to check and where to deploy.
//!
//! The file sits at the control repo's root. Every key is optional; a missing file means
//! all defaults. Each stage owns one section, in a module of its own here, so stages can
//! grow their schema without touching each other. The schema is documented in
//! `docs/configuration.md`; keep the two in step.

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub mod deploy;
pub mod dynamic;
pub mod integration;

/// The file name puppet-ci looks for at the root of a control repo.
pub const FILE_NAME: &str = "puppet-ci.yaml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The control repo's root folder (where `puppet-ci.yaml` is); set by [`Config::load`].
    #[serde(skip)]
    pub root: PathBuf,
    /// Module folders, relative to the root, searched in order (like `environment.conf`).
    #[serde(default = "default_modulepath")]
    pub modulepath: Vec<PathBuf>,
    /// The site manifest (a file or a folder of `.pp` files), relative to the root.
    #[serde(default = "default_manifest")]
    pub manifest: PathBuf,
    /// The environment-level Hiera config, relative to the root.
    #[serde(default = "default_hiera_config")]
    pub hiera_config: PathBuf,
    /// Roles (classes a node gets) with what the container stages need to know of them.
    #[serde(default)]
    pub roles: Vec<dynamic::Role>,
    /// Several nodes on one network, checked from one another.
    #[serde(default)]
    pub integration: Option<integration::Integration>,
    /// Where and how passing code is deployed.
    #[serde(default)]
    pub deploy: Option<deploy::Deploy>,
}

fn default_modulepath() -> Vec<PathBuf> {
    vec![PathBuf::from("site"), PathBuf::from("modules")]
}

fn default_manifest() -> PathBuf {
    PathBuf::from("manifests")
}

fn default_hiera_config() -> PathBuf {
    PathBuf::from("hiera.yaml")
}

impl Config {
    /// The configuration of a control repo with no `puppet-ci.yaml`.
    pub fn defaults(root: &Path) -> Self {
        let mut config: Config = serde_yaml::from_str("{}").expect("the empty mapping is a valid config");
        config.root = root.to_path_buf();
        config
    }

    /// Reads `ROOT/puppet-ci.yaml`; a missing file gives the defaults.
    pub fn load(root: &Path) -> Result<Self, ConfigError> {
        let path = root.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Self::defaults(root)),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        Self::parse(&text, &path, root)
    }

    /// Parses the text of a `puppet-ci.yaml` found at `path` for the control repo at `root`.
    pub fn parse(text: &str, path: &Path, root: &Path) -> Result<Self, ConfigError> {
        // An empty file (or one with only comments) is a valid, all-defaults config.
        let mut config: Config = if text.trim().lines().all(|line| line.trim().is_empty() || line.trim_start().starts_with('#')) {
            Self::defaults(root)
        } else {
            serde_yaml::from_str(text).map_err(|source| ConfigError::Parse {
                path: path.to_path_buf(),
                line: source.location().map(|location| location.line()),
                column: source.location().map(|location| location.column()),
                message: source.to_string(),
            })?
        };
        config.root = root.to_path_buf();
        Ok(config)
    }

    /// Finds a role by its class name (`role::web`).
    pub fn role(&self, name: &str) -> Option<&dynamic::Role> {
        self.roles.iter().find(|role| role.name == name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}{}: {message}", path.display(), match (line, column) { (Some(l), Some(c)) => format!(":{l}:{c}"), _ => String::new() })]
    Parse { path: PathBuf, line: Option<usize>, column: Option<usize>, message: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/repo/puppet-ci.yaml"), Path::new("/repo"))
    }

    #[test]
    fn empty_file_gives_defaults() {
        let config = parse("# nothing yet\n").unwrap();
        assert_eq!(config.modulepath, vec![PathBuf::from("site"), PathBuf::from("modules")]);
        assert_eq!(config.manifest, PathBuf::from("manifests"));
        assert_eq!(config.root, PathBuf::from("/repo"));
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let err = parse("modulepath: [site]\nmodule_path: [x]\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("/repo/puppet-ci.yaml:2:1: "), "{text}");
        assert!(text.contains("module_path"), "{text}");
    }

    #[test]
    fn missing_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(dir.path()).unwrap();
        assert!(config.roles.is_empty());
        assert!(config.deploy.is_none());
    }
}
