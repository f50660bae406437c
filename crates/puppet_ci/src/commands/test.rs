//! `puppet-ci test`: a module's tests without Ruby: its `puppet-ci-tests.yaml`
//! expectations and catalog snapshots, over the modules of its `.fixtures.yml` (or the
//! control repo's modulepath).

use std::path::PathBuf;

use puppet_ci_catalog::TestSelection;
use puppet_ci_report::RunReport;

use crate::args::{CatalogArgs, ReportArgs};
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Module folders to test. Default: the module at the root, or every module of the
    /// control repo with a puppet-ci-tests.yaml.
    pub modules: Vec<PathBuf>,
    #[command(flatten)]
    pub catalog: CatalogArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    let selection = if args.modules.is_empty() { TestSelection::All } else { TestSelection::Folders(args.modules.clone()) };
    let stage = puppet_ci_catalog::test_modules(&config, &selection, &args.catalog.stage_options("test"))?;
    if stage.cases.is_empty() && stage.skipped.is_none() {
        eprintln!("puppet-ci test: nothing to test: no module under {} has a {}", config.root.display(), puppet_ci_catalog::TESTS_FILE);
        return Ok(crate::exit::FINDINGS);
    }
    let report = RunReport { stages: vec![stage] };
    args.report.emit(&report, &config.root)?;
    Ok(crate::output::exit_code(&report))
}
