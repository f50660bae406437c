//! Fact sets: loading files and bundled sets, errors on bad input, and the legacy facts
//! derived as Facter 4 derives them, checked against the Facter installed with Puppet 7.

use std::path::Path;
use std::process::Command;

use puppet_catalog::PuppetVersion;
use puppet_facts::{agent_facts, bundled, bundled_names, legacy_facts, load, load_file, AgentOptions, FactsError};
use serde_json::{json, Map, Value};

/// The three fact sets the differential compile suite uses.
const SUITE_SETS: [&str; 3] = ["debian-12-x86_64", "ubuntu-22.04-x86_64", "redhat-9-x86_64"];

fn facter_json(arguments: &[&str]) -> Map<String, Value> {
    let output = Command::new("facter").args(arguments).output().unwrap_or_else(|err| {
        panic!("cannot run facter (installed with Debian's puppet package by tests/setup): {err}")
    });
    // Facter exits non-zero when one resolver fails (in a container it cannot read
    // /proc/1/environ to detect virtualisation) but still prints every other fact.
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!("facter {arguments:?} printed no JSON object ({err}): {}", String::from_utf8_lossy(&output.stderr))
    })
}

/// The real Facter 4 of this machine resolves the structured and the legacy facts in one
/// run; the legacy ones derived from its structured ones must be exactly those.
#[test]
fn legacy_facts_match_the_installed_facter() {
    let structured_names: Vec<String> = facter_json(&["--json"]).keys().cloned().collect();
    let everything = facter_json(&["--json", "--show-legacy"]);
    let (structured, expected): (Map<String, Value>, Map<String, Value>) =
        everything.into_iter().partition(|(name, _)| structured_names.contains(name));
    assert!(expected.contains_key("osfamily"), "facter --show-legacy printed no osfamily: {expected:?}");
    let derived = legacy_facts(&structured);
    let names = |facts: &Map<String, Value>| facts.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&derived), names(&expected), "legacy fact names");
    for (name, value) in &expected {
        assert_eq!(&derived[name], value, "legacy fact {name}");
    }
}

#[test]
fn bundled_sets_get_the_legacy_facts_of_a_puppet_7_agent() {
    let debian = agent_facts(bundled("debian-12-x86_64").unwrap().values, &AgentOptions::new("web1.example.com", PuppetVersion::V7));
    let expected = json!({
        "osfamily": "Debian", "operatingsystem": "Debian", "operatingsystemrelease": "12.9",
        "operatingsystemmajrelease": "12", "architecture": "amd64", "hardwaremodel": "x86_64",
        "ipaddress": "10.0.2.15", "ipaddress_eth0": "10.0.2.15", "ipaddress6_lo": "::1",
        "macaddress": "08:00:27:8d:c0:4d", "netmask": "255.255.255.0", "network": "10.0.2.0",
        "fqdn": "foo.example.com", "hostname": "foo", "domain": "example.com", "kernel": "Linux",
        "lsbdistcodename": "bookworm", "lsbdistid": "Debian", "lsbmajdistrelease": "12", "lsbminordistrelease": "9",
        "processorcount": 2, "processor0": "AMD Ryzen 5 7600 6-Core Processor", "memorysize": "457.28 MiB",
        "memorysize_mb": 457.28125, "selinux": false, "is_virtual": true, "uptime": "0:00 hours",
        "interfaces": "eth0,lo", "mtu_eth0": 1500, "dhcp_servers": {"system": "10.0.2.2", "eth0": "10.0.2.2"},
        "rubyversion": "3.2.7", "id": "root", "gid": "root",
        "clientcert": "web1.example.com", "clientversion": "7.23.0", "clientnoop": false, "puppetversion": "7.23.0",
    });
    for (name, value) in expected.as_object().unwrap() {
        assert_eq!(debian.get(name), Some(value), "debian-12-x86_64 fact {name}");
    }
    assert!(debian.keys().zip(debian.keys().skip(1)).all(|(left, right)| left < right), "fact names sorted");

    let ubuntu = agent_facts(bundled("ubuntu-22.04-x86_64").unwrap().values, &AgentOptions::new("n", PuppetVersion::V7));
    assert_eq!((&ubuntu["lsbdistcodename"], &ubuntu["lsbmajdistrelease"]), (&json!("jammy"), &json!("22.04")));
    assert!(!ubuntu.contains_key("lsbminordistrelease"), "Facter's Ubuntu class leaves the minor release out for 22.04");
    assert_eq!(ubuntu["operatingsystemmajrelease"], "22.04");

    let redhat = agent_facts(bundled("redhat-9-x86_64").unwrap().values, &AgentOptions::new("n", PuppetVersion::V7));
    assert_eq!((&redhat["osfamily"], &redhat["operatingsystemmajrelease"]), (&json!("RedHat"), &json!("9")));
    assert_eq!(redhat["architecture"], "x86_64");

    let windows = agent_facts(bundled("windows-2022-x86_64").unwrap().values, &AgentOptions::new("n", PuppetVersion::V7));
    assert_eq!(windows["osfamily"], "windows");
    assert!(windows.contains_key("windows_product_name") && windows.contains_key("system32"));
    assert!(!windows.contains_key("gid") && !windows.contains_key("lsbdistid"));
}

