//! `puppet-ci validate`: checks Puppet syntax like `puppet parser validate`, over whole
//! folders, in parallel; one `file:line:col: message` line per error.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use puppet_ci_report::{Case, Location, Outcome, StageReport};
use puppet_syntax::checker::FileLocation;
use puppet_syntax::{Diagnostic, Severity};
use rayon::prelude::*;

use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files and folders to check (folders recursively, `.pp` and `.epp` files).
    /// Default: the control repo.
    pub paths: Vec<PathBuf>,
}

/// What validating one file found.
struct FileResult {
    path: PathBuf,
    /// Problems in the code, in the order Puppet reports them.
    diagnostics: Vec<Diagnostic>,
    /// The file could not be read.
    read_error: Option<String>,
}

impl FileResult {
    fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|diagnostic| diagnostic.is_error())
    }
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let roots = if args.paths.is_empty() { vec![crate::output::control_repo_root(global)] } else { args.paths };
    let mut files = Vec::new();
    for root in &roots {
        collect_files(root, &mut files)?;
    }
    let results = validate_files(&files);
    let mut failed = false;
    let mut unreadable = false;
    for result in &results {
        if let Some(error) = &result.read_error {
            eprintln!("{}: {error}", result.path.display());
            unreadable = true;
        }
        for diagnostic in &result.diagnostics {
            match diagnostic.severity {
                Severity::Error => {
                    failed = true;
                    println!("{}:{diagnostic}", result.path.display());
                }
                Severity::Warning | Severity::Deprecation => {
                    eprintln!("{}:{}:{}: warning: {}", result.path.display(), diagnostic.span.line, diagnostic.span.column, diagnostic.message);
                }
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

/// The validate stage of `puppet-ci all`: every manifest and template of the control
/// repo (its site manifest and module folders), one case per file. Files in modules get
/// Puppet's checks of what a module file may define (a class `apache::vhost` belongs in
/// `apache/manifests/vhost.pp`), as Puppet applies them in an environment.
pub fn stage(config: &puppet_ci_config::Config) -> anyhow::Result<StageReport> {
    let started = Instant::now();
    let mut files = Vec::new();
    let site = config.root.join(&config.manifest);
    if site.exists() {
        collect_files(&site, &mut files)?;
    }
    let mut locations = vec![FileLocation::Anywhere; files.len()];
    for folder in &config.modulepath {
        let modules = config.root.join(folder);
        if !modules.exists() {
            continue;
        }
        let first = files.len();
        collect_files(&modules, &mut files)?;
        for path in &files[first..] {
            let relative = path.strip_prefix(&modules).unwrap_or(path);
            let shown = path.strip_prefix(&config.root).unwrap_or(path).display().to_string();
            locations.push(FileLocation::in_modulepath(relative, shown));
        }
    }
    let results: Vec<FileResult> = files.par_iter().zip(locations.par_iter()).map(|(path, location)| validate_file(path, location)).collect();
    let mut report = StageReport::new("validate");
    for result in results {
        let shown = result.path.strip_prefix(&config.root).unwrap_or(&result.path).to_path_buf();
        let group = shown.display().to_string();
        let case = if let Some(error) = &result.read_error {
            Case::new(group, "parses", Outcome::error(error.clone()))
        } else if let Some(first) = result.errors().next() {
            let all: Vec<String> = result.errors().map(|diagnostic| format!("{}:{diagnostic}", shown.display())).collect();
            Case::new(group, "parses", Outcome::failed(first.message.clone()))
                .with_location(Location { file: shown.clone(), line: first.span.line, column: first.span.column })
                .with_output(all.join("\n"))
        } else {
            Case::new(group, "parses", Outcome::Passed)
        };
        report.cases.push(case);
    }
    report.duration = started.elapsed();
    Ok(report)
}

fn validate_files(files: &[PathBuf]) -> Vec<FileResult> {
    files.par_iter().map(|path| validate_file(path, &FileLocation::Anywhere)).collect()
}

fn validate_file(path: &Path, location: &FileLocation) -> FileResult {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => return FileResult { path: path.to_path_buf(), diagnostics: Vec::new(), read_error: Some(format!("cannot read: {err}")) },
    };
    let epp = path.extension().is_some_and(|extension| extension == "epp");
    let parsed = puppet_syntax::parse_bytes(&bytes, epp);
    FileResult { path: path.to_path_buf(), diagnostics: parsed.validate_in(location), read_error: None }
}

/// Adds `path` if it is a file, or every `.pp` and `.epp` file under it (hidden folders
/// such as `.git` skipped), sorted so the output is stable.
fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let metadata = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if metadata.is_file() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let walker = walkdir::WalkDir::new(path).sort_by_file_name().into_iter().filter_entry(|entry| {
        entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
    });
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot read {}", path.display()))?;
        let is_puppet = entry.path().extension().is_some_and(|extension| extension == "pp" || extension == "epp");
        if entry.file_type().is_file() && is_puppet {
            files.push(entry.into_path());
        }
    }
    Ok(())
}
