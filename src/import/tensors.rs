//! Named arrays of an .npz, torch or safetensors file read into a [`Table`]: which one holds
//! the predictions, which the image names, and their little-endian elements converted to
//! bagel's numbers ([`Matrix`], what every array reader gives).

use crate::error::{Error, Result};
use half::{bf16, f16};
use std::path::Path;

/// A 2-D array of predictions as read from any file: class ids, or scores.
#[derive(Debug, Clone, PartialEq)]
pub enum Matrix {
    Ints {
        rows: usize,
        cols: usize,
        values: Vec<i64>,
    },
    Floats {
        rows: usize,
        cols: usize,
        values: Vec<f32>,
    },
}

/// Arrays a file (.npz, torch, safetensors) may name its rows' images under; never read as
/// predictions.
pub const NAME_ARRAYS: &[&str] = &[
    "filenames",
    "file_names",
    "files",
    "names",
    "image_names",
    "images",
    "paths",
];

/// Arrays a file may hold predictions under, in order of preference.
pub const PREDICTION_NAMES: &[&str] = &[
    "logits",
    "probs",
    "probabilities",
    "scores",
    "outputs",
    "predictions",
    "preds",
    "class_ids",
    "top_k",
    "indices",
];

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Element {
    F16,
    BF16,
    F32,
    F64,
    I8,
    U8,
    I16,
    I32,
    I64,
    U16,
    U32,
    U64,
}

impl Element {
    pub fn size(self) -> usize {
        match self {
            Element::I8 | Element::U8 => 1,
            Element::F16 | Element::BF16 | Element::I16 | Element::U16 => 2,
            Element::F32 | Element::I32 | Element::U32 => 4,
            Element::F64 | Element::I64 | Element::U64 => 8,
        }
    }
}

/// The name of the predictions among `names`: the only one, else the first preferred name.
pub fn choose<'a>(file: &Path, names: &[&'a str]) -> Result<&'a str> {
    let candidates: Vec<&str> = (names.iter().copied())
        .filter(|name| !NAME_ARRAYS.contains(name))
        .collect();
    if let [only] = candidates[..] {
        return Ok(only);
    }
    (PREDICTION_NAMES.iter())
        .find_map(|preferred| candidates.iter().find(|n| *n == preferred).copied())
        .ok_or_else(|| unnamed(file, &candidates, PREDICTION_NAMES))
}

/// The refusal of a file none of whose arrays (`held`) has a name predictions go by.
pub fn unnamed(file: &Path, held: &[&str], names: &[&str]) -> Error {
    let held = match held {
        [] => "holds no array of predictions".to_owned(),
        _ => format!("holds arrays {held:?} and none is named"),
    };
    Error::bad_input(
        file,
        format!(
            "{held} {}; save the predictions under one of those names",
            names.join(" / ")
        ),
    )
}

/// A 1-D (class ids) or 2-D array of little-endian elements as bagel's matrix.
pub fn matrix(
    file: &Path,
    what: &str,
    element: Element,
    shape: &[usize],
    data: &[u8],
) -> Result<Matrix> {
    let bad = |why: String| Error::bad_input(file, format!("{what}: {why}"));
    let (rows, cols) = match shape {
        [rows, cols] => (*rows, *cols),
        [rows] => (*rows, 1),
        _ => {
            return Err(bad(format!(
                "shape {shape:?}; expected 2-D: images × classes (scores) or images × k (class ids)"
            )));
        }
    };
    let count = rows.checked_mul(cols).filter(|&n| n > 0);
    let count = count.ok_or_else(|| {
        bad(format!(
            "shape {shape:?} holds no values; expected one row per image with at least one class id or score"
        ))
    })?;
    if count.checked_mul(element.size()) != Some(data.len()) {
        return Err(bad(format!(
            "shape {shape:?} of {element:?} needs {count} values but {} bytes are stored; save the file again",
            data.len()
        )));
    }
    let chunks = data.chunks_exact(element.size());
    let float = |convert: fn(&[u8]) -> f32| Matrix::Floats {
        rows,
        cols,
        values: chunks.clone().map(convert).collect(),
    };
    let int = |convert: fn(&[u8]) -> i64| Matrix::Ints {
        rows,
        cols,
        values: chunks.clone().map(convert).collect(),
    };
    Ok(match element {
        Element::F16 => float(|b| f16::from_le_bytes([b[0], b[1]]).to_f32()),
        Element::BF16 => float(|b| bf16::from_le_bytes([b[0], b[1]]).to_f32()),
        Element::F32 => float(|b| f32::from_le_bytes(b.try_into().unwrap_or_default())),
        Element::F64 => float(|b| f64::from_le_bytes(b.try_into().unwrap_or_default()) as f32),
        Element::I8 => int(|b| b[0] as i8 as i64),
        Element::U8 => int(|b| b[0] as i64),
        Element::I16 => int(|b| i16::from_le_bytes([b[0], b[1]]) as i64),
        Element::I32 => int(|b| i32::from_le_bytes(b.try_into().unwrap_or_default()) as i64),
        Element::I64 => int(|b| i64::from_le_bytes(b.try_into().unwrap_or_default())),
        Element::U16 => int(|b| u16::from_le_bytes([b[0], b[1]]) as i64),
        Element::U32 => int(|b| u32::from_le_bytes(b.try_into().unwrap_or_default()) as i64),
        // Beyond i64::MAX is beyond any class: saturated, the range check names the value.
        Element::U64 => int(|b| {
            let value = u64::from_le_bytes(b.try_into().unwrap_or_default());
            i64::try_from(value).unwrap_or(i64::MAX)
        }),
    })
}

/// Image names stored as a JSON list of strings (safetensors metadata), or one name a line.
pub fn names_from_text(file: &Path, key: &str, text: &str) -> Result<Vec<String>> {
    match text.trim_start().starts_with('[') {
        true => serde_json::from_str(text).map_err(|e| {
            Error::bad_input(
                file,
                format!("{key:?} is not a JSON list of image names ({e}); store json.dumps(names)"),
            )
        }),
        false => Ok(text.lines().map(str::to_owned).collect()),
    }
}
