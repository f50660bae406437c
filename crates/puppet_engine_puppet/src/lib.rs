//! The Puppet engine: catalogs compiled by real Puppet (Debian's Puppet 7 libraries, run
//! by the system `ruby`) in one long-lived worker process, behind [`puppet_catalog::Engine`].
//!
//! The worker (`worker.rb`, embedded in the binary) loads Puppet once and compiles one
//! request per line of JSON, so only the first compile pays Ruby's and Puppet's start-up.
//! Each compile has a timeout: a worker that hangs is killed, one that dies is reported,
//! and the next compile starts a fresh worker. It is the oracle of the differential tests
//! and the fallback for code the native engine does not handle.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use puppet_catalog::{Catalog, CompileError, CompileRequest, Engine, EngineError};
use serde_json::{json, Value};

/// The worker's Ruby source.
const WORKER_RB: &str = include_str!("worker.rb");
/// How many of the worker's last standard error lines an error report quotes.
const STDERR_TAIL_LINES: usize = 20;
const ENGINE_NAME: &str = "puppet";

/// How to run the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PuppetEngineOptions {
    /// The Ruby interpreter that has Puppet's libraries (`ruby`: Debian's puppet package).
    pub ruby: PathBuf,
    /// How long one compile may take before the worker is killed.
    pub timeout: Duration,
    /// How long Ruby may take to load Puppet.
    pub start_timeout: Duration,
}

impl Default for PuppetEngineOptions {
    fn default() -> Self {
        PuppetEngineOptions {
            ruby: PathBuf::from("ruby"),
            timeout: Duration::from_secs(120),
            start_timeout: Duration::from_secs(60),
        }
    }
}

/// Real Puppet as a compile engine. Compiles run one at a time in its worker; to
/// compile in parallel, make one engine per thread.
pub struct PuppetEngine {
    options: PuppetEngineOptions,
    /// Holds `worker.rb` and Puppet's confdir, vardir, ...; removed when the engine is dropped.
    state: tempfile::TempDir,
    worker: Mutex<Option<Worker>>,
}

impl PuppetEngine {
    /// An engine with default options. The worker starts at the first compile.
    pub fn new() -> Result<PuppetEngine, EngineError> {
        PuppetEngine::with_options(PuppetEngineOptions::default())
    }

    pub fn with_options(options: PuppetEngineOptions) -> Result<PuppetEngine, EngineError> {
        let state = tempfile::Builder::new()
            .prefix("puppet-ci-engine-")
            .tempdir()
            .map_err(|err| engine_error(format!("cannot create the worker's state folder: {err}")))?;
        std::fs::write(state.path().join("worker.rb"), WORKER_RB)
            .map_err(|err| engine_error(format!("cannot write the worker script: {err}")))?;
        Ok(PuppetEngine { options, state, worker: Mutex::new(None) })
    }

    /// The Puppet version the worker runs (starting the worker if it is not running).
    pub fn puppet_version(&self) -> Result<String, EngineError> {
        let mut worker = self.running_worker()?;
        Ok(worker.as_mut().expect("running_worker starts one").puppet_version.clone())
    }

    /// The process id of the running worker, if one runs.
    pub fn worker_pid(&self) -> Option<u32> {
        self.lock_worker().as_ref().map(|worker| worker.child.id())
    }

    fn lock_worker(&self) -> MutexGuard<'_, Option<Worker>> {
        // A panic while the lock was held leaves at worst a worker in an unknown state;
        // the protocol check (response ids) catches that, so the poison is not fatal.
        self.worker.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn running_worker(&self) -> Result<MutexGuard<'_, Option<Worker>>, EngineError> {
        let mut guard = self.lock_worker();
        if guard.is_none() {
            *guard = Some(Worker::start(&self.options, self.state.path())?);
        }
        Ok(guard)
    }
}

impl Engine for PuppetEngine {
    fn name(&self) -> &'static str {
        ENGINE_NAME
    }

    fn compile(&self, request: &CompileRequest) -> Result<Catalog, EngineError> {
        let mut guard = self.running_worker()?;
        let worker = guard.as_mut().expect("running_worker starts one");
        match worker.compile(request, self.options.timeout) {
            Ok(result) => result,
            Err(WorkerFailure(message)) => {
                // The worker is dead or was killed: the next compile starts a fresh one.
                *guard = None;
                Err(engine_error(message))
            }
        }
    }
}

/// The worker process died, hung or broke the protocol; it must not be used again.
struct WorkerFailure(String);

struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    next_id: u64,
    puppet_version: String,
}

