//! The desk driven headlessly through egui_kittest: the real app on the bundled sample
//! project, keys and clicks as a panelist gives them, checked against the project file.

mod desk_support;

use bagel::desk::{Action, Command, Desk, ImportKind, Settings, Status};
use bagel::panel::{PairStatus, ReviewedFilter};
use bagel::store::Project;
use desk_support::{
    Memory, current_pair, desk_with, loaded, override_as_chair, person, sample, step_until,
};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use std::path::Path;
use std::time::{Duration, Instant};

/// The desk as tess, who has reviewed this project before.
fn desk(path: &Path) -> Harness<'static, Desk> {
    desk_with(path, person("tess", path))
}

/// A fresh sample project and the desk as tess on it, its dataset loaded.
fn loaded_sample() -> (desk_support::Sample, Harness<'static, Desk>) {
    let sample = sample();
    let mut harness = desk(&sample.project);
    loaded(&mut harness);
    (sample, harness)
}

/// Closes the desk as eframe does, saving its state, and returns what it saved.
fn saved(harness: &mut Harness<'_, Desk>) -> Memory {
    let mut memory = Memory::default();
    eframe::App::save(harness.state_mut(), &mut memory);
    memory
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

/// Whether a vote on the current pair can move the first model's re-labeled MLA: that model
/// made the mistake, on an image the multi-labels do not flag as problematic (those are
/// outside MLA's images, and a decision never brings one in).
/// How far a story walks the sample's queue looking for a pair before it gives up.
const QUEUE_WALK_LIMIT: usize = 200;

fn counts_in_first_models_mla(desk: &Desk) -> bool {
    let item = desk.current().unwrap();
    let labels = desk.review().unwrap().labels.as_ref().unwrap();
    item.models.contains(&0) && !labels.problematic[item.image as usize]
}

#[test]
fn the_name_is_the_persons_asked_once_per_project_and_listed_for_the_next() {
    let sample = sample();
    let mut harness = desk_with(&sample.project, Settings::default());
    harness.run_steps(2);
    harness.get_by_label_contains("Who is reviewing?");
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text("Tess");
    harness.run_steps(2);
    harness.key_press(Key::Enter);
    loaded(&mut harness);
    harness.get_by_label("Reviewer: Tess");
    harness.key_press(Key::C);
    harness.run_steps(1);
    // The name is in the person's settings, not in the shared project file.
    let memory = saved(&mut harness);
    let settings = Settings::load(Some(&memory));
    assert_eq!(settings.reviewer.as_deref(), Some("Tess"));
    let project = Project::open(&sample.project).unwrap();
    assert_eq!(project.setting("desk.reviewer").unwrap(), None);
    // Opening again asks no more.
    let mut again = desk_with(&sample.project, settings.clone());
    loaded(&mut again);
    assert!(again.query_by_label_contains("Who is reviewing?").is_none());
    // A copy of the file is another project: asked again, the name filled in, and the
    // project's reviewers listed to pick from; Esc closes the prompt without a name.
    let copy = sample.folder.join("copy.bagel");
    // Copied as a person would copy a closed project: its write-ahead log folded in.
    rusqlite::Connection::open(&sample.project)
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    std::fs::copy(&sample.project, &copy).unwrap();
    let mut other = desk_with(&copy, settings);
    other.run_steps(2);
    other.get_by_label_contains("Who is reviewing?");
    other.get_by_label_contains("Or pick one of this project's reviewers");
    other.get_by_role_and_label(egui::accesskit::Role::Button, "Tess");
    let field = other.get_by_role(egui::accesskit::Role::TextInput);
    assert_eq!(field.value().as_deref(), Some("Tess"));
    other.key_press(Key::Escape);
    other.run_steps(2);
    assert!(other.query_by_label_contains("Who is reviewing?").is_none());
    other.get_by_label_contains("Say who you are to start");
}

#[test]
fn voting_with_keys_writes_sqlite_moves_the_metrics_and_undo_restores() {
    let (sample, mut harness) = loaded_sample();
    // The sample's most confident mistakes are on problematic images: walk on to the first
    // pair a vote on moves Lite0's figure (rocket_body's "pedestal").
    for _ in 0..QUEUE_WALK_LIMIT {
        if counts_in_first_models_mla(harness.state()) {
            break;
        }
        harness.key_press(Key::ArrowRight);
        harness.run_steps(1);
    }
    assert!(
        counts_in_first_models_mla(harness.state()),
        "no pair within {QUEUE_WALK_LIMIT} steps of the queue's start moves the first model's MLA"
    );
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

    // One undo takes the whole W·2·M vote back, the next one the first vote.
    harness.key_press(Key::Z);
    harness.run_steps(1);
    let rows = votes(&sample.project);
    assert!(rows[1].5, "the wrong vote is withdrawn at once: {rows:?}");
    assert!(
        harness
            .state()
            .review()
            .unwrap()
            .my_vote(second.0, second.1)
            .is_none()
    );
    harness.key_press(Key::Z);
    harness.run_steps(1);
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
    let (_sample, mut harness) = loaded_sample();
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
    let (sample, mut harness) = loaded_sample();
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
        bagel::sample::MODELS.len(),
        "nothing imported"
    );
}

