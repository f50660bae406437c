//! Code Climate issues JSON, as GitLab's code quality report reads it: one issue per
//! finding, with a fingerprint that stays the same while the problem does.

use std::collections::HashMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::diagnostic::Severity;
use crate::RunReport;

pub fn render_codeclimate(report: &RunReport) -> String {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let issues: Vec<Value> = report
        .findings()
        .iter()
        .map(|finding| {
            let diagnostic = &finding.diagnostic;
            let path = diagnostic.file.to_string_lossy().replace('\\', "/");
            // Lines move as code is edited above a problem; the fingerprint leaves them out and
            // counts repeats instead, so the same problem keeps its fingerprint.
            let identity = format!("{}\0{path}\0{}", diagnostic.code, diagnostic.message);
            let occurrence = seen.entry(identity.clone()).and_modify(|count| *count += 1).or_insert(0);
            let digest = Sha256::digest(format!("{identity}\0{occurrence}").as_bytes());
            let severity = match diagnostic.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            };
            let end = diagnostic.end.map_or(diagnostic.start.line, |end| end.line);
            json!({
                "type": "issue",
                "check_name": diagnostic.code,
                "description": diagnostic.message,
                "categories": [if finding.stage == "lint" { "Style" } else { "Bug Risk" }],
                "severity": severity,
                "fingerprint": hex::encode(&digest[..16]),
                "location": { "path": if path.is_empty() { "." } else { path.as_str() }, "lines": { "begin": diagnostic.start.line, "end": end } },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&Value::Array(issues)).expect("a JSON value always serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use crate::test_support::sample_run;

    #[test]
    fn codeclimate_snapshot() {
        insta::assert_snapshot!(super::render_codeclimate(&sample_run()));
    }

    #[test]
    fn fingerprints_are_unique_and_ignore_lines() {
        let mut run = sample_run();
        let first: serde_json::Value = serde_json::from_str(&super::render_codeclimate(&run)).unwrap();
        for stage in &mut run.stages {
            for case in &mut stage.cases {
                for diagnostic in &mut case.diagnostics {
                    diagnostic.start.line += 10;
                }
            }
        }
        let moved: serde_json::Value = serde_json::from_str(&super::render_codeclimate(&run)).unwrap();
        let prints = |value: &serde_json::Value| value.as_array().unwrap().iter().map(|issue| issue["fingerprint"].clone()).collect::<Vec<_>>();
        assert_eq!(prints(&first), prints(&moved));
        let mut unique = prints(&first);
        unique.dedup();
        assert_eq!(unique.len(), prints(&first).len());
    }
}
