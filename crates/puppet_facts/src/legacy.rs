//! The legacy top-level facts Facter 4 resolves beside the structured ones, derived from
//! the structured facts the way Facter 4.3's fact classes derive them
//! (`lib/facter/facts/<os>/**` in puppetlabs/facter: each class's `ALIASES`, and the
//! classes of `TYPE = :legacy`).
//!
//! Facter picks its fact classes by kernel (Linux, Windows, FreeBSD); the table below says
//! for which kernels each alias exists. Other kernels (Solaris, AIX, macOS) get Linux's list.

use serde_json::{Map, Value};

/// The kernels whose fact classes differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kernel {
    Linux,
    Windows,
    FreeBsd,
}

const L: u8 = 1;
const W: u8 = 2;
const F: u8 = 4;

impl Kernel {
    fn of(facts: &Map<String, Value>) -> Kernel {
        match facts.get("kernel").and_then(Value::as_str) {
            Some("windows") => Kernel::Windows,
            Some("FreeBSD") => Kernel::FreeBsd,
            _ => Kernel::Linux,
        }
    }

    fn bit(self) -> u8 {
        match self {
            Kernel::Linux => L,
            Kernel::Windows => W,
            Kernel::FreeBsd => F,
        }
    }
}

/// How a legacy fact's value comes from the structured one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Derive {
    Copy,
    /// `Facter::Util::Facts::UnitConverter.bytes_to_mb`: bytes / 1024², a float.
    BytesToMb,
}

/// Legacy name, dotted path of the structured fact, derivation, kernels.
const ALIASES: &[(&str, &str, Derive, u8)] = &[
    ("architecture", "os.architecture", Derive::Copy, L | W | F),
    ("augeasversion", "augeas.version", Derive::Copy, L | W | F),
    ("bios_release_date", "dmi.bios.release_date", Derive::Copy, L | F),
    ("bios_vendor", "dmi.bios.vendor", Derive::Copy, L | F),
    ("bios_version", "dmi.bios.version", Derive::Copy, L | F),
    ("boardassettag", "dmi.board.asset_tag", Derive::Copy, L),
    ("boardmanufacturer", "dmi.board.manufacturer", Derive::Copy, L),
    ("boardproductname", "dmi.board.product", Derive::Copy, L),
    ("boardserialnumber", "dmi.board.serial_number", Derive::Copy, L),
    ("chassisassettag", "dmi.chassis.asset_tag", Derive::Copy, L),
    ("chassistype", "dmi.chassis.type", Derive::Copy, L),
    ("domain", "networking.domain", Derive::Copy, L | W | F),
    ("fqdn", "networking.fqdn", Derive::Copy, L | W | F),
    ("gid", "identity.group", Derive::Copy, L | F),
    ("hardwareisa", "processors.isa", Derive::Copy, L | W | F),
    ("hardwaremodel", "os.hardware", Derive::Copy, L | W | F),
    ("hostname", "networking.hostname", Derive::Copy, L | W | F),
    ("id", "identity.user", Derive::Copy, L | W | F),
    ("ipaddress", "networking.ip", Derive::Copy, L | W | F),
    ("ipaddress6", "networking.ip6", Derive::Copy, L | W | F),
    ("lsbdistcodename", "os.distro.codename", Derive::Copy, L),
    ("lsbdistdescription", "os.distro.description", Derive::Copy, L),
    ("lsbdistid", "os.distro.id", Derive::Copy, L),
    ("lsbdistrelease", "os.distro.release.full", Derive::Copy, L),
    ("lsbrelease", "os.distro.specification", Derive::Copy, L),
    ("macaddress", "networking.mac", Derive::Copy, L | W | F),
    ("manufacturer", "dmi.manufacturer", Derive::Copy, L | W | F),
    ("memoryfree", "memory.system.available", Derive::Copy, L | W | F),
    ("memoryfree_mb", "memory.system.available_bytes", Derive::BytesToMb, L | W | F),
    ("memorysize", "memory.system.total", Derive::Copy, L | W | F),
    ("memorysize_mb", "memory.system.total_bytes", Derive::BytesToMb, L | W | F),
    ("netmask", "networking.netmask", Derive::Copy, L | W | F),
    ("netmask6", "networking.netmask6", Derive::Copy, L | W | F),
    ("network", "networking.network", Derive::Copy, L | W | F),
    ("network6", "networking.network6", Derive::Copy, L | W | F),
    ("operatingsystem", "os.name", Derive::Copy, L | W | F),
    ("operatingsystemmajrelease", "os.release.major", Derive::Copy, L | W | F),
    ("operatingsystemrelease", "os.release.full", Derive::Copy, L | W | F),
    ("osfamily", "os.family", Derive::Copy, L | W | F),
    ("physicalprocessorcount", "processors.physicalcount", Derive::Copy, L | W),
    ("processorcount", "processors.count", Derive::Copy, L | W | F),
    ("productname", "dmi.product.name", Derive::Copy, L | W | F),
    ("rubyplatform", "ruby.platform", Derive::Copy, L | W | F),
    ("rubysitedir", "ruby.sitedir", Derive::Copy, L | W | F),
    ("rubyversion", "ruby.version", Derive::Copy, L | W | F),
    ("scope6", "networking.scope6", Derive::Copy, L | W),
    ("selinux", "os.selinux.enabled", Derive::Copy, L),
    ("selinux_config_mode", "os.selinux.config_mode", Derive::Copy, L),
    ("selinux_config_policy", "os.selinux.config_policy", Derive::Copy, L),
    ("selinux_current_mode", "os.selinux.current_mode", Derive::Copy, L),
    ("selinux_enforced", "os.selinux.enforced", Derive::Copy, L),
    ("selinux_policyversion", "os.selinux.policy_version", Derive::Copy, L),
    ("serialnumber", "dmi.product.serial_number", Derive::Copy, L | W | F),
    ("swapencrypted", "memory.swap.encrypted", Derive::Copy, F),
    ("swapfree", "memory.swap.available", Derive::Copy, L | F),
    ("swapfree_mb", "memory.swap.available_bytes", Derive::BytesToMb, L | F),
    ("swapsize", "memory.swap.total", Derive::Copy, L | F),
    ("swapsize_mb", "memory.swap.total_bytes", Derive::BytesToMb, L | F),
    ("system32", "os.windows.system32", Derive::Copy, W),
    ("uptime", "system_uptime.uptime", Derive::Copy, L | W | F),
    ("uptime_days", "system_uptime.days", Derive::Copy, L | W | F),
    ("uptime_hours", "system_uptime.hours", Derive::Copy, L | W | F),
    ("uptime_seconds", "system_uptime.seconds", Derive::Copy, L | W | F),
    ("uuid", "dmi.product.uuid", Derive::Copy, L | W | F),
    ("windows_display_version", "os.windows.display_version", Derive::Copy, W),
    ("windows_edition_id", "os.windows.edition_id", Derive::Copy, W),
    ("windows_installation_type", "os.windows.installation_type", Derive::Copy, W),
    ("windows_product_name", "os.windows.product_name", Derive::Copy, W),
    ("windows_release_id", "os.windows.release_id", Derive::Copy, W),
];

