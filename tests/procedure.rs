//! The panel's procedure as the CLI and the core enforce it: a quorum before anything is
//! decided, the chair who alone overrides and withdraws, the desk's spellings for `decide`,
//! the kappa named with the pairs it is over, the discussion of detail disagreements with the
//! current decision and a thread of notes, and a blind round that hides every trace of the
//! others' votes from a reviewer until they have voted.

mod common;

use bagel::panel::queue::PairStatus;
use bagel::panel::{Category, Review, Severity, Verdict, Vote};
use bagel::progress::Silent;
use bagel::store::Project;
use common::{Fixture, bagel, bagel_ok, file_name, on_val};
use std::path::Path;

fn vote(project: &Path, reviewer: &str, image: u32, label: u16, vote: Vote) {
    let mut opened = Project::open(project).unwrap();
    let mut review = Review::load(&opened, "val", reviewer, &Silent).unwrap();
    assert_eq!((vote.image, vote.label), (image, label));
    review.vote(&mut opened, vote).unwrap();
}

fn wrong(image: u32, label: u16, category: Category, severity: Severity) -> Vote {
    Vote {
        category: Some(category),
        severity: Some(severity),
        ..Vote::new(image, label, Verdict::Wrong)
    }
}

fn decision_of(project: &Path, image: u32, label: u16) -> Option<(Verdict, String)> {
    let opened = Project::open(project).unwrap();
    let dataset = opened.dataset("val").unwrap();
    (opened.decisions(dataset.id).unwrap().into_iter())
        .find(|d| (d.image, d.label) == (image, label))
        .map(|d| (d.verdict, d.source.to_string()))
}

fn mla_relabeled(project: &Path) -> f64 {
    let json = common::metrics_json(project, &[]);
    json["models"][0]["mla_relabeled"].as_f64().unwrap()
}

fn decide(project: &Path, extra: &[&str]) -> common::Run {
    let file = file_name(4);
    let mut args = vec![
        "decide",
        project.to_str().unwrap(),
        "--dataset",
        "val",
        "--image",
        &file,
        "--label",
        "n01491361",
    ];
    args.extend_from_slice(extra);
    bagel(&args)
}

/// `bagel note` by `reviewer` on (image, label) of val, or a reply to the note tagged `reply_to`.
fn note_args(
    project: &str,
    (image, label): (usize, &str),
    reviewer: &str,
    text: &str,
    reply_to: Option<&str>,
) -> Vec<String> {
    let image = file_name(image);
    let mut rest = vec![
        "--image",
        &image,
        "--label",
        label,
        "--reviewer",
        reviewer,
        "--text",
        text,
    ];
    rest.extend(
        reply_to
            .map(|tag| ["--reply-to", tag])
            .into_iter()
            .flatten(),
    );
    on_val(&["note"], project, &rest)
}

