//! `puppet-ci parse`: prints a manifest's or template's AST in Puppet's PN notation,
//! exactly as `puppet parser dump --format pn` (or `puppet epp dump --format pn`) does.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::GlobalArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DumpFormat {
    /// Puppet's PN notation.
    Pn,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The notation to print the tree in.
    #[arg(long, value_enum, default_value = "pn")]
    pub dump: DumpFormat,
    /// Indent the PN as `--pretty` does for Puppet's dump.
    #[arg(long)]
    pub pretty: bool,
    /// The `.pp` manifest or `.epp` template to parse.
    pub file: PathBuf,
}

pub fn run(args: Args, _global: &GlobalArgs) -> anyhow::Result<u8> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let epp = args.file.extension().is_some_and(|extension| extension == "epp");
    let parsed = puppet_syntax::parse_bytes(&bytes, epp);
    // `puppet epp dump` validates by default; `puppet parser dump` only reports syntax errors.
    let problems: Vec<_> = if epp {
        parsed.validate().into_iter().filter(puppet_syntax::Diagnostic::is_error).collect()
    } else {
        parsed.errors.clone()
    };
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("{}:{problem}", args.file.display());
        }
        return Ok(crate::exit::FINDINGS);
    }
    let text = match puppet_syntax::pn::program_to_pn_with(&parsed.program, args.pretty) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("{}: Puppet cannot dump this tree: {err}", args.file.display());
            return Ok(crate::exit::FINDINGS);
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.write_all(b"\n")?;
    stdout.flush()?;
    Ok(crate::exit::OK)
}
