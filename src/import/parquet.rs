//! Parquet tables: timm's `--results-format parquet` (pandas `to_parquet` with the file name as
//! the index) and tables researchers save the same way (a file name column with list or
//! per-rank columns). Each row is read as a record through the parquet crate's row reader,
//! without Arrow, and goes through the same layouts as timm's JSON records.

use super::class_names::ClassNames;
use super::table::{ReadOptions, Table};
use super::timm;
use crate::error::{Error, Result};
use parquet::file::reader::{FileReader, SerializedFileReader};
use std::path::Path;

pub fn read(
    file: &Path,
    bytes: Vec<u8>,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    let unreadable = |e: parquet::errors::ParquetError| {
        Error::bad_input(
            file,
            format!("not a readable Parquet file ({e}); write it again (pandas: df.to_parquet)"),
        )
    };
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).map_err(unreadable)?;
    let rows = reader.get_row_iter(None).map_err(unreadable)?;
    let records = rows
        .map(|row| row.map(|row| row.to_json_value()))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(unreadable)?;
    let records = records
        .iter()
        .enumerate()
        .map(|(at, record)| (format!("row {at}"), record));
    timm::read_records(file, records, None, options, classes)
}
