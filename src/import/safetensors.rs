//! `.safetensors` (`safetensors.torch.save_file({"logits": t}, path, metadata=...)`): the
//! predictions tensor, and the image names when the metadata holds them under `filenames`
//! (a JSON list, as `json.dumps(names)` writes it) or another name of [`NAME_ARRAYS`].

use super::table::Table;
use super::table::from_matrix;
use super::tensors::NAME_ARRAYS;
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
        Dtype::U16 => Element::U16,
        Dtype::U32 => Element::U32,
        Dtype::U64 => Element::U64,
        other => {
            return Err(Error::bad_input(
                file,
                format!(
                    "tensor {name:?} is {other:?}; expected floats (logits or probabilities: F16, BF16, F32, F64) or integer class ids (I8 to I64, U8 to U64)"
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::table::Content;

    fn safetensors(dtype: &str, data: &[u8]) -> Vec<u8> {
        let header = format!(
            r#"{{"class_ids":{{"dtype":"{dtype}","shape":[2,1],"data_offsets":[0,{}]}}}}"#,
            data.len()
        );
        [
            &(header.len() as u64).to_le_bytes()[..],
            header.as_bytes(),
            data,
        ]
        .concat()
    }

    #[test]
    fn unsigned_class_ids_of_every_width_are_read() {
        let file = Path::new("ids.safetensors");
        let ids = |table: Table| match table.content {
            Content::Ranked { ids, .. } => ids,
            other => panic!("{other:?}"),
        };
        let u16s: Vec<u8> = [7u16, 999].iter().flat_map(|v| v.to_le_bytes()).collect();
        let u32s: Vec<u8> = [7u32, 999].iter().flat_map(|v| v.to_le_bytes()).collect();
        let u64s: Vec<u8> = [7u64, u64::MAX]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(
            ids(read(file, &safetensors("U16", &u16s)).unwrap()),
            [7, 999]
        );
        assert_eq!(
            ids(read(file, &safetensors("U32", &u32s)).unwrap()),
            [7, 999]
        );
        // Out of any class range: left for the range check to name.
        assert_eq!(
            ids(read(file, &safetensors("U64", &u64s)).unwrap()),
            [7, i64::MAX]
        );
    }
}
