//! The lint stage of `puppet-ci all`: the control repo's manifests and modules, with the
//! repo's `.puppet-lint.rc` and `lint:` section; what fails it is `lint.fail_on`.

use std::path::Path;

use puppet_ci_config::Config;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn repo(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "puppet-ci.yaml", config);
    write(dir.path(), "manifests/site.pp", "node default {\n  include profile::base\n}\n");
    write(dir.path(), "site/profile/manifests/base.pp", "# base\nclass profile::base {\n  $motd = \"hello\"\n}\n");
    // An external module, as r10k installs it: an error (trailing whitespace).
    write(dir.path(), "modules/ext/manifests/init.pp", "# ext\nclass ext { \n}\n");
    dir
}

fn cases(config: &str) -> (bool, Vec<(String, String)>) {
    let dir = repo(config);
    let config = Config::load(dir.path()).unwrap();
    let report = puppet_lint::command::stage(&config).unwrap();
    let cases = report.cases.iter().map(|case| (case.group.clone(), format!("{:?}", case.outcome.kind()))).collect();
    (report.passed(), cases)
}

#[test]
fn the_stage_lints_the_control_repo_and_fails_on_errors() {
    let (passed, cases) = cases("modulepath: [site, modules]\n");
    assert!(!passed, "the trailing whitespace is an error");
    let groups: Vec<&str> = cases.iter().map(|(group, _)| group.as_str()).collect();
    assert_eq!(groups, ["manifests/site.pp", "site/profile/manifests/base.pp", "modules/ext/manifests/init.pp"]);
}

#[test]
fn ignore_paths_are_relative_to_the_control_repo() {
    let (passed, cases) = cases("lint:\n  ignore_paths: [\"modules/**/*.pp\"]\n");
    assert!(passed, "{cases:?}");
    assert_eq!(cases.len(), 2);
}

#[test]
fn fail_on_says_what_fails_the_stage() {
    // The double quoted string is a warning.
    let (passed, _) = cases("lint:\n  ignore_paths: [\"modules/**/*.pp\"]\n  fail_on: warning\n");
    assert!(!passed);
    let (passed, _) = cases("lint:\n  fail_on: nothing\n");
    assert!(passed);
    // The option file of the control repo applies too.
    let dir = repo("lint:\n  fail_on: warning\n");
    write(dir.path(), ".puppet-lint.rc", "--no-double_quoted_strings-check\n--ignore-paths=modules/**/*.pp\n");
    let report = puppet_lint::command::stage(&Config::load(dir.path()).unwrap()).unwrap();
    assert!(report.passed());
}
