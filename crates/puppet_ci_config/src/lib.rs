//! `puppet-ci.yaml`: how a control repo tells puppet-ci what to check and where to deploy.
//!
//! The file sits at the control repo's root. Every key is optional; a missing file means
//! all defaults. Each stage owns one section, in a module of its own here, so stages can
//! grow their schema without touching each other. The schema is documented in
//! `docs/configuration.md`; keep the two in step.

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub mod catalog;
pub mod deploy;
pub mod dynamic;
pub mod integration;
pub mod lint;
pub mod nightly;
pub mod pipeline;
mod limits;
pub mod locate;
mod validate;

pub use limits::{MAX_DEPTH, MAX_SIZE};
pub use locate::{locate, Step};
pub use validate::is_file_mode;

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
    /// What the catalog stage compiles (roles × fact sets) and checks.
    #[serde(default)]
    pub catalog: catalog::Catalog,
    /// Roles (classes a node gets) with what the container stages need to know of them.
    #[serde(default)]
    pub roles: Vec<dynamic::Role>,
    /// Several nodes on one network, checked from one another.
    #[serde(default)]
    pub integration: Option<integration::Integration>,
    /// Where and how passing code is deployed.
    #[serde(default)]
    pub deploy: Option<deploy::Deploy>,
    /// Which puppet-lint checks run, and what fails the lint stage.
    #[serde(default)]
    pub lint: lint::Lint,
    /// Stages left out of `puppet-ci all`, and stages allowed to find nothing.
    #[serde(default)]
    pub pipeline: pipeline::Pipeline,
    /// How `puppet-ci nightly` keeps its history and when drift alerts.
    #[serde(default)]
    pub nightly: nightly::Nightly,
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

    /// Reads `ROOT/puppet-ci.yaml`; a missing file gives the defaults. The file is checked
    /// whole, types and meaning, so that what loads is a configuration every stage can run.
    pub fn load(root: &Path) -> Result<Self, ConfigError> {
        let path = root.join(FILE_NAME);
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Self::defaults(root)),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        // Read one byte past the limit, so that a huge file (or a device) is not read whole.
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, limits::MAX_SIZE as u64 + 1), &mut bytes)
            .map_err(|source| ConfigError::Read { path: path.clone(), source })?;
        if bytes.len() > limits::MAX_SIZE {
            return Err(ConfigError::TooLarge { path, limit: limits::MAX_SIZE });
        }
        let text = String::from_utf8(bytes).map_err(|err| ConfigError::Parse {
            line: None,
            column: None,
            message: format!("not UTF-8 text (byte {} is not part of a UTF-8 character)", err.utf8_error().valid_up_to()),
            path: path.clone(),
        })?;
        Self::parse(&text, &path, root)
    }

    /// Parses and checks the text of a `puppet-ci.yaml` found at `path` for the control repo
    /// at `root`.
    pub fn parse(text: &str, path: &Path, root: &Path) -> Result<Self, ConfigError> {
        if text.len() > limits::MAX_SIZE {
            return Err(ConfigError::TooLarge { path: path.to_path_buf(), limit: limits::MAX_SIZE });
        }
        // An empty file (or one with only comments) is a valid, all-defaults config.
        if text.trim().lines().all(|line| line.trim().is_empty() || line.trim_start().starts_with('#')) {
            return Ok(Self::defaults(root));
        }
        if let Some((line, column)) = limits::too_deep(text) {
            return Err(ConfigError::Parse {
                path: path.to_path_buf(),
                line: Some(line),
                column: Some(column),
                message: format!("nested deeper than {} levels; puppet-ci.yaml needs a handful", limits::MAX_DEPTH),
            });
        }
        let mut config: Config = serde_yaml::from_str(text).map_err(|source| parse_error(path, &source))?;
        config.root = root.to_path_buf();
        let problems: Vec<Invalid> = validate::problems(&config)
            .into_iter()
            .map(|problem| {
                let position = locate::locate(text, &problem.path);
                Invalid { line: position.map(|(line, _)| line), column: position.map(|(_, column)| column), message: problem.message }
            })
            .collect();
        if !problems.is_empty() {
            return Err(ConfigError::Invalid { path: path.to_path_buf(), problems });
        }
        Ok(config)
    }

    /// Finds a role by its class name (`role::web`).
    pub fn role(&self, name: &str) -> Option<&dynamic::Role> {
        self.roles.iter().find(|role| role.name == name)
    }
}

