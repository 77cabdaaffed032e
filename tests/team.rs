//! A panel on one team server: a chair and three reviewers, each on their own copy of the
//! project. The server proves who cast each event, keeps the blind round, refuses anything but
//! appending one's own events, and every machine ends with the same decisions. Each test
//! starts its own throwaway PostgreSQL cluster (tests/pg).

mod common;
mod pg;

use bagel::panel::log::{VoteLog, panel_decisions};
use bagel::panel::voting::Ballot;
use bagel::store::Project;
use bagel::team::{self, ServerAddress, ServerLog};
use bagel::verdict::{Round, Verdict, Vote, VoteEvent, now};
use common::{Fixture, Observer};
use pg::Cluster;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const REVIEWERS: [&str; 3] = ["ana", "ben", "cem"];
const CHAIR: &str = "chloe";

fn password(name: &str) -> String {
    format!("{name}-secret")
}

/// `bagel ARGS` with `stdin` typed in: (success, stdout, stderr).
fn bagel_with_input(args: &[&str], stdin: &str) -> (bool, String, String) {
    pg::bagel_typing(args, stdin, None)
}

fn bagel_ok(args: &[&str]) -> String {
    let (ok, stdout, stderr) = bagel_with_input(args, "");
    assert!(ok, "bagel {args:?} failed: {stderr}");
    stdout
}

/// A panel on the cluster: the chair's project registered, the chair and three reviewers
/// added, each with their own copy of the project, joined. Returns the projects by name.
struct Panel {
    fixture: Fixture,
    projects: Vec<(String, PathBuf)>,
    /// A libpq password file with every member's line, for `bagel sync` (PGPASSFILE).
    pgpass: PathBuf,
    port: u16,
}

impl Panel {
    fn new(cluster: &Cluster) -> Panel {
        let fixture = Fixture::new();
        let chair_project = fixture.imported_project();
        let owner = cluster.owner_url();
        let (ok, stdout, stderr) = bagel_with_input(
            &[
                "team",
                "create",
                &owner,
                "--project",
                chair_project.to_str().unwrap(),
                "--chair",
                CHAIR,
            ],
            &format!("{}\n", password(CHAIR)),
        );
        assert!(ok, "team create failed: {stderr}");
        assert!(stdout.contains("created the panel"), "{stdout}");
        assert!(!stdout.contains(pg::OWNER_PASSWORD), "{stdout}");
        let mut projects = Vec::new();
        for name in REVIEWERS {
            let (ok, _, stderr) = bagel_with_input(
                &["team", "add", &owner, name],
                &format!("{}\n", password(name)),
            );
            assert!(ok, "team add {name} failed: {stderr}");
            let copy = fixture.path(&format!("{name}.bagel"));
            std::fs::copy(&chair_project, &copy).unwrap();
            projects.push((name.to_owned(), copy));
        }
        projects.push((CHAIR.to_owned(), chair_project));
        let lines: String = (projects.iter())
            .map(|(name, _)| {
                format!(
                    "127.0.0.1:{}:{}:{name}:{}\n",
                    cluster.port,
                    pg::DATABASE,
                    password(name)
                )
            })
            .collect();
        let pgpass = fixture.write("pgpass", lines.as_bytes());
        restrict(&pgpass);
        for (name, project) in &projects {
            let url = cluster.url(name, &password(name));
            let joined = bagel_ok(&["team", "join", project.to_str().unwrap(), &url]);
            assert!(joined.contains(&format!("as {name}")), "{joined}");
        }
        Panel {
            fixture,
            projects,
            pgpass,
            port: cluster.port,
        }
    }

    /// Syncs a member's project in this process, the password held in memory.
    fn sync(&self, name: &str) -> team::SyncReport {
        let url = format!(
            "postgres://{name}:{}@127.0.0.1:{}/{}?sslmode=disable",
            password(name),
            self.port,
            pg::DATABASE
        );
        let address = ServerAddress::parse(&url).unwrap();
        team::sync_with(&mut Project::open(self.project(name)).unwrap(), &address).unwrap()
    }

    /// `bagel sync` as the member runs it, the password from their ~/.pgpass (PGPASSFILE).
    fn bagel_sync(&self, name: &str) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_bagel"))
            .args(["sync", self.project(name).to_str().unwrap()])
            .env("PGPASSFILE", &self.pgpass)
            .env_remove("PGPASSWORD")
            .output()
            .unwrap()
    }

    fn project(&self, name: &str) -> &Path {
        &self.projects.iter().find(|(n, _)| n == name).unwrap().1
    }
}

