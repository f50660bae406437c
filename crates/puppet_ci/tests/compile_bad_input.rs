//! `puppet-ci compile` on input that breaks compiles: code that recurses or loops forever,
//! user Ruby code that kills the Puppet worker. Each ends with a clear message and an exit
//! code, never a hang, a panic or a stack overflow.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn puppet_ci(arguments: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_puppet-ci")).arg("compile").args(arguments).output().expect("puppet-ci runs");
    (output, started.elapsed())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn compile_code(code: &str, extra: &[&str]) -> (Output, Duration) {
    let arguments = [&["--code", code, "--facts", "debian-12-x86_64", "--node", "n1.example.com", "--engine", "puppet"], extra].concat();
    puppet_ci(&arguments)
}

#[test]
fn a_define_declaring_itself_forever_is_stopped() {
    let (output, took) = compile_code("define grow() { grow { \"${title}x\": } }\ngrow { 'a': }", &["--timeout", "5"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("puppet-ci: error: the puppet engine failed: no answer after 5.0 s while compiling node n1.example.com"),
        "{}",
        stderr(&output)
    );
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn a_define_declaring_itself_with_its_own_title_is_a_duplicate() {
    let (output, _) = compile_code("define same() { same { $title: } }\nsame { 'a': }", &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).starts_with("<code>:2: "), "{}", stderr(&output));
    assert!(stderr(&output).contains("Duplicate declaration: Same[a] is already declared"), "{}", stderr(&output));
}

#[test]
fn a_function_recursing_forever_is_a_compile_error() {
    let (output, _) = compile_code("function f(Integer $n) { f($n + 1) }\nnotify { 'x': message => f(0) }", &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stderr(&output), "stack level too deep\n");
}

#[test]
fn a_huge_loop_is_stopped_at_the_timeout() {
    let (output, took) = compile_code("Integer[1, 1000000000].each |$i| { }", &["--timeout", "3", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let error: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON error object");
    assert_eq!(error["error"]["kind"], "engine");
    assert!(error["error"]["message"].as_str().unwrap().starts_with("no answer after 3.0 s"), "{error}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn a_dying_puppet_worker_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let functions = dir.path().join("killer/lib/puppet/functions");
    std::fs::create_dir_all(&functions).unwrap();
    std::fs::write(
        functions.join("exit_now.rb"),
        "Puppet::Functions.create_function(:exit_now) do\n  def exit_now\n    $stderr.puts 'leaving abruptly'\n    exit!(3)\n  end\nend\n",
    )
    .unwrap();
    let modulepath = dir.path().to_str().unwrap();
    let (output, _) = compile_code("exit_now()", &["--modulepath", modulepath]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "puppet-ci: error: the puppet engine failed: the Ruby worker exited with status 3 while compiling node n1.example.com; \
         its last output:\nleaving abruptly\n"
    );
    assert!(Path::new(modulepath).is_dir());
}
