//! timm's inference.py output: CSV with list columns ("index", "prob"), CSV with separate
//! columns (index_0.., prob_0..), or JSON records of either kind.

use super::csv_headers;
use crate::error::{Error, Result};
use serde_json::Value;
use std::path::Path;
use std::str::FromStr;

/// Rows of a results table: image names, ranked class ids and their probabilities.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultRows {
    pub names: Vec<String>,
    pub ids: Vec<Vec<i64>>,
    pub probs: Option<Vec<Vec<f64>>>,
}

impl ResultRows {
    /// Best first: as read, or each row back to front when the file ranks worst first.
    pub fn ranked(mut self, reverse: bool) -> Self {
        if reverse {
            self.ids.iter_mut().for_each(|row| row.reverse());
            for row in self.probs.iter_mut().flatten() {
                row.reverse();
            }
        }
        self
    }
}

const NAME_COLUMNS: &[&str] = &["filename", "file", "image", "path"];
const INDEX_PREFIX: &str = "index";
const PROB_PREFIXES: &[&str] = &["prob", "probs", "probability", "output"];

/// Where a row's ranked values are: one list column ("[3, 1, 2]"), or one column per rank.
enum Columns {
    List(usize),
    Numbered(Vec<usize>),
}

/// Which columns hold the file name, the ranked ids and their probabilities.
struct Layout {
    name: usize,
    index: Columns,
    prob: Option<Columns>,
}

fn numbered(headers: &[String], prefix: &str) -> Vec<usize> {
    let mut found: Vec<(usize, usize)> = headers
        .iter()
        .enumerate()
        .filter_map(|(column, header)| {
            let rank = header
                .strip_prefix(prefix)?
                .strip_prefix('_')?
                .parse()
                .ok()?;
            Some((rank, column))
        })
        .collect();
    found.sort_unstable();
    found.into_iter().map(|(_, column)| column).collect()
}

fn layout(file: &Path, headers: &[String]) -> Result<Layout> {
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let expected = "expected timm inference.py output: filename,index,prob (list columns) or filename,index_0,..,prob_0,.. (run inference.py with --include-index)";
    let name = find(NAME_COLUMNS).ok_or_else(|| {
        Error::bad_input(
            file,
            format!("no filename column in {headers:?}; {expected}"),
        )
    })?;
    let index = match find(&[INDEX_PREFIX]) {
        Some(column) => Columns::List(column),
        None => match numbered(headers, INDEX_PREFIX) {
            columns if columns.is_empty() => {
                return Err(Error::bad_input(
                    file,
                    format!("no class index column in {headers:?}; {expected}"),
                ));
            }
            columns => Columns::Numbered(columns),
        },
    };
    let prob = match find(PROB_PREFIXES) {
        Some(column) => Some(Columns::List(column)),
        None => PROB_PREFIXES
            .iter()
            .map(|p| numbered(headers, p))
            .find(|c| !c.is_empty())
            .map(Columns::Numbered),
    };
    Ok(Layout { name, index, prob })
}

/// One number that is the whole cell (spaces around it aside): `0.\t34140` and `91[` are not.
fn whole<T: FromStr>(cell: &str) -> std::result::Result<T, String> {
    let text = cell.trim();
    if text.is_empty() {
        return Err("a blank cell".into());
    }
    text.parse()
        .map_err(|_| format!("{text:?} is not a number"))
}

/// A list cell as Python or numpy print it: "[3, 1, 2]", "[3 1 2]", "(3, 1)", or "3, 1, 2".
fn list<T: FromStr>(cell: &str) -> std::result::Result<Vec<T>, String> {
    let text = cell.trim();
    let inner = match (text.chars().next(), text.chars().last()) {
        (Some('['), Some(']')) | (Some('('), Some(')')) if text.len() >= 2 => {
            &text[1..text.len() - 1]
        }
        (Some('[' | '('), _) | (_, Some(']' | ')')) => {
            return Err(format!("{text:?} has unbalanced brackets"));
        }
        _ => text,
    };
    if inner.trim().is_empty() {
        return Err("an empty list".into());
    }
    if inner.contains(',') {
        inner.split(',').map(whole).collect()
    } else if inner.len() < text.len() {
        inner.split_whitespace().map(whole).collect()
    } else {
        whole(inner).map(|value| vec![value])
    }
}

/// A row's ranked values from its cells (None: the record lacks that column).
fn ranked<T: FromStr>(
    file: &Path,
    at: &str,
    columns: &Columns,
    headers: &[String],
    cell: impl Fn(usize) -> Option<String>,
) -> Result<Vec<T>> {
    let problem = |column: usize, why: String| {
        Error::bad_input(
            file,
            format!(
                "{at}, column {:?}: {why}; expected every rank's number, as inference.py writes them",
                headers[column]
            ),
        )
    };
    let text = |column: usize| cell(column).ok_or_else(|| problem(column, "missing".into()));
    match columns {
        Columns::List(column) => list(&text(*column)?).map_err(|why| problem(*column, why)),
        Columns::Numbered(columns) => columns
            .iter()
            .map(|&column| whole(&text(column)?).map_err(|why| problem(column, why)))
            .collect(),
    }
}

