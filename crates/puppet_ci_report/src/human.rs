//! The human format: each diagnostic with the source line it points at and a caret under
//! the place, then the run's summary (as ruff and rustc show them).

use std::fmt::Write;

use crate::diagnostic::{Diagnostic, Sources};
use crate::RunReport;

/// Every diagnostic of the run, then the summary.
pub fn render_human(report: &RunReport, sources: &dyn Sources) -> String {
    let mut out = String::new();
    for diagnostic in report.diagnostics() {
        out.push_str(&render_diagnostic(diagnostic, sources));
    }
    out.push_str(&crate::render_summary(report));
    out
}

/// One diagnostic:
///
/// ```text
/// error[SYNTAX_ERROR]: Syntax error at 'class'
///  --> site/role/manifests/db.pp:7:3
///   |
/// 7 |   class db {
///   |   ^^^^^
///   = help: close the block above with '}'
/// ```
pub fn render_diagnostic(diagnostic: &Diagnostic, sources: &dyn Sources) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}[{}]: {}", diagnostic.severity.as_str(), diagnostic.code, diagnostic.message);
    let _ = writeln!(out, " --> {}", diagnostic.place());
    let line_text = sources.text(&diagnostic.file).and_then(|text| {
        let index = usize::try_from(diagnostic.start.line).ok()?.checked_sub(1)?;
        text.lines().nth(index).map(|line| line.trim_end_matches('\r').to_string())
    });
    let number = diagnostic.start.line.to_string();
    let gutter = " ".repeat(number.len());
    if let Some(line) = line_text {
        let column = diagnostic.start.column.max(1) as usize - 1;
        // Keep tabs in the padding so the caret lines up under a tab-indented line.
        let padding: String = line.chars().take(column).map(|ch| if ch == '\t' { '\t' } else { ' ' }).collect();
        let rest = line.chars().count().saturating_sub(column);
        let width = match diagnostic.end {
            Some(end) if end.line == diagnostic.start.line && end.column > diagnostic.start.column => (end.column - diagnostic.start.column) as usize,
            _ => 1,
        };
        let width = width.min(rest.max(1));
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{number} | {line}");
        let _ = writeln!(out, "{gutter} | {padding}{}", "^".repeat(width));
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "{gutter} = help: {help}");
    }
    if let Some(fix) = &diagnostic.fix {
        let how = match fix.applicability {
            crate::diagnostic::Applicability::Safe => "fixable with --fix",
            crate::diagnostic::Applicability::Unsafe => "an unsafe fix is available",
        };
        let _ = writeln!(out, "{gutter} = {how}{}", fix.message.as_deref().map(|message| format!(": {message}")).unwrap_or_default());
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use crate::test_support::{sample_run, sample_sources};

    #[test]
    fn human_snapshot() {
        insta::assert_snapshot!(super::render_human(&sample_run(), &sample_sources()));
    }

    #[test]
    fn missing_source_shows_the_place_only() {
        let text = super::render_human(&sample_run(), &crate::diagnostic::NoSources);
        assert!(text.contains(" --> site/role/manifests/db.pp:7:3\n"), "{text}");
        assert!(!text.contains('^'), "{text}");
    }
}
