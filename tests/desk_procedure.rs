//! The panel's procedure in the desk, told as stories: the blind round hides every trace of
//! the others' votes until I vote; a pair below the quorum is pending; only the chair sees the
//! override and may withdraw it; the discussion lists a detail disagreement with a thread of
//! notes.

mod desk_support;

use bagel::desk::Desk;
use bagel::panel::{Category, PairStatus, Review, Severity, Verdict, Vote};
use bagel::progress::Silent;
use bagel::store::Project;
use desk_support::{current_pair, desk_with, override_as_chair, person, sample, step_until};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::Path;

fn desk_as(name: &str, project: &Path) -> Harness<'static, Desk> {
    let mut harness = desk_with(project, person(name, project));
    step_until(&mut harness, "the queue", |desk| {
        desk.review().is_some() && !desk.is_busy()
    });
    harness
}

/// The pair the desk opens on, and its live MLA re-labeled before anyone voted.
fn first_pair(project: &Path) -> ((u32, u16), Vec<Option<f64>>) {
    let harness = desk_as("nobody", project);
    (
        current_pair(harness.state()),
        mla_relabeled(harness.state()),
    )
}

fn votes_as(project: &Path, reviewer: &str, vote: Vote) {
    let mut opened = Project::open(project).unwrap();
    let mut review = Review::load(&opened, "sample", reviewer, &Silent).unwrap();
    review.vote(&mut opened, vote).unwrap();
}

fn mla_relabeled(desk: &Desk) -> Vec<Option<f64>> {
    let report = desk.review().unwrap().live.report();
    report.models.iter().map(|m| m.mla_relabeled).collect()
}

#[test]
fn blind_nothing_of_the_others_shows_before_my_vote() {
    let sample = sample();
    let (pair, fresh) = first_pair(&sample.project);
    // Ben and Cem split on the pair before Tess has seen it: a tie, decided unclear.
    votes_as(
        &sample.project,
        "ben",
        Vote::new(pair.0, pair.1, Verdict::Wrong),
    );
    votes_as(
        &sample.project,
        "cem",
        Vote::new(pair.0, pair.1, Verdict::Correct),
    );
    let mut harness = desk_as("tess", &sample.project);
    assert_eq!(current_pair(harness.state()), pair);
    let desk = harness.state();
    let review = desk.review().unwrap();
    // Item panel: no decision, no "disputed", no votes, no history.
    assert!(harness.query_by_label_contains("Panel decision").is_none());
    assert!(harness.query_by_label_contains("disputed:").is_none());
    assert!(harness.query_by_label_contains("ben:").is_none());
    assert!(
        harness
            .query_by_label_contains("History of this pair")
            .is_none()
    );
    harness.get_by_label_contains("Blind round");
    // Queue row, filters and counters: nothing decided, nothing disputed.
    let state = review.state(&review.queue.items()[0]);
    assert!(!state.decided && !state.disputed);
    assert_eq!((desk.counts().decided, desk.counts().disputed), (0, 0));
    assert_eq!(review.reviewed_counts(), (0, 0));
    // Live figures: as if nobody had voted.
    assert_eq!(mla_relabeled(desk), fresh);

    // Tess votes: everything shows.
    harness.key_press(Key::C);
    harness.run_steps(2);
    harness.key_press(Key::ArrowLeft);
    harness.run_steps(2);
    assert_eq!(current_pair(harness.state()), pair);
    harness.get_by_label_contains("Panel decision: correct — majority 2 of 3");
    harness.get_by_label_contains("disputed:");
    harness.get_by_label_contains("ben: ");
    harness.get_by_label_contains("History of this pair (3 events)");
    assert_eq!(harness.state().counts().disputed, 1);
}

#[test]
fn quorum_a_lone_vote_is_pending_and_moves_no_figure() {
    let sample = sample();
    {
        let mut project = Project::open(&sample.project).unwrap();
        bagel::panel::quorum::set_quorum(&mut project, 2).unwrap();
    }
    let mut harness = desk_as("tess", &sample.project);
    let before = mla_relabeled(harness.state());
    let pair = current_pair(harness.state());
    harness.key_press(Key::C);
    harness.run_steps(2);
    harness.key_press(Key::ArrowLeft);
    harness.run_steps(2);
    harness.get_by_label_contains("Panel decision: pending: 1 of 2 votes (quorum 2)");
    assert_eq!(
        mla_relabeled(harness.state()),
        before,
        "pending: no figure moves"
    );
    assert_eq!(harness.state().counts().decided, 0);
    assert!(
        harness
            .state()
            .review()
            .unwrap()
            .decision(pair.0, pair.1)
            .is_none()
    );
}