/// Casts one event on a member's own project, as the desk does: committed locally first.
fn cast(project: &Path, reviewer: &str, round: Round, pair: (u32, u16), verdict: Option<Verdict>) {
    let mut opened = Project::open(project).unwrap();
    let dataset = opened.dataset("val").unwrap();
    let files = opened.images(dataset.id).unwrap().files;
    let ballot = Ballot {
        dataset: &dataset,
        files: &files,
    };
    let note = if round == Round::Chair {
        "the gloss says so"
    } else {
        ""
    };
    let event = VoteEvent {
        reviewer: reviewer.to_owned(),
        round,
        cast_at: now(),
        image: pair.0,
        label: pair.1,
        vote: verdict.map(|v| Vote {
            note: note.into(),
            ..Vote::new(pair.0, pair.1, v)
        }),
    };
    ballot.cast(&mut opened, event).unwrap();
}

fn vote(project: &Path, reviewer: &str, pair: (u32, u16), verdict: Verdict) {
    cast(project, reviewer, Round::Independent, pair, Some(verdict));
}

fn server_log(cluster: &Cluster, name: &str) -> ServerLog {
    ServerLog::open(&ServerAddress::parse(&cluster.url(name, &password(name))).unwrap()).unwrap()
}

fn psql_ok(cluster: &Cluster, name: &str, sql: &str) -> String {
    let output = cluster.psql(name, &password(name), sql);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "psql as {name}: {sql}: {stderr}");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn psql_refused(cluster: &Cluster, name: &str, sql: &str) -> String {
    let output = cluster.psql(name, &password(name), sql);
    assert!(
        !output.status.success(),
        "psql as {name} was allowed: {sql}"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_server_keeps_the_blind_round_for_psql_too() {
    let Some(cluster) = Cluster::start("the_server_keeps_the_blind_round_for_psql_too") else {
        return;
    };
    let panel = Panel::new(&cluster);
    let pair = (0, 282);
    vote(panel.project("ana"), "ana", pair, Verdict::Correct);
    assert_eq!(panel.sync("ana").sent, 1);

    let count = "SELECT count(*) FROM bagel.events";
    // Ben has not voted on the pair: the server shows him nothing of it, and sync brings
    // nothing either.
    assert_eq!(psql_ok(&cluster, "ben", count), "0");
    assert_eq!(panel.sync("ben").fetched, 0);
    // The chair sees every vote.
    assert_eq!(psql_ok(&cluster, CHAIR, count), "1");
    assert_eq!(
        psql_ok(&cluster, "ana", "SELECT reviewer FROM bagel.events"),
        "ana"
    );

    vote(panel.project("ben"), "ben", pair, Verdict::Wrong);
    let report = panel.sync("ben");
    assert_eq!((report.sent, report.fetched), (1, 1));
    assert_eq!(
        psql_ok(
            &cluster,
            "ben",
            "SELECT string_agg(reviewer, ',' ORDER BY seq) FROM bagel.events"
        ),
        "ana,ben"
    );
    // Cem still sees nothing; ana now sees ben's vote.
    assert_eq!(psql_ok(&cluster, "cem", count), "0");
    assert_eq!(psql_ok(&cluster, "ana", count), "2");
}

#[test]
fn impersonation_and_rewriting_the_log_are_refused_by_the_server() {
    let Some(cluster) = Cluster::start("impersonation_and_rewriting_the_log_are_refused") else {
        return;
    };
    let panel = Panel::new(&cluster);
    vote(panel.project("ana"), "ana", (0, 282), Verdict::Correct);
    panel.sync("ana");
    // Each row with the id its content hashes to, so what refuses it is who may write it.
    let insert = |reviewer: &str, round: &str| {
        let id = forged_vote_id(reviewer, round);
        format!(
            "INSERT INTO bagel.events (event_id, dataset, image, file, label, wnid, reviewer, round, verdict, note, authored_at)
             VALUES ({id}, 'val', 1, '{FILE}', 281, '{WNID}', '{reviewer}', '{round}', 'wrong', '', '{AUTHORED}')"
        )
    };
    let attempts = [
        insert("ana", "independent"),
        insert("ben", "chair"),
        "UPDATE bagel.events SET verdict = 'wrong'".to_owned(),
        "DELETE FROM bagel.events".to_owned(),
        "TRUNCATE bagel.events".to_owned(),
        "ALTER TABLE bagel.events DISABLE ROW LEVEL SECURITY".to_owned(),
        "ALTER TABLE bagel.events DISABLE TRIGGER stamp_event".to_owned(),
        "INSERT INTO bagel.datasets VALUES ('other', 1, 'x')".to_owned(),
        "UPDATE bagel.meta SET value = '0'".to_owned(),
    ];
    // By psql, as a reviewer would type it.
    for sql in &attempts {
        let error = psql_refused(&cluster, "ben", sql);
        assert!(
            error.contains("row-level security")
                || error.contains("permission denied")
                || error.contains("must be owner"),
            "{sql}: {error}"
        );
    }
    // By a hand-forged client speaking the protocol directly.
    let mut forged =
        postgres::Client::connect(&cluster.url("ben", &password("ben")), postgres::NoTls).unwrap();
    for sql in &attempts {
        let error = forged.batch_execute(sql).unwrap_err();
        let state = error.code().unwrap().code().to_owned();
        // 42501: insufficient privilege (also RLS refusals); 42501 covers "must be owner".
        assert_eq!(state, "42501", "{sql}: {error}");
    }
    // What a reviewer may insert is stamped by the server: their name, its time and order.
    let id = forged_vote_id("ben", "independent");
    forged
        .batch_execute(&format!(
            "INSERT INTO bagel.events (seq, event_id, dataset, image, file, label, wnid, round, verdict, authored_at, cast_at)
             VALUES (-5, {id}, 'val', 1, '{FILE}', 281, '{WNID}', 'independent', 'wrong', '{AUTHORED}', '2099-01-01')",
        ))
        .unwrap();
    let row = forged
        .query_one(
            "SELECT reviewer, seq > 0, cast_at < now() + interval '1 minute' FROM bagel.events WHERE event_id = $1",
            &[&id],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "ben");
    assert!(row.get::<_, bool>(1) && row.get::<_, bool>(2));
    // The chair may cast the chair's round.
    let chair_insert = insert(CHAIR, "chair");
    psql_ok(&cluster, CHAIR, &chair_insert);
    // The log still holds ana's vote, unchanged.
    assert_eq!(
        psql_ok(
            &cluster,
            CHAIR,
            "SELECT verdict FROM bagel.events WHERE reviewer = 'ana'"
        ),
        "correct"
    );
}

/// The pair a hand-forged client writes on: image 1 and class 281 of the fixture.
const FILE: &str = "ILSVRC2012_val_00000002.JPEG";
const WNID: &str = "n02123045";
const AUTHORED: &str = "2026-12-01T10:00:00.000Z";

/// The id the server checks a forged "wrong" vote on that pair by.
fn forged_vote_id(reviewer: &str, round: &str) -> i64 {
    team::content_id(&[
        "vote", "val", FILE, WNID, reviewer, round, AUTHORED, "wrong", "", "", "",
    ])
}

#[test]
fn an_event_whose_id_is_not_its_contents_hash_is_refused_by_server_and_client() {
    let Some(cluster) = Cluster::start("an_event_whose_id_is_not_its_contents_hash") else {
        return;
    };
    let panel = Panel::new(&cluster);
    vote(panel.project("ana"), "ana", (0, 282), Verdict::Correct);
    assert_eq!(panel.sync("ana").sent, 1);
    // A hand-forged client's row with an id that hashes nothing it says: refused by the
    // server's check, whoever sends it, the owner too.
    let forged_row = |id: i64| {
        format!(
            "INSERT INTO bagel.events (event_id, dataset, image, file, label, wnid, reviewer, round, verdict, note, authored_at)
             VALUES ({id}, 'val', 1, '{FILE}', 281, '{WNID}', 'ben', 'independent', 'wrong', '', '{AUTHORED}')"
        )
    };
    let mut forged =
        postgres::Client::connect(&cluster.url("ben", &password("ben")), postgres::NoTls).unwrap();
    let right = forged_vote_id("ben", "independent");
    for wrong in [right ^ 1, 0, 12345] {
        let error = forged.batch_execute(&forged_row(wrong)).unwrap_err();
        let db = error.as_db_error().unwrap();
        assert_eq!(db.code().code(), "23514", "{error}");
        assert_eq!(db.constraint(), Some("id_is_content_hash"), "{error}");
    }
    let mut owner = cluster.owner_client(pg::DATABASE);
    assert!(owner.batch_execute(&forged_row(7)).is_err());
    assert!(psql_refused(&cluster, "ben", &forged_row(8)).contains("id_is_content_hash"));
    // With the right id the same row goes in: it is the id that was refused.
    forged.batch_execute(&forged_row(right)).unwrap();

    // A server whose check was dropped (by its owner) and that then holds a row whose id does
    // not hash it: the client names the row, merges nothing and keeps its project as it was.
    owner
        .batch_execute(
            "ALTER TABLE bagel.events DROP CONSTRAINT id_is_content_hash;
             UPDATE bagel.events SET verdict = 'wrong' WHERE reviewer = 'ana'",
        )
        .unwrap();
    let seq: i64 = (owner.query_one("SELECT seq FROM bagel.events WHERE reviewer = 'ana'", &[]))
        .unwrap()
        .get(0);
    let chair = panel.project(CHAIR);
    let observer = Observer::of(chair);
    let before = observer.version();
    let output = panel.bagel_sync(CHAIR);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("event {seq} (ana's vote on val"))
            && stderr.contains("hashes to")
            && stderr.contains("nothing of this sync was merged"),
        "{stderr}"
    );
    assert_eq!(observer.version(), before, "the chair's project changed");
}

