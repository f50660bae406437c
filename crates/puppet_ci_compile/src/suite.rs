//! The case format of the differential compile suite (`fixtures/compile`): a folder of
//! cases, each a manifest (or a folder of manifests) with its settings in its first comment
//! lines, compiled with the suite's modules and Hiera layers. The differential test and the
//! speed benchmark read cases through this module.

use std::path::{Path, PathBuf};

use puppet_catalog::{CompileRequest, PuppetVersion};
use serde_json::{Map, Value};

use crate::{CompileOptions, SetupError, SharedFacts};

/// The fact sets every case is compiled against.
pub const FACT_SETS: [&str; 3] = ["debian-12-x86_64", "ubuntu-22.04-x86_64", "redhat-9-x86_64"];
/// The node of a case that names none.
pub const DEFAULT_NODE: &str = "web01.example.com";

/// Why a suite could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}: {message}", path.display())]
    Setting { path: PathBuf, message: String },
}

/// One case: its manifest and the settings of its header.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The file or folder name in `cases/`.
    pub name: String,
    pub manifest: PathBuf,
    /// `# @node: NAME`
    pub node: String,
    /// `# @class: NAME`, repeatable.
    pub classes: Vec<String>,
    /// `# @strict_variables`
    pub strict_variables: bool,
    /// `# @puppet_version: 8`
    pub puppet_version: PuppetVersion,
    /// `# @extensions: {JSON}`: trusted certificate extensions.
    pub extensions: Map<String, Value>,
}

impl Case {
    /// The request compiling this case against `fact_set`, with the suite in `root`
    /// (`modules/`, `global/hiera.yaml`, the environment layer in `root` itself).
    pub fn request(&self, root: &Path, fact_set: &str) -> Result<CompileRequest, SetupError> {
        self.request_sharing(root, fact_set, &SharedFacts::new())
    }

    /// [`Case::request`], with the fact hash of earlier requests of `shared` for the same
    /// fact set and node: what a run of the whole suite does.
    pub fn request_sharing(&self, root: &Path, fact_set: &str, shared: &SharedFacts) -> Result<CompileRequest, SetupError> {
        let options = CompileOptions {
            modulepath: vec![root.join("modules")],
            manifest: Some(self.manifest.clone()),
            classes: self.classes.clone(),
            node: Some(self.node.clone()),
            hiera_config: Some(root.join("global/hiera.yaml")),
            environment_dir: Some(root.to_owned()),
            strict_variables: self.strict_variables,
            puppet_version: self.puppet_version,
            ..CompileOptions::new(fact_set)
        };
        let mut request = shared.build_request(&options)?;
        request.trusted.extensions = self.extensions.clone();
        Ok(request)
    }
}

/// The cases of the suite in `root` (`root/cases/*.pp` and `root/cases/*/`), in name order.
pub fn cases(root: &Path) -> Result<Vec<Case>, SuiteError> {
    let folder = root.join("cases");
    let entries = std::fs::read_dir(&folder).map_err(|source| SuiteError::Read { path: folder.clone(), source })?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|source| SuiteError::Read { path: folder.clone(), source })?.path();
        if path.is_dir() || path.extension().is_some_and(|extension| extension == "pp") {
            paths.push(path);
        }
    }
    paths.sort();
    paths.iter().map(|path| read_case(path)).collect()
}

/// Reads one case; the header is in the case's file, or in the first file of its folder.
pub fn read_case(path: &Path) -> Result<Case, SuiteError> {
    let read_error = |source| SuiteError::Read { path: path.to_owned(), source };
    let header_file = if path.is_dir() {
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(path).map_err(read_error)?.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
        files.sort();
        files.into_iter().next().ok_or_else(|| SuiteError::Setting { path: path.to_owned(), message: "an empty case folder".to_owned() })?
    } else {
        path.to_owned()
    };
    let text = std::fs::read_to_string(&header_file).map_err(|source| SuiteError::Read { path: header_file.clone(), source })?;
    let mut case = Case {
        name: path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default(),
        manifest: path.to_owned(),
        node: DEFAULT_NODE.to_owned(),
        classes: Vec::new(),
        strict_variables: false,
        puppet_version: PuppetVersion::V7,
        extensions: Map::new(),
    };
    let setting_error = |message: String| SuiteError::Setting { path: header_file.clone(), message };
    for line in text.lines().take_while(|line| line.starts_with('#')) {
        let Some(setting) = line.strip_prefix("# @") else { continue };
        let (key, value) = setting.split_once(':').map_or((setting.trim(), ""), |(key, value)| (key.trim(), value.trim()));
        match key {
            "node" => case.node = value.to_owned(),
            "class" => case.classes.push(value.to_owned()),
            "strict_variables" => case.strict_variables = true,
            "puppet_version" => {
                case.puppet_version = value
                    .parse()
                    .ok()
                    .and_then(PuppetVersion::from_major)
                    .ok_or_else(|| setting_error(format!("@puppet_version must be 7 or 8, not {value:?}")))?;
            }
            "extensions" => {
                case.extensions = serde_json::from_str(value).map_err(|err| setting_error(format!("@extensions: {err}")))?;
            }
            other => return Err(setting_error(format!("unknown setting @{other}"))),
        }
    }
    Ok(case)
}
