//! Talking to a puppetserver over HTTPS with a client certificate: flushing an
//! environment's cache (admin API) and compiling a catalog (`POST /puppet/v4/catalog`).
//!
//! The master's `auth.conf` must allow the certificate on
//! `/puppet-admin-api/v1/environment-cache` (DELETE) and `/puppet/v4/catalog` (POST);
//! `docs/deploy.md` shows the two rules.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{error_chain as chain, DeployError, Result};

/// The files of the client certificate puppet-ci presents, and the CA it trusts.
#[derive(Debug, Clone)]
pub struct ServerTls {
    /// The Puppet CA certificate (bundle), e.g. `ssl/certs/ca.pem`.
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A compiled catalog, as much of it as a smoke test looks at.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// `version`: the release id when the release sets `config_version`.
    pub version: String,
    pub environment: String,
    pub resource_count: usize,
    pub json: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct ServerClient {
    url: String,
    client: reqwest::blocking::Client,
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| DeployError::Tls { path: path.to_path_buf(), message: format!("cannot read the {what}: {source}") })
}

impl ServerClient {
    /// A client for the puppetserver at `url` (`https://puppet.example.com:8140`).
    pub fn new(url: &str, tls: &ServerTls, timeout: Duration) -> Result<Self> {
        let ca = read(&tls.ca, "CA certificate")?;
        let mut identity_pem = read(&tls.cert, "client certificate")?;
        identity_pem.push(b'\n');
        identity_pem.extend(read(&tls.key, "client key")?);
        let identity = reqwest::Identity::from_pem(&identity_pem)
            .map_err(|err| DeployError::Tls { path: tls.cert.clone(), message: format!("with {}: not a PEM certificate and key: {}", tls.key.display(), chain(&err)) })?;
        let mut builder = reqwest::blocking::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .identity(identity)
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            // A new connection per request, so requests through a load balancer spread.
            .pool_max_idle_per_host(0);
        let certificates = reqwest::Certificate::from_pem_bundle(&ca)
            .map_err(|err| DeployError::Tls { path: tls.ca.clone(), message: format!("not a PEM CA certificate: {}", chain(&err)) })?;
        if certificates.is_empty() {
            return Err(DeployError::Tls { path: tls.ca.clone(), message: "holds no certificate".to_string() });
        }
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
        let client = builder.build().map_err(|err| DeployError::Tls { path: tls.cert.clone(), message: format!("cannot set up TLS: {}", chain(&err)) })?;
        Ok(Self { url: url.trim_end_matches('/').to_string(), client })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn send_error(&self, err: &reqwest::Error) -> DeployError {
        let detail = chain(err);
        let hint = if detail.contains("Connection refused") || err.is_connect() && !detail.to_lowercase().contains("certificate") {
            "; is the puppetserver running and the URL right?"
        } else if detail.to_lowercase().contains("certificate") || detail.contains("alert") {
            "; the master did not accept puppet-ci's client certificate, or puppet-ci does not trust the master's (check deploy.tls in puppet-ci.yaml: the cert must be signed by the master's CA)"
        } else {
            ""
        };
        DeployError::Unreachable { url: self.url.clone(), detail: format!("{detail}{hint}") }
    }

    fn status_error(&self, what: &str, status: reqwest::StatusCode, body: &str) -> DeployError {
        let hint = match status.as_u16() {
            401 | 403 => " (the master's auth.conf must allow puppet-ci's certificate here; docs/deploy.md shows the rule)",
            _ => "",
        };
        let body: String = body.trim().chars().take(400).collect();
        DeployError::Server {
            url: self.url.clone(),
            request: what.to_string(),
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or(""),
            hint,
            body,
        }
    }

    /// Drops the master's cached copy of the environment, so the next compile reads the
    /// code the environment points to now.
    pub fn flush_environment(&self, environment: &str) -> Result<()> {
        let url = format!("{}/puppet-admin-api/v1/environment-cache?environment={environment}", self.url);
        let response = self.client.delete(&url).send().map_err(|err| self.send_error(&err))?;
        let status = response.status();
        if status.as_u16() == 204 || status.is_success() {
            return Ok(());
        }
        let body = response.text().unwrap_or_default();
        Err(self.status_error(&format!("flushing the cache of environment {environment}"), status, &body))
    }

    /// Compiles a catalog for `certname` in `environment` with the given facts, storing
    /// nothing on the master.
    pub fn compile(&self, environment: &str, certname: &str, facts: &serde_json::Value) -> Result<Catalog> {
        let body = serde_json::json!({
            "certname": certname,
            "environment": environment,
            "persistence": { "facts": false, "catalog": false },
            "facts": { "values": facts },
            "options": { "prefer_requested_environment": true, "capture_logs": false },
        });
        let response = self.client.post(format!("{}/puppet/v4/catalog", self.url)).json(&body).send().map_err(|err| self.send_error(&err))?;
        let status = response.status();
        let text = response.text().map_err(|err| self.send_error(&err))?;
        if !status.is_success() {
            return Err(self.status_error(&format!("compiling a catalog for {certname} in environment {environment}"), status, &text));
        }
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|err| DeployError::BadResponse { url: self.url.clone(), message: format!("the catalog is not JSON: {err}") })?;
        let catalog = &json["catalog"];
        let version = match &catalog["version"] {
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        Ok(Catalog {
            version,
            environment: catalog["environment"].as_str().unwrap_or_default().to_string(),
            resource_count: catalog["resources"].as_array().map_or(0, Vec::len),
            json,
        })
    }
}
