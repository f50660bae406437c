//! The CI templates in `ci/` and the project's own scripts, checked by what can check them
//! offline: shellcheck (the scripts, and the shell inside the workflow files), the public
//! JSON schemas check-jsonschema bundles (GitHub workflows, Travis), groovyc (the
//! Jenkinsfile's syntax), pre-commit (its hook manifest), systemd-analyze (the timer). And
//! what the templates must keep doing: deploy the tested commit, keep the container stages
//! off hosted runners, keep secrets out of the scripts' text. tests/setup installs the tools.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_yaml::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace")
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(workspace().join(relative)).unwrap_or_else(|err| panic!("{relative}: {err}"))
}

/// A Python tool tests/setup installs in its virtual environment (`PUPPET_CI_TOOLS`, else
/// `$XDG_CACHE_HOME/puppet-ci/tools`, else `~/.cache/puppet-ci/tools`).
fn python_tool(name: &str) -> PathBuf {
    let tools = std::env::var_os("PUPPET_CI_TOOLS").map(PathBuf::from).unwrap_or_else(|| {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache"));
        cache.join("puppet-ci/tools")
    });
    let path = tools.join("bin").join(name);
    assert!(path.is_file(), "{} is missing: run tests/setup", path.display());
    path
}

fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap_or_else(|err| panic!("{command:?}: {err} (run tests/setup)"));
    output
}

fn assert_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what}:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs shellcheck on a script given as text, as the shell `shell` would run it.
fn shellcheck_text(what: &str, shell: &str, script: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("script");
    std::fs::write(&path, script).unwrap();
    let output = run(Command::new("shellcheck").arg(format!("--shell={shell}")).arg(&path));
    assert_success(&format!("shellcheck of {what}:\n{script}"), &output);
}

#[test]
fn scripts_pass_shellcheck() {
    let scripts = ["ci/pre-commit", "ci/nightly.sh", "ci/dist", "ci/image/build-rootfs.sh", "ci/image/build-tool-image.sh", "tests/dist/try-release", "tests/setup", "tests/run", ".ci/run"];
    let output = run(Command::new("shellcheck").current_dir(workspace()).args(scripts));
    assert_success("shellcheck", &output);
}

/// The `run:` scripts of a GitHub workflow, with `${{ expressions }}` replaced by a word
/// (GitHub substitutes them before the shell sees the script).
fn github_run_scripts(workflow: &Value) -> Vec<(String, String)> {
    let mut scripts = Vec::new();
    for (job_name, job) in workflow["jobs"].as_mapping().expect("jobs") {
        for step in job["steps"].as_sequence().expect("steps") {
            if let Some(script) = step["run"].as_str() {
                let name = format!("{}: {}", job_name.as_str().unwrap(), step["name"].as_str().unwrap_or(script));
                scripts.push((name, replace_expressions(script)));
            }
        }
    }
    scripts
}

fn replace_expressions(script: &str) -> String {
    let mut text = String::new();
    let mut rest = script;
    while let Some(start) = rest.find("${{") {
        text.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start + 2;
        text.push_str("EXPRESSION");
        rest = &rest[end..];
    }
    text.push_str(rest);
    text
}

#[test]
fn github_workflow_matches_the_schema_and_its_scripts_pass_shellcheck() {
    let output = run(Command::new(python_tool("check-jsonschema"))
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(workspace().join("ci/github/puppet-ci.yml")));
    assert_success("check-jsonschema vendor.github-workflows", &output);

    let workflow: Value = serde_yaml::from_str(&read("ci/github/puppet-ci.yml")).unwrap();
    assert_eq!(workflow["defaults"]["run"]["shell"].as_str(), Some("bash"), "bash runs steps with pipefail");
    for (name, script) in github_run_scripts(&workflow) {
        shellcheck_text(&name, "bash", &script);
        assert!(!script.contains("EXPRESSION"), "{name}: ${{{{ }}}} in a script's text: pass values through env:\n{script}");
    }
}

