//! Little-endian packing of columns into SQLite blobs.

use rusqlite::types::ValueRef;

/// A blob column as read, borrowed from the row: no copy before it is unpacked.
pub enum Blob<'a> {
    Bytes(&'a [u8]),
    Missing,
    /// Text or a number where a blob belongs: written by something other than bagel.
    NotBytes,
}

impl<'a> Blob<'a> {
    pub fn of(value: ValueRef<'a>) -> rusqlite::Result<Self> {
        Ok(match value {
            ValueRef::Blob(bytes) => Blob::Bytes(bytes),
            ValueRef::Null => Blob::Missing,
            _ => Blob::NotBytes,
        })
    }

    pub fn bytes(&self) -> &'a [u8] {
        match self {
            Blob::Bytes(bytes) => bytes,
            _ => &[],
        }
    }
}

pub fn pack_u16(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn unpack_u16(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

pub fn pack_u32(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn unpack_u32(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

pub fn pack_f32(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn unpack_f32(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip() {
        assert_eq!(unpack_u16(&pack_u16(&[0, 999, 65535])), vec![0, 999, 65535]);
        assert_eq!(unpack_u32(&pack_u32(&[7, 49_999])), vec![7, 49_999]);
        assert_eq!(unpack_f32(&pack_f32(&[0.25, -1.5])), vec![0.25, -1.5]);
    }
}