#[test]
fn chair_only_the_chair_overrides_and_withdraws() {
    let sample = sample();
    let (pair, _) = first_pair(&sample.project);
    Project::open(&sample.project)
        .unwrap()
        .set_chair(Some("tess"))
        .unwrap();
    votes_as(
        &sample.project,
        "ben",
        Vote::new(pair.0, pair.1, Verdict::Wrong),
    );
    // Ben, not the chair, sees no override button.
    let ben = desk_as("ben", &sample.project);
    assert!(ben.query_by_label("Chair override…").is_none());
    drop(ben);

    let mut harness = desk_as("tess", &sample.project);
    harness.get_by_label_contains("Panel decision: wrong — unanimous (1)");
    override_as_chair(&mut harness, "correct", "a ladle's handle");
    harness.get_by_label_contains("Panel decision: correct — a ladle's handle");
    harness.get_by_label("Withdraw override").click();
    harness.run_steps(3);
    harness.get_by_label_contains("Panel decision: wrong — unanimous (1)");
    assert!(harness.query_by_label("Withdraw override").is_none());
    let review = harness.state().review().unwrap();
    assert_eq!(
        review.decision(pair.0, pair.1).unwrap().verdict,
        Verdict::Wrong
    );
    // Both stay in the pair's history: the override and its withdrawal.
    harness.get_by_label_contains("History of this pair (3 events)");
}

#[test]
fn discussion_a_detail_disagreement_is_listed_with_a_thread_of_notes() {
    let sample = sample();
    let (pair, _) = first_pair(&sample.project);
    let wrong = |category, severity| Vote {
        category: Some(category),
        severity: Some(severity),
        ..Vote::new(pair.0, pair.1, Verdict::Wrong)
    };
    votes_as(
        &sample.project,
        "ben",
        wrong(Category::FineGrained, Severity::Major),
    );
    votes_as(
        &sample.project,
        "tess",
        wrong(Category::Spurious, Severity::Major),
    );
    let mut harness = desk_as("tess", &sample.project);
    harness.key_press(Key::D);
    harness.run_steps(2);
    harness.get_by_label("Discussion (1)");
    harness.get_by_label("disagree on category");
    harness.get_by_label_contains("now: wrong");
    harness
        .get_all_by_label("Note for the panel…")
        .next()
        .unwrap()
        .click();
    harness.run_steps(3);
    let field = harness.get_by_role(egui::accesskit::Role::MultilineTextInput);
    field.click();
    field.type_text("the dorsal fin decides it");
    harness.run_steps(2);
    harness.get_by_label("Post").click();
    harness.run_steps(3);
    let status = format!("{:?}", harness.state().status());
    let notes = harness.query_all_by_label_contains("tess notes (").count();
    assert_eq!(
        notes, 2,
        "under the pair in the item panel and in the discussion: {status}"
    );
    harness.get_all_by_label("Reply").next().unwrap().click();
    harness.run_steps(3);
    let field = harness.get_by_role(egui::accesskit::Role::MultilineTextInput);
    field.click();
    field.type_text("agreed");
    harness.run_steps(2);
    harness.get_by_label("Post").click();
    harness.run_steps(3);
    harness
        .get_all_by_label_contains("tess replies (")
        .next()
        .unwrap();
    let opened = Project::open(&sample.project).unwrap();
    let dataset = opened.dataset("sample").unwrap();
    let notes = opened.pair_notes(dataset.id, pair.0, pair.1).unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1].reply_to, Some(notes[0].id));
}

#[test]
fn assignment_filter_keeps_the_pairs_given_to_me() {
    let sample = sample();
    let request = bagel::panel::assign::AssignRequest {
        reviewers: vec!["ben".into(), "tess".into(), "cem".into()],
        per_pair: 1,
        model: None,
        limit: None,
        seed: 3,
    };
    let assigned = {
        let mut project = Project::open(&sample.project).unwrap();
        let done = bagel::panel::assign::assign(&mut project, "sample", &request).unwrap();
        done.per_reviewer["tess"]
    };
    let mut harness = desk_as("tess", &sample.project);
    let all = harness.state().view_len();
    assert!(assigned > 0 && assigned < all);
    harness.get_by_label("assigned to me").click();
    harness.run_steps(3);
    assert_eq!(harness.state().view_len(), assigned);
    let desk = harness.state();
    let review = desk.review().unwrap();
    let item = desk.current().unwrap();
    assert!(review.state(item).assigned, "the shown pair is hers");
}

