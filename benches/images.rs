//! What showing one review image costs, and where.
//!
//! - "decode + upload 500x375 JPEG": an ImageNet-sized photo (a real one from
//!   sample_data/images, cropped to 4:3, resized and re-encoded at quality 90) decoded with
//!   `bagel::imaging::decode`, turned into an `egui::ColorImage`, given to egui's texture
//!   manager with `load_texture` inside an egui frame that also paints it with `ui.image`, and
//!   the frame's shapes tessellated: everything the UI thread would do. The GPU copy itself is
//!   done later by the painter (glow) from the frame's texture delta and is not measured.
//! - "decode 8000x6000 JPEG (background only)": a 48-megapixel photo downscaled to 2048, the
//!   case the loader's worker threads exist for; far too slow for a 60 Hz frame, so it never
//!   runs on the UI thread.
//!
//! Run: cargo bench --bench images

use bagel::imaging::{Loaded, decode};
use criterion::{Criterion, criterion_group, criterion_main};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, RgbImage};
use std::path::Path;

const PHOTO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_data/images/rocket.jpg");
const MAX_SIDE: u32 = 2048;

fn images(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let photo = image::open(PHOTO).unwrap().to_rgb8();
    let small = dir.path().join("photo_500x375.jpg");
    write_jpeg(&small, &four_by_three(&photo, 500, 375));
    let large = dir.path().join("photo_8000x6000.jpg");
    write_jpeg(&large, &with_grain(four_by_three(&photo, 8000, 6000)));

    let ctx = egui::Context::default();
    c.bench_function("decode + upload 500x375 JPEG", |b| {
        b.iter(|| show(&ctx, &decode(&small, MAX_SIDE)))
    });

    let mut group = c.benchmark_group("background");
    group.sample_size(10);
    group.bench_function("decode 8000x6000 JPEG (background only)", |b| {
        b.iter(|| decode(&large, MAX_SIDE))
    });
    group.finish();
}

/// One egui frame that uploads the picture and paints it, then the tessellation the desk's
/// painter would ask for. Returns the primitives so none of the work is optimised away.
fn show(ctx: &egui::Context, loaded: &Loaded) -> usize {
    let picture = loaded.picture().expect("the bench photo decodes");
    let size = [picture.width as usize, picture.height as usize];
    let mut image = Some(egui::ColorImage::from_rgba_unmultiplied(
        size,
        &picture.rgba,
    ));
    let mut texture = None;
    let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
        // A second pass (rare) paints the texture the first one loaded.
        let texture: &egui::TextureHandle = texture.get_or_insert_with(|| {
            let image = image.take().expect("loaded once");
            ui.ctx()
                .load_texture("review image", image, Default::default())
        });
        ui.image((texture.id(), texture.size_vec2()));
    });
    // The GPU upload of the delta is the painter's (not measured); egui insists it is handled.
    output.textures_delta.clear();
    ctx.tessellate(output.shapes, output.pixels_per_point).len()
}

/// The centre 4:3 part of a photo, resized: ImageNet's typical 500×375, or a camera's 8000×6000.
fn four_by_three(photo: &RgbImage, width: u32, height: u32) -> RgbImage {
    let crop_width = photo.width().min(photo.height() * 4 / 3);
    let crop_height = crop_width * 3 / 4;
    let left = (photo.width() - crop_width) / 2;
    let top = (photo.height() - crop_height) / 2;
    let crop = imageops::crop_imm(photo, left, top, crop_width, crop_height).to_image();
    imageops::resize(&crop, width, height, FilterType::CatmullRom)
}

/// Fine deterministic noise: an upscaled photo is smoother than a real 48-megapixel one, and a
/// JPEG decoder's time follows the detail it has to decode.
fn with_grain(mut image: RgbImage) -> RgbImage {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for value in image.iter_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *value = value.saturating_add_signed((state % 17) as i8 - 8);
    }
    image
}

fn write_jpeg(path: &Path, image: &RgbImage) {
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(image.clone())
        .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 90))
        .unwrap();
    std::fs::write(path, bytes).unwrap();
}

criterion_group!(benches, images);
criterion_main!(benches);
