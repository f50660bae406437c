//! GitHub Actions workflow commands (`::error file=..,line=..::message`), one per failed case.

use crate::{Outcome, RunReport};

pub fn render_github_annotations(report: &RunReport) -> String {
    let mut out = String::new();
    for stage in &report.stages {
        for case in &stage.cases {
            let (level, message) = match &case.outcome {
                Outcome::Failed { message } | Outcome::Error { message } => ("error", message),
                Outcome::Passed | Outcome::Skipped { .. } => continue,
            };
            let mut properties = vec![format!("title={}", escape_property(&format!("{} {}", stage.name, case.group)))];
            if let Some(location) = &case.location {
                properties.insert(0, format!("file={}", escape_property(&location.file.display().to_string())));
                properties.insert(1, format!("line={}", location.line));
                properties.insert(2, format!("col={}", location.column));
            }
            out.push_str(&format!(
                "::{level} {}::{}\n",
                properties.join(","),
                escape_data(&format!("{}: {message}", case.name))
            ));
        }
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
