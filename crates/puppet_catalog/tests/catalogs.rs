//! The catalog model against catalogs real Puppet 7 wrote (`tests/data`), and the
//! normalisation and comparison rules of `compare`.

use puppet_catalog::{compare, normalize, Catalog, CompileError, Difference, Edge, PuppetVersion, TrustedFacts};
use serde_json::{json, Value};

const PUPPET_CATALOGS: [&str; 3] = ["rich", "modules", "code"];

fn puppet_json(name: &str) -> String {
    let path = format!("{}/tests/data/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("cannot read {path}: {err}"))
}

fn puppet_catalog(name: &str) -> Catalog {
    Catalog::from_json(&puppet_json(name)).unwrap_or_else(|err| panic!("{name}.json does not parse: {err}"))
}

#[test]
fn puppet_catalogs_round_trip_field_for_field_in_order() {
    for name in PUPPET_CATALOGS {
        let text = puppet_json(name);
        let original: Value = serde_json::from_str(&text).unwrap();
        let written: Value = serde_json::from_str(&puppet_catalog(name).to_json()).unwrap();
        // Serialising both sides with serde_json keeps key order (preserve_order) and
        // formats numbers the same way, so equal strings mean the same JSON in the same order.
        assert_eq!(serde_json::to_string(&written).unwrap(), serde_json::to_string(&original).unwrap(), "{name}.json");
    }
}

#[test]
fn model_reads_what_puppet_writes() {
    let catalog = puppet_catalog("rich");
    assert_eq!(catalog.name, "n1.example.com");
    assert_eq!(catalog.catalog_format, 2);
    let secret = catalog.resource("File", "/tmp/secret").expect("File[/tmp/secret]");
    assert_eq!(secret.sensitive_parameters, ["content"]);
    assert_eq!(secret.line, Some(5));
    assert_eq!(secret.kind.as_deref(), Some("compilable_type"));
    let exported = catalog.resource("Notify", "exported").expect("Notify[exported]");
    assert!(exported.exported);
    let thing = catalog.resource("Thing", "one").expect("Thing[one]");
    assert_eq!(thing.kind.as_deref(), Some("defined_type"));
    assert_eq!(thing.parameters["v"], json!({"__ptype": "Hash", "__pvalue": [1, "int key"]}));
    let settings = catalog.resource("Class", "Settings").expect("Class[Settings]");
    assert_eq!((settings.file.as_deref(), settings.line, settings.parameters.len()), (None, None, 0));
    assert_eq!(settings.reference(), "Class[Settings]");

    let code = puppet_catalog("code");
    assert_eq!(code.resource("Notify", "from code").unwrap().file.as_deref(), Some(""));
}

#[test]
fn a_catalog_equals_itself_whatever_its_version_and_order() {
    for name in PUPPET_CATALOGS {
        let expected = puppet_catalog(name);
        let mut actual = expected.clone();
        actual.version = json!("a config_version string");
        actual.catalog_uuid = Some("00000000-0000-0000-0000-000000000000".to_owned());
        actual.code_id = Some("some code id".to_owned());
        actual.resources.reverse();
        actual.edges.reverse();
        actual.classes.reverse();
        actual.tags.reverse();
        for resource in &mut actual.resources {
            resource.tags.reverse();
        }
        assert_eq!(compare(&expected, &actual), [], "{name}");
        assert_eq!(normalize(&expected), normalize(&actual), "{name}");
    }
}

/// Applies `change` to a copy of the `modules` catalog and returns the differences.
fn differences_after(change: impl FnOnce(&mut Catalog)) -> Vec<String> {
    let expected = puppet_catalog("modules");
    let mut actual = expected.clone();
    change(&mut actual);
    compare(&expected, &actual).iter().map(Difference::to_string).collect()
}

fn resource<'a>(catalog: &'a mut Catalog, type_name: &str, title: &str) -> &'a mut puppet_catalog::Resource {
    catalog
        .resources
        .iter_mut()
        .find(|resource| resource.type_name == type_name && resource.title == title)
        .unwrap_or_else(|| panic!("no {type_name}[{title}]"))
}

