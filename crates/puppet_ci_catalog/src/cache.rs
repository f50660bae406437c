//! Compile results kept between runs, under the control repo's `.puppet-ci/cache`, keyed
//! by a hash of the code (every file of the control repo and its modulepath but the
//! module tests' files and snapshots), the request (node, facts, trusted facts, settings)
//! and the engines' versions. A pair whose key is unchanged is not compiled again. Only a
//! catalog (with its graph findings, so that a cached run reads the catalog only when a
//! check needs it) or a compile error of the user's code is kept; a run that could not
//! finish writes nothing.
//!
//! Every key of one code hash and engine lives in one pack file, `catalogs/BASE.pack`
//! (creating a file per catalog was most of a cold run's CPU time, in the kernel):
//!
//! ```text
//! puppet-ci catalog pack 1
//! INDEX_LENGTH FILE_LENGTH
//! {"KEY": {"entry": ENTRY, "catalog": [OFFSET, LENGTH]}, ...}
//! CATALOG JSON CATALOG JSON ...
//! ```
//!
//! The index (entries with their findings) is read when the cache opens; a catalog, at
//! its offset after the index, only when asked for. A run that compiled something writes
//! the whole pack again (the entries it read, their catalogs copied as bytes, and the new
//! ones) to a temporary file renamed over the old one. A pack that does not read (another
//! format, a torn or truncated file) counts as empty: everything in it is compiled again.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use puppet_catalog::{Catalog, CompileError};
use puppet_ci_compile::EngineChoice;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::project::Project;
use crate::store::{hash_text, hash_tree, write_atomically_with};
use crate::{Result, CACHE_DIR};

/// Bumped when what is stored, or what decides a result, changes shape.
const FORMAT: &str = "puppet-ci catalog cache 2";

/// The first line of a pack file.
const PACK_HEADER: &str = "puppet-ci catalog pack 1";

/// One compile's result as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub engine: String,
    #[serde(default)]
    pub note: Option<String>,
    pub seconds: f64,
    pub outcome: Stored,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Stored {
    /// A catalog (in the pack, after the index) and what the graph checks found.
    Compiled { findings: Vec<crate::graph::Finding> },
    CompileError(CompileError),
}

/// An entry of a pack's index: the entry, and where its catalog is in the data after
/// the index (offset and length in bytes).
#[derive(Serialize, Deserialize)]
struct Packed {
    entry: Entry,
    #[serde(default)]
    catalog: Option<(u64, u64)>,
}

/// A pack as read: its index, and the open file its catalogs are read from.
struct Pack {
    index: HashMap<String, Packed>,
    file: Mutex<std::fs::File>,
    /// Where the catalogs start in the file.
    data_start: u64,
}

pub(crate) struct Cache {
    /// None: caching is off (`--no-cache`).
    dir: Option<PathBuf>,
    /// What every key of this run shares: the code and the engines; the pack's name.
    base: String,
    /// The pack of `base` as the run found it; None when there is none or it does not read.
    pack: Option<Pack>,
}

/// A result to keep: its key, its entry and its catalog.
pub(crate) struct NewEntry<'a> {
    pub key: &'a str,
    pub entry: Entry,
    pub catalog: Option<&'a Catalog>,
}

impl Cache {
    /// The cache of `project` for `choice`; `enabled: false` reads and writes nothing but
    /// still computes nothing expensive.
    pub fn open(project: &Project, choice: EngineChoice, enabled: bool) -> Result<Cache> {
        if !enabled {
            return Ok(Cache { dir: None, base: String::new(), pack: None });
        }
        let code = code_hash(project)?;
        let base = hash_text(&format!("{FORMAT}\n{code}\n{}\n", engine_fingerprint(choice)));
        let dir = project.root.join(CACHE_DIR).join("catalogs");
        let pack = read_pack(&pack_path(&dir, &base));
        Ok(Cache { dir: Some(dir), base, pack })
    }

    /// The key of a compile described by `request` (everything the request is made of).
    pub fn key(&self, request: &str) -> String {
        if self.dir.is_none() {
            return String::new();
        }
        hash_text(&format!("{}\n{request}", self.base))
    }

    pub fn get(&self, key: &str) -> Option<Entry> {
        Some(self.pack.as_ref()?.index.get(key)?.entry.clone())
    }