#[test]
fn a_missing_or_corrupt_image_shows_a_placeholder_with_its_path() {
    let (sample, harness) = loaded_sample();
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

#[test]
fn a_wrong_vote_without_its_details_is_marked_incomplete_and_found_by_its_filter() {
    let (_sample, mut harness) = loaded_sample();
    let pair = current_pair(harness.state());
    harness.key_press(Key::W);
    harness.key_press(Key::Num1);
    harness.run_steps(2);
    // Still on the pair (a wrong vote waits for its severity), marked in the status bar.
    assert_eq!(current_pair(harness.state()), pair);
    harness.get_by_label_contains("this vote is incomplete");
    assert!(
        matches!(harness.state().status(), Status::Saved(s) if s.ends_with("(incomplete: give M (major) or N (minor))")),
        "only the severity is missing: {:?}",
        harness.state().status()
    );
    assert_eq!(harness.state().counts().incomplete, 1);
    let mut settings = harness.state().settings().clone();
    settings.filter.reviewed = ReviewedFilter::Incomplete;
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .run_cmd(&ctx, Command::Settings(Box::new(settings)));
    harness.run_steps(2);
    assert_eq!(harness.state().view_len(), 1);
    assert_eq!(current_pair(harness.state()), pair);
    // N completes it: it leaves the filtered queue, and the counter follows.
    harness.key_press(Key::N);
    harness.run_steps(2);
    assert_eq!(harness.state().view_len(), 0);
    assert_eq!(harness.state().counts().incomplete, 0);
    harness.get_by_label_contains("No pair matches these filters");
    let review = harness.state().review().unwrap();
    let position = review.queue.position(pair.0, pair.1).unwrap();
    let state = review.state(&review.queue.items()[position]);
    assert!(state.mine && !state.incomplete);
}

#[test]
fn chosen_filters_come_back_after_a_restart() {
    let (sample, mut harness) = loaded_sample();
    let all = harness.state().view_len();
    harness.get_by_label("novel only").click();
    harness.run_steps(2);
    let narrowed = harness.state().view_len();
    assert!(narrowed < all, "{narrowed} of {all}");
    let memory = saved(&mut harness);
    let mut again = desk_with(&sample.project, Settings::load(Some(&memory)));
    loaded(&mut again);
    assert!(again.state().filter().novel_only);
    assert_eq!(again.state().view_len(), narrowed);
}

#[test]
fn the_help_and_the_buttons_read_the_one_key_table() {
    let (_sample, mut harness) = loaded_sample();
    harness.get_by_label("All keys").click();
    harness.run_steps(2);
    for action in Action::ALL {
        harness.get_by_label(&action.key_names());
    }
    harness.get_by_label("[W] wrong");
    harness.get_by_label("[2] fine-grained, out of vocabulary");
    assert!(
        harness
            .query_by_label_contains("fine_grained_oov")
            .is_none(),
        "no raw identifier on screen"
    );
}

#[test]
fn the_picker_ranks_whole_words_first_and_an_added_label_shows() {
    let (sample, mut harness) = loaded_sample();
    harness.key_press(Key::A);
    harness.run_steps(2);
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text("coat");
    harness.run_steps(2);
    let rows: Vec<String> = harness
        .query_all_by_label_contains(" · n0")
        .map(|node| node.accesskit_node().label().unwrap_or_default())
        .collect();
    let mut first: Vec<&str> = rows[..3]
        .iter()
        .map(|r| r.split(" · ").next().unwrap())
        .collect();
    first.sort();
    assert_eq!(first, ["fur coat", "lab coat", "trench coat"], "{rows:?}");
    let chosen = rows[0].split(" · ").next().unwrap().to_owned();
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    // Stored as a correct vote, and shown in the item's correct row.
    assert!(votes(&sample.project).iter().any(|v| v.2 == "correct"));
    harness.get_by_label(&format!("+ {chosen} (added by the panel)"));
    // Picked again, it is marked as already there; Esc closes the picker.
    harness.key_press(Key::A);
    harness.run_steps(2);
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text("coat");
    harness.run_steps(2);
    harness.get_by_label_contains("(already a label of this image)");
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("Add a valid label")
            .is_none()
    );
}

