//! The engines a stage compiles with: the native engine, shared by every thread, and a
//! small pool of Puppet engines (one Ruby worker each, started only when a node needs
//! one). `auto` hands a node to Puppet only when the native engine reports a construct it
//! does not support, and says so.

use std::sync::{Condvar, Mutex};

use puppet_catalog::{Catalog, CompileRequest, Engine, EngineError};
use puppet_ci_compile::{EngineChoice, SetupError};
use puppet_engine_puppet::PuppetEngineOptions;

use crate::Result;

/// What compiled a node, and why it was not the engine asked for.
pub(crate) struct Compiled {
    pub result: std::result::Result<Catalog, EngineError>,
    pub engine: &'static str,
    /// Set when `auto` fell back to Puppet: the construct the native engine lacks.
    pub note: Option<String>,
}

pub(crate) struct Engines {
    choice: EngineChoice,
    /// None under `--engine puppet`.
    native: Option<Box<dyn Engine>>,
    pool: Mutex<Pool>,
    returned: Condvar,
    limit: usize,
}

#[derive(Default)]
struct Pool {
    idle: Vec<Box<dyn Engine>>,
    started: usize,
}

impl Engines {
    /// The engines of `choice`; at most `puppet_workers` Puppet engines run at once.
    pub fn new(choice: EngineChoice, puppet_workers: usize) -> Result<Engines> {
        let native = match choice {
            EngineChoice::Puppet => None,
            EngineChoice::Native | EngineChoice::Auto => Some(puppet_ci_compile::engine(EngineChoice::Native, PuppetEngineOptions::default())?),
        };
        Ok(Engines { choice, native, pool: Mutex::new(Pool::default()), returned: Condvar::new(), limit: puppet_workers.max(1) })
    }

    pub fn compile(&self, request: &CompileRequest) -> Compiled {
        let mut note = None;
        if let Some(native) = &self.native {
            match native.compile(request) {
                Err(EngineError::Unsupported { construct, file, line }) if self.choice == EngineChoice::Auto => {
                    let place = match (file, line) {
                        (Some(file), Some(line)) => format!(" at {file}:{line}"),
                        (Some(file), None) => format!(" in {file}"),
                        _ => String::new(),
                    };
                    note = Some(format!("the native engine does not support {construct}{place} yet: compiled by Puppet"));
                }
                result => return Compiled { result, engine: native.name(), note: None },
            }
        }
        let engine = match self.take_puppet() {
            Ok(engine) => engine,
            Err(error) => return Compiled { result: Err(error), engine: "puppet", note },
        };
        let result = engine.compile(request);
        self.give_back(engine);
        Compiled { result, engine: "puppet", note }
    }

    /// A Puppet engine of the pool, started when fewer than the limit run.
    fn take_puppet(&self) -> std::result::Result<Box<dyn Engine>, EngineError> {
        let mut pool = self.pool.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        loop {
            if let Some(engine) = pool.idle.pop() {
                return Ok(engine);
            }
            if pool.started < self.limit {
                pool.started += 1;
                drop(pool);
                return puppet_ci_compile::engine(EngineChoice::Puppet, PuppetEngineOptions::default()).map_err(|error| match error {
                    SetupError::Engine(error) => error,
                    other => EngineError::Engine { engine: "puppet", message: other.to_string() },
                });
            }
            pool = self.returned.wait(pool).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn give_back(&self, engine: Box<dyn Engine>) {
        let mut pool = self.pool.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        pool.idle.push(engine);
        self.returned.notify_one();
    }
}
