//! Which reader a prediction file needs, told from its first bytes (and, for text, its first
//! record): each returns a [`Table`].

use super::class_names::ClassNames;
use super::npy::{read_matrix, read_npz_matrix};
use super::table::{ReadOptions, Table, from_matrix};
use super::{arrow, hf, json, npz_names, parquet, safetensors, text_of, timm, torch, wide};
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
        if let Some(claimed @ Binary::Torch) = Binary::named(file) {
            return Err(claimed.not_this(file, "a zip archive without data.pkl"));
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
    if let Some(claimed) = Binary::named(file) {
        return Err(claimed.not_this(file, &found(&bytes)));
    }
    let text = text_of(bytes).map_err(|_| {
        Error::bad_input(
            file,
            "not a format bagel reads (.npy/.npz, .pt/.pth, .safetensors, Parquet, Feather/Arrow, CSV or JSON); see the README's \"What bagel reads\"",
        )
    })?;
    read_text(file, &text, options, classes)
}

/// The binary formats a file's extension may name: a file so named whose bytes are none of
/// them is damaged or misnamed, and reading it as CSV would only describe its bytes as columns.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Binary {
    Npy,
    Npz,
    Torch,
    Safetensors,
    Parquet,
    Arrow,
}

impl Binary {
    fn named(file: &Path) -> Option<Binary> {
        let extension = file.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "npy" => Binary::Npy,
            "npz" => Binary::Npz,
            "pt" | "pth" => Binary::Torch,
            "safetensors" => Binary::Safetensors,
            "parquet" => Binary::Parquet,
            "feather" | "arrow" | "arrows" | "ipc" => Binary::Arrow,
            _ => return None,
        })
    }

    /// What writes a valid file of the format.
    fn writer(self) -> &'static str {
        match self {
            Binary::Npy => "numpy.save",
            Binary::Npz => "numpy.savez",
            Binary::Torch => "torch.save",
            Binary::Safetensors => "safetensors' save_file",
            Binary::Parquet => "pandas' to_parquet or pyarrow",
            Binary::Arrow => "pandas' to_feather or pyarrow's feather.write_feather",
        }
    }

    fn not_this(self, file: &Path, found: &str) -> Error {
        let extension = file.extension().unwrap_or_default().to_string_lossy();
        Error::bad_input(
            file,
            format!(
                "not a valid .{extension} file ({found}); the file is damaged or misnamed: save it again with {}, or name it after its format",
                self.writer()
            ),
        )
    }
}

/// The first bytes of a file in words: its text when it begins with text, else its bytes.
fn found(bytes: &[u8]) -> String {
    const SHOWN: usize = 24;
    let head = &bytes[..bytes.len().min(SHOWN)];
    let text = std::str::from_utf8(head).ok().filter(|text| {
        text.chars()
            .all(|c| !c.is_control() || c.is_ascii_whitespace())
    });
    let size = match bytes.len() {
        n if n <= SHOWN => format!("{n} bytes: "),
        _ => "it begins with ".to_owned(),
    };
    match text {
        Some(text) => format!("{size}the text {text:?}"),
        None => {
            let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
            format!("{size}the bytes {}", hex.join(" "))
        }
    }
}

fn read_text(
    file: &Path,
    text: &str,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    if let Some(value) = json::scalar(text) {
        return read_json(file, &value, options, classes);
    }
    let start = text.trim_start();
    if !start.starts_with(['[', '{']) {
        return match wide::is_wide(file, text, options, classes)? {
            true => wide::read(file, text, options, classes),
            false => timm::read_csv(file, text, options, classes),
        };
    }
    // One value, or JSON lines (`json-records`, Hugging Face outputs written a line each):
    // those when the first line is a value by itself and more follow, so that a damaged line
    // is named as the line it is, not as trailing characters after the first.
    let value = match json::value(text) {
        Ok(value) => value,
        Err(_) if is_json_lines(text) => {
            let lines = timm::json_lines(file, text)?;
            Value::Array(lines.into_iter().map(|(_, v)| v).collect())
        }
        Err(_) => json::parse(file, text)?,
    };
    read_json(file, &value, options, classes)
}

/// Whether a text that is not one JSON value is JSON lines: its first line is a whole value and
/// another line follows.
fn is_json_lines(text: &str) -> bool {
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let first = lines.next().is_some_and(|line| json::value(line).is_ok());
    first && lines.next().is_some()
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
