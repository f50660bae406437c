//! The `integration:` section: nodes on one network and the checks run between them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Integration {
    /// The nodes, each a container with a role from `roles:`, found by the others by name.
    pub nodes: Vec<Node>,
    /// Seconds each check is retried until it passes.
    #[serde(default = "default_check_timeout")]
    pub check_timeout: u64,
    /// Checks run from one node against another.
    #[serde(default)]
    pub checks: Vec<NodeCheck>,
}

impl Integration {
    /// The nodes in waves: each wave's nodes come only after nodes of earlier waves, so a
    /// wave's nodes can be applied together. `Err` holds the nodes of a cycle of `after:`,
    /// in its order (an `after:` naming no node is left out here: loading reports it).
    pub fn waves(&self) -> Result<Vec<Vec<String>>, Vec<String>> {
        let names: BTreeSet<&str> = self.nodes.iter().map(|node| node.name.as_str()).collect();
        let mut after: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for node in &self.nodes {
            let known = node.after.iter().map(String::as_str).filter(|name| names.contains(name));
            after.entry(node.name.as_str()).or_default().extend(known);
        }
        let mut placed: BTreeSet<&str> = BTreeSet::new();
        let mut waves: Vec<Vec<String>> = Vec::new();
        while placed.len() < after.len() {
            let ready: Vec<&str> = after
                .iter()
                .filter(|(name, dependencies)| !placed.contains(*name) && dependencies.iter().all(|dependency| placed.contains(dependency)))
                .map(|(name, _)| *name)
                .collect();
            if ready.is_empty() {
                return Err(cycle(&after, &placed));
            }
            placed.extend(ready.iter().copied());
            waves.push(ready.into_iter().map(String::from).collect());
        }
        Ok(waves)
    }
}

/// One cycle among the nodes not placed: every one of them waits for another unplaced
/// node, so following those waits from any of them comes back to a node already seen.
fn cycle(after: &BTreeMap<&str, Vec<&str>>, placed: &BTreeSet<&str>) -> Vec<String> {
    let Some(start) = after.keys().find(|name| !placed.contains(*name)) else { return Vec::new() };
    let mut walk: Vec<&str> = vec![start];
    loop {
        let current = walk[walk.len() - 1];
        let Some(next) = after[current].iter().find(|dependency| !placed.contains(*dependency)) else { return Vec::new() };
        if let Some(position) = walk.iter().position(|seen| seen == next) {
            return walk[position..].iter().map(|name| name.to_string()).collect();
        }
        walk.push(next);
    }
}

fn default_check_timeout() -> u64 {
    crate::dynamic::DEFAULT_CHECK_TIMEOUT
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// The node's host name on the network (`db`).
    pub name: String,
    /// Its role: a `name` of the `roles:` section.
    pub role: String,
    /// Nodes that must be applied before this one.
    #[serde(default)]
    pub after: Vec<String>,
}

/// One check run from a node (`from`) against another, as a one-key mapping:
/// `- mysql: {from: web, host: db, user: app, password: secret}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "NodeCheckMapping")]
pub enum NodeCheck {
    /// A TCP connection opens.
    Tcp(TcpCheck),
    /// An HTTP request answers with a status and a body.
    Http(HttpCheck),
    /// A MySQL/MariaDB login with the given credentials runs a query.
    Mysql(MysqlCheck),
}

/// The YAML form of a [`NodeCheck`]: a mapping with exactly one of these keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeCheckMapping {
    tcp: Option<TcpCheck>,
    http: Option<HttpCheck>,
    mysql: Option<MysqlCheck>,
}

impl TryFrom<NodeCheckMapping> for NodeCheck {
    type Error = String;

    fn try_from(mapping: NodeCheckMapping) -> Result<Self, String> {
        let checks: Vec<NodeCheck> =
            [mapping.tcp.map(NodeCheck::Tcp), mapping.http.map(NodeCheck::Http), mapping.mysql.map(NodeCheck::Mysql)]
                .into_iter()
                .flatten()
                .collect();
        crate::dynamic::exactly_one(checks, "tcp, http, mysql")
    }
}

impl NodeCheck {
    /// The node the check runs on.
    pub fn from(&self) -> &str {
        match self {
            Self::Tcp(check) => &check.from,
            Self::Http(check) => &check.from,
            Self::Mysql(check) => &check.from,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpCheck {
    pub from: String,
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpCheck {
    pub from: String,
    pub url: String,
    #[serde(default = "default_http_status")]
    pub status: u16,
    #[serde(default)]
    pub body: Option<String>,
}

fn default_http_status() -> u16 {
    200
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MysqlCheck {
    pub from: String,
    pub host: String,
    #[serde(default = "default_mysql_port")]
    pub port: u16,
    pub user: String,
    pub password: String,
    #[serde(default)]
    pub database: Option<String>,
    #[serde(default = "default_query")]
    pub query: String,
    /// Text the query's output must contain.
    #[serde(default)]
    pub expect: Option<String>,
}

fn default_mysql_port() -> u16 {
    3306
}

fn default_query() -> String {
    "SELECT 1".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topology_with_a_mysql_check() {
        let yaml = "nodes:\n  - {name: db, role: role::db}\n  - {name: web, role: role::web, after: [db]}\nchecks:\n  - mysql: {from: web, host: db, user: app, password: s3cret, database: app}\n";
        let integration: Integration = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(integration.nodes[1].after, vec!["db"]);
        let NodeCheck::Mysql(mysql) = &integration.checks[0] else { panic!("a mysql check") };
        assert_eq!((mysql.port, mysql.query.as_str(), integration.checks[0].from()), (3306, "SELECT 1", "web"));
    }
}
