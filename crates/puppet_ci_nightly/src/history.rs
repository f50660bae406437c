//! The history of nights: a folder of JSON files, one per night, named by its start time so
//! that they sort by date; each written whole (a temporary file renamed into place); the
//! oldest removed past a retention count.

use std::path::{Path, PathBuf};

use crate::night::Night;
use crate::NightlyError;

/// The folder of nights.
#[derive(Debug, Clone)]
pub struct History {
    pub folder: PathBuf,
}

impl History {
    pub fn new(folder: impl Into<PathBuf>) -> History {
        History { folder: folder.into() }
    }

    fn file_of(&self, night: &Night) -> PathBuf {
        self.folder.join(format!("{}.json", night.started.replace(':', "")))
    }

    /// Every night in the history, oldest first. A file that is not a night is an error
    /// naming it: the history is the tool's own and must stay readable.
    pub fn nights(&self) -> Result<Vec<Night>, NightlyError> {
        let entries = match std::fs::read_dir(&self.folder) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(NightlyError::Io { path: self.folder.clone(), source }),
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(&path).map_err(|source| NightlyError::Io { path: path.clone(), source })?;
                serde_json::from_str(&text).map_err(|err| NightlyError::History { path, message: err.to_string() })
            })
            .collect()
    }

    /// The last green night, the one drift is measured against.
    pub fn last_good(&self) -> Result<Option<Night>, NightlyError> {
        Ok(self.nights()?.into_iter().rev().find(|night| night.green))
    }

    /// Adds a night, then keeps the newest `keep` nights (and always the last green one, so
    /// drift keeps its reference through a run of red nights).
    pub fn record(&self, night: &Night, keep: usize) -> Result<PathBuf, NightlyError> {
        std::fs::create_dir_all(&self.folder).map_err(|source| NightlyError::Io { path: self.folder.clone(), source })?;
        let path = self.file_of(night);
        let text = serde_json::to_string_pretty(night).map_err(|err| NightlyError::History { path: path.clone(), message: err.to_string() })?;
        write_whole(&path, &text)?;
        let nights = self.nights()?;
        let last_good = nights.iter().rev().find(|night| night.green).map(|night| self.file_of(night));
        let excess = nights.len().saturating_sub(keep.max(1));
        for old in nights.iter().take(excess) {
            let file = self.file_of(old);
            if Some(&file) != last_good.as_ref() {
                std::fs::remove_file(&file).map_err(|source| NightlyError::Io { path: file.clone(), source })?;
            }
        }
        Ok(path)
    }
}

/// Writes a file whole: a temporary file beside it, synced, renamed into place.
pub(crate) fn write_whole(path: &Path, text: &str) -> Result<(), NightlyError> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let io = |source| NightlyError::Io { path: path.to_path_buf(), source };
    let mut temporary = tempfile::Builder::new().prefix(".night").tempfile_in(folder).map_err(io)?;
    std::io::Write::write_all(&mut temporary, text.as_bytes()).map_err(io)?;
    temporary.as_file().sync_all().map_err(io)?;
    temporary.persist(path).map_err(|err| io(err.error))?;
    Ok(())
}