#[test]
fn puppet_8_agents_send_no_legacy_facts() {
    let facts = bundled("4.3/debian-12-x86_64").unwrap().values;
    assert!(facts.contains_key("scope6_eth0"), "facterdb kept one legacy fact in this set");
    let puppet8 = agent_facts(facts.clone(), &AgentOptions::new("n", PuppetVersion::V8));
    for name in ["osfamily", "ipaddress", "scope6_eth0", "processor0", "sshrsakey", "interfaces"] {
        assert!(!puppet8.contains_key(name), "{name} should be gone");
    }
    assert_eq!(puppet8["puppetversion"], PuppetVersion::V8.release());
    assert_eq!(puppet8["os"], facts["os"]);

    let mut custom = facts;
    custom.insert("network_zone".to_owned(), json!("dmz"));
    custom.insert("osfamily".to_owned(), json!("kept from the file"));
    let puppet7 = agent_facts(custom.clone(), &AgentOptions::new("n", PuppetVersion::V7));
    assert_eq!(puppet7["osfamily"], "kept from the file");
    let without = agent_facts(custom, &AgentOptions { legacy_facts: false, ..AgentOptions::new("n", PuppetVersion::V7) });
    assert_eq!(without["network_zone"], "dmz", "a custom fact is not a legacy fact");
    assert_eq!(without["clientversion"], "7.23.0");
}

#[test]
fn bundled_names_map_to_the_newest_facter_version() {
    assert_eq!(bundled("debian-12-x86_64").unwrap().source, "bundled 4.11/debian-12-x86_64");
    assert_eq!(bundled("4.3/debian-12-x86_64").unwrap().source, "bundled 4.3/debian-12-x86_64");
    assert_eq!(bundled("windows-11-x86_64").unwrap().source, "bundled 4.3/windows-11-x86_64");
    assert_eq!(bundled("debian-12-x86_64.facts").unwrap().source, "bundled 4.11/debian-12-x86_64");
    assert!(bundled("4.11/windows-11-x86_64").is_none());
    for name in SUITE_SETS {
        assert!(bundled_names().contains(&name.to_owned()), "{name}");
    }
    for name in puppet_facts::bundled_versioned_names() {
        let set = bundled(&name).unwrap_or_else(|| panic!("{name} is listed but not found"));
        assert!(set.values.contains_key("os"), "{name} has no os fact");
    }
}

#[test]
fn a_file_path_is_read_as_facter_json() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("node.json");
    std::fs::write(&plain, r#"{"os": {"family": "Debian"}, "custom": [1, 2]}"#).unwrap();
    let set = load(plain.to_str().unwrap()).unwrap();
    assert_eq!(set.values["custom"], json!([1, 2]));
    assert_eq!(set.source, plain.display().to_string());

    let puppet_facts_show = dir.path().join("show.json");
    std::fs::write(&puppet_facts_show, r#"{"name": "web1", "values": {"kernel": "Linux"}, "timestamp": "x"}"#).unwrap();
    assert_eq!(load_file(&puppet_facts_show).unwrap().values, json!({"kernel": "Linux"}).as_object().unwrap().clone());
}

#[test]
fn malformed_json_names_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"os\": {\n    \"family\": \"Debian\",\n  }\n}\n").unwrap();
    let error = load(broken.to_str().unwrap()).unwrap_err();
    assert!(matches!(error, FactsError::Json { line: 4, column: 3, .. }), "{error:?}");
    assert_eq!(error.to_string(), format!("{}:4:3: malformed facts JSON: trailing comma", broken.display()));

    let array = dir.path().join("array.json");
    std::fs::write(&array, "[1]").unwrap();
    let error = load(array.to_str().unwrap()).unwrap_err().to_string();
    assert!(error.contains("array.json: facts must be a JSON object") && error.ends_with("not an array"), "{error}");

    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    assert!(matches!(load(empty.to_str().unwrap()), Err(FactsError::Json { line: 1, .. })));
}

#[test]
fn missing_files_and_unknown_names_are_clear() {
    let error = load("/nonexistent/dir/node.json").unwrap_err();
    assert!(matches!(error, FactsError::Read { .. }), "{error:?}");
    assert!(error.to_string().starts_with("cannot read facts file /nonexistent/dir/node.json"), "{error}");

    let error = load("debian-99-x86_64").unwrap_err().to_string();
    assert!(error.starts_with("no facts file debian-99-x86_64 and no bundled fact set of that name"), "{error}");
    assert!(error.contains("debian-12-x86_64"), "the message lists the bundled sets: {error}");
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../facts/4.3/debian-12-x86_64.facts").is_file());
}

#[test]
fn a_missing_fact_file_is_named_with_its_cause_once() {
    let error = puppet_facts::load("/nonexistent/dir/node.json").unwrap_err();
    // The cause is in the message and not repeated by a chain of sources.
    assert_eq!(error.to_string(), "cannot read facts file /nonexistent/dir/node.json: No such file or directory (os error 2)");
    assert!(std::error::Error::source(&error).is_none());
}
