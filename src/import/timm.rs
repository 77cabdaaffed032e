//! timm's inference.py output, every layout it writes: CSV (`--results-format csv`), JSON
//! keyed by file name (`json`, pandas orient=index), `json-split`, JSON lines (`json-records`)
//! and JSON record lists; list columns or one column per rank (`--results-separate-col`);
//! class indices (`--include-index`), class names or wnids (`--label-type`), probabilities or
//! logits (`--output-type`), top-k or every class (`--topk 0`); custom column names.
//! Parquet and Feather tables come here as rows of cells too (see `arrow.rs`).

use super::class_names::ClassNames;
use super::csv_headers;
use super::table::{Content, ReadOptions, Table};
use crate::error::{Error, Result};
use serde_json::Value;
use std::path::Path;
use std::str::FromStr;

/// One cell as the file holds it: CSV text, a JSON value, or a typed table's list of
/// numbers (Arrow, Parquet), read as they are stored, with None for a null element.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Json(Value),
    Integers(Vec<Option<i64>>),
    Floats(Vec<Option<f64>>),
}

impl Cell {
    /// The cell as JSON: a list of numbers as a JSON list, a NaN or an infinity as null.
    pub fn into_json(self) -> Value {
        match self {
            Cell::Text(text) => Value::String(text),
            Cell::Json(value) => value,
            Cell::Integers(values) => values.into_iter().map(Value::from).collect(),
            Cell::Floats(values) => (values.into_iter())
                .map(|v| {
                    v.and_then(serde_json::Number::from_f64)
                        .map_or(Value::Null, Value::Number)
                })
                .collect(),
        }
    }
}

/// A row's cells, by column; None where the record lacks the column.
pub type Row = Vec<Option<Cell>>;

const NAME_COLUMNS: &[&str] = &["filename", "file", "image", "path"];
const INDEX_COLUMN: &str = "index";
const LABEL_COLUMN: &str = "label";
const OUTPUT_COLUMNS: &[&str] = &[
    "prob",
    "probs",
    "probability",
    "logit",
    "logits",
    "score",
    "scores",
    "output",
];

/// Where a row's ranked values are: one list column ("[3, 1, 2]"), or one column per rank.
enum Columns {
    List(usize),
    Numbered(Vec<usize>),
}

/// Which columns hold the file name, the ranked ids (as indices or labels) and the outputs.
struct Layout {
    name: usize,
    index: Option<Columns>,
    label: Option<Columns>,
    output: Option<(Columns, bool)>,
}

const EXPECTED: &str = "expected timm inference.py output: a filename column with class indices (--include-index), labels or every class's probability (--topk 0)";

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

/// A list column named `name`, else numbered columns `name_0`, `name_1`, ...
fn columns(headers: &[String], name: &str) -> Option<Columns> {
    match headers.iter().position(|h| h == name) {
        Some(column) => Some(Columns::List(column)),
        None => Some(numbered(headers, name))
            .filter(|c| !c.is_empty())
            .map(Columns::Numbered),
    }
}

/// A header for a message: a table with a column per class would fill the screen.
fn shown(headers: &[String]) -> String {
    const SHOWN: usize = 8;
    match headers.len().saturating_sub(SHOWN) {
        0 => format!("{headers:?}"),
        more => format!("{:?} and {more} more columns", &headers[..SHOWN]),
    }
}

