//! `puppet-ci package`: the control repo at a git ref, its Puppetfile resolved, as one
//! versioned, content-addressed artifact.

use std::path::PathBuf;

use anyhow::Context;
use puppet_ci_config::Config;
use puppet_ci_deploy::{Artifact, PackageOptions};

use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The git ref to package: a branch, a tag or a commit.
    #[arg(long = "ref", value_name = "REF", default_value = "HEAD")]
    pub reference: String,
    /// Where to write the artifact. Default: deploy.artifact_dir, else .puppet-ci/artifacts
    /// in the control repo.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Folder of Forge modules for the Puppetfile (overrides deploy.forge_cache).
    #[arg(long, value_name = "DIR")]
    pub forge_cache: Option<PathBuf>,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    let artifact = build(&config, &args.reference, args.output, args.forge_cache)?;
    println!("{} {}", artifact.id(), artifact.path.display());
    eprintln!(
        "packaged {} at {} ({}) with {} Puppetfile module(s)",
        config.root.display(),
        args.reference,
        &artifact.metadata.commit[..artifact.metadata.commit.len().min(12)],
        artifact.metadata.modules.len()
    );
    Ok(crate::exit::OK)
}

/// Packages the control repo of `config` at `reference` (also used by `deploy --ref`).
pub fn build(config: &Config, reference: &str, output: Option<PathBuf>, forge_cache: Option<PathBuf>) -> anyhow::Result<Artifact> {
    let deploy = config.deploy.as_ref();
    let output_dir = output
        .or_else(|| deploy.and_then(|deploy| deploy.artifact_dir.as_ref()).map(|dir| config.root.join(dir)))
        .unwrap_or_else(|| config.root.join(".puppet-ci").join("artifacts"));
    let forge_cache = forge_cache.or_else(|| deploy.and_then(|deploy| deploy.forge_cache.as_ref()).map(|dir| config.root.join(dir)));
    let options = PackageOptions { root: config.root.clone(), reference: reference.to_string(), forge_cache, output_dir };
    puppet_ci_deploy::package(&options).with_context(|| format!("cannot package {} at {reference}", config.root.display()))
}