#[test]
fn the_blind_round_hides_the_others_until_i_have_voted() {
    let (sample, mut harness) = loaded_sample();
    let pair = current_pair(harness.state());
    // Ben, on another machine's desk or this file, votes first on the pair Tess is looking at.
    {
        let mut project = Project::open(&sample.project).unwrap();
        let mut ben =
            bagel::panel::Review::load(&project, "sample", "ben", &bagel::progress::Silent)
                .unwrap();
        let vote = bagel::panel::Vote {
            note: "a fin, not a ladle".into(),
            ..bagel::panel::Vote::new(pair.0, pair.1, bagel::panel::Verdict::Wrong)
        };
        ben.vote(&mut project, vote).unwrap();
    }
    harness.run_steps(3);
    assert_eq!(current_pair(harness.state()), pair);
    harness.get_by_label_contains("Blind round");
    assert!(harness.query_by_label_contains("ben:").is_none());
    assert!(harness.query_by_label_contains("Panel decision").is_none());

    harness.key_press(Key::C);
    harness.run_steps(2);
    harness.key_press(Key::ArrowLeft);
    harness.run_steps(2);
    assert_eq!(current_pair(harness.state()), pair, "back on the pair");
    harness.get_by_label_contains("ben: ");
    harness.get_by_label_contains("a fin, not a ladle");
    harness.get_by_label_contains("History of this pair (2 events)");
    assert!(harness.query_by_label_contains("Blind round").is_none());
}

/// Ben votes on the pair Tess is looking at, from another desk on the same file.
fn ben_votes(project: &Path, pair: (u32, u16), vote: bagel::panel::Vote) {
    let mut project = Project::open(project).unwrap();
    let mut ben =
        bagel::panel::Review::load(&project, "sample", "ben", &bagel::progress::Silent).unwrap();
    assert_eq!((vote.image, vote.label), pair);
    ben.vote(&mut project, vote).unwrap();
}

/// The round of Tess's latest event on a pair, as the log holds it.
fn tess_round(project: &Path, pair: (u32, u16)) -> String {
    let conn = rusqlite::Connection::open(project).unwrap();
    conn.query_row(
        "SELECT round FROM vote_events WHERE reviewer = 'tess' AND image_idx = ?1 AND label = ?2
         ORDER BY id DESC LIMIT 1",
        (pair.0, pair.1),
        |row| row.get(0),
    )
    .unwrap()
}

