//! No vote is ever lost and no decision is wrong because two things ran at once: a vote cast
//! while the file is opened and closed elsewhere reaches the next process; two imports and a
//! chair's decision racing each other leave every decision as the documented rule gives it;
//! events cast at one moment decide the same way on every machine.

mod common;

use bagel::panel::voting::{Ballot, panel_decision};
use bagel::panel::{DecisionKind, Round, Verdict, Vote, VoteEvent};
use bagel::store::Project;
use common::{Fixture, bagel, bagel_ok, file_name, on_val};
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn event(reviewer: &str, image: u32, label: u16, verdict: Verdict, cast_at: &str) -> VoteEvent {
    VoteEvent {
        reviewer: reviewer.into(),
        round: Round::Independent,
        cast_at: cast_at.into(),
        image,
        label,
        vote: Some(Vote::new(image, label, verdict)),
    }
}

fn cast(project: &mut Project, event: VoteEvent) {
    let dataset = project.dataset("val").unwrap();
    let files = project.images(dataset.id).unwrap().files;
    let ballot = Ballot {
        dataset: &dataset,
        files: &files,
    };
    ballot.cast(project, event).unwrap();
}

fn merge(project: &mut Project, events: &[VoteEvent]) {
    let dataset = project.dataset("val").unwrap();
    let files = project.images(dataset.id).unwrap().files;
    let ballot = Ballot {
        dataset: &dataset,
        files: &files,
    };
    ballot.merge(project, events).unwrap();
}

