//! The settings of a lint run: which checks run, and the options some checks read. Built
//! from puppet-lint's defaults, then `.puppet-lint.rc` files, `puppet-ci.yaml` and the
//! command line (see [`crate::rcfile`]).

use std::path::PathBuf;
use std::sync::OnceLock;

use regex::Regex;

use crate::rules::RULES;

#[derive(Debug, Clone)]
pub struct Settings {
    /// One flag per rule of [`RULES`], in its order.
    pub enabled: Vec<bool>,
    /// `--relative`: `autoloader_layout` compares the path from the module root.
    pub relative: bool,
    /// `--fix`.
    pub fix: bool,
    /// `--ignore-paths`: `File.fnmatch` patterns of paths not to lint.
    pub ignore_paths: Vec<String>,
    /// The control repo the paths are in (the lint stage): `ignore_paths` patterns match
    /// paths relative to it.
    pub root: Option<PathBuf>,
    /// Lint `.yaml` and `.yml` files found in folders (`legacy_facts` in Hiera data), as
    /// puppet-lint 4 does.
    pub yaml: bool,
    /// `--top-scope-variables`: top-scope variables `top_scope_facts` accepts.
    pub top_scope_variables: Vec<String>,
    /// `top_scope_facts`'s allowlist with the variables above, built once per run.
    allowlist: OnceLock<Regex>,
}

impl Default for Settings {
    /// puppet-lint's defaults: every check on except the four it disables.
    fn default() -> Self {
        Settings {
            enabled: RULES.iter().map(|rule| rule.meta().default_enabled).collect(),
            relative: false,
            fix: false,
            ignore_paths: vec!["vendor/**/*.pp".to_string()],
            root: None,
            yaml: true,
            top_scope_variables: Vec::new(),
            allowlist: OnceLock::new(),
        }
    }
}

impl Settings {
    /// The top-scope names `top_scope_facts` accepts.
    pub fn allowlist(&self) -> &Regex {
        self.allowlist.get_or_init(|| crate::rules::allowlist_regex(&self.top_scope_variables))
    }

    /// The index of a check by its puppet-lint name.
    pub fn rule_index(name: &str) -> Option<usize> {
        RULES.iter().position(|rule| rule.meta().name == name)
    }

    pub fn is_enabled(&self, name: &str) -> bool {
        Self::rule_index(name).is_some_and(|index| self.enabled[index])
    }

    /// `--only-checks a,b`: exactly these checks (unknown names are ignored, as puppet-lint
    /// ignores them).
    pub fn only_checks(&mut self, names: &[&str]) {
        for (index, rule) in RULES.iter().enumerate() {
            self.enabled[index] = names.contains(&rule.meta().name);
        }
    }

    /// `--no-<check>-check` and `--<check>-check`.
    pub fn set_enabled(&mut self, name: &str, enabled: bool) -> bool {
        match Self::rule_index(name) {
            Some(index) => {
                self.enabled[index] = enabled;
                true
            }
            None => false,
        }
    }
}