#[test]
fn below_the_quorum_a_pair_is_pending_and_moves_no_figure() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    assert!(
        bagel_ok(&["info", p]).contains("panel · quorum 1 · blind round on · chair none named")
    );
    let before = mla_relabeled(&project);
    let said = bagel_ok(&["config", p, "--quorum", "3"]);
    assert!(
        said.contains("quorum 3: decisions changed on 0 pairs"),
        "{said}"
    );
    assert!(bagel_ok(&["info", p]).contains("quorum 3"));

    // Goldfish image, predicted tiger shark: two say correct, still pending.
    vote(&project, "ana", 4, 3, Vote::new(4, 3, Verdict::Correct));
    vote(&project, "ben", 4, 3, Vote::new(4, 3, Verdict::Correct));
    assert_eq!(decision_of(&project, 4, 3), None);
    assert_eq!(
        mla_relabeled(&project),
        before,
        "a pending pair moves no figure"
    );
    let listed = bagel_ok(&["discussion", p, "--dataset", "val"]);
    assert!(listed.starts_with("0 pairs"), "{listed}");

    // The third vote reaches the quorum: decided, and MLA re-labeled moves.
    vote(&project, "cem", 4, 3, Vote::new(4, 3, Verdict::Wrong));
    let (verdict, source) = decision_of(&project, 4, 3).unwrap();
    assert_eq!((verdict, source.as_str()), (Verdict::Correct, "panel"));
    assert!(mla_relabeled(&project) > before);

    // Raising the quorum again re-decides at once: pending, the figure back.
    let said = bagel_ok(&["config", p, "--quorum", "4"]);
    assert!(said.contains("decisions changed on 1 pairs"), "{said}");
    assert_eq!(decision_of(&project, 4, 3), None);
    assert_eq!(mla_relabeled(&project), before);
    let zero = bagel(&["config", p, "--quorum", "0"]);
    zero.fails_with("--quorum must be from 1");
    // A setting written outside bagel is named, not read as the default.
    for (key, value) in [
        ("quorum", "-5"),
        ("quorum", "99999999999999999999"),
        ("blind_round", "x"),
        ("collapse_classes", "maybe"),
    ] {
        let conn = rusqlite::Connection::open(&project).unwrap();
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )
        .unwrap();
        drop(conn);
        let run = bagel(&["info", p]);
        run.fails_with(&format!("the setting \"{key}\": it holds \"{value}\""));
        assert!(run.stderr.contains("bagel config"), "{}", run.stderr);
        let conn = rusqlite::Connection::open(&project).unwrap();
        conn.execute("DELETE FROM settings WHERE key = ?1", [key])
            .unwrap();
    }
}

#[test]
fn only_the_chair_overrides_and_a_withdrawal_brings_the_panel_back() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    vote(&project, "ana", 4, 3, Vote::new(4, 3, Verdict::Wrong));
    let args = ["--verdict", "C", "--reason", "fin", "--reviewer", "tess"];
    let nobody = decide(&project, &args);
    nobody.fails_with("names no chair");
    Project::open(&project)
        .unwrap()
        .set_chair(Some("tess"))
        .unwrap();
    let impostor = decide(
        &project,
        &["--verdict", "C", "--reason", "fin", "--reviewer", "ana"],
    );
    impostor.fails_with("only the chair (tess)");
    let said = decide(&project, &args);
    assert!(
        said.ok && said.stdout.contains("correct by chair tess (fin)"),
        "{}",
        said.stderr
    );
    assert_eq!(decision_of(&project, 4, 3).unwrap().1, "chair tess");

    let withdrawn = decide(&project, &["--withdraw", "--reviewer", "tess"]);
    assert!(
        withdrawn.ok && withdrawn.stdout.contains("withdrawn"),
        "{}",
        withdrawn.stderr
    );
    assert_eq!(
        decision_of(&project, 4, 3),
        Some((Verdict::Wrong, "panel".into())),
        "the panel's decision is back"
    );
    let again = decide(&project, &["--withdraw", "--reviewer", "tess"]);
    again.fails_with("nothing to withdraw");
    // Both the override and its withdrawal stay in the pair's history.
    let opened = Project::open(&project).unwrap();
    let dataset = opened.dataset("val").unwrap();
    let chair: Vec<bool> = (opened.pair_history(dataset.id, 4, 3).unwrap().iter())
        .filter(|e| e.reviewer == "tess")
        .map(|e| e.vote.is_some())
        .collect();
    assert_eq!(chair, [true, false]);
}

#[test]
fn decide_takes_the_desks_spellings_and_names_what_is_wrong() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    Project::open(&project)
        .unwrap()
        .set_chair(Some("tess"))
        .unwrap();
    let chair = ["--reason", "a fin", "--reviewer", "tess"];
    let with = |extra: &[&str]| decide(&project, &[extra, &chair[..]].concat());
    let said = with(&["--verdict", "w", "--category", "2", "--severity", "M"]);
    assert!(said.ok, "{}", said.stderr);
    assert!(
        said.stdout
            .contains("wrong · fine_grained_oov · major by chair tess"),
        "{}",
        said.stdout
    );
    let bad = with(&["--verdict", "wrong", "--category", "7"]);
    assert!(!bad.ok);
    for expected in ["--category", "'7'", "fine_grained", "non_prototypical"] {
        assert!(bad.stderr.contains(expected), "{expected}: {}", bad.stderr);
    }
    let bad = with(&["--verdict", "wrong", "--severity", "X"]);
    assert!(
        bad.stderr.contains("--severity") && bad.stderr.contains("major"),
        "{}",
        bad.stderr
    );
    let empty = decide(
        &project,
        &["--verdict", "C", "--reason", "  ", "--reviewer", "tess"],
    );
    empty.fails_with("--reason is empty");
    let detail = with(&["--verdict", "correct", "--severity", "N"]);
    assert!(
        !detail.ok
            && detail
                .stderr
                .contains("only a wrong verdict takes a category"),
        "{}",
        detail.stderr
    );
}

