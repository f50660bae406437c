//! The stage itself: the plan (roles × fact sets, module tests × fact sets, cut to a
//! partition), compiles from the cache or the engines in parallel, then the checks of
//! each catalog and the report with its matrix.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use puppet_catalog::{Catalog, CompileError, CompileRequest, EngineError};
use puppet_ci_compile::{CompileOptions, EngineChoice};
use puppet_ci_config::catalog::Level;
use puppet_ci_config::Config;
use puppet_ci_report::{Case, Diagnostic, Location, Matrix, MatrixCell, Outcome, Position, Severity, StageReport};
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::cache::{Cache, Entry, NewEntry, Stored};
use crate::engines::Engines;
use crate::expect::{self, TestFile};
use crate::factsets::{self, NamedFacts};
use crate::fixtures::StoreOptions;
use crate::graph::{self, Check, Finding, HostRole};
use crate::partition::Partition;
use crate::project::Project;
use crate::snapshot::{self, Verdict};
use crate::{CatalogError, Result, TESTS_FILE};

/// What the stage tells its caller while it runs.
pub enum Event<'a> {
    /// A step worth a line (resolving modules, starting engines).
    Note(&'a str),
    /// One compile finished (or came from the cache).
    Compiled { done: usize, total: usize, label: &'a str, engine: &'a str, passed: bool },
}

