//! What the commands share for output: the control repo they work on, and writing a
//! run's report in the formats asked for.

use std::path::{Path, PathBuf};

use anyhow::Context;
use puppet_ci_config::Config;
use puppet_ci_report::RunReport;

use crate::GlobalArgs;

/// Report files and annotations a command that runs stages can write.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Print GitHub Actions annotations for failures (on by default under GitHub Actions).
    #[arg(long)]
    pub github: bool,
}

impl ReportArgs {
    /// Prints the summary, and writes each format asked for. Files are written whole
    /// (a temporary file renamed into place), so a reader never sees half a report.
    pub fn emit(&self, report: &RunReport) -> anyhow::Result<()> {
        print!("{}", puppet_ci_report::render_summary(report));
        if self.github || std::env::var_os("GITHUB_ACTIONS").is_some_and(|value| value == "true") {
            print!("{}", puppet_ci_report::render_github_annotations(report));
        }
        if let Some(path) = &self.junit {
            write_atomically(path, &puppet_ci_report::render_junit(report))?;
        }
        if let Some(path) = &self.json {
            write_atomically(path, &puppet_ci_report::render_json(report))?;
        }
        Ok(())
    }
}

pub fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path.file_name().with_context(|| format!("{} is not a file name", path.display()))?;
    let temporary = dir.join(format!(".{}.tmp{}", name.to_string_lossy(), std::process::id()));
    std::fs::write(&temporary, text).with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The control repo a command works on: `--root`, else the current folder when it has a
/// `puppet-ci.yaml`, else the bundled example when run from a puppet-ci checkout.
pub fn control_repo_root(global: &GlobalArgs) -> PathBuf {
    if let Some(root) = &global.root {
        return root.clone();
    }
    if Path::new(puppet_ci_config::FILE_NAME).is_file() {
        return PathBuf::from(".");
    }
    let bundled = Path::new("fixtures/control-repo");
    if bundled.join(puppet_ci_config::FILE_NAME).is_file() {
        return bundled.to_path_buf();
    }
    PathBuf::from(".")
}

/// Loads the control repo's `puppet-ci.yaml` (defaults when it has none).
pub fn load_config(global: &GlobalArgs) -> anyhow::Result<Config> {
    let root = control_repo_root(global);
    if !root.is_dir() {
        anyhow::bail!("the control repo {} is not a folder", root.display());
    }
    Ok(Config::load(&root)?)
}

/// True when the error comes from writing to a closed pipe (`puppet-ci ... | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
