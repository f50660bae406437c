//! The resource types built into Puppet 7 (`lib/puppet/type/*.rb`): their attributes,
//! key attributes and title patterns, as `Puppet::Type` reports them.

/// `file`'s title pattern (Ruby): a path without its trailing slashes.
pub const FILE_TITLE_PATTERN: &str = r#"^(/|.+:/|.*[^/])/*\Z"#;

/// A built-in resource type.
#[derive(Debug)]
pub struct BuiltinType {
    /// The type name, lower case (`file`).
    pub name: &'static str,
    /// `key_attributes`: the namevar first.
    pub key_attributes: &'static [&'static str],
    pub isomorphic: bool,
    /// Every parameter and property, then the metaparameters.
    pub attributes: &'static [&'static str],
    /// The title pattern (Ruby regex source) and the attribute its first group sets.
    pub title_pattern: Option<(&'static str, &'static str)>,
}

impl BuiltinType {
    pub fn namevar(&self) -> &'static str {
        if self.key_attributes.len() == 1 { self.key_attributes[0] } else { "name" }
    }

    pub fn has_attribute(&self, name: &str) -> bool {
        self.attributes.contains(&name)
    }
}

/// Metaparameters every resource accepts.
pub const METAPARAMETERS: &[&str] = &["noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"];

/// Relationship metaparameters (excluded from metaparameter inheritance).
pub const RELATIONSHIP_PARAMETERS: &[&str] = &["require", "subscribe", "before", "notify"];

pub static BUILTIN_TYPES: &[BuiltinType] = &[
    BuiltinType {
        name: "component",
        key_attributes: &["name"],
        isomorphic: true,
        attributes: &["name", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "exec",
        key_attributes: &["command"],
        isomorphic: false,
        attributes: &["command", "provider", "returns", "path", "user", "group", "cwd", "logoutput", "refresh", "environment", "umask", "timeout", "tries", "try_sleep", "refreshonly", "creates", "unless", "onlyif", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "file",
        key_attributes: &["path"],
        isomorphic: true,
        attributes: &["path", "provider", "ensure", "content", "checksum_value", "target", "owner", "group", "mode", "type", "seluser", "selrole", "seltype", "selrange", "ctime", "mtime", "backup", "recurse", "recurselimit", "max_files", "replace", "force", "ignore", "links", "purge", "sourceselect", "show_diff", "staging_location", "validate_cmd", "validate_replacement", "checksum", "source", "source_permissions", "selinux_ignore_defaults", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: Some((FILE_TITLE_PATTERN, "path")),
    },
    BuiltinType {
        name: "filebucket",
        key_attributes: &["name"],
        isomorphic: true,
        attributes: &["name", "server", "port", "path", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "group",
        key_attributes: &["name"],
        isomorphic: true,
        attributes: &["name", "provider", "ensure", "gid", "members", "attributes", "auth_membership", "allowdupe", "ia_load_module", "attribute_membership", "system", "forcelocal", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "notify",
        key_attributes: &["name"],
        isomorphic: true,
        attributes: &["name", "message", "withpath", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "package",
        key_attributes: &["name", "provider", "command"],
        isomorphic: true,
        attributes: &["name", "provider", "command", "ensure", "package_settings", "flavor", "mark", "source", "instance", "status", "adminfile", "responsefile", "configfiles", "category", "platform", "root", "vendor", "description", "allowcdrom", "enable_only", "install_only", "install_options", "uninstall_options", "allow_virtual", "reinstall_on_refresh", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "resources",
        key_attributes: &["name"],
        isomorphic: true,
        attributes: &["name", "purge", "unless_system_user", "unless_uid", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "schedule",
        key_attributes: &["name"],
        isomorphic: true,
        attributes: &["name", "range", "periodmatch", "period", "repeat", "weekday", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "service",
        key_attributes: &["name"],
        isomorphic: true,
        attributes: &["name", "provider", "ensure", "enable", "logonaccount", "flags", "logonpassword", "binary", "hasstatus", "path", "pattern", "restart", "start", "status", "stop", "control", "hasrestart", "manifest", "timeout", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "stage",
        key_attributes: &["name"],
        isomorphic: true,
        attributes: &["name", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "tidy",
        key_attributes: &["path"],
        isomorphic: false,
        attributes: &["path", "recurse", "max_files", "matches", "backup", "age", "size", "type", "rmdirs", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "user",
        key_attributes: &["name"],
        isomorphic: true,
        attributes: &["name", "provider", "ensure", "home", "uid", "gid", "comment", "shell", "password", "password_min_age", "password_max_age", "password_warn_days", "groups", "expiry", "roles", "auths", "profiles", "keys", "project", "attributes", "salt", "iterations", "loginclass", "membership", "system", "allowdupe", "managehome", "role_membership", "auth_membership", "profile_membership", "key_membership", "ia_load_module", "attribute_membership", "forcelocal", "purge_ssh_keys", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
    BuiltinType {
        name: "whit",
        key_attributes: &["name"],
        isomorphic: true,
        attributes: &["name", "noop", "schedule", "audit", "loglevel", "alias", "tag", "require", "subscribe", "before", "notify", "stage"],
        title_pattern: None,
    },
];

/// The built-in type of a name (any case), if Puppet has one.
pub fn builtin_type(name: &str) -> Option<&'static BuiltinType> {
    if name.contains(':') {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    BUILTIN_TYPES.iter().find(|t| t.name == lower)
}

