//! What the desk keeps for the person is theirs and survives a kill: the place in the queue
//! lives in their settings, not in the project a panel shares, and the settings are written
//! as soon as they change; a project it cannot write opens for browsing.

#[path = "desk_support/mod.rs"]
mod desk_support;

use bagel::desk::{Desk, Settings, Status};
use bagel::store::Project;
use desk_support::{Memory, current_pair, desk_with, loaded, person};
use egui::Key;

#[test]
fn the_place_in_the_queue_is_the_persons_and_is_saved_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let project = bagel::sample::build_sample_project(&dir.path().join("sample")).unwrap();
    let mut harness = desk_with(&project, person("tess", &project));
    loaded(&mut harness);
    let mut memory = Memory::default();
    harness.state_mut().save_changed_settings(&mut memory);
    for _ in 0..3 {
        harness.key_press(Key::ArrowRight);
        harness.run_steps(1);
    }
    let place = current_pair(harness.state());
    // Written at once (the desk does this every frame), and only when something changed.
    assert!(harness.state_mut().save_changed_settings(&mut memory));
    assert!(!harness.state_mut().save_changed_settings(&mut memory));
    let settings = Settings::load(Some(&memory));
    let dataset = harness.state().review().unwrap().dataset.name.clone();
    assert_eq!(settings.position(&project, "tess", &dataset), Some(place));
    // Nothing of it went into the shared project file.
    let opened = Project::open_read_only(&project).unwrap();
    let key = format!("desk.position.tess.{dataset}");
    assert_eq!(opened.setting(&key).unwrap(), None);
    drop(opened);
    drop(harness);
    // The next start, from what was saved, comes back to the same pair.
    let mut again = desk_with(&project, settings);
    loaded(&mut again);
    assert_eq!(current_pair(again.state()), place);
}

#[test]
fn a_read_only_project_opens_for_browsing_and_says_why_voting_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let project = bagel::sample::build_sample_project(&dir.path().join("sample")).unwrap();
    let mut permissions = std::fs::metadata(&project).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&project, permissions).unwrap();
    let mut harness = desk_with(&project, person("tess", &project));
    loaded(&mut harness);
    let said = |desk: &Desk| match desk.status() {
        Status::Info(text) | Status::Error(text) | Status::Saved(text) => text.clone(),
        Status::Idle => String::new(),
    };
    let status = said(harness.state());
    assert!(status.contains("pairs to review"), "{status}");
    assert!(
        status.contains("browsing only, voting is off") && status.contains("read-only"),
        "{status}"
    );
    harness.key_press(Key::C);
    harness.run_steps(2);
    let status = said(harness.state());
    assert!(status.contains("vote NOT saved"), "{status}");
}
