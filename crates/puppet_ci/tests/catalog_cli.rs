//! The catalog stage and its commands end to end, on copies of the bundled examples and
//! on control repos made here: the matrix and its cache, a role that fails on one OS
//! family, the graph checks, per-node facts, module tests and snapshots, `.fixtures.yml`
//! from git into the module store, partitions and `report merge`, `diff` between refs,
//! and bad input (one line, exit 2, nothing cached).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn puppet_ci(root: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("puppet-ci runs");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Copies a folder (symlinks as symlinks), leaving out caches.
fn copy(from: &Path, to: &Path) {
    for entry in walkdir(from) {
        let relative = entry.strip_prefix(from).unwrap();
        if relative.components().any(|part| part.as_os_str() == ".puppet-ci") {
            continue;
        }
        let target = to.join(relative);
        let metadata = std::fs::symlink_metadata(&entry).unwrap();
        if metadata.file_type().is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&entry).unwrap(), &target).unwrap();
        } else if metadata.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(&entry, &target).unwrap();
        }
    }
}

fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut all = vec![root.to_path_buf()];
    let mut next = 0;
    while next < all.len() {
        let path = all[next].clone();
        next += 1;
        if std::fs::symlink_metadata(&path).unwrap().is_dir() {
            let mut children: Vec<PathBuf> = std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()).collect();
            children.sort();
            all.extend(children);
        }
    }
    all
}