/// The standing votes another process reads from the file.
fn exported_votes(fixture: &Fixture, project: &Path) -> String {
    let out = fixture.path("seen.csv");
    let _ = std::fs::remove_file(&out);
    bagel_ok(&[
        "export",
        "votes",
        project.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn a_vote_cast_after_the_file_was_opened_and_closed_elsewhere_reaches_a_fresh_process() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let mut desk = Project::open(&path).unwrap();
    cast(
        &mut desk,
        event("ana", 0, 281, Verdict::Correct, "2026-11-24T09:00:00.000Z"),
    );
    // While the desk holds its connection, bagel's own code opens the same file the ways it
    // does from worker threads and imports...
    drop(Project::open_read_only(&path).unwrap());
    drop(Project::open(&path).unwrap());
    desk.write_large(|_| Ok(())).unwrap();
    // ...and another program opens it and closes it again, as `sqlite3 P "select ..."` does.
    another_sqlite_client(&path);
    cast(
        &mut desk,
        event("ben", 1, 282, Verdict::Wrong, "2026-11-24T09:01:00.000Z"),
    );
    let seen = exported_votes(&fixture, &path);
    assert!(seen.contains(&format!("ana,{}", file_name(0))), "{seen}");
    assert!(
        seen.contains(&format!("ben,{}", file_name(1))),
        "the vote cast after the other program closed the file is lost:\n{seen}"
    );
    drop(desk);
    let seen = exported_votes(&fixture, &path);
    assert!(seen.contains(&format!("ben,{}", file_name(1))), "{seen}");
}

/// Another program reads the project and closes it, as `sqlite3 P "select ..."` does: the
/// sqlite3 shell of the system when there is one (a closing SQLite of that age deletes the WAL
/// when it finds no lock of another process on the file), else [`other_sqlite_client`] in a
/// process of its own (this test binary, run again).
fn another_sqlite_client(project: &Path) {
    let query = "SELECT COUNT(*) FROM vote_events";
    let shell = Command::new("sqlite3").arg(project).arg(query).output();
    if shell.is_ok_and(|out| out.status.success()) {
        return;
    }
    eprintln!("no sqlite3 shell: the other program is this test's own SQLite");
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "other_sqlite_client", "--quiet"])
        .env(OTHER_CLIENT, project)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

const OTHER_CLIENT: &str = "BAGEL_TEST_OTHER_CLIENT";

/// Another program reading the project with SQLite: it opens the file, counts the votes and
/// closes it, which deletes the WAL when it finds no other process holding the file.
#[test]
#[ignore = "run by another_sqlite_client in a process of its own"]
fn other_sqlite_client() {
    let path = std::env::var_os(OTHER_CLIENT).expect("the project to open");
    let conn = rusqlite::Connection::open(path).unwrap();
    let _: i64 = conn
        .query_row("SELECT COUNT(*) FROM vote_events", [], |row| row.get(0))
        .unwrap();
    conn.close().unwrap();
}

const HEADER: &str = "reviewer,image,label,verdict,category,severity,note,round,cast_at\n";

/// A vote file of one reviewer giving `verdict` on every (image, label) of the fixture.
fn vote_file(
    fixture: &Fixture,
    name: &str,
    reviewer: &str,
    verdict: Verdict,
    minute: u32,
) -> String {
    let mut text = HEADER.to_owned();
    for image in 0..6 {
        for label in 0..1000 {
            text.push_str(&format!(
                "{reviewer},{},{label},{},,,,independent,2026-11-24T09:{minute:02}:00Z\n",
                file_name(image),
                verdict.as_str()
            ));
        }
    }
    fixture
        .write(name, text.as_bytes())
        .to_str()
        .unwrap()
        .to_owned()
}

fn spawn<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bagel"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_imports_and_a_chairs_decision_at_once_leave_every_decision_as_the_rule_gives() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let p = path.to_str().unwrap();
    bagel_ok(&["config", p, "--chair", "chair"]);
    let chair_verdicts = [Verdict::Problematic, Verdict::Correct];
    for run in 0..6 {
        // ana and ben disagree on every pair (a tie: unclear), each run the other way round
        // and later than the run before; the chair overrides one pair meanwhile.
        let (first, second) = if run % 2 == 0 {
            (Verdict::Correct, Verdict::Wrong)
        } else {
            (Verdict::Wrong, Verdict::Correct)
        };
        let ana = vote_file(&fixture, "ana.csv", "ana", first, run);
        let ben = vote_file(&fixture, "ben.csv", "ben", second, run);
        let chair = chair_verdicts[run as usize % 2].as_str();
        let image = file_name(2);
        let runs = [
            spawn(&on_val(&["import", "votes"], p, &[&ana])),
            spawn(&on_val(&["import", "votes"], p, &[&ben])),
            spawn(&on_val(
                &["decide"],
                p,
                &[
                    "--image",
                    &image,
                    "--label",
                    "7",
                    "--verdict",
                    chair,
                    "--reason",
                    "the chair looked closely",
                    "--reviewer",
                    "chair",
                ],
            )),
        ];
        for child in runs {
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "run {run}: {stderr}");
        }
        let project = Project::open_read_only(&path).unwrap();
        let dataset = project.dataset("val").unwrap();
        let decisions = project
            .decisions_of_kind(dataset.id, DecisionKind::Panel)
            .unwrap();
        assert_eq!(decisions.len(), 6000, "run {run}");
        for decision in decisions {
            let expected = if (decision.image, decision.label) == (2, 7) {
                chair_verdicts[run as usize % 2]
            } else {
                Verdict::Unclear
            };
            assert_eq!(
                decision.verdict, expected,
                "run {run}: image {} label {}: {decision:?}",
                decision.image, decision.label
            );
        }
        let check = bagel(&["check", p]);
        assert!(
            check.ok && check.stdout.contains("0 decisions differ"),
            "{}",
            check.stdout
        );
    }
}

#[test]
fn check_reports_a_decision_the_log_does_not_give_and_repair_fixes_it() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let p = path.to_str().unwrap();
    let mut project = Project::open(&path).unwrap();
    merge(
        &mut project,
        &[
            event("ana", 0, 281, Verdict::Correct, "2026-11-24T09:00:00.000Z"),
            event("ben", 0, 281, Verdict::Wrong, "2026-11-24T09:00:00.000Z"),
        ],
    );
    drop(project);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE decisions SET verdict = 'correct'", [])
        .unwrap();
    drop(conn);
    let run = bagel(&["check", p]);
    assert!(!run.ok);
    assert!(
        run.stdout.contains(&format!(
            "{} / 281 tabby (n02123045): stored correct (panel), the log gives unclear (panel)",
            file_name(0)
        )),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("--repair"), "{}", run.stderr);
    let repaired = bagel_ok(&["check", p, "--repair"]);
    assert!(repaired.contains("1 decisions repaired"), "{repaired}");
    let again = bagel_ok(&["check", p]);
    assert!(again.contains("dataset val: 0 decisions differ"), "{again}");
}

