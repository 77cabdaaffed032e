//! Reading one 2-D numeric array from a .npy or .npz file: any integer dtype, float16, float32
//! or float64 (numpy's long double and complex numbers are refused by name).
//! npyz parses the header; little-endian data, the usual case, is converted straight from the
//! bytes because element-wise reading is too slow for 50,000 × 1000 logits.

use super::tensors::Matrix;
use crate::error::{Error, Result};
use half::f16;
use npyz::{DType, NpyFile, Order, TypeChar, TypeStr};
use std::io::Read;
use std::path::Path;

/// The array of an .npy file.
pub fn read_matrix(path: &Path, bytes: &[u8]) -> Result<Matrix> {
    parse_npy(path, bytes)
}

/// The predictions array of an .npz archive, which must hold one row per image of a dataset
/// of `images` images.
pub fn read_npz_matrix(path: &Path, bytes: &[u8], images: usize) -> Result<Matrix> {
    let (name, array) = read_npz_array(path, bytes, images)?;
    parse_npy(path, &array).map_err(|e| in_array(e, &name))
}

/// An error about an array of an .npz, naming the array beside the file.
pub fn in_array(error: Error, name: &str) -> Error {
    match error {
        Error::BadInput { file, problem } => Error::BadInput {
            file: format!("{file} (array {name:?})"),
            problem,
        },
        other => other,
    }
}

fn read_npz_array(path: &Path, bytes: &[u8], images: usize) -> Result<(String, Vec<u8>)> {
    let corrupt = |e: std::io::Error| {
        Error::bad_input(
            path,
            format!("not a readable .npz archive ({e}); re-save it with numpy.savez"),
        )
    };
    let mut archive = npyz::npz::NpzArchive::new(std::io::Cursor::new(bytes)).map_err(corrupt)?;
    let names: Vec<String> = archive.array_names().map(str::to_owned).collect();
    let held: Vec<&str> = names.iter().map(String::as_str).collect();
    let chosen = super::tensors::choose(path, &held)?.to_owned();
    let entry = archive
        .zip_archive()
        .by_name(&npyz::npz::file_name_from_array_name(&chosen))
        .map_err(|e| corrupt(std::io::Error::other(e)))?;
    let array = read_member(path, entry, images).map_err(|e| in_array(e, &chosen))?;
    Ok((chosen, array))
}

/// An .npy member of a zip archive, read no further than its header announces: its header
/// first, which must announce `rows` rows, then exactly the bytes of that array. A member
/// inflates to whatever its compressed bytes say (1 MB of them can hold a gigabyte of zeros),
/// so bytes beyond the announced array are refused as damage without being inflated.
pub fn read_member(path: &Path, mut member: impl Read, rows: usize) -> Result<Vec<u8>> {
    let corrupt = |e: std::io::Error| {
        Error::bad_input(
            path,
            format!("not a readable .npy array ({e}); re-save it with numpy.savez"),
        )
    };
    let mut bytes = vec![0; 10];
    member.read_exact(&mut bytes).map_err(corrupt)?;
    if !bytes.starts_with(b"\x93NUMPY") {
        return Err(corrupt(std::io::Error::other("no .npy header")));
    }
    let length = match bytes[6] {
        1 => u16::from_le_bytes([bytes[8], bytes[9]]) as usize,
        _ => {
            bytes.resize(12, 0);
            member.read_exact(&mut bytes[10..]).map_err(corrupt)?;
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize
        }
    };
    if length > MAX_HEADER {
        return Err(long_header(path, length));
    }
    let start = bytes.len();
    bytes.resize(start + length, 0);
    member.read_exact(&mut bytes[start..]).map_err(corrupt)?;
    check_shape_fits(path, &bytes)?;
    let npy = NpyFile::new(&bytes[..]).map_err(corrupt)?;
    let shape = npy.shape().to_vec();
    if let Some(&announced) = shape.first().filter(|&&n| n != rows as u64) {
        return Err(Error::bad_input(
            path,
            format!(
                "the header announces {announced} rows but the dataset has {rows} images; the array must hold one row per image: check that it was computed on this dataset"
            ),
        ));
    }
    let size = (shape.iter())
        .fold(npy.dtype().num_bytes(), |size, &n| {
            size?.checked_mul(usize::try_from(n).ok()?)
        })
        .ok_or_else(|| too_large(path, &shape))?;
    (&mut member)
        .take(size as u64)
        .read_to_end(&mut bytes)
        .map_err(corrupt)?;
    if member.read(&mut [0]).map_err(corrupt)? > 0 {
        return Err(Error::bad_input(
            path,
            format!(
                "more bytes follow the array than its header announces ({shape:?}: {size} bytes); the file is damaged: save the array again"
            ),
        ));
    }
    Ok(bytes)
}

