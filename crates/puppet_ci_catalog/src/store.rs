//! Content hashes of file trees: the module store's addresses, and the code part of the
//! catalog cache's keys.

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::{CatalogError, Result};

/// The SHA-256 of a tree: every file's path relative to `root`, whether it is executable,
/// and its content, in path order; symlinks are followed (a module linked into a
/// modulepath is hashed as what it links to). `skip` leaves out folders (`.git`, the cache).
pub(crate) fn hash_tree(root: &Path, skip: &(dyn Fn(&Path) -> bool + Sync)) -> Result<String> {
    let mut files: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut folders: Vec<PathBuf> = Vec::new();
    let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(|entry| !skip(entry.path()));
    for entry in walker {
        // A link to a folder above it (a module linked into its own fixtures) holds
        // nothing the walk has not seen: it counts by its place only.
        if let Err(error) = &entry {
            if let (Some(path), Some(_)) = (error.path(), error.loop_ancestor()) {
                folders.push(PathBuf::from(format!("loop {}", path.strip_prefix(root).unwrap_or(path).display())));
                continue;
            }
        }
        let entry = entry.map_err(|error| {
            let path = error.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
            CatalogError::Io { action: "read", path, source: error.into() }
        })?;
        let relative = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_path_buf();
        if entry.file_type().is_dir() {
            folders.push(relative);
        } else if entry.file_type().is_file() {
            files.push((relative, entry.path().to_path_buf()));
        }
    }
    let hashes: Vec<String> = files.par_iter().map(|(_, path)| hash_file(path)).collect::<Result<_>>()?;
    let mut hasher = Sha256::new();
    for folder in &folders {
        hasher.update(format!("d {}\n", folder.display()));
    }
    for ((relative, path), hash) in files.iter().zip(hashes) {
        hasher.update(format!("f {} {} {hash}\n", relative.display(), is_executable(path)));
    }
    Ok(hex::encode(hasher.finalize()))
}

fn hash_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(CatalogError::io("read", path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = file.read(&mut buffer).map_err(CatalogError::io("read", path))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|metadata| metadata.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_path: &Path) -> bool {
    false
}

/// The SHA-256 of a text, in hex.
pub(crate) fn hash_text(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Writes `text` to `path` whole: a temporary file in the same folder, renamed over it.
pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<()> {
    write_atomically_with(path, |file| std::io::Write::write_all(file, text.as_bytes()))
}

/// Writes `path` whole with `write`: a temporary file in the same folder, renamed over it
/// once `write` succeeded.
pub(crate) fn write_atomically_with(path: &Path, write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>) -> Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(CatalogError::io("create", folder))?;
    let mut temporary = tempfile::NamedTempFile::new_in(folder).map_err(CatalogError::io("write in", folder))?;
    write(temporary.as_file_mut()).map_err(CatalogError::io("write", path))?;
    temporary.persist(path).map_err(|error| CatalogError::Io { action: "write", path: path.to_path_buf(), source: error.error })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_follows_content_and_names_not_times() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree");
        std::fs::create_dir_all(tree.join("manifests")).unwrap();
        std::fs::write(tree.join("manifests/init.pp"), "class x {}\n").unwrap();
        let none = |_: &Path| false;
        let first = hash_tree(&tree, &none).unwrap();
        std::fs::write(tree.join("manifests/init.pp"), "class x {}\n").unwrap();
        assert_eq!(hash_tree(&tree, &none).unwrap(), first, "rewriting the same bytes changes nothing");
        std::fs::write(tree.join("manifests/init.pp"), "class x { }\n").unwrap();
        assert_ne!(hash_tree(&tree, &none).unwrap(), first);
        std::fs::write(tree.join("manifests/init.pp"), "class x {}\n").unwrap();
        std::os::unix::fs::symlink(&tree, tree.join("manifests/loop")).unwrap();
        let looped = hash_tree(&tree, &none).unwrap();
        assert_ne!(looped, first, "a link to an ancestor counts, by its place");
        std::fs::remove_file(tree.join("manifests/loop")).unwrap();
        std::fs::create_dir_all(tree.join(".git")).unwrap();
        std::fs::write(tree.join(".git/HEAD"), "ref").unwrap();
        assert_eq!(hash_tree(&tree, &|path: &Path| path.ends_with(".git")).unwrap(), first, "skipped folders do not count");
    }
}
