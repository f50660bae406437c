//! `puppet-ci diff --from REF --to REF`: what a change does to the catalogs of every
//! role × fact set, grouped across nodes, file contents as unified diffs; exit 1 when
//! anything differs, for review gates.

use std::io::Write;

use puppet_ci_catalog::diff::{DiffOptions, DiffReport};
use puppet_ci_report::{Format, RunReport};

use crate::args::{CatalogArgs, ReportArgs};
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The git ref before the change (a branch, tag or commit).
    #[arg(long, value_name = "REF")]
    pub from: String,
    /// The git ref after the change.
    #[arg(long, value_name = "REF", default_value = "HEAD")]
    pub to: String,
    #[command(flatten)]
    pub catalog: CatalogArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let config = crate::output::load_config(global)?;
    let options = DiffOptions { from: args.from.clone(), to: args.to.clone(), stage: args.catalog.stage_options("diff") };
    let diff = puppet_ci_catalog::diff::diff(&config, &options)?;
    let report = RunReport { stages: vec![diff.stage_report()] };
    if args.report.format == Format::Human {
        // The files first, then the grouped text on stdout.
        ReportArgs { format: Format::Json, ..args.report.clone() }.write_files(&report, &config.root)?;
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(render(&diff, &args.from, &args.to).as_bytes())?;
        stdout.flush()?;
    } else {
        args.report.emit(&report, &config.root)?;
    }
    Ok(if diff.differs() { crate::exit::FINDINGS } else { crate::exit::OK })
}

/// `23 nodes: File[/etc/motd] parameter content changed`, the nodes, and the diff.
fn render(diff: &DiffReport, from: &str, to: &str) -> String {
    let mut out = String::new();
    let short = |commit: &str| commit.chars().take(12).collect::<String>();
    for group in &diff.groups {
        let count = group.nodes.len();
        out.push_str(&format!("{count} node{}: {}\n", if count == 1 { "" } else { "s" }, group.change));
        if let Some((file, line)) = &group.location {
            out.push_str(&format!("  at {}:{line}\n", file.display()));
        }
        out.push_str(&format!("  on {}\n", group.nodes.join(", ")));
        if let Some(text) = &group.diff {
            for line in text.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    let verdict = if diff.differs() { format!("{} difference(s)", diff.groups.len()) } else { "no difference".to_string() };
    out.push_str(&format!("puppet-ci diff {from} ({}) .. {to} ({}): {} nodes compared, {verdict}\n", short(&diff.from), short(&diff.to), diff.nodes));
    out
}
