//! The review session without the window: votes land in SQLite with their history, decide
//! their pair, undo restores, and the live metrics equal a fresh report after every step.

mod common;

use bagel::data::{LabelEntry, LabelKind};
use bagel::metrics::{Evaluation, MetricOptions};
use bagel::panel::{Category, Review, Severity, Verdict, Vote};
use bagel::progress::Silent;
use bagel::store::Project;
use common::Fixture;

fn open_review(fixture: &Fixture) -> (Project, Review) {
    let path = fixture.imported_project();
    let mut project = Project::open(&path).unwrap();
    let dataset = project.dataset("val").unwrap();
    project
        .save_slice(dataset.id, "imagenet_m", &[2, 4], "test")
        .unwrap();
    let review = Review::load(&project, "val", "ana", &Silent).unwrap();
    (project, review)
}

/// The live figures must be what loading the project afresh and reporting gives.
fn assert_live_matches_fresh(project: &Project, review: &Review) {
    let fresh = Evaluation::load(project, "val")
        .unwrap()
        .report(&MetricOptions::default());
    let live = review.live.report();
    for (live, fresh) in live.models.iter().zip(&fresh.models) {
        let (a, b) = (live.mla_relabeled.unwrap(), fresh.mla_relabeled.unwrap());
        assert!((a - b).abs() < 1e-12, "MLA re-labeled: live {a}, fresh {b}");
        assert_eq!(live.imagenet_m, fresh.imagenet_m);
    }
    assert_eq!(
        review.live.report().decided_outside_multilabels,
        fresh.decided_outside_multilabels
    );
    assert_eq!(
        review.live.report().emptied_by_decisions,
        fresh.emptied_by_decisions
    );
}

/// The vote log as stored: (image, label, verdict or "withdrawn"), oldest first.
fn stored_votes(project: &Project) -> Vec<(i64, i64, String)> {
    let conn = rusqlite::Connection::open(project.path()).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT image_idx, label, COALESCE(verdict, 'withdrawn') FROM vote_events ORDER BY id",
        )
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_queue_holds_each_top1_mistake_under_the_imported_labels() {
    let fixture = Fixture::new();
    let (_, review) = open_review(&fixture);
    let pairs: Vec<(u32, u16)> = review
        .queue
        .items()
        .iter()
        .map(|i| (i.image, i.label))
        .collect();
    // Image 3 predicts tub for bathtub; image 5 predicts tailed frog for goldfish. The others
    // are valid under the multi-labels (tiger cat is unclear), ReaL, or the original label.
    assert_eq!(pairs, vec![(2, 876), (4, 3)]);
    assert!(
        review
            .queue
            .items()
            .iter()
            .all(|i| i.novel && !i.judged_wrong)
    );
    assert_eq!(review.queue.items()[0].models, vec![0]);
}

#[test]
fn a_vote_is_stored_decides_its_pair_and_moves_the_live_metrics() {
    let fixture = Fixture::new();
    let (mut project, mut review) = open_review(&fixture);
    let before = review.live.report().models[0].clone();
    review
        .vote(&mut project, Vote::new(4, 3, Verdict::Correct))
        .unwrap();
    assert_eq!(stored_votes(&project), vec![(4, 3, "correct".into())]);
    let dataset = review.dataset.id;
    let decisions = project.decisions(dataset).unwrap();
    assert_eq!((decisions[0].image, decisions[0].label), (4, 3));
    assert_eq!(decisions[0].verdict, Verdict::Correct);
    let after = &review.live.report().models[0];
    assert!(
        after.mla_relabeled > before.mla_relabeled,
        "{before:?} -> {after:?}"
    );
    assert_eq!(
        after.imagenet_m.unwrap().correct,
        before.imagenet_m.unwrap().correct + 1
    );
    assert_live_matches_fresh(&project, &review);
    assert_eq!(review.my_vote(4, 3).unwrap().verdict, Verdict::Correct);
    assert_eq!(review.reviewed_counts(), (1, 1));
}

#[test]
fn a_decision_outside_the_multilabels_moves_no_figure_and_is_counted_apart() {
    let fixture = Fixture::new();
    let (mut project, mut review) = open_review(&fixture);
    let before = review.live.report().models[0].clone();
    // Image 6 (great white shark) has no multi-labels and the model's top-1 is its original
    // label; image 4 (tench) is problematic in the source.
    review
        .vote(&mut project, Vote::new(5, 2, Verdict::Correct))
        .unwrap();
    review
        .vote(&mut project, Vote::new(3, 0, Verdict::Correct))
        .unwrap();
    let report = review.live.report();
    assert_eq!(report.models[0].mla_relabeled, before.mla_relabeled);
    assert_eq!(report.models[0].mla_relabeled, report.models[0].mla);
    assert_eq!(report.decided_outside_multilabels, 2);
    assert_live_matches_fresh(&project, &review);
    assert_eq!(review.undo(&mut project).unwrap(), Some((3, 0)));
    assert_eq!(review.live.report().decided_outside_multilabels, 1);
    assert_live_matches_fresh(&project, &review);
}