fn parse_npy(path: &Path, bytes: &[u8]) -> Result<Matrix> {
    let corrupt = |e: std::io::Error| {
        Error::bad_input(
            path,
            format!("not a readable .npy file ({e}); expected a numpy array saved with numpy.save"),
        )
    };
    check_shape_fits(path, bytes)?;
    let npy = NpyFile::new(bytes).map_err(corrupt)?;
    let shape = npy.shape().to_vec();
    let (rows, cols) = matrix_shape(path, &shape)?;
    let DType::Plain(type_str) = npy.dtype() else {
        return Err(Error::bad_input(
            path,
            "structured dtype; expected a plain integer or float array",
        ));
    };
    if rows == 0 || cols == 0 {
        return Err(Error::bad_input(
            path,
            format!(
                "array of shape {shape:?} holds no values; expected one row per image with at least one class id or score"
            ),
        ));
    }
    let fortran = npy.order() == Order::Fortran;
    let size = type_str.size_field() as usize;
    let data = npy.into_inner();
    let expected = (rows.checked_mul(cols))
        .and_then(|values| values.checked_mul(size))
        .ok_or_else(|| too_large(path, &shape))?;
    if data.len() < expected {
        return Err(Error::bad_input(
            path,
            format!(
                "truncated: the header announces {rows} × {cols} values ({expected} bytes) but only {} bytes follow; copy the file again",
                data.len()
            ),
        ));
    }
    let matrix = decode(path, &data[..expected], &type_str, rows, cols)?;
    Ok(if fortran { transpose(matrix) } else { matrix })
}

fn too_large(path: &Path, shape: &[u64]) -> Error {
    Error::bad_input(
        path,
        format!(
            "the header announces shape {shape:?}, larger than this computer can address; the header is damaged: save the array again"
        ),
    )
}

/// Rows and columns of a 1-D or 2-D array (a 1-D array is one column).
fn matrix_shape(path: &Path, shape: &[u64]) -> Result<(usize, usize)> {
    let size = |n: u64| usize::try_from(n).map_err(|_| too_large(path, shape));
    match shape[..] {
        [rows, cols] => Ok((size(rows)?, size(cols)?)),
        [rows] => Ok((size(rows)?, 1)),
        _ => Err(Error::bad_input(
            path,
            format!(
                "array of shape {shape:?}; expected 2-D: images × classes (scores) or images × k (class ids)"
            ),
        )),
    }
}

/// The values of a C-ordered array as floats (scores) or integers (class ids).
fn decode(
    path: &Path,
    data: &[u8],
    type_str: &TypeStr,
    rows: usize,
    cols: usize,
) -> Result<Matrix> {
    let size = type_str.size_field() as usize;
    let little = !matches!(type_str.endianness(), npyz::Endianness::Big);
    Ok(match (type_str.type_char(), size) {
        (TypeChar::Float, 2) => Matrix::Floats {
            rows,
            cols,
            values: convert(
                data,
                little,
                |b| f16::from_le_bytes(b).to_f32(),
                |b| f16::from_be_bytes(b).to_f32(),
            ),
        },
        (TypeChar::Float, 4) => Matrix::Floats {
            rows,
            cols,
            values: convert(data, little, f32::from_le_bytes, f32::from_be_bytes),
        },
        (TypeChar::Float, 8) => Matrix::Floats {
            rows,
            cols,
            values: convert(data, little, f64::from_le_bytes, f64::from_be_bytes)
                .into_iter()
                .map(|v| v as f32)
                .collect(),
        },
        (TypeChar::Int | TypeChar::Uint, _) => Matrix::Ints {
            rows,
            cols,
            values: integers(data, type_str.type_char(), size, little)?.ok_or_else(|| {
                Error::bad_input(
                    path,
                    format!("integer dtype of {size} bytes is not supported; save as int64"),
                )
            })?,
        },
        (other, _) => {
            return Err(Error::bad_input(
                path,
                format!(
                    "dtype {type_str} ({other:?}, {size} bytes); expected integer class ids or float16/float32/float64 scores"
                ),
            ));
        }
    })
}

