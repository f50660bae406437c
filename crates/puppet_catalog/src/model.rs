//! The catalog as puppetserver sends it to an agent: `Puppet::Resource::Catalog#to_data_hash`
//! in JSON. The field order of every struct is Puppet's, so a catalog read from Puppet and
//! written back is the same JSON.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A compiled catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Every tag of every resource of the catalog, as Puppet collects them.
    pub tags: Vec<String>,
    /// The node's name (its certname).
    pub name: String,
    /// The catalog version: Puppet uses the compile time in seconds, or the output of the
    /// environment's `config_version` script (a string). Dropped by [`crate::normalize`].
    pub version: Value,
    /// The code id of a static catalog; `null` otherwise. Dropped by [`crate::normalize`].
    pub code_id: Option<String>,
    /// A random id per compile. Dropped by [`crate::normalize`].
    pub catalog_uuid: Option<String>,
    /// The format version of this JSON; 2 for Puppet 7 and 8.
    pub catalog_format: u32,
    pub environment: String,
    /// The resources in the order the compiler added them.
    pub resources: Vec<Resource>,
    /// The containment edges (`Class[Foo]` contains `File[/x]`); relationships such as
    /// `before` are parameters of the resources, not edges.
    pub edges: Vec<Edge>,
    /// The names of the classes evaluated for the node, lower case.
    pub classes: Vec<String>,
    /// Metadata of a static catalog (file checksums); absent in compiled catalogs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive_metadata: Option<Value>,
}

impl Catalog {
    /// The resource of a type and title, as Puppet spells them (`File`, `/etc/motd`).
    pub fn resource(&self, type_name: &str, title: &str) -> Option<&Resource> {
        self.resources.iter().find(|resource| resource.type_name == type_name && resource.title == title)
    }

    /// The catalog as compact JSON, in Puppet's field order.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a catalog is always representable as JSON")
    }

    /// The catalog as indented JSON, in Puppet's field order.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a catalog is always representable as JSON")
    }

    /// Reads a catalog from the JSON Puppet writes.
    pub fn from_json(text: &str) -> Result<Catalog, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// One resource of a catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// The type, capitalised as in a reference: `File`, `Class`, `Apache::Vhost`.
    #[serde(rename = "type")]
    pub type_name: String,
    pub title: String,
    pub tags: Vec<String>,
    /// The manifest that declared the resource: an absolute path, or the empty string for
    /// `--code`. Absent for classes declared with `include` and for the built-in `Stage[main]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub exported: bool,
    /// `compilable_type` (a Ruby type such as `file`), `defined_type`, `class`, or `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The parameters in the order Puppet set them. Values are Puppet's rich data JSON
    /// (`{"__ptype": "Regexp", "__pvalue": "..."}` for values JSON has no type for).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub parameters: Map<String, Value>,
    /// The parameters whose value was `Sensitive`: the value itself is in `parameters`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive_parameters: Vec<String>,
}

impl Resource {
    /// The reference Puppet prints for the resource: `File[/etc/motd]`.
    pub fn reference(&self) -> String {
        format!("{}[{}]", self.type_name, self.title)
    }
}

/// A containment edge between two resources, each named by its reference (`Class[Foo]`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Edge {
    pub source: String,
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
}
