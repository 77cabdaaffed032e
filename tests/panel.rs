//! A panel on two machines: each reviewer votes on their own copy of the project, the copies
//! exchange `bagel export votes` files, and both end with the same log and decisions; the chair
//! overrides with a reason; merging twice changes nothing; the newer vote wins.

mod common;

use bagel::panel::{Review, Verdict, Vote};
use bagel::progress::Silent;
use bagel::store::Project;
use common::{Fixture, bagel, bagel_ok, file_name, table_counts};

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
        .map(|d| (d.verdict, d.source))
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
    bagel_ok(&[
        "import",
        "votes",
        project.to_str().unwrap(),
        "--dataset",
        "val",
        file.to_str().unwrap(),
    ])
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
    assert!(
        from_b.starts_with("reviewer,image,label,verdict,category,severity,note,round,cast_at\n")
    );
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
    let counts = table_counts(&machine_a);
    let again = merge(&machine_a, &fixture.path("b.csv"));
    assert!(again.contains("0 new, 2 already standing"), "{again}");
    assert_eq!(export(&machine_a, &fixture.path("a2.csv")), before);
    assert_eq!(table_counts(&machine_a), counts);

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
    let file = file_name(4);
    let said = bagel_ok(&[
        "decide",
        p,
        "--dataset",
        "val",
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
    ]);
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

    let no_reason = bagel(&[
        "decide",
        p,
        "--dataset",
        "val",
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
    ]);
    assert!(
        !no_reason.ok && no_reason.stderr.contains("--reason"),
        "{}",
        no_reason.stderr
    );
}

#[test]
fn a_bad_vote_file_writes_nothing() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let counts = table_counts(&project);
    let header = "reviewer,image,label,verdict,category,severity,note,round,cast_at\n";
    let rows = format!(
        "{header}ana,{},3,correct,,,,,\nana,{},3,maybe,,,,,\n",
        file_name(4),
        file_name(1)
    );
    let run = bagel(&[
        "import",
        "votes",
        project.to_str().unwrap(),
        "--dataset",
        "val",
        fixture.write("bad.csv", rows.as_bytes()).to_str().unwrap(),
    ]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("bad.csv: row 3: verdict \"maybe\""),
        "{}",
        run.stderr
    );
    assert_eq!(table_counts(&project), counts);
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
