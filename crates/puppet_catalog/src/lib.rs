//! The catalog a Puppet compile produces, the interface every compile engine implements,
//! and the normalisation and comparison that tell whether two engines agree.
//!
//! No evaluation happens here: `puppet_compiler` (native, in Rust) and
//! `puppet_engine_puppet` (real Puppet in a Ruby worker) implement [`Engine`]; tests and
//! the `compile` command compare their [`Catalog`]s with [`compare`].

mod compare;
mod error;
mod model;
mod request;

pub use compare::{compare, normalize, Difference, NormalizedCatalog, NormalizedResource, ResourceKey};
pub use error::{CompileError, EngineError};
pub use model::{Catalog, Edge, Resource};
pub use request::{default_server_facts, CompileRequest, Facts, PuppetVersion, StrictMode, TrustedFacts};

/// A way to compile a catalog: the native evaluator or real Puppet.
///
/// Engines are shared between threads (a test compiles many cases in parallel, the
/// catalog stage compiles many nodes), so an engine keeps any per-compile state inside
/// [`Engine::compile`] or behind its own locks.
pub trait Engine: Send + Sync {
    /// The engine's name as `--engine` spells it: `native` or `puppet`.
    fn name(&self) -> &'static str;

    /// Compiles the catalog of one node.
    ///
    /// An error in the user's code is [`EngineError::Compile`]; a construct the engine
    /// does not implement is [`EngineError::Unsupported`]; a failure of the engine itself
    /// (a worker that died or hung, I/O) is [`EngineError::Engine`].
    fn compile(&self, request: &CompileRequest) -> Result<Catalog, EngineError>;
}
