//! The image loader's story: a panelist pages through images, and whatever is on disk (a photo,
//! a huge photo, nothing, a corrupt file) the desk gets something to draw, from a background
//! pool that serves the image on screen first.

use bagel::imaging::{ImageLoader, Loaded, Picture, Priority, decode};
use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Blue-free corner to corner: red grows to the right, green downwards.
fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / (width - 1)) as u8,
            (y * 255 / (height - 1)) as u8,
            128,
        ])
    })
}

fn write_jpeg(path: &Path, image: &RgbImage) {
    let mut bytes = Vec::new();
    image
        .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 90))
        .unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn jpeg_in(dir: &TempDir, name: &str, width: u32, height: u32) -> PathBuf {
    let path = dir.path().join(name);
    write_jpeg(&path, &gradient(width, height));
    path
}

fn picture(loaded: &Loaded) -> &Picture {
    match loaded {
        Loaded::Picture(picture) => picture,
        other => panic!("expected a picture, got {other:?}"),
    }
}

fn why_broken(loaded: &Loaded) -> &str {
    match loaded {
        Loaded::Broken { why, .. } => why,
        other => panic!("expected Broken, got {other:?}"),
    }
}

fn pixel(picture: &Picture, x: u32, y: u32) -> [u8; 4] {
    let at = ((y * picture.width + x) * 4) as usize;
    picture.rgba[at..at + 4].try_into().unwrap()
}

fn assert_near(actual: [u8; 4], expected: [u8; 4]) {
    let close = actual
        .iter()
        .zip(expected)
        .all(|(&a, e)| a.abs_diff(e) <= 12);
    assert!(close, "pixel {actual:?}, expected about {expected:?}");
}

#[test]
fn a_jpeg_decodes_to_its_size_with_its_colours() {
    let dir = TempDir::new().unwrap();
    let path = jpeg_in(&dir, "photo.jpg", 500, 375);
    let loaded = decode(&path, 2048);
    let picture = picture(&loaded);
    assert_eq!((picture.width, picture.height), (500, 375));
    assert_eq!(picture.original_size, [500, 375]);
    assert_eq!(picture.rgba.len(), 500 * 375 * 4);
    assert_near(pixel(picture, 0, 0), [0, 0, 128, 255]);
    assert_near(pixel(picture, 499, 0), [255, 0, 128, 255]);
    assert_near(pixel(picture, 0, 374), [0, 255, 128, 255]);
    assert_near(pixel(picture, 250, 187), [128, 128, 128, 255]);
}

/// Real photos, not only the encoder's output: the truncation check must pass whole files.
#[test]
fn every_sample_photo_decodes() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/images");
    let photos: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert!(!photos.is_empty());
    for photo in photos {
        let loaded = decode(&photo, 2048);
        let picture = picture(&loaded);
        assert!(picture.width > 100 && picture.height > 100, "{picture:?}");
    }
}

#[test]
fn a_big_photo_is_downscaled_to_the_longer_side_with_its_aspect_kept() {
    let dir = TempDir::new().unwrap();
    let path = jpeg_in(&dir, "big.jpg", 4000, 3000);
    let loaded = decode(&path, 1024);
    let picture = picture(&loaded);
    assert_eq!((picture.width, picture.height), (1024, 768));
    assert_eq!(picture.original_size, [4000, 3000]);
    assert_eq!(picture.rgba.len(), 1024 * 768 * 4);
    assert_near(pixel(picture, 1023, 767), [255, 255, 128, 255]);
    assert_near(pixel(picture, 512, 384), [128, 128, 128, 255]);
}

#[test]
fn a_tall_photo_is_bounded_by_its_height() {
    let dir = TempDir::new().unwrap();
    let path = jpeg_in(&dir, "tall.jpg", 300, 1200);
    let loaded = decode(&path, 600);
    let picture = picture(&loaded);
    assert_eq!((picture.width, picture.height), (150, 600));
}

#[test]
fn the_content_decides_the_format_not_the_extension() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("actually_a_png.jpg");
    let image = RgbaImage::from_pixel(8, 4, Rgba([200, 100, 50, 128]));
    image.save_with_format(&path, ImageFormat::Png).unwrap();
    let loaded = decode(&path, 2048);
    let picture = picture(&loaded);
    assert_eq!((picture.width, picture.height), (8, 4));
    // Unmultiplied: the colour is kept as stored, not scaled by the half alpha.
    assert_eq!(pixel(picture, 3, 2), [200, 100, 50, 128]);
}