    /// The catalog kept with an entry; None when it does not read (the key is compiled
    /// again).
    pub fn get_catalog(&self, key: &str) -> Option<Catalog> {
        let pack = self.pack.as_ref()?;
        let (offset, length) = pack.index.get(key)?.catalog?;
        let bytes = pack.read(offset, length)?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Writes the pack again with `new` added to what it held; nothing when `new` is empty.
    pub fn put_all(&self, new: Vec<NewEntry<'_>>) -> Result<()> {
        let Some(dir) = &self.dir else { return Ok(()) };
        if new.is_empty() {
            return Ok(());
        }
        let catalogs: Vec<Option<String>> = new.par_iter().map(|new| new.catalog.map(Catalog::to_json)).collect();
        let mut index: BTreeMap<String, Packed> = BTreeMap::new();
        // The catalogs in the order they follow the index, each written as it is (no copy
        // of them all in one buffer).
        let mut data: Vec<Vec<u8>> = Vec::with_capacity(new.len());
        let mut data_length = 0u64;
        let mut place_of = |bytes: Vec<u8>| {
            let place = (data_length, bytes.len() as u64);
            data_length += bytes.len() as u64;
            data.push(bytes);
            place
        };
        for (new, catalog) in new.iter().zip(catalogs) {
            if index.contains_key(new.key) {
                continue;
            }
            let catalog = catalog.map(|json| place_of(json.into_bytes()));
            index.insert(new.key.to_string(), Packed { entry: new.entry.clone(), catalog });
        }
        if let Some(pack) = &self.pack {
            // What the pack held stays, its catalogs copied as they are. One that does not
            // read any more is left out: it is compiled again next time.
            let mut kept: Vec<(&String, &Packed)> = pack.index.iter().filter(|(key, _)| !index.contains_key(key.as_str())).collect();
            kept.sort_by_key(|(_, packed)| packed.catalog.map_or(0, |(offset, _)| offset));
            for (key, packed) in kept {
                let catalog = match packed.catalog {
                    None => None,
                    Some((offset, length)) => {
                        let Some(bytes) = pack.read(offset, length) else { continue };
                        Some(place_of(bytes))
                    }
                };
                index.insert(key.clone(), Packed { entry: packed.entry.clone(), catalog });
            }
        }
        let index = serde_json::to_string(&index).expect("an index serializes");
        let path = pack_path(dir, &self.base);
        write_atomically_with(&path, |file| {
            // The lengths line holds the total length, so its own length is part of it.
            let without_lengths = PACK_HEADER.len() + 1 + index.len() + data_length as usize;
            let lengths = pack_lengths(index.len(), without_lengths);
            let mut file = std::io::BufWriter::new(file);
            std::io::Write::write_all(&mut file, format!("{PACK_HEADER}\n{lengths}").as_bytes())?;
            std::io::Write::write_all(&mut file, index.as_bytes())?;
            for bytes in &data {
                std::io::Write::write_all(&mut file, bytes)?;
            }
            std::io::Write::flush(&mut file)
        })
    }
}

/// The second line of a pack: the index's length and the whole file's length, which
/// includes this line.
fn pack_lengths(index_length: usize, rest: usize) -> String {
    let mut total = rest;
    loop {
        let line = format!("{index_length} {total}\n");
        if rest + line.len() == total {
            return line;
        }
        total = rest + line.len();
    }
}

fn pack_path(dir: &Path, base: &str) -> PathBuf {
    dir.join(format!("{base}.pack"))
}

impl Pack {
    /// `length` bytes of the data at `offset`; None when the file is shorter.
    fn read(&self, offset: u64, length: u64) -> Option<Vec<u8>> {
        let mut bytes = vec![0u8; usize::try_from(length).ok()?];
        let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        file.seek(SeekFrom::Start(self.data_start.checked_add(offset)?)).ok()?;
        file.read_exact(&mut bytes).ok()?;
        Some(bytes)
    }
}

/// The pack at `path`; None when there is none, or it is of another format, truncated or
/// torn.
fn read_pack(path: &Path) -> Option<Pack> {
    let mut file = std::fs::File::open(path).ok()?;
    let file_length = file.metadata().ok()?.len();
    let mut reader = std::io::BufReader::new(&mut file);
    let mut header = String::new();
    std::io::BufRead::read_line(&mut reader, &mut header).ok()?;
    if header.trim_end() != PACK_HEADER {
        return None;
    }
    let mut lengths = String::new();
    std::io::BufRead::read_line(&mut reader, &mut lengths).ok()?;
    let (index_length, total) = lengths.trim_end().split_once(' ')?;
    let (index_length, total): (u64, u64) = (index_length.parse().ok()?, total.parse().ok()?);
    // A damaged lengths line must not make room for more than the file holds.
    if total != file_length || index_length > file_length {
        return None;
    }
    let mut index = vec![0u8; usize::try_from(index_length).ok()?];
    reader.read_exact(&mut index).ok()?;
    let index: HashMap<String, Packed> = serde_json::from_slice(&index).ok()?;
    let data_start = (header.len() + lengths.len()) as u64 + index_length;
    let data_length = file_length.checked_sub(data_start)?;
    if index.values().filter_map(|packed| packed.catalog).any(|(offset, length)| offset.checked_add(length).is_none_or(|end| end > data_length)) {
        return None;
    }
    Some(Pack { index, file: Mutex::new(file), data_start })
}

/// The hash of everything a compile reads: the control repo (without `.git` and the
/// cache) and every modulepath folder outside it (the module store, linked checkouts).
fn code_hash(project: &Project) -> Result<String> {
    let cache = project.root.join(CACHE_DIR);
    // `.puppet-ci` holds the cache and release artifacts: nothing a compile reads.
    let own = project.root.join(".puppet-ci");
    // The tests' files and snapshots are read by the evaluation, not by a compile: writing
    // a snapshot does not compile everything again.
    let skip = |path: &Path| {
        let is_snapshots = || path.file_name().is_some_and(|name| name == "snapshots") && path.parent().is_some_and(|module| module.join(crate::TESTS_FILE).is_file());
        path == own || path.file_name().is_some_and(|name| name == ".git" || name == crate::TESTS_FILE) || is_snapshots()
    };
    let mut parts = vec![format!("root {}", hash_tree(&project.root, &skip)?)];
    for folder in &project.modulepath {
        if !folder.starts_with(&project.root) || folder.starts_with(&cache) {
            parts.push(format!("modulepath {} {}", folder.display(), hash_tree(folder, &skip)?));
        }
    }
    Ok(hash_text(&parts.join("\n")))
}

/// What identifies the engines: this puppet-ci binary (the native engine and the Puppet
/// worker script are in it) and, when Puppet may compile, the installed Puppet's version
/// file, found without starting Ruby.
fn engine_fingerprint(choice: EngineChoice) -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            let metadata = std::fs::metadata(&exe).ok()?;
            let modified = metadata.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
            Some(format!("{} {} {}.{}", exe.display(), metadata.len(), modified.as_secs(), modified.subsec_nanos()))
        })
        .unwrap_or_else(|| "unknown binary".to_string());
    let puppet = match choice {
        EngineChoice::Native => String::new(),
        EngineChoice::Auto | EngineChoice::Puppet => puppet_version_file(),
    };
    format!("{} {binary}\n{puppet}", env!("CARGO_PKG_VERSION"))
}

