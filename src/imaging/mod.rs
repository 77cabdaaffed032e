//! Loading review images off the UI thread.
//!
//! A panelist pages through images with the keyboard: the next image must be decoded before the
//! key is pressed, and a missing file, a corrupt JPEG or an 8000×6000 photo must never stall or
//! crash the desk. [`decode`] turns one file into something to draw, a downscaled [`Picture`] or
//! a placeholder that says why there is none, and never fails; [`ImageLoader`] runs it on a few
//! worker threads behind a priority queue and a byte-bounded cache. Nothing here knows egui: the
//! desk turns a [`Picture`] into a texture.

mod cache;
mod decode;
mod jpeg;
mod loader;
mod queue;

pub use decode::{MAX_DECODED_BYTES, MAX_SIDE, decode};
pub use loader::ImageLoader;
pub use queue::Priority;

use std::fmt;
use std::path::{Path, PathBuf};

/// A decoded image, small enough to upload as one texture.
pub struct Picture {
    pub width: u32,
    pub height: u32,
    /// `width * height * 4` bytes of unmultiplied RGBA8, rows top to bottom, as
    /// `egui::ColorImage::from_rgba_unmultiplied` takes them.
    pub rgba: Vec<u8>,
    /// Size of the file's image before downscaling (after EXIF rotation), for the caption.
    pub original_size: [u32; 2],
}

/// Printed without the pixels: a test failure or a log line should not dump megabytes.
impl fmt::Debug for Picture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Picture")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("rgba_bytes", &self.rgba.len())
            .field("original_size", &self.original_size)
            .finish()
    }
}

/// What came of loading one file: data the desk draws (a placeholder for the failures), not an
/// error type, because a bad image is part of a review, not a reason to stop it.
#[derive(Debug)]
pub enum Loaded {
    Picture(Picture),
    /// No file at this path: the image folder moved, or the project points at the wrong one.
    Missing {
        path: PathBuf,
    },
    /// The file is there but gives no image; `why` is the decoder's reason, for the placeholder.
    Broken {
        path: PathBuf,
        why: String,
    },
}

/// Bookkeeping an entry costs in the cache besides its pixels, so that failures count too.
const ENTRY_COST: usize = 256;

impl Loaded {
    pub fn picture(&self) -> Option<&Picture> {
        match self {
            Loaded::Picture(picture) => Some(picture),
            Loaded::Missing { .. } | Loaded::Broken { .. } => None,
        }
    }

    /// Bytes this result holds on to, as the cache counts them.
    pub fn cost(&self) -> usize {
        match self {
            Loaded::Picture(picture) => ENTRY_COST + picture.rgba.len(),
            Loaded::Missing { path } => ENTRY_COST + path_len(path),
            Loaded::Broken { path, why } => ENTRY_COST + path_len(path) + why.len(),
        }
    }
}

fn path_len(path: &Path) -> usize {
    path.as_os_str().len()
}