#[test]
fn every_machine_decides_the_same_as_the_rule_on_the_servers_log() {
    let Some(cluster) = Cluster::start("every_machine_decides_the_same") else {
        return;
    };
    let panel = Panel::new(&cluster);
    let pairs = [(0, 282), (1, 281), (2, 876), (4, 3)];
    let verdicts = [
        [Verdict::Correct, Verdict::Correct, Verdict::Correct],
        [Verdict::Correct, Verdict::Wrong, Verdict::Wrong],
        [Verdict::Correct, Verdict::Wrong, Verdict::Unclear],
        [Verdict::Wrong, Verdict::Wrong, Verdict::Correct],
    ];
    for (pair, verdicts) in pairs.iter().zip(verdicts) {
        for (name, verdict) in REVIEWERS.iter().zip(verdicts) {
            vote(panel.project(name), name, *pair, verdict);
            panel.sync(name);
        }
    }
    // The discussion: ana changes her mind on (1, 281); the chair overrides (2, 876).
    cast(
        panel.project("ana"),
        "ana",
        Round::Discussion,
        (1, 281),
        Some(Verdict::Wrong),
    );
    cast(
        panel.project(CHAIR),
        CHAIR,
        Round::Chair,
        (2, 876),
        Some(Verdict::Correct),
    );
    for _ in 0..2 {
        for (name, _) in &panel.projects {
            panel.sync(name);
        }
    }
    let on_server = panel_decisions(&mut server_log(&cluster, CHAIR), "val", 1).unwrap();
    assert_eq!(on_server.len(), 4);
    assert_eq!(on_server[&(1, 281)].verdict, Verdict::Wrong);
    assert_eq!(on_server[&(2, 876)].verdict, Verdict::Correct);
    assert_eq!(on_server[&(4, 3)].verdict, Verdict::Wrong);
    for (name, project) in &panel.projects {
        let mut opened = Project::open(project).unwrap();
        let local = panel_decisions(&mut opened, "val", 1).unwrap();
        assert_eq!(local, on_server, "decisions on {name}'s machine");
        let dataset = opened.dataset("val").unwrap();
        let mut stored: Vec<_> = (opened.decisions(dataset.id).unwrap().into_iter())
            .map(|d| ((d.image, d.label), d.verdict))
            .collect();
        stored.sort_by_key(|(pair, _)| *pair);
        let expected: Vec<_> = on_server.iter().map(|(p, d)| (*p, d.verdict)).collect();
        assert_eq!(stored, expected, "stored decisions on {name}'s machine");
        assert_eq!(
            opened.dataset_events("val").unwrap().len(),
            14,
            "{name}'s log"
        );
    }
}

