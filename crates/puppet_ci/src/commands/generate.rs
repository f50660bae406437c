//! `puppet-ci generate` (hidden): the man pages and shell completions of this very command
//! line, written from its clap definitions so that they never drift from it. Packaging
//! (`ci/dist`) calls it; people who build from source can too.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap_complete::Shell;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// One man page (section 1) per command: puppet-ci.1, puppet-ci-validate.1, ...
    Man {
        /// The folder to write them to (created when missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Completion scripts: puppet-ci.bash, _puppet-ci (zsh), puppet-ci.fish.
    Completions {
        /// The folder to write them to (created when missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only this shell (repeatable). Default: bash, zsh and fish.
        #[arg(long, value_name = "SHELL")]
        shell: Vec<Shell>,
    },
}

pub fn run(args: Args, command: clap::Command) -> anyhow::Result<u8> {
    let written = match args.what {
        What::Man { out } => man_pages(command, &out)?,
        What::Completions { out, shell } => {
            let shells = if shell.is_empty() { vec![Shell::Bash, Shell::Zsh, Shell::Fish] } else { shell };
            completions(command, &shells, &out)?
        }
    };
    for path in written {
        println!("{}", path.display());
    }
    Ok(crate::exit::OK)
}

/// Writes the page of `command` and of every visible subcommand, recursively; returns the
/// files written.
pub fn man_pages(command: clap::Command, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut command = command.disable_help_subcommand(true);
    // Building fills in the display names (`puppet-ci-validate`) the pages are named by.
    command.build();
    let source = format!("puppet-ci {}", env!("CARGO_PKG_VERSION"));
    let mut written = Vec::new();
    let mut pending = vec![command];
    while let Some(command) = pending.pop() {
        pending.extend(command.get_subcommands().filter(|sub| !sub.is_hide_set()).cloned());
        let page = clap_mangen::Man::new(command).source(source.clone()).date(crate::version::COMMIT_DATE).manual("puppet-ci manual");
        let mut text = Vec::new();
        page.render(&mut text)?;
        let path = out.join(page.get_filename());
        puppet_ci_report::write_report(&path, &String::from_utf8(text)?)?;
        written.push(path);
    }
    written.sort();
    Ok(written)
}

/// Writes one completion script per shell under the name that shell looks for.
pub fn completions(command: clap::Command, shells: &[Shell], out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    use clap_complete::Generator;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let name = command.get_name().to_string();
    let command = without_hidden_subcommands(&command);
    let mut written = Vec::new();
    for shell in shells {
        let mut text = Vec::new();
        clap_complete::generate(*shell, &mut command.clone(), &name, &mut text);
        let mut text = String::from_utf8(text)?;
        if *shell == Shell::Bash {
            // clap_complete 4.6 names a subcommand's case `puppet__subcmd__ci__subcmd__all`
            // but sets `cmd` to `puppet__ci__subcmd__all` (a '-' in the program name is
            // mangled two ways), so no option of any subcommand would complete.
            text = text.replace(&name.replace('-', "__subcmd__"), &name.replace('-', "__"));
        }
        let path = out.join(shell.file_name(&name));
        puppet_ci_report::write_report(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

/// The command line as people see it: clap_complete offers hidden subcommands too (bash and
/// fish list `generate`), so completions are made from a copy without them.
fn without_hidden_subcommands(command: &clap::Command) -> clap::Command {
    // clap wants 'static names; `generate` runs once per process.
    let leak = |text: &str| -> &'static str { Box::leak(text.to_string().into_boxed_str()) };
    let mut visible = clap::Command::new(leak(command.get_name())).disable_help_subcommand(command.is_disable_help_subcommand_set());
    if let Some(about) = command.get_about() {
        visible = visible.about(about.clone());
    }
    if let Some(version) = command.get_version() {
        visible = visible.version(leak(version));
    }
    visible = visible.args(command.get_arguments().filter(|arg| !arg.is_hide_set() && !matches!(arg.get_id().as_str(), "help" | "version")).cloned());
    visible.subcommands(command.get_subcommands().filter(|sub| !sub.is_hide_set()).cloned())
}