/// numpy.load's default limit (`max_header_size`): a longer header is damaged or hostile, and
/// a megabyte of digits in it would keep npyz's parser busy for minutes.
const MAX_HEADER: usize = 10_000;

/// npyz multiplies the header's dimensions unchecked (a panic in debug builds, a wrapped
/// size in release ones), so a damaged shape such as (50000, 576460752303423488) is refused
/// here first. Headers without a readable shape tuple are left for npyz to name.
fn check_shape_fits(path: &Path, bytes: &[u8]) -> Result<()> {
    let Some(header) = header_text(bytes) else {
        return Ok(());
    };
    if header.len() > MAX_HEADER {
        return Err(long_header(path, header.len()));
    }
    let Some(tuple) = header
        .split_once("shape")
        .and_then(|(_, rest)| rest.split_once('('))
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(tuple, _)| tuple)
    else {
        return Ok(());
    };
    let dims: Option<Vec<u64>> = tuple
        .split(',')
        .map(|d| d.trim().trim_end_matches('L'))
        .filter(|d| !d.is_empty())
        .map(|d| d.parse().ok())
        .collect();
    // A size that is no u64 at all (2 MB of digits) would also keep npyz's parser busy.
    let fits = dims.is_some_and(|dims| {
        (dims.iter().filter(|&&d| d > 0))
            .try_fold(1u64, |product, &d| product.checked_mul(d))
            .is_some()
    });
    if fits {
        Ok(())
    } else {
        Err(Error::bad_input(
            path,
            format!(
                "the header announces shape ({}), more values than any file holds; the header is damaged: save the array again",
                tuple.trim()
            ),
        ))
    }
}

fn long_header(path: &Path, length: usize) -> Error {
    Error::bad_input(
        path,
        format!(
            "the header is {length} bytes long; numpy reads headers of at most {MAX_HEADER} bytes (it writes a few hundred): the file is damaged, save the array again"
        ),
    )
}

/// How many columns the header of a 2-D float .npy announces, read from the file's first
/// bytes (`head`, at least the header): a float array's columns are its scores per class, so
/// a wrong count is refused before gigabytes of values are read.
pub fn announced_float_columns(head: &[u8]) -> Option<u64> {
    let header = header_text(head)?;
    let descr = header.split_once("descr")?.1.split(['\'', '"']).nth(2)?;
    if !descr
        .trim_start_matches(['<', '>', '=', '|'])
        .starts_with('f')
    {
        return None;
    }
    let tuple = header
        .split_once("shape")?
        .1
        .split_once('(')?
        .1
        .split_once(')')?
        .0;
    match tuple
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect::<Vec<_>>()[..]
    {
        [_, cols] => cols.trim_end_matches('L').parse().ok(),
        _ => None,
    }
}

/// The header dictionary of an .npy (format 1.0: a u16 length; 2.0 and 3.0: a u32 length).
fn header_text(bytes: &[u8]) -> Option<&str> {
    let (length, start): (usize, usize) = match bytes.get(6)? {
        1 => (
            u16::from_le_bytes(bytes.get(8..10)?.try_into().ok()?) as usize,
            10,
        ),
        _ => (
            u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?) as usize,
            12,
        ),
    };
    std::str::from_utf8(bytes.get(start..start.checked_add(length)?)?).ok()
}