pub type Progress = Arc<dyn Fn(Event<'_>) + Send + Sync>;

/// How the stage runs.
#[derive(Clone)]
pub struct StageOptions {
    /// None: `catalog.engine` of the configuration.
    pub engine: Option<EngineChoice>,
    pub partition: Option<Partition>,
    /// Write catalog snapshots instead of comparing them.
    pub update_snapshots: bool,
    /// Read and write the cache (`--no-cache` turns it off).
    pub cache: bool,
    /// Resolve `.fixtures.yml` and Puppetfile sources again instead of reusing the store.
    pub refresh_fixtures: bool,
    /// Threads compiling at once; None: one per core.
    pub jobs: Option<usize>,
    /// Ruby workers of the Puppet engine at most; None: `catalog.puppet_workers`.
    pub puppet_workers: Option<usize>,
    pub progress: Progress,
}

impl StageOptions {
    pub fn new(progress: Progress) -> StageOptions {
        StageOptions { engine: None, partition: None, update_snapshots: false, cache: true, refresh_fixtures: false, jobs: None, puppet_workers: None, progress }
    }
}

impl Default for StageOptions {
    fn default() -> Self {
        StageOptions::new(Arc::new(|_: Event<'_>| {}))
    }
}

/// Which modules `puppet-ci test` runs.
#[derive(Debug, Clone)]
pub enum TestSelection {
    /// Every module of the control repo with a tests file (or the module at the root).
    All,
    /// The modules in these folders.
    Folders(Vec<PathBuf>),
}

fn choice_of(config: &Config, options: &StageOptions) -> EngineChoice {
    options.engine.unwrap_or(match config.catalog.engine {
        puppet_ci_config::catalog::Engine::Auto => EngineChoice::Auto,
        puppet_ci_config::catalog::Engine::Native => EngineChoice::Native,
        puppet_ci_config::catalog::Engine::Puppet => EngineChoice::Puppet,
    })
}

fn store_options(config: &Config, options: &StageOptions) -> StoreOptions {
    let forge_cache = config.catalog.forge_cache.clone().or_else(|| config.deploy.as_ref().and_then(|deploy| deploy.forge_cache.clone()));
    StoreOptions { forge_cache: forge_cache.map(|folder| config.root.join(folder)), refresh: options.refresh_fixtures }
}

/// Whether the stage has anything to check, without resolving modules: `None` when it
/// has, else what is missing.
pub fn has_work(config: &Config) -> Option<String> {
    if !config.catalog.roles.is_empty() || config.root.join(TESTS_FILE).is_file() {
        return None;
    }
    for folder in &config.modulepath {
        let folder = config.root.join(folder);
        if folder.join("role/manifests").is_dir() {
            return None;
        }
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        if entries.flatten().any(|entry| entry.path().join(TESTS_FILE).is_file()) {
            return None;
        }
    }
    Some(format!("no role::* classes in the modulepath, no catalog.roles in puppet-ci.yaml and no module with a {TESTS_FILE}"))
}

/// Runs the catalog stage: every role × fact set, the graph checks, the roles of one
/// host against each other, and every module's tests.
pub fn stage(config: &Config, options: &StageOptions) -> Result<StageReport> {
    run("catalog", config, options, true, &TestSelection::All)
}

/// Runs module tests only (`puppet-ci test`), as a stage named `test`.
pub fn test_modules(config: &Config, selection: &TestSelection, options: &StageOptions) -> Result<StageReport> {
    run("test", config, options, false, selection)
}

/// One compile the stage needs.
struct Job {
    label: String,
    kind: JobKind,
    spec: RequestSpec,
    key: String,
}

/// What a compile request is made of; the request itself is built only when the cache
/// does not answer (building one clones and extends a whole fact set).
#[derive(Clone)]
struct RequestSpec {
    options: CompileOptions,
    set: String,
    facts: Vec<(String, Value)>,
    certname: Option<String>,
    trusted: Map<String, Value>,
}

impl RequestSpec {
    /// Everything the request is made of, as text for the cache key.
    fn key_text(&self, sets: &BTreeMap<String, NamedFacts>) -> String {
        let facts = serde_json::to_string(&self.facts).expect("facts serialize");
        format!("{:?}\n{}\n{facts}\n{:?}\n{}", self.options, sets[&self.set].hash, self.certname, Value::Object(self.trusted.clone()))
    }

    fn build(&self, sets: &BTreeMap<String, NamedFacts>) -> Result<CompileRequest> {
        let facts: Vec<(&String, &Value)> = self.facts.iter().map(|(name, value)| (name, value)).collect();
        let mut request = request_for(&self.options, &sets[&self.set], &facts, self.certname.as_deref())?;
        request.trusted.extensions.extend(self.trusted.clone());
        Ok(request)
    }
}

enum JobKind {
    Role { role: String, node: Option<String>, fact_set: String },
    Test { file: usize, test: usize, fact_set: String },
}

/// A compile's result, compiled now or read from the cache. A cached catalog is read only
/// when something needs more of it than its graph findings: `Ok(None)`.
struct Done {
    result: std::result::Result<Option<Catalog>, EngineError>,
    findings: Option<Vec<Finding>>,
    engine: String,
    note: Option<String>,
    duration: Duration,
    cached: bool,
}

/// A unit of work that partitions keep together: the roles of one host on one fact set
/// (so their catalogs meet), or one role node, or one test on one fact set.
struct Unit {
    key: String,
    jobs: Vec<Job>,
}

fn run(name: &str, config: &Config, options: &StageOptions, with_roles: bool, selection: &TestSelection) -> Result<StageReport> {
    let started = Instant::now();
    let note = |text: &str| (options.progress)(Event::Note(text));
    let project = Project::open(config, &store_options(config, options))?;
    let stats = project.resolved;
    if stats.resolved + stats.reused + stats.linked > 0 {
        note(&format!("module store: {} resolved, {} reused, {} linked", stats.resolved, stats.reused, stats.linked));
    }
    let roles = if with_roles { project.roles() } else { Vec::new() };
    let test_files = read_tests(&project, selection)?;
    let needs_stage_sets = !roles.is_empty() || test_files.iter().any(|file| file.fact_sets.is_empty() && file.tests.iter().any(|test| test.fact_sets.is_empty()));
    let (stage_sets, uncovered) = if needs_stage_sets { factsets::resolve(&project)? } else { (Vec::new(), Vec::new()) };
    if needs_stage_sets && stage_sets.is_empty() {
        return Err(CatalogError::NoFactSets);
    }
    let mut sets: BTreeMap<String, NamedFacts> = stage_sets.iter().map(|set| (set.name.clone(), set.clone())).collect();
    for file in &test_files {
        for name in file.fact_sets.iter().chain(file.tests.iter().flat_map(|test| test.fact_sets.iter())) {
            if !sets.contains_key(name) {
                let context = format!("{}", file.path.display());
                sets.insert(name.clone(), factsets::load_named(name, &project.root, &context)?);
            }
        }
    }
    let node_sets = config.catalog.nodes.iter().flat_map(|node| node.fact_sets.iter());
    for name in node_sets {
        if !sets.contains_key(name) {
            let context = format!("{}: catalog.nodes", project.root.join(puppet_ci_config::FILE_NAME).display());
            sets.insert(name.clone(), factsets::load_named(name, &project.root, &context)?);
        }
    }
    let stage_set_names: Vec<String> = stage_sets.iter().map(|set| set.name.clone()).collect();

    let choice = choice_of(config, options);
    let cache = Cache::open(&project, choice, options.cache)?;
    let mut units = role_units(&project, &roles, &stage_set_names, &sets, &cache);
    units.extend(test_units(&project, &test_files, &stage_set_names, &sets, &cache));
    units.sort_by(|left, right| left.key.cmp(&right.key));
    let selected: Vec<Unit> = match options.partition {
        Some(partition) => partition.select(units),
        None => units,
    };
    if selected.is_empty() {
        if let Some(partition) = options.partition {
            return Ok(StageReport::skipped(name, format!("partition {partition} has nothing to compile")));
        }
    }
    let jobs: Vec<Job> = selected.into_iter().flat_map(|unit| unit.jobs).collect();
    let host_roles: HashSet<&String> = if config.catalog.checks.same_host == Level::Off { HashSet::new() } else { config.catalog.same_host.iter().flatten().collect() };
    let needs_catalog = |job: &Job| match &job.kind {
        JobKind::Test { .. } => true,
        JobKind::Role { role, node, .. } => node.is_none() && host_roles.contains(role),
    };
    let display = |file: &str| project.display_path(file).display().to_string();
    let results = compile_all(&jobs, &sets, &cache, choice, config, options, &needs_catalog, &display)?;

    let mut report = StageReport::new(name);
    let mut matrix = Matrix::new("role");
    let mut seen_diagnostics: HashSet<(String, String, u32, String)> = HashSet::new();
    let mut tool_failure = false;
    let levels = &config.catalog.checks;
    let mut catalogs_by_set: HashMap<(String, String), &Catalog> = HashMap::new();
    for (job, done) in jobs.iter().zip(&results) {
        if matches!(&done.result, Err(EngineError::Engine { .. })) && !is_missing_target_error(&done.result) {
            tool_failure = true;
        }
        match &job.kind {
            JobKind::Role { role, node, fact_set } => {
                let case = role_case(&project, role, job, done, levels, &display, &mut seen_diagnostics);
                matrix.push(MatrixCell {
                    row: role.clone(),
                    column: job.label.clone(),
                    outcome: case.outcome.kind(),
                    engine: if done.cached { "cached".to_string() } else { done.engine.clone() },
                    duration: done.duration,
                });
                report.cases.push(case);
                if let (None, Ok(Some(catalog))) = (node, &done.result) {
                    catalogs_by_set.insert((role.clone(), fact_set.clone()), catalog);
                }
            }
            JobKind::Test { file, test, fact_set } => {
                report.cases.extend(test_cases(&test_files[*file], *test, fact_set, done, options.update_snapshots, levels, &display, &mut seen_diagnostics)?);
            }
        }
    }
    report.cases.extend(same_host_cases(config, &stage_set_names, &catalogs_by_set, &display));
    for problem in uncovered {
        report.cases.push(Case::new("fact sets", "supported OS without a fact set", Outcome::skipped(problem)));
    }
    // Only a run whose every compile gave an answer about the user's code is kept.
    if !tool_failure {
        store_results(&cache, &jobs, &results)?;
    }
    if !matrix.cells.is_empty() {
        report.matrix = Some(matrix);
    }
    report.duration = started.elapsed();
    // Freeing the catalogs is a few per cent of a cold run: done on every thread.
    drop(catalogs_by_set);
    results.into_par_iter().for_each(drop);
    Ok(report)
}

/// Keeps every result compiled now that is about the user's code.
fn store_results(cache: &Cache, jobs: &[Job], results: &[Done]) -> Result<()> {
    let mut new = Vec::new();
    for (job, done) in jobs.iter().zip(results) {
        if done.cached || job.key.is_empty() {
            continue;
        }
        let (outcome, catalog) = match &done.result {
            Ok(Some(catalog)) => (Stored::Compiled { findings: done.findings.clone().unwrap_or_default() }, Some(catalog)),
            Err(EngineError::Compile(error)) => (Stored::CompileError(error.clone()), None),
            _ => continue,
        };
        let entry = Entry { engine: done.engine.clone(), note: done.note.clone(), seconds: done.duration.as_secs_f64(), outcome };
        new.push(NewEntry { key: &job.key, entry, catalog });
    }
    cache.put_all(new)
}

/// One role node's catalog, or why it has none.
pub(crate) struct NodeCatalog {
    pub role: String,
    /// The fact set (and node name, when configured).
    pub label: String,
    pub result: std::result::Result<Catalog, String>,
}

/// Every role × fact set of a control repo compiled (from the cache when it can be):
/// what `diff` compares. The project comes back for its paths.
pub(crate) fn compile_roles(config: &Config, options: &StageOptions) -> Result<(Project, Vec<NodeCatalog>)> {
    let project = Project::open(config, &store_options(config, options))?;
    let roles = project.roles();
    if roles.is_empty() {
        return Ok((project, Vec::new()));
    }
    let (stage_sets, _) = factsets::resolve(&project)?;
    let sets: BTreeMap<String, NamedFacts> = stage_sets.iter().map(|set| (set.name.clone(), set.clone())).collect();
    let names: Vec<String> = stage_sets.iter().map(|set| set.name.clone()).collect();
    let choice = choice_of(config, options);
    let cache = Cache::open(&project, choice, options.cache)?;
    let jobs: Vec<Job> = role_units(&project, &roles, &names, &sets, &cache).into_iter().flat_map(|unit| unit.jobs).collect();
    let display = |file: &str| project.display_path(file).display().to_string();
    let results = compile_all(&jobs, &sets, &cache, choice, config, options, &|_| true, &display)?;
    let mut tool_failure = None;
    let mut nodes = Vec::new();
    for (job, done) in jobs.iter().zip(&results) {
        let JobKind::Role { role, .. } = &job.kind else { continue };
        let result = match &done.result {
            Ok(catalog) => Ok(catalog.clone().expect("every catalog is read for a diff")),
            Err(EngineError::Compile(error)) => Err(error.to_string()),
            Err(other) => match missing_target_message(&done.result) {
                Some(message) => Err(message),
                None => {
                    tool_failure.get_or_insert_with(|| format!("{role} on {}: {other}", job.label));
                    continue;
                }
            },
        };
        nodes.push(NodeCatalog { role: role.clone(), label: job.label.clone(), result });
    }
    if let Some(failure) = tool_failure {
        return Err(CatalogError::Engine(failure));
    }
    store_results(&cache, &jobs, &results)?;
    Ok((project, nodes))
}

fn read_tests(project: &Project, selection: &TestSelection) -> Result<Vec<TestFile>> {
    let modules = project.modules_with_tests();
    let chosen: Vec<(String, PathBuf)> = match selection {
        TestSelection::All => modules,
        TestSelection::Folders(folders) => {
            let mut chosen = Vec::new();
            for folder in folders {
                let real = folder.canonicalize().map_err(CatalogError::io("find", folder))?;
                if !real.join(TESTS_FILE).is_file() {
                    return Err(CatalogError::Usage(format!("{} has no {TESTS_FILE}: nothing to test there", folder.display())));
                }
                let name = modules.iter().find(|(_, dir)| dir == &real).map_or_else(|| crate::project::module_name_of(&real), |(name, _)| name.clone());
                chosen.push((name, real));
            }
            chosen
        }
    };
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    let mut type_modules = project.modules();
    for (name, dir) in &chosen {
        if !type_modules.iter().any(|(known, _)| known == name) {
            type_modules.push((name.clone(), dir.clone()));
        }
    }
    let known = crate::types::known_types(&type_modules);
    let loads = |name: &str| project.root.join(name).is_file() || puppet_facts::bundled(name).is_some();
    chosen.iter().map(|(name, dir)| expect::read(&dir.join(TESTS_FILE), name, dir, &known, &loads)).collect()
}

/// Sets a fact by a dotted name (`os.release.full`), making the hashes on the way.
pub(crate) fn set_fact(facts: &mut Map<String, Value>, dotted: &str, value: Value) {
    let mut parts = dotted.split('.').peekable();
    let mut at = facts;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            at.insert(part.to_string(), value);
            return;
        }
        let entry = at.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        at = entry.as_object_mut().expect("made an object above");
    }
}

/// The compile options every job of `project` shares.
fn base_options(project: &Project) -> CompileOptions {
    CompileOptions {
        modulepath: project.modulepath.clone(),
        environment_dir: Some(project.root.clone()).filter(|_| project.hiera_config.is_some()),
        puppet_version: project.puppet_version,
        ..CompileOptions::new("")
    }
}

fn request_for(options: &CompileOptions, set: &NamedFacts, facts: &[(&String, &Value)], certname: Option<&str>) -> Result<CompileRequest> {
    let mut fact_set = set.set.clone();
    for (name, value) in facts {
        set_fact(&mut fact_set.values, name, (*value).clone());
    }
    if let Some(certname) = certname {
        let (hostname, domain) = certname.split_once('.').unwrap_or((certname, ""));
        set_fact(&mut fact_set.values, "networking.fqdn", Value::String(certname.to_string()));
        set_fact(&mut fact_set.values, "networking.hostname", Value::String(hostname.to_string()));
        set_fact(&mut fact_set.values, "networking.domain", Value::String(domain.to_string()));
    }
    let options = CompileOptions { node: certname.map(str::to_string), ..options.clone() };
    Ok(puppet_ci_compile::build_request_with_facts(&options, fact_set)?)
}

fn role_units(project: &Project, roles: &[String], stage_sets: &[String], sets: &BTreeMap<String, NamedFacts>, cache: &Cache) -> Vec<Unit> {
    let catalog = &project.config.catalog;
    let global_facts: Vec<(String, Value)> = catalog.facts.iter().map(|(name, value)| (name.clone(), expect::to_json(value))).collect();
    let base = CompileOptions { manifest: project.manifest.clone(), ..base_options(project) };
    let mut units: BTreeMap<String, Unit> = BTreeMap::new();
    let mut add = |unit_key: String, label: String, kind: JobKind, spec: RequestSpec| {
        let key = cache.key(&spec.key_text(sets));
        let job = Job { label, kind, spec, key };
        units.entry(unit_key.clone()).or_insert_with(|| Unit { key: unit_key, jobs: Vec::new() }).jobs.push(job);
    };
    for role in roles {
        let options = CompileOptions { classes: vec![role.clone()], ..base.clone() };
        let nodes: Vec<&puppet_ci_config::catalog::Node> = catalog.nodes.iter().filter(|node| &node.role == role).collect();
        if nodes.is_empty() {
            // A role of a same_host group shares its unit with the group's other roles.
            let group = catalog.same_host.iter().find(|group| group.contains(role)).map(|group| group.join("+")).unwrap_or_else(|| role.clone());
            for set_name in stage_sets {
                let spec = RequestSpec { options: options.clone(), set: set_name.clone(), facts: global_facts.clone(), certname: None, trusted: Map::new() };
                add(format!("role {group} {set_name}"), set_name.clone(), JobKind::Role { role: role.clone(), node: None, fact_set: set_name.clone() }, spec);
            }
            continue;
        }
        for node in nodes {
            let node_sets: &[String] = if node.fact_sets.is_empty() { stage_sets } else { &node.fact_sets };
            let mut facts = global_facts.clone();
            facts.extend(node.facts.iter().map(|(name, value)| (name.clone(), expect::to_json(value))));
            let trusted: Map<String, Value> = node.trusted.iter().map(|(name, value)| (name.clone(), expect::to_json(value))).collect();
            for set_name in node_sets {
                let spec = RequestSpec { options: options.clone(), set: set_name.clone(), facts: facts.clone(), certname: Some(node.name.clone()), trusted: trusted.clone() };
                let kind = JobKind::Role { role: role.clone(), node: Some(node.name.clone()), fact_set: set_name.clone() };
                add(format!("role {role} {} {set_name}", node.name), format!("{set_name} as {}", node.name), kind, spec);
            }
        }
    }
    units.into_values().collect()
}

fn test_units(project: &Project, files: &[TestFile], stage_sets: &[String], sets: &BTreeMap<String, NamedFacts>, cache: &Cache) -> Vec<Unit> {
    let mut units = Vec::new();
    let base = base_options(project);
    for (file_index, file) in files.iter().enumerate() {
        for (test_index, test) in file.tests.iter().enumerate() {
            let names: &[String] = if !test.fact_sets.is_empty() {
                &test.fact_sets
            } else if !file.fact_sets.is_empty() {
                &file.fact_sets
            } else {
                stage_sets
            };
            let options = CompileOptions { code: Some(test.code()), ..base.clone() };
            let facts: Vec<(String, Value)> = test.facts.iter().map(|(name, value)| (name.clone(), value.clone())).collect();
            for set_name in names {
                let spec = RequestSpec { options: options.clone(), set: set_name.clone(), facts: facts.clone(), certname: file.node.clone(), trusted: Map::new() };
                let key = cache.key(&spec.key_text(sets));
                let label = format!("{} on {set_name}", test.subject.label());
                let kind = JobKind::Test { file: file_index, test: test_index, fact_set: set_name.clone() };
                units.push(Unit { key: format!("test {} {:04} {set_name}", file.module, test_index), jobs: vec![Job { label, kind, spec, key }] });
            }
        }
    }
    units
}

/// Every job's result: from the cache when it has it (the catalog read only when
/// `needs_catalog` says so), else compiled in parallel; then the graph findings of the
/// catalogs compiled now.
#[allow(clippy::too_many_arguments)]
fn compile_all(
    jobs: &[Job],
    sets: &BTreeMap<String, NamedFacts>,
    cache: &Cache,
    choice: EngineChoice,
    config: &Config,
    options: &StageOptions,
    needs_catalog: &(dyn Fn(&Job) -> bool + Sync),
    display: &(dyn Fn(&str) -> String + Sync),
) -> Result<Vec<Done>> {
    let total = jobs.len();
    let done_count = AtomicUsize::new(0);
    let report = |job: &Job, done: &Done| {
        let count = done_count.fetch_add(1, Ordering::Relaxed) + 1;
        let engine = if done.cached { "cached" } else { done.engine.as_str() };
        let passed = done.result.is_ok();
        (options.progress)(Event::Compiled { done: count, total, label: &format!("{} {}", job_group(job), job.label), engine, passed });
    };
    let mut results: Vec<Option<Done>> = jobs
        .par_iter()
        .map(|job| {
            let started = Instant::now();
            let entry = cache.get(&job.key)?;
            let (result, findings) = match entry.outcome {
                Stored::Compiled { findings } if needs_catalog(job) => (Ok(Some(cache.get_catalog(&job.key)?)), Some(findings)),
                Stored::Compiled { findings } => (Ok(None), Some(findings)),
                Stored::CompileError(error) => (Err(EngineError::Compile(error)), None),
            };
            let done = Done { result, findings, engine: entry.engine, note: entry.note, duration: started.elapsed(), cached: true };
            report(job, &done);
            Some(done)
        })
        .collect();
    let missing: Vec<usize> = (0..total).filter(|&position| results[position].is_none()).collect();
    if !missing.is_empty() {
        // Nodes that differ only by their class or code share the rest of a request (the
        // agent's facts are derived once per fact set and overrides, and their copies hold
        // the same fact hash). The compiles go in the order of those shared requests: the
        // native engine converts a fact hash once per thread and keeps only the last few.
        let mut shared_keys: HashMap<String, usize> = HashMap::new();
        let mut shared: Vec<CompileRequest> = Vec::new();
        let mut requests: Vec<(usize, usize)> = Vec::with_capacity(missing.len());
        for &position in &missing {
            let spec = &jobs[position].spec;
            let general = RequestSpec { options: CompileOptions { classes: Vec::new(), code: None, ..spec.options.clone() }, ..spec.clone() };
            let base_key = general.key_text(sets);
            let base = match shared_keys.get(&base_key) {
                Some(&base) => base,
                None => {
                    shared.push(general.build(sets)?);
                    shared_keys.insert(base_key, shared.len() - 1);
                    shared.len() - 1
                }
            };
            requests.push((base, position));
        }
        requests.sort_unstable();
        let engines = Engines::new(choice, options.puppet_workers.unwrap_or(config.catalog.puppet_workers))?;
        let threads = options.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from)).max(1);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|error| CatalogError::Usage(format!("cannot start {threads} compile threads: {error}")))?;
        let compiled: Vec<(usize, Done)> = pool.install(|| {
            requests
                .par_iter()
                .map(|&(base, position)| {
                    let started = Instant::now();
                    let spec = &jobs[position].spec;
                    let request = CompileRequest { classes: spec.options.classes.clone(), code: spec.options.code.clone(), ..shared[base].clone() };
                    let compiled = engines.compile(&request);
                    let done = Done {
                        result: compiled.result.map(Some),
                        findings: None,
                        engine: compiled.engine.to_string(),
                        note: compiled.note,
                        duration: started.elapsed(),
                        cached: false,
                    };
                    report(&jobs[position], &done);
                    (position, done)
                })
                .collect()
        });
        for (position, done) in compiled {
            results[position] = Some(done);
        }
    }
    let mut results: Vec<Done> = results.into_iter().map(|done| done.expect("every result is here")).collect();
    results.par_iter_mut().for_each(|done| {
        if let (None, Ok(Some(catalog))) = (&done.findings, &done.result) {
            done.findings = Some(graph::check_catalog(catalog, display));
        }
    });
    Ok(results)
}

