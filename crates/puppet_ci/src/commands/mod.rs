//! One module per subcommand.

pub mod all;
pub mod catalog;
pub mod compile;
pub mod deploy;
pub mod diff;
pub mod dynamic;
pub mod generate;
pub mod image;
pub mod integration;
pub mod lint;
pub mod nightly;
pub mod package;
pub mod parse;
pub mod report;
pub mod rollback;
pub mod rule;
pub mod test;
pub mod validate;
