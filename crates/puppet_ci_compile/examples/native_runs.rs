//! The native engine over the differential suite, for profilers and for comparing two
//! versions of the engine (a development aid; `tests/bench/compile-speed` is the benchmark):
//!
//! - `cargo run --release -p puppet_ci_compile --example native_runs -- suite N`: compiles
//!   every case against the three fact sets, N times;
//! - `... -- largest N`: the largest case (`big_catalog.pp`), N times;
//! - `... -- print`: every catalog (indented JSON) or error, to compare byte for byte.
//!
//! Under `valgrind --tool=callgrind`, the difference between N and N + k runs over k is the
//! instruction count of a warm compile.

#![allow(clippy::print_stdout)]

use std::path::Path;

use puppet_catalog::CompileRequest;
use puppet_ci_compile::suite::{self, FACT_SETS};
use puppet_ci_compile::{EngineChoice, PuppetEngineOptions, SharedFacts};

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let runs = || arguments.get(1).and_then(|runs| runs.parse::<usize>().ok()).expect("a number of runs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/compile").canonicalize().expect("fixtures/compile");
    let cases = suite::cases(&root).expect("the suite's cases");
    let shared = SharedFacts::new();
    let mut requests: Vec<(String, &str, CompileRequest)> = Vec::new();
    for case in &cases {
        for fact_set in FACT_SETS {
            requests.push((case.name.clone(), fact_set, case.request_sharing(&root, fact_set, &shared).expect("a case's request")));
        }
    }
    let native = puppet_ci_compile::engine(EngineChoice::Native, PuppetEngineOptions::default()).expect("the native engine");
    match arguments.first().map(String::as_str) {
        Some("suite") => {
            for _ in 0..runs() {
                for (_, _, request) in &requests {
                    let _ = std::hint::black_box(native.compile(request));
                }
            }
        }
        Some("largest") => {
            let (_, _, largest) = requests.iter().find(|(name, _, _)| name == "big_catalog.pp").expect("the largest case");
            for _ in 0..runs() {
                let _ = std::hint::black_box(native.compile(largest));
            }
        }
        Some("print") => {
            for (name, fact_set, request) in &requests {
                match native.compile(request) {
                    Ok(catalog) => println!("{name} {fact_set}\n{}", catalog.to_json_pretty()),
                    Err(error) => println!("{name} {fact_set}\nerror: {error:?}"),
                }
            }
        }
        _ => println!("usage: native_runs suite N | largest N | print"),
    }
}
