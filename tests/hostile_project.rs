//! A project file or an input from someone else is data: names reach the terminal escaped,
//! a damaged file is described in bagel's words, an oversized float array is refused from its
//! header, a gzip of repeated rows is refused before it fills the memory.

mod common;

use bagel::panel::voting::Ballot;
use bagel::panel::{Round, Verdict, Vote, VoteEvent};
use bagel::store::Project;
use common::{Fixture, bagel, bagel_ok, file_name, npy, on_val};
use std::io::Write as _;

fn vote_with_note(reviewer: &str, verdict: Verdict, note: &str) -> VoteEvent {
    VoteEvent {
        reviewer: reviewer.into(),
        round: Round::Independent,
        cast_at: "2026-11-24T09:00:00.000Z".into(),
        image: 0,
        label: 281,
        vote: Some(Vote {
            note: note.into(),
            ..Vote::new(0, 281, verdict)
        }),
    }
}

#[test]
fn escape_sequences_in_names_and_notes_do_not_reach_the_terminal() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let p = path.to_str().unwrap();
    let mut project = Project::open(&path).unwrap();
    let dataset = project.dataset("val").unwrap();
    let files = project.images(dataset.id).unwrap().files;
    let ballot = Ballot {
        dataset: &dataset,
        files: &files,
    };
    let votes = [
        vote_with_note("ana", Verdict::Correct, "fine\u{1b}[2J"),
        vote_with_note("ben", Verdict::Wrong, "no"),
    ];
    ballot.merge(&mut project, &votes).unwrap();
    drop(project);
    // A sender renames the model and stores a slice by hand, escape codes included.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE models SET name = 'm' || char(27) || '[31mred';
         INSERT INTO slices (dataset_id, name, images, origin)
         VALUES (1, 's' || char(27) || ']0;title' || char(7), X'00000000', 'by hand');",
    )
    .unwrap();
    drop(conn);
    for args in [
        vec!["info", p],
        vec!["metrics", p, "--dataset", "val"],
        vec!["discussion", p, "--dataset", "val"],
    ] {
        let out = bagel_ok(&args);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{args:?}: {out:?}"
        );
        assert!(
            out.contains("\\u{1b}"),
            "{args:?} shows the escape as text: {out}"
        );
    }
}

#[test]
fn a_damaged_project_is_described_in_bagels_words_with_its_path() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 16 * 1024;
    // The schema page stays; every page after it is overwritten.
    for byte in &mut bytes[page..] {
        *byte = 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let p = path.to_str().unwrap();
    for args in [
        vec!["info", p],
        vec!["metrics", p, "--dataset", "val"],
        vec!["export", "votes", p, "-"],
        vec!["check", p],
    ] {
        let run = bagel(&args);
        assert!(!run.ok, "{args:?}");
        assert!(run.stderr.contains(p), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("damaged"), "{args:?}: {}", run.stderr);
        for raw in ["malformed", "PROJECT_FILE", "Error code", "panicked"] {
            assert!(!run.stderr.contains(raw), "{args:?}: {}", run.stderr);
        }
    }
}

#[test]
fn a_float_array_announcing_too_many_columns_is_refused_from_its_header() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    // The header promises 6 × 10,000 floats; only a few bytes follow, so anything but the
    // header's column count would name a truncated file instead.
    let file = fixture.write("wide.npy", &npy("<f4", &[6, 10_000], &[0; 16]));
    let run = bagel(&on_val(
        &["import", "predictions"],
        path.to_str().unwrap(),
        &[file.to_str().unwrap()],
    ));
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("float array with 10000 columns; expected 1000 scores per image"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_gzip_of_one_row_repeated_is_refused_before_it_is_held() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"question,file,label,rater_id,answer\n")
        .unwrap();
    let row = format!("0,{},281,7,yes\n", file_name(0));
    for _ in 0..100_000 {
        gz.write_all(row.as_bytes()).unwrap();
    }
    let file = fixture.write("crowd_votes.csv.gz", &gz.finish().unwrap());
    let run = bagel(&on_val(
        &["import", "votes"],
        path.to_str().unwrap(),
        &[file.to_str().unwrap()],
    ));
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("line 3: more answers than the 1 questions × 1 raters"),
        "{}",
        run.stderr
    );
}

/// Every command reading the vote log (and `metrics` too, when `sql` damages a decision),
/// after `sql` changed the fixture's project behind bagel's back: each refuses, calling the
/// project damaged and naming `what`, never a panic.
fn every_log_reader_calls_it_damaged(sql: &str, what: &str, metrics_too: bool) {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let p = path.to_str().unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    let metrics = metrics_too.then_some("metrics");
    let readers = ["discussion", "agreement", "progress", "confusions", "check"];
    for command in readers.into_iter().chain(metrics) {
        let run = bagel(&[command, p, "--dataset", "val"]);
        assert!(!run.ok, "{command} printed: {}", run.stdout);
        assert!(
            run.stderr.contains("damaged") && run.stderr.contains(what),
            "{command}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    let export = bagel(&["export", "votes", p, "-"]);
    assert!(
        !export.ok && export.stderr.contains(what),
        "{}",
        export.stderr
    );
}

const A_VOTE: &str = "INSERT INTO vote_events (event_id, dataset_id, image_idx, label, reviewer,
    round, verdict, note, cast_at) VALUES (42, 1, ";

#[test]
fn a_stored_image_beyond_the_dataset_is_called_damaged_not_a_panic_nor_figures() {
    every_log_reader_calls_it_damaged(
        &format!(
            "{A_VOTE} 500, 281, 'ana', 'independent', 'wrong', '', '2026-11-24T09:00:00.000Z');
             INSERT INTO decisions (dataset_id, image_idx, label, kind, verdict, source, decided_at)
             VALUES (1, 500, 281, 'panel', 'wrong', 'panel', '2026-11-24T09:00:00.000Z');"
        ),
        "image 500",
        true,
    );
}

#[test]
fn a_stored_vote_time_that_is_no_time_is_called_damaged() {
    every_log_reader_calls_it_damaged(
        &format!("{A_VOTE} 4, 3, 'ana', 'independent', 'wrong', '', 'not a time');"),
        "\"not a time\" is not a time",
        false,
    );
}

#[test]
fn a_file_that_is_no_database_gets_nothing_created_beside_it() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let p = path.to_str().unwrap();
    // The page size (bytes 16-17 of SQLite's header) made impossible.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[16..18].copy_from_slice(&[0, 3]);
    std::fs::write(&path, &bytes).unwrap();
    for args in [
        vec!["info", p],
        vec!["metrics", p, "--dataset", "val"],
        vec!["check", p],
    ] {
        let run = bagel(&args);
        assert!(!run.ok, "{args:?} printed: {}", run.stdout);
        assert!(
            run.stderr.contains("not an SQLite database"),
            "{}",
            run.stderr
        );
    }
    let beside: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with("p.bagel-"))
        .collect();
    assert!(beside.is_empty(), "created beside it: {beside:?}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file itself unchanged"
    );
}
