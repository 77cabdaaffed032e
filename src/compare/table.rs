//! The comparison as one CSV row per model, for a spreadsheet or a paper's table script.

use super::{Comparison, write_whole};
use crate::error::{Error, Result};
use std::path::Path;

/// Column names, then one row per model: each metric's source, target and gap, the matched
/// comparison, the top-1 residuals. Fractions in full precision; empty where a value is missing.
pub fn csv_rows(comparison: &Comparison) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["model".to_owned()];
    for metric in comparison.metrics() {
        for side in ["source", "target", "gap"] {
            header.push(format!("{}_{side}", metric.key()));
        }
    }
    header.extend(
        [
            "matched_images",
            "matched_source",
            "matched_target",
            "matched_gap",
            "matched_gap_sd",
            "residual_linear",
            "residual_probit",
        ]
        .map(String::from),
    );
    let cell = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let rows = comparison
        .models
        .iter()
        .map(|model| {
            let mut row = vec![model.model.clone()];
            for (_, sides) in &model.metrics.0 {
                row.extend([cell(sides.source), cell(sides.target), cell(sides.gap)]);
            }
            let matched = &model.matched;
            row.extend([
                matched.images.to_string(),
                cell(matched.source),
                cell(matched.target),
                cell(matched.gap),
                cell(matched.gap_sd),
                cell(model.residual.linear),
                cell(model.residual.probit),
            ]);
            row
        })
        .collect();
    (header, rows)
}

/// Writes the table as CSV; the file appears whole or not at all.
pub fn write_csv(comparison: &Comparison, out: &Path) -> Result<()> {
    let (header, rows) = csv_rows(comparison);
    let failed = |e: csv::Error| Error::bad_input(out, format!("cannot write the table: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).map_err(failed)?;
    for row in rows {
        writer.write_record(&row).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::bad_input(out, format!("cannot write the table: {e}")))?;
    write_whole(out, &bytes)
}
