//! `torch.save` files (`.pt`, `.pth`): a zip archive whose `data.pkl` pickles a tensor or a dict
//! of tensors (and a list of image names), each tensor's bytes in `data/<key>`. The pickle is
//! read as data by `pickle.rs`, never run.

use super::pickle::{self, Object};
use super::table::Table;
use super::table::from_matrix;
use super::tensors::NAME_ARRAYS;
use super::tensors::{self, Element};
use crate::error::{Error, Result};
use std::io::{Cursor, Read};
use std::path::Path;

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

fn pickle_name(archive: &Archive) -> Option<String> {
    (archive.file_names())
        .find(|name| name.ends_with("/data.pkl") || *name == "data.pkl")
        .map(str::to_owned)
}

pub fn is_torch_archive(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|archive| pickle_name(&archive).is_some())
}

/// The most a `data.pkl` may inflate to: a dict of tensors and 50,000 image names pickle to
/// a few MB (the tensors' bytes are stored beside it).
const MAX_PICKLE: u64 = 256 << 20;

/// An entry of the archive, inflated no further than `limit` bytes: a member's compressed
/// bytes can say anything (1 MB of them can hold a gigabyte of zeros). With `refuse_more`,
/// an entry longer than that is damage; otherwise the rest is left unread (a tensor may be a
/// view of a larger storage).
fn entry(
    file: &Path,
    archive: &mut Archive,
    name: &str,
    limit: u64,
    refuse_more: bool,
) -> Result<Vec<u8>> {
    let unreadable = |why: String| {
        Error::bad_input(
            file,
            format!("{name} in the archive is not readable ({why}); save the file again"),
        )
    };
    let entry = archive
        .by_name(name)
        .map_err(|e| unreadable(e.to_string()))?;
    let mut bytes = Vec::new();
    (entry.take(limit.saturating_add(u64::from(refuse_more))))
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(unreadable(format!("it inflates past {limit} bytes")));
    }
    Ok(bytes)
}

pub fn read(file: &Path, bytes: &[u8]) -> Result<Table> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| Error::bad_input(file, format!("not a readable torch archive ({e})")))?;
    let pickle_name = pickle_name(&archive).unwrap_or_default();
    let prefix = pickle_name.trim_end_matches("data.pkl").to_owned();
    let pickled = entry(file, &mut archive, &pickle_name, MAX_PICKLE, true)?;
    let object = pickle::load(&pickled).map_err(|why| {
        Error::bad_input(file, format!("{pickle_name} is not a pickle bagel reads: {why}; save a tensor or a dict of tensors"))
    })?;
    let (name, tensor, names) = match &object {
        Object::Dict(items) => pick(file, items)?,
        tensor @ Object::Call(..) => ("tensor".to_owned(), tensor, None),
        other => {
            return Err(Error::bad_input(
                file,
                format!(
                    "{pickle_name} holds {}; expected a tensor or a dict of tensors, as torch.save(logits) or torch.save({{\"logits\": logits, \"filenames\": names}}) writes them",
                    other.describe()
                ),
            ));
        }
    };
    let matrix = read_tensor(file, &name, tensor, &mut archive, &prefix)?;
    Ok(from_matrix(matrix, names))
}

/// The predictions tensor of a dict, by name, and its list of image names if it has one.
fn pick<'a>(
    file: &Path,
    items: &'a [(Object, Object)],
) -> Result<(String, &'a Object, Option<Vec<String>>)> {
    let keyed: Vec<(&str, &Object)> = (items.iter())
        .filter_map(|(key, value)| match key {
            Object::Str(key) => Some((key.as_str(), value)),
            _ => None,
        })
        .collect();
    let tensors: Vec<&str> = (keyed.iter())
        .filter(|(_, value)| matches!(value, Object::Call(..)))
        .map(|(key, _)| *key)
        .collect();
    let chosen = tensors::choose(file, &tensors)?;
    let tensor = keyed
        .iter()
        .find(|(key, _)| *key == chosen)
        .map(|(_, v)| *v);
    let names = keyed
        .iter()
        .find(|(key, _)| NAME_ARRAYS.contains(key))
        .map(|(key, value)| names(file, key, value))
        .transpose()?;
    Ok((chosen.to_owned(), tensor.unwrap_or(&Object::None), names))
}

fn names(file: &Path, key: &str, value: &Object) -> Result<Vec<String>> {
    let (Object::List(items) | Object::Tuple(items)) = value else {
        return Err(Error::bad_input(
            file,
            format!("{key:?} is {}, not a list of image names", value.describe()),
        ));
    };
    (items.iter())
        .map(|item| match item {
            Object::Str(name) => Ok(name.clone()),
            other => Err(Error::bad_input(
                file,
                format!("{key:?} holds {}, not an image name", other.describe()),
            )),
        })
        .collect()
}

fn int(object: &Object) -> Option<usize> {
    match object {
        Object::Int(value) => usize::try_from(*value).ok(),
        _ => None,
    }
}

fn ints(object: &Object) -> Option<Vec<usize>> {
    match object {
        Object::Tuple(items) | Object::List(items) => items.iter().map(int).collect(),
        _ => None,
    }
}

/// What `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ..)` describes.
struct Layout {
    element: Element,
    key: String,
    offset: usize,
    shape: Vec<usize>,
    strides: Vec<usize>,
}