/// A YAML or type error: its position once, in front, and serde_yaml's message without
/// the " at line L column C" it adds for the same position.
fn parse_error(path: &Path, source: &serde_yaml::Error) -> ConfigError {
    let location = source.location();
    let mut message = source.to_string();
    if let Some(location) = &location {
        let repeated = format!(" at line {} column {}", location.line(), location.column());
        if let Some(start) = message.find(&repeated) {
            message.replace_range(start..start + repeated.len(), "");
        }
    }
    ConfigError::Parse {
        path: path.to_path_buf(),
        line: location.as_ref().map(|location| location.line()),
        column: location.as_ref().map(|location| location.column()),
        message,
    }
}

/// One thing a configuration says that cannot be right, where it says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

fn position(line: &Option<usize>, column: &Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        (Some(line), None) => format!(":{line}"),
        _ => String::new(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}{}: {message}", path.display(), position(line, column))]
    Parse { path: PathBuf, line: Option<usize>, column: Option<usize>, message: String },
    #[error("{}", problems.iter().map(|problem| format!("{}{}: {}", path.display(), position(&problem.line, &problem.column), problem.message)).collect::<Vec<_>>().join("\n"))]
    Invalid { path: PathBuf, problems: Vec<Invalid> },
    #[error("{}: larger than {} bytes; puppet-ci.yaml needs a few kilobytes", path.display(), limit)]
    TooLarge { path: PathBuf, limit: usize },
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

    /// The error text of a configuration that must be refused.
    fn refused(text: &str) -> String {
        parse(text).map(|_| ()).expect_err("the configuration must be refused").to_string()
    }

    #[test]
    fn the_position_is_given_once() {
        let err = refused("modulepath: [site]\nroles:\n  - name: role::web\n    chekcs: []\n");
        assert!(err.starts_with("/repo/puppet-ci.yaml:4:5: roles[0]: unknown field `chekcs`"), "{err}");
        assert!(!err.contains("at line"), "{err}");
        let err = refused("roles: [\n  {name: a}\n  {name: b}\n");
        assert!(err.starts_with("/repo/puppet-ci.yaml:3:3: "), "{err}");
        assert!(!err.contains("at line 3 column 3"), "{err}");
    }

    const TWO_ROLES: &str = "roles:\n  - name: role::web\n  - name: role::db\n";

    #[test]
    fn a_role_defined_twice_is_refused_at_the_second() {
        let err = refused("roles:\n  - name: role::web\n  - name: role::db\n  - {name: role::web, packages: [curl]}\n");
        assert_eq!(err, "/repo/puppet-ci.yaml:4:12: role role::web is defined twice (roles item 1 and item 3); role names must be unique");
    }

    #[test]
    fn integration_nodes_name_known_roles_and_nodes_without_cycles() {
        let err = refused(&format!("{TWO_ROLES}integration:\n  nodes:\n    - {{name: db, role: role::mail}}\n"));
        assert_eq!(err, "/repo/puppet-ci.yaml:6:24: node db has role role::mail, which is not under `roles:` (roles: role::web, role::db)");
        let err = refused(&format!(
            "{TWO_ROLES}integration:\n  nodes:\n    - {{name: web, role: role::web, after: [db]}}\n    - {{name: db, role: role::db, after: [web]}}\n    - {{name: web2, role: role::web, after: [web]}}\n"
        ));
        assert_eq!(err, "/repo/puppet-ci.yaml:6:43: the `after:` of nodes db, web form a cycle: none of them can be applied first");
        let err = refused(&format!("{TWO_ROLES}integration:\n  nodes:\n    - {{name: web, role: role::web, after: [dbb]}}\n  checks:\n    - tcp: {{from: wbe, host: web, port: 80}}\n"));
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines,
            [
                "/repo/puppet-ci.yaml:6:44: node web comes after dbb, which is not a node",
                "/repo/puppet-ci.yaml:8:19: tcp check runs from wbe, which is not a node",
            ]
        );
        let err = refused(&format!("{TWO_ROLES}integration:\n  nodes: []\n"));
        assert_eq!(err, "/repo/puppet-ci.yaml:5:10: integration has no nodes: list at least one, or remove the integration section");
    }

    #[test]
    fn checks_with_bad_regexes_or_modes_are_refused() {
        let err = refused(
            "roles:\n  - name: role::web\n    checks:\n      - process: {command: 'httpd ('}\n      - file: {path: /etc/motd, mode: rwx}\n      - command: {run: 'true', output: '[a-'}\n      - supervisor: {program: x, state: runing}\n",
        );
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 4, "{err}");
        assert!(lines[0].starts_with("/repo/puppet-ci.yaml:4:28: process check: \"httpd (\" is not a valid regex: unclosed group"), "{err}");
        assert_eq!(lines[1], "/repo/puppet-ci.yaml:5:39: file check: mode \"rwx\" is not an octal file mode (like \"0644\")");
        assert!(lines[2].starts_with("/repo/puppet-ci.yaml:6:40: command check: \"[a-\" is not a valid regex: unclosed character class"), "{err}");
        assert!(lines[3].starts_with("/repo/puppet-ci.yaml:7:41: supervisor check: state \"runing\" is not a supervisor state"), "{err}");
    }

    #[test]
    fn names_that_would_reach_a_command_line_are_checked() {
        let err = refused("roles:\n  - name: \"role::web; notify {'x':}\"\n    packages: [apache2, 'curl,wget']\n");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines[0], "/repo/puppet-ci.yaml:2:11: role name \"role::web; notify {'x':}\" is not a Puppet class name (like role::web)");
        assert_eq!(lines[1], "/repo/puppet-ci.yaml:3:25: \"curl,wget\" is not a Debian package name");
    }

    #[test]
    fn deploy_meaning_is_checked() {
        let err = refused("deploy:\n  keep_releases: 1\n  environments: {main: Production}\n  masters:\n    - {name: all, code_dir: etc/code}\n");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 4, "{err}");
        assert!(lines[0].starts_with("/repo/puppet-ci.yaml:3:24: environment \"Production\""), "{err}");
        assert!(lines[1].starts_with("/repo/puppet-ci.yaml:2:18: keep_releases 1 leaves no release"), "{err}");
        assert!(lines[2].starts_with("/repo/puppet-ci.yaml:5:14: a master cannot be named `all`"), "{err}");
        assert!(lines[3].starts_with("/repo/puppet-ci.yaml:5:29: code_dir \"etc/code\" must be an absolute path"), "{err}");
    }

    #[test]
    fn the_example_control_repo_loads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/control-repo");
        let config = Config::load(&root).unwrap();
        assert_eq!(config.roles.len(), 2);
        assert_eq!(config.integration.unwrap().waves().unwrap(), vec![vec!["db".to_string()], vec!["web".to_string()]]);
    }

    #[test]
    fn catalog_meaning_is_checked() {
        let err = refused(
            "catalog:\n  roles: [role::web]\n  fact_sets: [debian-12-x86_64, debian-12-x86_64]\n  puppet_workers: 0\n  nodes:\n    - {name: Web01, role: role::db, fact_sets: [redhat-9-x86_64]}\n  same_host: [[role::web]]\n",
        );
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines,
            [
                "/repo/puppet-ci.yaml:3:33: fact set debian-12-x86_64 is listed twice",
                "/repo/puppet-ci.yaml:4:19: puppet_workers 0 leaves no Puppet engine: use at least 1",
                "/repo/puppet-ci.yaml:6:14: node name \"Web01\" is not a certname (lowercase letters, digits, '.', '-', '_')",
                "/repo/puppet-ci.yaml:6:27: node Web01 has role role::db, which is not in catalog.roles (role::web)",
                "/repo/puppet-ci.yaml:6:49: node Web01 names fact set redhat-9-x86_64, which is not in catalog.fact_sets (debian-12-x86_64, debian-12-x86_64)",
                "/repo/puppet-ci.yaml:7:15: a same_host group lists the roles of one host: name at least two",
            ]
        );
        let err = refused("catalog:\n  engine: ruby\n");
        assert!(err.starts_with("/repo/puppet-ci.yaml:2:11: catalog.engine: unknown variant `ruby`"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_by_a_limit_with_its_position() {
        let err = refused(&format!("roles: {}", "[".repeat(100_000)));
        assert_eq!(err, format!("/repo/puppet-ci.yaml:1:{}: nested deeper than 64 levels; puppet-ci.yaml needs a handful", 8 + 63));
        let err = refused(&"- ".repeat(50_000));
        assert!(err.starts_with("/repo/puppet-ci.yaml:1:"), "{err}");
        assert!(err.ends_with("nested deeper than 64 levels; puppet-ci.yaml needs a handful"), "{err}");
    }

    #[test]
    fn a_file_larger_than_the_limit_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = "# padding\n".repeat(MAX_SIZE / 10);
        text.push_str("roles: []\n");
        std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
        let err = Config::load(dir.path()).unwrap_err().to_string();
        assert_eq!(err, format!("{}: larger than {MAX_SIZE} bytes; puppet-ci.yaml needs a few kilobytes", dir.path().join(FILE_NAME).display()));
    }

    #[test]
    fn missing_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(dir.path()).unwrap();
        assert!(config.roles.is_empty());
        assert!(config.deploy.is_none());
    }
}
