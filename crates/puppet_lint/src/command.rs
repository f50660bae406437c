//! `puppet-ci lint` as a library function: resolve the options as puppet-lint does, lint
//! the paths (or the staged files), and give back the results with the verdict; the
//! binary only prints them. Also the lint stage of `puppet-ci all`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use puppet_ci_config::Config;
use puppet_ci_report::{Case, Diagnostic, Location, Outcome, Position, Severity, StageReport};

use crate::engine::Dispatch;
use crate::error::LintError;
use crate::options::{self, Action, Resolved};
use crate::rule::Kind;
use crate::run::{self, FileResult, RunResult};

/// What `puppet-ci lint` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// Files and folders; none means the control repo's manifests and modules.
    pub paths: Vec<PathBuf>,
    /// The command line's puppet-lint options, in their order.
    pub actions: Vec<Action>,
    /// `--no-config`: no option files, no `lint:` section of `puppet-ci.yaml`.
    pub no_config: bool,
    /// `--staged`: lint what is staged in git (the index), not the working tree.
    pub staged: bool,
    /// The folder relative paths are read from (and `./.puppet-lint.rc` is found in).
    pub cwd: PathBuf,
}

/// A lint run's results and the options it ran with.
#[derive(Debug)]
pub struct LintRun {
    pub run: RunResult,
    pub options: Resolved,
    /// Warnings puppet-lint prints on stderr (control comments).
    pub warnings: Vec<String>,
}

impl LintRun {
    /// puppet-lint's verdict: 1 when a problem is an error (or a warning with
    /// `--fail-on-warnings`), 2 when a file could not be read or written, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.run.errors.is_empty() {
            return 2;
        }
        u8::from(self.failed())
    }

    /// Whether the findings fail the run (`lint.fail_on` and `--fail-on-warnings`).
    pub fn failed(&self) -> bool {
        if self.options.fail_on_nothing {
            return false;
        }
        self.run.files.iter().any(|file| file.lint.has_errors() || (self.options.fail_on_warnings && file.lint.has_warnings()))
    }
}

/// Resolves the options (option files, `puppet-ci.yaml`, the command line) and lints.
pub fn run(invocation: &Invocation, config: Option<&Config>) -> Result<LintRun, LintError> {
    let options = resolve(invocation, config)?;
    if invocation.staged && options.settings.fix {
        return Err(LintError::Usage("--staged lints the index, which --fix cannot write: fix the files, then git add them".to_string()));
    }
    let run = if invocation.staged {
        lint_staged(&invocation.cwd, &options)?
    } else {
        let paths = if invocation.paths.is_empty() { config.map(control_repo_paths).unwrap_or_else(|| vec![PathBuf::from(".")]) } else { invocation.paths.clone() };
        run::lint_paths(&paths, &options.settings)
    };
    let warnings = run.files.iter().flat_map(|file| file.lint.warnings.iter().cloned()).collect();
    Ok(LintRun { run, options, warnings })
}

/// The options in puppet-lint's order.
pub fn resolve(invocation: &Invocation, config: Option<&Config>) -> Result<Resolved, LintError> {
    let mut resolved = Resolved::default();
    if !invocation.no_config {
        for file in options::default_option_files(&invocation.cwd) {
            for action in options::read_option_file(&file)?.unwrap_or_default() {
                resolved.apply(&action)?;
            }
        }
        if let Some(config) = config {
            resolved.apply_section(&config.lint)?;
        }
    }
    for action in &invocation.actions {
        resolved.apply(action)?;
    }
    Ok(resolved)
}

/// The site manifest and the module folders of a control repo that exist.
fn control_repo_paths(config: &Config) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let site = config.root.join(&config.manifest);
    if site.exists() {
        paths.push(site);
    }
    paths.extend(config.modulepath.iter().map(|folder| config.root.join(folder)).filter(|folder| folder.is_dir()));
    if paths.is_empty() {
        paths.push(config.root.clone());
    }
    paths
}

/// Lints the staged version of every staged `.pp` file (added, copied, modified or
/// renamed), as the pre-commit hook needs: a partly staged file is linted as it will be
/// committed.
fn lint_staged(cwd: &Path, options: &Resolved) -> Result<RunResult, LintError> {
    let git = |args: &[&str]| -> Result<Vec<u8>, LintError> {
        let output = Command::new("git").args(args).current_dir(cwd).output().map_err(|source| LintError::Io { path: PathBuf::from("git"), source })?;
        if !output.status.success() {
            return Err(LintError::Git { command: args.join(" "), stderr: String::from_utf8_lossy(&output.stderr).trim().to_string() });
        }
        Ok(output.stdout)
    };
    let top = String::from_utf8_lossy(&git(&["rev-parse", "--show-toplevel"])?).trim().to_string();
    let names = git(&["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--", "*.pp"])?;
    let dispatch = Dispatch::new(&options.settings);
    let mut result = RunResult::default();
    for name in names.split(|byte| *byte == 0).filter(|name| !name.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let settings = &options.settings;
        if settings.ignore_paths.iter().any(|pattern| run::fnmatch(pattern, &name)) {
            continue;
        }
        let bytes = git(&["show", &format!(":{name}")])?;
        let fullpath = Path::new(&top).join(&name).to_string_lossy().into_owned();
        match run::lint_bytes(&bytes, &name, &fullpath, settings, &dispatch) {
            Ok(file) => result.files.push(file),
            Err(err) => result.errors.push(err),
        }
    }
    Ok(result)
}

