//! A panel on two machines: each reviewer votes on their own copy of the project, the copies
//! exchange `bagel export votes` files, and both end with the same log and decisions; the chair
//! overrides with a reason; merging twice changes nothing; the newer vote wins.

mod common;

use bagel::panel::{Review, Round, Verdict, Vote};
use bagel::progress::Silent;
use bagel::store::Project;
use common::{Fixture, Observer, bagel, bagel_ok, file_name, on_val};

fn vote(project: &std::path::Path, reviewer: &str, image: u32, label: u16, verdict: Verdict) {
    let mut project = Project::open(project).unwrap();
    let mut review = Review::load(&project, "val", reviewer, &Silent).unwrap();
    review
        .vote(&mut project, Vote::new(image, label, verdict))
        .unwrap();
}

fn verdict_of(project: &std::path::Path, image: u32, label: u16) -> Option<(Verdict, String)> {
    let project = Project::open(project).unwrap();
    let dataset = project.dataset("val").unwrap();
    (project.decisions(dataset.id).unwrap().into_iter())
        .find(|d| (d.image, d.label) == (image, label))
        .map(|d| (d.verdict, d.source.to_string()))
}

fn export(project: &std::path::Path, out: &std::path::Path) -> String {
    bagel_ok(&[
        "export",
        "votes",
        project.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    std::fs::read_to_string(out).unwrap()
}

fn merge(project: &std::path::Path, file: &std::path::Path) -> String {
    bagel_ok(&on_val(
        &["import", "votes"],
        project.to_str().unwrap(),
        &[file.to_str().unwrap()],
    ))
}

#[test]
fn two_machines_merge_their_votes_into_one_decision() {
    let fixture = Fixture::new();
    let machine_a = fixture.imported_project();
    let machine_b = fixture.path("b.bagel");
    std::fs::copy(&machine_a, &machine_b).unwrap();

    vote(&machine_a, "ana", 4, 3, Verdict::Correct);
    vote(&machine_b, "ben", 4, 3, Verdict::Wrong);
    vote(&machine_b, "cem", 4, 3, Verdict::Wrong);
    assert_eq!(verdict_of(&machine_a, 4, 3).unwrap().0, Verdict::Correct);

    let from_b = export(&machine_b, &fixture.path("b.csv"));
    assert!(from_b.starts_with(
        "reviewer,image,label,verdict,category,severity,note,round,cast_at,reply_to\n"
    ));
    assert_eq!(from_b.lines().count(), 3, "{from_b}");
    let said = merge(&machine_a, &fixture.path("b.csv"));
    assert!(said.contains("2 new"), "{said}");
    assert!(said.contains("decisions changed on 1 images"), "{said}");
    assert_eq!(
        verdict_of(&machine_a, 4, 3).unwrap().0,
        Verdict::Wrong,
        "two wrong against one correct"
    );

    // The same file again changes nothing: no new event, the same export bytes.
    let before = export(&machine_a, &fixture.path("a1.csv"));
    let observer = Observer::of(&machine_a);
    let version = observer.version();
    let again = merge(&machine_a, &fixture.path("b.csv"));
    assert!(again.contains("0 new, 2 already there"), "{again}");
    assert_eq!(export(&machine_a, &fixture.path("a2.csv")), before);
    assert_eq!(observer.version(), version);

    // Machine B takes A's export: the two machines now agree.
    merge(&machine_b, &fixture.path("a1.csv"));
    assert_eq!(export(&machine_b, &fixture.path("b2.csv")), before);
}

#[test]
fn the_newer_vote_wins_and_the_older_stays_in_the_history() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let header = "reviewer,image,label,verdict,category,severity,note,round,cast_at\n";
    let file = file_name(4);
    let newer = format!("{header}ana,{file},3,wrong,spurious,major,fin,,2026-11-20T10:00:00Z\n");
    let older = format!("{header}ana,{file},3,correct,,,,,2026-11-19T10:00:00Z\n");
    merge(&project, &fixture.write("newer.csv", newer.as_bytes()));
    merge(&project, &fixture.write("older.csv", older.as_bytes()));
    assert_eq!(verdict_of(&project, 4, 3).unwrap().0, Verdict::Wrong);
    let opened = Project::open(&project).unwrap();
    let dataset = opened.dataset("val").unwrap();
    let history = opened.pair_history(dataset.id, 4, 3).unwrap();
    let verdicts: Vec<Verdict> = history
        .iter()
        .map(|e| e.vote.as_ref().unwrap().verdict)
        .collect();
    assert_eq!(verdicts, [Verdict::Correct, Verdict::Wrong], "oldest first");
}

#[test]
fn the_chair_overrides_the_panel_with_a_reason() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    vote(&project, "ana", 4, 3, Verdict::Wrong);
    vote(&project, "ben", 4, 3, Verdict::Wrong);
    let p = project.to_str().unwrap();
    Project::open(&project)
        .unwrap()
        .set_chair(Some("chair"))
        .unwrap();
    let file = file_name(4);
    let said = bagel_ok(&on_val(
        &["decide"],
        p,
        &[
            "--image",
            &file,
            "--label",
            "n01491361",
            "--verdict",
            "correct",
            "--reason",
            "the fin is a tiger shark's",
            "--reviewer",
            "chair",
        ],
    ));
    assert!(said.contains("correct by chair chair"), "{said}");
    let (verdict, source) = verdict_of(&project, 4, 3).unwrap();
    assert_eq!(
        (verdict, source.as_str()),
        (Verdict::Correct, "chair chair")
    );
    let opened = Project::open(&project).unwrap();
    let dataset = opened.dataset("val").unwrap();
    let decision = &opened.decisions(dataset.id).unwrap()[0];
    assert_eq!(decision.reason, "the fin is a tiger shark's");

    // Another panel vote does not move the chair's decision.
    vote(&project, "cem", 4, 3, Verdict::Wrong);
    assert_eq!(verdict_of(&project, 4, 3).unwrap().0, Verdict::Correct);

    let no_reason = bagel(&on_val(
        &["decide"],
        p,
        &[
            "--image",
            &file,
            "--label",
            "3",
            "--verdict",
            "wrong",
            "--reason",
            " ",
            "--reviewer",
            "chair",
        ],
    ));
    no_reason.fails_with("--reason");
}