fn layout(file: &Path, headers: &[String], options: &ReadOptions) -> Result<Layout> {
    let lower = |name: &Option<String>| name.as_ref().map(|n| n.trim().to_ascii_lowercase());
    let (name_col, index_col) = (lower(&options.filename_col), lower(&options.index_col));
    let name = match &name_col {
        Some(given) => headers.iter().position(|h| h == given),
        None => headers
            .iter()
            .position(|h| NAME_COLUMNS.contains(&h.as_str())),
    };
    let name = name.ok_or_else(|| {
        let which = name_col.map_or("no filename column".into(), |n| format!("no column {n:?}"));
        Error::bad_input(
            file,
            format!(
                "{which} in {}; {EXPECTED} (name the columns with --filename-col and --index-col)",
                shown(headers)
            ),
        )
    })?;
    let index = columns(headers, index_col.as_deref().unwrap_or(INDEX_COLUMN));
    let output = OUTPUT_COLUMNS
        .iter()
        .find_map(|&output| columns(headers, output).map(|c| (c, output.starts_with("logit"))));
    let label = columns(headers, LABEL_COLUMN);
    if index.is_none() && label.is_none() && output.is_none() {
        return Err(Error::bad_input(
            file,
            format!(
                "no class index, label or probability column in {}; {EXPECTED}",
                shown(headers)
            ),
        ));
    }
    Ok(Layout {
        name,
        index,
        label,
        output,
    })
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

/// The inside of a bracketed list cell, or the whole cell when it has no brackets.
fn unbracketed(text: &str) -> std::result::Result<(&str, bool), String> {
    match (text.chars().next(), text.chars().last()) {
        (Some('['), Some(']')) | (Some('('), Some(')')) if text.len() >= 2 => {
            Ok((&text[1..text.len() - 1], true))
        }
        (Some('[' | '('), _) | (_, Some(']' | ')')) => {
            Err(format!("{text:?} has unbalanced brackets"))
        }
        _ => Ok((text, false)),
    }
}

/// A list cell as Python or numpy print it: "[3, 1, 2]", "[3 1 2]", "(3, 1)", or "3, 1, 2".
fn list<T: FromStr>(cell: &str) -> std::result::Result<Vec<T>, String> {
    if cell.trim().is_empty() {
        return Err("a blank cell".into());
    }
    let (inner, bracketed) = unbracketed(cell.trim())?;
    if inner.trim().is_empty() {
        return Err("an empty list".into());
    }
    if inner.contains(',') {
        inner.split(',').map(whole).collect()
    } else if bracketed {
        inner.split_whitespace().map(whole).collect()
    } else {
        whole(inner).map(|value| vec![value])
    }
}

/// Labels as numpy prints an array of strings ("['tench, Tinca tinca' 'goldfish']"), or one
/// label that is the whole cell (a label may hold commas).
fn label_list(cell: &str) -> std::result::Result<Vec<String>, String> {
    let text = cell.trim();
    let Ok((inner, true)) = unbracketed(text) else {
        return Ok(vec![text.to_owned()]);
    };
    let mut labels = Vec::new();
    let mut rest = inner.trim_start();
    while let Some(quote) = rest.chars().next().filter(|c| matches!(c, '\'' | '"')) {
        let end = rest[1..]
            .find(quote)
            .ok_or_else(|| format!("{text:?} has an unclosed quote"))?;
        labels.push(rest[1..1 + end].to_owned());
        rest = rest[end + 2..].trim_start_matches([',', ' ', '\n']);
    }
    match rest.is_empty() && !labels.is_empty() {
        true => Ok(labels),
        false => Err(format!("{text:?} is not a list of quoted labels")),
    }
}

fn json_number<T: FromStr>(value: &Value) -> std::result::Result<T, String> {
    match value {
        Value::Number(n) => whole(&n.to_string()),
        other => Err(format!("{other} is not a number")),
    }
}

/// A number a typed cell holds as the type the table needs: class ids are whole numbers,
/// scores any finite number.
trait Number: FromStr {
    /// What a value must be, for a refusal.
    const KIND: &str;
    fn from_integer(value: i64) -> Option<Self>;
    fn from_float(value: f64) -> Option<Self>;
}

impl Number for i64 {
    const KIND: &str = "a class id (a whole number)";

    fn from_integer(value: i64) -> Option<Self> {
        Some(value)
    }

    fn from_float(_: f64) -> Option<Self> {
        None
    }
}

// Scores are stored as f32 whatever the table's type; a float32 column is exact.
impl Number for f32 {
    const KIND: &str = "a finite score";

    fn from_integer(value: i64) -> Option<Self> {
        Some(value as f32)
    }

    fn from_float(value: f64) -> Option<Self> {
        value.is_finite().then_some(value as f32)
    }
}

fn typed<V: Copy + std::fmt::Display, T: Number>(
    values: &[Option<V>],
    convert: impl Fn(V) -> Option<T>,
) -> std::result::Result<Vec<T>, String> {
    if values.is_empty() {
        return Err("an empty list".into());
    }
    (values.iter())
        .map(|value| {
            let value = value.ok_or("a missing value in the list")?;
            convert(value).ok_or_else(|| format!("{value} is not {}", T::KIND))
        })
        .collect()
}

fn numbers<T: Number>(cell: &Cell) -> std::result::Result<Vec<T>, String> {
    match cell {
        Cell::Text(text) => list(text),
        Cell::Json(Value::Array(items)) if items.is_empty() => Err("an empty list".into()),
        Cell::Json(Value::Array(items)) => items.iter().map(json_number).collect(),
        Cell::Json(Value::String(text)) => list(text),
        Cell::Json(value) => json_number(value).map(|v| vec![v]),
        Cell::Integers(values) => typed(values, T::from_integer),
        Cell::Floats(values) => typed(values, T::from_float),
    }
}

fn labels(cell: &Cell) -> std::result::Result<Vec<String>, String> {
    match cell {
        Cell::Text(text) | Cell::Json(Value::String(text)) => label_list(text),
        Cell::Json(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(label) => Ok(label.clone()),
                other => Err(format!("{other} is not a label")),
            })
            .collect(),
        Cell::Json(other) => Err(format!("{other} is not a label")),
        Cell::Integers(_) | Cell::Floats(_) => Err("numbers, not labels".into()),
    }
}

