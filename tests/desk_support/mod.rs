//! The desk as the kittest stories drive it: a person's settings, the real app in a headless
//! harness at 1280×800, and waiting for its background work.
#![allow(dead_code)] // each desk test file uses its own part

use bagel::desk::{Desk, Settings};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::{Path, PathBuf};
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

pub struct Sample {
    _dir: tempfile::TempDir,
    pub folder: PathBuf,
    pub project: PathBuf,
}

/// The sample project, unpacked and imported into a fresh folder.
pub fn sample() -> Sample {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("sample");
    let project = bagel::sample::build_sample_project(&folder).unwrap();
    Sample {
        _dir: dir,
        folder,
        project,
    }
}

/// Waits until the desk has loaded its dataset.
pub fn loaded(harness: &mut Harness<'_, Desk>) {
    step_until(harness, "the queue", |desk| {
        desk.review().is_some() && !desk.is_busy()
    });
}

pub fn current_pair(desk: &Desk) -> (u32, u16) {
    let item = desk.current().unwrap();
    (item.image, item.label)
}

/// eframe's storage kept in memory: what the desk saves on exit, read back at the next start.
#[derive(Default)]
pub struct Memory(std::collections::HashMap<String, String>);

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// The chair overrides the current pair through the form: `verdict`'s button, `reason` typed.
pub fn override_as_chair(harness: &mut Harness<'_, Desk>, verdict: &str, reason: &str) {
    harness.get_by_label("Chair override…").click();
    harness.run_steps(3);
    harness.get_by_label(verdict).click();
    harness.run_steps(2);
    let field = harness.get_by_role(egui::accesskit::Role::MultilineTextInput);
    field.click();
    field.type_text(reason);
    harness.run_steps(2);
    harness.get_by_label("Override as chair").click();
    harness.run_steps(3);
}
