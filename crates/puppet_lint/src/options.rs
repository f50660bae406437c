//! puppet-lint's options, from its option files and from `puppet-ci.yaml`, applied in
//! puppet-lint's order: `/etc/puppet-lint.rc`, `~/.puppet-lint.rc`, `./.puppet-lint.rc`
//! (none with `--no-config`), then `puppet-ci.yaml`'s `lint:` section, then the command
//! line (each `-c FILE` read where it stands).
//!
//! An option file holds one argument per line, as Ruby's `OptionParser#load` reads it: a
//! value goes after `=` (`--only-checks=a,b`) or on the next line; lines that are not
//! options (comments, blank lines) are skipped; an unknown option is an error.

use std::path::{Path, PathBuf};

use puppet_ci_config::lint::{FailOn, Lint};

use crate::error::LintError;
use crate::rules::RULES;
use crate::settings::Settings;

/// One option, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `--only-checks a,b`.
    OnlyChecks(Vec<String>),
    /// `--<check>-check` (true) and `--no-<check>-check` (false).
    SetCheck(String, bool),
    Relative,
    FailOnWarnings,
    Fix,
    ShowIgnored,
    Json,
    IgnorePaths(Vec<String>),
    TopScopeVariables(Vec<String>),
    /// `-c FILE` / `--config FILE`: the file's options, read here.
    Config(PathBuf),
    /// Options of puppet-lint's that change only its own text output.
    Accepted(String),
}

/// Settings and the output options the actions set.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub settings: Settings,
    pub fail_on_warnings: bool,
    pub fail_on_nothing: bool,
    pub show_ignored: bool,
    pub json: bool,
}

impl Resolved {
    pub fn apply(&mut self, action: &Action) -> Result<(), LintError> {
        match action {
            Action::OnlyChecks(names) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                self.settings.only_checks(&names);
            }
            Action::SetCheck(name, enabled) => {
                if !self.settings.set_enabled(name, *enabled) {
                    return Err(usage(format!("unknown check {name:?} (`puppet-ci rule --list` lists the checks)")));
                }
            }
            Action::Relative => self.settings.relative = true,
            Action::FailOnWarnings => self.fail_on_warnings = true,
            Action::Fix => self.settings.fix = true,
            Action::ShowIgnored => self.show_ignored = true,
            Action::Json => self.json = true,
            Action::IgnorePaths(patterns) => self.settings.ignore_paths = patterns.clone(),
            Action::TopScopeVariables(names) => self.settings.top_scope_variables = names.clone(),
            Action::Config(path) => {
                for action in read_option_file(path)?.unwrap_or_default() {
                    self.apply(&action)?;
                }
            }
            Action::Accepted(_) => {}
        }
        Ok(())
    }

    /// `puppet-ci.yaml`'s `lint:` section.
    pub fn apply_section(&mut self, lint: &Lint) -> Result<(), LintError> {
        if let Some(only) = &lint.only_checks {
            self.apply(&Action::OnlyChecks(only.clone()))?;
        }
        for name in &lint.enable {
            self.apply(&Action::SetCheck(name.clone(), true))?;
        }
        for name in &lint.disable {
            self.apply(&Action::SetCheck(name.clone(), false))?;
        }
        self.settings.relative |= lint.relative;
        if let Some(patterns) = &lint.ignore_paths {
            self.settings.ignore_paths = patterns.clone();
        }
        if !lint.top_scope_variables.is_empty() {
            self.settings.top_scope_variables = lint.top_scope_variables.clone();
        }
        match lint.fail_on {
            FailOn::Error => {}
            FailOn::Warning => self.fail_on_warnings = true,
            FailOn::Nothing => self.fail_on_nothing = true,
        }
        Ok(())
    }
}

fn usage(message: String) -> LintError {
    LintError::Usage(message)
}

/// The option files puppet-lint reads, in its order.
pub fn default_option_files(cwd: &Path) -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("/etc/puppet-lint.rc")];
    if let Some(home) = std::env::var_os("HOME").filter(|home| !home.is_empty()) {
        files.push(PathBuf::from(home).join(".puppet-lint.rc"));
    }
    files.push(cwd.join(".puppet-lint.rc"));
    files
}