#[test]
fn differences_name_what_differs() {
    assert_eq!(
        differences_after(|catalog| catalog.name = "web2.example.com".to_owned()),
        [r#"name: expected "web1.example.com", got "web2.example.com""#]
    );
    assert_eq!(
        differences_after(|catalog| {
            resource(catalog, "Service", "nginx").parameters.insert("ensure".to_owned(), json!("stopped"));
        }),
        [r#"Service[nginx] parameter ensure: expected "running", got "stopped""#]
    );
    assert_eq!(
        differences_after(|catalog| {
            resource(catalog, "Service", "nginx").parameters.shift_remove("enable");
        }),
        [r#"Service[nginx] parameter enable: expected true, got "<absent>""#]
    );
    assert_eq!(
        differences_after(|catalog| resource(catalog, "Package", "vim").line = Some(99)),
        ["Package[vim] line: expected 5, got 99"]
    );
    assert_eq!(
        differences_after(|catalog| resource(catalog, "Package", "vim").file = None),
        [r#"Package[vim] file: expected "/etc/puppetlabs/code/modules/modules/base/manifests/init.pp", got null"#]
    );
    assert_eq!(
        differences_after(|catalog| resource(catalog, "Package", "vim").tags.push("extra".to_owned())),
        [concat!(
            r#"Package[vim] tags: expected ["__node_regexp__webd.","base","class","node","package","vim"], "#,
            r#"got ["__node_regexp__webd.","base","class","extra","node","package","vim"]"#
        )]
    );
    assert_eq!(
        differences_after(|catalog| catalog.resources.retain(|resource| resource.title != "vim")),
        ["missing resource Package[vim]"]
    );
    assert_eq!(
        differences_after(|catalog| {
            let mut copy = catalog.resources[5].clone();
            copy.title = "emacs".to_owned();
            catalog.resources.push(copy.clone());
            catalog.resources.push(copy);
        }),
        [
            "resource Class[emacs] appears twice in the actual catalog".to_owned(),
            "extra resource Class[emacs]".to_owned()
        ]
        .map(|text| text.replace("Class", &puppet_catalog("modules").resources[5].type_name))
    );
    assert_eq!(
        differences_after(|catalog| {
            catalog.edges.pop();
            catalog.edges.push(Edge { source: "Class[Web]".into(), target: "Package[vim]".into(), event: None, callback: None });
        }),
        ["missing edge Web::Vhost::Site[b.example.com] -> File[/etc/nginx/sites-enabled/b.example.com.conf]", "extra edge Class[Web] -> Package[vim]"]
    );
    assert_eq!(
        differences_after(|catalog| {
            catalog.classes.retain(|class| class != "web::install");
            catalog.classes.push("web::config".to_owned());
        }),
        ["missing class web::install", "extra class web::config"]
    );
}

#[test]
fn parameter_values_compare_exactly_with_hash_key_order() {
    let reordered = differences_after(|catalog| {
        let service = resource(catalog, "Service", "nginx");
        service.parameters.insert("environment".to_owned(), json!({"b": 1, "a": 2}));
    });
    assert_eq!(reordered, [r#"Service[nginx] parameter environment: expected "<absent>", got {"b":1,"a":2}"#]);

    let mut left = puppet_catalog("modules");
    resource(&mut left, "Service", "nginx").parameters.insert("x".to_owned(), json!({"b": 1, "a": [1, 2]}));
    let mut right = left.clone();
    resource(&mut right, "Service", "nginx").parameters.insert("x".to_owned(), json!({"a": [1, 2], "b": 1}));
    assert_eq!(compare(&left, &right).len(), 1, "hash key order is part of a value");
    resource(&mut right, "Service", "nginx").parameters.insert("x".to_owned(), json!({"b": 1, "a": [2, 1]}));
    assert_eq!(compare(&left, &right).len(), 1, "array order is part of a value");
    resource(&mut right, "Service", "nginx").parameters.insert("x".to_owned(), json!({"b": 1, "a": [1, 2]}));
    assert_eq!(compare(&left, &right), []);
}

#[test]
fn compile_errors_print_as_file_line_column() {
    let error = CompileError {
        message: "Duplicate declaration: Notify[x] is already declared".to_owned(),
        file: Some("/code/site.pp".to_owned()),
        line: Some(3),
        column: Some(1),
        issue_code: Some("DUPLICATE_DECLARATION".to_owned()),
    };
    assert_eq!(error.to_string(), "/code/site.pp:3:1: Duplicate declaration: Notify[x] is already declared");
    let from_code = CompileError { file: Some(String::new()), column: None, ..error.clone() };
    assert_eq!(from_code.to_string(), "<code>:3: Duplicate declaration: Notify[x] is already declared");
    assert!(error.same_place(&CompileError { column: Some(9), message: "other".into(), ..error.clone() }));
    assert!(!error.same_place(&CompileError { line: Some(4), ..error.clone() }));
    assert_eq!(CompileError { file: None, ..error.clone() }.to_string(), "<code>:3:1: Duplicate declaration: Notify[x] is already declared");
    assert_eq!(CompileError::new("boom").to_string(), "boom");
}

#[test]
fn trusted_facts_split_the_certname_like_puppet() {
    assert_eq!(
        TrustedFacts::remote("web1.example.com").to_value(),
        json!({"authenticated": "remote", "certname": "web1.example.com", "extensions": {},
               "hostname": "web1", "domain": "example.com", "external": {}})
    );
    assert_eq!(TrustedFacts::remote("db1").to_value()["domain"], Value::Null);
}

#[test]
fn puppet_8_settings_come_from_the_version() {
    assert!(PuppetVersion::V7.legacy_facts());
    assert!(!PuppetVersion::V8.legacy_facts());
    assert!(PuppetVersion::V8.strict_variables());
    assert_eq!(PuppetVersion::V8.strict().as_str(), "error");
    assert_eq!(PuppetVersion::from_major(6), None);
    let mut request = puppet_catalog::CompileRequest::new("Web1.Example.com", serde_json::Map::new());
    assert_eq!(request.node, "web1.example.com");
    assert!(!request.effective_strict_variables());
    request.puppet_version = PuppetVersion::V8;
    assert!(request.effective_strict_variables());
    assert_eq!(request.server_facts_value()["environment"], "production");
}
