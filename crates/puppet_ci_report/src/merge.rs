//! Joins the reports of a partitioned run (`--partition K/N` on N machines) into one:
//! what `puppet-ci report merge` writes.

use std::path::{Path, PathBuf};

use crate::{RunReport, StageReport};

/// Why a report part could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("cannot read report {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}:{column}: not a puppet-ci JSON report (--json FILE writes one): {message}", path.display())]
    Json { path: PathBuf, line: usize, column: usize, message: String },
}

/// Reads a report written by `--json FILE`.
pub fn read_json(path: &Path) -> Result<RunReport, MergeError> {
    let text = std::fs::read_to_string(path).map_err(|source| MergeError::Read { path: path.to_path_buf(), source })?;
    serde_json::from_str(&text).map_err(|error| MergeError::Json {
        path: path.to_path_buf(),
        line: error.line(),
        column: error.column(),
        message: error.to_string().split(" at line ").next().unwrap_or_default().to_string(),
    })
}

/// One report of the parts: each stage once, in the order the parts name them, with the
/// cases of every part in part order. The parts ran at the same time, so a stage's time
/// is the longest part's. A stage is skipped only when it was skipped in every part
/// (then with the first part's reason); its matrix holds every part's cells.
pub fn merge(parts: Vec<RunReport>) -> RunReport {
    let mut stages: Vec<StageReport> = Vec::new();
    let mut skipped_everywhere: Vec<bool> = Vec::new();
    for part in parts {
        for stage in part.stages {
            let Some(index) = stages.iter().position(|known| known.name == stage.name) else {
                skipped_everywhere.push(stage.skipped.is_some());
                stages.push(stage);
                continue;
            };
            skipped_everywhere[index] &= stage.skipped.is_some();
            let merged = &mut stages[index];
            merged.duration = merged.duration.max(stage.duration);
            merged.cases.extend(stage.cases);
            match (&mut merged.matrix, stage.matrix) {
                (Some(matrix), Some(other)) => matrix.absorb(other),
                (slot @ None, Some(other)) => *slot = Some(other),
                (_, None) => {}
            }
            if merged.skipped.is_none() {
                merged.skipped = stage.skipped;
            }
        }
    }
    for (stage, skipped) in stages.iter_mut().zip(skipped_everywhere) {
        if !skipped {
            stage.skipped = None;
        }
    }
    RunReport { stages }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{Case, Matrix, MatrixCell, Outcome, OutcomeKind};

    fn part(cases: &[(&str, &str, Outcome)], seconds: u64, skipped: Option<&str>) -> RunReport {
        let mut stage = StageReport::new("catalog");
        stage.duration = Duration::from_secs(seconds);
        stage.skipped = skipped.map(str::to_string);
        let mut matrix = Matrix::new("role");
        for (group, name, outcome) in cases {
            stage.cases.push(Case::new(*group, *name, outcome.clone()));
            matrix.push(MatrixCell { row: group.to_string(), column: name.to_string(), outcome: outcome.kind(), engine: "puppet".into(), duration: Duration::ZERO });
        }
        stage.matrix = (!cases.is_empty()).then_some(matrix);
        RunReport { stages: vec![StageReport::new("validate"), stage] }
    }

    #[test]
    fn parts_join_into_one_report_through_json() {
        let first = part(&[("role::web", "debian-12-x86_64", Outcome::Passed)], 3, None);
        let second = part(&[("role::web", "redhat-9-x86_64", Outcome::failed("boom"))], 5, None);
        let third = part(&[], 0, Some("partition 3/3 has nothing to compile"));
        let dir = tempfile::tempdir().unwrap();
        let mut read = Vec::new();
        for (index, report) in [first, second, third].iter().enumerate() {
            let path = dir.path().join(format!("part{index}.json"));
            std::fs::write(&path, crate::render_json(report)).unwrap();
            read.push(read_json(&path).unwrap());
        }
        let merged = merge(read);
        assert_eq!(merged.stages.len(), 2);
        let catalog = &merged.stages[1];
        assert_eq!(catalog.cases.len(), 2);
        assert_eq!(catalog.duration, Duration::from_secs(5));
        assert_eq!(catalog.skipped, None);
        assert!(!merged.passed());
        let matrix = catalog.matrix.as_ref().unwrap();
        assert_eq!(matrix.columns, ["debian-12-x86_64", "redhat-9-x86_64"]);
        assert_eq!(matrix.cells[1].outcome, OutcomeKind::Failed);
    }

    #[test]
    fn a_stage_skipped_in_every_part_stays_skipped() {
        let merged = merge(vec![part(&[], 0, Some("--skip")), part(&[], 0, Some("--skip"))]);
        assert_eq!(merged.stages[1].skipped.as_deref(), Some("--skip"));
    }

    #[test]
    fn a_file_that_is_not_a_report_is_named_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junit.xml");
        std::fs::write(&path, "<?xml version=\"1.0\"?>\n").unwrap();
        let error = read_json(&path).unwrap_err().to_string();
        assert_eq!(error, format!("{}:1:1: not a puppet-ci JSON report (--json FILE writes one): expected value", path.display()));
    }
}