#[test]
fn a_bad_vote_file_writes_nothing() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let observer = Observer::of(&project);
    let version = observer.version();
    let header = "reviewer,image,label,verdict,category,severity,note,round,cast_at\n";
    let rows = format!(
        "{header}ana,{},3,correct,,,,,\nana,{},3,maybe,,,,,\n",
        file_name(4),
        file_name(1)
    );
    let run = bagel(&on_val(
        &["import", "votes"],
        project.to_str().unwrap(),
        &[fixture.write("bad.csv", rows.as_bytes()).to_str().unwrap()],
    ));
    assert!(!run.ok);
    assert!(
        run.stderr.contains("bad.csv: row 3: verdict \"maybe\""),
        "{}",
        run.stderr
    );
    assert_eq!(observer.version(), version);
}

#[test]
fn blind_is_on_by_default_and_can_be_switched() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    assert!(bagel_ok(&["config", p]).contains("blind independent round: on"));
    assert!(bagel_ok(&["config", p, "--blind", "off"]).contains("blind independent round: off"));
    assert!(!Project::open(&project).unwrap().blind_round().unwrap());
}

#[test]
fn agreement_and_the_discussion_list_follow_the_votes() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    // Pair (4, 3): correct, correct, wrong. Pair (0, 282): wrong three times.
    for (reviewer, verdict) in [
        ("ana", Verdict::Correct),
        ("ben", Verdict::Correct),
        ("cem", Verdict::Wrong),
    ] {
        vote(&project, reviewer, 4, 3, verdict);
        vote(&project, reviewer, 0, 282, Verdict::Wrong);
    }
    let p = project.to_str().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&bagel_ok(&on_val(&["agreement"], p, &["--json"]))).unwrap();
    // By hand: P = (1/3 + 1) / 2 = 2/3; shares correct 2/6, wrong 4/6, so Pe = 5/9 and
    // kappa = (2/3 - 5/9) / (1 - 5/9) = 0.25.
    let verdict = &json["verdict"];
    assert!((verdict["percent_agreement"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert!((verdict["fleiss_kappa"].as_f64().unwrap() - 0.25).abs() < 1e-12);
    assert_eq!(verdict["raters_per_item"], 3);
    assert_eq!(json["pairs"].as_array().unwrap().len(), 2);

    let listed = bagel_ok(&["discussion", p, "--dataset", "val"]);
    assert!(
        listed.starts_with("1 pairs of val whose independent votes disagree"),
        "{listed}"
    );
    assert!(
        listed.contains(&file_name(4)) && !listed.contains(&file_name(0)),
        "{listed}"
    );
    assert_eq!(listed.matches("  independent ").count(), 3, "{listed}");
}

#[test]
fn crowd_votes_are_aggregated_and_the_panel_outranks_them() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    // ReaL's derived votes layout: five raters on (image 4, tiger shark), three say yes.
    let mut rows = String::from("question,file,label,rater_id,answer\n");
    for (rater, answer) in [(1, "yes"), (2, "yes"), (3, "yes"), (4, "no"), (5, "maybe")] {
        rows += &format!("0,{},3,{rater},{answer}\n", file_name(4));
    }
    let votes = fixture.write("crowd_votes.csv", rows.as_bytes());
    merge(&project, &votes);
    let said = bagel_ok(&on_val(
        &["aggregate"],
        p,
        &["--method", "majority", "--threshold", "0.6"],
    ));
    assert!(
        said.contains("5 crowd votes of 5 raters on 1 pairs"),
        "{said}"
    );
    // yes share with maybe as half: (3 + 0.5) / 5 = 0.7 >= 0.6.
    assert_eq!(
        verdict_of(&project, 4, 3),
        Some((Verdict::Correct, "majority".into()))
    );
    let opened = Project::open(&project).unwrap();
    let dataset = opened.dataset("val").unwrap();
    assert_eq!(opened.posterior(dataset.id, 4, 3).unwrap(), Some(0.7));
    drop(opened);
    // Crowd votes alone never make a panel decision; a panel vote outranks the crowd, and
    // withdrawing it brings the crowd's decision back.
    let mut opened = Project::open(&project).unwrap();
    let mut review = Review::load(&opened, "val", "ana", &Silent).unwrap();
    review
        .vote(&mut opened, Vote::new(4, 3, Verdict::Wrong))
        .unwrap();
    assert_eq!(
        verdict_of(&project, 4, 3),
        Some((Verdict::Wrong, "panel".into()))
    );
    review.undo(&mut opened).unwrap();
    assert_eq!(
        verdict_of(&project, 4, 3),
        Some((Verdict::Correct, "majority".into()))
    );
    drop(opened);
    let dawid_skene = bagel_ok(&on_val(&["aggregate"], p, &["--threshold", "0.9"]));
    assert!(dawid_skene.contains("Dawid-Skene EM:"), "{dawid_skene}");

    let other = Fixture::new();
    let empty = other.imported_project();
    let nothing = bagel(&["aggregate", empty.to_str().unwrap(), "--dataset", "val"]);
    nothing.fails_with("no crowd votes");
}

#[test]
fn crowd_answers_merge_once_travel_with_the_export_and_show_in_the_history() {
    let fixture = Fixture::new();
    let machine_a = fixture.imported_project();
    let machine_b = fixture.path("b.bagel");
    std::fs::copy(&machine_a, &machine_b).unwrap();
    let mut rows = String::from("question,file,label,rater_id,answer\n");
    for (question, image, rater, answer) in [(0, 4, 1, "yes"), (0, 4, 2, "no"), (1, 2, 1, "maybe")]
    {
        rows += &format!("{question},{},3,{rater},{answer}\n", file_name(image));
    }
    let raters = fixture.write("raters_votes.csv", rows.as_bytes());
    let said = merge(&machine_a, &raters);
    assert!(
        said.contains("3 votes read")
            && said.contains("3 new, 0 already there; decisions changed on 0 images"),
        "{said}"
    );
    let observer = Observer::of(&machine_a);
    let version = observer.version();
    let again = merge(&machine_a, &raters);
    assert!(again.contains("0 new, 3 already there"), "{again}");
    assert_eq!(observer.version(), version);

    // The crowd's standing answers are in the export, in pair order, and another machine
    // merges them as crowd answers: its export is the same.
    let exported = export(&machine_a, &fixture.path("a.csv"));
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(lines.len(), 4, "{exported}");
    let first = format!("real-rater-1,{},n01491361,unclear,,,,crowd,", file_name(2));
    assert!(lines[1].starts_with(&first), "{exported}");
    merge(&machine_b, &fixture.path("a.csv"));
    assert_eq!(export(&machine_b, &fixture.path("b.csv")), exported);

    // The pair's history lists its crowd answers; the crowd is not among the reviewers.
    let opened = Project::open(&machine_b).unwrap();
    let dataset = opened.dataset("val").unwrap();
    let history: Vec<(String, Round, Verdict)> = (opened.pair_history(dataset.id, 4, 3))
        .unwrap()
        .into_iter()
        .map(|e| (e.reviewer, e.round, e.vote.unwrap().verdict))
        .collect();
    assert_eq!(
        history,
        [
            ("real-rater-1".into(), Round::Crowd, Verdict::Correct),
            ("real-rater-2".into(), Round::Crowd, Verdict::Wrong)
        ]
    );
    assert!(opened.reviewers().unwrap().is_empty());

    // A rater file naming an image outside the dataset is refused and writes nothing.
    let bad = "question,file,label,rater_id,answer\n0,elsewhere.JPEG,3,1,yes\n";
    let run = bagel(&on_val(
        &["import", "votes"],
        machine_a.to_str().unwrap(),
        &[fixture
            .write("bad_votes.csv", bad.as_bytes())
            .to_str()
            .unwrap()],
    ));
    assert!(
        !run.ok
            && run
                .stderr
                .contains("1 questions name images that are not in the dataset"),
        "{}",
        run.stderr
    );
    assert_eq!(observer.version(), version);
}

#[test]
fn a_review_of_a_model_becomes_decided_mistakes_and_exports_back() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    let review = format!(
        r#"{{"{}": {{"top_prediction": 3, "failure category": "Fine-grained error with OOV", "failure severity": "Borderline"}},
            "{}": {{"top_prediction": 282, "failure category": "Spurious Correlation", "failure severity": "Major"}}}}"#,
        file_name(4),
        file_name(0)
    );
    let file = fixture.write("m_mistakes.json", review.as_bytes());
    let said = bagel_ok(&on_val(
        &["import", "review"],
        p,
        &["--model", "vit", file.to_str().unwrap()],
    ));
    assert!(said.contains("2 decided mistakes"), "{said}");
    let json = common::metrics_json(&project, &[]);
    let vit = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "vit")
        .unwrap();
    assert_eq!(vit["mistakes"]["reviewed"], 2);
    assert_eq!(vit["mistakes"]["categories"]["fine_grained_oov"], 1);
    assert_eq!(
        vit["mistakes"]["severities"]["minor"], 1,
        "borderline counts as minor"
    );
    // The fixture's model "m" makes the same top-1 predictions on those images, so the
    // decided mistakes are its too; but nobody reviewed m: it is left out, and said.
    let reviewed: u64 = (json["models"].as_array().unwrap().iter())
        .filter_map(|m| m["mistakes"]["reviewed"].as_u64())
        .sum();
    assert_eq!(reviewed, 2, "{json}");
    assert_eq!(json["reviewed_models"], serde_json::json!(["vit"]));
    assert_eq!(
        json["unreviewed_with_decided_mistakes"],
        serde_json::json!(["m"])
    );
    assert!(
        json["chi_square"]["category"].is_null(),
        "one reviewed model: no test"
    );
    let m = |json: &serde_json::Value| {
        let models = json["models"].as_array().unwrap().clone();
        models.into_iter().find(|m| m["model"] == "m").unwrap()
    };
    assert!(m(&json).get("mistakes").is_none());
    // Named as reviewed (stored in the project), m joins: 2 mistakes each, the same
    // shares (one OOV, one spurious; one major, one minor), so χ² = 0 on 2 × 2, N = 4.
    let said = bagel_ok(&on_val(&["config"], p, &["--reviewed-models", "m"]));
    assert!(
        said.contains("reviewed models on dataset \"val\": m (named); vit (imported reviews)"),
        "{said}"
    );
    let json = common::metrics_json(&project, &[]);
    assert_eq!(m(&json)["mistakes"]["reviewed"], 2);
    let categories = &json["chi_square"]["category"];
    assert_eq!(categories["models"], serde_json::json!(["m", "vit"]));
    assert_eq!(
        (categories["n"].as_u64(), categories["dof"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(categories["statistic"], 0.0);
    // --models names them for one run; a name the dataset does not know is refused.
    let only_vit = common::metrics_json(&project, &["--models", "vit"]);
    assert_eq!(only_vit["reviewed_models"], serde_json::json!(["vit"]));
    let run = bagel(&on_val(&["metrics"], p, &["--models", "vit,nobody"]));
    run.fails_with("--models names \"nobody\"");
    bagel_ok(&on_val(&["config"], p, &["--reviewed-models", ""]));
    let cleared = common::metrics_json(&project, &[]);
    assert_eq!(cleared["reviewed_models"], serde_json::json!(["vit"]));
    // m's decided mistakes are no review of m once nobody names it reviewed.
    let unreviewed = fixture.path("m_review.json");
    let run = bagel(&on_val(
        &["export", "review"],
        p,
        &["--model", "m", unreviewed.to_str().unwrap()],
    ));
    run.fails_with("model \"m\" is not a reviewed model of dataset \"val\"");
    assert!(!unreviewed.exists());
    let out = fixture.path("back.json");
    bagel_ok(&on_val(
        &["export", "review"],
        p,
        &["--model", "vit", out.to_str().unwrap()],
    ));
    let back: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let original: serde_json::Value = serde_json::from_str(&review).unwrap();
    assert_eq!(back, original, "the review round-trips");

    let observer = Observer::of(&project);
    let version = observer.version();
    let bad = fixture.write(
        "bad.json",
        format!(r#"{{"{}": {{"top_prediction": 3, "failure category": "Typo", "failure severity": "Major"}}}}"#, file_name(4)).as_bytes(),
    );
    let run = bagel(&on_val(
        &["import", "review"],
        p,
        &["--model", "vit", bad.to_str().unwrap()],
    ));
    run.fails_with("Fine-grained error");
    assert_eq!(observer.version(), version);
}

#[test]
fn a_review_names_its_model_as_every_other_import_does() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    let file = common::spurious_review_of_image_5(&fixture);
    for (model, hidden) in [
        ("new\u{200b}m", "U+200B"),
        ("r\u{202e}x", "U+202E"),
        ("r\u{1b}[31mx", "U+001B"),
    ] {
        common::refused(
            &project,
            &on_val(
                &["import", "review"],
                p,
                &["--model", model, file.to_str().unwrap()],
            ),
            &["the model name", hidden, "type the name without it"],
        );
    }
}
