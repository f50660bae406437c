//! The `deploy:` section: where passing code goes, and how.
//!
//! Relative paths (`forge_cache`, `artifact_dir`, `smoke.facts`, `tls.*`,
//! `ssh.identity_file`, `ssh.known_hosts_file`) are relative to the control repo root;
//! `code_dir` is a path on the master.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// Releases kept per environment when `keep_releases` is not set.
pub const DEFAULT_KEEP_RELEASES: usize = 5;
/// The branch `puppet-ci all --deploy` deploys from when `branch` is not set.
pub const DEFAULT_BRANCH: &str = "production";
/// The certname smoke-test catalogs are compiled for when `smoke.certname` is not set.
pub const DEFAULT_SMOKE_CERTNAME: &str = "puppet-ci-smoke";
/// Seconds haproxy gets to drain a master when `haproxy.drain_timeout` is not set.
pub const DEFAULT_DRAIN_TIMEOUT: u64 = 30;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deploy {
    /// The branch `puppet-ci all --deploy` deploys; on any other branch it skips the deploy.
    #[serde(default = "default_branch")]
    pub branch: String,
    /// Branch → environment names that differ from the r10k rule (`feature/x` → `feature_x`),
    /// e.g. `main: production`.
    #[serde(default)]
    pub environments: BTreeMap<String, String>,
    /// Releases kept per environment, the live one included (at least 2).
    #[serde(default = "default_keep_releases")]
    pub keep_releases: usize,
    /// Seconds a deploy waits for another deploy's lock before it fails.
    #[serde(default)]
    pub lock_timeout: u64,
    /// Folder of Forge modules the Puppetfile's Forge entries come from
    /// (`author-name-version.tar.gz`, or unpacked `author-name-version/` folders).
    #[serde(default)]
    pub forge_cache: Option<PathBuf>,
    /// Where `puppet-ci package` writes artifacts (default `.puppet-ci/artifacts`).
    #[serde(default)]
    pub artifact_dir: Option<PathBuf>,
    /// The catalog request that proves a release is live.
    #[serde(default)]
    pub smoke: Smoke,
    /// The client certificate puppet-ci presents to the masters, and their CA.
    #[serde(default)]
    pub tls: Option<Tls>,
    /// The compile masters, deployed in this order.
    #[serde(default)]
    pub masters: Vec<Master>,
    /// The load balancer in front of the masters, for server cycling.
    #[serde(default)]
    pub haproxy: Option<Haproxy>,
}

fn default_branch() -> String {
    DEFAULT_BRANCH.to_string()
}