/// Per-interface facts: legacy prefix, key in `networking.interfaces.<name>`, kernels.
const INTERFACE_FACTS: &[(&str, &str, u8)] = &[
    ("ipaddress", "ip", L | W | F),
    ("ipaddress6", "ip6", L | W | F),
    ("macaddress", "mac", L | W),
    ("mtu", "mtu", L | W),
    ("netmask", "netmask", L | W | F),
    ("netmask6", "netmask6", L | W | F),
    ("network", "network", L | W | F),
    ("network6", "network6", L | W | F),
    ("scope6", "scope6", L | W),
];

/// The legacy facts Facter 4 would resolve beside `facts` (the structured facts), in
/// name order. Facts whose structured source is absent or null are left out, as Facter
/// leaves out facts that resolve to nil.
pub fn legacy_facts(facts: &Map<String, Value>) -> Map<String, Value> {
    let kernel = Kernel::of(facts);
    let mut legacy = Map::new();
    let mut add = |name: String, value: Option<Value>| {
        if let Some(value) = value.filter(|value| !value.is_null()) {
            legacy.insert(name, value);
        }
    };
    for (name, path, derive, kernels) in ALIASES {
        if kernels & kernel.bit() == 0 {
            continue;
        }
        let value = dig(facts, path).cloned();
        let value = match derive {
            Derive::Copy => value,
            Derive::BytesToMb => value.and_then(|bytes| bytes.as_f64()).map(bytes_to_mb),
        };
        add((*name).to_owned(), value);
    }
    if kernel == Kernel::Linux && dig(facts, "os.name").and_then(Value::as_str) == Some("Ubuntu") {
        // Facts::Ubuntu::Lsbdistrelease: the major release is "22.04", the minor the third part.
        if let Some(release) = dig(facts, "os.distro.release.full").and_then(Value::as_str) {
            let parts: Vec<&str> = release.split('.').collect();
            let major = format!("{}.{}", parts[0], parts.get(1).copied().unwrap_or_default());
            add("lsbmajdistrelease".to_owned(), Some(Value::String(major)));
            add("lsbminordistrelease".to_owned(), parts.get(2).map(|minor| Value::String((*minor).to_owned())));
        }
    } else if kernel == Kernel::Linux {
        add("lsbmajdistrelease".to_owned(), dig(facts, "os.distro.release.major").cloned());
        add("lsbminordistrelease".to_owned(), dig(facts, "os.distro.release.minor").cloned());
    }

    if let Some(interfaces) = dig(facts, "networking.interfaces").and_then(Value::as_object) {
        for (interface, info) in interfaces {
            for (prefix, key, kernels) in INTERFACE_FACTS {
                if kernels & kernel.bit() != 0 {
                    add(format!("{prefix}_{interface}"), info.get(*key).cloned());
                }
            }
        }
        if kernel != Kernel::FreeBsd && !interfaces.is_empty() {
            let mut names: Vec<&str> = interfaces.keys().map(String::as_str).collect();
            names.sort_unstable();
            add("interfaces".to_owned(), Some(Value::String(names.join(","))));
        }
        if kernel != Kernel::FreeBsd {
            // Facts::Linux::DhcpServers: the primary server under "system" (even when
            // unknown), then each interface that has one.
            let mut servers = Map::new();
            servers.insert("system".to_owned(), dig(facts, "networking.dhcp").cloned().unwrap_or(Value::Null));
            for (interface, info) in interfaces {
                if let Some(dhcp) = info.get("dhcp").filter(|dhcp| !dhcp.is_null()) {
                    servers.insert(interface.clone(), dhcp.clone());
                }
            }
            add("dhcp_servers".to_owned(), Some(Value::Object(servers)));
        }
    }

    if let Some(models) = dig(facts, "processors.models").and_then(Value::as_array) {
        for (index, model) in models.iter().enumerate() {
            add(format!("processor{index}"), Some(model.clone()));
        }
    }

    if let Some(keys) = facts.get("ssh").and_then(Value::as_object) {
        for (algorithm, key) in keys {
            add(format!("ssh{algorithm}key"), key.get("key").cloned());
            let fingerprints = key.get("fingerprints");
            let sha1 = fingerprints.and_then(|fingerprints| fingerprints.get("sha1")).and_then(Value::as_str);
            let sha256 = fingerprints.and_then(|fingerprints| fingerprints.get("sha256")).and_then(Value::as_str);
            if let (Some(sha1), Some(sha256)) = (sha1, sha256) {
                add(format!("sshfp_{algorithm}"), Some(Value::String(format!("{sha1}\n{sha256}"))));
            }
        }
    }

    if kernel == Kernel::Linux {
        if let Some(disks) = facts.get("disks").and_then(Value::as_object).filter(|disks| !disks.is_empty()) {
            let names: Vec<&str> = disks.keys().map(String::as_str).collect();
            add("blockdevices".to_owned(), Some(Value::String(names.join(","))));
            for (disk, info) in disks {
                add(format!("blockdevice_{disk}_model"), info.get("model").cloned());
                add(format!("blockdevice_{disk}_size"), info.get("size_bytes").cloned());
                add(format!("blockdevice_{disk}_vendor"), info.get("vendor").cloned());
            }
        }
        if let Some(domains) = dig(facts, "xen.domains").and_then(Value::as_array) {
            let names: Vec<String> =
                domains.iter().map(|domain| domain.as_str().map_or_else(|| domain.to_string(), str::to_owned)).collect();
            add("xendomains".to_owned(), Some(Value::String(names.join(","))));
        }
    }
    legacy.sort_keys();
    legacy
}

fn dig<'a>(facts: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = facts.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

/// `bytes / (1024.0 * 1024.0)`, as Facter computes the `_mb` facts.
fn bytes_to_mb(bytes: f64) -> Value {
    Value::from(bytes.trunc() / (1024.0 * 1024.0))
}
