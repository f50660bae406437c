//! `puppet-ci image`.

use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _global: &GlobalArgs) -> anyhow::Result<u8> {
    anyhow::bail!("`puppet-ci image` is not built yet (issue 3)")
}
