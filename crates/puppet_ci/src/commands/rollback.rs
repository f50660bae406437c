//! `puppet-ci rollback`.

use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _global: &GlobalArgs) -> anyhow::Result<u8> {
    anyhow::bail!("`puppet-ci rollback` is not built yet (issue 4)")
}