/// The bundled example control repo (and the Forge cache its Puppetfile uses) in `dir`.
fn example(dir: &Path) -> PathBuf {
    copy(&workspace().join("fixtures/control-repo"), &dir.join("control-repo"));
    copy(&workspace().join("fixtures/deploy/forge-cache"), &dir.join("deploy/forge-cache"));
    dir.join("control-repo")
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// (group, name, status) of every case of the first stage.
fn cases(report: &Value) -> Vec<(String, String, String)> {
    report["stages"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| (case["group"].as_str().unwrap().to_string(), case["name"].as_str().unwrap().to_string(), case["outcome"]["status"].as_str().unwrap().to_string()))
        .collect()
}

fn failed(report: &Value) -> Vec<(String, String)> {
    cases(report).into_iter().filter(|(_, _, status)| status != "passed").map(|(group, name, _)| (group, name)).collect()
}

/// Every diagnostic of the first stage as `code file:line message`.
fn diagnostics(report: &Value) -> Vec<String> {
    report["stages"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|case| case["diagnostics"].as_array().cloned().unwrap_or_default())
        .map(|diagnostic| format!("{} {}:{} {}", diagnostic["code"].as_str().unwrap(), diagnostic["file"].as_str().unwrap(), diagnostic["start"]["line"], diagnostic["message"].as_str().unwrap()))
        .collect()
}

fn files_under(folder: &Path) -> Vec<PathBuf> {
    if !folder.exists() {
        return Vec::new();
    }
    walkdir(folder).into_iter().filter(|path| std::fs::symlink_metadata(path).unwrap().is_file()).collect()
}

#[test]
fn the_example_passes_with_a_matrix_and_an_unchanged_pair_is_not_compiled_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = example(dir.path());
    let (code, stdout, stderr) = puppet_ci(&root, &["catalog", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = json(&stdout);
    let matrix = &report["stages"][0]["matrix"];
    assert_eq!(matrix["rows"], serde_json::json!(["role::db", "role::web"]));
    assert_eq!(matrix["columns"].as_array().unwrap().len(), 4, "{matrix}");
    assert_eq!(matrix["cells"].as_array().unwrap().len(), 8);
    assert!(matrix["cells"].as_array().unwrap().iter().all(|cell| cell["outcome"] == "passed" && cell["engine"] != "cached"), "{matrix}");
    // The modules' tests ran too: the profiles' expectations and a snapshot per role.
    let all = cases(&report);
    assert!(all.contains(&("test profile::web".into(), "debian-12-x86_64".into(), "passed".into())), "{all:?}");
    assert!(all.contains(&("test role::web".into(), "debian-12-x86_64 snapshot".into(), "passed".into())), "{all:?}");
    assert!(all.contains(&("test role::db".into(), "debian-12-x86_64 snapshot".into(), "passed".into())), "{all:?}");
    assert!(stderr.contains("puppet-ci catalog: [8/"), "progress on stderr: {stderr}");

    let (code, stdout, _) = puppet_ci(&root, &["catalog", "--format", "json"]);
    assert_eq!(code, 0);
    let cells = json(&stdout)["stages"][0]["matrix"]["cells"].clone();
    assert!(cells.as_array().unwrap().iter().all(|cell| cell["engine"] == "cached"), "{cells}");

    // Any change to the code compiles again.
    let base = root.join("site/profile/manifests/base.pp");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(&base, format!("{text}# changed\n")).unwrap();
    let (code, stdout, _) = puppet_ci(&root, &["catalog", "--format", "json"]);
    assert_eq!(code, 0);
    let cells = json(&stdout)["stages"][0]["matrix"]["cells"].clone();
    assert!(cells.as_array().unwrap().iter().all(|cell| cell["engine"] != "cached"), "{cells}");
}

fn os_family(dir: &Path) -> PathBuf {
    let root = dir.join("os-family");
    copy(&workspace().join("fixtures/catalog/os-family"), &root);
    root
}

#[test]
fn a_role_that_breaks_on_one_os_family_fails_for_exactly_those_fact_sets() {
    for engine in ["auto", "puppet"] {
        let dir = tempfile::tempdir().unwrap();
        let root = os_family(dir.path());
        let (code, stdout, stderr) = puppet_ci(&root, &["catalog", "--engine", engine, "--format", "json"]);
        assert_eq!(code, 1, "{engine}: {stdout}{stderr}");
        let report = json(&stdout);
        let columns = &report["stages"][0]["matrix"]["columns"];
        assert_eq!(columns, &serde_json::json!(["debian-12-x86_64", "redhat-9-x86_64", "rocky-9-x86_64", "ubuntu-22.04-x86_64"]), "fact sets from metadata.json");
        assert_eq!(failed(&report), [("role::app".to_string(), "redhat-9-x86_64".to_string()), ("role::app".to_string(), "rocky-9-x86_64".to_string())], "{engine}");
        assert_eq!(
            diagnostics(&report),
            [
                "RUNTIME_ERROR site/profile/manifests/app.pp:8 role::app on redhat-9-x86_64: profile::app does not support RedHat 9 yet",
                "RUNTIME_ERROR site/profile/manifests/app.pp:8 role::app on rocky-9-x86_64: profile::app does not support Rocky 9 yet",
            ],
            "{engine}"
        );
        // The human summary names them, and the matrix shows them.
        let (_, human, _) = puppet_ci(&root, &["catalog", "--engine", engine]);
        assert!(human.contains("role::app redhat-9-x86_64: compile failed: profile::app does not support RedHat 9 yet"), "{human}");
        assert!(human.contains("role::app rocky-9-x86_64: compile failed"), "{human}");
        let app_row = human.lines().find(|line| line.trim_start().starts_with("role::app ")).unwrap();
        assert_eq!(app_row.matches("FAIL").count(), 2, "{human}");
    }
}

/// A control repo whose catalogs compile and hold what only a graph check finds.
fn graph_repo(dir: &Path) -> PathBuf {
    let root = dir.join("graph");
    write(
        &root,
        "puppet-ci.yaml",
        "modulepath: [site]\ncatalog:\n  fact_sets: [debian-12-x86_64]\n  same_host: [[role::a, role::b]]\n  nodes:\n    - name: web01.example.com\n      role: role::node\n      facts: {datacenter: ams, os.release.full: '12.99'}\n      trusted: {pp_role: node}\n",
    );
    write(&root, "manifests/site.pp", "node default { }\n");
    write(&root, "site/role/manifests/a.pp", "class role::a {\n  include profile::web\n  include profile::cycle\n}\n");
    write(&root, "site/role/manifests/b.pp", "class role::b {\n  package { 'nginx':\n    ensure => installed,\n  }\n}\n");
    write(
        &root,
        "site/role/manifests/node.pp",
        "class role::node {\n  unless $trusted['certname'] == 'web01.example.com' and $facts['networking']['hostname'] == 'web01' and $facts['datacenter'] == 'ams' and $facts['os']['release']['full'] == '12.99' and $trusted['extensions']['pp_role'] == 'node' {\n    fail('the node overrides are not applied')\n  }\n}\n",
    );
    write(
        &root,
        "site/profile/manifests/web.pp",
        "class profile::web {\n  package { 'nginx':\n    ensure => installed,\n  }\n  file { '/etc/nginx/nginx.conf':\n    ensure  => file,\n    content => \"worker_processes 2;\\n\",\n    require => Package['nginx'],\n  }\n  service { 'nginx':\n    ensure => running,\n  }\n  exec { 'reload nginx':\n    command => '/usr/sbin/nginx -s reload',\n  }\n}\n",
    );
    write(
        &root,
        "site/profile/manifests/cycle.pp",
        "class profile::cycle {\n  file { '/srv/app':\n    ensure  => directory,\n    require => Exec['fill'],\n  }\n  exec { 'fill':\n    command => '/bin/true',\n    creates => '/srv/app/filled',\n    require => File['/srv/app/data'],\n  }\n  file { '/srv/app/data':\n    ensure => file,\n  }\n}\n",
    );
    root
}

#[test]
fn graph_checks_find_what_the_compiler_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let root = graph_repo(dir.path());
    let (code, stdout, stderr) = puppet_ci(&root, &["catalog", "--format", "json"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let report = json(&stdout);
    assert_eq!(
        diagnostics(&report),
        [
            "dependency-cycle site/profile/manifests/cycle.pp:6 dependency cycle: Exec[fill] (site/profile/manifests/cycle.pp:6) => File[/srv/app] (site/profile/manifests/cycle.pp:2) => File[/srv/app/data] (site/profile/manifests/cycle.pp:11) => Exec[fill]",
            "exec-not-idempotent site/profile/manifests/web.pp:13 Exec[reload nginx] runs on every Puppet run: it has no creates, onlyif, unless or refreshonly",
            "unnotified-service site/profile/manifests/web.pp:5 File[/etc/nginx/nginx.conf] feeds Service[nginx] (site/profile/manifests/web.pp:10) but does not notify it: a change to the file leaves the service running the old configuration",
            "same-host-conflict site/role/manifests/b.pp:2 role::a and role::b are meant for one host (catalog.same_host) but both manage Package[nginx]: Package[nginx] (site/profile/manifests/web.pp:2) in role::a, Package[nginx] (site/role/manifests/b.pp:2) in role::b",
        ]
    );
    // The node overrides reached the compile: its case passes, named by the node.
    assert!(cases(&report).contains(&("role::node".into(), "debian-12-x86_64 as web01.example.com".into(), "passed".into())), "{:?}", cases(&report));
    assert_eq!(failed(&report), [("role::a".to_string(), "debian-12-x86_64".to_string()), ("same host role::a + role::b".to_string(), "debian-12-x86_64".to_string())]);
    // Warnings are reported in every format, errors fail the stage.
    let (_, sarif, _) = puppet_ci(&root, &["catalog", "--format", "sarif"]);
    let sarif = json(&sarif);
    let rules: Vec<&str> = sarif["runs"][0]["results"].as_array().unwrap().iter().map(|result| result["ruleId"].as_str().unwrap()).collect();
    assert_eq!(rules, ["dependency-cycle", "exec-not-idempotent", "unnotified-service", "same-host-conflict"]);
    let (_, github, _) = puppet_ci(&root, &["catalog", "--format", "github"]);
    assert!(github.contains("::warning file=site/profile/manifests/web.pp,line=13"), "{github}");
    // A check set to off is not run; an error level fails on a warning's finding.
    let config = std::fs::read_to_string(root.join("puppet-ci.yaml")).unwrap();
    std::fs::write(root.join("puppet-ci.yaml"), format!("{config}  checks: {{cycle: off, same_host: off, exec_idempotent: error}}\n")).unwrap();
    let (code, stdout, _) = puppet_ci(&root, &["catalog", "--format", "json"]);
    assert_eq!(code, 1);
    let found = diagnostics(&json(&stdout));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].starts_with("exec-not-idempotent "), "{found:#?}");
}

#[test]
fn snapshots_are_written_on_request_and_an_unreviewed_change_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = example(dir.path());
    let data = root.join("data/common.yaml");
    let text = std::fs::read_to_string(&data).unwrap().replace("This node is managed by Puppet.", "This node is managed by Puppet, and watched.");
    std::fs::write(&data, text).unwrap();
    let (code, stdout, stderr) = puppet_ci(&root, &["test"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("test role::web debian-12-x86_64 snapshot: the catalog of role::web on debian-12-x86_64 differs from the reviewed snapshot site/role/snapshots/role__web@debian-12-x86_64.snap"), "{stdout}");
    assert!(stdout.contains("      -    motd = \"This node is managed by Puppet.\"\n      +    motd = \"This node is managed by Puppet, and watched.\"\n"), "the diff is shown: {stdout}");
    let before = std::fs::read_to_string(root.join("site/role/snapshots/role__web@debian-12-x86_64.snap")).unwrap();
    assert!(before.contains("      | This node is managed by Puppet.\n"), "a failing run writes nothing: {before}");

    let (code, stdout, _) = puppet_ci(&root, &["test", "--update-snapshots"]);
    assert_eq!(code, 0, "{stdout}");
    let after = std::fs::read_to_string(root.join("site/role/snapshots/role__web@debian-12-x86_64.snap")).unwrap();
    assert!(after.contains("and watched"), "{after}");
    let (code, _, _) = puppet_ci(&root, &["test"]);
    assert_eq!(code, 0);

    // An expectation that does not hold fails at its line.
    let tests = root.join("site/profile/puppet-ci-tests.yaml");
    let text = std::fs::read_to_string(&tests).unwrap().replace("with: {owner: root, mode: \"0644\"", "with: {owner: root, mode: \"0600\"");
    std::fs::write(&tests, text).unwrap();
    let (code, stdout, _) = puppet_ci(&root, &["test", "--format", "json"]);
    assert_eq!(code, 1);
    let found = diagnostics(&json(&stdout));
    assert!(found.contains(&"expectation-failed site/profile/puppet-ci-tests.yaml:7 profile::base on debian-12-x86_64: File[/etc/motd] parameter mode: is \"0644\", expected \"0600\"".to_string()), "{found:#?}");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.test", "-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .unwrap();
    assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
}

/// A git repository holding a module `name` whose class notifies `message`.
fn module_repo(dir: &Path, name: &str, message: &str) {
    write(dir, "manifests/init.pp", &format!("class {name} {{\n  notify {{ '{message}': }}\n}}\n"));
    if !dir.join(".git").exists() {
        git(dir, &["init", "--quiet"]);
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "--quiet", "-m", message]);
}

