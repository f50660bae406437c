//! JUnit XML, as Jenkins, GitLab and most CI systems read it: one `<testsuite>` per stage.

use std::fmt::Write;

use crate::{Outcome, OutcomeKind, RunReport};

pub fn render_junit(report: &RunReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total = |kind| report.stages.iter().map(|stage| stage.count(kind)).sum::<usize>();
    let all: usize = report.stages.iter().map(|stage| stage.cases.len()).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"puppet-ci\" tests=\"{all}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        total(OutcomeKind::Failed),
        total(OutcomeKind::Error),
        total(OutcomeKind::Skipped),
    );
    for stage in &report.stages {
        let _ = write!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\"",
            escape(&stage.name),
            stage.cases.len(),
            stage.count(OutcomeKind::Failed),
            stage.count(OutcomeKind::Error),
            stage.count(OutcomeKind::Skipped),
            stage.duration.as_secs_f64(),
        );
        if stage.cases.is_empty() && stage.skipped.is_none() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        if let Some(reason) = &stage.skipped {
            let _ = writeln!(out, "    <properties><property name=\"skipped\" value=\"{}\"/></properties>", escape(reason));
        }
        for case in &stage.cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3}\"",
                escape(&stage.name),
                escape(&case.group),
                escape(&case.name),
                case.duration.as_secs_f64(),
            );
            if let Some(location) = &case.location {
                let _ = write!(out, " file=\"{}\" line=\"{}\"", escape(&location.file.display().to_string()), location.line);
            }
            // The diagnostics of a file's case are what a reader of the failure wants to see.
            let listed: String = case
                .diagnostics
                .iter()
                .map(|diagnostic| format!("{}: {}: {} [{}]\n", diagnostic.place(), diagnostic.severity.as_str(), diagnostic.message, diagnostic.code))
                .collect();
            let output = if listed.is_empty() { case.output.clone() } else { format!("{listed}{}", case.output) };
            let element = match &case.outcome {
                Outcome::Passed => None,
                Outcome::Failed { message } => Some(("failure", message)),
                Outcome::Error { message } => Some(("error", message)),
                Outcome::Skipped { reason } => Some(("skipped", reason)),
            };
            match element {
                None if output.is_empty() => out.push_str("/>\n"),
                None => {
                    let _ = writeln!(out, ">\n      <system-out>{}</system-out>\n    </testcase>", escape(&output));
                }
                Some((tag, message)) => {
                    out.push_str(">\n");
                    if output.is_empty() {
                        let _ = writeln!(out, "      <{tag} message=\"{}\"/>", escape(message));
                    } else {
                        let _ = writeln!(out, "      <{tag} message=\"{}\">{}</{tag}>", escape(message), escape(&output));
                    }
                    out.push_str("    </testcase>\n");
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for both XML attributes and element content, dropping the control
/// characters XML 1.0 cannot carry at all (they do appear in captured process output).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::test_support::sample_run;

    #[test]
    fn junit_snapshot() {
        insta::assert_snapshot!(super::render_junit(&sample_run()));
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(super::escape("a\u{1b}[31mb\n<"), "a[31mb\n&lt;");
    }
}
