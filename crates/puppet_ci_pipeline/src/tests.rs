//! The shared rules of the pipeline, on control repos made in temporary folders (the
//! container and deploy stages run for real in the binary's tests).

use std::path::Path;
use std::sync::{Arc, Mutex};

use puppet_ci_config::Config;
use puppet_ci_report::OutcomeKind;

use super::*;

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn quiet() -> Progress {
    Arc::new(|_: &str| {})
}

fn statuses(run: &PipelineRun) -> Vec<(String, String)> {
    run.report
        .stages
        .iter()
        .map(|stage| {
            let status = match &stage.skipped {
                Some(reason) => format!("skipped: {reason}"),
                None if stage.passed() => format!("ok {}", stage.count(OutcomeKind::Passed)),
                None => format!("failed: {}", stage.cases.iter().find_map(|case| case.outcome.message().filter(|_| case.outcome.is_failure())).unwrap_or("")),
            };
            (stage.name.clone(), status)
        })
        .collect()
}

#[test]
fn the_stages_are_in_pipeline_order() {
    let names: Vec<&str> = STAGES.iter().map(|stage| stage.name).collect();
    assert_eq!(names, ["validate", "lint", "catalog", "dynamic", "integration", "deploy"]);
    // The configuration checks stage names against its own copy of the list.
    assert_eq!(names, puppet_ci_config::pipeline::STAGE_NAMES);
    assert!(stage("dynamic").unwrap().needs.contains(&Need::DockerEngine));
}

#[test]
fn an_empty_control_repo_fails_instead_of_passing() {
    let dir = repo(&[("puppet-ci.yaml", "modulepath: [site]\n")]);
    let config = Config::load(dir.path()).unwrap();
    let run = run(&Context::new(&config, quiet()), &RunOptions::default()).unwrap();
    let statuses = statuses(&run);
    assert!(statuses[0].1.starts_with("failed: nothing to check: no .pp or .epp files in manifests, site"), "{statuses:?}");
    assert_eq!(statuses[1], ("lint".to_string(), "skipped: stage validate failed".to_string()));
    assert_eq!(statuses[2], ("catalog".to_string(), "skipped: stage validate failed".to_string()));
    assert_eq!(statuses[5], ("deploy".to_string(), "skipped: stage validate failed; a red pipeline never deploys".to_string()));
    assert!(!run.report.passed());
    assert!(!run.tool_error);
}

#[test]
fn allowed_empty_stages_are_skipped_and_skips_are_honoured() {
    let yaml = "pipeline:\n  allow_empty: [catalog, dynamic]\n  skip: [integration]\n";
    let dir = repo(&[("puppet-ci.yaml", yaml), ("manifests/site.pp", "node default { }\n")]);
    let config = Config::load(dir.path()).unwrap();
    let progress_lines = Arc::new(Mutex::new(Vec::new()));
    let lines = progress_lines.clone();
    let progress: Progress = Arc::new(move |line: &str| lines.lock().unwrap().push(line.to_string()));
    let run = run(&Context::new(&config, progress), &RunOptions::default()).unwrap();
    assert_eq!(
        statuses(&run),
        [
            ("validate".to_string(), "ok 1".to_string()),
            ("lint".to_string(), "ok 1".to_string()),
            (
                "catalog".to_string(),
                "skipped: nothing to check: no role::* classes in the modulepath, no catalog.roles in puppet-ci.yaml and no module with a puppet-ci-tests.yaml (pipeline.allow_empty)".to_string()
            ),
            ("dynamic".to_string(), "skipped: nothing to check: no roles under `roles:` in puppet-ci.yaml (pipeline.allow_empty)".to_string()),
            ("integration".to_string(), "skipped: pipeline.skip in puppet-ci.yaml".to_string()),
            ("deploy".to_string(), "skipped: --deploy was not given".to_string()),
        ]
    );
    assert!(run.report.passed());
    assert_eq!(*progress_lines.lock().unwrap(), ["stage validate", "stage lint"]);
}