#[test]
fn a_missing_file_is_missing_with_its_path() {
    let dir = TempDir::new().unwrap();
    let path = dir
        .path()
        .join("n01440764")
        .join("ILSVRC2012_val_00000293.JPEG");
    match decode(&path, 2048) {
        Loaded::Missing { path: missing } => assert_eq!(missing, path),
        other => panic!("expected Missing, got {other:?}"),
    }
}

#[test]
fn a_truncated_jpeg_is_broken_rather_than_shown_half_grey() {
    let dir = TempDir::new().unwrap();
    let whole = std::fs::read(jpeg_in(&dir, "whole.jpg", 500, 375)).unwrap();
    let path = dir.path().join("truncated.jpg");
    std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
    let loaded = decode(&path, 2048);
    assert!(why_broken(&loaded).contains("truncated"));
}

#[test]
fn a_truncated_png_is_broken_with_the_decoders_reason() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("whole.png");
    gradient(500, 375)
        .save_with_format(&path, ImageFormat::Png)
        .unwrap();
    let whole = std::fs::read(&path).unwrap();
    std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
    let loaded = decode(&path, 2048);
    assert!(!why_broken(&loaded).is_empty());
}

#[test]
fn random_bytes_named_jpg_are_broken_as_not_an_image() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("noise.jpg");
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, noise).unwrap();
    let loaded = decode(&path, 2048);
    assert!(why_broken(&loaded).contains("not an image"));
}

#[test]
fn a_jpeg_signature_followed_by_garbage_is_broken() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("garbage.jpg");
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&path, bytes).unwrap();
    let loaded = decode(&path, 2048);
    assert!(!why_broken(&loaded).is_empty());
}

#[test]
fn an_empty_file_is_broken() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("empty.jpg");
    std::fs::write(&path, b"").unwrap();
    assert_eq!(why_broken(&decode(&path, 2048)), "the file is empty");
}

#[test]
fn an_image_wider_than_the_side_limit_is_refused_with_its_size() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("strip.png");
    RgbImage::new(30_001, 1)
        .save_with_format(&path, ImageFormat::Png)
        .unwrap();
    let loaded = decode(&path, 2048);
    let why = why_broken(&loaded);
    assert!(why.contains("30001×1 is larger than"), "{why}");
}

// The loader.

/// Polls until the loader has a result; the deadline only keeps a broken loader from hanging
/// the test run, it asserts nothing about speed.
fn wait_for(loader: &ImageLoader, path: &Path) -> Arc<Loaded> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(loaded) = loader.get(path) {
            return loaded;
        }
        assert!(
            Instant::now() < deadline,
            "no result for {}",
            path.display()
        );
        thread::sleep(Duration::from_millis(5));
    }
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting until {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn every_request_gets_a_result_and_each_wakes_the_desk() {
    let dir = TempDir::new().unwrap();
    let photos: Vec<PathBuf> = (0..3)
        .map(|i| jpeg_in(&dir, &format!("photo{i}.jpg"), 640, 480))
        .collect();
    let missing = dir.path().join("missing.jpg");
    let broken = dir.path().join("broken.jpg");
    std::fs::write(&broken, b"not a jpeg at all").unwrap();
    let loader = ImageLoader::new(2, 256, 64 << 20);
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&wakes);
    loader.on_ready(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    });

    let all: Vec<&PathBuf> = photos.iter().chain([&missing, &broken]).collect();
    for path in &all {
        loader.request(path, Priority::Ahead);
    }
    for photo in &photos {
        let loaded = wait_for(&loader, photo);
        assert_eq!(picture(&loaded).width, 256);
    }
    assert!(matches!(
        *wait_for(&loader, &missing),
        Loaded::Missing { .. }
    ));
    assert!(matches!(*wait_for(&loader, &broken), Loaded::Broken { .. }));
    wait_until("five wakes", || wakes.load(Ordering::SeqCst) >= 5);
}

