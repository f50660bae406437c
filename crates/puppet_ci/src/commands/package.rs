//! `puppet-ci package`: the control repo at a git ref, its Puppetfile resolved, as one
//! versioned, content-addressed artifact.

use std::path::PathBuf;

use anyhow::Context;

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
    let artifact = puppet_ci_deploy::configured::package_control_repo(&config, &args.reference, args.output, args.forge_cache)
        .with_context(|| format!("cannot package {} at {}", config.root.display(), args.reference))?;
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