fn job_group(job: &Job) -> String {
    match &job.kind {
        JobKind::Role { role, .. } => role.clone(),
        JobKind::Test { .. } => "test".to_string(),
    }
}

/// Puppet reports a chain (`->`) to a resource that does not exist as an ArgumentError,
/// which its engine passes on as an engine failure: it is the user's code all the same.
fn missing_target_message<T>(result: &std::result::Result<T, EngineError>) -> Option<String> {
    let Err(EngineError::Engine { message, .. }) = result else { return None };
    let start = message.find("Could not find resource '")?;
    Some(message[start..].trim().to_string())
}

fn is_missing_target_error<T>(result: &std::result::Result<T, EngineError>) -> bool {
    missing_target_message(result).is_some()
}

fn level_of(levels: &puppet_ci_config::catalog::Checks, check: Check) -> Level {
    match check {
        Check::MissingTarget => levels.missing_target,
        Check::Cycle => levels.cycle,
        Check::ExecIdempotent => levels.exec_idempotent,
        Check::UnnotifiedService => levels.unnotified_service,
        Check::SameHost => levels.same_host,
    }
}

/// Findings as diagnostics at their resources, each identical one once per stage; the
/// first finding that fails the case (an error), and where the first one is.
fn findings_to_diagnostics(
    findings: Vec<Finding>,
    levels: &puppet_ci_config::catalog::Checks,
    display: &dyn Fn(&str) -> String,
    seen: &mut HashSet<(String, String, u32, String)>,
) -> (Vec<Diagnostic>, Option<String>, Option<Location>) {
    let mut diagnostics = Vec::new();
    let mut failed = None;
    let mut location = None;
    for finding in findings {
        let severity = match level_of(levels, finding.check) {
            Level::Off => continue,
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
        };
        if severity == Severity::Error && failed.is_none() {
            failed = Some(finding.message.clone());
        }
        let file = finding.file.as_deref().map(display).unwrap_or_default();
        let line = finding.line.unwrap_or(1);
        if location.is_none() && !file.is_empty() {
            location = Some(Location { file: PathBuf::from(&file), line, column: 1 });
        }
        if !seen.insert((finding.check.code().to_string(), file.clone(), line, finding.message.clone())) {
            continue;
        }
        diagnostics.push(Diagnostic::new(file, Position::new(line, 1), finding.check.code(), severity, finding.message).with_help(finding.help));
    }
    (diagnostics, failed, location)
}

