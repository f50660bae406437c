//! Lints the paths with all 40 checks on and `--relative`, printing puppet-lint's JSON
//! (a development tool for comparing with puppet-lint; `puppet-ci lint` is the command).

#![allow(clippy::print_stdout, clippy::print_stderr)]

fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let mut settings = puppet_lint::Settings::default();
    settings.enabled = vec![true; puppet_lint::RULES.len()];
    settings.relative = true;
    let run = puppet_lint::lint_paths(&paths, &settings);
    for error in &run.errors {
        eprintln!("{error}");
    }
    print!("{}", puppet_lint::report::puppet_lint_json(&run.files, puppet_lint::report::Filter::default()));
}
