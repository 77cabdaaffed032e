//! Arrow tables: Feather v2 (the Arrow IPC file format, as pandas' `to_feather` and pyarrow's
//! `feather.write_feather` write it, lz4 by default, zstd or uncompressed on request) and Arrow
//! IPC streams. Their record batches, and Parquet's (`parquet.rs`), become the records timm's
//! JSON layouts are read from, so every table layout (a file name column with list or per-rank
//! columns, `--topk 0` score columns, custom column names) is interpreted in one place.

use super::class_names::ClassNames;
use super::table::{ReadOptions, Table};
use super::timm;
use crate::error::{Error, Result};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{ArrowError, DataType};
use serde_json::{Map, Value};
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

/// Record batches as rows: each row a record of its columns, named `row N` from 0 across
/// batches, read through timm's record layouts.
pub(super) fn read_batches(
    file: &Path,
    batches: &[RecordBatch],
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    let mut records = Vec::new();
    // A slice of rows at a time: a Feather file is often one batch of every row, and its
    // cells are converted column by column.
    let slices = batches.iter().flat_map(|batch| {
        (0..batch.num_rows())
            .step_by(ROWS_AT_ONCE)
            .map(|start| batch.slice(start, ROWS_AT_ONCE.min(batch.num_rows() - start)))
    });
    for batch in slices {
        let schema = batch.schema();
        let columns = (schema.fields().iter().zip(batch.columns()))
            .map(|(field, column)| {
                values(column.as_ref()).map_err(|kind| {
                    Error::bad_input(
                        file,
                        format!(
                            "column {:?} holds {kind}; expected file names (strings), class ids (integers), scores (floats) or lists of them, as timm's inference.py writes",
                            field.name()
                        ),
                    )
                })
            })
            .collect::<Result<Vec<Vec<Value>>>>()?;
        let mut columns: Vec<_> = columns.into_iter().map(Vec::into_iter).collect();
        for _ in 0..batch.num_rows() {
            let record: Map<String, Value> = (schema.fields().iter().zip(&mut columns))
                .map(|(field, cells)| (field.name().clone(), cells.next().unwrap_or(Value::Null)))
                .collect();
            records.push(Value::Object(record));
        }
    }
    let records = (records.iter().enumerate()).map(|(at, record)| (format!("row {at}"), record));
    timm::read_records(file, records, None, options, classes)
}

/// A column's cells as JSON values (null where the column is null); the type of a column
/// of another kind, for the refusal.
fn values(array: &dyn Array) -> std::result::Result<Vec<Value>, String> {
    let cells = match array.data_type() {
        DataType::Null => vec![Value::Null; array.len()],
        DataType::Boolean => (array.as_boolean().iter())
            .map(|v| v.map_or(Value::Null, Value::from))
            .collect(),
        DataType::Utf8 => strings(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => strings(array.as_string::<i64>().iter()),
        DataType::Utf8View => strings(array.as_string_view().iter()),
        DataType::Int8 => numbers::<Int8Type>(array, Value::from),
        DataType::Int16 => numbers::<Int16Type>(array, Value::from),
        DataType::Int32 => numbers::<Int32Type>(array, Value::from),
        DataType::Int64 => numbers::<Int64Type>(array, Value::from),
        DataType::UInt8 => numbers::<UInt8Type>(array, Value::from),
        DataType::UInt16 => numbers::<UInt16Type>(array, Value::from),
        DataType::UInt32 => numbers::<UInt32Type>(array, Value::from),
        DataType::UInt64 => numbers::<UInt64Type>(array, Value::from),
        DataType::Float16 => numbers::<Float16Type>(array, |v| float(v.to_f64())),
        DataType::Float32 => numbers::<Float32Type>(array, |v| float(f64::from(v))),
        DataType::Float64 => numbers::<Float64Type>(array, float),
        DataType::List(_) => {
            let lists = array.as_list::<i32>();
            let ends = lists.value_offsets().iter().map(|&o| o as usize);
            list_cells(array, lists.values(), ends.collect())?
        }
        DataType::LargeList(_) => {
            let lists = array.as_list::<i64>();
            let ends = lists.value_offsets().iter().map(|&o| o as usize);
            list_cells(array, lists.values(), ends.collect())?
        }
        DataType::FixedSizeList(..) => {
            let lists = array.as_fixed_size_list();
            let ends = (0..=lists.len()).map(|row| lists.value_offset_at(row));
            nested(array, values(lists.values().as_ref())?, ends.collect())
        }
        DataType::Dictionary(..) => {
            // pandas' categorical columns (file names, class names): keys into the values.
            let dictionary = array.as_any_dictionary();
            let distinct = values(dictionary.values().as_ref())?;
            (dictionary.normalized_keys().into_iter().enumerate())
                .map(|(row, key)| match array.is_null(row) {
                    true => Value::Null,
                    false => distinct.get(key).cloned().unwrap_or(Value::Null),
                })
                .collect()
        }
        other => return Err(format!("{other} values")),
    };
    Ok(cells)
}

fn strings<'a>(cells: impl Iterator<Item = Option<&'a str>>) -> Vec<Value> {
    cells.map(|v| v.map_or(Value::Null, Value::from)).collect()
}

