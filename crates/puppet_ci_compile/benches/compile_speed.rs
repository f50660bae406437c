//! Compile speed of the native engine against warm Puppet (one worker, started and warmed
//! before timing), per compile: over the whole differential suite (every case against three
//! fact sets) and over its largest case (`big_catalog.pp`). The goal is 100x.
//!
//! `cargo bench -p puppet_ci_compile --bench compile_speed [-- --runs N --puppet-runs N]`,
//! or `tests/bench/compile-speed`.
//!
//! The native engine runs with `puppet-ci`'s allocator (mimalloc). Requests of one fact set
//! and node share their facts, as the catalog stage's do.
//!
//! Both wall time and CPU time are reported: on a shared machine the wall time of Puppet's
//! worker and of this process includes waiting for a core, the CPU time does not (the
//! native engine's CPU is this process's; Puppet's is its worker's, read from /proc).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::time::{Duration, Instant};

use puppet_catalog::{CompileRequest, Engine};
use puppet_ci_compile::suite::{self, FACT_SETS};
use puppet_ci_compile::{EngineChoice, PuppetEngineOptions, SharedFacts};
use puppet_engine_puppet::PuppetEngine;

const LARGEST_CASE: &str = "big_catalog.pp";

// The allocator of `puppet-ci` (`crates/puppet_ci/src/main.rs`), so that the native engine
// is timed as the binary runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut runs = 10;
    let mut puppet_runs = 1;
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--runs" => runs = arguments.next().and_then(|value| value.parse().ok()).expect("--runs N"),
            "--puppet-runs" => puppet_runs = arguments.next().and_then(|value| value.parse().ok()).expect("--puppet-runs N"),
            // cargo bench passes --bench; other harness flags do not apply.
            _ => {}
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/compile").canonicalize().expect("fixtures/compile");
    let cases = suite::cases(&root).expect("the suite's cases");
    // Requests of one fact set and node share their facts, as the catalog stage's do: the
    // native engine converts them once.
    let shared = SharedFacts::new();
    let mut requests: Vec<CompileRequest> = Vec::new();
    for case in &cases {
        for fact_set in FACT_SETS {
            requests.push(case.request_sharing(&root, fact_set, &shared).expect("a case's request"));
        }
    }
    let largest: Vec<CompileRequest> = cases
        .iter()
        .filter(|case| case.name == LARGEST_CASE)
        .map(|case| case.request_sharing(&root, FACT_SETS[0], &shared).expect("the largest case's request"))
        .collect();
    assert_eq!(largest.len(), 1, "the suite has no {LARGEST_CASE}");

    let puppet = PuppetEngine::with_options(PuppetEngineOptions::default()).expect("the Puppet engine");
    puppet.puppet_version().expect("the Puppet worker starts");
    let worker = puppet.worker_pid().expect("a running worker");
    let native = puppet_ci_compile::engine(EngineChoice::Native, PuppetEngineOptions::default()).expect("the native engine");
    println!("{} cases x {} fact sets = {} compiles; largest case: {LARGEST_CASE}", cases.len(), FACT_SETS.len(), requests.len());

    let puppet_cpu = || cpu_seconds(&format!("/proc/{worker}/stat"));
    let puppet_suite = per_compile(&puppet, &requests, puppet_runs, puppet_cpu);
    let puppet_largest = per_compile(&puppet, &largest, puppet_runs.max(5), puppet_cpu);
    assert_eq!(puppet.worker_pid(), Some(worker), "the Puppet worker was restarted during the benchmark");
    let native_cpu = || cpu_seconds("/proc/self/stat");
    let native_suite = per_compile(native.as_ref(), &requests, runs, native_cpu);
    let native_largest = per_compile(native.as_ref(), &largest, runs.max(20), native_cpu);
    println!("per compile          wall (suite)  CPU (suite)   wall (largest)  CPU (largest)");
    for (name, suite, largest) in [("puppet (warm worker)", puppet_suite, puppet_largest), ("native", native_suite, native_largest)] {
        println!("{name:<20} {:>12}  {:>11}   {:>14}  {:>13}", show(suite.0), show(suite.1), show(largest.0), show(largest.1));
    }
    let ratio = |puppet: Duration, native: Duration| puppet.as_secs_f64() / native.as_secs_f64();
    println!(
        "speed-up (goal 100x): suite {:.1}x wall, {:.1}x CPU; largest {:.1}x wall, {:.1}x CPU",
        ratio(puppet_suite.0, native_suite.0),
        ratio(puppet_suite.1, native_suite.1),
        ratio(puppet_largest.0, native_largest.0),
        ratio(puppet_largest.1, native_largest.1)
    );
}

/// User and system CPU time of a process, from the `stat` file of /proc.
fn cpu_seconds(stat_path: &str) -> f64 {
    let stat = std::fs::read_to_string(stat_path).expect("a /proc stat file");
    // The fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("a stat line") + 2..].split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / clock_ticks_per_second()
}

fn clock_ticks_per_second() -> f64 {
    let output = std::process::Command::new("getconf").arg("CLK_TCK").output().expect("getconf CLK_TCK");
    String::from_utf8_lossy(&output.stdout).trim().parse().expect("a number of clock ticks")
}

/// The mean wall and CPU time of one compile over `runs` passes of `requests`, after one
/// warm-up pass; `cpu` reads the compiling process's CPU seconds. Compile errors count as
/// compiles: the suite has failing cases on purpose.
fn per_compile(engine: &dyn Engine, requests: &[CompileRequest], runs: usize, cpu: impl Fn() -> f64) -> (Duration, Duration) {
    for request in requests {
        let _ = engine.compile(request);
    }
    let cpu_before = cpu();
    let started = Instant::now();
    for _ in 0..runs {
        for request in requests {
            let _ = std::hint::black_box(engine.compile(request));
        }
    }
    let wall = started.elapsed();
    let compiles = (runs * requests.len()) as f64;
    (wall.div_f64(compiles), Duration::from_secs_f64((cpu() - cpu_before) / compiles))
}

fn show(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 0.001 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}