#[test]
fn a_split_vote_goes_to_discussion_where_votes_change_and_the_chair_decides_with_a_reason() {
    use bagel::panel::{Verdict, Vote};
    let sample = sample();
    // Tess chairs the panel (`bagel config P --chair tess`), so the chair's form is hers.
    Project::open(&sample.project)
        .unwrap()
        .set_chair(Some("tess"))
        .unwrap();
    let mut harness = desk(&sample.project);
    loaded(&mut harness);
    let pair = current_pair(harness.state());
    ben_votes(
        &sample.project,
        pair,
        Vote::new(pair.0, pair.1, Verdict::Wrong),
    );
    harness.run_steps(3);

    // Tess says correct: the independent votes split, so the pair is disputed.
    harness.key_press(Key::C);
    harness.run_steps(2);
    assert_eq!(harness.state().counts().disputed, 1);
    harness.get_by_label_contains("disputed 1");
    let mut filter = harness.state().settings().clone();
    filter.filter.disputed_only = true;
    harness.state_mut().run_cmd(
        &egui::Context::default(),
        Command::Settings(Box::new(filter)),
    );
    harness.run_steps(2);
    assert_eq!(
        harness.state().view_len(),
        1,
        "the discussion filter keeps the one pair"
    );
    assert_eq!(current_pair(harness.state()), pair);

    // D: the panel window lists it with Ben's vote beside Tess's.
    harness.key_press(Key::D);
    harness.run_steps(2);
    harness.get_by_label("Discussion (1)");
    let bens = harness.query_all_by_label_contains("ben: ✖ wrong").count();
    assert_eq!(bens, 2, "in the item panel and in the discussion list");
    harness.get_by_label_contains("tess: ✔ correct");

    // Tess is persuaded: in the discussion round she votes wrong, fine-grained, major.
    harness
        .get_all_by_label("discussion round")
        .next()
        .unwrap()
        .click();
    harness.run_steps(2);
    for key in [Key::W, Key::Num1, Key::M] {
        harness.key_press(key);
        harness.run_steps(1);
    }
    harness.run_steps(2);
    assert_eq!(tess_round(&sample.project, pair), "discussion");
    let review = harness.state().review().unwrap();
    let decision = review.live.decision(pair.0, pair.1).unwrap();
    assert_eq!(
        decision.verdict,
        Verdict::Wrong,
        "her discussion vote counts"
    );
    assert!(
        review.is_disputed(pair.0, pair.1),
        "the independent votes stay split"
    );

    // Agreement now: both panel votes say wrong.
    harness.get_by_label("Agreement").click();
    harness.run_steps(2);
    harness.get_by_label_contains("agreement 100.0%");
    // The mistake is the models' that made it, but no model is named as reviewed: the
    // mistake shares leave it out, and say so.
    harness.get_by_label("Reviewed mistakes").click();
    harness.run_steps(2);
    harness.get_by_label_contains("models not reviewed are left out");

    // D again closes the window; the chair overrules: correct, with a reason kept beside
    // the decision.
    harness.key_press(Key::D);
    harness.run_steps(2);
    override_as_chair(&mut harness, "correct", "the fin is a ladle's handle");
    let project = Project::open(&sample.project).unwrap();
    let dataset = project.dataset("sample").unwrap();
    let decided = (project.decisions(dataset.id).unwrap().into_iter())
        .find(|d| (d.image, d.label) == pair)
        .unwrap();
    assert_eq!(decided.verdict, Verdict::Correct);
    assert_eq!(decided.source, "chair tess");
    assert_eq!(decided.reason, "the fin is a ladle's handle");
    let live = harness
        .state()
        .review()
        .unwrap()
        .live
        .decision(pair.0, pair.1);
    assert_eq!(
        live.unwrap().verdict,
        Verdict::Correct,
        "the live figures follow"
    );
}

/// Waits for the running job and the reload after it.
fn settled(harness: &mut Harness<'_, Desk>) {
    step_until(harness, "the job", |desk| !desk.is_busy());
    loaded(harness);
}

