//! timm's inference.py output: CSV with list columns ("index", "prob"), CSV with separate
//! columns (index_0.., prob_0..), or JSON records of either kind.

use super::{csv_headers, split_labels};
use crate::error::{Error, Result};
use serde_json::Value;
use std::path::Path;

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

/// Which columns hold the ranked ids and probabilities: one list column, or numbered ones.
struct Layout {
    name: usize,
    index: Vec<usize>,
    prob: Vec<usize>,
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
        Some(column) => vec![column],
        None => numbered(headers, INDEX_PREFIX),
    };
    if index.is_empty() {
        return Err(Error::bad_input(
            file,
            format!("no class index column in {headers:?}; {expected}"),
        ));
    }
    let prob = match find(PROB_PREFIXES) {
        Some(column) => vec![column],
        None => PROB_PREFIXES
            .iter()
            .map(|p| numbered(headers, p))
            .find(|c| !c.is_empty())
            .unwrap_or_default(),
    };
    Ok(Layout { name, index, prob })
}

fn numbers<T: std::str::FromStr>(file: &Path, record: &str, fields: &[&str]) -> Result<Vec<T>> {
    fields
        .iter()
        .flat_map(|field| split_labels(field))
        .map(|token| {
            token
                .parse()
                .map_err(|_| Error::bad_input(file, format!("{record}: {token:?} is not a number")))
        })
        .collect()
}

pub fn read_csv(file: &Path, text: &str) -> Result<ResultRows> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = csv_headers(file, &mut reader)?;
    let layout = layout(file, &headers)?;
    let mut rows = ResultRows {
        probs: (!layout.prob.is_empty()).then(Vec::new),
        ..Default::default()
    };
    for (row, record) in reader.records().enumerate() {
        let at = format!("line {}", row + 2);
        let record = record.map_err(|e| Error::bad_input(file, format!("{at}: {e}")))?;
        let fields = |columns: &[usize]| {
            columns
                .iter()
                .map(|&c| record.get(c).unwrap_or(""))
                .collect::<Vec<_>>()
        };
        rows.names
            .push(record.get(layout.name).unwrap_or("").to_owned());
        rows.ids.push(numbers(file, &at, &fields(&layout.index))?);
        if let Some(probs) = &mut rows.probs {
            probs.push(numbers(file, &at, &fields(&layout.prob))?);
        }
    }
    Ok(rows)
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
    let mut rows = ResultRows {
        probs: (!layout.prob.is_empty()).then(Vec::new),
        ..Default::default()
    };
    for (position, record) in records.iter().enumerate() {
        let at = format!("record {position}");
        let object = record
            .as_object()
            .ok_or_else(|| Error::bad_input(file, format!("{at} is not an object")))?;
        let field = |column: usize| {
            object
                .iter()
                .find(|(k, _)| k.to_ascii_lowercase() == headers[column])
                .map(|(_, v)| v)
        };
        let text_of = |columns: &[usize]| -> Vec<String> {
            columns
                .iter()
                .map(|&c| match field(c) {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                })
                .collect()
        };
        let name = text_of(&[layout.name]).remove(0);
        let as_refs = |texts: &[String]| {
            texts
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        };
        rows.names.push(name);
        rows.ids.push(numbers(
            file,
            &at,
            &[as_refs(&text_of(&layout.index)).as_str()],
        )?);
        if let Some(probs) = &mut rows.probs {
            probs.push(numbers(
                file,
                &at,
                &[as_refs(&text_of(&layout.prob)).as_str()],
            )?);
        }
    }
    Ok(rows)
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
}