/// A compile error's message without Puppet's nesting ("Evaluation Error: Error while
/// evaluating a Function Call, ...") and place suffix, and the innermost place it names
/// when the error has no place of its own (`fail()` in a class).
pub(crate) fn tidy_compile_error(error: &CompileError) -> CompileError {
    let nesting = regex::Regex::new(r"(?:Evaluation Error: )?Error while evaluating a [^,]+, ").expect("a valid regex");
    let place = regex::Regex::new(r"\s*\(file: ([^,()]+), line: (\d+)(?:, column: (\d+))?\)").expect("a valid regex");
    let mut tidy = error.clone();
    let last = place.captures_iter(&error.message).last();
    if let (None, Some(found)) = (&error.file, &last) {
        tidy.file = Some(found[1].to_string());
        tidy.line = found[2].parse().ok();
        tidy.column = found.get(3).and_then(|column| column.as_str().parse().ok());
    }
    // The place at the end is the error's own (now in its fields); places inside the
    // message ("already declared at (file: ..., line: 3)") stay.
    let mut message = error.message.trim().trim_end_matches(" on node").to_string();
    if let Some(found) = last.filter(|found| found.get(0).is_some_and(|whole| whole.end() == message.len())) {
        message.truncate(found.get(0).map_or(message.len(), |whole| whole.start()));
    }
    tidy.message = nesting.replace_all(&message, "").trim().to_string();
    tidy
}

