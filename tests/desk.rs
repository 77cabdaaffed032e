//! The desk driven headlessly through egui_kittest: the real app on the bundled sample
//! project, keys and clicks as a panelist gives them, checked against the project file.

use bagel::desk::{Desk, ImportKind, SETTING_REVIEWER, Status};
use bagel::store::Project;
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Sample {
    _dir: tempfile::TempDir,
    folder: PathBuf,
    project: PathBuf,
}

/// The sample project, unpacked and imported into a fresh folder, with a reviewer or not.
fn sample(reviewer: Option<&str>) -> Sample {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("sample");
    let project = bagel::sample::build_sample_project(&folder).unwrap();
    if let Some(name) = reviewer {
        Project::open(&project)
            .unwrap()
            .set_setting(SETTING_REVIEWER, name)
            .unwrap();
    }
    Sample {
        _dir: dir,
        folder,
        project,
    }
}

fn desk(path: &Path) -> Harness<'static, Desk> {
    let path = path.to_path_buf();
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| Desk::new(&cc.egui_ctx, &path))
}

/// Steps frames until `done` holds; background work (loading, decoding) needs real time.
fn step_until(harness: &mut Harness<'_, Desk>, what: &str, done: impl Fn(&Desk) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    harness.step();
}

fn loaded(harness: &mut Harness<'_, Desk>) {
    step_until(harness, "the queue", |desk| {
        desk.review().is_some() && !desk.is_busy()
    });
}

/// (image, label, verdict, category, severity, withdrawn) of each voted pair's latest event in
/// the log, pairs in the order first voted on.
type VoteRow = (u32, u16, String, Option<String>, Option<String>, bool);

fn votes(project: &Path) -> Vec<VoteRow> {
    let conn = rusqlite::Connection::open(project).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT image_idx, label, COALESCE(verdict, ''), category, severity, verdict IS NULL
             FROM vote_events e
             WHERE id = (SELECT MAX(id) FROM vote_events f
                         WHERE f.image_idx = e.image_idx AND f.label = e.label)
             ORDER BY (SELECT MIN(id) FROM vote_events g
                       WHERE g.image_idx = e.image_idx AND g.label = e.label)",
        )
        .unwrap();
    statement
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn mla_relabeled(desk: &Desk) -> f64 {
    desk.review().unwrap().live.report().models[0]
        .mla_relabeled
        .unwrap()
}

fn current_pair(desk: &Desk) -> (u32, u16) {
    let item = desk.current().unwrap();
    (item.image, item.label)
}

#[test]
fn a_new_reviewer_is_asked_for_a_name_once() {
    let sample = sample(None);
    let mut harness = desk(&sample.project);
    harness.run_steps(2);
    harness.get_by_label_contains("Who is reviewing?");
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text("Tess");
    harness.run_steps(2);
    harness.key_press(Key::Enter);
    loaded(&mut harness);
    harness.get_by_label("Reviewer: Tess");
    let stored = Project::open(&sample.project)
        .unwrap()
        .setting(SETTING_REVIEWER)
        .unwrap();
    assert_eq!(stored.as_deref(), Some("Tess"));
    // Opening again asks no more.
    let mut again = desk(&sample.project);
    loaded(&mut again);
    assert!(again.query_by_label_contains("Who is reviewing?").is_none());
}

#[test]
fn voting_with_keys_writes_sqlite_moves_the_metrics_and_undo_restores() {
    let sample = sample(Some("tess"));
    let mut harness = desk(&sample.project);
    loaded(&mut harness);
    let before = mla_relabeled(harness.state());
    let first = current_pair(harness.state());

    harness.key_press(Key::C);
    harness.run_steps(2);
    let rows = votes(&sample.project);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].0, rows[0].1, rows[0].2.as_str()),
        (first.0, first.1, "correct")
    );
    assert!(matches!(harness.state().status(), Status::Saved(_)));
    harness.get_by_label_contains("saved: image");
    assert_ne!(mla_relabeled(harness.state()), before, "the live MLA moved");
    assert_ne!(
        current_pair(harness.state()),
        first,
        "moved on to the next pair"
    );

    // Wrong, then its category and severity: one vote, completed step by step.
    let second = current_pair(harness.state());
    harness.key_press(Key::W);
    harness.key_press(Key::Num2);
    harness.key_press(Key::M);
    harness.run_steps(2);
    let rows = votes(&sample.project);
    assert_eq!(rows.len(), 2);
    let expected = (second.0, second.1, "wrong".to_owned());
    assert_eq!((rows[1].0, rows[1].1, rows[1].2.clone()), expected);
    assert_eq!(rows[1].3.as_deref(), Some("fine_grained_oov"));
    assert_eq!(rows[1].4.as_deref(), Some("major"));

    // Undo three times: severity, category, then the wrong vote itself, then the first vote.
    for _ in 0..4 {
        harness.key_press(Key::Z);
        harness.run_steps(1);
    }
    let rows = votes(&sample.project);
    assert!(
        rows.iter().all(|row| row.5),
        "every vote withdrawn: {rows:?}"
    );
    let restored = mla_relabeled(harness.state());
    assert!((restored - before).abs() < 1e-12, "{restored} vs {before}");
    assert_eq!(
        current_pair(harness.state()),
        first,
        "undo goes back to the pair"
    );
}

