//! `puppet-ci`: the command line. Thin on purpose: each subcommand is a file in
//! `commands/` that parses its arguments, calls a library crate, and prints.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod args;
mod commands;
mod output;
mod version;

// Parsing a tree of manifests allocates many small, short-lived nodes on every thread;
// mimalloc serves them about a tenth faster than glibc's malloc (tests/bench/validate-speed).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes, as ripgrep and ruff use them.
pub mod exit {
    /// Everything checked is clean.
    pub const OK: u8 = 0;
    /// Findings in the user's code, or a stage failed.
    pub const FINDINGS: u8 = 1;
    /// Usage, configuration, I/O or environment error: the tool could not do its work.
    pub const ERROR: u8 = 2;
}

#[derive(Debug, Parser)]
#[command(name = "puppet-ci", about = "Every check a Puppet change needs, in one fast binary.")]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// The control repo (or module) to work on. Default: the current folder when it has a
    /// puppet-ci.yaml, else the bundled example in fixtures/control-repo.
    #[arg(long, global = true, env = "PUPPET_CI_ROOT")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check Puppet syntax like `puppet parser validate`, recursively and in parallel.
    Validate(commands::validate::Args),
    /// Compile a node's catalog (natively or with real Puppet) and print it as JSON.
    Compile(commands::compile::Args),
    /// puppet-lint's 40 checks (same names, messages, positions and fixes), fast.
    Lint(commands::lint::Args),
    /// Print a lint rule's documentation (`--list` lists the rules).
    Rule(commands::rule::Args),
    /// Print a manifest's AST (`--dump pn` prints what `puppet parser dump --format pn` prints).
    Parse(commands::parse::Args),
    /// Compile every role against every fact set, check the catalogs, run module tests.
    Catalog(commands::catalog::Args),
    /// Run a module's tests (puppet-ci-tests.yaml expectations and catalog snapshots).
    Test(commands::test::Args),
    /// Compare the catalogs of two git refs for every role and fact set.
    Diff(commands::diff::Args),
    /// Work with report files: merge the parts of a partitioned run.
    Report(commands::report::Args),
    /// Build, list and prune the Debian base images the container stages run in.
    Image(commands::image::Args),
    /// Apply each role in a real container, apply again, and run the role's checks.
    Dynamic(commands::dynamic::Args),
    /// Start several nodes on one network and check them from one another.
    Integration(commands::integration::Args),
    /// Package the control repo at a git ref, modules resolved, as one versioned artifact.
    Package(commands::package::Args),
    /// Deploy a release to an environment of a puppet master, atomically.
    Deploy(commands::deploy::Args),
    /// Switch an environment back to its previous release.
    Rollback(commands::rollback::Args),
    /// Run every stage in pipeline order, failing fast; deploy only with --deploy.
    All(commands::all::Args),
    /// Rebuild the base images from today's repositories, run the container stages in them,
    /// and report what drifted since the last good night.
    Nightly(commands::nightly::Args),
    /// Write the man pages or shell completions (used to build packages).
    #[command(hide = true)]
    Generate(commands::generate::Args),
}

/// The command line with the version lines filled in (they are known only at run time:
/// the Puppet release comes from the catalog crate).
pub fn command() -> clap::Command {
    Cli::command().version(version::short()).long_version(version::long())
}

fn main() -> ExitCode {
    // mimalloc asks for transparent huge pages; each first touch of one zeroes 2 MiB, which
    // for a run of a fraction of a second costs more than the pages save (lint over the
    // corpus: about a quarter less CPU without them; tests/bench/lint-speed).
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // SAFETY: nothing has parsed yet (this is the first thing main does after the line
    // above), and the four functions are mimalloc's, the global allocator's.
    #[allow(unsafe_code)]
    unsafe {
        puppet_syntax::use_c_allocator(&puppet_syntax::CAllocator {
            malloc: libmimalloc_sys::mi_malloc,
            calloc: libmimalloc_sys::mi_calloc,
            realloc: libmimalloc_sys::mi_realloc,
            free: libmimalloc_sys::mi_free,
        });
    }
    let cli = match Cli::from_arg_matches(&command().get_matches()) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let result = match cli.command {
        Command::Validate(args) => commands::validate::run(args, &cli.global),
        Command::Compile(args) => commands::compile::run(args, &cli.global),
        Command::Lint(args) => commands::lint::run(args, &cli.global),
        Command::Rule(args) => commands::rule::run(args, &cli.global),
        Command::Parse(args) => commands::parse::run(args, &cli.global),
        Command::Catalog(args) => commands::catalog::run(args, &cli.global),
        Command::Test(args) => commands::test::run(args, &cli.global),
        Command::Diff(args) => commands::diff::run(args, &cli.global),
        Command::Report(args) => commands::report::run(args, &cli.global),
        Command::Image(args) => commands::image::run(args, &cli.global),
        Command::Dynamic(args) => commands::dynamic::run(args, &cli.global),
        Command::Integration(args) => commands::integration::run(args, &cli.global),
        Command::Package(args) => commands::package::run(args, &cli.global),
        Command::Deploy(args) => commands::deploy::run(args, &cli.global),
        Command::Rollback(args) => commands::rollback::run(args, &cli.global),
        Command::All(args) => commands::all::run(args, &cli.global),
        Command::Nightly(args) => commands::nightly::run(args, &cli.global),
        Command::Generate(args) => commands::generate::run(args, command()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if output::is_broken_pipe(&err) {
                return ExitCode::from(exit::OK);
            }
            eprintln!("puppet-ci: error: {err:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}
