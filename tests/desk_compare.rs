//! The desk's comparison window, driven headlessly: open it with V, compare a dataset with its
//! replica, click a model, and the review queue shows that model's pairs on the replica.

use bagel::desk::{Desk, SETTING_REVIEWER};
use bagel::import::{PredictionImport, import_images, import_predictions};
use bagel::progress::Silent;
use bagel::store::Project;
use bagel::vocab::Vocabulary;
use egui::Key;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Top-1 .npy (int64, N × 1).
fn top1_npy(path: &Path, classes: &[u16]) {
    let dict = format!(
        "{{'descr': '<i8', 'fortran_order': False, 'shape': ({}, 1), }}",
        classes.len()
    );
    let mut header = dict;
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend(classes.iter().flat_map(|&c| (c as i64).to_le_bytes()));
    std::fs::write(path, bytes).unwrap();
}

/// "val" (8 images) and its replica "v2" (4 images), labels over classes 0 and 1; models A
/// (says 2 on the hard images), B (says 3) and C (always right) on both.
fn project(dir: &Path) -> PathBuf {
    let path = dir.join("p.bagel");
    let mut project = Project::create(&path, &Vocabulary::imagenet1k()).unwrap();
    let sides: [(&str, &[u16], usize); 2] = [
        ("val", &[0, 0, 0, 0, 1, 1, 1, 1], 4),
        ("v2", &[0, 0, 1, 1], 1),
    ];
    for (dataset, labels, easy) in sides {
        let list: String = (labels.iter().enumerate())
            .map(|(i, l)| format!("{dataset}_{i}.jpg,{l}\n"))
            .collect();
        let images = dir.join(format!("{dataset}.csv"));
        std::fs::write(&images, format!("file,label\n{list}")).unwrap();
        import_images(&mut project, dataset, &images, None, &Silent).unwrap();
        let mut files = Vec::new();
        for (model, hard) in [("A", Some(2)), ("B", Some(3)), ("C", None)] {
            let top1: Vec<u16> = (labels.iter().enumerate())
                .map(|(i, &l)| if i >= easy { hard.unwrap_or(l) } else { l })
                .collect();
            let file = dir.join(format!("{dataset}_{model}.npy"));
            top1_npy(&file, &top1);
            files.push((model.to_owned(), file));
        }
        let request = PredictionImport {
            dataset,
            files: &files,
            order: None,
            top_k: None,
            replace: false,
            reverse_ranks: false,
        };
        import_predictions(&mut project, &request, &Silent).unwrap();
    }
    project.set_setting(SETTING_REVIEWER, "ana").unwrap();
    path
}

fn step_until(harness: &mut Harness<'_, Desk>, what: &str, done: impl Fn(&Desk) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    harness.step();
}

#[test]
fn clicking_a_model_in_the_comparison_filters_the_queue_to_its_pairs_on_the_replica() {
    let dir = tempfile::tempdir().unwrap();
    let path = project(dir.path());
    let mut harness = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| Desk::new(&cc.egui_ctx, &path));
    step_until(&mut harness, "val loaded", |desk| {
        desk.review().is_some_and(|r| r.dataset.name == "val") && !desk.is_busy()
    });
    harness.key_press(Key::V);
    harness.step();
    harness
        .get_by_role_and_label(Role::Button, "Compare")
        .click();
    harness.step();
    harness.step();
    // The table lists the three models; A's button filters the queue.
    harness.get_by_role_and_label(Role::Button, "A").click();
    step_until(&mut harness, "v2's queue narrowed to A", |desk| {
        desk.review().is_some_and(|r| r.dataset.name == "v2")
            && !desk.is_busy()
            && matches!(desk.status(), bagel::desk::Status::Info(s) if s.contains("A's pairs"))
    });
    let desk = harness.state();
    let review = desk.review().unwrap();
    let a = (review.evaluation.models.iter())
        .position(|(n, _)| n == "A")
        .unwrap() as u16;
    let of_a = review
        .queue
        .items()
        .iter()
        .filter(|i| i.models.contains(&a))
        .count();
    assert!(
        of_a > 0 && of_a < review.queue.len(),
        "A's pairs are some of the queue"
    );
    assert_eq!(desk.view_len(), of_a);
    assert!(desk.current().unwrap().models.contains(&a));
}