#[test]
fn votes_from_another_machine_and_a_crowd_merge_from_the_file_menu_then_aggregate() {
    use bagel::panel::Verdict;
    let sample = sample();
    // What merges is the story here, so the panel sees every decision at once (the blind
    // round has its own stories in tests/desk_procedure.rs).
    Project::open(&sample.project)
        .unwrap()
        .set_blind_round(false)
        .unwrap();
    let mut harness = desk(&sample.project);
    loaded(&mut harness);
    let review = harness.state().review().unwrap();
    let [first, second] = [0, 1].map(|i| {
        let item = &review.queue.items()[i];
        (
            review.files[item.image as usize].clone(),
            item.image,
            item.label,
        )
    });
    let ctx = egui::Context::default();

    // Ana's vote, exported on her machine.
    let ana = sample.folder.join("ana_votes.csv");
    std::fs::write(
        &ana,
        format!(
            "reviewer,image,label,verdict,category,severity,note,round,cast_at\n\
             ana,{},{},wrong,spurious,major,,independent,2026-12-01T10:00:00.000Z\n",
            first.0, first.2
        ),
    )
    .unwrap();
    (harness.state_mut()).start_import(&ctx, ImportKind::Votes, "sample", vec![ana.clone()]);
    settled(&mut harness);
    assert!(
        matches!(harness.state().status(), Status::Info(s) if s.contains("1 vote read") && s.contains("1 new")),
        "{:?}",
        harness.state().status()
    );
    let decision = |harness: &Harness<'_, Desk>, image, label| {
        let review = harness.state().review().unwrap();
        review.live.decision(image, label).cloned()
    };
    let ana_decided = decision(&harness, first.1, first.2).unwrap();
    assert_eq!(
        ana_decided.verdict,
        Verdict::Wrong,
        "her vote decides the pair"
    );
    // The same file again changes nothing.
    (harness.state_mut()).start_import(&ctx, ImportKind::Votes, "sample", vec![ana]);
    settled(&mut harness);
    assert!(
        matches!(harness.state().status(), Status::Info(s) if s.contains("0 new")),
        "{:?}",
        harness.state().status()
    );

    // Three crowd raters all say yes to the second pair; alone, that decides nothing.
    let crowd = sample.folder.join("crowd_votes.csv");
    let rows: String = (1..=3)
        .map(|rater| format!("0,{},{},{rater},yes\n", second.0, second.2))
        .collect();
    std::fs::write(
        &crowd,
        format!("question,file,label,rater_id,answer\n{rows}"),
    )
    .unwrap();
    (harness.state_mut()).start_import(&ctx, ImportKind::Votes, "sample", vec![crowd]);
    settled(&mut harness);
    assert!(decision(&harness, second.1, second.2).is_none());

    // File > Aggregate crowd votes…, by majority: all yes, so correct.
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("Aggregate crowd votes…").click();
    harness.run_steps(3);
    harness.get_by_label("majority (maybe counts half)").click();
    harness.run_steps(2);
    harness.get_by_label("Aggregate").click();
    harness.run_steps(2);
    settled(&mut harness);
    let crowd_decided = decision(&harness, second.1, second.2).unwrap();
    assert_eq!(crowd_decided.verdict, Verdict::Correct);
    assert_eq!(crowd_decided.source, "majority");

    // The standing votes go out for the next machine.
    let out = sample.folder.join("out_votes.csv");
    (harness.state_mut()).run_cmd(&ctx, Command::ExportVotes(out.clone()));
    step_until(&mut harness, "the export", |desk| !desk.is_busy());
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("reviewer,image,label,verdict"));
    assert!(written.contains(&format!("ana,{},", first.0)), "{written}");
}