/// The values of `data`, decoded by `le` or `be`. Both are generic so that each call compiles
/// to its own loop with the decoding inlined (a function pointer cost a call per value).
fn convert<T, const N: usize>(
    data: &[u8],
    little: bool,
    le: impl Fn([u8; N]) -> T,
    be: impl Fn([u8; N]) -> T,
) -> Vec<T> {
    let chunks = data.chunks_exact(N);
    let array = |chunk: &[u8]| chunk.try_into().unwrap_or([0; N]);
    if little {
        chunks.map(|chunk| le(array(chunk))).collect()
    } else {
        chunks.map(|chunk| be(array(chunk))).collect()
    }
}

fn integers(data: &[u8], kind: TypeChar, size: usize, little: bool) -> Result<Option<Vec<i64>>> {
    let signed = kind == TypeChar::Int;
    let values = match (signed, size) {
        (_, 1) => data
            .iter()
            .map(|&b| if signed { b as i8 as i64 } else { b as i64 })
            .collect(),
        (true, 2) => convert(data, little, i16::from_le_bytes, i16::from_be_bytes)
            .into_iter()
            .map(i64::from)
            .collect(),
        (false, 2) => convert(data, little, u16::from_le_bytes, u16::from_be_bytes)
            .into_iter()
            .map(i64::from)
            .collect(),
        (true, 4) => convert(data, little, i32::from_le_bytes, i32::from_be_bytes)
            .into_iter()
            .map(i64::from)
            .collect(),
        (false, 4) => convert(data, little, u32::from_le_bytes, u32::from_be_bytes)
            .into_iter()
            .map(i64::from)
            .collect(),
        (true, 8) => convert(data, little, i64::from_le_bytes, i64::from_be_bytes),
        // u64 beyond i64::MAX is out of any class range; saturate so the range check names it.
        (false, 8) => convert(data, little, u64::from_le_bytes, u64::from_be_bytes)
            .into_iter()
            .map(|v| i64::try_from(v).unwrap_or(i64::MAX))
            .collect(),
        _ => return Ok(None),
    };
    Ok(Some(values))
}