#[test]
fn single_stages_fail_on_nothing_too() {
    let dir = repo(&[("manifests/site.pp", "")]);
    let config = Config::load(dir.path()).unwrap();
    let report = run_stage("integration", &Context::new(&config, quiet())).unwrap();
    assert!(!report.passed());
    assert!(report.cases[0].outcome.message().unwrap().starts_with("nothing to check: no `integration:` in puppet-ci.yaml;"));
}

#[test]
fn unknown_stage_names_are_usage_errors() {
    // Stage names in the configuration are checked when it is loaded, by every command.
    let dir = repo(&[("puppet-ci.yaml", "pipeline:\n  skip: [lnit]\n")]);
    let err = Config::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("puppet-ci.yaml:2:10: no stage \"lnit\" (stages: validate, lint, catalog, dynamic, integration, deploy)"), "{err}");
    let config = Config::defaults(dir.path());
    let err = run(&Context::new(&config, quiet()), &RunOptions { skip: vec!["x".into()] }).unwrap_err();
    assert!(err.to_string().starts_with("--skip x: no such stage"), "{err}");
    let mut context = Context::new(&config, quiet());
    context.deploy.requested = true;
    let err = run(&context, &RunOptions::default()).unwrap_err();
    assert!(err.to_string().starts_with("--deploy needs a `deploy:` section"), "{err}");
}

#[test]
fn a_partition_splits_the_dynamic_roles_and_an_empty_share_is_gated() {
    let dir = repo(&[("puppet-ci.yaml", "roles:\n  - name: role::a\n  - name: role::b\n  - name: role::c\n")]);
    let config = Config::load(dir.path()).unwrap();
    let mut context = Context::new(&config, quiet());
    context.catalog.partition = Some("2/2".parse().unwrap());
    assert_eq!(stages::dynamic_roles(&context), ["role::b"]);
    context.catalog.partition = Some("3/4".parse().unwrap());
    assert_eq!(stages::dynamic_roles(&context), ["role::c"]);
    context.catalog.partition = Some("4/4".parse().unwrap());
    assert_eq!((stage("dynamic").unwrap().work)(&context).unwrap(), Work::Gated("partition 4/4 has no roles".to_string()));
}

#[test]
fn only_control_repos_and_modules_are_checked() {
    let empty = tempfile::tempdir().unwrap();
    assert!(!is_control_repo_or_module(empty.path()));
    let module = repo(&[("metadata.json", "{}")]);
    assert!(is_control_repo_or_module(module.path()));
    assert!(is_control_repo_or_module(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/control-repo"))));
}

#[test]
fn a_release_without_code_is_refused_before_the_switch() {
    let dir = repo(&[("environment.conf", "modulepath = site:modules\n")]);
    let check = release_check(None);
    assert_eq!(check(dir.path()).unwrap_err(), "the release holds no .pp or .epp files: it would serve no code");
    let good = repo(&[("manifests/site.pp", "node default { }\n")]);
    assert_eq!(check(good.path()), Ok(()));
    let bad = repo(&[("manifests/site.pp", "node default {\n")]);
    assert!(check(bad.path()).unwrap_err().starts_with("the release fails validate (1 file(s)): manifests/site.pp:"));
}

#[test]
fn rebuilt_images_are_built_once_per_run() {
    let dir = repo(&[("puppet-ci.yaml", "modulepath: [site]\n")]);
    let config = Config::load(dir.path()).unwrap();
    let mut ctx = Context::new(&config, quiet());
    ctx.container.rebuild_images = true;
    // Stages that build no image, or a container stage that did not run, change nothing.
    images_built(&mut ctx, stage("validate").unwrap(), &StageReport::new("validate"));
    images_built(&mut ctx, stage("dynamic").unwrap(), &StageReport::skipped("dynamic", "--skip"));
    assert!(ctx.container.rebuild_images);
    // Once dynamic has built them, integration reuses them.
    images_built(&mut ctx, stage("dynamic").unwrap(), &StageReport::new("dynamic"));
    assert!(!ctx.container.rebuild_images);
}