#[test]
fn confusion_view_a_click_filters_the_queue_to_that_confusion() {
    let sample = sample();
    let mut harness = desk_as("tess", &sample.project);
    let all = harness.state().view_len();
    harness.key_press(Key::D);
    harness.run_steps(2);
    harness.get_by_label("Confusions").click();
    harness.run_steps(2);
    harness.get_by_label("mistakes ⏷");
    // The first row: the confusion with the most model mistakes.
    harness
        .get_all_by_role(egui::accesskit::Role::Link)
        .next()
        .unwrap()
        .click();
    harness.run_steps(3);
    let desk = harness.state();
    let (from, to) = desk
        .settings()
        .filter
        .confusion
        .expect("the queue filters one confusion");
    let review = desk.review().unwrap();
    let kept = desk.view_len();
    assert!(kept >= 1 && kept < all, "{kept} of {all}");
    let item = desk.current().unwrap();
    assert_eq!(
        (review.evaluation.truth[item.image as usize], item.label),
        (Some(from), to)
    );
    // Sorting by another heading reorders the rows and is kept in the settings.
    harness.get_by_label("WordNet distance").click();
    harness.run_steps(2);
    assert_eq!(
        harness.state().settings().confusion_order,
        bagel::panel::confusions::ConfusionOrder::Distance
    );
}

#[test]
fn jump_to_an_image_by_file_name_or_to_a_class_and_back() {
    let sample = sample();
    let mut harness = desk_as("tess", &sample.project);
    let start = current_pair(harness.state());
    harness.key_press(Key::Slash);
    harness.run_steps(2);
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text("clock");
    harness.run_steps(2);
    harness.get_by_label("image clock.jpg");
    harness.key_press(Key::Enter);
    harness.run_steps(3);
    let desk = harness.state();
    let item = desk.current().unwrap();
    assert_eq!(
        desk.review().unwrap().files[item.image as usize],
        "clock.jpg"
    );
    // Backspace: back where the jump left from.
    harness.key_press(Key::Backspace);
    harness.run_steps(3);
    assert_eq!(current_pair(harness.state()), start);
    // A class: its pairs only, predicted or original.
    harness.key_press(Key::Slash);
    harness.run_steps(2);
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text("n03733281");
    harness.run_steps(2);
    harness.get_by_label_contains("class maze").click();
    harness.run_steps(3);
    let desk = harness.state();
    assert_eq!(desk.settings().filter.class, Some(646));
    assert_eq!(desk.current().unwrap().label, 646);
    harness.key_press(Key::Backspace);
    harness.run_steps(3);
    assert_eq!(harness.state().settings().filter.class, None);
    assert_eq!(current_pair(harness.state()), start);
}

#[test]
fn the_dataset_loads_behind_the_name_prompt_and_becomes_the_named_reviewers() {
    let sample = sample();
    let (pair, _) = first_pair(&sample.project);
    Project::open(&sample.project)
        .unwrap()
        .set_chair(Some("tess"))
        .unwrap();
    votes_as(
        &sample.project,
        "ben",
        Vote::new(pair.0, pair.1, Verdict::Wrong),
    );
    let mut harness = desk_with(&sample.project, bagel::desk::Settings::default());
    step_until(&mut harness, "the queue behind the prompt", |desk| {
        desk.review().is_some() && !desk.is_busy()
    });
    harness.get_by_label_contains("Who is reviewing?");
    // Loaded for nobody yet: blind, so Ben's decision is hidden.
    assert!(
        harness
            .state()
            .review()
            .unwrap()
            .decision(pair.0, pair.1)
            .is_none()
    );
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text("tess");
    harness.run_steps(2);
    harness.key_press(Key::Enter);
    harness.run_steps(3);
    let review = harness.state().review().unwrap();
    assert_eq!(review.reviewer(), "tess");
    assert!(review.is_chair(), "the chair, who is not blind");
    assert_eq!(
        review.decision(pair.0, pair.1).unwrap().verdict,
        Verdict::Wrong
    );
    harness.get_by_label("Reviewer: tess");
}
