//! Finding the files to validate.

use std::path::{Path, PathBuf};

use crate::hiera::Layer;
use crate::ValidateError;

/// What a file is, for validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Manifest,
    Epp,
    Erb,
    Metadata,
    HieraConfig(Layer),
    HieraData,
}

impl FileKind {
    /// What a file found in a folder walk is; `None` for files validate does not check.
    pub fn of(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        let extension = path.extension().and_then(|extension| extension.to_str()).unwrap_or("");
        match (name, extension) {
            (_, "pp") => Some(FileKind::Manifest),
            (_, "epp") => Some(FileKind::Epp),
            (_, "erb") => Some(FileKind::Erb),
            ("metadata.json", _) => Some(FileKind::Metadata),
            ("hiera.yaml", _) => Some(FileKind::HieraConfig(layer_of(path))),
            (_, "yaml" | "yml" | "eyaml" | "json") if in_hiera_data(path) => Some(FileKind::HieraData),
            _ => None,
        }
    }

    /// What a file named on the command line is: anything else is read as a manifest.
    pub fn of_argument(path: &Path) -> FileKind {
        let extension = path.extension().and_then(|extension| extension.to_str()).unwrap_or("");
        FileKind::of(path).unwrap_or(match extension {
            "yaml" | "yml" | "eyaml" | "json" => FileKind::HieraData,
            _ => FileKind::Manifest,
        })
    }
}

/// A `hiera.yaml` beside a `metadata.json` configures a module's layer; others an
/// environment's.
fn layer_of(path: &Path) -> Layer {
    match path.parent() {
        Some(folder) if folder.join("metadata.json").is_file() => Layer::Module,
        _ => Layer::Environment,
    }
}

/// True for a file under the `data` folder beside a `hiera.yaml`.
fn in_hiera_data(path: &Path) -> bool {
    path.ancestors().skip(1).any(|folder| folder.file_name().is_some_and(|name| name == "data") && folder.parent().is_some_and(|parent| parent.join("hiera.yaml").is_file()))
}

/// Adds `path` if it is a file (whatever its name: the user asked for it), or every file
/// under it that validate checks ([`FileKind::of`]), sorted so the output is stable. Hidden
/// folders (`.git`) are skipped; symlinks are followed, and a symlink loop is an error
/// naming it.
pub fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), ValidateError> {
    let metadata = std::fs::metadata(path).map_err(|source| ValidateError::Io { path: path.to_path_buf(), source })?;
    if metadata.is_file() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    if !metadata.is_dir() {
        return Err(ValidateError::NotFileOrFolder { path: path.to_path_buf(), kind: kind(&metadata) });
    }
    let walker = walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let at = err.path().unwrap_or(path).to_path_buf();
                if let Some(ancestor) = err.loop_ancestor() {
                    return Err(ValidateError::SymlinkLoop { path: at, ancestor: ancestor.to_path_buf() });
                }
                // A dangling link that is not Puppet code is none of validate's business.
                if FileKind::of(&at).is_none() && std::fs::symlink_metadata(&at).is_ok_and(|metadata| metadata.file_type().is_symlink()) {
                    continue;
                }
                let source = err.into_io_error().unwrap_or_else(|| std::io::Error::other("cannot walk the folder"));
                return Err(ValidateError::Io { path: at, source });
            }
        };
        if entry.file_type().is_file() && FileKind::of(entry.path()).is_some() {
            files.push(entry.into_path());
        }
    }
    Ok(())
}

#[cfg(unix)]
fn kind(metadata: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let file_type = metadata.file_type();
    if file_type.is_fifo() {
        "FIFO"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_char_device() {
        "character device"
    } else if file_type.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn kind(_metadata: &std::fs::Metadata) -> &'static str {
    "special file"
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn collect(path: &Path) -> Result<Vec<PathBuf>, ValidateError> {
        let mut files = Vec::new();
        collect_files(path, &mut files).map(|()| files)
    }

    #[test]
    fn symlinked_files_and_folders_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(elsewhere.join("inner")).unwrap();
        std::fs::write(elsewhere.join("broken.pp"), "{").unwrap();
        std::fs::write(elsewhere.join("inner/x.pp"), "").unwrap();
        let tree = dir.path().join("tree");
        std::fs::create_dir(&tree).unwrap();
        symlink(elsewhere.join("broken.pp"), tree.join("link.pp")).unwrap();
        symlink(elsewhere.join("inner"), tree.join("linked")).unwrap();
        symlink(dir.path().join("nowhere"), tree.join("dangling")).unwrap();
        let found = collect(&tree).unwrap();
        assert_eq!(found, [tree.join("link.pp"), tree.join("linked/x.pp")]);
    }

    #[test]
    fn loops_and_dangling_manifests_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        symlink(dir.path(), dir.path().join("a/up")).unwrap();
        let err = collect(dir.path()).unwrap_err();
        assert!(matches!(err, ValidateError::SymlinkLoop { .. }), "{err}");
        assert!(err.to_string().contains("a symlink loop"), "{err}");

        let other = tempfile::tempdir().unwrap();
        symlink(other.path().join("gone.pp"), other.path().join("site.pp")).unwrap();
        let err = collect(other.path()).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{}: ", other.path().join("site.pp").display())), "{err}");
    }

    #[test]
    fn a_fifo_argument_is_an_error_not_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.pp");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let err = collect(&fifo).unwrap_err();
        assert_eq!(err.to_string(), format!("{}: not a file or folder of Puppet code (a FIFO)", fifo.display()));
        let missing = collect(&dir.path().join("missing")).unwrap_err();
        assert!(missing.to_string().contains("No such file"), "{missing}");
    }
}