#[test]
fn votes_made_while_the_server_is_down_are_sent_once_after_it_returns() {
    let Some(mut cluster) = Cluster::start("votes_made_while_the_server_is_down") else {
        return;
    };
    let panel = Panel::new(&cluster);
    let ana = panel.project("ana");
    vote(ana, "ana", (0, 282), Verdict::Correct);
    panel.sync("ana");
    cluster.stop_server("immediate");
    let mut tried = 1;
    for (pair, verdict) in [((1, 281), Verdict::Wrong), ((2, 876), Verdict::Correct)] {
        vote(ana, "ana", pair, verdict);
        tried += 1;
        let run = panel.bagel_sync("ana");
        assert!(!run.status.success());
        let error = String::from_utf8_lossy(&run.stderr);
        assert!(error.contains("cannot reach the server"), "{error}");
        assert!(error.contains("votes stay in the project"), "{error}");
    }
    let status = bagel_ok(&["team", "status", ana.to_str().unwrap()]);
    assert!(
        status.contains("not yet on the server: 2 events"),
        "{status}"
    );
    cluster.start_server().unwrap();
    let run = panel.bagel_sync("ana");
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(said.starts_with("sent 2 events, fetched 0"), "{said}");
    assert_eq!(panel.sync("ana").sent, 0);
    let on_server = psql_ok(
        &cluster,
        "ana",
        "SELECT count(*), count(DISTINCT event_id) FROM bagel.events",
    );
    assert_eq!(
        on_server,
        format!("{tried}|{tried}"),
        "tried {tried}, lost or doubled none"
    );
}

