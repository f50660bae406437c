//! The `roles:` section: each role class, the packages its base image holds, and the
//! checks the `dynamic` stage runs in a container after applying it.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The Debian suite base images are built from when a role names none.
pub const DEFAULT_SUITE: &str = "bookworm";

/// Seconds a check is retried before it fails, when the role sets no `check_timeout`.
pub const DEFAULT_CHECK_TIMEOUT: u64 = 30;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The role's class name, e.g. `role::web`.
    pub name: String,
    /// Debian packages the role's base image holds besides Puppet and the checks' tools,
    /// so that applying the role needs no network.
    #[serde(default)]
    pub packages: Vec<String>,
    /// The Debian suite of the role's base image.
    #[serde(default = "default_suite")]
    pub suite: String,
    /// More apt sources the base image is built from, besides the host's, as `sources.list`
    /// lines (`deb [trusted=yes] http://apt.example.com/ bookworm main`): a site's own
    /// packages.
    #[serde(default)]
    pub apt_sources: Vec<String>,
    /// Extra facts for `puppet apply` (as `FACTER_<name>` variables).
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
    /// Seconds each check is retried until it passes.
    #[serde(default = "default_check_timeout")]
    pub check_timeout: u64,
    /// What must be true in the container after the role is applied.
    #[serde(default)]
    pub checks: Vec<Check>,
}

fn default_suite() -> String {
    DEFAULT_SUITE.to_string()
}

fn default_check_timeout() -> u64 {
    DEFAULT_CHECK_TIMEOUT
}

/// One check run inside a role's container, written as a one-key mapping:
/// `- http: {url: http://localhost/, body: hello}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "CheckMapping")]
pub enum Check {
    /// An HTTP request answers with a status and a body.
    Http(HttpCheck),
    /// Something listens on a TCP port.
    Port(PortCheck),
    /// A process whose command line matches a regex runs.
    Process(ProcessCheck),
    /// `service NAME status` says it runs.
    Service(ServiceCheck),
    /// `supervisorctl status PROGRAM` shows the state.
    Supervisor(SupervisorCheck),
    /// `apache2ctl -t` passes and the vhost is in `apache2ctl -S`.
    Apache(ApacheCheck),
    /// A command exits with a code and prints something.
    Command(CommandCheck),
    /// A file exists with a mode, owner and content.
    File(FileCheck),
    /// A package is installed, at a version.
    Package(PackageCheck),
}

/// The YAML form of a [`Check`]: a mapping with exactly one of these keys. (serde_yaml
/// wants `!tags` for enums; a mapping reads better and reports unknown kinds by name.)
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckMapping {
    http: Option<HttpCheck>,
    port: Option<PortCheck>,
    process: Option<ProcessCheck>,
    service: Option<ServiceCheck>,
    supervisor: Option<SupervisorCheck>,
    apache: Option<ApacheCheck>,
    command: Option<CommandCheck>,
    file: Option<FileCheck>,
    package: Option<PackageCheck>,
}

impl TryFrom<CheckMapping> for Check {
    type Error = String;

    fn try_from(mapping: CheckMapping) -> Result<Self, String> {
        let CheckMapping { http, port, process, service, supervisor, apache, command, file, package } = mapping;
        let checks: Vec<Check> = [
            http.map(Check::Http),
            port.map(Check::Port),
            process.map(Check::Process),
            service.map(Check::Service),
            supervisor.map(Check::Supervisor),
            apache.map(Check::Apache),
            command.map(Check::Command),
            file.map(Check::File),
            package.map(Check::Package),
        ]
        .into_iter()
        .flatten()
        .collect();
        exactly_one(checks, "http, port, process, service, supervisor, apache, command, file, package")
    }
}

/// The one check a one-key mapping holds, or why it holds none or several.
pub(crate) fn exactly_one<T>(mut checks: Vec<T>, kinds: &str) -> Result<T, String> {
    match checks.len() {
        1 => Ok(checks.remove(0)),
        0 => Err(format!("a check needs one of {kinds}")),
        _ => Err(format!("a check takes only one of {kinds}; write each as its own list item")),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpCheck {
    pub url: String,
    #[serde(default = "default_http_status")]
    pub status: u16,
    /// Text the body must contain.
    #[serde(default)]
    pub body: Option<String>,
    /// A regex the body must match.
    #[serde(default)]
    pub body_regex: Option<String>,
}

fn default_http_status() -> u16 {
    200
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortCheck {
    pub port: u16,
    /// The address it must listen on (`0.0.0.0` for all IPv4 addresses); any when unset.
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessCheck {
    /// A regex matched against each process's full command line.
    pub command: String,
    #[serde(default)]
    pub user: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceCheck {
    pub name: String,
    #[serde(default = "default_true")]
    pub running: bool,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupervisorCheck {
    pub program: String,
    #[serde(default = "default_supervisor_state")]
    pub state: String,
}

fn default_supervisor_state() -> String {
    "RUNNING".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApacheCheck {
    /// A server name that `apache2ctl -S` must list.
    #[serde(default)]
    pub vhost: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandCheck {
    /// Run with `sh -c`.
    pub run: String,
    #[serde(default)]
    pub exit: i64,
    /// A regex the combined output must match.
    #[serde(default)]
    pub output: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCheck {
    pub path: String,
    /// Octal, e.g. `"0644"`.
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    /// A regex the content must match.
    #[serde(default)]
    pub content: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageCheck {
    pub name: String,
    /// The version must start with this.
    #[serde(default)]
    pub version: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<Vec<Check>, String> {
        serde_yaml::from_str(yaml).map_err(|err| err.to_string())
    }

    #[test]
    fn checks_are_one_key_mappings() {
        let checks = parse("- http: {url: 'http://localhost/', body: hi}\n- supervisor: {program: ticker}\n- port: {port: 3306, address: 0.0.0.0}\n").unwrap();
        assert!(matches!(&checks[0], Check::Http(http) if http.status == 200 && http.body.as_deref() == Some("hi")));
        assert!(matches!(&checks[1], Check::Supervisor(s) if s.state == "RUNNING"));
        assert!(matches!(&checks[2], Check::Port(p) if p.port == 3306));
    }

    #[test]
    fn unknown_empty_and_double_checks_are_errors() {
        let err = parse("- htp: {url: x}\n").unwrap_err();
        assert!(err.contains("unknown field `htp`"), "{err}");
        let err = parse("- {}\n").unwrap_err();
        assert!(err.contains("one of http, port"), "{err}");
        let err = parse("- {port: {port: 1}, process: {command: x}}\n").unwrap_err();
        assert!(err.contains("only one"), "{err}");
        let err = parse("- http: {url: x, bodee: y}\n").unwrap_err();
        assert!(err.contains("unknown field `bodee`"), "{err}");
    }
}
