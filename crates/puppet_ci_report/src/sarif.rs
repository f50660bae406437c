//! SARIF 2.1.0, as GitHub code scanning and most security dashboards read it: one result
//! per finding, rules listed once.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::diagnostic::Severity;
use crate::RunReport;

pub fn render_sarif(report: &RunReport) -> String {
    let findings = report.findings();
    let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for finding in &findings {
        let diagnostic = &finding.diagnostic;
        rules.entry(diagnostic.code.as_str()).or_insert_with(|| json!({ "id": diagnostic.code, "properties": { "stage": finding.stage } }));
        let level = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        let mut result = json!({
            "ruleId": diagnostic.code,
            "level": level,
            "message": { "text": diagnostic.message },
        });
        if !diagnostic.file.as_os_str().is_empty() {
            let mut region = json!({ "startLine": diagnostic.start.line, "startColumn": diagnostic.start.column });
            if let Some(end) = diagnostic.end {
                region["endLine"] = json!(end.line);
                region["endColumn"] = json!(end.column);
            }
            result["locations"] = json!([{
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(&diagnostic.file) },
                    "region": region,
                }
            }]);
        }
        results.push(result);
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "puppet-ci",
                "informationUri": "https://github.com/puppet-ci/puppet-ci",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&sarif).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// A relative path as a URI reference: `/` separators, spaces and `%` escaped.
fn uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::test_support::sample_run;

    #[test]
    fn sarif_snapshot() {
        insta::assert_snapshot!(super::render_sarif(&sample_run()));
    }
}
