//! The desk as the kittest stories drive it: a person's settings, the real app in a headless
//! harness at 1280×800, and waiting for its background work.
#![allow(dead_code)] // each desk test file uses its own part

use bagel::desk::{Desk, Settings};
use egui_kittest::Harness;
use std::path::Path;
use std::time::{Duration, Instant};

/// The person's settings: who they are, having confirmed it for `project`.
pub fn person(name: &str, project: &Path) -> Settings {
    let mut settings = Settings::default();
    settings.confirm(project, name);
    settings
}

pub fn desk_with(path: &Path, settings: Settings) -> Harness<'static, Desk> {
    let path = path.to_path_buf();
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| Desk::new(&cc.egui_ctx, settings, &path))
}

/// Steps frames until `done` holds; background work (loading, decoding, comparing) needs
/// real time.
pub fn step_until(harness: &mut Harness<'_, Desk>, what: &str, done: impl Fn(&Desk) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    harness.step();
}
