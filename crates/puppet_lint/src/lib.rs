//! puppet-lint's 40 checks on Puppet manifests, with puppet-lint 4.3.0's names, messages,
//! positions and fixes.
//!
//! The lexer is puppet-lint's, ported token for token ([`lexer`]), so problems are
//! reported where puppet-lint reports them and fixes render the text puppet-lint renders;
//! Puppet's parser ([`puppet_syntax`]) decides whether a file is valid at all and checks
//! every fix. One rule per file in [`rules`], each declaring the tokens it wants.

pub mod command;
pub mod context;
pub mod control;
pub mod data;
pub mod docs;
pub mod engine;
mod error;
pub mod fix;
pub mod lexer;
pub mod options;
pub mod rule;
pub mod rules;
mod ruby;
pub mod run;
pub mod settings;
pub mod report;
pub mod token;
mod yaml;

pub use engine::{lint_source, Dispatch, FileLint};
pub use error::LintError;
pub use run::{lint_paths, FileResult, RunResult};
pub use rule::{Kind, Level, Problem, Rule, RuleMeta};
pub use rules::RULES;
pub use settings::Settings;
