//! Options several commands share, defined once: how the container stages run, where
//! reports go, and which masters a deploy or rollback talks to.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use puppet_ci_catalog::Partition;
use puppet_ci_compile::EngineChoice;
use puppet_ci_container::{Progress, StageOptions};
use puppet_ci_deploy::TargetOverrides;
use puppet_ci_report::Format;

/// How the container stages run (`dynamic`, `integration`, `all`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ContainerArgs {
    /// Leave the containers (and network) running afterwards, for a look inside.
    #[arg(long)]
    pub keep: bool,
    /// Seconds each check is retried, overriding `check_timeout` in puppet-ci.yaml.
    #[arg(long, value_name = "SECONDS")]
    pub check_timeout: Option<u64>,
    /// The longest one `puppet apply` may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub apply_timeout: u64,
    /// Build the base images again even when they exist.
    #[arg(long)]
    pub rebuild_images: bool,
}

impl ContainerArgs {
    pub fn stage_options(&self) -> StageOptions {
        let mut options = StageOptions::new(stderr_progress());
        options.keep = self.keep;
        options.check_timeout = self.check_timeout.map(Duration::from_secs);
        options.apply_timeout = Duration::from_secs(self.apply_timeout);
        options.rebuild_images = self.rebuild_images;
        options
    }
}

/// Progress lines go to stderr, so stdout stays the report.
pub fn stderr_progress() -> Progress {
    #[allow(clippy::print_stderr)]
    Arc::new(|line: &str| eprintln!("puppet-ci: {line}"))
}

/// Where a command that runs stages puts its report.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// The format printed on stdout.
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = format_parser())]
    pub format: Format,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write the findings as SARIF 2.1.0 to this file (GitHub code scanning).
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Also write the findings as Code Climate JSON to this file (GitLab code quality).
    #[arg(long, value_name = "FILE")]
    pub codeclimate: Option<PathBuf>,
    /// Also print GitHub Actions annotations (on by default under GitHub Actions).
    #[arg(long)]
    pub github: bool,
}

/// The `--format` values: every format the report crate renders.
pub fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Format::NAMES).map(|name| name.parse::<Format>().expect("a listed format"))
}

/// Which masters `deploy` and `rollback` talk to, over what puppet-ci.yaml says.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TargetArgs {
    /// A master named in deploy.masters, `all` (the default: every configured master, in
    /// turn, behind haproxy when configured), a local code dir, or
    /// ssh://[USER@]HOST[:PORT]/CODE_DIR.
    #[arg(long, value_name = "TARGET")]
    pub to: Option<String>,
    /// The puppetserver URL of a --to PATH or ssh:// target, for the flush and smoke test.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// The Puppet CA certificate (overrides deploy.tls.ca).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// The client certificate (overrides deploy.tls.cert).
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// The client certificate's key (overrides deploy.tls.key).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// The SSH private key for an ssh:// target.
    #[arg(long, value_name = "FILE")]
    pub ssh_identity: Option<PathBuf>,
    /// The known_hosts file for an ssh:// target (host keys are always checked).
    #[arg(long, value_name = "FILE")]
    pub ssh_known_hosts: Option<PathBuf>,
    /// Seconds to wait for another deploy's lock (overrides deploy.lock_timeout).
    #[arg(long, value_name = "SECONDS")]
    pub lock_timeout: Option<f64>,
}

impl TargetArgs {
    pub fn overrides(&self) -> TargetOverrides {
        TargetOverrides {
            to: self.to.clone(),
            server: self.server.clone(),
            ca: self.ca.clone(),
            cert: self.cert.clone(),
            key: self.key.clone(),
            ssh_identity: self.ssh_identity.clone(),
            ssh_known_hosts: self.ssh_known_hosts.clone(),
            lock_timeout: self.lock_timeout,
        }
    }
}

/// The compile engine, as `--engine` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineName {
    /// The native engine, and real Puppet for a node it does not support yet.
    Auto,
    /// The native engine (Rust) only.
    Native,
    /// Real Puppet (Ruby), in a small pool of worker processes.
    Puppet,
}

impl EngineName {
    pub fn choice(self) -> EngineChoice {
        match self {
            Self::Auto => EngineChoice::Auto,
            Self::Native => EngineChoice::Native,
            Self::Puppet => EngineChoice::Puppet,
        }
    }
}

/// How the catalog stage runs (`catalog`, `test`, `diff`, `all`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CatalogArgs {
    /// The compile engine. Default: catalog.engine in puppet-ci.yaml (auto).
    #[arg(long, value_enum)]
    pub engine: Option<EngineName>,
    /// Run part K of N (deterministic: N machines together run everything once; the
    /// dynamic stage splits its roles the same way). `puppet-ci report merge` joins the
    /// parts' JSON reports.
    #[arg(long, value_name = "K/N")]
    pub partition: Option<Partition>,
    /// Compile everything: neither read nor write the catalog cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Write catalog snapshots instead of comparing them; review the diff before committing.
    #[arg(long)]
    pub update_snapshots: bool,
    /// Resolve .fixtures.yml and Puppetfile sources again instead of reusing the module store.
    #[arg(long)]
    pub refresh_fixtures: bool,
    /// Compiles at once. Default: one per core (the Puppet engine runs catalog.puppet_workers Ruby processes at most).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,
    /// Ruby worker processes of the Puppet engine at most. Default: catalog.puppet_workers (2).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub puppet_workers: Option<u64>,
}

impl CatalogArgs {
    pub fn stage_options(&self, label: &'static str) -> puppet_ci_catalog::StageOptions {
        puppet_ci_catalog::StageOptions {
            engine: self.engine.map(EngineName::choice),
            partition: self.partition,
            update_snapshots: self.update_snapshots,
            cache: !self.no_cache,
            refresh_fixtures: self.refresh_fixtures,
            jobs: self.jobs.map(|jobs| jobs as usize),
            puppet_workers: self.puppet_workers.map(|workers| workers as usize),
            progress: catalog_progress(label),
        }
    }
}

/// The catalog stage's progress on stderr: one line rewritten in place on a terminal;
/// in a CI log, a line at every tenth of the work and for every failure.
pub fn catalog_progress(label: &'static str) -> puppet_ci_catalog::Progress {
    use std::io::{IsTerminal, Write};
    let terminal = std::io::stderr().is_terminal();
    Arc::new(move |event: puppet_ci_catalog::Event<'_>| {
        let mut stderr = std::io::stderr().lock();
        match event {
            puppet_ci_catalog::Event::Note(line) => {
                let _ = writeln!(stderr, "{}puppet-ci {label}: {line}", if terminal { "\r\x1b[K" } else { "" });
            }
            puppet_ci_catalog::Event::Compiled { done, total, label: what, engine, passed } => {
                let verdict = if passed { "ok" } else { "FAILED" };
                if terminal {
                    let _ = write!(stderr, "\r\x1b[Kpuppet-ci {label}: [{done}/{total}] {what} {verdict} ({engine})");
                    if done == total {
                        let _ = writeln!(stderr);
                    }
                } else if !passed || done == total || done * 10 / total != (done - 1) * 10 / total {
                    let _ = writeln!(stderr, "puppet-ci {label}: [{done}/{total}] {what} {verdict} ({engine})");
                }
            }
        }
    })
}