#[test]
fn a_cached_image_is_not_decoded_again() {
    let dir = TempDir::new().unwrap();
    let first = jpeg_in(&dir, "first.jpg", 64, 48);
    let second = jpeg_in(&dir, "second.jpg", 64, 48);
    let loader = ImageLoader::new(1, 2048, 64 << 20);
    loader.request(&first, Priority::Now);
    wait_for(&loader, &first);

    // Were it decoded again, the one worker would find it gone before reaching `second`.
    std::fs::remove_file(&first).unwrap();
    loader.request(&first, Priority::Now);
    loader.request(&second, Priority::Ahead);
    wait_for(&loader, &second);
    assert!(matches!(*wait_for(&loader, &first), Loaded::Picture(_)));
}

#[test]
fn the_cache_keeps_to_its_byte_bound_evicting_the_least_recently_used() {
    let dir = TempDir::new().unwrap();
    let [a, b, c] = ["a.jpg", "b.jpg", "c.jpg"].map(|name| jpeg_in(&dir, name, 100, 100));
    let loader = ImageLoader::new(1, 2048, 0);
    let one = {
        loader.request(&a, Priority::Now);
        wait_for(&loader, &a).cost()
    };
    drop(loader);
    let budget = 2 * one + one / 2;
    let loader = ImageLoader::new(1, 2048, budget);

    for path in [&a, &b] {
        loader.request(path, Priority::Now);
        wait_for(&loader, path);
    }
    assert!(loader.get(&a).is_some(), "a is now the most recently used");
    loader.request(&c, Priority::Now);
    wait_for(&loader, &c);

    assert!(loader.get(&b).is_none(), "b, least recently used, was kept");
    assert!(loader.get(&a).is_some());
    assert!(loader.get(&c).is_some());
    assert_eq!(loader.cached_bytes(), 2 * one);
    assert!(loader.cached_bytes() <= budget);
}

#[test]
fn dropping_the_loader_stops_its_workers() {
    let dir = TempDir::new().unwrap();
    let loader = ImageLoader::new(2, 512, 64 << 20);
    let alive = Arc::new(());
    let held = Arc::clone(&alive);
    loader.on_ready(move || drop(Arc::clone(&held)));
    for i in 0..6 {
        let path = jpeg_in(&dir, &format!("photo{i}.jpg"), 1600, 1200);
        loader.request(&path, Priority::Ahead);
    }
    drop(loader);
    // The callback lives as long as any worker can call it: only joined workers release it.
    assert_eq!(Arc::strong_count(&alive), 1);
}

/// Which request the loader serves when, seen through named pipes: a worker opening a pipe for
/// reading meets the test's thread opening it for writing, so the threads' meetings come in
/// the order the loader takes its requests, with no timing involved.
#[cfg(unix)]
mod service_order {
    use super::*;
    use std::fs::{File, OpenOptions};
    use std::process::Command;
    use std::sync::Mutex;
    use std::sync::mpsc::{self, Receiver, Sender};

    struct Pipes {
        dir: TempDir,
        served: Arc<Mutex<Vec<String>>>,
        writers: Vec<(String, thread::JoinHandle<()>)>,
    }

    impl Pipes {
        fn new() -> Self {
            Pipes {
                dir: TempDir::new().unwrap(),
                served: Arc::default(),
                writers: Vec::new(),
            }
        }

        fn path(&self, name: &str) -> PathBuf {
            self.dir.path().join(name)
        }

        /// A pipe whose writer closes at once: the worker sees an empty file and moves on.
        fn add(&mut self, name: &str) -> PathBuf {
            self.add_held(name, None)
        }

        /// A pipe that keeps the worker reading until `release` is sent; `inside` is told when
        /// the worker got there.
        fn add_gate(&mut self, name: &str) -> (PathBuf, Receiver<()>, Sender<()>) {
            let (inside_tx, inside) = mpsc::channel();
            let (release, release_rx) = mpsc::channel();
            let path = self.add_held(name, Some((inside_tx, release_rx)));
            (path, inside, release)
        }

