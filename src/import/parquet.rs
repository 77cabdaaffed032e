//! Parquet tables: timm's `--results-format parquet` (pandas `to_parquet` with the file name as
//! the index) and tables researchers save the same way (a file name column with list or
//! per-rank columns). Read as Arrow record batches, the same as Feather files (`arrow.rs`),
//! and from there through timm's record layouts.

use super::arrow::read_batches;
use super::class_names::ClassNames;
use super::table::{ReadOptions, Table};
use crate::error::{Error, Result};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;

pub fn read(
    file: &Path,
    bytes: Vec<u8>,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::bad_input(
            file,
            format!("not a readable Parquet file ({e}); write it again (pandas: df.to_parquet)"),
        )
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))
        .and_then(|builder| builder.build())
        .map_err(|e| unreadable(&e))?;
    let batches = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| unreadable(&e))?;
    read_batches(file, &batches, options, classes)
}
