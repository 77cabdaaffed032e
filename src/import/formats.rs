//! Which reader a prediction file needs, told from its first bytes (and, for text, its first
//! record): each returns a [`Table`].

use super::class_names::ClassNames;
use super::npy::{read_matrix, read_npz_matrix};
use super::table::{ReadOptions, Table, from_matrix};
use super::{arrow, hf, npz_names, parquet, safetensors, text_of, timm, torch, wide};
use crate::error::{Error, Result};
use serde_json::Value;
use std::path::Path;

/// The table of a prediction file for a dataset of `images` images (every file holds a row
/// per image, so an archived array announcing another count is refused before it is inflated).
pub fn read_table(
    file: &Path,
    bytes: Vec<u8>,
    images: usize,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    if bytes.starts_with(b"\x93NUMPY") {
        return Ok(from_matrix(read_matrix(file, &bytes)?, None));
    }
    if bytes.starts_with(b"PK") {
        if torch::is_torch_archive(&bytes) {
            return torch::read(file, &bytes);
        }
        let names = npz_names::read_names(file, &bytes, images)?;
        return Ok(from_matrix(read_npz_matrix(file, &bytes, images)?, names));
    }
    if bytes.starts_with(b"PAR1") {
        return parquet::read(file, bytes, options, classes);
    }
    if arrow::is_arrow(&bytes) {
        return arrow::read(file, bytes, options, classes);
    }
    if safetensors::is_safetensors(&bytes) {
        return safetensors::read(file, &bytes);
    }
    let text = text_of(bytes).map_err(|_| {
        Error::bad_input(
            file,
            "not a format bagel reads (.npy/.npz, .pt/.pth, .safetensors, Parquet, Feather/Arrow, CSV or JSON); see the README's \"What bagel reads\"",
        )
    })?;
    read_text(file, &text, options, classes)
}

fn read_text(
    file: &Path,
    text: &str,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    let start = text.trim_start();
    if !start.starts_with(['[', '{']) {
        return match wide::is_wide(file, text, options, classes)? {
            true => wide::read(file, text, options, classes),
            false => timm::read_csv(file, text, options, classes),
        };
    }
    // One value, or JSON lines (`json-records`, Hugging Face outputs written a line each).
    let value = match serde_json::from_str::<Value>(text) {
        Ok(value) => value,
        Err(_) => match timm::json_lines(file, text) {
            Ok(lines) if lines.len() > 1 => {
                Value::Array(lines.into_iter().map(|(_, v)| v).collect())
            }
            _ => timm::parse_json(file, text)?,
        },
    };
    read_json(file, &value, options, classes)
}

fn read_json(
    file: &Path,
    value: &Value,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    match hf::is_pipeline_output(value) {
        true => hf::read(file, value, options, classes),
        false => timm::read_json(file, value, options, classes),
    }
}