#[test]
fn agreement_names_its_kappa_and_the_pairs_it_is_over() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    // Three votes on (4, 3), two on (0, 282): the rater counts vary.
    for reviewer in ["ana", "ben", "cem"] {
        vote(&project, reviewer, 4, 3, Vote::new(4, 3, Verdict::Correct));
    }
    vote(&project, "ana", 0, 282, Vote::new(0, 282, Verdict::Correct));
    vote(&project, "ben", 0, 282, Vote::new(0, 282, Verdict::Wrong));
    let text = bagel_ok(&["agreement", p, "--dataset", "val"]);
    assert!(text.contains("Gwet's kappa"), "{text}");
    assert!(
        text.contains("over 2 pairs with two or more votes"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&bagel_ok(&on_val(&["agreement"], p, &["--json"]))).unwrap();
    assert_eq!(json["verdict"]["kappa_name"], "gwet");
    assert!(json["verdict"]["kappa"].is_f64());
    // Fleiss' key and its one rater count are for Fleiss' kappa only.
    assert!(json["verdict"]["fleiss_kappa"].is_null(), "{json}");
    assert!(json["verdict"]["raters_per_item"].is_null(), "{json}");
    assert_eq!(json["verdict"]["items"], 2);
    assert_eq!(json["verdict"]["chance_items"], 2);
    // The category of wrong votes: one wrong vote, no pair of raters: kappa undefined.
    assert!(json["category"]["kappa"].is_null());
    // The same number of votes on every pair: Fleiss'.
    vote(&project, "cem", 0, 282, Vote::new(0, 282, Verdict::Wrong));
    let text = bagel_ok(&["agreement", p, "--dataset", "val"]);
    assert!(
        text.contains("Fleiss' kappa") && text.contains("over 2 pairs"),
        "{text}"
    );
}

#[test]
fn the_discussion_lists_detail_disagreements_with_the_decision_and_a_thread() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    // The koala case: all wrong, categories 1/1/3, severities M/N/M.
    for (reviewer, category, severity) in [
        ("ana", Category::FineGrained, Severity::Major),
        ("ben", Category::FineGrained, Severity::Minor),
        ("cem", Category::Spurious, Severity::Major),
    ] {
        vote(&project, reviewer, 4, 3, wrong(4, 3, category, severity));
    }
    let said = bagel_ok(&note_args(p, (4, "3"), "ana", "the fin is a shark's", None));
    let tag = said.split_whitespace().nth(1).unwrap().to_owned();
    assert!(tag.starts_with('#') && tag.len() == 17, "{said}");
    bagel_ok(&note_args(
        p,
        (4, "3"),
        "cem",
        "no, a goldfish's",
        Some(&tag),
    ));
    let bad_reply = bagel(&note_args(p, (0, "282"), "cem", "elsewhere", Some(&tag)));
    bad_reply.fails_with(&format!(
        "the note to reply to, {tag}, is a note on another pair"
    ));
    let nowhere = bagel(&note_args(p, (4, "3"), "cem", "?", Some("#deadbeef")));
    nowhere.fails_with(
        "the note to reply to, #00000000deadbeef, is no note of this dataset; `bagel discussion` lists",
    );

    let listed = bagel_ok(&["discussion", p, "--dataset", "val"]);
    assert!(
        listed.starts_with("1 pairs of val whose independent votes disagree"),
        "{listed}"
    );
    assert!(
        listed.contains("disagree on category · severity"),
        "{listed}"
    );
    assert!(
        listed.contains("now: wrong · fine_grained · major (panel, unanimous (3))"),
        "{listed}"
    );
    let note = listed.find(&format!("{tag} ana")).expect(&listed);
    let reply = listed.find("cem (").expect(&listed);
    assert!(note < reply, "the reply under its note: {listed}");
    let reply_line = listed
        .lines()
        .find(|l| l.contains("no, a goldfish's"))
        .unwrap();
    let note_line = listed
        .lines()
        .find(|l| l.contains("the fin is a shark's"))
        .unwrap();
    let indent = |line: &str| line.len() - line.trim_start().len();
    assert!(indent(reply_line) > indent(note_line), "{listed}");
}

