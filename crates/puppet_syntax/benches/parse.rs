//! Benchmark of parsing and validating Puppet code: every manifest and template of
//! fixtures/syntax/valid, once parsed and lowered, once also validated (what
//! `puppet-ci validate` does per file); and validating deeply nested parentheses at
//! several depths, whose time must grow linearly with the depth. Run:
//! `cargo bench -p puppet_syntax`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The valid syntax fixtures: (is EPP, text).
fn fixtures() -> Vec<(bool, String)> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/syntax/valid");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", folder.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "pp" || extension == "epp"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
            (path.extension().is_some_and(|extension| extension == "epp"), text)
        })
        .collect()
}

fn parse_all(files: &[(bool, String)]) -> usize {
    files
        .iter()
        .map(|(epp, text)| if *epp { puppet_syntax::parse_epp(text) } else { puppet_syntax::parse(text) })
        .filter(puppet_syntax::Parse::has_errors)
        .count()
}

fn validate_all(files: &[(bool, String)]) -> usize {
    files
        .iter()
        .map(|(epp, text)| {
            let parsed = if *epp { puppet_syntax::parse_epp(text) } else { puppet_syntax::parse(text) };
            parsed.validate().len()
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let files = fixtures();
    assert!(!files.is_empty(), "no fixtures in fixtures/syntax/valid");
    assert_eq!(parse_all(&files), 0, "a valid fixture has a syntax error");
    let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
    let mut group = c.benchmark_group("fixtures/syntax/valid");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("parse", |b| b.iter(|| parse_all(&files)));
    group.bench_function("parse+validate", |b| b.iter(|| validate_all(&files)));
    group.finish();

    // Linear in the depth: 40,000 levels take about four times as long as 10,000.
    let mut group = c.benchmark_group("nested parentheses");
    group.sample_size(10);
    for depth in [10_000, 20_000, 40_000] {
        let source = format!("$x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
        group.throughput(Throughput::Elements(depth as u64));
        group.bench_function(format!("validate {depth}"), |b| b.iter(|| puppet_syntax::parse(&source).validate().len()));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
