//! Arrow tables: Feather v2 (the Arrow IPC file format, as pandas' `to_feather` and pyarrow's
//! `feather.write_feather` write it, lz4 by default, zstd or uncompressed on request) and Arrow
//! IPC streams. Their record batches, and Parquet's (`parquet.rs`), become rows of timm's
//! cells, so every table layout (a file name column with list or per-rank columns, `--topk 0`
//! score columns, custom column names) is interpreted in one place (`timm.rs`).

use super::class_names::ClassNames;
use super::table::{ReadOptions, Table};
use super::timm::{self, Cell, Row};
use crate::error::{Error, Result};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{ArrowError, DataType};
use serde_json::Value;
use std::io::Cursor;
use std::path::Path;

/// The Arrow IPC file (Feather v2) magic.
const FILE_MAGIC: &[u8] = b"ARROW1";
/// An Arrow IPC stream opens with a message's continuation marker.
const STREAM_START: &[u8] = &[0xFF, 0xFF, 0xFF, 0xFF];
/// Feather v1, the format before Arrow IPC.
const FEATHER_V1_MAGIC: &[u8] = b"FEA1";

/// Whether the bytes are an Arrow table bagel reads or refuses with advice.
pub fn is_arrow(bytes: &[u8]) -> bool {
    [FILE_MAGIC, STREAM_START, FEATHER_V1_MAGIC]
        .iter()
        .any(|magic| bytes.starts_with(magic))
}

pub fn read(
    file: &Path,
    bytes: Vec<u8>,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    if bytes.starts_with(FEATHER_V1_MAGIC) {
        return Err(Error::bad_input(
            file,
            "a Feather v1 file, the format before Arrow IPC; save it again as Feather v2 (pyarrow.feather.write_feather(table, path), pandas' df.to_feather(path)) or Parquet",
        ));
    }
    let unreadable = |e: ArrowError| {
        Error::bad_input(
            file,
            format!(
                "not a readable Feather/Arrow IPC file ({e}); write it again (pandas: df.to_feather(path))"
            ),
        )
    };
    let batches: Vec<RecordBatch> = if bytes.starts_with(FILE_MAGIC) {
        let reader =
            arrow_ipc::reader::FileReader::try_new(Cursor::new(bytes), None).map_err(unreadable)?;
        reader.collect::<std::result::Result<_, _>>()
    } else {
        let reader = arrow_ipc::reader::StreamReader::try_new(Cursor::new(bytes), None)
            .map_err(unreadable)?;
        reader.collect::<std::result::Result<_, _>>()
    }
    .map_err(unreadable)?;
    read_batches(file, &batches, options, classes)
}

/// How many rows [`read_batches`] converts at once.
const ROWS_AT_ONCE: usize = 1024;

/// Record batches as rows named `row N` from 0 across batches, read through timm's table
/// layouts. The rows are converted a slice at a time and handed on, so a `--topk 0` table
/// (1,000 scores a row) never exists as cells all at once.
pub(super) fn read_batches(
    file: &Path,
    batches: &[RecordBatch],
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    // Every batch of an IPC file or a Parquet file has the file's one schema.
    let fields = batches.first().map(|batch| batch.schema().fields().clone());
    let fields = fields.unwrap_or_default();
    let headers: Vec<String> = (fields.iter())
        .map(|field| field.name().to_ascii_lowercase())
        .collect();
    // Columns are found by name: of two with one name, one would be read and one ignored.
    if let Some(twice) = (1..headers.len()).find(|&at| headers[..at].contains(&headers[at])) {
        return Err(Error::bad_input(
            file,
            format!(
                "two columns are named {:?} (names are read regardless of case); name each column once and save the table again",
                fields[twice].name()
            ),
        ));
    }
    let slices = batches.iter().flat_map(|batch| {
        (0..batch.num_rows())
            .step_by(ROWS_AT_ONCE)
            .map(|start| batch.slice(start, ROWS_AT_ONCE.min(batch.num_rows() - start)))
    });
    let rows = slices
        .flat_map(|batch| match rows_of(&batch) {
            Ok(rows) => rows.into_iter().map(Ok).collect(),
            Err((column, kind)) => vec![Err(Error::bad_input(
                file,
                format!(
                    "column {:?} holds {kind}; expected file names (strings), class ids (integers), scores (floats) or lists of them, as timm's inference.py writes",
                    fields.get(column).map_or("?", |field| field.name())
                ),
            ))],
        })
        .enumerate()
        .map(|(at, row)| row.map(|cells| (format!("row {at}"), cells)));
    timm::read_rows(file, &headers, rows, options, classes)
}

/// A batch's rows of cells; the column that cannot be read, and what it holds, otherwise.
fn rows_of(batch: &RecordBatch) -> std::result::Result<Vec<Row>, (usize, String)> {
    let columns = (batch.columns().iter().enumerate())
        .map(|(at, column)| cells(column.as_ref()).map_err(|kind| (at, kind)))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut columns: Vec<_> = columns.into_iter().map(Vec::into_iter).collect();
    let rows = (0..batch.num_rows()).map(|_| {
        (columns.iter_mut())
            .map(|cells| cells.next().flatten())
            .collect()
    });
    Ok(rows.collect())
}