#[test]
fn a_sync_killed_during_its_send_loses_and_doubles_nothing() {
    let Some(cluster) = Cluster::start("a_sync_killed_during_its_send") else {
        return;
    };
    let panel = Panel::new(&cluster);
    let ana = panel.project("ana");
    // 6 images × 1000 labels × 2 rounds: a send long enough to be killed in the middle.
    let mut tried = 0;
    {
        let mut opened = Project::open(ana).unwrap();
        let dataset = opened.dataset("val").unwrap();
        let files = opened.images(dataset.id).unwrap().files;
        let ballot = Ballot {
            dataset: &dataset,
            files: &files,
        };
        let events: Vec<VoteEvent> = (0..6u32)
            .flat_map(|image| (0..1000u16).map(move |label| (image, label)))
            .map(|(image, label)| VoteEvent {
                reviewer: "ana".into(),
                round: Round::Independent,
                cast_at: now(),
                image,
                label,
                vote: Some(Vote::new(image, label, Verdict::Wrong)),
            })
            .collect();
        tried += ballot.merge(&mut opened, &events).unwrap().added;
    }
    for delay_ms in [50, 150, 300, 600, 1000] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bagel"))
            .args(["sync", ana.to_str().unwrap()])
            .env("PGPASSFILE", &panel.pgpass)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    panel.sync("ana");
    assert_eq!(
        team::status(&Project::open(ana).unwrap()).unwrap().unsent,
        0
    );
    let count = "SELECT count(*), count(DISTINCT event_id) FROM bagel.events";
    assert_eq!(psql_ok(&cluster, "ana", count), format!("{tried}|{tried}"));
    // A crash after the server's commit and before the project noted it: all is sent again,
    // and the server keeps each event once.
    rusqlite::Connection::open(ana)
        .unwrap()
        .execute("DELETE FROM team_events", [])
        .unwrap();
    assert_eq!(panel.sync("ana").sent, tried);
    assert_eq!(
        psql_ok(&cluster, "ana", count),
        format!("{tried}|{tried}"),
        "tried {tried}, lost or doubled none"
    );
}

#[test]
fn the_listener_hears_new_events_across_a_server_restart() {
    let Some(mut cluster) = Cluster::start("the_listener_hears_new_events") else {
        return;
    };
    let panel = Panel::new(&cluster);
    let (sender, heard) = std::sync::mpsc::channel();
    let address = ServerAddress::parse(&cluster.url("ana", &password("ana"))).unwrap();
    let _listener = team::Listener::spawn(address, move |h| {
        let _ = sender.send(h);
    });
    let wait_for = |wanted: team::listen::Heard| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            if heard.recv_timeout(std::time::Duration::from_millis(200)) == Ok(wanted) {
                return true;
            }
        }
        false
    };
    assert!(wait_for(team::listen::Heard::Connected));
    cluster.stop_server("fast");
    assert!(wait_for(team::listen::Heard::Lost));
    cluster.start_server().unwrap();
    assert!(wait_for(team::listen::Heard::Connected));
    vote(panel.project("ben"), "ben", (0, 282), Verdict::Wrong);
    panel.sync("ben");
    assert!(wait_for(team::listen::Heard::NewEvents));
}