#[test]
fn events_of_one_moment_decide_alike_whatever_order_they_arrive_in() {
    let fixture = Fixture::new();
    let one = fixture.imported_project();
    let other = fixture.path("other.bagel");
    std::fs::copy(&one, &other).unwrap();
    let at = "2026-11-24T09:00:00.000Z";
    let said_correct = event("ana", 4, 3, Verdict::Correct, at);
    let said_wrong = event("ana", 4, 3, Verdict::Wrong, at);
    let mut first = Project::open(&one).unwrap();
    merge(&mut first, std::slice::from_ref(&said_correct));
    merge(&mut first, std::slice::from_ref(&said_wrong));
    let mut second = Project::open(&other).unwrap();
    merge(&mut second, std::slice::from_ref(&said_wrong));
    merge(&mut second, std::slice::from_ref(&said_correct));
    let decided = |project: &Project| {
        let dataset = project.dataset("val").unwrap();
        let log = project.vote_events(dataset.id).unwrap();
        let decision = project
            .decisions_of_kind(dataset.id, DecisionKind::Panel)
            .unwrap();
        assert_eq!(panel_decision(&log, 1).as_ref(), decision.first());
        decision[0].verdict
    };
    assert_eq!(decided(&first), decided(&second));
}

#[test]
fn fifty_thousand_votes_on_one_pair_leave_the_latest_standing() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let mut text = HEADER.to_owned();
    for i in 0..50_000u32 {
        let verdict = if i % 2 == 0 { "correct" } else { "wrong" };
        let (minute, second) = (i / 60 % 60, i % 60);
        text.push_str(&format!(
            "ana,{},281,{verdict},,,,independent,2026-11-{:02}T{:02}:{minute:02}:{second:02}Z\n",
            file_name(0),
            1 + i / 86_400,
            i / 3600 % 24
        ));
    }
    let file = fixture.write("many.csv", text.as_bytes());
    let out = bagel_ok(&on_val(
        &["import", "votes"],
        path.to_str().unwrap(),
        &[file.to_str().unwrap()],
    ));
    assert!(out.contains("50000 new"), "{out}");
    let project = Project::open_read_only(&path).unwrap();
    let dataset = project.dataset("val").unwrap();
    let decisions = project
        .decisions_of_kind(dataset.id, DecisionKind::Panel)
        .unwrap();
    assert_eq!(
        decisions[0].verdict,
        Verdict::Wrong,
        "the last of the votes is wrong"
    );
}

fn import_votes(project: &Path, file: &Path, extra: &[&str]) -> common::Run {
    let mut args = vec![
        "import",
        "votes",
        project.to_str().unwrap(),
        "--dataset",
        "val",
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    bagel(&args)
}

#[test]
fn chair_rows_of_a_vote_file_need_accept_chair_a_reason_and_the_projects_chair() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let p = path.to_str().unwrap();
    let image = file_name(0);
    let forged = fixture.write(
        "forged.csv",
        format!("{HEADER}ben,{image},281,wrong,,,,independent,2026-11-24T09:00:00Z\nmallory,{image},281,correct,,,,chair,2026-11-24T09:30:00Z\n").as_bytes(),
    );
    let refused = import_votes(&path, &forged, &[]);
    assert!(!refused.ok);
    assert!(
        refused.stderr.contains("1 rows are chair overrides")
            && refused.stderr.contains(&format!(
                "row 3: mallory on {image} / 281 tabby (n02123045): correct"
            ))
            && refused.stderr.contains("--accept-chair"),
        "{}",
        refused.stderr
    );
    let no_reason = import_votes(&path, &forged, &["--accept-chair"]);
    assert!(
        !no_reason.ok
            && no_reason
                .stderr
                .contains("row 3: a chair override needs its reason"),
        "{}",
        no_reason.stderr
    );
    let config = bagel_ok(&["config", p, "--chair", "tess"]);
    assert!(config.contains("chair: tess"), "{config}");
    let reasoned = fixture.write(
        "reasoned.csv",
        format!("{HEADER}mallory,{image},281,correct,,,trust me,chair,2026-11-24T09:30:00Z\n")
            .as_bytes(),
    );
    let impostor = import_votes(&path, &reasoned, &["--accept-chair"]);
    impostor.fails_with("the project's chair is \"tess\"");
    let from_tess = fixture.write(
        "tess.csv",
        format!(
            "{HEADER}tess,{image},281,correct,,,a tabby's stripes,chair,2026-11-24T09:30:00Z\n"
        )
        .as_bytes(),
    );
    let taken = import_votes(&path, &from_tess, &["--accept-chair"]);
    assert!(taken.ok, "{}", taken.stderr);
    assert!(
        taken.stderr.contains("1 chair overrides taken") && taken.stderr.contains("tess on"),
        "{}",
        taken.stderr
    );
    let project = Project::open_read_only(&path).unwrap();
    let dataset = project.dataset("val").unwrap();
    let decision = project
        .decisions_of_kind(dataset.id, DecisionKind::Panel)
        .unwrap();
    assert_eq!(decision[0].source, "chair tess");
    assert_eq!(project.chair().unwrap().as_deref(), Some("tess"));
    drop(project);
    // The chair's own command is the chair's too.
    let decide = |reviewer: &str| {
        bagel(&on_val(
            &["decide"],
            p,
            &[
                "--image",
                &image,
                "--label",
                "281",
                "--verdict",
                "wrong",
                "--reason",
                "stripes",
                "--reviewer",
                reviewer,
            ],
        ))
    };
    let impostor = decide("mallory");
    assert!(
        !impostor.ok
            && impostor
                .stderr
                .contains("only the chair (tess) may override"),
        "{}",
        impostor.stderr
    );
    assert!(decide("tess").ok);
}

