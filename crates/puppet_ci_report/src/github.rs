//! GitHub Actions workflow commands (`::error file=..,line=..::message`): one annotation
//! per finding, shown on the pull request's diff.

use crate::diagnostic::Severity;
use crate::RunReport;

pub fn render_github_annotations(report: &RunReport) -> String {
    let mut out = String::new();
    for finding in report.findings() {
        let diagnostic = &finding.diagnostic;
        let level = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = Vec::new();
        if !diagnostic.file.as_os_str().is_empty() {
            properties.push(format!("file={}", escape_property(&diagnostic.file.display().to_string())));
            properties.push(format!("line={}", diagnostic.start.line));
            properties.push(format!("col={}", diagnostic.start.column));
            if let Some(end) = diagnostic.end {
                properties.push(format!("endLine={}", end.line));
                properties.push(format!("endColumn={}", end.column));
            }
        }
        properties.push(format!("title={}", escape_property(&format!("{} {}", finding.stage, diagnostic.code))));
        out.push_str(&format!("::{level} {}::{}\n", properties.join(","), escape_data(&diagnostic.message)));
    }
    out
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use crate::test_support::sample_run;

    #[test]
    fn github_snapshot() {
        insta::assert_snapshot!(super::render_github_annotations(&sample_run()));
    }
}
