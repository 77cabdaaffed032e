//! Telling a truncated JPEG from a whole one.
//!
//! The JPEG decoder behind `image` runs in lenient mode: given half a file it returns the whole
//! image with the missing rows grey, and a panel would judge a picture that is not the photo.
//! So the file's markers are walked first; one that runs out before its end-of-image marker was
//! cut short.

/// True when the first byte that could start one is a JPEG.
pub(super) fn is_jpeg(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

const END_OF_IMAGE: u8 = 0xD9;

/// Whether the markers after start-of-image reach end-of-image. Segments are skipped by their
/// length, so an EXIF thumbnail's own end marker is not taken for the image's; anything after
/// the end (a phone's appended video) is not read.
pub(super) fn reaches_its_end(bytes: &[u8]) -> bool {
    let mut at = 2;
    while let Some(marker_at) = find_marker(bytes, at) {
        let marker = bytes[marker_at + 1];
        at = marker_at + 2;
        if marker == END_OF_IMAGE {
            return true;
        }
        if has_length(marker) {
            // Past a start-of-scan header, `find_marker` skips the entropy-coded data.
            at += segment_length(bytes, at);
        }
    }
    false
}

/// The next `FF xx` that is a marker: not a stuffed `FF 00` inside scan data, not fill `FF FF`.
fn find_marker(bytes: &[u8], from: usize) -> Option<usize> {
    let tail = bytes.get(from..)?;
    tail.windows(2)
        .position(|pair| pair[0] == 0xFF && pair[1] != 0x00 && pair[1] != 0xFF)
        .map(|offset| from + offset)
}

/// Markers without a length field: TEM and the restart markers inside scan data.
fn has_length(marker: u8) -> bool {
    !matches!(marker, 0x01 | 0xD0..=0xD7)
}

/// A segment's length (which counts its own two bytes); 2 when unreadable, so that the walk
/// still moves on and a cut-off length field ends it at the file's end.
fn segment_length(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at..at + 2) {
        Some(&[high, low]) => usize::from(u16::from_be_bytes([high, low])).max(2),
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOI, an APP1 holding a thumbnail's own SOI/EOI, a scan with stuffed and restart bytes,
    /// then `tail`.
    fn jpeg(tail: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8];
        bytes.extend([0xFF, 0xE1, 0x00, 0x08, 0xFF, 0xD8, 0xFF, 0xD9, 0x00, 0x00]);
        bytes.extend([0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02]);
        bytes.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF]);
        bytes.extend(tail);
        bytes
    }

    #[test]
    fn a_whole_jpeg_reaches_its_end() {
        assert!(reaches_its_end(&jpeg(&[0xFF, 0xD9])));
    }

    #[test]
    fn data_after_the_end_is_ignored() {
        assert!(reaches_its_end(&jpeg(&[
            0xFF, 0xD9, 0x00, 0xFF, 0xDA, 0x13
        ])));
    }

    #[test]
    fn a_thumbnails_end_is_not_the_images_end() {
        assert!(!reaches_its_end(&jpeg(&[0x78, 0x9A])));
    }

    #[test]
    fn a_file_cut_inside_a_length_field_does_not_reach_its_end() {
        let whole = jpeg(&[0xFF, 0xD9]);
        for cut in 2..whole.len() - 1 {
            assert!(!reaches_its_end(&whole[..cut]), "cut at {cut}");
        }
    }
}
