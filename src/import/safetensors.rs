//! `.safetensors` (`safetensors.torch.save_file({"logits": t}, path, metadata=...)`): the
//! predictions tensor, and the image names when the metadata holds them under `filenames`
//! (a JSON list, as `json.dumps(names)` writes it) or another name of [`NAME_ARRAYS`].

use super::npz_names::NAME_ARRAYS;
use super::table::Table;
use super::table::from_matrix;
use super::tensors::{self, Element};
use crate::error::{Error, Result};
use safetensors::{Dtype, SafeTensors};
use std::path::Path;

/// An 8-byte header length, then that many bytes of JSON header within the file.
pub fn is_safetensors(bytes: &[u8]) -> bool {
    let Some(length) = bytes.get(..8) else {
        return false;
    };
    let length = u64::from_le_bytes(length.try_into().unwrap_or_default());
    // The header may end the file: a tensor of no values has no data.
    length <= bytes.len() as u64 - 8 && bytes.get(8) == Some(&b'{')
}

fn element(file: &Path, name: &str, dtype: Dtype) -> Result<Element> {
    Ok(match dtype {
        Dtype::F16 => Element::F16,
        Dtype::BF16 => Element::BF16,
        Dtype::F32 => Element::F32,
        Dtype::F64 => Element::F64,
        Dtype::I8 => Element::I8,
        Dtype::U8 => Element::U8,
        Dtype::I16 => Element::I16,
        Dtype::I32 => Element::I32,
        Dtype::I64 => Element::I64,
        other => {
            return Err(Error::bad_input(
                file,
                format!(
                    "tensor {name:?} is {other:?}; expected floats (logits or probabilities) or integer class ids"
                ),
            ));
        }
    })
}

pub fn read(file: &Path, bytes: &[u8]) -> Result<Table> {
    let unreadable = |e: safetensors::SafeTensorError| {
        Error::bad_input(
            file,
            format!("not a readable .safetensors file ({e}); save it again"),
        )
    };
    let tensors = SafeTensors::deserialize(bytes).map_err(unreadable)?;
    let names = tensors.names();
    let chosen = tensors::choose(file, &names)?;
    let tensor = tensors.tensor(chosen).map_err(unreadable)?;
    let what = format!("tensor {chosen:?}");
    let kind = element(file, chosen, tensor.dtype())?;
    let matrix = tensors::matrix(file, &what, kind, tensor.shape(), tensor.data())?;
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(unreadable)?;
    let stored = metadata.metadata().as_ref().and_then(|m| {
        NAME_ARRAYS
            .iter()
            .find_map(|key| m.get(*key).map(|text| (*key, text)))
    });
    let image_names = stored
        .map(|(key, text)| tensors::names_from_text(file, key, text))
        .transpose()?;
    Ok(from_matrix(matrix, image_names))
}
