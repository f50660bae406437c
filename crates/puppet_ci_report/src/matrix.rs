//! A stage's results as a table: the catalog stage's roles × fact sets, each cell passed
//! or failed, with the engine that compiled it and the time it took.

use std::fmt::Write;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::OutcomeKind;

/// Rows × columns, in the order they are shown; a cell for each pair that ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    /// What the rows are (`role`), for the table's corner.
    pub rows_are: String,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: Vec<MatrixCell>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixCell {
    pub row: String,
    pub column: String,
    pub outcome: OutcomeKind,
    /// Which engine produced the result (`native`, `puppet`), and `cached` when it came
    /// from the cache.
    pub engine: String,
    #[serde(serialize_with = "crate::json::serialize_seconds", deserialize_with = "crate::json::deserialize_seconds")]
    pub duration: Duration,
}

impl Matrix {
    pub fn new(rows_are: impl Into<String>) -> Matrix {
        Matrix { rows_are: rows_are.into(), ..Matrix::default() }
    }

    /// Adds a cell, and its row and column when they are new.
    pub fn push(&mut self, cell: MatrixCell) {
        if !self.rows.contains(&cell.row) {
            self.rows.push(cell.row.clone());
        }
        if !self.columns.contains(&cell.column) {
            self.columns.push(cell.column.clone());
        }
        self.cells.push(cell);
    }

    /// The cells of `other` added to these (the parts of a partitioned run).
    pub fn absorb(&mut self, other: Matrix) {
        if self.rows_are.is_empty() {
            self.rows_are = other.rows_are;
        }
        for cell in other.cells {
            self.push(cell);
        }
    }

    fn cell(&self, row: &str, column: &str) -> Option<&MatrixCell> {
        self.cells.iter().find(|cell| cell.row == row && cell.column == column)
    }

    /// The table as text, one line per row; a cell reads `ok puppet 0.21s`,
    /// `FAIL native 0.01s` or `-` for a pair that did not run here.
    pub fn render(&self, indent: &str) -> String {
        let text = |cell: Option<&MatrixCell>| match cell {
            None => "-".to_string(),
            Some(cell) => {
                let verdict = match cell.outcome {
                    OutcomeKind::Passed => "ok",
                    OutcomeKind::Failed => "FAIL",
                    OutcomeKind::Error => "ERROR",
                    OutcomeKind::Skipped => "skip",
                };
                format!("{verdict} {} {:.2}s", cell.engine, cell.duration.as_secs_f64())
            }
        };
        let first_width = self.rows.iter().map(|row| row.chars().count()).chain([self.rows_are.chars().count()]).max().unwrap_or(0);
        let widths: Vec<usize> = self
            .columns
            .iter()
            .map(|column| self.rows.iter().map(|row| text(self.cell(row, column)).chars().count()).chain([column.chars().count()]).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        let _ = write!(out, "{indent}{:<first_width$}", self.rows_are);
        for (column, width) in self.columns.iter().zip(&widths) {
            let _ = write!(out, "  {column:<width$}");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        for row in &self.rows {
            let _ = write!(out, "{indent}{row:<first_width$}");
            for (column, width) in self.columns.iter().zip(&widths) {
                let _ = write!(out, "  {:<width$}", text(self.cell(row, column)));
            }
            out.truncate(out.trim_end().len());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(row: &str, column: &str, outcome: OutcomeKind, engine: &str, millis: u64) -> MatrixCell {
        MatrixCell { row: row.into(), column: column.into(), outcome, engine: engine.into(), duration: Duration::from_millis(millis) }
    }

    #[test]
    fn renders_a_table_with_missing_cells() {
        let mut matrix = Matrix::new("role");
        matrix.push(cell("role::web", "debian-12-x86_64", OutcomeKind::Passed, "puppet", 210));
        matrix.push(cell("role::web", "redhat-9-x86_64", OutcomeKind::Failed, "native", 4));
        matrix.push(cell("role::db", "debian-12-x86_64", OutcomeKind::Passed, "cached", 0));
        insta::assert_snapshot!(matrix.render("  "));
    }
}
