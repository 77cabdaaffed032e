//! The image names an .npz saves beside its predictions (`np.savez(f, logits=..,
//! filenames=names)`): numpy string arrays, fixed-width unicode (`<U28`) or bytes (`|S28`).
//! With them the rows are matched to the dataset's images by name, whatever their order.

use super::npy::{in_array, read_member};
use super::tensors::NAME_ARRAYS;
use crate::error::{Error, Result};
use npyz::{DType, NpyFile, TypeChar};
use std::path::Path;

/// The names array of an .npz archive, if it holds one: a name for each of `images` rows.
pub fn read_names(path: &Path, bytes: &[u8], images: usize) -> Result<Option<Vec<String>>> {
    let unreadable = |why: String| {
        Error::bad_input(
            path,
            format!("{why}; save the image names as a numpy string array (np.array(names))"),
        )
    };
    let Ok(mut archive) = npyz::npz::NpzArchive::new(std::io::Cursor::new(bytes)) else {
        return Ok(None);
    };
    let names: Vec<String> = archive.array_names().map(str::to_owned).collect();
    let Some(chosen) = NAME_ARRAYS.iter().find(|n| names.iter().any(|a| a == *n)) else {
        return Ok(None);
    };
    let entry = archive
        .zip_archive()
        .by_name(&npyz::npz::file_name_from_array_name(chosen))
        .map_err(|e| unreadable(format!("array {chosen:?} is not readable ({e})")))?;
    let array = read_member(path, entry, images).map_err(|e| in_array(e, chosen))?;
    let npy = NpyFile::new(&array[..])
        .map_err(|e| unreadable(format!("array {chosen:?} is not a readable array ({e})")))?;
    let is_text = matches!(npy.dtype(), DType::Plain(t)
        if matches!(t.type_char(), TypeChar::UnicodeStr | TypeChar::ByteStr));
    if !is_text || npy.shape().len() != 1 {
        return Err(unreadable(format!(
            "array {chosen:?} of dtype {} and shape {:?} is not a list of names (an object array is pickled, which bagel does not run)",
            npy.dtype().descr(),
            npy.shape()
        )));
    }
    let read = npy.into_vec::<String>();
    read.map(Some)
        .map_err(|e| unreadable(format!("array {chosen:?}: {e}")))
}
