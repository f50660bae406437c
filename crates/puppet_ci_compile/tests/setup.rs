//! Compile requests as users name things: paths checked and made absolute, the node's name,
//! the environment folder of a control repo, the agent's facts per Puppet version.

use std::path::PathBuf;

use puppet_catalog::{EngineError, PuppetVersion};
use puppet_ci_compile::{build_request, engine, CompileOptions, EngineChoice, SetupError};
use puppet_engine_puppet::PuppetEngineOptions;

#[test]
fn paths_are_checked_and_made_absolute() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("manifests")).unwrap();
    std::fs::create_dir_all(repo.join("modules")).unwrap();
    std::fs::write(repo.join("manifests/site.pp"), "").unwrap();
    std::fs::write(repo.join("hiera.yaml"), "---\nversion: 5\n").unwrap();

    let options = CompileOptions {
        modulepath: vec![repo.join("modules")],
        manifest: Some(repo.join("manifests/site.pp")),
        hiera_config: Some(repo.join("hiera.yaml")),
        ..CompileOptions::new("debian-12-x86_64")
    };
    let request = build_request(&options).unwrap();
    assert_eq!(request.node, "foo.example.com", "the node defaults to the facts' fqdn");
    assert_eq!(request.environment_dir, Some(repo.clone()), "a control repo's manifest gives its environment folder");
    assert_eq!(request.facts["clientcert"], "foo.example.com");
    assert_eq!(request.facts["osfamily"], "Debian");
    assert_eq!(request.trusted.certname, "foo.example.com");

    let folder = build_request(&CompileOptions { manifest: Some(repo.join("manifests")), ..options.clone() }).unwrap();
    assert_eq!(folder.environment_dir, Some(repo.clone()));
    let elsewhere = build_request(&CompileOptions { manifest: Some(repo.join("hiera.yaml")), ..options.clone() }).unwrap();
    assert_eq!(elsewhere.environment_dir, None);

    let relative = CompileOptions { modulepath: vec![PathBuf::from(".")], manifest: None, hiera_config: None, ..options.clone() };
    assert!(build_request(&relative).unwrap().modulepath[0].is_absolute());

    let missing = |options: CompileOptions| build_request(&options).unwrap_err().to_string();
    assert_eq!(
        missing(CompileOptions { manifest: Some(repo.join("nope.pp")), ..options.clone() }),
        format!("manifest not found: {}", repo.join("nope.pp").display())
    );
    assert_eq!(
        missing(CompileOptions { modulepath: vec![repo.join("nope")], ..options.clone() }),
        format!("modulepath folder not found: {}", repo.join("nope").display())
    );
    assert_eq!(
        missing(CompileOptions { hiera_config: Some(repo.join("nope.yaml")), ..options.clone() }),
        format!("hiera config not found: {}", repo.join("nope.yaml").display())
    );
}

#[test]
fn node_and_version_shape_the_facts() {
    let options = CompileOptions { node: Some("Web1.Example.COM".to_owned()), ..CompileOptions::new("redhat-9-x86_64") };
    let request = build_request(&options).unwrap();
    assert_eq!((request.node.as_str(), &request.facts["clientcert"]), ("web1.example.com", &serde_json::json!("web1.example.com")));
    assert_eq!(request.facts["operatingsystemmajrelease"], "9");

    let puppet8 = build_request(&CompileOptions { puppet_version: PuppetVersion::V8, ..options.clone() }).unwrap();
    assert!(!puppet8.facts.contains_key("operatingsystemmajrelease"));
    assert!(puppet8.effective_strict_variables());
    assert_eq!(puppet8.server_facts["serverversion"], PuppetVersion::V8.release());

    let no_legacy = build_request(&CompileOptions { legacy_facts: Some(false), ..options }).unwrap();
    assert!(!no_legacy.facts.contains_key("osfamily"));
}

#[test]
fn fact_problems_are_setup_errors() {
    let dir = tempfile::tempdir().unwrap();
    let facts = dir.path().join("facts.json");
    std::fs::write(&facts, "{\"networking\": {}}").unwrap();
    let error = build_request(&CompileOptions::new(facts.to_str().unwrap())).unwrap_err();
    assert!(matches!(error, SetupError::NoNodeName { .. }), "{error:?}");
    assert!(error.to_string().starts_with("no node name: give --node"), "{error}");

    std::fs::write(&facts, "{\"networking\": {\n").unwrap();
    let error = build_request(&CompileOptions::new(facts.to_str().unwrap())).unwrap_err();
    assert_eq!(error.to_string(), format!("{}:2:0: malformed facts JSON: EOF while parsing an object", facts.display()));
}

#[test]
fn auto_hands_what_the_native_engine_does_not_support_to_puppet() {
    let native = engine(EngineChoice::Native, PuppetEngineOptions::default()).unwrap();
    let auto = engine(EngineChoice::Auto, PuppetEngineOptions::default()).unwrap();
    assert_eq!((native.name(), auto.name()), ("native", "auto"));

    // ERB is Ruby: the native engine says so, and auto asks Puppet instead.
    let mut request = build_request(&CompileOptions::new("debian-12-x86_64")).unwrap();
    request.code = Some("notify { inline_template('<%= 1 + 1 %>'): }".to_owned());
    let error = native.compile(&request).unwrap_err();
    assert!(matches!(&error, EngineError::Unsupported { construct, .. } if construct.contains("ERB")), "{error:?}");
    let catalog = auto.compile(&request).unwrap();
    assert!(catalog.resource("Notify", "2").is_some(), "{:?}", catalog.resources);

    // Code the native engine supports never starts Puppet.
    request.code = Some("notify { 'native': }".to_owned());
    assert!(auto.compile(&request).unwrap().resource("Notify", "native").is_some());
}

#[test]
fn a_loaded_fact_set_is_used_as_it_is() {
    let mut fact_set = puppet_facts::bundled("debian-12-x86_64").unwrap();
    fact_set.values.insert("datacenter".to_string(), serde_json::json!("ams"));
    let options = CompileOptions { node: Some("Web01.Example.Com".to_string()), ..CompileOptions::new("no such set: not read") };
    let request = puppet_ci_compile::build_request_with_facts(&options, fact_set).unwrap();
    assert_eq!(request.node, "web01.example.com");
    assert_eq!(request.facts["datacenter"], "ams");
    assert_eq!(request.facts["clientcert"], "web01.example.com");
}
