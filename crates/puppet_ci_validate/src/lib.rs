//! The validate stage: what `puppet parser validate` checks (syntax, then Puppet's own
//! validation), over files and folders or over a whole control repo, in parallel, with
//! each problem as a [`Diagnostic`] in the shape every stage shares.
//!
//! Files are found by [`collect_files`]: `.pp` and `.epp` files, hidden folders skipped,
//! symlinks followed (a loop is reported, not walked forever), and an argument that is
//! neither a file nor a folder is an error rather than nothing to check.

use std::path::{Path, PathBuf};
use std::time::Instant;

use puppet_ci_config::Config;
use puppet_ci_report::{Case, Diagnostic, Outcome, Position, Severity, StageReport};
use puppet_syntax::checker::FileLocation;
use rayon::prelude::*;

mod files;
pub mod hiera;
mod json_position;
pub mod metadata;

pub use files::{collect_files, FileKind};

/// Why validation could not do its work (a problem in the code is a diagnostic instead).
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: not a file or folder of Puppet code (a {kind})", path.display())]
    NotFileOrFolder { path: PathBuf, kind: &'static str },
    #[error("{}: a symlink loop (it leads back to {})", path.display(), ancestor.display())]
    SymlinkLoop { path: PathBuf, ancestor: PathBuf },
}

/// What validating one file found.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// The file as given or found (for reading).
    pub path: PathBuf,
    /// The problems, in the order Puppet reports them; their `file` is the path shown.
    pub diagnostics: Vec<Diagnostic>,
    /// The file could not be read.
    pub read_error: Option<String>,
}