#[test]
fn bad_servers_and_projects_are_refused_with_what_to_do_and_change_nothing() {
    let Some(cluster) = Cluster::start("bad_servers_and_projects_are_refused") else {
        return;
    };
    let panel = Panel::new(&cluster);
    let fresh = panel.fixture.path("fresh.bagel");
    std::fs::copy(panel.project("ana"), &fresh).unwrap();
    Project::open(&fresh)
        .unwrap()
        .link_team("postgres://nobody@127.0.0.1:1/none", "nobody")
        .unwrap();
    let fresh_observer = Observer::of(&fresh);
    let before = fresh_observer.version();
    let link_before = Project::open(&fresh).unwrap().team_link().unwrap();
    let join = |url: &str, project: &Path| {
        let (ok, _, stderr) =
            bagel_with_input(&["team", "join", project.to_str().unwrap(), url], "");
        assert!(!ok);
        stderr
    };
    let wrong_password = join(&cluster.url("ana", "not-her-password"), &fresh);
    assert!(
        wrong_password.contains("refused the password of \"ana\""),
        "{wrong_password}"
    );
    assert!(wrong_password.contains("PGPASSWORD"), "{wrong_password}");
    assert!(
        !wrong_password.contains("not-her-password"),
        "{wrong_password}"
    );
    let unreachable = join("postgres://ana:x@127.0.0.1:1/panel?sslmode=disable", &fresh);
    assert!(
        unreachable.contains("cannot reach the server"),
        "{unreachable}"
    );

    // A project whose dataset has other images.
    let other_project = project_with_other_images(&panel.fixture);
    let other_observer = Observer::of(&other_project);
    let other_before = other_observer.version();
    let differs = join(&cluster.url("ana", &password("ana")), &other_project);
    assert!(
        differs.contains("does not hold the panel's datasets"),
        "{differs}"
    );
    assert!(
        differs.contains("copy the chair's project file"),
        "{differs}"
    );
    assert_eq!(other_observer.version(), other_before);
    assert_eq!(
        Project::open(&other_project).unwrap().team_link().unwrap(),
        None
    );

    // A server of a newer panel schema.
    cluster
        .owner_client(pg::DATABASE)
        .batch_execute(&format!(
            "UPDATE bagel.meta SET value = '{}' WHERE key = 'schema_version'",
            team::SCHEMA_VERSION + 1
        ))
        .unwrap();
    let newer = join(&cluster.url("ana", &password("ana")), &fresh);
    assert!(newer.contains("newer than this bagel knows"), "{newer}");
    assert!(newer.contains("update bagel"), "{newer}");
    // And one made by an earlier bagel, whose ids the server does not check.
    cluster
        .owner_client(pg::DATABASE)
        .batch_execute("UPDATE bagel.meta SET value = '1' WHERE key = 'schema_version'")
        .unwrap();
    let older = join(&cluster.url("ana", &password("ana")), &fresh);
    assert!(older.contains("made by an earlier bagel"), "{older}");
    assert!(older.contains("bagel team create"), "{older}");

    assert_eq!(fresh_observer.version(), before);
    assert_eq!(
        Project::open(&fresh).unwrap().team_link().unwrap(),
        link_before
    );
}

#[test]
fn a_member_connects_over_tls_with_a_self_signed_certificate() {
    let Some(mut cluster) = Cluster::start("a_member_connects_over_tls") else {
        return;
    };
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = cluster.folder().join("server.crt");
    let key = cluster.folder().join("server.key");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    restrict(&key);
    for file in [&cert, &key] {
        cluster.give_to_server_user(file).unwrap();
    }
    cluster.configure(&format!(
        "ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'",
        cert.display(),
        key.display()
    ));
    cluster.stop_server("fast");
    cluster.start_server().unwrap();
    let url = format!(
        "postgres://{}:{}@localhost:{}/{}?sslmode=verify-full&sslrootcert={}",
        pg::OWNER,
        pg::OWNER_PASSWORD,
        cluster.port,
        pg::DATABASE,
        cert.display()
    );
    let mut client = ServerAddress::parse(&url).unwrap().connect().unwrap();
    let encrypted: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(encrypted);
    // Another certificate than the server's is refused.
    let stranger = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let stranger_cert = cluster.folder().join("stranger.crt");
    std::fs::write(&stranger_cert, stranger.cert.pem()).unwrap();
    let url = url.replace(cert.to_str().unwrap(), stranger_cert.to_str().unwrap());
    assert!(ServerAddress::parse(&url).unwrap().connect().is_err());
}