/// A compile error as a diagnostic where Puppet places it; `fallback` (a file and line)
/// when Puppet places it nowhere (or in inline code).
fn compile_error_diagnostic(error: &CompileError, context: &str, display: &dyn Fn(&str) -> String, fallback: (&Path, u32)) -> Diagnostic {
    let error = tidy_compile_error(error);
    let code = if error.message.starts_with("Could not find resource") { "missing-relationship-target".to_string() } else { error.issue_code.clone().unwrap_or_else(|| "compile-error".to_string()) };
    let inner_places = regex::Regex::new(r"\(file: ([^,()]+),").expect("a valid regex");
    let message = inner_places.replace_all(&error.message, |found: &regex::Captures<'_>| format!("(file: {},", display(&found[1])));
    let (file, line, column) = match error.file.as_deref().filter(|file| !file.is_empty()) {
        Some(file) => (display(file), error.line.unwrap_or(1), error.column.unwrap_or(1)),
        None => (fallback.0.display().to_string(), fallback.1, 1),
    };
    Diagnostic::error(file, Position::new(line, column), code, format!("{context}: {message}"))
}

/// The role's manifest, for errors Puppet places nowhere.
fn role_file(project: &Project, role: &str) -> PathBuf {
    let mut segments: Vec<&str> = role.split("::").collect();
    let module = segments.remove(0);
    let relative = if segments.is_empty() { PathBuf::from("init.pp") } else { PathBuf::from(format!("{}.pp", segments.join("/"))) };
    for (name, dir) in project.modules() {
        if name == module {
            return project.display_path(&dir.join("manifests").join(&relative).display().to_string());
        }
    }
    PathBuf::from(puppet_ci_config::FILE_NAME)
}

fn role_case(
    project: &Project,
    role: &str,
    job: &Job,
    done: &Done,
    levels: &puppet_ci_config::catalog::Checks,
    display: &dyn Fn(&str) -> String,
    seen: &mut HashSet<(String, String, u32, String)>,
) -> Case {
    let mut output = String::new();
    if let Some(note) = &done.note {
        output.push_str(&note.replace(&format!("{}/", project.root.display()), ""));
        output.push('\n');
    }
    let context = format!("{role} on {}", job.label);
    let case = match &done.result {
        Ok(_) => {
            let findings = done.findings.clone().unwrap_or_default();
            let (diagnostics, failed, location) = findings_to_diagnostics(findings, levels, display, seen);
            let outcome = match failed {
                Some(first) => Outcome::failed(first),
                None => Outcome::Passed,
            };
            let mut case = Case::new(role, job.label.clone(), outcome).with_diagnostics(diagnostics);
            if let Some(location) = location {
                case = case.with_location(location);
            }
            case
        }
        Err(EngineError::Compile(error)) => {
            let diagnostic = compile_error_diagnostic(error, &context, display, (&role_file(project, role), 1));
            Case::new(role, job.label.clone(), Outcome::failed(format!("compile failed: {}", tidy_compile_error(error).message))).with_diagnostics(vec![diagnostic])
        }
        Err(other) => match missing_target_message(&done.result) {
            Some(message) => {
                let error = CompileError::new(message.clone());
                let diagnostic = compile_error_diagnostic(&error, &context, display, (&role_file(project, role), 1));
                Case::new(role, job.label.clone(), Outcome::failed(format!("compile failed: {message}"))).with_diagnostics(vec![diagnostic])
            }
            None => Case::new(role, job.label.clone(), Outcome::error(other.to_string())),
        },
    };
    case.with_duration(done.duration).with_output(output)
}

#[allow(clippy::too_many_arguments)]
fn test_cases(
    file: &TestFile,
    test_index: usize,
    fact_set: &str,
    done: &Done,
    update_snapshots: bool,
    levels: &puppet_ci_config::catalog::Checks,
    display: &dyn Fn(&str) -> String,
    seen: &mut HashSet<(String, String, u32, String)>,
) -> Result<Vec<Case>> {
    let test = &file.tests[test_index];
    let group = format!("test {}", test.subject.label());
    let tests_file = PathBuf::from(display(&file.path.display().to_string()));
    let at = |line: usize, column: usize| Location { file: tests_file.clone(), line: line as u32, column: column as u32 };
    let result: std::result::Result<&Catalog, CompileError> = match &done.result {
        Ok(Some(catalog)) => Ok(catalog),
        Ok(None) => unreachable!("a test's catalog is always read"),
        Err(EngineError::Compile(error)) => Err(tidy_compile_error(error)),
        Err(other) => match missing_target_message(&done.result) {
            Some(message) => Err(CompileError::new(message)),
            None => return Ok(vec![Case::new(group, fact_set, Outcome::error(other.to_string())).with_duration(done.duration)]),
        },
    };
    let expects_error = test.expectations.iter().any(|expectation| matches!(expectation.kind, expect::ExpectKind::CompileError(_)) && expect::Test::applies(expectation, fact_set));
    let mut diagnostics = Vec::new();
    let mut first_failure = None;
    match &result {
        // An unexpected compile error is placed where Puppet places it, not in the tests file.
        Err(error) if !expects_error => {
            let context = format!("{} on {fact_set}", test.subject.label());
            let diagnostic = compile_error_diagnostic(error, &context, display, (&tests_file, test.line as u32));
            first_failure = Some(format!("does not compile: {}", error.message));
            diagnostics.push(diagnostic);
        }
        _ => {
            for failure in expect::evaluate(test, fact_set, result.as_ref().map(|catalog| *catalog)) {
                first_failure.get_or_insert_with(|| failure.message.clone());
                let message = format!("{} on {fact_set}: {}", test.subject.label(), failure.message);
                diagnostics.push(Diagnostic::error(tests_file.clone(), Position::new(failure.line as u32, failure.column as u32), "expectation-failed", message));
            }
        }
    }
    if result.is_ok() {
        let findings = done.findings.clone().unwrap_or_default();
        let (found, graph_failure, _) = findings_to_diagnostics(findings, levels, display, seen);
        diagnostics.extend(found);
        if first_failure.is_none() {
            first_failure = graph_failure;
        }
    }
    let outcome = match first_failure {
        Some(message) => Outcome::failed(message),
        None => Outcome::Passed,
    };
    let mut cases = vec![Case::new(group.clone(), fact_set, outcome).with_location(at(test.line, 1)).with_diagnostics(diagnostics).with_duration(done.duration)];
    if let (true, Ok(catalog)) = (test.snapshot, &result) {
        let path = snapshot::path(&file.module_dir, &test.subject.file_stem(), fact_set);
        let shown = display(&path.display().to_string());
        let text = snapshot::render(&format!("{} on {fact_set}", test.subject.label()), catalog, display);
        let name = format!("{fact_set} snapshot");
        let case = match snapshot::check(&path, &text, update_snapshots)? {
            Verdict::Same => Case::new(group.clone(), name, Outcome::Passed),
            Verdict::Written => Case::new(group.clone(), name, Outcome::Passed).with_output(format!("wrote {shown}")),
            Verdict::Missing => {
                let message = format!("no catalog snapshot {shown} yet: run with --update-snapshots, then review and commit it");
                Case::new(group.clone(), name, Outcome::failed(message.clone()))
                    .with_diagnostics(vec![Diagnostic::error(tests_file.clone(), Position::new(test.line as u32, 1), "snapshot-missing", message)])
                    .with_output(text)
            }
            Verdict::Changed(diff) => {
                let message = format!("the catalog of {} on {fact_set} differs from the reviewed snapshot {shown}: review the diff, then run with --update-snapshots", test.subject.label());
                Case::new(group.clone(), name, Outcome::failed(message.clone()))
                    .with_diagnostics(vec![Diagnostic::error(tests_file.clone(), Position::new(test.line as u32, 1), "snapshot-changed", message)])
                    .with_output(diff)
            }
        };
        cases.push(case.with_location(at(test.line, 1)));
    }
    Ok(cases)
}

fn same_host_cases(config: &Config, fact_sets: &[String], catalogs: &HashMap<(String, String), &Catalog>, display: &dyn Fn(&str) -> String) -> Vec<Case> {
    let mut cases = Vec::new();
    if config.catalog.checks.same_host == Level::Off {
        return cases;
    }
    let mut seen = HashSet::new();
    for group in &config.catalog.same_host {
        for fact_set in fact_sets {
            let roles: Vec<HostRole<'_>> = group.iter().filter_map(|role| catalogs.get(&(role.clone(), fact_set.clone())).map(|catalog| HostRole { role, catalog })).collect();
            if roles.len() != group.len() {
                // A role that did not compile (or another partition's) is reported on its own.
                continue;
            }
            let findings = graph::same_host(&roles, display);
            let (diagnostics, failed, location) = findings_to_diagnostics(findings, &config.catalog.checks, display, &mut seen);
            let outcome = match failed {
                Some(first) => Outcome::failed(first),
                None => Outcome::Passed,
            };
            let mut case = Case::new(format!("same host {}", group.join(" + ")), fact_set.clone(), outcome).with_diagnostics(diagnostics);
            if let Some(location) = location {
                case = case.with_location(location);
            }
            cases.push(case);
        }
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compile_errors_are_tidied_and_placed() {
        let error = CompileError {
            message: "Evaluation Error: Error while evaluating a Resource Statement, Evaluation Error: Error while evaluating a Function Call, profile::app does not support RedHat 9 yet (file: /repo/site/profile/manifests/app.pp, line: 8, column: 7) on node".into(),
            file: None,
            line: None,
            column: None,
            issue_code: Some("RUNTIME_ERROR".into()),
        };
        let tidy = tidy_compile_error(&error);
        assert_eq!(tidy.message, "profile::app does not support RedHat 9 yet");
        assert_eq!((tidy.file.as_deref(), tidy.line, tidy.column), (Some("/repo/site/profile/manifests/app.pp"), Some(8), Some(7)));
        let nested = CompileError { message: "Duplicate declaration: Notify[x] is already declared at (file: /repo/a.pp, line: 3); cannot redeclare (file: /repo/a.pp, line: 4)".into(), ..error.clone() };
        let tidy = tidy_compile_error(&nested);
        assert_eq!(tidy.message, "Duplicate declaration: Notify[x] is already declared at (file: /repo/a.pp, line: 3); cannot redeclare");
        assert_eq!(tidy.line, Some(4));
        // A place of its own wins over the message's.
        let placed = CompileError { file: Some("/repo/a.pp".into()), line: Some(2), column: None, ..error };
        assert_eq!(tidy_compile_error(&placed).file.as_deref(), Some("/repo/a.pp"));
    }
}