#[test]
fn the_blind_round_hides_every_trace_of_the_others_until_i_vote() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    vote(&project, "ana", 4, 3, Vote::new(4, 3, Verdict::Correct));
    vote(&project, "cem", 4, 3, Vote::new(4, 3, Verdict::Wrong));
    let mut opened = Project::open(&project).unwrap();
    opened.set_chair(Some("tess")).unwrap();
    let mut review = Review::load(&opened, "val", "ben", &Silent).unwrap();
    let unreviewed = |r: &Review| r.live.report().models[0].mla_relabeled;
    let mla = unreviewed(&review);
    assert!(review.decision(4, 3).is_none(), "the decision is hidden");
    assert!(!review.is_disputed(4, 3) && !review.is_decided(4, 3));
    assert_eq!(
        review.reviewed_counts(),
        (0, 0),
        "counters count nothing of the others'"
    );
    assert!(review.labels_added(4).is_empty());
    // The chair is not blind: the tie is unclear, a valid label, and MLA re-labeled moved.
    let chair = Review::load(&opened, "val", "tess", &Silent).unwrap();
    assert!(chair.is_disputed(4, 3));
    assert_eq!(chair.decision(4, 3).unwrap().verdict, Verdict::Unclear);
    assert!(
        unreviewed(&chair) != mla,
        "the chair's figures take the decision in"
    );
    // Once I have voted, everything shows and the figures move.
    review
        .vote(&mut opened, Vote::new(4, 3, Verdict::Correct))
        .unwrap();
    assert_eq!(review.decision(4, 3).unwrap().verdict, Verdict::Correct);
    assert!(review.is_disputed(4, 3));
    assert_eq!(review.reviewed_counts(), (1, 1));
    assert!(unreviewed(&review) != mla);
}

#[test]
fn assign_shares_the_pairs_and_progress_counts_what_is_left() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    // The queue holds two pairs: bathtub predicted tub, goldfish predicted tiger shark.
    let args = [
        "assign",
        p,
        "--dataset",
        "val",
        "--reviewers",
        "ana,ben,cem",
        "--per-pair",
        "2",
        "--seed",
        "1",
    ];
    let said = bagel_ok(&args);
    assert!(
        said.starts_with("2 pairs of val × 2 reviewers each: 4 assignments, 4 new"),
        "{said}"
    );
    let again = bagel_ok(&args);
    assert!(
        again.contains("4 assignments, 0 new"),
        "the same seed, the same plan: {again}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&bagel_ok(&on_val(&["progress"], p, &["--json"]))).unwrap();
    let rows = json["reviewers"].as_array().unwrap();
    let assigned: Vec<u64> = rows
        .iter()
        .map(|r| r["assigned"].as_u64().unwrap())
        .collect();
    assert_eq!(assigned.iter().sum::<u64>(), 4);
    assert!(
        assigned.iter().all(|&n| n == 1 || n == 2),
        "balanced: {assigned:?}"
    );

    // Ana votes on each of her pairs: nothing left for her.
    let opened = Project::open(&project).unwrap();
    let dataset = opened.dataset("val").unwrap();
    let hers: Vec<(u32, u16)> = (opened.assignments(dataset.id).unwrap().into_iter())
        .filter(|a| a.reviewer == "ana")
        .map(|a| (a.image, a.label))
        .collect();
    drop(opened);
    for &(image, label) in &hers {
        vote(
            &project,
            "ana",
            image,
            label,
            Vote::new(image, label, Verdict::Correct),
        );
    }
    let table = bagel_ok(&["progress", p, "--dataset", "val"]);
    let ana = table.lines().find(|l| l.starts_with("ana")).unwrap();
    let cells: Vec<&str> = ana.split_whitespace().collect();
    let n = hers.len().to_string();
    assert_eq!(
        cells[1..5],
        [n.as_str(), n.as_str(), "0", n.as_str()],
        "{table}"
    );

    // The desk's "assigned to me" filter keeps exactly her pairs.
    let opened = Project::open(&project).unwrap();
    let review = Review::load(&opened, "val", "ana", &Silent).unwrap();
    let filter = bagel::panel::QueueFilter {
        assigned_to_me: true,
        ..Default::default()
    };
    let kept: Vec<(u32, u16)> = (review.queue.items().iter())
        .filter(|item| filter.keeps(item, None, review.state(item)))
        .map(|item| (item.image, item.label))
        .collect();
    let mut expected = hers.clone();
    expected.sort();
    assert_eq!(kept, expected);

    let bad = bagel(&on_val(
        &["assign"],
        p,
        &["--reviewers", "ana", "--per-pair", "2"],
    ));
    assert!(
        !bad.ok
            && bad
                .stderr
                .contains("--per-pair 2 must be between 1 and the 1"),
        "{}",
        bad.stderr
    );
}