#[test]
fn vote_times_from_the_future_or_before_2000_are_refused_with_row_and_value() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let image = file_name(0);
    for (when, expected) in [
        (
            "9999-12-30T00:00:00Z",
            "row 2: cast_at 9999-12-30T00:00:00.000Z is later than now",
        ),
        (
            "0000-01-01T00:00:00Z",
            "row 2: cast_at 0000-01-01T00:00:00.000Z is before 2000",
        ),
    ] {
        let file = fixture.write(
            "when.csv",
            format!("{HEADER}ana,{image},281,correct,,,,independent,{when}\n").as_bytes(),
        );
        let run = import_votes(&path, &file, &[]);
        run.fails_with(expected);
    }
    let votes: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM vote_events", [], |row| row.get(0))
        .unwrap();
    assert_eq!(votes, 0, "no vote was written");
}

#[test]
fn a_reviewer_name_with_a_hidden_character_is_refused_and_one_spelling_is_one_reviewer() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let image = file_name(0);
    let hidden = fixture.write(
        "hidden.csv",
        format!("{HEADER}an\u{200b}a,{image},281,correct,,,,independent,2026-11-24T09:00:00Z\n")
            .as_bytes(),
    );
    let run = import_votes(&path, &hidden, &[]);
    assert!(
        !run.ok && run.stderr.contains("row 2: the reviewer name") && run.stderr.contains("U+200B"),
        "{}",
        run.stderr
    );
    // "José" typed precomposed and decomposed is one reviewer.
    let spellings = fixture.write(
        "spellings.csv",
        format!("{HEADER}Jos\u{e9},{image},281,correct,,,,independent,2026-11-24T09:00:00Z\nJose\u{301},{image},282,correct,,,,independent,2026-11-24T09:00:00Z\n").as_bytes(),
    );
    assert!(import_votes(&path, &spellings, &[]).ok);
    let project = Project::open_read_only(&path).unwrap();
    assert_eq!(project.reviewers().unwrap(), ["Jos\u{e9}"]);
}

#[test]
fn a_dataset_or_model_typed_in_another_unicode_spelling_is_the_stored_one() {
    let fixture = Fixture::new();
    let path = fixture.project();
    let p = path.to_str().unwrap();
    let (precomposed, decomposed) = ("caf\u{e9}", "cafe\u{301}");
    bagel_ok(&["new", p]);
    let images = fixture.path("images.csv");
    bagel_ok(&[
        "import",
        "images",
        p,
        "--dataset",
        precomposed,
        images.to_str().unwrap(),
    ]);
    let top3 = fixture.path("top3.npy");
    let import = [
        "import",
        "predictions",
        p,
        "--dataset",
        decomposed,
        "--model",
    ];
    bagel_ok(&[&import[..], &["Jos\u{e9}", top3.to_str().unwrap()]].concat());
    let metrics = bagel_ok(&["metrics", p, "--dataset", decomposed]);
    assert!(metrics.contains("Jos\u{e9}"), "{metrics}");
    let config = [
        "config",
        p,
        "--dataset",
        decomposed,
        "--reviewed-models",
        "Jose\u{301}",
    ];
    bagel_ok(&config);
    let project = Project::open_read_only(&path).unwrap();
    let dataset = project.dataset(precomposed).unwrap();
    assert_eq!(
        project.named_reviewed_models(dataset.id).unwrap(),
        ["Jos\u{e9}"]
    );
}

