//! One file to one [`Loaded`]: content-sniffed, bomb-guarded, downscaled, panic-proof.

use super::{Loaded, Picture, jpeg};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits};
use std::any::Any;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::panic::{self, UnwindSafe};
use std::path::Path;

/// Largest width or height decoded. Photos are far below it; a header claiming more is a
/// decompression bomb or not a photo a panel reviews.
pub const MAX_SIDE: u32 = 20_000;

/// Most memory one decoded image may take (1 GiB), for the same reason: 20,000 × 20,000 RGB
/// passes [`MAX_SIDE`] but would take 1.2 GB on a desk that holds several images at once.
pub const MAX_DECODED_BYTES: u64 = 1 << 30;

/// Decodes one file, downscaled (aspect kept) so the longer side is at most `max_side`.
///
/// Never fails and never panics: a missing file is [`Loaded::Missing`], anything else that
/// gives no image (unreadable, corrupt, truncated, too large, a panic in a codec) is
/// [`Loaded::Broken`] with the reason. The format comes from the content, not the extension.
pub fn decode(path: &Path, max_side: u32) -> Loaded {
    guard(path, || match read_image(path) {
        Ok(image) => Loaded::Picture(downscale(image, max_side)),
        Err(Failure::Missing) => Loaded::Missing {
            path: path.to_owned(),
        },
        Err(Failure::Broken(why)) => broken(path, why),
    })
}

/// Turns a panic in a codec into a placeholder, so one bad file cannot kill a worker thread
/// (or the desk, for a caller decoding on its own thread).
fn guard(path: &Path, load: impl FnOnce() -> Loaded + UnwindSafe) -> Loaded {
    panic::catch_unwind(load).unwrap_or_else(|payload| {
        broken(
            path,
            format!("the decoder crashed: {}", panic_message(&*payload)),
        )
    })
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "no message"
    }
}

fn broken(path: &Path, why: String) -> Loaded {
    Loaded::Broken {
        path: path.to_owned(),
        why,
    }
}

enum Failure {
    Missing,
    Broken(String),
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        match error.kind() {
            io::ErrorKind::NotFound => Failure::Missing,
            _ => Failure::Broken(error.to_string()),
        }
    }
}

impl From<ImageError> for Failure {
    fn from(error: ImageError) -> Self {
        Failure::Broken(error.to_string())
    }
}