#[test]
fn an_image_the_decisions_leave_without_a_valid_label_is_excluded_and_listed() {
    let fixture = Fixture::new();
    let (mut project, mut review) = open_review(&fixture);
    // MLA counts four images: tabby and tiger cat hit, bathtub (tub) and goldfish (tailed
    // frog) miss: (1 + 1 + 0 + 0) / 4 classes. "Wrong" on goldfish, the only label of image
    // 5, leaves it no valid label: it leaves the set instead of counting as a miss.
    assert_eq!(review.live.report().models[0].mla_relabeled, Some(0.5));
    review
        .vote(&mut project, Vote::new(4, 1, Verdict::Wrong))
        .unwrap();
    let report = review.live.report();
    assert_eq!(report.models[0].mla_relabeled, Some(2.0 / 3.0));
    assert_eq!(
        report.emptied_by_decisions,
        vec!["ILSVRC2012_val_00000005.JPEG".to_owned()]
    );
    assert_live_matches_fresh(&project, &review);
    review.undo(&mut project).unwrap();
    assert!(review.live.report().emptied_by_decisions.is_empty());
    assert_eq!(review.live.report().models[0].mla_relabeled, Some(0.5));
    assert_live_matches_fresh(&project, &review);
}

#[test]
fn a_slice_image_made_problematic_leaves_the_slice() {
    let fixture = Fixture::new();
    let (mut project, mut review) = open_review(&fixture);
    // The slice holds images 3 (bathtub, predicted tub) and 5 (goldfish, predicted tailed
    // frog): both misses under their multi-labels.
    let score = review.live.report().models[0].imagenet_m.unwrap();
    assert_eq!((score.correct, score.total, score.left), (0, 2, 0));
    review
        .vote(&mut project, Vote::new(4, 3, Verdict::Problematic))
        .unwrap();
    let score = review.live.report().models[0].imagenet_m.unwrap();
    assert_eq!((score.correct, score.total, score.left), (0, 1, 1));
    assert_live_matches_fresh(&project, &review);
    review
        .vote(&mut project, Vote::new(2, 876, Verdict::Correct))
        .unwrap();
    let score = review.live.report().models[0].imagenet_m.unwrap();
    assert_eq!((score.correct, score.total, score.left), (1, 1, 1));
    assert_live_matches_fresh(&project, &review);
}

#[test]
fn undo_restores_the_previous_vote_and_keeps_the_history() {
    let fixture = Fixture::new();
    let (mut project, mut review) = open_review(&fixture);
    let wrong = Vote {
        category: Some(Category::FineGrained),
        severity: Some(Severity::Minor),
        ..Vote::new(2, 876, Verdict::Wrong)
    };
    review
        .vote(&mut project, Vote::new(2, 876, Verdict::Correct))
        .unwrap();
    review.vote(&mut project, wrong).unwrap();
    let shares = review.live.shares();
    assert!(
        shares.categories.contains(&(Category::FineGrained, 1)),
        "{shares:?}"
    );
    assert_live_matches_fresh(&project, &review);

    assert_eq!(review.undo(&mut project).unwrap(), Some((2, 876)));
    assert_eq!(review.my_vote(2, 876).unwrap().verdict, Verdict::Correct);
    assert_live_matches_fresh(&project, &review);
    assert_eq!(review.undo(&mut project).unwrap(), Some((2, 876)));
    // Nothing is overwritten: undo appends the restored vote, then a withdrawal.
    let log: Vec<(i64, i64, String)> = ["correct", "wrong", "correct", "withdrawn"]
        .iter()
        .map(|verdict| (2, 876, verdict.to_string()))
        .collect();
    assert_eq!(stored_votes(&project), log);
    assert!(project.decisions(review.dataset.id).unwrap().is_empty());
    let history = project.pair_history(review.dataset.id, 2, 876).unwrap();
    assert_eq!(history.len(), 4);
    assert!(history.iter().all(|event| event.reviewer == "ana"));
    assert_eq!(
        history[1].vote.as_ref().unwrap().category,
        Some(Category::FineGrained)
    );
    assert_live_matches_fresh(&project, &review);
    assert!(review.my_vote(2, 876).is_none());
    assert_eq!(review.undo(&mut project).unwrap(), None);
}

#[test]
fn votes_of_two_reviewers_are_decided_together_and_survive_reopening() {
    let fixture = Fixture::new();
    let (mut project, mut review) = open_review(&fixture);
    review
        .vote(&mut project, Vote::new(4, 3, Verdict::Correct))
        .unwrap();
    let mut other = Review::load(&project, "val", "ben", &Silent).unwrap();
    other
        .vote(&mut project, Vote::new(4, 3, Verdict::Wrong))
        .unwrap();
    let decisions = project.decisions(review.dataset.id).unwrap();
    assert_eq!(decisions[0].verdict, Verdict::Unclear, "a tie is unclear");
    drop(project);
    let project = Project::open(&fixture.project()).unwrap();
    let reopened = Review::load(&project, "val", "ana", &Silent).unwrap();
    assert_eq!(reopened.my_vote(4, 3).unwrap().verdict, Verdict::Correct);
    assert!(
        !reopened.can_undo(),
        "undo does not reach into earlier sessions"
    );
}