/// Reads every row through `cell` (a row's text in a column) and checks each has every rank.
fn read_rows(
    file: &Path,
    headers: &[String],
    layout: &Layout,
    rows: impl Iterator<Item = Result<(String, RowCells)>>,
) -> Result<ResultRows> {
    let mut out = ResultRows {
        probs: layout.prob.as_ref().map(|_| Vec::new()),
        ..Default::default()
    };
    for row in rows {
        let (at, cells) = row?;
        let cell = |column: usize| cells(column);
        let ids: Vec<i64> = ranked(file, &at, &layout.index, headers, cell)?;
        if let Some(first) = out.ids.first().filter(|first| first.len() != ids.len()) {
            return Err(Error::bad_input(
                file,
                format!(
                    "{at}: {} class indices where the first row has {}; every row needs every rank",
                    ids.len(),
                    first.len()
                ),
            ));
        }
        if let (Some(columns), Some(probs)) = (&layout.prob, &mut out.probs) {
            let row_probs: Vec<f64> = ranked(file, &at, columns, headers, cell)?;
            if row_probs.len() != ids.len() {
                return Err(Error::bad_input(
                    file,
                    format!(
                        "{at}: {} probabilities for {} class indices; every rank needs both",
                        row_probs.len(),
                        ids.len()
                    ),
                ));
            }
            probs.push(row_probs);
        }
        out.names.push(cells(layout.name).unwrap_or_default());
        out.ids.push(ids);
    }
    Ok(out)
}

/// A row's cell text by column.
type RowCells = Box<dyn Fn(usize) -> Option<String>>;

pub fn read_csv(file: &Path, text: &str) -> Result<ResultRows> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = csv_headers(file, &mut reader)?;
    let layout = layout(file, &headers)?;
    let rows = reader.records().enumerate().map(|(row, record)| {
        let at = format!("line {}", row + 2);
        let record = record.map_err(|e| Error::bad_input(file, format!("{at}: {e}")))?;
        let cells: RowCells = Box::new(move |c| record.get(c).map(str::to_owned));
        Ok((at, cells))
    });
    read_rows(file, &headers, &layout, rows)
}

/// A JSON value as the text of a CSV cell: numbers as written, lists as "[a, b]".
fn cell_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| cell_text(item).unwrap_or_default())
                .collect();
            Some(format!("[{}]", items.join(", ")))
        }
        other => Some(other.to_string()),
    }
}

pub fn read_json(file: &Path, text: &str) -> Result<ResultRows> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::bad_input(
            file,
            format!(
                "invalid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    let Some(records) = value.as_array() else {
        return Err(Error::bad_input(
            file,
            "a JSON object; expected timm inference.py records: [{\"filename\": .., \"index\": [..], \"prob\": [..]}, ..]",
        ));
    };
    let headers: Vec<String> = records
        .first()
        .and_then(Value::as_object)
        .map(|o| o.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    let layout = layout(file, &headers)?;
    let rows = records.iter().enumerate().map(|(position, record)| {
        let at = format!("record {position}");
        let object = record
            .as_object()
            .ok_or_else(|| Error::bad_input(file, format!("{at} is not an object")))?;
        let by_header: Vec<Option<String>> = headers
            .iter()
            .map(|header| {
                (object.iter())
                    .find(|(k, _)| k.to_ascii_lowercase() == *header)
                    .and_then(|(_, v)| cell_text(v))
            })
            .collect();
        let cells: RowCells = Box::new(move |c| by_header.get(c).cloned().flatten());
        Ok((at, cells))
    });
    read_rows(file, &headers, &layout, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_and_numbered_columns_read_the_same() {
        let lists = "filename,index,prob\na.jpg,\"[3, 1]\",\"[0.7, 0.2]\"\n";
        let numbered = "filename,index_0,index_1,prob_0,prob_1\na.jpg,3,1,0.7,0.2\n";
        let a = read_csv(Path::new("a.csv"), lists).unwrap();
        let b = read_csv(Path::new("b.csv"), numbered).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.ids, vec![vec![3, 1]]);
        assert_eq!(a.probs, Some(vec![vec![0.7, 0.2]]));
    }

    #[test]
    fn json_records_read_like_csv() {
        let json = r#"[{"filename": "a.jpg", "index": [3, 1], "prob": [0.7, 0.2]}]"#;
        let rows = read_json(Path::new("r.json"), json).unwrap();
        assert_eq!(rows.names, vec!["a.jpg"]);
        assert_eq!(rows.ids, vec![vec![3, 1]]);
    }

    #[test]
    fn a_table_without_indices_says_how_to_get_them() {
        let err = read_csv(Path::new("t.csv"), "filename,label\na.jpg,cat\n").unwrap_err();
        assert!(err.to_string().contains("--include-index"), "{err}");
    }

    #[test]
    fn list_cells_read_as_python_and_numpy_print_them_and_nothing_looser() {
        assert_eq!(list::<i64>("[3, 1, 2]"), Ok(vec![3, 1, 2]));
        assert_eq!(list::<i64>("[3 1 2]"), Ok(vec![3, 1, 2]));
        assert_eq!(list::<i64>(" (3, 1) "), Ok(vec![3, 1]));
        assert_eq!(list::<i64>("7"), Ok(vec![7]));
        assert!(
            list::<i64>("3 1").is_err(),
            "spaces separate only inside brackets"
        );
        assert!(list::<i64>("[3, , 1]").is_err());
        assert!(list::<i64>("[3, 1").is_err());
        assert!(list::<i64>("[]").is_err());
        assert!(whole::<f64>("0.\t34140").is_err());
        assert!(whole::<i64>("91[").is_err());
        assert_eq!(whole::<f64>(" 0.25 "), Ok(0.25));
    }
}