/// The text of Puppet's `version.rb` where Debian and Puppet's own packages put it.
fn puppet_version_file() -> String {
    const PLACES: [&str; 3] = [
        "/usr/lib/ruby/vendor_ruby/puppet/version.rb",
        "/opt/puppetlabs/puppet/lib/ruby/vendor_ruby/puppet/version.rb",
        "/usr/local/lib/site_ruby/puppet/version.rb",
    ];
    PLACES.iter().find_map(|place| std::fs::read_to_string(place).ok()).map(|text| hash_text(&text)).unwrap_or_else(|| "puppet version unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(name: &str) -> Catalog {
        let json = format!(r#"{{"tags": [], "name": "{name}", "version": 1, "code_id": null, "catalog_uuid": null, "catalog_format": 2, "environment": "production", "resources": [], "edges": [], "classes": []}}"#);
        serde_json::from_str(&json).unwrap()
    }

    fn entry(outcome: Stored) -> Entry {
        Entry { engine: "native".into(), note: None, seconds: 0.5, outcome }
    }

    fn open(dir: &Path) -> Cache {
        Cache { dir: Some(dir.to_path_buf()), base: "base".into(), pack: read_pack(&pack_path(dir, "base")) }
    }

    #[test]
    fn a_pack_keeps_what_it_held_and_anything_torn_is_a_miss() {
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path().join("catalogs");
        let (one, two) = (catalog("one"), catalog("two"));
        open(&dir).put_all(vec![NewEntry { key: "k1", entry: entry(Stored::Compiled { findings: Vec::new() }), catalog: Some(&one) }]).unwrap();
        let error = CompileError::new("no such class".to_string());
        open(&dir).put_all(vec![NewEntry { key: "k2", entry: entry(Stored::CompileError(error)), catalog: None }, NewEntry { key: "k3", entry: entry(Stored::Compiled { findings: Vec::new() }), catalog: Some(&two) }]).unwrap();
        let cache = open(&dir);
        assert_eq!(cache.get_catalog("k1"), Some(one), "the first run's catalog was copied into the second pack");
        assert_eq!(cache.get_catalog("k3"), Some(two));
        assert!(matches!(cache.get("k2").map(|entry| entry.outcome), Some(Stored::CompileError(_))));
        assert!(cache.get("k4").is_none());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "one file, no temporary left");
        drop(cache);

        let path = pack_path(&dir, "base");
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() - 3]).unwrap();
        assert!(open(&dir).get("k1").is_none(), "a truncated pack is empty");
        std::fs::write(&path, whole.iter().map(|&byte| if byte == b'{' { b'[' } else { byte }).collect::<Vec<u8>>()).unwrap();
        assert!(open(&dir).get("k1").is_none(), "a pack whose index does not read is empty");
        let mut torn = whole.clone();
        let last = torn.len() - 2;
        torn[last] = b'#';
        std::fs::write(&path, &torn).unwrap();
        let cache = open(&dir);
        let torn_key = ["k1", "k3"].into_iter().find(|key| cache.get_catalog(key).is_none()).expect("the catalog at the end no longer reads");
        assert!(cache.get(torn_key).is_some(), "its entry still does: the run compiles it again for its catalog");
        std::fs::write(&path, b"").unwrap();
        assert!(open(&dir).get("k1").is_none());
        // A lengths line that claims an index of a petabyte in a file of a few bytes.
        let rest = PACK_HEADER.len() + 1 + "{}".len();
        std::fs::write(&path, format!("{PACK_HEADER}\n{}{{}}", pack_lengths(1 << 50, rest))).unwrap();
        assert!(open(&dir).get("k1").is_none(), "an index longer than the file is not read");
    }
}