#[test]
fn github_workflow_runs_once_per_change_deploys_the_tested_commit_and_keeps_containers_off_hosted_runners() {
    let workflow: Value = serde_yaml::from_str(&read("ci/github/puppet-ci.yml")).unwrap();
    let on = &workflow["on"];
    assert!(on["pull_request"].is_null() || on["pull_request"].is_mapping(), "pull requests are checked");
    assert_eq!(on["push"]["branches"], serde_yaml::from_str::<Value>("[production]").unwrap(), "push only on the deploy branch");
    assert!(workflow["permissions"].is_mapping(), "a permissions: block");
    assert_eq!(workflow["permissions"]["contents"].as_str(), Some("read"));

    let jobs = &workflow["jobs"];
    let checks = jobs["checks"]["steps"].as_sequence().unwrap();
    let checks_text = serde_yaml::to_string(checks).unwrap();
    assert_eq!(jobs["checks"]["runs-on"].as_str(), Some("ubuntu-latest"));
    assert!(checks_text.contains("--skip dynamic --skip integration"), "hosted runners get no container stage");
    assert!(checks_text.contains("sha256sum --check"), "the download is verified");
    assert!(checks_text.contains("actions/cache@"), "the binary is cached");
    assert!(checks_text.contains("upload-sarif") && checks_text.contains("--sarif reports/checks.sarif"));
    assert_eq!(jobs["checks"]["permissions"]["security-events"].as_str(), Some("write"));
    assert!(jobs["checks"]["concurrency"].is_null(), "the checks never queue");

    let containers = serde_yaml::to_string(&jobs["containers"]).unwrap();
    assert!(containers.contains("self-hosted") && containers.contains("puppet-ci dynamic"), "{containers}");

    let deploy = &jobs["deploy"];
    let deploy_text = serde_yaml::to_string(deploy).unwrap();
    assert!(deploy_text.contains(r#"--ref "$GITHUB_SHA""#), "the tested commit is deployed:\n{deploy_text}");
    assert!(deploy_text.contains("DEPLOYER_KEY: ${{ secrets.PUPPET_CI_DEPLOYER_KEY }}"), "the secret comes through env:");
    assert!(deploy_text.contains("umask 077"), "the key file is readable by the runner's user alone");
    assert!(deploy_text.contains("reports/deploy.xml") && deploy_text.contains("upload-artifact"), "deploy.xml is uploaded");
    assert_eq!(deploy["needs"], serde_yaml::from_str::<Value>("[checks, catalog, catalog-report, containers]").unwrap());

    // The catalog stage is split over a matrix of runners and its parts are merged.
    let catalog = serde_yaml::to_string(&jobs["catalog"]).unwrap();
    assert!(catalog.contains(r#"--partition "$PART/4""#), "{catalog}");
    assert_eq!(jobs["catalog"]["strategy"]["matrix"]["part"].as_sequence().map(Vec::len), Some(4));
    let merge = serde_yaml::to_string(&jobs["catalog-report"]).unwrap();
    assert!(merge.contains("report merge parts/catalog-*.json"), "{merge}");
    assert_eq!(jobs["catalog-report"]["needs"].as_str(), Some("catalog"));
    assert!(deploy["concurrency"]["group"].is_string(), "deploys queue in a group of their own");
}

/// The shell lines of a Travis phase (a list of commands, or one).
fn travis_lines(value: &Value) -> Vec<String> {
    match value {
        Value::String(line) => vec![line.clone()],
        Value::Sequence(lines) => lines.iter().filter_map(|line| line.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn travis_config_matches_the_schema_its_scripts_pass_shellcheck_and_it_deploys_the_tested_commit() {
    let output = run(Command::new(python_tool("check-jsonschema")).args(["--builtin-schema", "vendor.travis"]).arg(workspace().join("ci/travis.yml")));
    assert_success("check-jsonschema vendor.travis", &output);

    let travis: Value = serde_yaml::from_str(&read("ci/travis.yml")).unwrap();
    // Travis runs every phase's lines in one bash session, in order.
    let mut script = String::from("set -e\n");
    for phase in ["install", "script", "after_failure", "before_deploy"] {
        script.extend(travis_lines(&travis[phase]).into_iter().map(|line| line + "\n"));
    }
    script.extend(travis_lines(&travis["deploy"]["script"]).into_iter().map(|line| line + "\n"));
    script.extend(travis_lines(&travis["after_deploy"]).into_iter().map(|line| line + "\n"));
    shellcheck_text("ci/travis.yml", "bash", &script);

    assert!(script.contains("--skip dynamic --skip integration"), "Travis' Ubuntu VMs get no container stage");
    assert!(script.contains("sha256sum --check"), "the download is verified");
    assert!(script.contains(r#"--ref "$TRAVIS_COMMIT""#), "the tested commit is deployed");
    assert!(travis["cache"]["directories"].as_sequence().is_some_and(|dirs| !dirs.is_empty()), "the binary is cached");
    assert_eq!(travis["deploy"]["on"]["branch"].as_str(), Some("production"));
    assert!(travis["if"].as_str().is_some_and(|condition| condition.contains("pull_request")), "no push-and-PR double builds");
}

/// The shell of each `sh '...'` and `sh '''...'''` step of a Jenkinsfile.
fn jenkins_sh_steps(text: &str) -> Vec<String> {
    let mut steps = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("sh '") {
        let after = &rest[at + 3..];
        let (quote, body_start) = if after.starts_with("'''") { ("'''", 3) } else { ("'", 1) };
        let body = &after[body_start..];
        let end = body.find(quote).expect("closed string");
        steps.push(body[..end].to_string());
        rest = &body[end + quote.len()..];
    }
    steps
}

#[test]
fn jenkinsfile_compiles_as_groovy_its_steps_pass_shellcheck_and_it_deploys_the_tested_commit() {
    let text = read("ci/Jenkinsfile");
    let dir = tempfile::tempdir().unwrap();
    let groovy = dir.path().join("Jenkinsfile.groovy");
    std::fs::write(&groovy, &text).unwrap();
    let output = run(Command::new("groovyc").arg("-d").arg(dir.path().join("classes")).arg(&groovy));
    assert_success("groovyc ci/Jenkinsfile", &output);

    let steps = jenkins_sh_steps(&text);
    assert!(steps.len() >= 4, "{steps:?}");
    for step in &steps {
        // Jenkins runs `sh` steps with /bin/sh -xe.
        shellcheck_text("a Jenkinsfile sh step", "sh", &format!("set -e\n{step}\n"));
    }
    let deploy: Vec<&String> = steps.iter().filter(|step| step.contains("puppet-ci deploy")).collect();
    assert_eq!(deploy.len(), 1);
    assert!(deploy[0].contains(r#"--ref "$GIT_COMMIT""#), "the tested commit is deployed: {}", deploy[0]);
    assert!(steps.iter().any(|step| step.contains("--skip dynamic --skip integration")), "checks without Docker");
    assert!(text.contains("label 'puppet-ci-docker'"), "the container stages on a Docker host");
    assert!(!text.contains("disableConcurrentBuilds"), "checks are not queued behind one another");
    assert!(text.contains("lock(resource:"), "deploys are");
    assert!(!text.contains("sh \"") && !text.contains("sh(\""), "no Groovy interpolation in shell steps (secrets)");
}

#[test]
fn pre_commit_manifest_and_systemd_units_are_valid() {
    let output = run(Command::new(python_tool("pre-commit")).args(["validate-manifest", ".pre-commit-hooks.yaml"]).current_dir(workspace()));
    assert_success("pre-commit validate-manifest", &output);
    let output = run(Command::new("systemd-analyze")
        .arg("verify")
        .args(["ci/systemd/puppet-ci-nightly.service", "ci/systemd/puppet-ci-nightly.timer"])
        .current_dir(workspace()));
    assert_success("systemd-analyze verify", &output);
}

fn git(repo: &Path, args: &[&str]) {
    let output = run(Command::new("git").arg("-C").arg(repo).args(args));
    assert_success(&format!("git {args:?}"), &output);
}

/// Runs ci/pre-commit in `repo` with `path` as PATH.
fn hook(repo: &Path, path: &str) -> Output {
    run(Command::new("bash").arg(workspace().join("ci/pre-commit")).current_dir(repo).env("PATH", path))
}

#[test]
fn pre_commit_hook_checks_staged_files_with_spaces_and_non_ascii_names() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    let manifests = repo.join("site/my module/manifests");
    std::fs::create_dir_all(&manifests).unwrap();
    std::fs::write(manifests.join("init.pp"), "class my_module { notice('hi') }\n").unwrap();
    std::fs::write(manifests.join("bär baz.pp"), "class my_module::bar { notice('ok') }\n").unwrap();
    // Files named so are not where Puppet's autoloader looks: the lint step would say so.
    std::fs::write(repo.join("puppet-ci.yaml"), "lint:\n  disable: [autoloader_layout]\n").unwrap();
    git(repo, &["add", "."]);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_puppet-ci")).parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:/usr/bin:/bin");

    let output = hook(repo, &path);
    assert_eq!(output.status.code(), Some(0), "valid files with spaces and non-ASCII names pass: {output:?}");

    // The staged content is checked, not the working tree: break it, stage, then fix the
    // working tree only.
    std::fs::write(manifests.join("bär baz.pp"), "class my_module::bar {\n  $x = [1,\n}\n").unwrap();
    git(repo, &["add", "."]);
    std::fs::write(manifests.join("bär baz.pp"), "class my_module::bar { notice('fixed, not staged') }\n").unwrap();
    let output = hook(repo, &path);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout, "site/my module/manifests/bär baz.pp:3:1: Syntax error at '}'\n");
    assert!(String::from_utf8_lossy(&output.stderr).contains("fix the errors above"));

    // A staged lint error (trailing whitespace) blocks the commit too.
    std::fs::write(manifests.join("bär baz.pp"), "class my_module::bar { notice('ok') } \n").unwrap();
    git(repo, &["add", "."]);
    let output = hook(repo, &path);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("trailing whitespace found"), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("fix the lint errors above"), "{output:?}");

    let output = hook(repo, "/usr/bin:/bin");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("puppet-ci is not on PATH") && !stderr.contains("fix the errors above"), "{stderr}");
}

/// The scheduled runs of every template call `puppet-ci nightly` (the drift report and the
/// history of nights), not the container stages with a flag of their own.
#[test]
fn every_schedule_runs_puppet_ci_nightly() {
    let workflow: Value = serde_yaml::from_str(&read("ci/github/puppet-ci.yml")).unwrap();
    assert!(workflow["on"]["schedule"].is_sequence(), "a schedule");
    let jobs = workflow["jobs"].as_mapping().unwrap();
    let scheduled: Vec<String> = jobs
        .iter()
        .filter(|(_, job)| job["if"].as_str().is_some_and(|condition| condition.contains("== 'schedule'")))
        .map(|(name, _)| name.as_str().unwrap().to_string())
        .collect();
    assert_eq!(scheduled, ["nightly"], "one job runs at night");
    let nightly = serde_yaml::to_string(&workflow["jobs"]["nightly"]).unwrap();
    assert!(nightly.contains("puppet-ci nightly --history .nightly-history"), "{nightly}");
    assert!(nightly.contains("path: .nightly-history") && nightly.contains("restore-keys"), "the history outlives the runner: {nightly}");
    assert!(nightly.contains("puppet-ci-docker"), "on a Docker host: {nightly}");
    for (name, job) in jobs {
        let condition = job["if"].as_str().unwrap_or("");
        let text = serde_yaml::to_string(job).unwrap();
        if text.contains("puppet-ci dynamic") {
            assert!(condition.contains("!= 'schedule'"), "{name:?} does not run at night beside `puppet-ci nightly`");
        }
    }

    let jenkins = read("ci/Jenkinsfile");
    let stage = &jenkins[jenkins.find("stage('nightly')").expect("a nightly stage")..];
    let stage = &stage[..stage.find("stage('deploy')").unwrap_or(stage.len())];
    assert!(stage.contains("triggeredBy 'TimerTrigger'"), "{stage}");
    let script = stage.split("script: '''").nth(1).and_then(|rest| rest.split("'''").next()).expect("the nightly shell step");
    assert!(script.contains("puppet-ci nightly --history"), "{script}");
    shellcheck_text("the Jenkinsfile nightly step", "sh", &format!("set -e\n{script}\n"));
    assert!(stage.contains("status == 3") && stage.contains("unstable("), "green with drift is unstable: {stage}");
    let containers = &jenkins[jenkins.find("stage('containers')").unwrap()..];
    assert!(containers[..containers.find("steps").unwrap()].contains("not { triggeredBy 'TimerTrigger' }"), "the timer build runs the night only");

    let service = read("ci/systemd/puppet-ci-nightly.service");
    assert!(service.contains("nightly.sh"), "{service}");
    let script = read("ci/nightly.sh");
    assert!(script.contains("puppet-ci nightly --history"), "ci/nightly.sh calls puppet-ci nightly");
    let readme = read("ci/README.md");
    assert!(readme.lines().any(|line| line.contains("* * *") && line.contains("nightly.sh")), "ci/README.md gives the cron line");
}