/// A column of numbers, flattened: integers stay integers (class ids), floats floats.
enum Numbers {
    Integers(Vec<Option<i64>>),
    Floats(Vec<Option<f64>>),
}

impl Numbers {
    /// The values `range` as one list cell.
    fn list(&self, range: std::ops::Range<usize>) -> Cell {
        match self {
            Numbers::Integers(values) => Cell::Integers(values[range].to_vec()),
            Numbers::Floats(values) => Cell::Floats(values[range].to_vec()),
        }
    }

    /// Each value as a scalar cell, as a JSON number (how timm's JSON holds one).
    fn scalars(self) -> Vec<Option<Cell>> {
        match self {
            Numbers::Integers(values) => (values.into_iter())
                .map(|v| v.map(|v| Cell::Json(v.into())))
                .collect(),
            Numbers::Floats(values) => (values.into_iter())
                .map(|v| v.map(|v| Cell::Json(float(v))))
                .collect(),
        }
    }
}

/// The column's values when it is a column of numbers; None for another type.
fn numbers(array: &dyn Array) -> std::result::Result<Option<Numbers>, String> {
    let integers = Numbers::Integers;
    let floats = Numbers::Floats;
    Ok(Some(match array.data_type() {
        DataType::Int8 => integers(primitive::<Int8Type, _>(array, i64::from)),
        DataType::Int16 => integers(primitive::<Int16Type, _>(array, i64::from)),
        DataType::Int32 => integers(primitive::<Int32Type, _>(array, i64::from)),
        DataType::Int64 => integers(primitive::<Int64Type, _>(array, |v| v)),
        DataType::UInt8 => integers(primitive::<UInt8Type, _>(array, i64::from)),
        DataType::UInt16 => integers(primitive::<UInt16Type, _>(array, i64::from)),
        DataType::UInt32 => integers(primitive::<UInt32Type, _>(array, i64::from)),
        DataType::UInt64 => {
            let values = primitive::<UInt64Type, _>(array, i64::try_from);
            let values = (values.into_iter())
                .map(Option::transpose)
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| format!("UInt64 values above {}", i64::MAX))?;
            integers(values)
        }
        DataType::Float16 => floats(primitive::<Float16Type, _>(array, |v| v.to_f64())),
        DataType::Float32 => floats(primitive::<Float32Type, _>(array, f64::from)),
        DataType::Float64 => floats(primitive::<Float64Type, _>(array, |v| v)),
        _ => return Ok(None),
    }))
}

fn primitive<T: ArrowPrimitiveType, V>(
    array: &dyn Array,
    convert: impl Fn(T::Native) -> V,
) -> Vec<Option<V>> {
    (array.as_primitive::<T>().iter())
        .map(|v| v.map(&convert))
        .collect()
}

/// A column's cells (None where the column is null). A list of numbers stays typed: a
/// `--topk 0` table holds 1,000 of them a row. Other values become JSON, as timm's JSON
/// layouts hold them. The type of a column of another kind, for the refusal.
fn cells(array: &dyn Array) -> std::result::Result<Vec<Option<Cell>>, String> {
    if let Some(numbers) = numbers(array)? {
        return Ok(numbers.scalars());
    }
    let cells = match array.data_type() {
        DataType::Null => vec![None; array.len()],
        DataType::Boolean => (array.as_boolean().iter())
            .map(|v| v.map(|v| Cell::Json(v.into())))
            .collect(),
        DataType::Utf8 => texts(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => texts(array.as_string::<i64>().iter()),
        DataType::Utf8View => texts(array.as_string_view().iter()),
        DataType::List(_) => {
            let lists = array.as_list::<i32>();
            let ends = lists.value_offsets().iter().map(|&o| o as usize);
            lists_of(array, lists.values(), ends.collect())?
        }
        DataType::LargeList(_) => {
            let lists = array.as_list::<i64>();
            let ends = lists.value_offsets().iter().map(|&o| o as usize);
            lists_of(array, lists.values(), ends.collect())?
        }
        DataType::FixedSizeList(..) => {
            let lists = array.as_fixed_size_list();
            let ends = (0..=lists.len()).map(|row| lists.value_offset_at(row));
            lists_of(array, lists.values(), ends.collect())?
        }
        DataType::Dictionary(..) => {
            // pandas' categorical columns (file names, class names): keys into the values.
            let dictionary = array.as_any_dictionary();
            let distinct = cells(dictionary.values().as_ref())?;
            (dictionary.normalized_keys().into_iter().enumerate())
                .map(|(row, key)| match array.is_null(row) {
                    true => None,
                    false => distinct.get(key).cloned().flatten(),
                })
                .collect()
        }
        other => return Err(format!("{other} values")),
    };
    Ok(cells)
}

fn texts<'a>(cells: impl Iterator<Item = Option<&'a str>>) -> Vec<Option<Cell>> {
    cells.map(|v| v.map(|v| Cell::Text(v.to_owned()))).collect()
}