/// A problem in the shape every stage shares.
pub fn diagnostic(file: &FileResult, problem: &crate::rule::Problem) -> Diagnostic {
    let severity = match problem.kind {
        Kind::Error => Severity::Error,
        Kind::Warning => Severity::Warning,
        Kind::Fixed | Kind::Ignored => Severity::Info,
    };
    let message = match problem.kind {
        Kind::Fixed => format!("{} (fixed)", problem.message),
        Kind::Ignored => format!("{} (ignored)", problem.message),
        _ => problem.message.clone(),
    };
    let shown = file.path.strip_prefix("./").unwrap_or(&file.path);
    let mut diagnostic = Diagnostic::new(shown, Position::new(problem.line, problem.column), problem.check, severity, message);
    let help = match (&problem.reason, problem.kind) {
        (Some(reason), Kind::Ignored) => Some(format!("ignored by a control comment: {reason}")),
        (Some(reason), _) => Some(reason.clone()),
        (None, _) => crate::rules::RULES.get(problem.rule).filter(|_| problem.check != "syntax").map(|rule| format!("see `puppet-ci rule {}`", rule.meta().name)),
    };
    if let Some(help) = help {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// The run as a stage report: one case per file, failed when it has a problem that fails
/// the run; file errors are error cases.
pub fn stage_report(lint: &LintRun, started: Instant) -> StageReport {
    let mut report = StageReport::new("lint");
    for file in &lint.run.files {
        let diagnostics: Vec<Diagnostic> = file
            .lint
            .problems
            .iter()
            .filter(|problem| problem.kind != Kind::Ignored || lint.options.show_ignored)
            .map(|problem| diagnostic(file, problem))
            .collect();
        let failing = file.lint.problems.iter().find(|problem| {
            !lint.options.fail_on_nothing && (problem.kind == Kind::Error || (lint.options.fail_on_warnings && problem.kind == Kind::Warning))
        });
        let shown = file.path.strip_prefix("./").unwrap_or(&file.path);
        let mut case = match failing {
            Some(problem) => Case::new(shown, "lint", Outcome::failed(format!("{}: {}", problem.check, problem.message)))
                .with_location(Location { file: PathBuf::from(shown), line: problem.line, column: problem.column }),
            None => Case::new(shown, "lint", Outcome::Passed),
        };
        case = case.with_diagnostics(diagnostics);
        report.cases.push(case);
    }
    for error in &lint.run.errors {
        report.cases.push(Case::new(error_path(error), "lint", Outcome::error(error.to_string())));
    }
    report.duration = started.elapsed();
    report
}

fn error_path(error: &LintError) -> String {
    match error {
        LintError::Io { path, .. } | LintError::Encoding { path, .. } | LintError::Write { path, .. } | LintError::Config { path, .. } => {
            path.display().to_string()
        }
        LintError::Usage(_) | LintError::Git { .. } => "lint".to_string(),
    }
}

/// The lint stage of `puppet-ci all`: the control repo's manifests and modules, with the
/// control repo's `.puppet-lint.rc` and `lint:` section; paths shown relative to it.
pub fn stage(config: &Config) -> Result<StageReport, LintError> {
    let started = Instant::now();
    let invocation = Invocation { cwd: config.root.clone(), ..Invocation::default() };
    let mut options = resolve(&invocation, Some(config))?;
    options.settings.root = Some(config.root.clone());
    let mut run = run::lint_paths(&control_repo_paths(config), &options.settings);
    for file in &mut run.files {
        if let Ok(relative) = Path::new(&file.path).strip_prefix(&config.root) {
            file.path = relative.display().to_string();
        }
    }
    let warnings = Vec::new();
    Ok(stage_report(&LintRun { run, options, warnings }, started))
}

/// Whether a control repo has anything for the lint stage to lint.
pub fn has_work(config: &Config) -> bool {
    control_repo_paths(config).iter().any(|path| {
        if path.is_file() {
            return true;
        }
        walkdir::WalkDir::new(path).into_iter().filter_map(Result::ok).any(|entry| entry.file_type().is_file() && entry.path().extension().is_some_and(|ext| ext == "pp"))
    })
}
