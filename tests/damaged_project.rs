//! A project file damaged outside bagel (a blob cut short, an id no class has, a class row
//! gone) is found out on load: `metrics` says which model or label source is damaged and how
//! to repair it, instead of panicking or printing figures computed from garbage.

mod common;

use common::*;

/// Damages the fixture project with `sql`, then checks that `bagel metrics` refuses it with a
/// message holding every `must_mention`.
fn metrics_refuse_after(sql: &str, must_mention: &[&str]) {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let conn = rusqlite::Connection::open(&project).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    let run = bagel(&["metrics", project.to_str().unwrap(), "--dataset", "val"]);
    assert!(
        !run.ok,
        "metrics printed figures from a damaged project:\n{}",
        run.stdout
    );
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
    for needle in must_mention {
        assert!(
            run.stderr.contains(needle),
            "message {:?} lacks {needle:?}",
            run.stderr
        );
    }
}

const MULTILABEL_SOURCE: &str = "(SELECT id FROM label_sources WHERE kind = 'multilabel')";

#[test]
fn a_prediction_blob_cut_short_names_the_model() {
    metrics_refuse_after(
        "UPDATE predictions SET class_ids = substr(class_ids, 1, length(class_ids) - 2);",
        &["model \"m\"", "damaged", "34 bytes", "--replace"],
    );
}

#[test]
fn a_predicted_class_beyond_the_vocabulary_names_the_model() {
    metrics_refuse_after(
        "UPDATE predictions SET class_ids = CAST(X'E803' || substr(class_ids, 3) AS BLOB);",
        &["model \"m\"", "damaged", "class id 1000", "--replace"],
    );
}

#[test]
fn a_prediction_record_for_another_image_count_names_the_model() {
    metrics_refuse_after(
        "UPDATE predictions SET num_images = 3, top_k = 6;",
        &[
            "model \"m\"",
            "damaged",
            "3 images",
            "6 images",
            "--replace",
        ],
    );
}

#[test]
fn a_label_blob_of_odd_length_names_the_source() {
    metrics_refuse_after(
        &format!(
            "UPDATE label_lists SET correct = CAST(correct || X'19' AS BLOB) WHERE source_id = {MULTILABEL_SOURCE};"
        ),
        &[
            "label source \"multilabel\"",
            "damaged",
            "correct labels",
            "whole class ids",
            "--replace",
        ],
    );
}

#[test]
fn an_original_labels_blob_of_another_size_is_named_as_what_is_damaged() {
    for blob in ["X'01'", "'text'"] {
        metrics_refuse_after(
            &format!("UPDATE datasets SET labels = {blob};"),
            &[
                "the original labels of dataset \"val\"",
                "4 bytes for each of its 6 images",
            ],
        );
    }
}

#[test]
fn a_slice_blob_of_another_size_is_refused_before_it_is_read() {
    let insert = |blob: &str| {
        format!(
            "INSERT INTO slices (dataset_id, name, images, origin) VALUES (1, 'imagenet_m', {blob}, 'x');"
        )
    };
    // Room for 1,000 images in a dataset of 6; a blob cut mid-entry; text.
    for blob in ["zeroblob(4000)", "X'01'", "'2'"] {
        metrics_refuse_after(
            &insert(blob),
            &[
                "slice \"imagenet_m\"",
                "4 bytes for each of at most 6 images",
            ],
        );
    }
    metrics_refuse_after(
        &insert("X'07000000'"),
        &[
            "slice \"imagenet_m\"",
            "it lists image 7, but the dataset has 6 images",
        ],
    );
}

/// The first labeled image's first correct label becomes 65535, which no class has.
#[test]
fn a_label_of_no_class_names_the_source_and_the_image() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let conn = rusqlite::Connection::open(&project).unwrap();
    let (images, mut correct): (usize, Vec<u8>) = conn
        .query_row(
            &format!(
                "SELECT num_images, correct FROM label_lists WHERE source_id = {MULTILABEL_SOURCE}"
            ),
            [],
            |row| Ok((row.get::<_, i64>(0)? as usize, row.get(1)?)),
        )
        .unwrap();
    let offset = |image: usize| {
        u32::from_le_bytes(correct[4 * image..4 * image + 4].try_into().unwrap()) as usize
    };
    let image = (0..images).find(|&i| offset(i + 1) > offset(i)).unwrap();
    let at = 4 * (images + 1) + 2 * offset(image);
    correct[at..at + 2].copy_from_slice(&[0xFF, 0xFF]);
    conn.execute(
        &format!("UPDATE label_lists SET correct = ?1 WHERE source_id = {MULTILABEL_SOURCE}"),
        [correct],
    )
    .unwrap();
    drop(conn);
    let run = bagel(&["metrics", project.to_str().unwrap(), "--dataset", "val"]);
    assert!(!run.ok, "metrics printed figures:\n{}", run.stdout);
    for needle in [
        "label source \"multilabel\"".to_string(),
        format!("image {image}"),
        "class id 65535".into(),
        "--replace".into(),
    ] {
        assert!(
            run.stderr.contains(&needle),
            "{:?} lacks {needle:?}",
            run.stderr
        );
    }
}

#[test]
fn a_missing_class_row_is_named() {
    metrics_refuse_after(
        "DELETE FROM classes WHERE idx = 500;",
        &["damaged", "class 500"],
    );
}

#[test]
fn an_original_label_or_decision_beyond_the_vocabulary_is_named() {
    metrics_refuse_after(
        "UPDATE datasets SET labels = CAST(substr(labels, 1, 8) || X'E8030000' || substr(labels, 13) AS BLOB);",
        &[
            "damaged",
            "ILSVRC2012_val_00000003.JPEG",
            "original label 1000",
        ],
    );
    metrics_refuse_after(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO decisions (dataset_id, image_idx, label, kind, verdict, source, decided_at)
         VALUES (1, 0, 4000, 'panel', 'correct', 'panel', 'now');",
        &["damaged", "decision on image 0", "label 4000"],
    );
}

#[test]
fn a_stored_value_of_another_type_is_named_by_column_with_the_projects_path() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    let conn = rusqlite::Connection::open(&project).unwrap();
    conn.execute_batch("UPDATE predictions SET top_k = 'five';")
        .unwrap();
    drop(conn);
    for command in ["metrics", "confusions"] {
        let run = bagel(&[command, p, "--dataset", "val"]);
        run.fails_with(&format!(
            "{p} is not readable as bagel expects (column \"top_k\" holds Text where bagel stores another type)"
        ));
        assert!(!run.stderr.contains("index:"), "{}", run.stderr);
    }
}