/// A float as JSON: a NaN or an infinity has no JSON number and reads as a JSON null.
fn float(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// A list column's cells: row `r` holds `inner[ends[r]..ends[r + 1]]`. Only the part of
/// `inner` the rows span is converted (a slice of a batch shares its parent's inner values).
fn lists_of(
    array: &dyn Array,
    inner: &arrow_array::ArrayRef,
    ends: Vec<usize>,
) -> std::result::Result<Vec<Option<Cell>>, String> {
    let first = ends.first().copied().unwrap_or(0).min(inner.len());
    let last = ends.last().copied().unwrap_or(0).clamp(first, inner.len());
    let spanned = inner.slice(first, last - first);
    let range = |row: usize| {
        let start = ends[row].saturating_sub(first).min(spanned.len());
        start
            ..ends[row + 1]
                .saturating_sub(first)
                .clamp(start, spanned.len())
    };
    let list: Box<dyn Fn(usize) -> Cell> = match numbers(spanned.as_ref())? {
        Some(numbers) => Box::new(move |row| numbers.list(range(row))),
        None => {
            let values: Vec<Value> = (cells(spanned.as_ref())?.into_iter())
                .map(|cell| cell.map_or(Value::Null, Cell::into_json))
                .collect();
            Box::new(move |row| Cell::Json(Value::Array(values[range(row)].to_vec())))
        }
    };
    Ok((0..array.len())
        .map(|row| (!array.is_null(row)).then(|| list(row)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::builder::{ListBuilder, StringBuilder};
    use arrow_array::{FixedSizeListArray, Float32Array, ListArray, StringArray};
    use serde_json::json;

    fn lists() -> Vec<Option<Vec<Option<i64>>>> {
        vec![
            Some(vec![Some(3), Some(1)]),
            None,
            Some(vec![Some(7), None]),
            Some(vec![Some(0), Some(2)]),
        ]
    }

    /// The column's cells as JSON, null where the column is null.
    fn json_of(array: &dyn Array) -> Vec<Value> {
        (cells(array).unwrap().into_iter())
            .map(|cell| cell.map_or(Value::Null, Cell::into_json))
            .collect()
    }

    #[test]
    fn two_columns_of_one_name_are_refused_naming_it() {
        let names: arrow_array::ArrayRef = std::sync::Arc::new(StringArray::from(vec!["a.JPEG"]));
        let ids: arrow_array::ArrayRef =
            std::sync::Arc::new(arrow_array::Int64Array::from(vec![1]));
        let batch = RecordBatch::try_from_iter([
            ("filename", names.clone()),
            ("FileName", names),
            ("index", ids),
        ])
        .unwrap();
        let classes = ClassNames::new(&crate::vocab::Vocabulary::imagenet1k());
        let refused = read_batches(
            Path::new("t.parquet"),
            &[batch],
            &ReadOptions::default(),
            &classes,
        )
        .unwrap_err()
        .to_string();
        assert!(
            refused.contains("t.parquet: two columns are named \"FileName\""),
            "{refused}"
        );
    }

    #[test]
    fn list_cells_of_a_slice_are_its_rows_own() {
        let array = ListArray::from_iter_primitive::<Int64Type, _, _>(lists());
        assert_eq!(
            json_of(&array),
            [json!([3, 1]), Value::Null, json!([7, null]), json!([0, 2])]
        );
        let sliced = array.slice(2, 2);
        assert_eq!(json_of(&sliced), [json!([7, null]), json!([0, 2])]);
        let fixed = FixedSizeListArray::from_iter_primitive::<Int64Type, _, _>(lists(), 2);
        assert_eq!(
            json_of(&fixed.slice(1, 3)),
            [Value::Null, json!([7, null]), json!([0, 2])]
        );
    }

    #[test]
    fn lists_of_numbers_stay_typed_and_lists_of_labels_become_json() {
        let scores = ListArray::from_iter_primitive::<Float32Type, _, _>([Some([Some(0.5f32)])]);
        let cells = cells(&scores).unwrap();
        assert!(
            matches!(&cells[0], Some(Cell::Floats(values)) if values == &[Some(0.5)]),
            "{cells:?}"
        );
        let ids = ListArray::from_iter_primitive::<UInt64Type, _, _>([Some([Some(u64::MAX)])]);
        assert_eq!(
            super::cells(&ids).unwrap_err(),
            format!("UInt64 values above {}", i64::MAX)
        );
        let mut labels = ListBuilder::new(StringBuilder::new());
        labels.append_value([Some("tench"), Some("goldfish")]);
        assert_eq!(json_of(&labels.finish()), [json!(["tench", "goldfish"])]);
    }

    #[test]
    fn strings_floats_and_other_types() {
        let names = StringArray::from(vec![Some("a.jpg"), None]);
        assert_eq!(json_of(&names), [json!("a.jpg"), Value::Null]);
        let scores = Float32Array::from(vec![0.5, f32::NAN]);
        assert_eq!(json_of(&scores), [json!(0.5), Value::Null]);
        let dates = arrow_array::Date32Array::from(vec![1]);
        assert_eq!(cells(&dates).unwrap_err(), "Date32 values");
    }
}