#[test]
fn an_export_refuses_a_pipe_and_writes_to_standard_output_for_a_dash() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let p = path.to_str().unwrap();
    let mut project = Project::open(&path).unwrap();
    cast(
        &mut project,
        event("ana", 0, 281, Verdict::Correct, "2026-11-24T09:00:00.000Z"),
    );
    drop(project);
    let pipe = fixture.path("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap()
            .success()
    );
    let run = bagel(&["export", "votes", p, pipe.to_str().unwrap()]);
    run.fails_with("is not a regular file");
    use std::os::unix::fs::FileTypeExt as _;
    assert!(std::fs::metadata(&pipe).unwrap().file_type().is_fifo());
    let run = bagel(&["export", "votes", p, "-"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.starts_with(HEADER.trim_end()), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("ana,{}", file_name(0))),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("1 vote written to -"), "{}", run.stderr);
    let run = bagel(&["export", "votes", p, "/dev/stdout"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.starts_with(HEADER.trim_end()), "{}", run.stdout);
}

/// Runs bagel as someone who may not write the project or its folder: root may write
/// anywhere, so under root the command runs as user `nobody`.
fn bagel_as_reader(args: &[String]) -> common::Run {
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut command = if root {
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        command.arg(env!("CARGO_BIN_EXE_bagel"));
        command
    } else {
        Command::new(env!("CARGO_BIN_EXE_bagel"))
    };
    let output = command
        .args(args)
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    common::Run {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn set_mode(target: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(target, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn every_reading_command_works_on_a_read_only_project_in_a_read_only_folder() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let mut project = Project::open(&path).unwrap();
    cast(
        &mut project,
        event("ana", 0, 281, Verdict::Correct, "2026-11-24T09:00:00.000Z"),
    );
    drop(project);
    set_mode(fixture.dir.path(), 0o755);
    let shelf = fixture.path("shelf");
    std::fs::create_dir(&shelf).unwrap();
    let kept = shelf.join("p.bagel");
    std::fs::copy(&path, &kept).unwrap();
    let k = kept.to_str().unwrap();
    let out = fixture.path("out");
    std::fs::create_dir(&out).unwrap();
    set_mode(&out, 0o777);
    let o = |name: &str| out.join(name).to_str().unwrap().to_owned();
    set_mode(&kept, 0o444);
    set_mode(&shelf, 0o555);
    let commands: Vec<Vec<String>> = [
        vec!["info", k],
        vec!["metrics", k, "--dataset", "val"],
        vec!["agreement", k, "--dataset", "val"],
        vec!["discussion", k, "--dataset", "val"],
        vec!["check", k],
        vec!["classes", "tabby", "--project", k],
        vec!["export", "votes", k, &o("votes.csv")],
        vec![
            "export",
            "decisions",
            k,
            "--dataset",
            "val",
            &o("decisions.csv"),
        ],
        vec!["export", "labels", k, "--dataset", "val", &o("labels.json")],
    ]
    .iter()
    .map(|args| args.iter().map(|a| a.to_string()).collect())
    .collect();
    let failed: Vec<String> = (commands.iter())
        .filter_map(|args| {
            let run = bagel_as_reader(args);
            (!run.ok).then(|| format!("{args:?}: {}", run.stderr))
        })
        .collect();
    set_mode(&shelf, 0o755);
    assert!(failed.is_empty(), "{failed:#?}");
    let left: Vec<_> = std::fs::read_dir(&shelf)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "nothing beside the project: {left:?}");
    let votes = std::fs::read_to_string(o("votes.csv")).unwrap();
    assert!(votes.contains("ana,"), "{votes}");
}