/// Reads a row's ranked values with `parse`, which reads one cell into one or more values.
fn ranked<T>(
    at: &str,
    columns: &Columns,
    headers: &[String],
    row: &Row,
    parse: impl Fn(&Cell) -> std::result::Result<Vec<T>, String>,
) -> std::result::Result<Vec<T>, String> {
    let cell = |column: usize| {
        let problem = |why: String| format!("{at}, column {:?}: {why}", headers[column]);
        let cell = row.get(column).and_then(Option::as_ref);
        let cell = cell.ok_or_else(|| problem("missing".into()))?;
        parse(cell).map_err(problem)
    };
    match columns {
        Columns::List(column) => cell(*column),
        Columns::Numbered(columns) => {
            columns
                .iter()
                .map(|&c| cell(c))
                .try_fold(Vec::new(), |mut all, values| {
                    all.extend(values?);
                    Ok(all)
                })
        }
    }
}

/// What a table's rows accumulate, column by column.
#[derive(Default)]
struct Gathered {
    names: Vec<String>,
    ids: Vec<i64>,
    outputs: Vec<f32>,
    width: Option<(usize, usize)>,
}

impl Gathered {
    /// Every row needs every rank: the first row sets how many ids and outputs a row has.
    fn check_width(
        &mut self,
        at: &str,
        ids: usize,
        outputs: usize,
    ) -> std::result::Result<(), String> {
        match self.width {
            None => self.width = Some((ids, outputs)),
            Some((first, _)) if first != ids => {
                return Err(format!(
                    "{at}: {ids} class indices where the first row has {first}; every row needs every rank"
                ));
            }
            Some((_, first)) if first != outputs => {
                return Err(format!(
                    "{at}: {outputs} outputs where the first row has {first}; every row needs every rank"
                ));
            }
            Some(_) => {}
        }
        Ok(())
    }
}

fn class_ids(
    at: &str,
    found: Vec<String>,
    classes: &ClassNames,
) -> std::result::Result<Vec<i64>, String> {
    found
        .iter()
        .map(|label| {
            classes
                .find(label)
                .map(i64::from)
                .map_err(|why| format!("{at}: {}", why.explain(label)))
        })
        .collect()
}

fn gather(
    headers: &[String],
    layout: &Layout,
    rows: impl Iterator<Item = Result<(String, Row)>>,
    classes: &ClassNames,
    file: &Path,
) -> Result<Gathered> {
    let mut out = Gathered::default();
    let bad = |why: String| Error::bad_input(file, format!("{why}; {EXPECTED}"));
    for row in rows {
        let (at, row) = row?;
        let ids = match (&layout.index, &layout.label) {
            (Some(columns), _) => {
                ranked(&at, columns, headers, &row, numbers::<i64>).map_err(bad)?
            }
            (None, Some(columns)) => {
                let found = ranked(&at, columns, headers, &row, labels).map_err(bad)?;
                let at = format!("{at}, column {LABEL_COLUMN:?}");
                class_ids(&at, found, classes).map_err(|why| Error::bad_input(file, why))?
            }
            (None, None) => Vec::new(),
        };
        let outputs = match &layout.output {
            Some((columns, _)) => ranked(&at, columns, headers, &row, numbers::<f32>),
            None => Ok(Vec::new()),
        }
        .map_err(bad)?;
        out.check_width(&at, ids.len(), outputs.len())
            .map_err(bad)?;
        let name = row.get(layout.name).and_then(Option::as_ref);
        out.names.push(match name {
            Some(Cell::Text(text) | Cell::Json(Value::String(text))) => text.clone(),
            Some(other) => other.clone().into_json().to_string(),
            None => return Err(bad(format!("{at}: no file name"))),
        });
        out.ids.extend(ids);
        out.outputs.extend(outputs);
    }
    Ok(out)
}

