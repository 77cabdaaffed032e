//! Little-endian packing of columns into SQLite blobs.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB};
use std::borrow::Cow;

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
}

pub fn pack_u16(values: &[u16]) -> Vec<u8> {
    le_bytes(values).into_owned()
}

/// The bytes of `values` as a blob column stores them: on little-endian machines the values'
/// own memory, borrowed, so a column of 250,000 class ids is bound without a copy.
pub fn le_bytes<T: LittleEndian>(values: &[T]) -> Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        Cow::Borrowed(bytemuck::cast_slice(values))
    } else {
        let swapped: Vec<T> = values.iter().map(|v| v.le_to_native()).collect();
        Cow::Owned(bytemuck::cast_slice(&swapped).to_vec())
    }
}

pub fn pack_u32(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn unpack_u16(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

pub fn unpack_u32(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// A value as stored in a blob column: little-endian.
pub trait LittleEndian: bytemuck::Pod {
    /// Swaps the bytes on big-endian machines; the same swap turns a native value into its
    /// stored form.
    fn le_to_native(self) -> Self;
}

impl LittleEndian for u16 {
    fn le_to_native(self) -> Self {
        u16::from_le(self)
    }
}

impl LittleEndian for f32 {
    fn le_to_native(self) -> Self {
        f32::from_bits(u32::from_le(self.to_bits()))
    }
}

/// The `count` values of a blob, read straight into their column through SQLite's incremental
/// blob I/O: one copy from the file's pages, where reading the row would first copy the whole
/// blob into a buffer of SQLite's. The caller has checked that the blob holds `count` values.
pub fn read_blob<T: LittleEndian>(
    conn: &Connection,
    table: &str,
    column: &str,
    rowid: i64,
    count: usize,
) -> rusqlite::Result<Vec<T>> {
    let mut values = vec![T::zeroed(); count];
    let blob = conn.blob_open(MAIN_DB, table, column, rowid, true)?;
    blob.read_at_exact(bytemuck::cast_slice_mut(&mut values), 0)?;
    // On little-endian machines the stored layout is the memory layout, and this is no pass.
    if cfg!(target_endian = "big") {
        values
            .iter_mut()
            .for_each(|value| *value = value.le_to_native());
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (ids BLOB, scores BLOB)")
            .unwrap();
        conn.execute(
            "INSERT INTO t (ids, scores) VALUES (?1, ?2)",
            (le_bytes(&[0u16, 999, 65535]), le_bytes(&[0.25f32, -1.5])),
        )
        .unwrap();
        let rowid = conn.last_insert_rowid();
        let ids: Vec<u16> = read_blob(&conn, "t", "ids", rowid, 3).unwrap();
        let scores: Vec<f32> = read_blob(&conn, "t", "scores", rowid, 2).unwrap();
        assert_eq!((ids, scores), (vec![0, 999, 65535], vec![0.25, -1.5]));
        assert_eq!(unpack_u32(&pack_u32(&[7, 49_999])), vec![7, 49_999]);
    }

    #[test]
    fn blobs_are_little_endian_on_any_machine() {
        assert_eq!(&*le_bytes(&[0x0102u16, 999]), &[0x02, 0x01, 0xe7, 0x03]);
        assert_eq!(&*le_bytes(&[1.0f32]), &[0x00, 0x00, 0x80, 0x3f]);
        assert_eq!(pack_u16(&[0x0102]), vec![0x02, 0x01]);
    }

    #[test]
    fn a_blob_shorter_than_asked_for_is_an_error() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (ids BLOB); INSERT INTO t VALUES (X'0100')")
            .unwrap();
        assert!(read_blob::<u16>(&conn, "t", "ids", 1, 2).is_err());
    }
}