fn default_keep_releases() -> usize {
    DEFAULT_KEEP_RELEASES
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smoke {
    #[serde(default = "default_smoke_certname")]
    pub certname: String,
    /// A JSON file of facts (an object) sent with the catalog request.
    #[serde(default)]
    pub facts: Option<PathBuf>,
}

impl Default for Smoke {
    fn default() -> Self {
        Self { certname: default_smoke_certname(), facts: None }
    }
}

fn default_smoke_certname() -> String {
    DEFAULT_SMOKE_CERTNAME.to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// The Puppet CA certificate (bundle), e.g. `/etc/puppetlabs/puppet/ssl/certs/ca.pem`.
    pub ca: PathBuf,
    /// A certificate signed by the Puppet CA, allowed in the masters' `auth.conf`.
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Master {
    /// A name for reports and `--to NAME`.
    pub name: String,
    /// The master's code dir (`/etc/puppetlabs/code`): environments and releases live here.
    pub code_dir: PathBuf,
    /// How to reach the master's code dir; without it the code dir is on this machine.
    #[serde(default)]
    pub ssh: Option<Ssh>,
    /// The puppetserver's URL (`https://puppet1.example.com:8140`), for the cache flush and
    /// the smoke test; without it, a deploy only switches the code.
    #[serde(default)]
    pub server: Option<String>,
    /// The master's `BACKEND/SERVER` name in haproxy, for server cycling.
    #[serde(default)]
    pub haproxy_server: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ssh {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub identity_file: Option<PathBuf>,
    #[serde(default)]
    pub known_hosts_file: Option<PathBuf>,
    /// More `ssh -o` options, e.g. `ConnectTimeout=5`.
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Haproxy {
    /// haproxy's admin socket (`stats socket ... level admin`): a Unix socket path, or
    /// `HOST:PORT` for a TCP one (`stats socket ipv4@HOST:PORT level admin`).
    pub socket: PathBuf,
    /// Seconds to wait for a drained master's open connections to finish.
    #[serde(default = "default_drain_timeout")]
    pub drain_timeout: u64,
}

fn default_drain_timeout() -> u64 {
    DEFAULT_DRAIN_TIMEOUT
}

impl Default for Deploy {
    fn default() -> Self {
        serde_yaml::from_str("{}").expect("every deploy key has a default")
    }
}

impl Deploy {
    /// The environment a branch deploys to: the `environments` entry, else r10k's rule.
    pub fn environment_for_branch(&self, branch: &str) -> String {
        if let Some(environment) = self.environments.get(branch) {
            return environment.clone();
        }
        branch
            .chars()
            .map(|character| if character.is_ascii_alphanumeric() || character == '_' { character.to_ascii_lowercase() } else { '_' })
            .collect()
    }

    pub fn master(&self, name: &str) -> Option<&Master> {
        self.masters.iter().find(|master| master.name == name)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::Config;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("/repo/puppet-ci.yaml"), Path::new("/repo")).map_err(|err| err.to_string())
    }

    #[test]
    fn reads_a_full_deploy_section() {
        let config = parse(
            "deploy:\n  branch: main\n  environments: {main: production}\n  keep_releases: 3\n  forge_cache: forge\n  smoke: {certname: smoke.example.com, facts: facts/smoke.json}\n  tls: {ca: ssl/ca.pem, cert: ssl/deployer.pem, key: ssl/deployer.key}\n  masters:\n    - name: puppet1\n      code_dir: /etc/puppetlabs/code\n      server: https://127.0.0.1:8140\n      haproxy_server: puppet/puppet1\n    - name: puppet2\n      code_dir: /etc/puppetlabs/code\n      ssh: {host: puppet2.example.com, port: 2222, user: deploy}\n  haproxy: {socket: /run/haproxy/admin.sock}\n",
        )
        .unwrap();
        let deploy = config.deploy.unwrap();
        assert_eq!(deploy.environment_for_branch("main"), "production");
        assert_eq!(deploy.environment_for_branch("feature/Login-form"), "feature_login_form");
        assert_eq!(deploy.keep_releases, 3);
        assert_eq!(deploy.masters.len(), 2);
        assert_eq!(deploy.master("puppet2").unwrap().ssh.as_ref().unwrap().port, Some(2222));
        assert_eq!(deploy.haproxy.unwrap().drain_timeout, super::DEFAULT_DRAIN_TIMEOUT);
        assert_eq!(deploy.smoke.certname, "smoke.example.com");
    }

    #[test]
    fn defaults_apply() {
        let deploy = parse("deploy: {}\n").unwrap().deploy.unwrap();
        assert_eq!(deploy.branch, "production");
        assert_eq!(deploy.keep_releases, super::DEFAULT_KEEP_RELEASES);
        assert_eq!(deploy.smoke.certname, super::DEFAULT_SMOKE_CERTNAME);
        assert!(deploy.masters.is_empty());
    }

    #[test]
    fn a_typo_names_its_line() {
        let err = parse("deploy:\n  masters:\n    - name: a\n      code_dir: /x\n      sever: https://x\n").unwrap_err();
        assert!(err.starts_with("/repo/puppet-ci.yaml:5:"), "{err}");
        assert!(err.contains("sever"), "{err}");
    }
}