/// Reads an option file: `None` when it does not exist.
pub fn read_option_file(path: &Path) -> Result<Option<Vec<Action>>, LintError> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(err) if matches!(err.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => return Ok(None),
        Err(source) => return Err(LintError::Io { path: path.to_path_buf(), source }),
    };
    let lines: Vec<&str> = text.lines().collect();
    parse_args(&lines, false).map(Some).map_err(|(index, message)| LintError::Config { path: path.to_path_buf(), line: index + 1, message })
}

/// Parses puppet-lint's options. `Err` holds the index of the bad argument and why.
/// With `keep_operands` false, arguments that are not options are skipped (option files).
pub fn parse_args(args: &[&str], keep_operands: bool) -> Result<Vec<Action>, (usize, String)> {
    let mut actions = Vec::new();
    let mut index = 0;
    while index < args.len() {
        let arg = args[index];
        if !arg.starts_with('-') || arg == "-" {
            if keep_operands {
                return Err((index, format!("unexpected argument {arg:?}")));
            }
            index += 1;
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (arg, None),
        };
        let value = |index: &mut usize| -> Result<String, (usize, String)> {
            if let Some(value) = inline {
                return Ok(value.to_string());
            }
            *index += 1;
            args.get(*index).map(|value| value.to_string()).ok_or((*index - 1, format!("missing argument: {name}")))
        };
        let list = |value: String| value.split(',').map(str::to_string).collect::<Vec<String>>();
        let flag = |action: Action| if inline.is_some() { Err((index, format!("needless argument: {arg}"))) } else { Ok(action) };
        let action = match name {
            "--only-checks" => Action::OnlyChecks(list(value(&mut index)?)),
            "--ignore-paths" => Action::IgnorePaths(list(value(&mut index)?)),
            "--top-scope-variables" => Action::TopScopeVariables(list(value(&mut index)?)),
            "-c" | "--config" => Action::Config(PathBuf::from(value(&mut index)?)),
            "--relative" => flag(Action::Relative)?,
            "--fail-on-warnings" => flag(Action::FailOnWarnings)?,
            "-f" | "--fix" => flag(Action::Fix)?,
            "--show-ignored" => flag(Action::ShowIgnored)?,
            "--json" => flag(Action::Json)?,
            "--no-config" | "--with-context" | "--with-filename" => flag(Action::Accepted(name.to_string()))?,
            "--error-level" | "--log-format" => Action::Accepted(format!("{name}={}", value(&mut index)?)),
            _ => match check_toggle(name) {
                Some((check, enabled)) if inline.is_none() => Action::SetCheck(check, enabled),
                _ => return Err((index, format!("invalid option: {arg}"))),
            },
        };
        actions.push(action);
        index += 1;
    }
    Ok(actions)
}

/// `--no-<check>-check` or `--<check>-check` for a known check.
pub fn check_toggle(option: &str) -> Option<(String, bool)> {
    let body = option.strip_prefix("--")?.strip_suffix("-check")?;
    let (name, enabled) = match body.strip_prefix("no-") {
        Some(name) => (name, false),
        None => (body, true),
    };
    RULES.iter().any(|rule| rule.meta().name == name).then(|| (name.to_string(), enabled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_file_lines_are_arguments() {
        let actions = parse_args(&["--only-checks=documentation", "# comment", "", "--relative", "--no-80chars-check", "--ignore-paths", "a/*"], false).unwrap();
        assert_eq!(
            actions,
            [
                Action::OnlyChecks(vec!["documentation".into()]),
                Action::Relative,
                Action::SetCheck("80chars".into(), false),
                Action::IgnorePaths(vec!["a/*".into()]),
            ]
        );
    }

    #[test]
    fn a_value_with_a_space_is_not_an_option() {
        // puppet-lint: "invalid option: --only-checks arrow_alignment".
        let err = parse_args(&["--relative", "--only-checks arrow_alignment"], false).unwrap_err();
        assert_eq!(err, (1, "invalid option: --only-checks arrow_alignment".to_string()));
        assert_eq!(parse_args(&["--no-bogus-check"], false).unwrap_err().1, "invalid option: --no-bogus-check");
        assert_eq!(parse_args(&["--only-checks"], false).unwrap_err().1, "missing argument: --only-checks");
    }
}
