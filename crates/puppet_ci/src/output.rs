//! What the commands share for output: the control repo they work on, and the report of
//! a run in the formats asked for.

use std::io::Write;
use std::path::{Path, PathBuf};

use puppet_ci_config::Config;
use puppet_ci_deploy::configured::Verdict;
use puppet_ci_deploy::deploy::DeployRun;
use puppet_ci_report::diagnostic::FileSources;
use puppet_ci_report::{Format, RunReport};

use crate::args::ReportArgs;
use crate::GlobalArgs;

impl ReportArgs {
    /// Writes every report file asked for, then prints the report on stdout. The files come
    /// first: a run whose report could not be written fails before anything says "passed".
    pub fn emit(&self, report: &RunReport, root: &Path) -> anyhow::Result<()> {
        self.write_files(report, root)?;
        let sources = FileSources { root: root.to_path_buf() };
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(self.format.render(report, &sources).as_bytes())?;
        let under_github = std::env::var_os("GITHUB_ACTIONS").is_some_and(|value| value == "true");
        if (self.github || under_github) && self.format != Format::Github {
            stdout.write_all(puppet_ci_report::render_github_annotations(report).as_bytes())?;
        }
        stdout.flush()?;
        Ok(())
    }
}

impl ReportArgs {
    /// Writes every report file asked for (`--junit`, `--json`, `--sarif`, `--codeclimate`).
    pub fn write_files(&self, report: &RunReport, root: &Path) -> anyhow::Result<()> {
        let files = [(&self.junit, Format::Junit), (&self.json, Format::Json), (&self.sarif, Format::Sarif), (&self.codeclimate, Format::Codeclimate)];
        let sources = FileSources { root: root.to_path_buf() };
        for (path, format) in files {
            if let Some(path) = path {
                puppet_ci_report::write_report(path, &format.render(report, &sources))?;
            }
        }
        Ok(())
    }
}

/// The exit code of a run's report.
pub fn exit_code(report: &RunReport) -> u8 {
    if report.passed() {
        crate::exit::OK
    } else {
        crate::exit::FINDINGS
    }
}

/// One line per master on stderr after a deploy or rollback: the release live now and the
/// one before (`done` names what happened, e.g. "rolled back in").
pub fn print_releases(command: &str, done: &str, environment: &str, runs: &[(String, DeployRun)]) {
    for (name, run) in runs {
        let live = run.live.as_deref().unwrap_or("(none)");
        let previous = run.previous.as_deref().unwrap_or("(none)");
        if run.passed() {
            let unverified = run.unverified.as_deref().map(|reason| format!("; {reason}")).unwrap_or_default();
            eprintln!("{command}: {name}: environment {environment} is on release {live} (was {previous}), {done}{:.3} s{unverified}", run.duration.as_secs_f64());
        } else {
            eprintln!("{command}: {name}: FAILED: {}; environment {environment} is on release {live}", run.failure().unwrap_or("skipped"));
        }
    }
}

/// The exit code of a deploy or rollback.
pub fn deploy_exit_code(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Passed => crate::exit::OK,
        Verdict::Failed => crate::exit::FINDINGS,
        Verdict::Error => crate::exit::ERROR,
    }
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

/// Loads the control repo's `puppet-ci.yaml` (defaults when it has none), checked whole:
/// every command refuses the same broken file the same way.
pub fn load_config(global: &GlobalArgs) -> anyhow::Result<Config> {
    let root = control_repo_root(global);
    if !root.is_dir() {
        anyhow::bail!("the control repo {} is not a folder", root.display());
    }
    Ok(Config::load(&root)?)
}

/// Now, in UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    utc(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs()))
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc(seconds: u64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// True when the error comes from writing to a closed pipe (`puppet-ci ... | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn unix_seconds_as_utc() {
        assert_eq!(super::utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::utc(1_796_528_096), "2026-12-06T03:34:56Z");
    }
}
