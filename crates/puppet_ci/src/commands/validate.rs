//! `puppet-ci validate`: checks Puppet syntax like `puppet parser validate`, over whole
//! folders, in parallel; one `file:line:col: message` line per error (or a report in
//! `--format`).

use std::path::PathBuf;
use std::time::Instant;

use puppet_ci_report::{Format, RunReport, Severity};

use crate::args::ReportArgs;
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files and folders to check (folders recursively, `.pp` and `.epp` files; symlinks
    /// followed). Default: the control repo's manifests and modules.
    pub paths: Vec<PathBuf>,
    /// Print a report in this format instead of one line per error.
    #[arg(long, value_name = "FORMAT", value_parser = crate::args::format_parser())]
    pub format: Option<Format>,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    // Every command reads the control repo's configuration the same way, and refuses a
    // broken one the same way.
    let config = crate::output::load_config(global)?;
    let (results, searched) = if args.paths.is_empty() {
        (puppet_ci_validate::validate(&puppet_ci_validate::control_repo_targets(&config)?), vec![config.root.clone()])
    } else {
        (puppet_ci_validate::validate_paths(&args.paths)?, args.paths.clone())
    };
    if results.is_empty() {
        let searched: Vec<String> = searched.iter().map(|path| path.display().to_string()).collect();
        eprintln!("puppet-ci validate: nothing to check: no .pp or .epp files in {}", searched.join(", "));
        return Ok(crate::exit::FINDINGS);
    }
    let unreadable = results.iter().any(|result| result.read_error.is_some());
    if let Some(format) = args.format {
        let report = RunReport { stages: vec![puppet_ci_validate::report(results, started)] };
        let root = if args.paths.is_empty() { config.root.clone() } else { PathBuf::from(".") };
        ReportArgs { format, ..ReportArgs::default() }.emit(&report, &root)?;
        return Ok(if unreadable { crate::exit::ERROR } else { crate::output::exit_code(&report) });
    }
    let mut failed = false;
    for result in &results {
        if let Some(error) = &result.read_error {
            eprintln!("{}: {error}", result.path.display());
        }
        for diagnostic in &result.diagnostics {
            match diagnostic.severity {
                Severity::Error => {
                    failed = true;
                    println!("{}: {}", diagnostic.place(), diagnostic.message);
                }
                Severity::Warning | Severity::Info => eprintln!("{}: warning: {}", diagnostic.place(), diagnostic.message),
            }
        }
    }
    Ok(if unreadable {
        crate::exit::ERROR
    } else if failed {
        crate::exit::FINDINGS
    } else {
        crate::exit::OK
    })
}