        fn add_held(&mut self, name: &str, gate: Option<(Sender<()>, Receiver<()>)>) -> PathBuf {
            let path = self.path(name);
            let made = Command::new("mkfifo").arg(&path).status().unwrap();
            assert!(made.success());
            let served = Arc::clone(&self.served);
            let (pipe, label) = (path.clone(), name.to_owned());
            let writer = thread::spawn(move || {
                let file = OpenOptions::new().write(true).open(&pipe).unwrap();
                served.lock().unwrap().push(label);
                if let Some((inside, release)) = gate {
                    inside.send(()).unwrap();
                    release.recv().unwrap();
                }
                drop(file);
            });
            self.writers.push((name.to_owned(), writer));
            path
        }

        fn served(&self) -> Vec<String> {
            self.served.lock().unwrap().clone()
        }

        /// Meets the writers of the pipes never served, so that their threads end.
        fn finish(self) {
            let served = self.served();
            for (name, writer) in self.writers {
                if !served.contains(&name) {
                    drop(File::open(self.dir.path().join(&name)).unwrap());
                }
                writer.join().unwrap();
            }
        }
    }

    /// One worker, held inside `gate` while the test queues requests.
    fn loader_held_at_gate(pipes: &mut Pipes) -> (ImageLoader, Sender<()>) {
        let (gate, inside, release) = pipes.add_gate("gate");
        let loader = ImageLoader::new(1, 2048, 64 << 20);
        loader.request(&gate, Priority::Now);
        inside.recv().unwrap();
        (loader, release)
    }

    fn wait_for_all(loader: &ImageLoader, paths: &[PathBuf]) {
        for path in paths {
            let loaded = wait_for(loader, path);
            assert!(matches!(*loaded, Loaded::Broken { .. }), "{loaded:?}");
        }
    }

    #[test]
    fn now_requests_come_before_queued_ahead_ones_the_newest_first() {
        let mut pipes = Pipes::new();
        let (loader, release) = loader_held_at_gate(&mut pipes);
        let ahead: Vec<PathBuf> = (0..4).map(|i| pipes.add(&format!("ahead{i}"))).collect();
        let [older, newer] = ["now_older", "now_newer"].map(|name| pipes.add(name));
        for path in &ahead {
            loader.request(path, Priority::Ahead);
        }
        loader.request(&older, Priority::Now);
        loader.request(&newer, Priority::Now);
        // The panelist reached ahead2 before its prefetch started.
        loader.request(&ahead[2], Priority::Now);
        release.send(()).unwrap();

        wait_for_all(&loader, &[&ahead[..], &[older, newer]].concat());
        let expected = [
            "gate",
            "ahead2",
            "now_newer",
            "now_older",
            "ahead0",
            "ahead1",
            "ahead3",
        ];
        assert_eq!(pipes.served(), expected);
        drop(loader);
        pipes.finish();
    }

    #[test]
    fn retain_queued_drops_the_requests_not_kept() {
        let mut pipes = Pipes::new();
        let (loader, release) = loader_held_at_gate(&mut pipes);
        let queued: Vec<PathBuf> = (0..6).map(|i| pipes.add(&format!("image{i}"))).collect();
        for path in &queued {
            loader.request(path, Priority::Ahead);
        }
        let keep = vec![queued[3].clone(), queued[4].clone()];
        loader.retain_queued(&keep);
        release.send(()).unwrap();

        wait_for_all(&loader, &keep);
        assert_eq!(pipes.served(), ["gate", "image3", "image4"]);
        assert!(loader.get(&queued[0]).is_none());
        drop(loader);
        pipes.finish();
    }
}

#[test]
fn a_file_put_in_place_after_not_found_shows_when_asked_again() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("late.jpg");
    let loader = ImageLoader::new(1, 256, 64 << 20);
    loader.request(&path, Priority::Now);
    assert!(matches!(*wait_for(&loader, &path), Loaded::Missing { .. }));
    // The file arrives (copied from another disk); the item is opened again.
    let arrived = jpeg_in(&dir, "arrived.jpg", 64, 48);
    std::fs::rename(&arrived, &path).unwrap();
    loader.request(&path, Priority::Now);
    assert!(
        matches!(*wait_for(&loader, &path), Loaded::Missing { .. }),
        "a request alone keeps the cached answer"
    );
    loader.forget_missing(&path);
    loader.request(&path, Priority::Now);
    assert_eq!(picture(&wait_for(&loader, &path)).width, 64);
}
