//! `bagel metrics --csv`: the JSON report as a table, one row per model. A column is named by
//! the figure's path in the JSON (`imagenet_m.score`, `subgroups.2`): the model's name, its
//! figures (within its entry of `models`) in the JSON's alphabetical order, then the dataset's,
//! repeated on every row. A null
//! is an empty cell; a number is written as the JSON writes it, so it reads back equal; a list
//! (such as `emptied_by_decisions`) is one cell holding its JSON.

use crate::durable::write_atomically;
use crate::error::Result;
use serde_json::Value;
use std::path::Path;

/// Writes the table of a report as `--json` prints it (with any figures added to it, such as
/// the mistake shares); returns how many model rows.
pub fn write_metrics_document(mut document: Value, out: &Path) -> Result<usize> {
    let models = match document.as_object_mut().and_then(|o| o.remove("models")) {
        Some(Value::Array(models)) => models,
        _ => Vec::new(),
    };
    let rows: Vec<Cells> = models.iter().map(cells).collect();
    let dataset = cells(&document);
    let mut model_columns = columns_of(rows.iter());
    model_columns.sort_by_key(|column| column != "model");
    let dataset_columns = columns_of(std::iter::once(&dataset));
    // A dataset figure named like a model figure is told apart by a prefix.
    let header = model_columns
        .iter()
        .cloned()
        .chain(dataset_columns.iter().map(|name| {
            if model_columns.contains(name) {
                format!("dataset.{name}")
            } else {
                name.clone()
            }
        }));
    let header: Vec<String> = header.collect();
    write_atomically(out, |sink| {
        let mut writer = csv::Writer::from_writer(sink);
        writer.write_record(&header)?;
        for row in &rows {
            let model = model_columns.iter().map(|c| cell(row, c));
            let shared = dataset_columns.iter().map(|c| cell(&dataset, c));
            writer.write_record(model.chain(shared))?;
        }
        writer.flush()
    })?;
    Ok(rows.len())
}

/// A JSON value's figures by path; `None` for a null.
type Cells = Vec<(String, Option<String>)>;

fn cells(value: &Value) -> Cells {
    let mut cells = Vec::new();
    flatten(value, String::new(), &mut cells);
    cells
}

fn flatten(value: &Value, path: String, cells: &mut Cells) {
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            for (key, field) in fields {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                flatten(field, inner, cells);
            }
        }
        Value::Null => cells.push((path, None)),
        Value::String(text) => cells.push((path, Some(text.clone()))),
        other => cells.push((path, Some(other.to_string()))),
    }
}

/// The paths of the rows in first-seen order; a path that is null in one row but holds
/// figures in another (`imagenet_m` without a slice) gives way to those figures' columns.
fn columns_of<'c>(rows: impl Iterator<Item = &'c Cells>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for row in rows {
        for (path, _) in row {
            if !seen.contains(path) {
                seen.push(path.clone());
            }
        }
    }
    let has_figures_below = |path: &str| {
        let prefix = format!("{path}.");
        seen.iter().any(|other| other.starts_with(&prefix))
    };
    seen.iter()
        .filter(|path| !has_figures_below(path))
        .cloned()
        .collect()
}

fn cell<'r>(row: &'r Cells, column: &str) -> &'r str {
    row.iter()
        .find(|(path, _)| path == column)
        .and_then(|(_, value)| value.as_deref())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_null_where_another_row_has_figures_gives_empty_cells_under_their_columns() {
        let with = cells(&json!({"model": "a", "slice": {"score": 0.5, "of": 2}, "mla": 0.25}));
        let without = cells(&json!({"model": "b", "slice": null, "mla": null}));
        let columns = columns_of([&with, &without].into_iter());
        assert_eq!(columns, ["mla", "model", "slice.of", "slice.score"]);
        let row = |r: &Cells| {
            columns
                .iter()
                .map(|c| cell(r, c).to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(row(&with), ["0.25", "a", "2", "0.5"]);
        assert_eq!(row(&without), ["", "b", "", ""]);
    }

    #[test]
    fn a_list_is_one_cell_of_json() {
        let row = cells(&json!({"emptied": ["x.jpg", "y,z.jpg"], "none": []}));
        assert_eq!(cell(&row, "emptied"), r#"["x.jpg","y,z.jpg"]"#);
        assert_eq!(cell(&row, "none"), "[]");
    }
}
