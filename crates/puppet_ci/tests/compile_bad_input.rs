//! `puppet-ci compile` on input that breaks compiles, with both engines: code that recurses
//! or loops without end, user Ruby code that kills the Puppet worker. Each ends with a clear
//! message and exit code in bounded time: never a hang, a panic or a stack overflow.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const ENGINES: [&str; 2] = ["native", "puppet"];

fn puppet_ci(arguments: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_puppet-ci")).arg("compile").args(arguments).output().expect("puppet-ci runs");
    (output, started.elapsed())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn compile_code(engine: &str, code: &str, extra: &[&str]) -> (Output, Duration) {
    let arguments = [&["--code", code, "--facts", "debian-12-x86_64", "--node", "n1.example.com", "--engine", engine], extra].concat();
    puppet_ci(&arguments)
}

/// No panic (exit 101, "panicked at"), no signal (a stack overflow aborts the process).
fn assert_no_crash(engine: &str, output: &Output) {
    assert!(output.status.code().is_some_and(|code| code == 1 || code == 2), "{engine}: exit {:?}: {}", output.status, stderr(output));
    assert!(!stderr(output).contains("panicked at"), "{engine}: {}", stderr(output));
}

/// A define that declares itself under a new title every time: Puppet gives up after 1000
/// rounds of evaluating definitions, and so must the native engine.
#[test]
fn a_define_declaring_itself_forever_is_an_error() {
    for engine in ENGINES {
        let (output, took) = compile_code(engine, "define grow() { grow { \"${title}x\": } }\ngrow { 'a': }", &[]);
        assert_no_crash(engine, &output);
        assert_eq!(output.status.code(), Some(1), "{engine}: {}", stderr(&output));
        assert_eq!(stderr(&output), "Somehow looped more than 1000 times while evaluating host catalog\n", "{engine}");
        assert!(took < Duration::from_secs(120), "{engine} took {took:?}");
    }
}

#[test]
fn a_define_declaring_itself_with_its_own_title_is_a_duplicate() {
    for engine in ENGINES {
        let (output, _) = compile_code(engine, "define same() { same { $title: } }\nsame { 'a': }", &[]);
        assert_no_crash(engine, &output);
        assert_eq!(output.status.code(), Some(1), "{engine}: {}", stderr(&output));
        assert!(stderr(&output).starts_with("<code>:2: "), "{engine}: {}", stderr(&output));
        assert!(stderr(&output).contains("Duplicate declaration: Same[a] is already declared"), "{engine}: {}", stderr(&output));
    }
}

/// Endless recursion of a function: Puppet stops at Ruby's stack limit; the native engine
/// must stop before its own stack overflows.
#[test]
fn a_function_recursing_forever_is_a_compile_error() {
    for engine in ENGINES {
        let (output, _) = compile_code(engine, "function f(Integer $n) { f($n + 1) }\nnotify { 'x': message => f(0) }", &[]);
        assert_no_crash(engine, &output);
        assert_eq!(output.status.code(), Some(1), "{engine}: {}", stderr(&output));
    }
    let (puppet, _) = compile_code("puppet", "function f(Integer $n) { f($n + 1) }\nnotify { 'x': message => f(0) }", &[]);
    assert_eq!(stderr(&puppet), "stack level too deep\n");
}

/// A loop of a billion rounds: the Puppet engine stops the worker at the timeout; the
/// native engine must end too, with an error, in bounded time.
#[test]
fn a_huge_loop_ends_in_bounded_time() {
    let (output, took) = compile_code("puppet", "Integer[1, 1000000000].each |$i| { }", &["--timeout", "3", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let error: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON error object");
    assert_eq!(error["error"]["kind"], "engine");
    assert!(error["error"]["message"].as_str().unwrap().starts_with("no answer after 3.0 s"), "{error}");
    assert!(took < Duration::from_secs(30), "took {took:?}");

    let (output, took) = compile_code("native", "Integer[1, 1000000000].each |$i| { }", &[]);
    assert_no_crash("native", &output);
    // Like Puppet, the native engine iterates over the range; its evaluation step budget
    // stops it.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("The compile was stopped after 50000000 evaluation steps"), "{}", stderr(&output));
    assert!(took < Duration::from_secs(30), "native took {took:?}");
}

/// User Ruby code that ends the Puppet worker: reported with the worker's last output. The
/// native engine does not run Ruby: it says the construct is not supported, and `auto`
/// hands the node to Puppet.
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
    let expected = "puppet-ci: error: the puppet engine failed: the Ruby worker exited with status 3 while compiling node \
                    n1.example.com; its last output:\nleaving abruptly\n";
    for engine in ["puppet", "auto"] {
        let (output, _) = compile_code(engine, "exit_now()", &["--modulepath", modulepath]);
        assert_eq!(output.status.code(), Some(2), "{engine}: {}", stderr(&output));
        assert_eq!(stderr(&output), expected, "{engine}");
    }
    let (output, _) = compile_code("native", "exit_now()", &["--modulepath", modulepath, "--format", "json"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let error: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON error object");
    assert_eq!(error["error"]["kind"], "unsupported", "{error}");
}
