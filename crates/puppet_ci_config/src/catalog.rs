//! The `catalog:` section: which roles and fact sets the catalog stage compiles, the
//! nodes that need facts of their own, the engine, the graph checks and the roles that
//! share a host.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// How many Puppet engine workers (Ruby processes) the stage runs at most.
pub const DEFAULT_PUPPET_WORKERS: usize = 2;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The role classes compiled; empty: every `role::*` class found in the modulepath.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Fact sets: bundled names (`debian-12-x86_64`) or Facter JSON files relative to the
    /// root. Empty: one per OS release the modules' `metadata.json` support.
    #[serde(default)]
    pub fact_sets: Vec<String>,
    /// A release that a module's `metadata.json` supports and no fact set covers is an
    /// error (true), or only a note in the report (false).
    #[serde(default = "yes")]
    pub strict_os: bool,
    /// Custom facts added to every fact set (`datacenter: ams`).
    #[serde(default)]
    pub facts: BTreeMap<String, serde_yaml::Value>,
    /// Nodes with a name, facts or trusted facts of their own. A role listed here is
    /// compiled as these nodes instead of one node per fact set.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// Groups of roles meant for one host: what they manage must not collide.
    #[serde(default)]
    pub same_host: Vec<Vec<String>>,
    /// Which engine compiles: `auto` (native, Puppet where native lacks something),
    /// `native` or `puppet`.
    #[serde(default)]
    pub engine: Engine,
    /// The Puppet engine's Ruby worker processes, at most.
    #[serde(default = "default_puppet_workers")]
    pub puppet_workers: usize,
    /// Compile with the control repo's site manifest (`manifest`), the role given as an
    /// ENC would give it; false: the role class alone.
    #[serde(default = "yes")]
    pub site_manifest: bool,
    /// The Puppet version whose semantics the compiles follow (7 or 8).
    #[serde(default = "default_puppet_version")]
    pub puppet_version: u32,
    /// How much each graph check counts.
    #[serde(default)]
    pub checks: Checks,
    /// Forge modules of `.fixtures.yml` and of the Puppetfile come from this folder of
    /// `author-name-version.tar.gz` files, relative to the root. Default: `deploy.forge_cache`.
    #[serde(default)]
    pub forge_cache: Option<PathBuf>,
}

impl Default for Catalog {
    fn default() -> Self {
        serde_yaml::from_str("{}").expect("the empty mapping is a valid catalog section")
    }
}

fn yes() -> bool {
    true
}

fn default_puppet_workers() -> usize {
    DEFAULT_PUPPET_WORKERS
}

fn default_puppet_version() -> u32 {
    7
}

/// The compile engine, as `--engine` spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    #[default]
    Auto,
    Native,
    Puppet,
}

/// One node of a role with what differs from a plain fact set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// The node's certname (`web01.example.com`): `$trusted['certname']`, and its
    /// `networking` facts (`fqdn`, `hostname`, `domain`).
    pub name: String,
    /// The role class the node gets.
    pub role: String,
    /// The fact sets it is compiled with; empty: all of the stage's.
    #[serde(default)]
    pub fact_sets: Vec<String>,
    /// Facts set over the fact set's (custom facts, or `os.release.full` ...): a dotted
    /// name sets a nested fact.
    #[serde(default)]
    pub facts: BTreeMap<String, serde_yaml::Value>,
    /// Certificate extensions (`pp_role: web`), as `$trusted['extensions']`.
    #[serde(default)]
    pub trusted: BTreeMap<String, serde_yaml::Value>,
}

/// How much a finding of each graph check counts: `error` fails the stage, `warning` is
/// reported, `off` is not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Off,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    /// A relationship (`require`, `before`, `notify`, `subscribe`) to a resource that is
    /// not in the catalog.
    #[serde(default = "error")]
    pub missing_target: Level,
    /// Relationships that form a cycle: Puppet refuses to apply the catalog.
    #[serde(default = "error")]
    pub cycle: Level,
    /// An `exec` with no `creates`, `onlyif`, `unless` or `refreshonly`: it runs on every
    /// Puppet run.
    #[serde(default = "warning")]
    pub exec_idempotent: Level,
    /// A file whose content feeds a service of the catalog without notifying it: the
    /// service keeps running the old configuration.
    #[serde(default = "warning")]
    pub unnotified_service: Level,
    /// Two roles of one `same_host` group manage the same path, package or port.
    #[serde(default = "error")]
    pub same_host: Level,
}

impl Default for Checks {
    fn default() -> Self {
        serde_yaml::from_str("{}").expect("the empty mapping is a valid checks section")
    }
}

fn error() -> Level {
    Level::Error
}

fn warning() -> Level {
    Level::Warning
}