#[test]
fn filters_narrow_the_queue_and_the_counts_follow() {
    let sample = sample(Some("tess"));
    let mut harness = desk(&sample.project);
    loaded(&mut harness);
    let all = harness.state().view_len();
    let review = harness.state().review().unwrap();
    let novel = review.queue.items().iter().filter(|i| i.novel).count();
    assert!(
        novel > 0 && novel < all,
        "the sample has novel and judged pairs"
    );
    harness.get_by_label("novel only").click();
    harness.run_steps(2);
    assert_eq!(harness.state().view_len(), novel);
    harness.get_by_label_contains(&format!("1 of {novel} shown"));
    assert!(harness.state().current().unwrap().novel);
}

#[test]
fn an_import_error_shows_a_message_and_changes_nothing() {
    let sample = sample(Some("tess"));
    let mut harness = desk(&sample.project);
    loaded(&mut harness);
    let bad = sample.folder.join("broken.npy");
    std::fs::write(&bad, b"\x93NUMPY\x01\x00 this is not a real header").unwrap();
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .start_import(&ctx, ImportKind::Predictions, "sample", vec![bad]);
    step_until(&mut harness, "the import to fail", |desk| !desk.is_busy());
    let Status::Error(message) = harness.state().status().clone() else {
        panic!("expected an error, got {:?}", harness.state().status());
    };
    assert!(message.contains("broken.npy"), "{message}");
    harness.get_by_label_contains("broken.npy");
    let project = Project::open(&sample.project).unwrap();
    let dataset = project.dataset("sample").unwrap();
    assert_eq!(
        project.models(dataset.id).unwrap().len(),
        1,
        "nothing imported"
    );
}

#[test]
fn a_missing_or_corrupt_image_shows_a_placeholder_with_its_path() {
    let sample = sample(Some("tess"));
    let mut harness = desk(&sample.project);
    loaded(&mut harness);
    let first = harness.state().current().unwrap().image;
    let path = harness.state().review().unwrap().image_path(first);
    std::fs::remove_file(&path).unwrap();
    // The next item's file is garbage.
    let second = {
        let desk = harness.state();
        let review = desk.review().unwrap();
        let items = review.queue.items();
        let next = items.iter().find(|i| i.image != first).unwrap().image;
        review.image_path(next)
    };
    std::fs::write(&second, b"not a jpeg at all").unwrap();
    let mut fresh = desk(&sample.project);
    loaded(&mut fresh);
    let file = path.display().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while fresh
        .query_by_label_contains("Image file not found")
        .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "no placeholder for the missing file"
        );
        std::thread::sleep(Duration::from_millis(10));
        fresh.step();
    }
    fresh.get_by_label_contains(&file);
    // Walk to the corrupt one: it gets its own placeholder, and the desk keeps running.
    for _ in 0..fresh.state().view_len() {
        if fresh
            .state()
            .review()
            .unwrap()
            .image_path(fresh.state().current().unwrap().image)
            == second
        {
            break;
        }
        fresh.key_press(Key::ArrowRight);
        fresh.run_steps(1);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while fresh.query_by_label_contains("cannot be shown").is_none() {
        assert!(
            Instant::now() < deadline,
            "no placeholder for the corrupt file"
        );
        std::thread::sleep(Duration::from_millis(10));
        fresh.step();
    }
}
