//! `puppet-ci rule NAME`: a lint rule's documentation (what it finds, why, examples, its
//! fix); `--list` lists the rules, `--markdown` prints docs/rules.md.

use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The rule (puppet-lint check) name, e.g. arrow_alignment.
    #[arg(required_unless_present_any = ["list", "markdown"])]
    pub name: Option<String>,
    /// List every rule: name, default state, level, fix, summary.
    #[arg(long, conflicts_with = "markdown")]
    pub list: bool,
    /// Print the rules reference (docs/rules.md) as Markdown.
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(args: Args, _global: &GlobalArgs) -> anyhow::Result<u8> {
    if args.list {
        print!("{}", puppet_lint::docs::list());
        return Ok(crate::exit::OK);
    }
    if args.markdown {
        print!("{}", puppet_lint::docs::markdown());
        return Ok(crate::exit::OK);
    }
    let name = args.name.unwrap_or_default();
    match puppet_lint::docs::rule(&name) {
        Some(text) => {
            print!("{text}");
            Ok(crate::exit::OK)
        }
        None => {
            eprintln!("puppet-ci rule: no rule named {name:?}; `puppet-ci rule --list` lists them");
            Ok(crate::exit::ERROR)
        }
    }
}
