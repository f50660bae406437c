//! The summary printed at the end of a run, for people reading a CI log.

use std::fmt::Write;

use crate::{Outcome, OutcomeKind, RunReport};

/// How many lines of a failed case's output the summary shows.
const OUTPUT_LINES: usize = 40;

pub fn render_summary(report: &RunReport) -> String {
    let mut out = String::new();
    for stage in &report.stages {
        if let Some(reason) = &stage.skipped {
            let _ = writeln!(out, "{:<12} skipped ({reason})", stage.name);
            continue;
        }
        let failed = stage.count(OutcomeKind::Failed) + stage.count(OutcomeKind::Error);
        let verdict = if failed == 0 { "ok" } else { "FAILED" };
        let _ = writeln!(
            out,
            "{:<12} {verdict:<6} {} passed, {failed} failed, {} skipped in {:.1}s",
            stage.name,
            stage.count(OutcomeKind::Passed),
            stage.count(OutcomeKind::Skipped),
            stage.duration.as_secs_f64(),
        );
        if let Some(matrix) = &stage.matrix {
            out.push_str(&matrix.render("    "));
        }
        for case in &stage.cases {
            let (Outcome::Failed { message } | Outcome::Error { message }) = &case.outcome else { continue };
            let place = case
                .location
                .as_ref()
                .map(|location| format!("{}:{}:{}: ", location.file.display(), location.line, location.column))
                .unwrap_or_default();
            // A file's case is grouped by the file: say its path once.
            let group_is_the_file = case.location.as_ref().is_some_and(|location| location.file.as_os_str() == case.group.as_str());
            let group = if group_is_the_file { String::new() } else { format!("{} ", case.group) };
            let _ = writeln!(out, "  - {place}{group}{}: {message}", case.name);
            // What a failed check saw (a snapshot's diff, a check's output), briefly.
            if matches!(case.outcome, Outcome::Failed { .. }) && !case.output.trim().is_empty() {
                let lines: Vec<&str> = case.output.trim_end().lines().collect();
                for line in lines.iter().take(OUTPUT_LINES) {
                    let _ = writeln!(out, "      {line}");
                }
                if lines.len() > OUTPUT_LINES {
                    let _ = writeln!(out, "      ... {} more lines (--junit or --json have them all)", lines.len() - OUTPUT_LINES);
                }
            }
        }
    }
    let verdict = if report.passed() { "passed" } else { "failed" };
    let _ = writeln!(out, "puppet-ci {verdict}");
    out
}

#[cfg(test)]
mod tests {
    use crate::test_support::sample_run;

    #[test]
    fn a_failed_case_shows_its_output_briefly() {
        let mut run = sample_run();
        let long: String = (1..=45).map(|number| format!("line {number}\n")).collect();
        run.stages[0].cases[1].output = long;
        let text = super::render_summary(&run);
        assert!(text.contains("\n      line 1\n"), "{text}");
        assert!(text.contains("\n      line 40\n      ... 5 more lines (--junit or --json have them all)\n"), "{text}");
        assert!(!text.contains("line 41"), "{text}");
        // An error's output (a tool's log) stays in the report files.
        assert!(!text.contains("apply log"), "{text}");
    }

    #[test]
    fn summary_snapshot() {
        insta::assert_snapshot!(super::render_summary(&sample_run()));
    }
}