fn project_with_other_images(fixture: &Fixture) -> PathBuf {
    let images = fixture.write("other.csv", b"file,label\na.JPEG,1\nb.JPEG,2\n");
    let project = fixture.path("other.bagel");
    let p = project.to_str().unwrap();
    bagel_ok(&["new", p]);
    bagel_ok(&[
        "import",
        "images",
        p,
        "--dataset",
        "val",
        images.to_str().unwrap(),
    ]);
    project
}

fn restrict(file: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Writes a note on a member's own project, as `bagel note` does.
fn note(project: &Path, reviewer: &str, pair: (u32, u16), text: &str) {
    let mut opened = Project::open(project).unwrap();
    let dataset = opened.dataset("val").unwrap();
    let files = opened.images(dataset.id).unwrap().files;
    let written = bagel::verdict::Note {
        id: 0,
        image: pair.0,
        label: pair.1,
        reviewer: reviewer.to_owned(),
        written_at: now(),
        text: text.to_owned(),
        reply_to: None,
    };
    let ballot = Ballot {
        dataset: &dataset,
        files: &files,
    };
    ballot.write_notes(&mut opened, &[written]).unwrap();
}

fn pair_notes(project: &Path, pair: (u32, u16)) -> Vec<(String, String)> {
    let opened = Project::open(project).unwrap();
    let dataset = opened.dataset("val").unwrap();
    (opened
        .pair_notes(dataset.id, pair.0, pair.1)
        .unwrap()
        .into_iter())
    .map(|n| (n.reviewer, n.text))
    .collect()
}

#[test]
fn notes_travel_behind_the_blind_round_and_assignments_from_the_chair() {
    let Some(cluster) = Cluster::start("notes_travel_behind_the_blind_round") else {
        return;
    };
    let panel = Panel::new(&cluster);
    let pair = (0, 282);
    vote(panel.project("ana"), "ana", pair, Verdict::Correct);
    note(panel.project("ana"), "ana", pair, "the tabby's stripes");
    assert_eq!(panel.sync("ana").sent, 2);
    // Ben has not voted on the pair: ana's note is a trace of her opinion, hidden from him by
    // the server, for psql as for his desk.
    let count = "SELECT count(*) FROM bagel.notes";
    assert_eq!(psql_ok(&cluster, "ben", count), "0");
    assert_eq!(psql_ok(&cluster, CHAIR, count), "1");
    panel.sync("ben");
    assert!(pair_notes(panel.project("ben"), pair).is_empty());
    // Once he has voted independently, the pair opens: the note arrives with the same id
    // as on ana's machine, so a reply names it the same everywhere.
    vote(panel.project("ben"), "ben", pair, Verdict::Wrong);
    panel.sync("ben");
    let expected = vec![("ana".to_owned(), "the tabby's stripes".to_owned())];
    assert_eq!(pair_notes(panel.project("ben"), pair), expected);
    let ids = |name: &str| {
        let opened = Project::open(panel.project(name)).unwrap();
        let dataset = opened.dataset("val").unwrap();
        let notes = opened.notes(dataset.id).unwrap();
        notes.into_iter().map(|n| n.id).collect::<Vec<_>>()
    };
    assert_eq!(ids("ben"), ids("ana"));
    // A note in another's name, or a chair's assignment from a reviewer: refused.
    for sql in [
        "INSERT INTO bagel.notes (event_id, dataset, image, file, label, wnid, reviewer, authored_at, body)
         VALUES (1, 'val', 0, 'f', 282, 'w', 'ana', 'now', 'forged')",
        "INSERT INTO bagel.assignments (event_id, dataset, image, file, label, wnid, reviewer, authored_at)
         VALUES (1, 'val', 0, 'f', 282, 'w', 'cem', 'now')",
        "UPDATE bagel.notes SET body = 'changed'",
        "DELETE FROM bagel.assignments",
    ] {
        let error = psql_refused(&cluster, "ben", sql);
        assert!(
            error.contains("row-level security") || error.contains("permission denied"),
            "{sql}: {error}"
        );
    }

    // In one's own name, a note or (as the chair) an assignment whose id is not the hash of
    // what it says is refused too.
    let own_note = "INSERT INTO bagel.notes (event_id, dataset, image, file, label, wnid, reviewer, authored_at, body)
         VALUES (1, 'val', 0, 'f', 282, 'w', 'ben', 'now', 'forged')";
    assert!(psql_refused(&cluster, "ben", own_note).contains("id_is_content_hash"));
    let chairs_assignment = "INSERT INTO bagel.assignments (event_id, dataset, image, file, label, wnid, reviewer, authored_at)
         VALUES (1, 'val', 0, 'f', 282, 'w', 'cem', 'now')";
    assert!(psql_refused(&cluster, CHAIR, chairs_assignment).contains("id_is_content_hash"));

    // The chair shares out the pair to cem: his sync brings the assignment.
    let mut chair = Project::open(panel.project(CHAIR)).unwrap();
    let dataset = chair.dataset("val").unwrap();
    let files = chair.images(dataset.id).unwrap().files;
    let given = bagel::verdict::Assignment {
        image: 1,
        label: 281,
        reviewer: "cem".into(),
    };
    let ballot = Ballot {
        dataset: &dataset,
        files: &files,
    };
    ballot
        .write_assignments(&mut chair, std::slice::from_ref(&given))
        .unwrap();
    drop(chair);
    panel.sync(CHAIR);
    panel.sync("cem");
    let cem = Project::open(panel.project("cem")).unwrap();
    let assigned = cem.assignments(cem.dataset("val").unwrap().id).unwrap();
    assert_eq!(assigned, vec![given]);
    // A re-sync sends and fetches nothing new.
    let again = panel.sync(CHAIR);
    assert_eq!((again.sent, again.fetched), (0, 0));
}

#[test]
fn the_panels_settings_are_held_by_the_server_and_set_by_the_chair_only() {
    let Some(cluster) = Cluster::start("the_panels_settings_are_held_by_the_server") else {
        return;
    };
    let panel = Panel::new(&cluster);
    let set = |name: &str, args: &[&str]| {
        let project = panel.project(name).to_str().unwrap();
        Command::new(env!("CARGO_BIN_EXE_bagel"))
            .args(["team", "set", project])
            .args(args)
            .env("PGPASSFILE", &panel.pgpass)
            .env_remove("PGPASSWORD")
            .output()
            .unwrap()
    };
    // A reviewer cannot set them, by bagel or by psql.
    let refused = set("ben", &["--quorum", "2"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("only the panel's chair"), "{stderr}");
    psql_refused(
        &cluster,
        "ben",
        "INSERT INTO bagel.settings (key, value) VALUES ('blind_round', 'off')",
    );
    // The chair sets a quorum of two: a lone vote no longer decides, on every machine.
    let pair = (0, 282);
    vote(panel.project("ana"), "ana", pair, Verdict::Correct);
    let decided = |name: &str| {
        let opened = Project::open(panel.project(name)).unwrap();
        let dataset = opened.dataset("val").unwrap();
        opened.decisions(dataset.id).unwrap().len()
    };
    assert_eq!(decided("ana"), 1);
    let output = set(CHAIR, &["--quorum", "2"]);
    assert!(output.status.success(), "{output:?}");
    let report = panel.sync("ana");
    assert!(report.settings_changed.contains(&"quorum 2".to_owned()));
    assert_eq!(
        Project::open(panel.project("ana"))
            .unwrap()
            .quorum()
            .unwrap(),
        2
    );
    assert_eq!(decided("ana"), 0);
    // With the blind round off, cem sees ana's vote before voting himself.
    assert_eq!(
        psql_ok(&cluster, "cem", "SELECT count(*) FROM bagel.events"),
        "0"
    );
    assert!(set(CHAIR, &["--blind-round", "off"]).status.success());
    assert_eq!(
        psql_ok(&cluster, "cem", "SELECT count(*) FROM bagel.events"),
        "1"
    );
    panel.sync("cem");
    let cem = Project::open(panel.project("cem")).unwrap();
    assert!(!cem.blind_round().unwrap());
    assert_eq!(cem.quorum().unwrap(), 2);
    assert_eq!(cem.chair().unwrap().as_deref(), Some(CHAIR));
}