#[test]
fn undo_still_works_after_a_reload_for_changes_made_elsewhere() {
    let (sample, mut harness) = loaded_sample();
    let mine = current_pair(harness.state());
    harness.key_press(Key::C);
    harness.run_steps(2);
    // Ben votes on the next pair from another connection; the desk notices and reloads.
    let his = current_pair(harness.state());
    {
        let mut project = Project::open(&sample.project).unwrap();
        let mut ben =
            bagel::panel::Review::load(&project, "sample", "ben", &bagel::progress::Silent)
                .unwrap();
        let vote = bagel::panel::Vote::new(his.0, his.1, bagel::panel::Verdict::Wrong);
        ben.vote(&mut project, vote).unwrap();
    }
    step_until(&mut harness, "the reload", |desk| {
        matches!(desk.status(), Status::Info(s) if s.contains("made elsewhere")) && !desk.is_busy()
    });
    assert!(
        harness
            .state()
            .review()
            .unwrap()
            .my_vote(mine.0, mine.1)
            .is_some()
    );
    // My vote from before the reload is still mine to take back.
    harness.key_press(Key::Z);
    harness.run_steps(2);
    assert!(matches!(harness.state().status(), Status::Saved(s) if s.starts_with("undone")));
    let rows = votes(&sample.project);
    let withdrawn = |pair: (u32, u16)| rows.iter().find(|r| (r.0, r.1) == pair).unwrap().5;
    assert!(withdrawn(mine), "my vote is withdrawn: {rows:?}");
    assert!(!withdrawn(his), "ben's vote stands: {rows:?}");
    assert!(
        harness
            .state()
            .review()
            .unwrap()
            .my_vote(mine.0, mine.1)
            .is_none()
    );
    assert_eq!(
        current_pair(harness.state()),
        mine,
        "undo goes back to the pair"
    );
}

#[test]
fn a_long_message_is_cut_short_before_the_project_at_1280_by_800() {
    let (sample, mut harness) = loaded_sample();
    // An import error names the file: a long name makes a message wider than the window.
    let name = format!(
        "predictions_of_{}.npy",
        "a_model_with_a_long_name_".repeat(6)
    );
    let bad = sample.folder.join(&name);
    std::fs::write(&bad, b"\x93NUMPY\x01\x00 this is not a real header").unwrap();
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .start_import(&ctx, ImportKind::Predictions, "sample", vec![bad]);
    step_until(&mut harness, "the import to fail", |desk| !desk.is_busy());
    let message = harness.get_by_label_contains(&name).rect();
    let file = sample.project.file_name().unwrap().to_string_lossy();
    let project = harness.get_by_label_contains(&file).rect();
    assert!(
        message.max.x <= project.min.x && project.max.x <= 1280.0,
        "the message {message:?} runs into the project {project:?}"
    );
}

#[test]
fn every_metrics_column_is_in_view_beside_the_queue_and_the_item_at_1280_by_800() {
    let (_sample, harness) = loaded_sample();
    let item_panel = harness.get_by_label("Your vote:").rect().min.x;
    let top1 = harness.get_by_role_and_label(egui::accesskit::Role::Button, "top-1");
    let header = top1.rect();
    for heading in ["top-1", "ReaL", "MLA", "MLA rev.", "Δ", "ASMA", "slice"] {
        let rect = (harness.get_by_role_and_label(egui::accesskit::Role::Button, heading)).rect();
        assert!(rect.max.x <= item_panel, "{heading} at {rect:?}, hidden");
    }
    // The first row (by name, the default order) sits right under the headings.
    let report = harness.state().review().unwrap().live.report();
    let names = report.models.iter().map(|m| m.model.clone());
    let first = names.min_by_key(|name| name.to_lowercase()).unwrap();
    let row = harness.get_by_label(&first).rect();
    assert!(
        row.min.y >= header.max.y && row.min.y - header.max.y < 24.0,
        "{first} at {row:?}, headings at {header:?}"
    );
}

#[test]
fn the_fitted_image_stays_left_of_the_item_panel_at_1280_by_800() {
    let sample = sample();
    let mut harness = desk(&sample.project);
    loaded(&mut harness);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while harness
        .query_by_label_contains("shown · wheel zooms")
        .is_none()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the image never showed"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
        harness.step();
    }
    // The row above the image sets the width of the room the image is fitted into.
    let help = harness.get_by_label_contains("shown · wheel zooms").rect();
    let item_panel = harness.get_by_label("Your vote:").rect().min.x;
    assert!(
        help.max.x <= item_panel,
        "the image's row {help:?} reaches under the item panel at x = {item_panel}"
    );
}

