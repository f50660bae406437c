//! [`NativeEngine`]: the native compiler behind `puppet_catalog::Engine`.

use puppet_catalog::{Catalog, CompileError, CompileRequest, Engine, EngineError, StrictMode};

use crate::{CompileOptions, Error, NativeCompiler, PuppetVersion, Strict};

/// The native engine (`--engine native`); parsed files are cached across compiles.
#[derive(Default)]
pub struct NativeEngine {
    compiler: NativeCompiler,
}

impl NativeEngine {
    pub fn new() -> NativeEngine {
        NativeEngine::default()
    }

    /// The compiler's options for a request.
    pub fn options(request: &CompileRequest) -> CompileOptions {
        CompileOptions {
            node_name: request.node.clone(),
            facts: request.facts.clone(),
            trusted_extensions: serde_json::Value::Object(request.trusted.extensions.clone()),
            trusted: Some(request.trusted.to_value()),
            server_facts: Some(request.server_facts_value()),
            environment_dir: request.environment_dir.clone(),
            modulepath: request.modulepath.clone(),
            manifest: request.manifest.clone(),
            code: request.code.clone(),
            classes: request.classes.iter().map(|c| (c.clone(), None)).collect(),
            hiera_config: request.hiera_config.clone(),
            environment: request.environment.clone(),
            strict_variables: request.effective_strict_variables(),
            strict: Some(match request.strict_mode() {
                StrictMode::Off => Strict::Off,
                StrictMode::Warning => Strict::Warning,
                StrictMode::Error => Strict::Error,
            }),
            version: match request.puppet_version {
                puppet_catalog::PuppetVersion::V7 => PuppetVersion::V7,
                puppet_catalog::PuppetVersion::V8 => PuppetVersion::V8,
            },
            ..CompileOptions::default()
        }
    }
}

impl Engine for NativeEngine {
    fn name(&self) -> &'static str {
        "native"
    }

    fn compile(&self, request: &CompileRequest) -> Result<Catalog, EngineError> {
        let options = NativeEngine::options(request);
        match self.compiler.compile(&options) {
            Ok(output) => Ok(output.catalog),
            Err(Error::Compile { message, file, line, column, issue_code }) => {
                Err(EngineError::Compile(CompileError { message, file, line, column, issue_code }))
            }
            Err(Error::Unsupported { construct, file, line }) => Err(EngineError::Unsupported { construct, file, line }),
            Err(Error::Input(message)) => Err(EngineError::Engine { engine: "native", message }),
        }
    }
}
