//! `puppet-ci compile`: compiles one node's catalog, natively or with real Puppet, and
//! prints it as the JSON puppetserver sends to agents.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use puppet_catalog::{EngineError, PuppetVersion};
use puppet_ci_compile::{CompileOptions, EngineChoice, PuppetEngineOptions};
use serde_json::json;

use crate::GlobalArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineArg {
    /// The native engine, and real Puppet for a node it does not support yet.
    Auto,
    /// The native engine (Rust) only.
    Native,
    /// Real Puppet (Ruby), in a worker process.
    Puppet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The catalog (or the error) as JSON on stdout.
    Json,
    /// One summary line.
    Text,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Module folders, colon-separated, searched in order.
    #[arg(long, value_name = "PATH")]
    pub modulepath: Option<String>,
    /// The site manifest: a file, or a folder of .pp files.
    #[arg(long, value_name = "FILE", conflicts_with = "code")]
    pub manifest: Option<PathBuf>,
    /// Puppet code to compile instead of a manifest.
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
    /// A class to include, as an ENC would (repeatable).
    #[arg(long = "class", value_name = "NAME")]
    pub classes: Vec<String>,
    /// A Facter JSON file, or a bundled fact set (debian-12-x86_64, 4.3/redhat-9-x86_64, ...).
    #[arg(long, value_name = "FILE|NAME")]
    pub facts: String,
    /// The node's certname. Default: the facts' networking.fqdn.
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// The global hiera.yaml.
    #[arg(long, value_name = "FILE")]
    pub hiera_config: Option<PathBuf>,
    /// The environment folder whose hiera.yaml is Hiera's environment layer. Default: the
    /// folder above the manifest's `manifests` folder.
    #[arg(long, value_name = "DIR")]
    pub environment_dir: Option<PathBuf>,
    /// The environment's name.
    #[arg(long, value_name = "NAME", default_value = "production")]
    pub environment: String,
    /// An unknown variable is an error (always on with --puppet-version 8).
    #[arg(long)]
    pub strict_variables: bool,
    /// Leave out the legacy facts (osfamily, ipaddress, ...) a Puppet 7 agent sends.
    #[arg(long)]
    pub no_legacy_facts: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub engine: EngineArg,
    /// The Puppet version whose semantics to follow: 8 means strict mode, strict
    /// variables and no legacy facts.
    #[arg(long, value_name = "7|8", default_value = "7", value_parser = clap::value_parser!(u32).range(7..=8))]
    pub puppet_version: u32,
    /// How long one compile may take with the Puppet engine before it is stopped.
    #[arg(long, value_name = "SECONDS", default_value = "120")]
    pub timeout: u64,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
}

pub fn run(args: Args, _global: &GlobalArgs) -> anyhow::Result<u8> {
    let puppet_version = PuppetVersion::from_major(args.puppet_version).context("--puppet-version must be 7 or 8")?;
    let options = CompileOptions {
        modulepath: args.modulepath.as_deref().unwrap_or_default().split(':').filter(|folder| !folder.is_empty()).map(PathBuf::from).collect(),
        manifest: args.manifest,
        code: args.code,
        classes: args.classes,
        node: args.node,
        hiera_config: args.hiera_config,
        environment_dir: args.environment_dir,
        environment: args.environment,
        strict_variables: args.strict_variables,
        puppet_version,
        legacy_facts: args.no_legacy_facts.then_some(false),
        ..CompileOptions::new(&args.facts)
    };
    let choice = match args.engine {
        EngineArg::Auto => EngineChoice::Auto,
        EngineArg::Native => EngineChoice::Native,
        EngineArg::Puppet => EngineChoice::Puppet,
    };
    let puppet = PuppetEngineOptions { timeout: Duration::from_secs(args.timeout), ..PuppetEngineOptions::default() };
    let result = puppet_ci_compile::compile(&options, choice, puppet)?;
    let mut stdout = std::io::stdout().lock();
    let code = match result {
        Ok(catalog) => {
            match args.format {
                Format::Json if args.pretty => writeln!(stdout, "{}", catalog.to_json_pretty())?,
                Format::Json => writeln!(stdout, "{}", catalog.to_json())?,
                Format::Text => writeln!(
                    stdout,
                    "compiled {}: {} resources, {} classes, {} edges",
                    catalog.name,
                    catalog.resources.len(),
                    catalog.classes.len(),
                    catalog.edges.len()
                )?,
            }
            crate::exit::OK
        }
        Err(error) => {
            let (kind, code) = match &error {
                EngineError::Compile(_) => ("compile", crate::exit::FINDINGS),
                EngineError::Unsupported { .. } => ("unsupported", crate::exit::ERROR),
                EngineError::Engine { .. } => ("engine", crate::exit::ERROR),
            };
            if args.format == Format::Json {
                let mut object = match &error {
                    EngineError::Compile(compile_error) => serde_json::to_value(compile_error)?,
                    EngineError::Unsupported { construct, file, line } => {
                        json!({"message": error.to_string(), "construct": construct, "file": file, "line": line})
                    }
                    EngineError::Engine { engine, message } => json!({"message": message, "engine": engine}),
                };
                object["kind"] = json!(kind);
                writeln!(stdout, "{}", json!({ "error": object }))?;
            }
            match &error {
                EngineError::Compile(compile_error) => eprintln!("{compile_error}"),
                other => eprintln!("puppet-ci: error: {other}"),
            }
            code
        }
    };
    stdout.flush()?;
    Ok(code)
}
