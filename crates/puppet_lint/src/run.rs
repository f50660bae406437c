//! Linting many paths: finds the files as puppet-lint does (a folder means its `.pp`
//! files, then its `.yaml` and `.yml` files, hidden folders skipped), lints them in
//! parallel, and with `--fix` writes each fixed file whole (a temporary file renamed
//! over it).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::engine::{lint_source, Dispatch, FileLint};
use crate::error::LintError;
use crate::settings::Settings;
use crate::yaml;

/// One linted file.
#[derive(Debug)]
pub struct FileResult {
    /// The path as puppet-lint prints it (`./dir/file.pp` for a folder given as `.`).
    pub path: String,
    /// The absolute path.
    pub fullpath: String,
    pub lint: FileLint,
    /// The file's text, for renderers that show the source line.
    pub source: String,
}

/// What a run found: the files linted, and what could not be read or written.
#[derive(Debug, Default)]
pub struct RunResult {
    pub files: Vec<FileResult>,
    pub errors: Vec<LintError>,
}

/// Lints the paths (files, or folders searched recursively), in parallel. With `--fix`,
/// fixed files are written back whole. A path that does not exist, a file that cannot be
/// read or is not UTF-8 is an error of the run; the other files are still linted.
pub fn lint_paths(paths: &[PathBuf], settings: &Settings) -> RunResult {
    let mut run = RunResult::default();
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(source) => {
            run.errors.push(LintError::Io { path: PathBuf::from("."), source });
            return run;
        }
    };
    let mut files = Vec::new();
    for path in paths {
        if let Err(err) = collect(path, settings, &mut files) {
            run.errors.push(err);
        }
    }
    let dispatch = Dispatch::new(settings);
    let results: Vec<Result<FileResult, LintError>> = files
        .par_iter()
        .map(|path| {
            let result = lint_file(path, &cwd, settings, &dispatch)?;
            if let Some(fixed) = &result.lint.fixed {
                write_atomically(path, fixed)?;
            }
            Ok(result)
        })
        .collect();
    for result in results {
        match result {
            Ok(file) => run.files.push(file),
            Err(err) => run.errors.push(err),
        }
    }
    run
}

/// Lints one file's bytes as found at `path`.
pub fn lint_file(path: &Path, cwd: &Path, settings: &Settings, dispatch: &Dispatch) -> Result<FileResult, LintError> {
    let bytes = std::fs::read(path).map_err(|source| LintError::Io { path: path.to_path_buf(), source })?;
    let shown = path.to_string_lossy().into_owned();
    let fullpath = expand_path(path, cwd).to_string_lossy().into_owned();
    lint_bytes(&bytes, &shown, &fullpath, settings, dispatch)
}

/// Writes a file whole: a temporary file next to it, renamed over it, so a reader (or an
/// interrupted run) never sees half a file. The file keeps its permissions; through a
/// symlink, the file it points to is written.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), LintError> {
    let error = |source| LintError::Write { path: path.to_path_buf(), source };
    // A symlink stays a symlink: the file it points to is replaced.
    let target = std::fs::canonicalize(path).map_err(error)?;
    let path = target.as_path();
    let dir = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.puppet-ci-fix.{}", std::process::id()));
    let permissions = std::fs::metadata(path).map_err(error)?.permissions();
    std::fs::write(&temporary, text).map_err(error)?;
    let renamed = std::fs::set_permissions(&temporary, permissions).and_then(|()| std::fs::rename(&temporary, path));
    if let Err(source) = renamed {
        let _ = std::fs::remove_file(&temporary);
        return Err(error(source));
    }
    Ok(())
}