#[test]
fn confusions_count_mistakes_votes_and_decisions_per_class_pair() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    vote(&project, "ana", 4, 3, Vote::new(4, 3, Verdict::Wrong));
    let table = bagel_ok(&["confusions", p, "--dataset", "val"]);
    assert!(
        table.starts_with("2 confusions of val; most mistakes first"),
        "{table}"
    );
    let shark = table
        .lines()
        .find(|l| l.contains("goldfish"))
        .expect(&table);
    let cells: Vec<&str> = shark.split_whitespace().collect();
    // 1 mistake, 1 image, 1 voted, 1 decided.
    assert_eq!(cells[..4], ["1", "1", "1", "1"], "{table}");
    assert!(shark.contains("→ 3 tiger shark"), "{shark}");
    let json: serde_json::Value = serde_json::from_str(&bagel_ok(&on_val(
        &["confusions"],
        p,
        &["--model", "m", "--top", "1", "--json"],
    )))
    .unwrap();
    assert_eq!(json["confusions"], 2);
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["distance"].as_u64().is_some());
    let bad = bagel(&on_val(&["confusions"], p, &["--model", "nope"]));
    bad.fails_with("no such model; it has m");
}

#[test]
fn config_image_root_is_stored_relative_to_the_project_folder() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    std::fs::create_dir_all(fixture.path("pictures/val")).unwrap();
    let said = bagel_ok(&on_val(
        &["config"],
        p,
        &[
            "--image-root",
            fixture.path("pictures/val").to_str().unwrap(),
        ],
    ));
    assert!(said.contains("(stored as \"pictures/val\")"), "{said}");
    // Named as a bare file name from its own folder, as the README's tour does: the same.
    let from_its_folder = std::process::Command::new(env!("CARGO_BIN_EXE_bagel"))
        .current_dir(project.parent().unwrap())
        .args(["config", "p.bagel", "--dataset", "val"])
        .args(["--image-root", "pictures/val"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&from_its_folder.stdout);
    assert!(said.contains("(stored as \"pictures/val\")"), "{said}");
    // The project and its pictures move together: the root follows.
    let moved = tempfile::tempdir().unwrap();
    std::fs::rename(fixture.path("pictures"), moved.path().join("pictures")).unwrap();
    std::fs::copy(&project, moved.path().join("p.bagel")).unwrap();
    let opened = Project::open(&moved.path().join("p.bagel")).unwrap();
    let root = opened.dataset("val").unwrap().image_root.unwrap();
    assert_eq!(root, moved.path().join("pictures/val"));
    assert!(
        bagel_ok(&["info", moved.path().join("p.bagel").to_str().unwrap()])
            .contains(&moved.path().join("pictures/val").display().to_string())
    );
    // Outside the project's folder: absolute. A folder that is not there: named.
    let elsewhere = tempfile::tempdir().unwrap();
    let said = bagel_ok(&on_val(
        &["config"],
        p,
        &["--image-root", elsewhere.path().to_str().unwrap()],
    ));
    let canonical = std::fs::canonicalize(elsewhere.path()).unwrap();
    assert!(
        said.contains(&format!(
            "(stored as {:?})",
            canonical.display().to_string()
        )),
        "{said}"
    );
    let missing = bagel(&on_val(
        &["config"],
        p,
        &["--image-root", "/no/such/folder"],
    ));
    missing.fails_with("/no/such/folder: no such folder");
    let no_dataset = bagel(&["config", p, "--image-root", "/tmp"]);
    no_dataset.fails_with("--dataset");
}