fn numbers<T: ArrowPrimitiveType>(
    array: &dyn Array,
    to_value: impl Fn(T::Native) -> Value,
) -> Vec<Value> {
    (array.as_primitive::<T>().iter())
        .map(|v| v.map_or(Value::Null, &to_value))
        .collect()
}

/// A float as JSON: a NaN or an infinity has no JSON number and reads as a missing cell.
fn float(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// A list column's cells from its offsets into `inner`: only the part of `inner` the rows
/// span is converted (a slice of a batch shares its parent's inner values).
fn list_cells(
    array: &dyn Array,
    inner: &arrow_array::ArrayRef,
    ends: Vec<usize>,
) -> std::result::Result<Vec<Value>, String> {
    let first = ends.first().copied().unwrap_or(0).min(inner.len());
    let last = ends.last().copied().unwrap_or(0).clamp(first, inner.len());
    let spanned = values(inner.slice(first, last - first).as_ref())?;
    let ends = ends.iter().map(|&end| end.saturating_sub(first)).collect();
    Ok(nested(array, spanned, ends))
}

/// Each row's slice `ends[row]..ends[row + 1]` of the flattened inner values, as a JSON list;
/// the inner values move into their rows (a `--topk 0` table holds 1,000 a row).
fn nested(array: &dyn Array, inner: Vec<Value>, ends: Vec<usize>) -> Vec<Value> {
    let mut cells = inner.into_iter();
    let mut at = 0;
    (0..array.len())
        .map(|row| {
            let (start, end) = (ends[row], ends[row + 1].max(ends[row]));
            cells.by_ref().take(start.saturating_sub(at)).for_each(drop);
            let list: Vec<Value> = cells.by_ref().take(end - start).collect();
            at = at.max(end);
            match array.is_null(row) {
                true => Value::Null,
                false => Value::Array(list),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{FixedSizeListArray, ListArray, StringArray};
    use serde_json::json;

    fn lists() -> Vec<Option<Vec<Option<i64>>>> {
        vec![
            Some(vec![Some(3), Some(1)]),
            None,
            Some(vec![Some(7), None]),
            Some(vec![Some(0), Some(2)]),
        ]
    }

    #[test]
    fn list_cells_of_a_slice_are_its_rows_own() {
        let array = ListArray::from_iter_primitive::<Int64Type, _, _>(lists());
        assert_eq!(
            values(&array).unwrap(),
            [json!([3, 1]), Value::Null, json!([7, null]), json!([0, 2])]
        );
        let sliced = array.slice(2, 2);
        assert_eq!(values(&sliced).unwrap(), [json!([7, null]), json!([0, 2])]);
        let fixed = FixedSizeListArray::from_iter_primitive::<Int64Type, _, _>(lists(), 2);
        assert_eq!(
            values(&fixed.slice(1, 3)).unwrap(),
            [Value::Null, json!([7, null]), json!([0, 2])]
        );
    }

    #[test]
    fn strings_floats_and_other_types() {
        let names = StringArray::from(vec![Some("a.jpg"), None]);
        assert_eq!(values(&names).unwrap(), [json!("a.jpg"), Value::Null]);
        let scores = arrow_array::Float32Array::from(vec![0.5, f32::NAN]);
        assert_eq!(values(&scores).unwrap(), [json!(0.5), Value::Null]);
        let dates = arrow_array::Date32Array::from(vec![1]);
        assert_eq!(values(&dates).unwrap_err(), "Date32 values");
    }
}