fn layout(object: &Object) -> std::result::Result<Layout, String> {
    let Object::Call(function, args) = object else {
        return Err(format!("{} is not a tensor", object.describe()));
    };
    if !function.starts_with("torch._utils._rebuild_tensor") || args.len() < 4 {
        return Err(format!(
            "{function} is not a plain CPU tensor (save tensor.cpu())"
        ));
    }
    let Object::Persistent(id) = &args[0] else {
        return Err("a tensor without its storage".into());
    };
    let (Object::Tuple(id) | Object::List(id)) = id.as_ref() else {
        return Err("a storage id that is not a tuple".into());
    };
    let (Some(Object::Global(kind)), Some(Object::Str(key))) = (id.get(1), id.get(2)) else {
        return Err("a storage id without its type and key".into());
    };
    let element = match kind.rsplit('.').next().unwrap_or_default() {
        "FloatStorage" => Element::F32,
        "DoubleStorage" => Element::F64,
        "HalfStorage" => Element::F16,
        "BFloat16Storage" => Element::BF16,
        "LongStorage" => Element::I64,
        "IntStorage" => Element::I32,
        "ShortStorage" => Element::I16,
        "CharStorage" => Element::I8,
        "ByteStorage" => Element::U8,
        other => return Err(format!("a {other}; expected floats or integer class ids")),
    };
    let shape_error = || "a tensor whose offset, size or stride is not a list of counts".to_owned();
    Ok(Layout {
        element,
        key: key.clone(),
        offset: int(&args[1]).ok_or_else(shape_error)?,
        shape: ints(&args[2]).ok_or_else(shape_error)?,
        strides: ints(&args[3]).ok_or_else(shape_error)?,
    })
}

fn read_tensor(
    file: &Path,
    name: &str,
    object: &Object,
    archive: &mut Archive,
    prefix: &str,
) -> Result<super::tensors::Matrix> {
    let what = format!("tensor {name:?}");
    let layout = layout(object).map_err(|why| Error::bad_input(file, format!("{what}: {why}")))?;
    if layout.shape.len() > 2 || layout.shape.is_empty() || layout.shape.contains(&0) {
        // Refused by shape, with the words every format uses.
        return tensors::matrix(file, &what, layout.element, &layout.shape, &[]);
    }
    let reached = reached_bytes(&layout).unwrap_or(usize::MAX);
    let storage = entry(
        file,
        archive,
        &format!("{prefix}data/{}", layout.key),
        reached as u64,
        false,
    )?;
    let data = gather(&layout, &storage).ok_or_else(|| {
        Error::bad_input(
            file,
            format!(
                "{what}: its size and strides reach past its {} stored bytes; save the file again",
                storage.len()
            ),
        )
    })?;
    tensors::matrix(file, &what, layout.element, &layout.shape, &data)
}

/// The tensor's rows, columns and their strides in elements.
fn dimensions(layout: &Layout) -> (usize, usize, usize, usize) {
    match (&layout.shape[..], &layout.strides[..]) {
        ([rows, cols], [s0, s1]) => (*rows, *cols, *s0, *s1),
        ([rows], [s0]) => (*rows, 1, *s0, 0),
        _ => (0, 0, 0, 0),
    }
}

/// How many bytes of its storage the tensor reaches: what must be read of it, and no more.
/// A prediction tensor is never a broadcast view, so it needs at least one element each.
fn reached_bytes(layout: &Layout) -> Option<usize> {
    let (rows, cols, row_stride, col_stride) = dimensions(layout);
    let last = (rows.checked_sub(1)?.checked_mul(row_stride)?)
        .checked_add(cols.checked_sub(1)?.checked_mul(col_stride)?)?
        .checked_add(layout.offset)?;
    let elements = last.checked_add(1)?.max(rows.checked_mul(cols)?);
    elements.checked_mul(layout.element.size())
}

/// The tensor's elements in row-major order (a tensor may be a strided view of its storage).
fn gather(layout: &Layout, storage: &[u8]) -> Option<Vec<u8>> {
    let size = layout.element.size();
    let (rows, cols, row_stride, col_stride) = dimensions(layout);
    if reached_bytes(layout)? > storage.len() {
        return None;
    }
    let mut data = Vec::with_capacity(rows * cols * size);
    for row in 0..rows {
        for col in 0..cols {
            let at = (layout.offset + row * row_stride + col * col_stride) * size;
            data.extend_from_slice(&storage[at..at + size]);
        }
    }
    Some(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A zip of one deflated member of `size` zero bytes: 10 MB compress to about 10 KB.
    fn zeros_zip(size: usize) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options =
            zip::write::FileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("archive/data/0", options).unwrap();
        zip.write_all(&vec![0; size]).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn an_entry_is_inflated_no_further_than_its_limit() {
        let bytes = zeros_zip(10 << 20);
        assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
        let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let file = Path::new("bomb.pt");
        let storage = entry(file, &mut archive, "archive/data/0", 4096, false).unwrap();
        assert_eq!(storage.len(), 4096, "a view reads what it reaches");
        let refused = entry(file, &mut archive, "archive/data/0", 4096, true).unwrap_err();
        assert!(
            refused.to_string().contains("inflates past 4096 bytes"),
            "{refused}"
        );
    }
}