#[test]
fn fixtures_come_from_git_refs_branches_forge_tarballs_and_links_and_are_reused_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let tagged = dir.path().join("repos/tagged");
    module_repo(&tagged, "tagged", "tagged v1");
    git(&tagged, &["tag", "v1"]);
    module_repo(&tagged, "tagged", "tagged v2");
    let branched = dir.path().join("repos/branched");
    module_repo(&branched, "branched", "branched main");
    git(&branched, &["checkout", "--quiet", "-b", "stable"]);
    module_repo(&branched, "branched", "branched stable");
    git(&branched, &["checkout", "--quiet", "main"]);

    // A Forge module from a local cache of tarballs (author-name-version.tar.gz, one top folder).
    let forge = dir.path().join("forge");
    write(&forge, "example-concat-1.2.3/manifests/init.pp", "class concat {\n  notify { 'concat 1.2.3': }\n}\n");
    let packed = Command::new("tar").arg("-czf").arg(forge.join("example-concat-1.2.3.tar.gz")).arg("-C").arg(&forge).arg("example-concat-1.2.3").output().unwrap();
    assert!(packed.status.success());
    std::fs::remove_dir_all(forge.join("example-concat-1.2.3")).unwrap();

    let module = dir.path().join("app");
    write(&module, "puppet-ci.yaml", "catalog:\n  forge_cache: ../forge\n");
    write(&module, "metadata.json", "{\"name\": \"example-app\", \"version\": \"1.0.0\", \"author\": \"example\", \"license\": \"Apache-2.0\", \"summary\": \"x\", \"source\": \"x\", \"dependencies\": []}\n");
    write(&module, "manifests/init.pp", "class app {\n  include tagged\n  include branched\n  include concat\n}\n");
    write(
        &module,
        ".fixtures.yml",
        &format!(
            "fixtures:\n  symlinks:\n    app: \"#{{source_dir}}\"\n  repositories:\n    tagged:\n      repo: ../repos/tagged\n      ref: v1\n    branched:\n      repo: {}\n      branch: stable\n  forge_modules:\n    concat:\n      repo: example/concat\n      ref: 1.2.3\n",
            branched.display()
        ),
    );
    write(
        &module,
        "puppet-ci-tests.yaml",
        "fact_sets: [debian-12-x86_64]\ntests:\n  - class: app\n    expect:\n      - contains: Notify[tagged v1]\n      - not_contains: Notify[tagged v2]\n      - contains: Notify[branched stable]\n      - contains: Notify[concat 1.2.3]\n",
    );
    let (code, stdout, stderr) = puppet_ci(&module, &["test"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("module store: 3 resolved, 0 reused, 1 linked"), "{stderr}");
    let objects = module.join(".puppet-ci/cache/modules/objects");
    assert_eq!(std::fs::read_dir(&objects).unwrap().count(), 3);

    // The second run resolves nothing: the store's index answers, even with the branch moved.
    module_repo(&branched, "branched", "branched main again");
    let (code, stdout, stderr) = puppet_ci(&module, &["test", "--no-cache"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("module store: 0 resolved, 3 reused, 1 linked"), "{stderr}");
    // --refresh-fixtures asks the sources again; the same content is stored once.
    let (code, _, stderr) = puppet_ci(&module, &["test", "--refresh-fixtures", "--no-cache"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("module store: 3 resolved, 0 reused, 1 linked"), "{stderr}");
    assert_eq!(std::fs::read_dir(&objects).unwrap().count(), 3);
}

#[test]
fn bad_input_is_one_clear_line_exit_2_and_nothing_cached() {
    let check = |root: &Path, args: &[&str], expected: &str| {
        let (code, stdout, stderr) = puppet_ci(root, args);
        assert_eq!(code, 2, "{stdout}{stderr}");
        let errors: Vec<&str> = stderr.lines().filter(|line| line.starts_with("puppet-ci: error:")).collect();
        assert_eq!(errors.len(), 1, "{stderr}");
        assert_eq!(stderr.lines().last().unwrap(), errors[0], "the error is the last line: {stderr}");
        assert!(errors[0].contains(expected), "{expected}\n{stderr}");
        assert_eq!(files_under(&root.join(".puppet-ci")), Vec::<PathBuf>::new(), "nothing cached");
    };
    let repo = |dir: &Path, catalog: &str| {
        write(dir, "puppet-ci.yaml", &format!("modulepath: [site]\ncatalog:\n{catalog}"));
        write(dir, "site/role/manifests/web.pp", "class role::web {\n  notify { 'web': }\n}\n");
        write(dir, "facts/broken.json", "{\"os\": {\"family\": \"Debian\",}\n");
        write(dir, "manifests/site.pp", "node default { }\n");
    };
    let dir = tempfile::tempdir().unwrap();
    repo(dir.path(), "  fact_sets: [debian-12-x86_64, facts/broken.json]\n");
    check(dir.path(), &["catalog"], "catalog.fact_sets: facts/broken.json: ");
    check(dir.path(), &["catalog"], "facts/broken.json:1:28: malformed facts JSON: trailing comma");

    let dir = tempfile::tempdir().unwrap();
    repo(dir.path(), "  fact_sets: [debian-12-x86_64, debain-12-x86_64]\n");
    check(dir.path(), &["catalog"], "no facts file debain-12-x86_64 and no bundled fact set of that name; bundled sets: almalinux-10-x86_64");

    let dir = tempfile::tempdir().unwrap();
    repo(dir.path(), "  fact_sets: [debian-12-x86_64]\n");
    write(dir.path(), "site/profile/puppet-ci-tests.yaml", "tests:\n  - class: role::web\n    expect:\n      - contains: Fiel[/etc/motd]\n");
    check(dir.path(), &["catalog"], "site/profile/puppet-ci-tests.yaml:4:19: no resource type Fiel: it is not one of Puppet's types, nor a defined type or Ruby type of the modulepath; did you mean File?");

    let dir = tempfile::tempdir().unwrap();
    let module = dir.path();
    write(module, "metadata.json", "{\"name\": \"example-app\", \"operatingsystem_support\": [{\"operatingsystem\": \"Debian\", \"operatingsystemrelease\": [\"12\"]}]}\n");
    write(module, "manifests/init.pp", "class app { }\n");
    write(module, ".fixtures.yml", "fixtures:\n  repositories:\n    stdlib:\n      repo: ../no-such-repository\n      ref: v1\n");
    write(module, "puppet-ci-tests.yaml", "tests:\n  - class: app\n");
    check(module, &["test"], ".fixtures.yml:4: repository stdlib: git clone failed: fatal: repository");
}

#[test]
fn partitions_cover_the_matrix_once_and_merge_into_one_report() {
    let dir = tempfile::tempdir().unwrap();
    let root = os_family(dir.path());
    let mut seen = Vec::new();
    let mut parts = Vec::new();
    for part in ["1/3", "2/3", "3/3"] {
        let file = dir.path().join(format!("part{}.json", &part[..1]));
        let (code, stdout, stderr) = puppet_ci(&root, &["catalog", "--partition", part, "--format", "json", "--json", file.to_str().unwrap()]);
        assert!(code == 0 || code == 1, "{stdout}{stderr}");
        let names: Vec<(String, String)> = cases(&json(&stdout)).into_iter().map(|(group, name, _)| (group, name)).collect();
        assert!(!names.is_empty(), "{part}");
        seen.extend(names);
        parts.push(file.to_str().unwrap().to_string());
    }
    let count = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), count, "no case in two parts");
    assert_eq!(count, 8, "every role × fact set in one part: {seen:?}");

    let mut args = vec!["report", "merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--format", "json"]);
    let (code, stdout, stderr) = puppet_ci(&root, &args);
    assert_eq!(code, 1, "the merged report fails as the whole run does: {stderr}");
    let merged = json(&stdout);
    assert_eq!(merged["stages"][0]["matrix"]["cells"].as_array().unwrap().len(), 8);
    assert_eq!(failed(&merged).len(), 2);
    let (_, human, _) = puppet_ci(&root, &["report", "merge", &parts[0], &parts[1], &parts[2]]);
    assert!(human.contains("catalog      FAILED 6 passed, 2 failed"), "{human}");

    let (code, _, stderr) = puppet_ci(&root, &["catalog", "--partition", "4/3"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--partition \"4/3\" is not K/N with 1 <= K <= N"), "{stderr}");
    let (code, _, stderr) = puppet_ci(&root, &["report", "merge", root.join("puppet-ci.yaml").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("puppet-ci.yaml:1:1: not a puppet-ci JSON report"), "{stderr}");
}