#[test]
fn the_change_column_has_room_for_a_change_when_the_project_opens_undecided_at_1920() {
    let sample = sample();
    let opened = Project::open_read_only(&sample.project).unwrap();
    let dataset = opened.datasets().unwrap()[0].id;
    assert!(opened.decisions(dataset).unwrap().is_empty());
    let path = sample.project.clone();
    let settings = person("tess", &path);
    let mut harness = Harness::builder()
        .with_size([1920.0, 1080.0])
        .build_eframe(move |cc| Desk::new(&cc.egui_ctx, settings, &path));
    loaded(&mut harness);
    let heading = |label: &str| {
        let role = egui::accesskit::Role::Button;
        harness.get_by_role_and_label(role, label).rect()
    };
    // A column keeps the width it was first drawn with: an empty Δ would cut "+12.50" to "…".
    let room = heading("ASMA").min.x - heading("Δ").min.x;
    let needed = harness.ctx.fonts_mut(|fonts| {
        let font = egui::FontId::proportional(14.0);
        fonts
            .layout_no_wrap("+12.50".into(), font, egui::Color32::WHITE)
            .size()
            .x
    });
    assert!(
        room > needed,
        "Δ has {room} points for a change {needed} wide"
    );
}

#[test]
fn a_note_without_my_vote_goes_to_the_discussion_and_casts_no_vote() {
    let (sample, mut harness) = loaded_sample();
    let pair = current_pair(harness.state());
    let write_note = |harness: &mut Harness<'_, Desk>, text: &str| {
        harness.key_press(Key::E);
        harness.run_steps(2);
        (harness.get_by_role(egui::accesskit::Role::MultilineTextInput)).type_text(text);
        harness.run_steps(2);
        harness.get_by_label("Save note (Ctrl+Enter)").click();
        harness.run_steps(3);
    };
    write_note(&mut harness, "the tail says tabby");
    assert!(votes(&sample.project).is_empty(), "a note alone is no vote");
    let project = Project::open_read_only(&sample.project).unwrap();
    let dataset = project.dataset("sample").unwrap().id;
    let notes = project.pair_notes(dataset, pair.0, pair.1).unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        (notes[0].reviewer.as_str(), notes[0].text.as_str()),
        ("tess", "the tail says tabby")
    );

    // With my vote, the note is my vote's.
    harness.key_press(Key::C);
    harness.run_steps(2);
    harness.key_press(Key::ArrowLeft);
    harness.run_steps(2);
    write_note(&mut harness, "stripes");
    let cast = votes(&sample.project);
    assert_eq!(cast.len(), 1);
    assert_eq!(
        (cast[0].0, cast[0].1, cast[0].2.as_str()),
        (pair.0, pair.1, "correct")
    );
    let project = Project::open_read_only(&sample.project).unwrap();
    let events = project.vote_events(dataset).unwrap();
    assert_eq!(
        events
            .last()
            .and_then(|e| e.vote.as_ref())
            .map(|v| v.note.as_str()),
        Some("stripes")
    );
    assert_eq!(
        project.pair_notes(dataset, pair.0, pair.1).unwrap().len(),
        1
    );
}

#[test]
fn a_long_model_name_in_the_queue_filter_leaves_every_metrics_column_in_view_at_1280_by_800() {
    let sample = sample();
    let long = "vit_large_patch16_384.augreg_in21k_ft_in1k";
    let predictions = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/predictions");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_bagel"))
        .args(["import", "predictions", sample.project.to_str().unwrap()])
        .args(["--dataset", "sample", "--model", long])
        .arg(predictions.join("efficientnet_lite2.npy"))
        .status()
        .unwrap();
    assert!(status.success());
    let mut settings = person("tess", &sample.project);
    settings.filter_model = Some(long.to_owned());
    let mut harness = desk_with(&sample.project, settings);
    loaded(&mut harness);
    let item_panel = harness.get_by_label("Your vote:").rect().min.x;
    let slice = harness.get_by_role_and_label(egui::accesskit::Role::Button, "slice");
    assert!(
        slice.rect().max.x <= item_panel,
        "slice at {:?} is hidden under the item panel at x = {item_panel}",
        slice.rect()
    );
}