fn transpose(matrix: Matrix) -> Matrix {
    fn flip<T: Copy>(rows: usize, cols: usize, column_major: &[T]) -> Vec<T> {
        (0..rows * cols)
            .map(|i| column_major[(i % cols) * rows + i / cols])
            .collect()
    }
    match matrix {
        Matrix::Ints { rows, cols, values } => Matrix::Ints {
            rows,
            cols,
            values: flip(rows, cols, &values),
        },
        Matrix::Floats { rows, cols, values } => Matrix::Floats {
            rows,
            cols,
            values: flip(rows, cols, &values),
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes a C-order .npy with numpy's header layout, for tests.
    pub fn npy_bytes(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
        let shape_text = match shape {
            [n] => format!("({n},)"),
            _ => format!(
                "({})",
                shape
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    #[test]
    fn any_integer_dtype_reads_as_class_ids() {
        let data: Vec<u8> = [3i16, 1, 2, 999]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let matrix = read_matrix(Path::new("x.npy"), &npy_bytes("<i2", &[2, 2], &data)).unwrap();
        assert_eq!(
            matrix,
            Matrix::Ints {
                rows: 2,
                cols: 2,
                values: vec![3, 1, 2, 999]
            }
        );
        let data: Vec<u8> = [7u8, 8].to_vec();
        let matrix = read_matrix(Path::new("x.npy"), &npy_bytes("|u1", &[2, 1], &data)).unwrap();
        assert_eq!(
            matrix,
            Matrix::Ints {
                rows: 2,
                cols: 1,
                values: vec![7, 8]
            }
        );
    }

    #[test]
    fn big_endian_doubles_become_f32() {
        let data: Vec<u8> = [0.5f64, -2.0]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let matrix = read_matrix(Path::new("x.npy"), &npy_bytes(">f8", &[1, 2], &data)).unwrap();
        assert_eq!(
            matrix,
            Matrix::Floats {
                rows: 1,
                cols: 2,
                values: vec![0.5, -2.0]
            }
        );
    }

    #[test]
    fn truncated_and_corrupt_files_are_named_not_panicked() {
        let data: Vec<u8> = [1.0f32; 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let err = read_matrix(Path::new("cut.npy"), &npy_bytes("<f4", &[2, 2], &data)).unwrap_err();
        assert!(err.to_string().contains("cut.npy: truncated"), "{err}");
        let err = read_matrix(Path::new("junk.npy"), b"\x93NUMPY garbage").unwrap_err();
        assert!(err.to_string().contains("not a readable .npy"), "{err}");
        let err = read_npz_matrix(Path::new("junk.npz"), b"PK\x03\x04 garbage", 1).unwrap_err();
        assert!(err.to_string().contains("not a readable .npz"), "{err}");
        let err = read_matrix(
            Path::new("cube.npy"),
            &npy_bytes("<f4", &[1, 1, 1], &data[..4]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("expected 2-D"), "{err}");
    }

    #[test]
    fn a_shape_too_large_for_any_file_is_refused_not_multiplied() {
        let header = |shape: &str| {
            let mut header =
                format!("{{'descr': '<i8', 'fortran_order': False, 'shape': {shape}, }}");
            header.push('\n');
            let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
            bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
            bytes.extend_from_slice(header.as_bytes());
            bytes.extend_from_slice(&[0; 64]);
            bytes
        };
        let err = read_matrix(Path::new("big.npy"), &header("(50000, 576460752303423488)"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("big.npy") && err.contains("(50000, 576460752303423488)"),
            "{err}"
        );
        assert!(err.contains("save the array again"), "{err}");
        // The product fits in 64 bits but not in the bytes that follow.
        let err = read_matrix(Path::new("wide.npy"), &header("(2, 4611686018427387904)"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("wide.npy") && err.contains("larger than this computer can address"),
            "{err}"
        );
        let err = read_matrix(Path::new("long.npy"), &header("(2, 4611686018427387)"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("long.npy: truncated"), "{err}");
        // A zero dimension makes the product 0 but the strides still overflow.
        let err = read_matrix(Path::new("z.npy"), &header("(0, 4294967296, 4294967296)"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("z.npy") && err.contains("more values"),
            "{err}"
        );
    }

    /// An .npy header followed by zeros without end, as a zip bomb inflates.
    struct Endless {
        header: std::io::Cursor<Vec<u8>>,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.header.read(buf)? {
                0 => {
                    buf.fill(0);
                    Ok(buf.len())
                }
                n => Ok(n),
            }
        }
    }

    #[test]
    fn an_archived_array_is_read_no_further_than_its_header_announces() {
        let endless = |shape: &[usize]| Endless {
            header: std::io::Cursor::new(npy_bytes("<f4", shape, &[])),
        };
        let path = Path::new("bomb.npz");
        let err = read_member(path, endless(&[6, 1000]), 6).unwrap_err();
        assert!(
            err.to_string()
                .contains("more bytes follow the array than its header announces"),
            "{err}"
        );
        let err = read_member(path, endless(&[50_000_000, 1000]), 6).unwrap_err();
        assert!(
            err.to_string()
                .contains("announces 50000000 rows but the dataset has 6 images"),
            "{err}"
        );
        let exact = npy_bytes("<f4", &[2, 1], &[0; 8]);
        assert_eq!(read_member(path, &exact[..], 2).unwrap(), exact);
    }

    #[test]
    fn an_array_without_values_is_refused() {
        let err = read_matrix(Path::new("empty.npy"), &npy_bytes("<i8", &[2000, 0], &[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("empty.npy") && err.contains("[2000, 0] holds no values"),
            "{err}"
        );
    }

    #[test]
    fn float16_scores_are_read() {
        // 1.0, -2.0 and 0.5 in IEEE half precision.
        let data = [0x3c00u16, 0xc000, 0x3800, 0x0000]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<_>>();
        let matrix = read_matrix(Path::new("h.npy"), &npy_bytes("<f2", &[2, 2], &data)).unwrap();
        assert_eq!(
            matrix,
            Matrix::Floats {
                rows: 2,
                cols: 2,
                values: vec![1.0, -2.0, 0.5, 0.0]
            }
        );
        let err = read_matrix(Path::new("q.npy"), &npy_bytes("<f16", &[1, 1], &[0; 16]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("float16/float32/float64"), "{err}");
    }
}
