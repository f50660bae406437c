//! The Puppet engine against real Puppet 7: catalogs as Puppet's own API gives them,
//! compile errors placed as Puppet places them, and a worker that hangs or dies reported
//! instead of waited on.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use puppet_catalog::{compare, Catalog, CompileRequest, Engine, EngineError, PuppetVersion};
use puppet_engine_puppet::{PuppetEngine, PuppetEngineOptions};
use puppet_facts::AgentOptions;

fn catalog_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../puppet_catalog/tests/data").canonicalize().unwrap()
}

fn node_request(node: &str, fact_set: &str) -> CompileRequest {
    let facts = puppet_facts::bundled(fact_set).unwrap_or_else(|| panic!("no bundled set {fact_set}")).values;
    let facts = puppet_facts::agent_facts(facts, &AgentOptions::new(node, PuppetVersion::V7));
    CompileRequest::new(node, facts)
}

fn code_request(code: &str) -> CompileRequest {
    CompileRequest { code: Some(code.to_owned()), ..node_request("n1.example.com", "debian-12-x86_64") }
}

fn compile_error(engine: &PuppetEngine, request: &CompileRequest) -> puppet_catalog::CompileError {
    match engine.compile(request) {
        Err(EngineError::Compile(error)) => error,
        other => panic!("expected a compile error, got {other:?}"),
    }
}

/// The catalog of `tests/data/modules` equals the one the oracle script compiled with
/// Puppet's API (committed in puppet_catalog's tests, with the folder it was compiled in
/// written as /etc/puppetlabs/code).
#[test]
fn compiles_the_catalog_puppet_compiled() {
    let data = catalog_data();
    let engine = PuppetEngine::new().unwrap();
    let mut request = node_request("web1.example.com", "4.3/redhat-9-x86_64");
    // The committed catalog was compiled with the facterdb set as it is plus the agent facts.
    let facts = puppet_facts::bundled("4.3/redhat-9-x86_64").unwrap().values;
    request.facts = facts.into();
    for (name, value) in [("clientcert", "web1.example.com"), ("clientversion", "7.23.0"), ("puppetversion", "7.23.0")] {
        request.facts.insert(name.to_owned(), value.into());
    }
    request.facts.insert("clientnoop".to_owned(), false.into());
    request.modulepath = vec![data.join("modules/modules")];
    request.manifest = Some(data.join("modules/manifests/site.pp"));
    let ours = engine.compile(&request).unwrap();

    let text = std::fs::read_to_string(data.join("modules.json")).unwrap();
    let theirs = Catalog::from_json(&text.replace("/etc/puppetlabs/code", &data.display().to_string())).unwrap();
    assert_eq!(compare(&theirs, &ours), []);
    assert!(ours.resource("Web::Vhost::Site", "a.example.com").is_some());
    assert_eq!(engine.puppet_version().unwrap(), "7.23.0");
}

#[test]
fn one_worker_compiles_many_catalogs() {
    let engine = PuppetEngine::new().unwrap();
    let first = engine.compile(&code_request("notify { 'one': }")).unwrap();
    let pid = engine.worker_pid().expect("a worker runs after a compile");
    for index in 0..20 {
        let catalog = engine.compile(&code_request(&format!("notify {{ 'n{index}': message => $facts['os']['family'] }}"))).unwrap();
        assert_eq!(catalog.resource("Notify", &format!("n{index}")).unwrap().parameters["message"], "Debian");
        assert!(catalog.resource("Notify", "one").is_none(), "compiles do not leak into one another");
    }
    assert_eq!(engine.worker_pid(), Some(pid));
    assert!(first.resource("Notify", "one").is_some());
}

#[test]
fn request_settings_reach_puppet() {
    let engine = PuppetEngine::new().unwrap();
    let mut request = code_request(concat!(
        "notify { 'values': message => [$trusted['certname'], $trusted['domain'], $server_facts['environment'], ",
        "$server_facts['serverversion'], $facts['clientcert'], $::osfamily, $::clientnoop] }"
    ));
    request.environment = "staging".to_owned();
    let catalog = engine.compile(&request).unwrap();
    assert_eq!(catalog.environment, "staging");
    assert_eq!(
        catalog.resource("Notify", "values").unwrap().parameters["message"],
        serde_json::json!(["n1.example.com", "example.com", "staging", "7.23.0", "n1.example.com", "Debian", false])
    );

    let unknown = code_request("notify { 'x': message => $nope }");
    assert!(engine.compile(&unknown).is_ok(), "Puppet 7 allows unknown variables by default");
    let strict = CompileRequest { strict_variables: true, ..unknown.clone() };
    assert_eq!(compile_error(&engine, &strict).issue_code.as_deref(), Some("UNKNOWN_VARIABLE"));
    let puppet8 = CompileRequest { puppet_version: PuppetVersion::V8, ..unknown };
    assert_eq!(compile_error(&engine, &puppet8).issue_code.as_deref(), Some("UNKNOWN_VARIABLE"));

    let classes = CompileRequest {
        classes: vec!["base".to_owned()],
        modulepath: vec![catalog_data().join("modules/modules")],
        ..node_request("db1", "ubuntu-22.04-x86_64")
    };
    let catalog = engine.compile(&classes).unwrap();
    assert_eq!(catalog.resource("File", "/etc/motd").unwrap().parameters["content"], "Managed Ubuntu 22.04");
}