/// The table of a results file, once its headers (lower-cased) and rows are at hand.
pub fn read_rows(
    file: &Path,
    headers: &[String],
    rows: impl Iterator<Item = Result<(String, Row)>>,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    let layout = layout(file, headers, options)?;
    let gathered = gather(headers, &layout, rows, classes, file)?;
    let Some((k, width)) = gathered.width else {
        return Err(Error::bad_input(file, format!("no rows; {EXPECTED}")));
    };
    if k > 0 && width != 0 && width != k {
        return Err(Error::bad_input(
            file,
            format!("{k} class ids but {width} outputs a row; expected one output per rank"),
        ));
    }
    let logits = layout.output.as_ref().is_some_and(|(_, logits)| *logits);
    let names = Some(gathered.names);
    if k == 0 {
        let content = Content::Scores {
            classes: width,
            values: gathered.outputs,
        };
        return Ok(Table::new(names, content));
    }
    // Logits of the top-k alone cannot be softmaxed (the other classes' share is unknown).
    let outputs_are_probs =
        width == k && !logits && gathered.outputs.iter().all(|p| (0.0..=1.0).contains(p));
    let mut table = Table::new(
        names,
        Content::Ranked {
            k,
            ids: gathered.ids,
            probs: outputs_are_probs.then_some(gathered.outputs),
        },
    );
    if width == k && !outputs_are_probs {
        table.note = Some(format!(
            "{}: the scores are the logits of the top-{k} classes only, and a softmax cannot be computed from {k} of the classes' logits (it needs every class's): the class ids were kept without scores; for full scores (probabilities, max softmax and entropy) run inference.py with --topk 0, or with --output-type prob for the top-{k} probabilities",
            file.display()
        ));
    }
    Ok(table)
}

pub fn read_csv(
    file: &Path,
    text: &str,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    let mut reader = super::csv_text::with_header(file, text)?;
    let headers = csv_headers(file, &mut reader)?;
    let rows = reader.records().enumerate().map(|(row, record)| {
        let at = format!("line {}", row + 2);
        let record = record.map_err(|e| Error::bad_input(file, format!("{at}: {e}")))?;
        let cells = record
            .iter()
            .map(|c| Some(Cell::Text(c.to_owned())))
            .collect();
        Ok((at, cells))
    });
    read_rows(file, &headers, rows, options, classes)
}