#[test]
fn diff_groups_changes_across_nodes_with_file_contents_as_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let root = repo.join("control");
    write(&root, "puppet-ci.yaml", "modulepath: [site]\ncatalog:\n  fact_sets: [debian-12-x86_64, ubuntu-22.04-x86_64]\n");
    write(&root, "manifests/site.pp", "node default { }\n");
    write(&root, "site/role/manifests/web.pp", "class role::web {\n  include profile::base\n}\n");
    write(&root, "site/role/manifests/db.pp", "class role::db {\n  include profile::base\n}\n");
    write(&root, "site/profile/templates/motd.epp", "Welcome.\nManaged by Puppet.\n");
    write(&root, "site/profile/files/issue", "Debian\n");
    write(
        &root,
        "site/profile/manifests/base.pp",
        "class profile::base {\n  file { '/etc/motd':\n    content => epp('profile/motd.epp'),\n  }\n  file { '/etc/issue':\n    source => 'puppet:///modules/profile/issue',\n  }\n}\n",
    );
    write(&repo, ".gitignore", ".puppet-ci/\n");
    git(&repo, &["init", "--quiet"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "--quiet", "-m", "first"]);
    write(&root, "site/profile/templates/motd.epp", "Welcome.\nManaged by Puppet, reviewed by puppet-ci.\n");
    write(&root, "site/profile/files/issue", "Debian GNU/Linux\n");
    write(&root, "site/role/manifests/web.pp", "class role::web {\n  include profile::base\n  package { 'tree': }\n}\n");
    git(&repo, &["commit", "--quiet", "-am", "second"]);

    let (code, stdout, stderr) = puppet_ci(&root, &["diff", "--from", "HEAD~1", "--to", "HEAD"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.starts_with("4 nodes: File[/etc/issue] content from puppet:///modules/profile/issue changed\n"), "{stdout}");
    assert!(stdout.contains("-Debian\n    +Debian GNU/Linux\n"), "{stdout}");
    assert!(stdout.contains("4 nodes: File[/etc/motd] parameter content changed\n  at site/profile/manifests/base.pp:2\n"), "{stdout}");
    assert!(stdout.contains("    -Managed by Puppet.\n    +Managed by Puppet, reviewed by puppet-ci.\n"), "{stdout}");
    assert!(stdout.contains("2 nodes: Package[tree] added\n  at site/role/manifests/web.pp:3\n  on role::web on debian-12-x86_64, role::web on ubuntu-22.04-x86_64\n"), "{stdout}");
    assert!(stdout.contains(": 4 nodes compared, 3 difference(s)\n"), "{stdout}");

    let (code, stdout, _) = puppet_ci(&root, &["diff", "--from", "HEAD", "--to", "HEAD", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(json(&stdout)["stages"][0]["cases"][0]["name"], "4 nodes compared: no difference");
    let (code, _, stderr) = puppet_ci(&root, &["diff", "--from", "no-such-ref"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-ref is not a commit of the repository"), "{stderr}");
}

#[test]
fn auto_hands_what_the_native_engine_lacks_to_puppet_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "puppet-ci.yaml", "modulepath: [site]\ncatalog:\n  fact_sets: [debian-12-x86_64]\n");
    write(root, "site/role/manifests/erb.pp", "class role::erb {\n  file { '/etc/host':\n    content => template('role/host.erb'),\n  }\n}\n");
    write(root, "site/role/templates/host.erb", "host <%= @facts['networking']['fqdn'] %>\n");
    write(root, "site/role/manifests/plain.pp", "class role::plain {\n  notify { 'plain': }\n}\n");
    let (code, stdout, stderr) = puppet_ci(root, &["catalog", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = json(&stdout);
    let engines: Vec<(String, String)> = report["stages"][0]["matrix"]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cell| (cell["row"].as_str().unwrap().to_string(), cell["engine"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(engines, [("role::erb".to_string(), "puppet".to_string()), ("role::plain".to_string(), "native".to_string())]);
    let erb = report["stages"][0]["cases"].as_array().unwrap().iter().find(|case| case["group"] == "role::erb").unwrap();
    assert_eq!(
        erb["output"].as_str().unwrap(),
        "the native engine does not support ERB templates (the function 'template') at site/role/manifests/erb.pp:3 yet: compiled by Puppet\n"
    );
    // --engine native reports the node it cannot compile as an error, not as the code's fault.
    let (code, stdout, _) = puppet_ci(root, &["catalog", "--engine", "native", "--no-cache", "--format", "json"]);
    assert_eq!(code, 1, "{stdout}");
    let report = json(&stdout);
    let erb = report["stages"][0]["cases"].as_array().unwrap().iter().find(|case| case["group"] == "role::erb").unwrap();
    assert_eq!(erb["outcome"]["status"], "error");
    assert!(erb["outcome"]["message"].as_str().unwrap().contains("not supported by the native engine yet: ERB templates"), "{erb}");
}