#[test]
fn compile_errors_carry_puppets_place_and_issue() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site.pp");
    std::fs::write(&site, "notify { 'a': }\n\nnotify { 'a': }\n").unwrap();
    let engine = PuppetEngine::new().unwrap();
    let request = CompileRequest { manifest: Some(site.clone()), ..node_request("n1", "debian-12-x86_64") };
    let error = compile_error(&engine, &request);
    assert_eq!((error.file.as_deref(), error.line, error.column), (Some(site.to_str().unwrap()), Some(3), Some(1)));
    assert!(error.message.contains("Duplicate declaration: Notify[a] is already declared"), "{}", error.message);
    assert!(!error.message.contains("on node"), "the node is not part of the message: {}", error.message);
    assert_eq!(error.to_string(), format!("{}:3:1: {}", site.display(), error.message));

    let failed = compile_error(&engine, &code_request("\n\nfail('stop here')"));
    assert_eq!((failed.file, failed.line, failed.column), (None, Some(3), Some(1)));
    assert!(failed.message.ends_with("stop here"), "{}", failed.message);

    let syntax = compile_error(&engine, &code_request("notify { 'a': message => [ }"));
    assert_eq!((syntax.line, syntax.issue_code.as_deref()), (Some(1), Some("SYNTAX_ERROR")));

    let unknown_class = compile_error(&engine, &code_request("include nosuchclass"));
    assert!(unknown_class.message.contains("Could not find class ::nosuchclass"), "{}", unknown_class.message);
}

/// A compile that never ends is stopped at the timeout, and the engine goes on with a
/// fresh worker.
#[test]
fn a_hanging_compile_is_stopped_at_the_timeout() {
    let options = PuppetEngineOptions { timeout: Duration::from_secs(3), ..PuppetEngineOptions::default() };
    let engine = PuppetEngine::with_options(options).unwrap();
    engine.compile(&code_request("notify { 'warm': }")).unwrap();
    let pid = engine.worker_pid().unwrap();
    let started = Instant::now();
    let error = engine.compile(&code_request("Integer[1, 1000000000].each |$i| { }")).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10), "waited {:?}", started.elapsed());
    let EngineError::Engine { engine: "puppet", message } = &error else { panic!("expected an engine error, got {error:?}") };
    assert!(message.starts_with("no answer after 3.0 s while compiling node n1.example.com"), "{message}");
    assert_eq!(engine.worker_pid(), None, "the hung worker is gone");
    assert!(!Path::new(&format!("/proc/{pid}")).exists(), "the hung worker process {pid} was killed");
    engine.compile(&code_request("notify { 'after': }")).unwrap();
}

/// A worker that dies under a compile (here a module's Ruby function kills it) is reported
/// with how it died; the next compile starts a new one.
#[test]
fn a_dying_worker_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let functions = dir.path().join("crash/lib/puppet/functions");
    std::fs::create_dir_all(&functions).unwrap();
    std::fs::write(
        functions.join("die.rb"),
        "Puppet::Functions.create_function(:die) do\n  def die\n    $stderr.puts 'about to die'\n    Process.kill('KILL', Process.pid)\n  end\nend\n",
    )
    .unwrap();
    let engine = PuppetEngine::new().unwrap();
    let request = CompileRequest { modulepath: vec![dir.path().to_owned()], ..code_request("die()") };
    let error = engine.compile(&request).unwrap_err();
    let EngineError::Engine { message, .. } = &error else { panic!("expected an engine error, got {error:?}") };
    assert!(message.starts_with("the Ruby worker was killed by signal 9 while compiling node n1.example.com"), "{message}");
    assert!(message.contains("about to die"), "the worker's last output is quoted: {message}");
    engine.compile(&code_request("notify { 'after': }")).unwrap();
}

#[test]
fn a_worker_that_cannot_start_is_reported() {
    let missing = PuppetEngineOptions { ruby: PathBuf::from("/nonexistent/bin/ruby"), ..PuppetEngineOptions::default() };
    let error = PuppetEngine::with_options(missing).unwrap().compile(&code_request("")).unwrap_err().to_string();
    assert!(error.starts_with("the puppet engine failed: cannot start /nonexistent/bin/ruby"), "{error}");

    let exits = PuppetEngineOptions { ruby: PathBuf::from("false"), ..PuppetEngineOptions::default() };
    let error = PuppetEngine::with_options(exits).unwrap().compile(&code_request("")).unwrap_err().to_string();
    assert_eq!(error, "the puppet engine failed: the Ruby worker exited with status 1 while loading Puppet");
}