#[test]
fn a_vote_without_a_reviewer_name_is_refused() {
    let fixture = Fixture::new();
    let (mut project, _) = open_review(&fixture);
    let mut nameless = Review::load(&project, "val", "  ", &Silent).unwrap();
    let err = nameless
        .vote(&mut project, Vote::new(4, 3, Verdict::Correct))
        .unwrap_err();
    assert!(err.to_string().contains("reviewer name"), "{err}");
    assert!(stored_votes(&project).is_empty());
}

#[test]
fn the_export_carries_the_decisions_and_imports_back() {
    let fixture = Fixture::new();
    let (mut project, mut review) = open_review(&fixture);
    review
        .vote(&mut project, Vote::new(4, 3, Verdict::Correct))
        .unwrap();
    review
        .vote(&mut project, Vote::new(0, 282, Verdict::Wrong))
        .unwrap();
    let out = fixture.path("updated.csv");
    let rows = bagel::export::export_labels(&project, "val", &out).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    // Image 5 gains tiger shark (n01491361) as correct; tiger cat moves from unclear to wrong.
    let row = |file: &str| {
        text.lines()
            .find(|l| l.starts_with(file))
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        row("ILSVRC2012_val_00000005.JPEG"),
        "ILSVRC2012_val_00000005.JPEG,n01443537 n01491361,,,false,false"
    );
    assert_eq!(
        row("ILSVRC2012_val_00000001.JPEG"),
        "ILSVRC2012_val_00000001.JPEG,n02123045,,n02123159 n02124075,false,false"
    );
    assert_eq!(rows, 5, "the four labeled images and the problematic one");
    common::bagel_ok(&[
        "import",
        "labels",
        fixture.project().to_str().unwrap(),
        "--dataset",
        "val",
        "--name",
        "updated",
        out.to_str().unwrap(),
    ]);
    // What comes back is the imported multi-labels with the two decisions overlaid.
    let reopened = Project::open(&fixture.project()).unwrap();
    let source = reopened
        .label_source(
            dataset_id(&reopened),
            LabelKind::MultiLabel,
            Some("updated"),
        )
        .unwrap()
        .unwrap();
    let updated = reopened.image_labels(&source, 6).unwrap();
    let entry = |correct: &[u16], wrong: &[u16], problematic| LabelEntry {
        correct: correct.to_vec(),
        unclear: vec![],
        wrong: wrong.to_vec(),
        problematic,
    };
    let expected = [
        Some(entry(&[281], &[282, 285], false)),
        Some(entry(&[282], &[], false)),
        Some(entry(&[435], &[], false)),
        Some(entry(&[], &[], true)),
        Some(entry(&[1, 3], &[], false)),
        None,
    ];
    for (image, expected) in expected.into_iter().enumerate() {
        assert_eq!(updated.entry(image), expected, "image {image}");
    }
}

fn dataset_id(project: &Project) -> i64 {
    project.dataset("val").unwrap().id
}

#[test]
fn a_wrong_vote_completed_step_by_step_is_undone_whole() {
    let fixture = Fixture::new();
    let (mut project, mut review) = open_review(&fixture);
    review
        .vote(&mut project, Vote::new(4, 3, Verdict::Correct))
        .unwrap();
    let wrong = Vote::new(2, 876, Verdict::Wrong);
    review.vote(&mut project, wrong.clone()).unwrap();
    let with_category = Vote {
        category: Some(Category::Spurious),
        ..wrong
    };
    review.amend(&mut project, with_category.clone()).unwrap();
    let complete = Vote {
        severity: Some(Severity::Major),
        ..with_category
    };
    review.amend(&mut project, complete).unwrap();
    assert_eq!(review.undo(&mut project).unwrap(), Some((2, 876)));
    assert!(
        review.my_vote(2, 876).is_none(),
        "the whole wrong vote is gone"
    );
    assert_eq!(review.my_vote(4, 3).unwrap().verdict, Verdict::Correct);
    assert_live_matches_fresh(&project, &review);
}

#[test]
fn a_label_the_panel_adds_is_valid_and_listed_with_the_image() {
    let fixture = Fixture::new();
    let (mut project, mut review) = open_review(&fixture);
    // Image 5 (goldfish) gains tiger shark (class 3), which no source lists for it.
    assert!(!review.is_valid_label(4, 3));
    assert!(review.labels_added(4).is_empty());
    review
        .vote(&mut project, Vote::new(4, 3, Verdict::Correct))
        .unwrap();
    assert!(review.is_valid_label(4, 3));
    assert_eq!(review.labels_added(4), vec![(3, Verdict::Correct)]);
    // The original label is valid by the queue's rule, and is not "added".
    assert!(review.is_valid_label(4, 1));
}