fn read_image(path: &Path) -> Result<DynamicImage, Failure> {
    let bytes = read_file(path)?;
    if jpeg::is_jpeg(&bytes) && !jpeg::reaches_its_end(&bytes) {
        return Err(Failure::Broken(
            "the file ends before the image does (a truncated JPEG)".to_owned(),
        ));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    if reader.format().is_none() {
        return Err(Failure::Broken(
            "not an image: the content is none of JPEG, PNG, WebP, GIF, BMP or TIFF".to_owned(),
        ));
    }
    // Sizes are checked by hand below, where the message can name them; the decoder's own
    // limit error says only "Image size exceeds limit".
    reader.limits(memory_limit());
    let mut decoder = reader.into_decoder()?;
    check_size(decoder.dimensions(), decoder.total_bytes())?;
    decoder.set_limits(strict_limits(decoder.total_bytes())?)?;
    // Camera photos are often stored sideways with an EXIF note; a panel should see them upright.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// The whole file, read before decoding: the JPEG decoder reads it all into memory anyway, and
/// read errors stay apart from decode errors. Capped, because no file over the memory cap can
/// decode within it.
fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    File::open(path)?
        .take(MAX_DECODED_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.is_empty() {
        return Err(Failure::Broken("the file is empty".to_owned()));
    }
    if bytes.len() as u64 > MAX_DECODED_BYTES {
        return Err(Failure::Broken(format!(
            "the file is larger than the {} GiB bagel allows for one image",
            gib(MAX_DECODED_BYTES)
        )));
    }
    Ok(bytes)
}

fn memory_limit() -> Limits {
    let mut limits = Limits::no_limits();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

/// The limits the decoder works under: the sides, and what is left of the memory cap once the
/// output buffer is reserved, as `ImageReader::decode` does.
fn strict_limits(output_bytes: u64) -> Result<Limits, Failure> {
    let mut limits = memory_limit();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.reserve(output_bytes)?;
    Ok(limits)
}

fn check_size((width, height): (u32, u32), bytes: u64) -> Result<(), Failure> {
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(Failure::Broken(format!(
            "{width}×{height} is larger than the {MAX_SIDE} pixels per side bagel decodes \
             (a decompression bomb, or not a photo)"
        )));
    }
    if bytes > MAX_DECODED_BYTES {
        return Err(Failure::Broken(format!(
            "{width}×{height} would take {:.1} GiB decoded, more than the {} GiB bagel allows \
             for one image",
            gib(bytes),
            gib(MAX_DECODED_BYTES)
        )));
    }
    Ok(())
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

/// `thumbnail` is a box filter (each source pixel counts once, integer steps), measured in
/// release on the 2-core dev machine for 8000×6000 RGB to 2048×1536: 0.36 s, against 0.35 to
/// 0.49 s for `resize` with Nearest (which aliases), 0.75 s Triangle and 1.05 s CatmullRom; the
/// JPEG decode itself takes 0.25 s. As fast as nearest, without its moiré on fabric and fur.
fn downscale(image: DynamicImage, max_side: u32) -> Picture {
    let original_size = [image.width(), image.height()];
    let max_side = max_side.max(1);
    let fits = image.width() <= max_side && image.height() <= max_side;
    let image = if fits {
        image
    } else {
        image.thumbnail(max_side, max_side)
    };
    // Converted after downscaling: the large image stays in its (often 3-channel) own format.
    let rgba = image.into_rgba8();
    Picture {
        width: rgba.width(),
        height: rgba.height(),
        rgba: rgba.into_raw(),
        original_size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(loaded: Loaded) -> String {
        match loaded {
            Loaded::Broken { why, .. } => why,
            other => panic!("expected Broken, got {other:?}"),
        }
    }

    #[test]
    fn a_panicking_codec_becomes_a_broken_placeholder_with_its_message() {
        let loaded = guard(Path::new("bad.jpg"), || {
            panic!("huffman table out of range")
        });
        assert!(why(loaded).contains("huffman table out of range"));
    }

    #[test]
    fn a_header_wider_than_the_side_limit_is_refused_with_its_size() {
        let refused = check_size((30_000, 100), 30_000 * 100 * 3);
        let Err(Failure::Broken(why)) = refused else {
            panic!("30000×100 passed the side limit")
        };
        assert!(
            why.contains("30000×100 is larger than the 20000 pixels"),
            "{why}"
        );
    }

    #[test]
    fn a_header_over_the_memory_cap_is_refused_with_its_size() {
        let refused = check_size((20_000, 20_000), 20_000 * 20_000 * 4);
        let Err(Failure::Broken(why)) = refused else {
            panic!("20000×20000 RGBA passed the memory cap")
        };
        assert!(why.contains("20000×20000 would take 1.5 GiB"), "{why}");
    }

    #[test]
    fn an_8000_by_6000_photo_is_within_the_limits() {
        assert!(check_size((8000, 6000), 8000 * 6000 * 3).is_ok());
    }

    #[test]
    fn downscaling_keeps_the_aspect_and_records_the_original_size() {
        let picture = downscale(DynamicImage::new_rgb8(4000, 3000), 1000);
        assert_eq!((picture.width, picture.height), (1000, 750));
        assert_eq!(picture.original_size, [4000, 3000]);
        assert_eq!(picture.rgba.len(), 1000 * 750 * 4);
    }

    #[test]
    fn small_images_are_not_enlarged() {
        let picture = downscale(DynamicImage::new_rgb8(300, 200), 1000);
        assert_eq!((picture.width, picture.height), (300, 200));
    }
}