impl Worker {
    fn start(options: &PuppetEngineOptions, state: &Path) -> Result<Worker, EngineError> {
        let mut child = Command::new(&options.ruby)
            .arg(state.join("worker.rb"))
            .arg(state)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|err| {
                engine_error(format!(
                    "cannot start {} (the Puppet engine needs Ruby and Debian's puppet package): {err}",
                    options.ruby.display()
                ))
            })?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr_tail);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut tail = tail.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if tail.len() == STDERR_TAIL_LINES {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });
        let stdin = child.stdin.take();
        let mut worker = Worker { child, stdin, lines, stderr_tail, next_id: 0, puppet_version: String::new() };
        let ready = worker
            .receive(options.start_timeout, "loading Puppet")
            .map_err(|WorkerFailure(message)| engine_error(message))?;
        if ready["ready"] != Value::Bool(true) {
            let reason = ready["error"].as_str().unwrap_or("it did not say it was ready");
            return Err(engine_error(format!("the Ruby worker cannot compile: {reason}")));
        }
        worker.puppet_version = ready["puppet_version"].as_str().unwrap_or_default().to_owned();
        Ok(worker)
    }

    fn compile(&mut self, request: &CompileRequest, timeout: Duration) -> Result<Result<Catalog, EngineError>, WorkerFailure> {
        self.next_id += 1;
        let id = self.next_id;
        let line = json!({"id": id, "job": job(request)}).to_string();
        let what = format!("compiling node {}", request.node);
        let stdin = self.stdin.as_mut().expect("stdin is open while the worker runs");
        if let Err(err) = stdin.write_all(line.as_bytes()).and_then(|()| stdin.write_all(b"\n")).and_then(|()| stdin.flush()) {
            return Err(self.died(&format!("{what} (cannot send the request: {err})")));
        }
        let response = self.receive(timeout, &what)?;
        if response["id"] != json!(id) {
            return Err(self.stop(&format!("the Ruby worker answered request {} while {what}, not request {id}", response["id"])));
        }
        if response["ok"] == Value::Bool(true) {
            return match serde_json::from_value::<Catalog>(response["catalog"].clone()) {
                Ok(catalog) => Ok(Ok(catalog)),
                Err(err) => Ok(Err(engine_error(format!("Puppet's catalog for node {} does not read as a catalog: {err}", request.node)))),
            };
        }
        let error = &response["error"];
        let message = error["message"].as_str().unwrap_or("Puppet gave no message").to_owned();
        if error["kind"] != "compile" {
            return Ok(Err(engine_error(format!("Puppet failed while {what}: {message}"))));
        }
        let number = |field: &str| error[field].as_u64().and_then(|number| u32::try_from(number).ok());
        Ok(Err(EngineError::Compile(CompileError {
            message,
            file: error["file"].as_str().map(str::to_owned),
            line: number("line"),
            column: number("column"),
            issue_code: error["issue_code"].as_str().map(str::to_owned),
        })))
    }

    /// The next protocol line, as JSON; `what` says what the worker was doing, for errors.
    fn receive(&mut self, timeout: Duration, what: &str) -> Result<Value, WorkerFailure> {
        let started = Instant::now();
        match self.lines.recv_timeout(timeout) {
            Ok(line) => serde_json::from_str(&line).map_err(|err| {
                self.stop(&format!("the Ruby worker wrote a line that is not JSON while {what} ({err}): {line:.200}"))
            }),
            Err(RecvTimeoutError::Timeout) => Err(self.stop(&format!(
                "no answer after {:.1} s while {what}: the Ruby worker was stopped (a compile that loops forever, or a timeout too short for this catalog)",
                started.elapsed().as_secs_f64()
            ))),
            Err(RecvTimeoutError::Disconnected) => Err(self.died(what)),
        }
    }

    /// The worker closed its output: it exited or was killed. Reports how, with its last words.
    fn died(&mut self, what: &str) -> WorkerFailure {
        self.stdin = None;
        let status = wait_briefly(&mut self.child);
        let how = match status {
            Some(status) => describe_exit(status),
            None => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                "closed its output and was stopped".to_owned()
            }
        };
        WorkerFailure(format!("the Ruby worker {how} while {what}{}", self.stderr_excerpt()))
    }

    /// Kills a worker that hangs or broke the protocol.
    fn stop(&mut self, message: &str) -> WorkerFailure {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
        WorkerFailure(format!("{message}{}", self.stderr_excerpt()))
    }

    fn stderr_excerpt(&self) -> String {
        // The stderr reader may still be draining the last lines of a dead process.
        std::thread::sleep(Duration::from_millis(50));
        let tail = self.stderr_tail.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if tail.is_empty() {
            return String::new();
        }
        format!("; its last output:\n{}", tail.iter().cloned().collect::<Vec<_>>().join("\n"))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing stdin ends the worker's loop; a worker busy elsewhere is killed.
        self.stdin = None;
        if wait_briefly(&mut self.child).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The exit status of `child` if it ends within a second.
fn wait_briefly(child: &mut Child) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => return None,
        }
    }
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("was killed by signal {signal}");
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "exited".to_owned(),
    }
}

fn engine_error(message: String) -> EngineError {
    EngineError::Engine { engine: ENGINE_NAME, message }
}

/// The worker's job for a request: what `worker.rb`'s `compile` reads.
fn job(request: &CompileRequest) -> Value {
    let path = |path: &Path| Value::String(path.to_string_lossy().into_owned());
    json!({
        "node": request.node,
        "facts": request.facts,
        "trusted": {
            "authenticated": request.trusted.authenticated,
            "certname": request.trusted.certname,
            "extensions": request.trusted.extensions,
            "external": request.trusted.external,
        },
        "server_facts": request.server_facts,
        "modulepath": request.modulepath.iter().map(|folder| path(folder)).collect::<Vec<_>>(),
        "manifest": request.manifest.as_deref().map(path),
        "code": request.code,
        "classes": request.classes,
        "hiera_config": request.hiera_config.as_deref().map(path),
        "environment": request.environment,
        "environment_dir": request.environment_dir.as_deref().map(path),
        "strict_variables": request.effective_strict_variables(),
        "strict": request.strict_mode().as_str(),
    })
}