#[test]
fn notes_and_assignments_travel_with_the_votes_between_machines() {
    let fixture = Fixture::new();
    let machine_a = fixture.imported_project();
    let machine_b = fixture.path("b.bagel");
    std::fs::copy(&machine_a, &machine_b).unwrap();
    let (a, b) = (machine_a.to_str().unwrap(), machine_b.to_str().unwrap());
    bagel_ok(&on_val(
        &["assign"],
        a,
        &["--reviewers", "ana,ben", "--per-pair", "1"],
    ));
    vote(&machine_a, "ana", 4, 3, Vote::new(4, 3, Verdict::Wrong));
    let said = bagel_ok(&note_args(a, (4, "3"), "ana", "a fin, \"clearly\"", None));
    let tag = said.split_whitespace().nth(1).unwrap().to_owned();
    bagel_ok(&note_args(a, (4, "3"), "ben", "agreed", Some(&tag)));
    let out = fixture.path("a.csv");
    bagel_ok(&["export", "votes", a, out.to_str().unwrap()]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches(",note,2026").count(), 2, "{text}");
    assert_eq!(text.matches(",assignment,2026").count(), 2, "{text}");
    let merged = bagel_ok(&on_val(&["import", "votes"], b, &[out.to_str().unwrap()]));
    assert!(
        merged.contains("5 rows (1 vote, 2 notes and 2 assignments) read")
            && merged.contains("5 new"),
        "{merged}"
    );
    let again = bagel_ok(&on_val(&["import", "votes"], b, &[out.to_str().unwrap()]));
    assert!(again.contains("0 new"), "a union: {again}");
    // Machine B now holds the same thread and the same assignments.
    let logged = |path: &Path| {
        let opened = Project::open(path).unwrap();
        let dataset = opened.dataset("val").unwrap();
        (
            opened.notes(dataset.id).unwrap(),
            opened.assignments(dataset.id).unwrap(),
        )
    };
    let (notes, assignments) = logged(&machine_b);
    assert_eq!((notes.len(), assignments.len()), (2, 2));
    assert_eq!(
        notes[1].reply_to,
        Some(notes[0].id),
        "the reply still answers its note"
    );
    assert_eq!(logged(&machine_b), logged(&machine_a));
    let out_b = fixture.path("b.csv");
    bagel_ok(&["export", "votes", b, out_b.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(&out_b).unwrap(),
        text,
        "the same bytes"
    );
    // A reply whose note is nowhere is refused, naming it, and nothing is written.
    let orphan = format!(
        "reviewer,image,label,verdict,category,severity,note,round,cast_at,reply_to\n\
         cem,{},3,,,,lost,note,2026-12-01T10:00:00Z,#00000000000000ff\n",
        file_name(4)
    );
    let observer = common::Observer::of(&machine_b);
    let version = observer.version();
    let refused = bagel(&on_val(
        &["import", "votes"],
        b,
        &[fixture
            .write("orphan.csv", orphan.as_bytes())
            .to_str()
            .unwrap()],
    ));
    refused.fails_with(&format!(
        "orphan.csv: cem's note \"lost\" on {} / 3 tiger shark (n01491361) answers note #00000000000000ff, which neither",
        file_name(4)
    ));
    assert_eq!(observer.version(), version);
}

#[test]
fn a_withdrawn_override_travels_to_the_other_machine() {
    let fixture = Fixture::new();
    let machine_a = fixture.imported_project();
    Project::open(&machine_a)
        .unwrap()
        .set_chair(Some("tess"))
        .unwrap();
    vote(&machine_a, "ana", 4, 3, Vote::new(4, 3, Verdict::Wrong));
    assert!(
        decide(
            &machine_a,
            &["--verdict", "C", "--reason", "fin", "--reviewer", "tess"]
        )
        .ok
    );
    let machine_b = fixture.path("b.bagel");
    std::fs::copy(&machine_a, &machine_b).unwrap();
    let withdrawn = decide(&machine_a, &["--withdraw", "--reviewer", "tess"]);
    assert!(withdrawn.ok, "{}", withdrawn.stderr);
    let out = fixture.path("a.csv");
    let a = machine_a.to_str().unwrap();
    bagel_ok(&["export", "votes", a, out.to_str().unwrap()]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains(",withdrawn,,,,chair,"), "{text}");
    assert_eq!(decision_of(&machine_b, 4, 3).unwrap().1, "chair tess");
    let b = machine_b.to_str().unwrap();
    // A withdrawal is a chair-round row: it changes the decision, so it needs --accept-chair.
    bagel_ok(&on_val(
        &["import", "votes"],
        b,
        &["--accept-chair", out.to_str().unwrap()],
    ));
    assert_eq!(
        decision_of(&machine_b, 4, 3),
        Some((Verdict::Wrong, "panel".into())),
        "the withdrawal reached machine B"
    );
    // Its chair rows are in B's log now: the same file again needs no --accept-chair, and
    // neither does machine A's own export back into A. Nothing changes either time.
    let again = bagel_ok(&on_val(&["import", "votes"], b, &[out.to_str().unwrap()]));
    assert!(again.contains("0 new"), "{again}");
    let observer = common::Observer::of(&machine_a);
    let version = observer.version();
    let own = bagel(&on_val(&["import", "votes"], a, &[out.to_str().unwrap()]));
    assert!(own.ok && own.stderr.is_empty(), "{}", own.stderr);
    assert!(
        own.stdout
            .contains("2 rows (1 vote and 1 withdrawal) read from")
            && own.stdout.contains("0 new, 2 already there"),
        "{}",
        own.stdout
    );
    assert_eq!(observer.version(), version);
}

#[test]
fn under_the_blind_round_a_hidden_panel_decision_leaves_the_published_review_in_view() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    // A published review judged image 5's top prediction, tench, a wrong label.
    let file = common::spurious_review_of_image_5(&fixture);
    let args = ["import", "review", p, "--dataset", "val", "--model", "vit"];
    bagel_ok(&[&args[..], &[file.to_str().unwrap()]].concat());
    let opened = Project::open(&project).unwrap();
    let before_the_panel = Review::load(&opened, "val", "ben", &Silent).unwrap();
    let published = before_the_panel.decision(4, 3).cloned();
    assert_eq!(published.as_ref().map(|d| d.verdict), Some(Verdict::Wrong));

    vote(&project, "ana", 4, 3, Vote::new(4, 3, Verdict::Correct));
    let opened = Project::open(&project).unwrap();
    let blind = Review::load(&opened, "val", "ben", &Silent).unwrap();
    assert_eq!(
        blind.decision(4, 3).cloned(),
        published,
        "what ben sees is what he saw before the panel decided"
    );
    let window = blind.visible_decisions(&opened, None).unwrap();
    let on_the_pair: Vec<_> = window
        .iter()
        .filter(|d| (d.image, d.label) == (4, 3))
        .collect();
    assert_eq!(on_the_pair, [published.as_ref().unwrap()]);
    let ana = Review::load(&opened, "val", "ana", &Silent).unwrap();
    assert_eq!(
        ana.decision(4, 3).unwrap().verdict,
        Verdict::Correct,
        "ana voted: she sees the panel's"
    );
}