/// Lints the bytes of a file (`shown` is its path as given, `fullpath` its absolute path).
pub fn lint_bytes(bytes: &[u8], shown: &str, fullpath: &str, settings: &Settings, dispatch: &Dispatch) -> Result<FileResult, LintError> {
    // An SELinux policy package (also `.pp`) starts with 0xf97cff8f: puppet-lint reads it
    // as an empty manifest.
    let bytes = if bytes.starts_with(&[0x8f, 0xff, 0x7c, 0xf9]) { &[][..] } else { bytes };
    let source = std::str::from_utf8(bytes).map_err(|err| LintError::Encoding {
        path: PathBuf::from(shown),
        offset: err.valid_up_to(),
        line: bytes[..err.valid_up_to()].iter().filter(|byte| **byte == b'\n').count() + 1,
    })?;
    let lint = if is_yaml(shown) { yaml::lint_yaml(source, settings) } else { lint_source(source, shown, fullpath, settings, dispatch) };
    Ok(FileResult { path: shown.to_string(), fullpath: fullpath.to_string(), lint, source: source.to_string() })
}

fn is_yaml(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// Ruby's `File.expand_path(path, cwd)`: absolute, `.` and `..` resolved without
/// following links.
pub fn expand_path(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Adds the files to lint under `path`: the path itself when it is a file, else its
/// `**/*.pp` files then its `**/*.{yaml,yml}` files (hidden entries skipped, as Ruby's
/// `Dir.glob` skips them), minus `ignore_paths`.
fn collect(path: &Path, settings: &Settings, files: &mut Vec<PathBuf>) -> Result<(), LintError> {
    let metadata = std::fs::metadata(path).map_err(|source| LintError::Io { path: path.to_path_buf(), source })?;
    if !metadata.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut manifests = Vec::new();
    let mut data = Vec::new();
    let walker = walkdir::WalkDir::new(path).sort_by_file_name().into_iter().filter_entry(|entry| {
        entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
    });
    for entry in walker {
        let entry = entry.map_err(|err| LintError::Io {
            path: err.path().unwrap_or(path).to_path_buf(),
            source: err.into_io_error().unwrap_or_else(|| std::io::Error::other("file system loop")),
        })?;
        // Symlinks are linted as what they point to (a broken one is a read error, as in
        // puppet-lint); folders they point to are not walked.
        if entry.file_type().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        // Patterns match the path as shown: as walked, or from the control repo's root.
        let relative = settings.root.as_deref().and_then(|root| entry.path().strip_prefix(root).ok()).unwrap_or(entry.path());
        let shown = relative.to_string_lossy();
        if settings.ignore_paths.iter().any(|pattern| fnmatch(pattern, &shown)) {
            continue;
        }
        if name.ends_with(".pp") {
            manifests.push(entry.into_path());
        } else if settings.yaml && (name.ends_with(".yaml") || name.ends_with(".yml")) {
            data.push(entry.into_path());
        }
    }
    files.extend(manifests);
    files.extend(data);
    Ok(())
}

/// Ruby's `File.fnmatch(pattern, path)` without flags: `*` and `**` match anything
/// (slashes too), `?` one character, `[...]` a class.
pub fn fnmatch(pattern: &str, text: &str) -> bool {
    fn matches(pattern: &[char], text: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some(('*', rest)) => (0..=text.len()).any(|skip| matches(rest, &text[skip..])),
            Some(('?', rest)) => !text.is_empty() && matches(rest, &text[1..]),
            Some(('[', rest)) => {
                let Some(close) = rest.iter().position(|ch| *ch == ']') else {
                    return text.first() == Some(&'[') && matches(rest, &text[1..]);
                };
                let Some(first) = text.first() else { return false };
                let (negate, class) = match rest[..close].split_first() {
                    Some(('^' | '!', class)) => (true, class),
                    _ => (false, &rest[..close]),
                };
                let mut found = false;
                let mut index = 0;
                while index < class.len() {
                    if index + 2 < class.len() && class[index + 1] == '-' {
                        found |= (class[index]..=class[index + 2]).contains(first);
                        index += 3;
                    } else {
                        found |= class[index] == *first;
                        index += 1;
                    }
                }
                found != negate && matches(&rest[close + 1..], &text[1..])
            }
            Some(('\\', rest)) if !rest.is_empty() => text.first() == Some(&rest[0]) && matches(&rest[1..], &text[1..]),
            Some((ch, rest)) => text.first() == Some(ch) && matches(rest, &text[1..]),
        }
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    matches(&pattern, &text)
}