impl FileResult {
    pub fn has_errors(&self) -> bool {
        self.read_error.is_some() || self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A file to validate: where it is, how to show it, what it is, and where it sits in a
/// module.
#[derive(Debug, Clone)]
pub struct Target {
    pub path: PathBuf,
    pub shown: PathBuf,
    pub kind: FileKind,
    pub location: FileLocation,
}

impl Target {
    /// A file named on the command line: outside any module, shown as given.
    pub fn argument(path: PathBuf) -> Target {
        Target { shown: path.clone(), kind: FileKind::of_argument(&path), path, location: FileLocation::Anywhere }
    }

    /// A file found in a folder walk.
    fn found(path: PathBuf, shown: PathBuf, location: FileLocation) -> Target {
        let kind = FileKind::of(&path).unwrap_or(FileKind::Manifest);
        Target { path, shown, kind, location }
    }
}

/// Validates files in parallel; results come in the order of `targets`.
pub fn validate(targets: &[Target]) -> Vec<FileResult> {
    targets.par_iter().map(validate_file).collect()
}

/// Validates the files and folders given on a command line, as `puppet parser validate`
/// does (no module location checks).
pub fn validate_paths(paths: &[PathBuf]) -> Result<Vec<FileResult>, ValidateError> {
    let mut targets = Vec::new();
    for path in paths {
        let mut files = Vec::new();
        collect_files(path, &mut files)?;
        // A file named on the command line is checked whatever its name says; files found in
        // a folder by what they are.
        if files.len() == 1 && files[0] == *path {
            targets.push(Target::argument(path.clone()));
        } else {
            targets.extend(files.into_iter().map(|file| Target::found(file.clone(), file, FileLocation::Anywhere)));
        }
    }
    Ok(validate(&targets))
}

/// The files of a control repo: its site manifest, its `hiera.yaml` and data, then each
/// module folder of its modulepath, with Puppet's checks of what a module file may define
/// (a class `apache::vhost` belongs in `apache/manifests/vhost.pp`), as Puppet applies them
/// in an environment. Paths are shown relative to the control repo.
pub fn control_repo_targets(config: &Config) -> Result<Vec<Target>, ValidateError> {
    let shown = |path: &Path| path.strip_prefix(&config.root).unwrap_or(path).to_path_buf();
    let mut targets = Vec::new();
    let site = config.root.join(&config.manifest);
    if site.exists() {
        let mut files = Vec::new();
        collect_files(&site, &mut files)?;
        targets.extend(files.into_iter().map(|path| Target::found(path.clone(), shown(&path), FileLocation::Anywhere)));
    }
    let hiera = config.root.join(&config.hiera_config);
    if hiera.is_file() {
        let kind = FileKind::HieraConfig(hiera::Layer::Environment);
        targets.push(Target { shown: shown(&hiera), path: hiera.clone(), kind, location: FileLocation::Anywhere });
        let data = hiera.parent().unwrap_or(&config.root).join("data");
        if data.is_dir() {
            let mut files = Vec::new();
            collect_files(&data, &mut files)?;
            targets.extend(files.into_iter().map(|path| Target { shown: shown(&path), path, kind: FileKind::HieraData, location: FileLocation::Anywhere }));
        }
    }
    for folder in &config.modulepath {
        let modules = config.root.join(folder);
        if !modules.exists() {
            continue;
        }
        let mut files = Vec::new();
        collect_files(&modules, &mut files)?;
        for path in files {
            let relative = path.strip_prefix(&modules).unwrap_or(&path).to_path_buf();
            let location = FileLocation::in_modulepath(&relative, shown(&path).display().to_string());
            targets.push(Target::found(path.clone(), shown(&path), location));
        }
    }
    Ok(targets)
}

/// The validate stage of `puppet-ci all`: every manifest and template of the control repo,
/// one case per file. A control repo with no manifest at all is a failed stage, not a
/// green one: there was nothing to check.
pub fn stage(config: &Config) -> Result<StageReport, ValidateError> {
    let started = Instant::now();
    let targets = control_repo_targets(config)?;
    Ok(report(validate(&targets), started))
}

/// The validate stage's report of `results`: one case per file.
pub fn report(results: Vec<FileResult>, started: Instant) -> StageReport {
    let mut report = StageReport::new("validate");
    report.cases.extend(results.into_iter().map(case));
    report.duration = started.elapsed();
    report
}

fn case(result: FileResult) -> Case {
    let group = result.diagnostics.first().map_or_else(|| result.path.display().to_string(), |first| first.file.display().to_string());
    if let Some(error) = result.read_error {
        return Case::new(group, "parses", Outcome::error(error));
    }
    let outcome = match result.diagnostics.iter().find(|diagnostic| diagnostic.is_error()) {
        Some(first) => Outcome::failed(first.message.clone()),
        None => Outcome::Passed,
    };
    Case::new(group, "parses", outcome).with_diagnostics(result.diagnostics)
}

fn validate_file(target: &Target) -> FileResult {
    let bytes = match std::fs::read(&target.path) {
        Ok(bytes) => bytes,
        Err(err) => return FileResult { path: target.shown.clone(), diagnostics: Vec::new(), read_error: Some(format!("cannot read: {err}")) },
    };
    let shown = &target.shown;
    let diagnostics = match target.kind {
        FileKind::Manifest | FileKind::Epp => {
            let parsed = puppet_syntax::parse_bytes(&bytes, target.kind == FileKind::Epp);
            parsed.validate_in(&target.location).into_iter().map(|diagnostic| convert(shown, diagnostic)).collect()
        }
        kind => match std::str::from_utf8(&bytes) {
            Err(err) => vec![Diagnostic::error(shown, Position::new(1, 1), "INVALID_ENCODING", format!("invalid UTF-8 at byte {}", err.valid_up_to()))],
            Ok(text) => match kind {
                FileKind::Erb => puppet_syntax::erb::check(text).into_iter().map(|diagnostic| convert(shown, diagnostic)).collect(),
                FileKind::Metadata => metadata::check(shown, text),
                FileKind::HieraConfig(layer) => hiera::check_config(shown, text, layer),
                _ => hiera::check_data(shown, text),
            },
        },
    };
    FileResult { path: target.shown.clone(), diagnostics, read_error: None }
}

/// A syntax crate diagnostic, at `file`, in the shape every stage shares.
pub fn convert(file: &Path, diagnostic: puppet_syntax::Diagnostic) -> Diagnostic {
    let severity = match diagnostic.severity {
        puppet_syntax::Severity::Error => Severity::Error,
        puppet_syntax::Severity::Warning | puppet_syntax::Severity::Deprecation => Severity::Warning,
    };
    Diagnostic::new(file, Position::new(diagnostic.span.line, diagnostic.span.column), diagnostic.code, severity, diagnostic.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn the_stage_has_one_case_per_file_with_diagnostics_at_puppets_place() {
        let dir = control_repo(&[
            ("manifests/site.pp", "node default { include role::web }\n"),
            ("site/role/manifests/web.pp", "class role::web {\n  notify { 'x':\n}\n"),
            ("site/role/manifests/db.pp", "class role::other { }\n"),
        ]);
        let config = Config::defaults(dir.path());
        let report = stage(&config).unwrap();
        let cases: Vec<(String, Option<&str>)> = report.cases.iter().map(|case| (case.group.clone(), case.outcome.message())).collect();
        assert_eq!(
            cases,
            [
                ("manifests/site.pp".to_string(), None),
                ("site/role/manifests/db.pp".to_string(), Some("Unacceptable location. The name 'role::other' is unacceptable in file 'site/role/manifests/db.pp'")),
                ("site/role/manifests/web.pp".to_string(), Some("Syntax error at end of input")),
            ]
        );
        let web = &report.cases[2].diagnostics[0];
        assert_eq!((web.file.as_path(), web.start, web.code.as_str()), (Path::new("site/role/manifests/web.pp"), Position::new(4, 1), "SYNTAX_ERROR"));
    }

    #[test]
    fn the_stage_checks_hiera_metadata_and_erb_too() {
        let dir = control_repo(&[
            ("manifests/site.pp", "node default { }\n"),
            ("hiera.yaml", "version: 5\nhierarchy:\n  - name: common\n    pat: common.yaml\n"),
            ("data/common.yaml", "a: [1\n"),
            ("site/web/metadata.json", "{\"name\": \"acme-web\"}"),
            ("site/web/templates/x.erb", "<% if true %>\n"),
            ("site/web/manifests/init.pp", "class web { }\n"),
        ]);
        let report = stage(&Config::defaults(dir.path())).unwrap();
        let failed: Vec<(&str, &str)> = report
            .cases
            .iter()
            .filter(|case| case.outcome.is_failure())
            .map(|case| (case.group.as_str(), case.diagnostics[0].code.as_str()))
            .collect();
        assert_eq!(
            failed,
            [
                ("hiera.yaml", "HIERA_WRONG_TYPE"),
                ("data/common.yaml", "HIERA_YAML_SYNTAX"),
                ("site/web/metadata.json", "metadata_json/required_fields"),
                ("site/web/templates/x.erb", "ERB_SYNTAX_ERROR"),
            ]
        );
    }

    #[test]
    fn command_line_paths_get_no_module_checks() {
        let dir = control_repo(&[("a/b.pp", "class other { }\n"), ("a/.hidden/c.pp", "{")]);
        let results = validate_paths(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(results.len(), 1);
        assert!(!results[0].has_errors());
    }
}
