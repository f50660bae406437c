//! `puppet-ci lint`: puppet-lint's 40 checks with its options, over any number of files
//! and folders (or the staged files), in parallel; puppet-lint's `--json` or a report in
//! any `--format`.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Arg, ArgAction, ArgMatches};
use puppet_ci_report::{Format, RunReport};
use puppet_lint::command::{Invocation, LintRun};
use puppet_lint::options::Action;

use crate::args::ReportArgs;
use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files and folders to lint (folders recursively: their .pp, .yaml and .yml files).
    /// Default: the control repo's manifests and modules.
    pub paths: Vec<PathBuf>,
    /// Read no option files (/etc/puppet-lint.rc, ~/.puppet-lint.rc, ./.puppet-lint.rc)
    /// and not the `lint:` section of puppet-ci.yaml.
    #[arg(long)]
    pub no_config: bool,
    /// Read puppet-lint options from this file (one per line), here in the order.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config_file: Vec<PathBuf>,
    /// autoloader_layout: compare the path from the module root, whatever the module
    /// folder is called.
    #[arg(long)]
    pub relative: bool,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub fail_on_warnings: bool,
    /// Fix what can be fixed safely, as puppet-lint --fix does (each fix is checked by
    /// parsing the result; files are written whole).
    #[arg(short = 'f', long)]
    pub fix: bool,
    /// Print puppet-lint's JSON (the same as --format json).
    #[arg(long)]
    pub json: bool,
    /// The output format: human, json (puppet-lint's JSON), junit, sarif, github, codeclimate.
    #[arg(long, value_name = "FORMAT", value_parser = crate::args::format_parser())]
    pub format: Option<Format>,
    /// Also show the problems control comments ignore.
    #[arg(long)]
    pub show_ignored: bool,
    /// Lint the staged version of the staged .pp files (for a pre-commit hook).
    #[arg(long)]
    pub staged: bool,
    /// Comma separated File.fnmatch patterns of paths not to lint (default vendor/**/*.pp).
    #[arg(long, value_name = "PATTERNS")]
    pub ignore_paths: Option<String>,
    /// Comma separated top-scope variables top_scope_facts accepts.
    #[arg(long, value_name = "VARS")]
    pub top_scope_variables: Option<String>,
    #[command(flatten)]
    pub checks: CheckArgs,
}

/// `--only-checks LIST`, `--no-<check>-check` and `--<check>-check`, kept in the order
/// given (puppet-lint applies them in order).
#[derive(Debug, Clone, Default)]
pub struct CheckArgs {
    pub actions: Vec<Action>,
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

impl clap::Args for CheckArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        let mut command = command.arg(
            Arg::new("only-checks")
                .long("only-checks")
                .value_name("CHECKS")
                .action(ArgAction::Append)
                .help("Run only these checks (comma separated)"),
        );
        for rule in puppet_lint::RULES {
            let name = rule.meta().name;
            command = command.arg(Arg::new(leak(format!("no-{name}-check"))).long(leak(format!("no-{name}-check"))).action(ArgAction::Count).hide(true));
            command = command.arg(Arg::new(leak(format!("{name}-check"))).long(leak(format!("{name}-check"))).action(ArgAction::Count).hide(true));
        }
        command.after_help("Each check can be turned off with --no-<check>-check and on with --<check>-check; `puppet-ci rule --list` lists them.")
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl clap::FromArgMatches for CheckArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut ordered: Vec<(usize, Action)> = Vec::new();
        if let (Some(values), Some(indices)) = (matches.get_many::<String>("only-checks"), matches.indices_of("only-checks")) {
            for (value, index) in values.zip(indices) {
                ordered.push((index, Action::OnlyChecks(value.split(',').map(str::to_string).collect())));
            }
        }
        for rule in puppet_lint::RULES {
            let name = rule.meta().name;
            for (id, enabled) in [(format!("no-{name}-check"), false), (format!("{name}-check"), true)] {
                if matches.value_source(&id) != Some(clap::parser::ValueSource::CommandLine) {
                    continue;
                }
                if let Some(indices) = matches.indices_of(&id) {
                    ordered.extend(indices.map(|index| (index, Action::SetCheck(name.to_string(), enabled))));
                }
            }
        }
        ordered.sort_by_key(|(index, _)| *index);
        Ok(CheckArgs { actions: ordered.into_iter().map(|(_, action)| action).collect() })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let config = if args.no_config { None } else { Some(crate::output::load_config(global)?) };
    let mut actions: Vec<Action> = args.config_file.iter().cloned().map(Action::Config).collect();
    let list = |value: &str| value.split(',').map(str::to_string).collect::<Vec<String>>();
    actions.extend(args.ignore_paths.as_deref().map(|value| Action::IgnorePaths(list(value))));
    actions.extend(args.top_scope_variables.as_deref().map(|value| Action::TopScopeVariables(list(value))));
    actions.extend(args.checks.actions.iter().cloned());
    for (on, action) in [(args.relative, Action::Relative), (args.fail_on_warnings, Action::FailOnWarnings), (args.fix, Action::Fix), (args.show_ignored, Action::ShowIgnored), (args.json, Action::Json)] {
        if on {
            actions.push(action);
        }
    }
    let invocation = Invocation { paths: args.paths, actions, no_config: args.no_config, staged: args.staged, cwd: std::env::current_dir()? };
    let lint = puppet_lint::command::run(&invocation, config.as_ref())?;
    print(&lint, args.format, started)?;
    if lint.run.files.is_empty() && lint.run.errors.is_empty() {
        // Never green on nothing.
        eprintln!("puppet-ci lint: nothing to check: no .pp files in {}", describe(&invocation));
        return Ok(crate::exit::FINDINGS);
    }
    Ok(lint.exit_code())
}

fn describe(invocation: &Invocation) -> String {
    if invocation.staged {
        return "the staged files".to_string();
    }
    if invocation.paths.is_empty() {
        return "the control repo".to_string();
    }
    invocation.paths.iter().map(|path| path.display().to_string()).collect::<Vec<_>>().join(", ")
}

fn print(lint: &LintRun, format: Option<Format>, started: Instant) -> anyhow::Result<()> {
    for warning in &lint.warnings {
        eprintln!("{warning}");
    }
    for error in &lint.run.errors {
        eprintln!("puppet-ci lint: error: {error}");
    }
    let json = lint.options.json || format == Some(Format::Json);
    if json {
        let filter = puppet_lint::report::Filter { show_ignored: lint.options.show_ignored };
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        puppet_lint::report::write_puppet_lint_json(&lint.run.files, filter, &mut stdout)?;
        std::io::Write::flush(&mut stdout)?;
        return Ok(());
    }
    let report = RunReport { stages: vec![puppet_lint::command::stage_report(lint, started)] };
    ReportArgs { format: format.unwrap_or_default(), ..ReportArgs::default() }.emit(&report, std::path::Path::new("."))
}
