//! Writing a report file: whole or not at all for regular files, straight through for
//! devices, pipes and `/dev/stdout`, and through a symlink to its target.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the report {}: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Writes `text` to `path`.
///
/// - A regular file (or a new one) is written to a temporary file beside it and renamed
///   into place, so a reader never sees half a report and a failed write leaves the old one.
/// - A device, pipe or socket (`/dev/stdout`, `/dev/fd/63` of `>(...)`, a FIFO) is written
///   straight into: replacing it with a file would break it.
/// - A symlink is followed: its target gets the report, the link stays.
pub fn write_report(path: &Path, text: &str) -> Result<(), WriteError> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    // /dev/stdout resolves to the file the shell redirected stdout to: writing it through a
    // rename would swap the file under the shell's open descriptor and lose the output.
    if path.starts_with("/dev") || path.starts_with("/proc") {
        return write_through(path, text).map_err(fail(path));
    }
    let target = resolve_symlinks(path).map_err(fail(path))?;
    match std::fs::metadata(&target) {
        Ok(metadata) if !metadata.is_file() && !metadata.is_dir() => write_through(&target, text).map_err(fail(path)),
        Ok(metadata) if metadata.is_dir() => Err(WriteError { path: path.to_path_buf(), source: std::io::Error::other("it is a folder") }),
        _ => write_whole(&target, text).map_err(fail(path)),
    }
}

fn write_through(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temporary = tempfile::Builder::new().prefix(".puppet-ci-report").tempfile_in(dir)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    // Keep the permissions an existing report had (tempfile makes files 0600).
    let mode = std::fs::metadata(path).map(|metadata| metadata.permissions()).ok();
    let file = temporary.persist(path).map_err(|err| err.error)?;
    match mode {
        Some(permissions) => file.set_permissions(permissions),
        None => set_default_permissions(&file),
    }
}

#[cfg(unix)]
fn set_default_permissions(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_default_permissions(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Follows symlinks (also dangling ones, whose target will be created), with a limit
/// against loops.
fn resolve_symlinks(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_replaced_whole_and_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/report.json");
        write_report(&path, "one").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o644);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_report(&path, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        // Nothing else left in the folder.
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn symlinks_are_followed_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.xml");
        let link = dir.path().join("link.xml");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink("real.xml", &link).unwrap();
        write_report(&link, "new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // A dangling link gets its target created.
        let dangling = dir.path().join("dangling.xml");
        std::os::unix::fs::symlink("created.xml", &dangling).unwrap();
        write_report(&dangling, "made").unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("created.xml")).unwrap(), "made");
    }

    #[test]
    fn fifos_and_devices_are_written_into() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_report(&fifo, "through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        write_report(Path::new("/dev/null"), "gone").unwrap();
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
        let full = write_report(Path::new("/dev/full"), "no room").unwrap_err();
        assert!(full.to_string().starts_with("cannot write the report /dev/full: "), "{full}");
    }

    #[test]
    fn unwritable_places_are_errors_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_report(dir.path(), "x").unwrap_err();
        assert!(err.to_string().contains("it is a folder"), "{err}");
    }
}