/// Records (JSON objects) as rows, over the keys of the first record.
pub fn read_records<'a>(
    file: &Path,
    records: impl Iterator<Item = (String, &'a Value)>,
    name_key: Option<(&str, &[String])>,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    let mut records = records.peekable();
    let first = records.peek().and_then(|(_, record)| record.as_object());
    let mut headers: Vec<String> = first
        .map(|o| o.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    // orient=index: the file name is each record's key, not one of its columns.
    let keys = name_key.map(|(column, keys)| {
        headers.insert(0, column.to_owned());
        keys
    });
    let rows = records.enumerate().map(|(position, (at, record))| {
        let object = record.as_object().ok_or_else(|| {
            Error::bad_input(
                file,
                format!("{at} is not an object of columns; {EXPECTED}"),
            )
        })?;
        let cells = headers
            .iter()
            .enumerate()
            .map(|(column, header)| match keys {
                Some(keys) if column == 0 => Some(Cell::Text(keys[position].clone())),
                _ => (object.iter())
                    .find(|(k, _)| k.to_ascii_lowercase() == *header)
                    .map(|(_, v)| Cell::Json(v.clone())),
            })
            .collect();
        Ok((at, cells))
    });
    read_rows(file, &headers.clone(), rows, options, classes)
}

/// Every JSON layout inference.py writes: records, `json-split`, `json` (orient=index).
pub fn read_json(
    file: &Path,
    value: &Value,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    let name_column = options.filename_col.as_deref().unwrap_or("filename");
    match value {
        Value::Array(records) => {
            let records = records
                .iter()
                .enumerate()
                .map(|(at, r)| (format!("record {at}"), r));
            read_records(file, records, None, options, classes)
        }
        Value::Object(split) if split.contains_key("columns") && split.contains_key("data") => {
            read_split(file, split, options, classes)
        }
        Value::Object(by_name) if by_name.values().all(Value::is_object) => {
            let keys: Vec<String> = by_name.keys().cloned().collect();
            let records = by_name
                .iter()
                .map(|(name, record)| (format!("record {name:?}"), record));
            read_records(file, records, Some((name_column, &keys)), options, classes)
        }
        other => Err(Error::bad_input(
            file,
            format!(
                "the JSON holds {}, neither a list of records nor an object of records keyed by file name; expected timm inference.py records ([{{\"filename\": .., \"index\": [..]}}, ..]) or its --results-format json",
                super::json::kind(other)
            ),
        )),
    }
}

/// `json-split`: {"columns": [..], "data": [[row], ..]} (pandas orient=split).
fn read_split(
    file: &Path,
    split: &serde_json::Map<String, Value>,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    let headers: Vec<String> = split["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c.as_str().unwrap_or_default().to_ascii_lowercase())
        .collect();
    let data = split["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let rows = data.iter().enumerate().map(|(at, row)| {
        let at = format!("data row {at}");
        let cells = row.as_array().ok_or_else(|| {
            Error::bad_input(file, format!("{at} is not a list of cells (json-split)"))
        })?;
        Ok((
            at,
            cells.iter().map(|v| Some(Cell::Json(v.clone()))).collect(),
        ))
    });
    read_rows(file, &headers, rows, options, classes)
}

/// The values of a JSON-lines text, each with its line number; blank lines skipped.
pub fn json_lines(file: &Path, text: &str) -> Result<Vec<(usize, Value)>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(at, line)| {
            super::json::value(line)
                .map(|value| (at + 1, value))
                .map_err(|e| Error::bad_input(file, super::json::problem_on_line(at + 1, &e)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocabulary;

    fn classes() -> ClassNames {
        ClassNames::new(&Vocabulary::imagenet1k())
    }

    fn csv(text: &str) -> Result<Table> {
        read_csv(
            Path::new("t.csv"),
            text,
            &ReadOptions::default(),
            &classes(),
        )
    }

    fn json(text: &str) -> Result<Table> {
        let file = Path::new("t.json");
        let value = crate::import::json::parse(file, text)?;
        read_json(file, &value, &ReadOptions::default(), &classes())
    }

    fn ranked(k: usize, ids: Vec<i64>, probs: Option<Vec<f32>>) -> Content {
        Content::Ranked { k, ids, probs }
    }

    #[test]
    fn list_and_numbered_columns_read_the_same() {
        let a = csv("filename,index,prob\na.jpg,\"[3, 1]\",\"[0.7, 0.2]\"\n").unwrap();
        let b = csv("filename,index_0,index_1,prob_0,prob_1\na.jpg,3,1,0.7,0.2\n").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.content, ranked(2, vec![3, 1], Some(vec![0.7, 0.2])));
        assert_eq!(a.names, Some(vec!["a.jpg".to_owned()]));
    }

    #[test]
    fn every_json_layout_reads_like_the_csv() {
        let expected = csv("filename,index,prob\na.jpg,\"[3, 1]\",\"[0.7, 0.2]\"\n").unwrap();
        let records = r#"[{"filename": "a.jpg", "index": [3, 1], "prob": [0.7, 0.2]}]"#;
        let by_name = r#"{"a.jpg": {"index": [3, 1], "prob": [0.7, 0.2]}}"#;
        let split = r#"{"columns": ["filename", "index", "prob"], "data": [["a.jpg", [3, 1], [0.7, 0.2]]]}"#;
        for text in [records, by_name, split] {
            assert_eq!(json(text).unwrap(), expected, "{text}");
        }
        let lines = "{\"filename\":\"a.jpg\",\"index\":[3,1],\"prob\":[0.7,0.2]}\n";
        let file = Path::new("t.jsonl");
        let records: Vec<Value> = json_lines(file, lines)
            .unwrap()
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        let read = read_json(
            file,
            &Value::Array(records),
            &ReadOptions::default(),
            &classes(),
        );
        assert_eq!(read.unwrap(), expected);
    }

    #[test]
    fn labels_map_through_the_vocabulary() {
        // timm's default (--label-type description) with --topk 2, as numpy prints the array.
        let text =
            "filename,label,prob\na.jpg,\"['tabby, tabby cat' 'tiger cat']\",\"[0.6 0.3]\"\n";
        assert_eq!(
            csv(text).unwrap().content,
            ranked(2, vec![281, 282], Some(vec![0.6, 0.3]))
        );
        // --topk 1 squeezes the label to one string, which may hold commas; wnids too.
        let one = "filename,label,prob\na.jpg,\"tench, Tinca tinca\",0.9\nb.jpg,n01443537,0.8\n";
        assert_eq!(
            csv(one).unwrap().content,
            ranked(1, vec![0, 1], Some(vec![0.9, 0.8]))
        );
        let crane = csv("filename,label,prob\na.jpg,crane,0.9\n")
            .unwrap_err()
            .to_string();
        assert!(
            crane.contains("line 2") && crane.contains("134 crane"),
            "{crane}"
        );
    }

    #[test]
    fn every_probability_without_indices_is_full_scores() {
        let text = "filename,prob\na.jpg,\"[0.5 0.25\n 0.25]\"\n";
        assert_eq!(
            csv(text).unwrap().content,
            Content::Scores {
                classes: 3,
                values: vec![0.5, 0.25, 0.25]
            }
        );
        let logits = "filename,logit_0,logit_1,logit_2\na.jpg,1.5,-2,0.25\n";
        assert_eq!(
            csv(logits).unwrap().content,
            Content::Scores {
                classes: 3,
                values: vec![1.5, -2.0, 0.25]
            }
        );
    }

    #[test]
    fn top_k_logits_keep_their_ids_and_say_why_not_their_scores() {
        let table = csv("filename,index,logit\na.jpg,\"[3, 1]\",\"[7.5, 2.5]\"\n").unwrap();
        assert_eq!(table.content, ranked(2, vec![3, 1], None));
        let note = table.note.unwrap();
        for said in [
            "a softmax cannot be computed from 2 of the classes' logits",
            "--topk 0",
            "--output-type prob",
        ] {
            assert!(note.contains(said), "{note}");
        }
    }

    #[test]
    fn a_refusal_of_a_wide_header_does_not_list_every_column() {
        let header: Vec<String> = (0..1000).map(|c| format!("c{c}")).collect();
        let err = csv(&format!("{}\n", header.join(",")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"c7\"] and 992 more columns"), "{err}");
        assert!(!err.contains("c8"), "{err}");
    }

    #[test]
    fn custom_column_names_are_given_by_option() {
        let text = "image_id,cls\na.jpg,7\n";
        let options = ReadOptions {
            filename_col: Some("image_id".into()),
            index_col: Some("cls".into()),
            ..Default::default()
        };
        let table = read_csv(Path::new("t.csv"), text, &options, &classes()).unwrap();
        assert_eq!(table.content, ranked(1, vec![7], None));
        let err = csv(text).unwrap_err().to_string();
        assert!(err.contains("--filename-col"), "{err}");
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
        assert_eq!(
            label_list("['a, b' \"c'd\"]"),
            Ok(vec!["a, b".into(), "c'd".into()])
        );
        assert!(label_list("['a' b]").is_err());
    }

    #[test]
    fn typed_lists_read_ids_as_whole_numbers_and_scores_as_finite_ones() {
        let ints = Cell::Integers(vec![Some(3), Some(1)]);
        assert_eq!(numbers::<i64>(&ints), Ok(vec![3, 1]));
        assert_eq!(numbers::<f32>(&ints), Ok(vec![3.0, 1.0]));
        let floats = Cell::Floats(vec![Some(0.25), Some(-2.0)]);
        assert_eq!(numbers::<f32>(&floats), Ok(vec![0.25, -2.0]));
        assert_eq!(
            numbers::<i64>(&floats),
            Err("0.25 is not a class id (a whole number)".into())
        );
        let nan = Cell::Floats(vec![Some(f64::NAN)]);
        assert_eq!(
            numbers::<f32>(&nan),
            Err("NaN is not a finite score".into())
        );
        let hole = Cell::Integers(vec![Some(3), None]);
        assert_eq!(
            numbers::<i64>(&hole),
            Err("a missing value in the list".into())
        );
        assert_eq!(
            numbers::<i64>(&Cell::Integers(vec![])),
            Err("an empty list".into())
        );
        assert!(labels(&floats).is_err());
    }
}
