//! Importers for the formats researchers hold. Each parses and checks its whole input first,
//! then writes it in one transaction: on any error nothing is written.

mod arrow;
mod class_names;
mod csv_text;
mod file_index;
mod formats;
mod hf;
mod images;
mod json;
mod label_studio_votes;
mod labels;
mod npy;
mod npz_names;
mod parquet;
mod pickle;
mod predictions;
pub mod raters;
pub mod review;
mod safetensors;
mod slices;
mod table;
mod tensors;
mod timm;
mod torch;
mod vote_row;
mod votes;
mod wide;

pub use file_index::FileIndex;
pub use images::{ImageSource, import_images, import_images_from, read_image_list};
pub use labels::{LabelFormat, LabelImport, import_labels};
pub(crate) use labels::{OUTSIDE_MULTILABELS, REAL_ENTRIES, val_position};
pub use predictions::{PredictionImport, import_predictions, model_name_of};
pub use table::ReadOptions;
/// The controls of the Label Studio config whose annotations `import votes` reads.
pub mod label_studio_controls {
    pub use super::label_studio_votes::{CATEGORY, SEVERITY, VERDICT};
}
pub use slices::import_slice;
pub use votes::{
    ASSIGNMENT_ROUND, ChairRows, NOTE_ROUND, VOTE_COLUMNS, VoteFile, WITHDRAWN, read_vote_csv,
    read_vote_file,
};

use crate::error::{Error, Result};
use std::path::Path;
use std::string::FromUtf8Error;

/// What an import did, in words for the user, plus anything they should know.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub summary: String,
    pub warnings: Vec<String>,
}

pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::bad_input(
            path,
            "the file is empty; expected data (check that the export finished writing)",
        ));
    }
    Ok(bytes)
}

pub(crate) fn read_text(path: &Path) -> Result<String> {
    text_of(read_file(path)?).map_err(|e| {
        Error::bad_input(
            path,
            format!(
                "not UTF-8 text (bad byte at offset {}); expected a text, CSV or JSON file",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// The text of a file's bytes, without the byte-order mark Windows tools (Excel, Notepad)
/// put before UTF-8: left in, it would be part of the first header, name or bracket.
pub(crate) fn text_of(mut bytes: Vec<u8>) -> std::result::Result<String, FromUtf8Error> {
    if bytes.starts_with(BYTE_ORDER_MARK) {
        bytes.drain(..BYTE_ORDER_MARK.len());
    }
    String::from_utf8(bytes)
}

const BYTE_ORDER_MARK: &[u8] = b"\xef\xbb\xbf";

/// A name the user gives a dataset or a label source: shown in tables and matched on the command
/// line, so it must not be blank or hold control characters.
/// The name in its one stored spelling (see [`crate::names`]).
pub(crate) fn check_name(what: &str, name: &str) -> Result<String> {
    crate::names::clean_name(what, name)
}

/// Splits a label list as researchers write it: "[1, 2, 3]", "1 2 3", "n01 n02", "1;2".
pub(crate) fn split_labels(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == ',' || c == ';' || c == '|' || c.is_whitespace())
        .map(|token| token.trim_matches(|c| matches!(c, '[' | ']' | '"' | '\'' | '(' | ')')))
        .filter(|token| !token.is_empty())
}

/// A CSV's header names, trimmed and lower-cased, for matching columns by name.
pub(crate) fn csv_headers<R: std::io::Read>(
    file: &Path,
    reader: &mut csv::Reader<R>,
) -> Result<Vec<String>> {
    let headers = reader
        .headers()
        .map_err(|e| Error::bad_input(file, format!("cannot read the CSV header: {e}")))?;
    Ok(headers
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect())
}
