//! Compile speed of the native engine against warm Puppet (one worker, started and warmed
//! before timing), per compile: over the whole differential suite (every case against three
//! fact sets) and over its largest case (`big_catalog.pp`). The goal is 100x.
//!
//! `cargo bench -p puppet_ci_compile --bench compile_speed [-- --runs N --puppet-runs N]`,
//! or `tests/bench/compile-speed`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::time::{Duration, Instant};

use puppet_catalog::{CompileRequest, Engine};
use puppet_ci_compile::suite::{self, FACT_SETS};
use puppet_ci_compile::{EngineChoice, PuppetEngineOptions};

const LARGEST_CASE: &str = "big_catalog.pp";

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
    let mut requests: Vec<CompileRequest> = Vec::new();
    for case in &cases {
        for fact_set in FACT_SETS {
            requests.push(case.request(&root, fact_set).expect("a case's request"));
        }
    }
    let largest: Vec<CompileRequest> = cases
        .iter()
        .filter(|case| case.name == LARGEST_CASE)
        .map(|case| case.request(&root, FACT_SETS[0]).expect("the largest case's request"))
        .collect();
    assert_eq!(largest.len(), 1, "the suite has no {LARGEST_CASE}");

    let puppet = puppet_ci_compile::engine(EngineChoice::Puppet, PuppetEngineOptions::default()).expect("the Puppet engine");
    let native = puppet_ci_compile::engine(EngineChoice::Native, PuppetEngineOptions::default());
    println!("{} cases x {} fact sets = {} compiles; largest case: {LARGEST_CASE}", cases.len(), FACT_SETS.len(), requests.len());

    let puppet_suite = per_compile(puppet.as_ref(), &requests, puppet_runs);
    let puppet_largest = per_compile(puppet.as_ref(), &largest, puppet_runs.max(5));
    println!("puppet (warm worker): suite {} per compile, largest {} per compile", show(puppet_suite), show(puppet_largest));
    match native {
        Ok(native) => {
            let native_suite = per_compile(native.as_ref(), &requests, runs);
            let native_largest = per_compile(native.as_ref(), &largest, runs.max(20));
            println!("native: suite {} per compile, largest {} per compile", show(native_suite), show(native_largest));
            println!(
                "speed-up: suite {:.1}x, largest {:.1}x (goal 100x)",
                puppet_suite.as_secs_f64() / native_suite.as_secs_f64(),
                puppet_largest.as_secs_f64() / native_largest.as_secs_f64()
            );
        }
        Err(not_built) => println!("native: {not_built}"),
    }
}

/// The mean time of one compile over `runs` passes of `requests`, after one warm-up pass.
/// Compile errors count as compiles: the suite has failing cases on purpose.
fn per_compile(engine: &dyn Engine, requests: &[CompileRequest], runs: usize) -> Duration {
    for request in requests {
        let _ = engine.compile(request);
    }
    let started = Instant::now();
    for _ in 0..runs {
        for request in requests {
            let _ = std::hint::black_box(engine.compile(request));
        }
    }
    started.elapsed() / u32::try_from(runs * requests.len()).expect("a count that fits u32")
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
