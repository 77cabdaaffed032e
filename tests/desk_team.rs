//! The desk linked to a team server, driven headlessly: File > Join team…, my votes reach the
//! server by themselves, another member's vote appears in my project, and while the server is
//! down the status bar counts the votes not yet on it, which go once it is back.

mod common;
mod desk_support;
mod pg;

use bagel::desk::Desk;
use bagel::store::Project;
use desk_support::{desk_with, person, step_until};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use pg::Cluster;
use std::path::Path;

use std::time::{Duration, Instant};

fn bagel(args: &[&str], stdin: &str, password: Option<&str>) {
    let (ok, _, stderr) = pg::bagel_typing(args, stdin, password);
    assert!(ok, "bagel {args:?}: {stderr}");
}

/// Steps the desk until its screen shows a label containing `text` (or, with `absent`, none).
fn until_shown(harness: &mut Harness<'_, Desk>, text: &str, absent: bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while harness.query_by_label_contains(text).is_some() == absent {
        assert!(
            Instant::now() < deadline,
            "gave up waiting for {text:?} (absent: {absent})"
        );
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
}

fn until(what: &str, done: impl Fn() -> bool, harness: &mut Harness<'_, Desk>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
}

fn on_server(cluster: &Cluster, reviewer: &str) -> String {
    let output = cluster.psql(
        reviewer,
        &format!("{reviewer}-pw"),
        "SELECT count(*) FROM bagel.events WHERE reviewer = current_user",
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn ben_votes(project: &Path, pair: (u32, u16)) {
    pg::cast_wrong(&mut Project::open(project).unwrap(), "ben", pair);
}

fn ben_in_log(project: &Path) -> bool {
    let opened = Project::open(project).unwrap();
    let id = opened.dataset("val").unwrap().id;
    opened
        .vote_events(id)
        .unwrap()
        .iter()
        .any(|e| e.reviewer == "ben")
}

#[test]
fn a_linked_desk_sends_my_votes_shows_others_and_counts_what_waits_offline() {
    let Some(mut cluster) = Cluster::start("a_linked_desk_sends_my_votes") else {
        return;
    };
    let fixture = common::Fixture::new();
    let chair = fixture.imported_project();
    let owner = cluster.owner_url();
    let chair_arg = chair.to_str().unwrap();
    bagel(
        &[
            "team",
            "create",
            &owner,
            "--project",
            chair_arg,
            "--chair",
            "chloe",
        ],
        "chloe-pw\n",
        None,
    );
    let (ana, ben) = (fixture.path("ana.bagel"), fixture.path("ben.bagel"));
    for (name, copy) in [("ana", &ana), ("ben", &ben)] {
        bagel(
            &["team", "add", &owner, name],
            &format!("{name}-pw\n"),
            None,
        );
        std::fs::copy(&chair, copy).unwrap();
    }
    bagel(
        &[
            "team",
            "join",
            ben.to_str().unwrap(),
            &cluster.url("ben", "ben-pw"),
        ],
        "",
        None,
    );

    let mut harness = desk_with(&ana, person("ana", &ana));
    step_until(&mut harness, "the queue", |desk| {
        desk.review().is_some() && !desk.is_busy()
    });
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("Join team…").click();
    harness.run_steps(2);
    let field = || (egui::accesskit::Role::TextInput, "Server URL");
    harness.get_by_role_and_label(field().0, field().1).click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(field().0, field().1)
        .type_text(&cluster.url("ana", "ana-pw"));
    harness.run_steps(2);
    harness.get_by_label("Join").click();
    let server = cluster.url_without_password("ana");
    until_shown(&mut harness, &format!("team: {server} as ana"), false);
    assert!(
        harness.query_by_label_contains("ana-pw").is_none(),
        "the password is never shown"
    );

    // My vote reaches the server by itself.
    let item = harness.state().current().unwrap();
    let pair = (item.image, item.label);
    harness.key_press(Key::C);
    until(
        "ana's vote on the server",
        || on_server(&cluster, "ana") == "1",
        &mut harness,
    );

    // Ben's vote on the same pair arrives in my project without my asking.
    ben_votes(&ben, pair);
    bagel(&["sync", ben.to_str().unwrap()], "", Some("ben-pw"));
    until(
        "ben's vote in ana's project",
        || ben_in_log(&ana),
        &mut harness,
    );

    // Offline: the vote is kept and counted; sent when the server is back.
    cluster.stop_server("immediate");
    harness.key_press(Key::ArrowRight);
    harness.run_steps(2);
    harness.key_press(Key::C);
    until_shown(&mut harness, "1 votes not yet on the server", false);
    cluster.start_server().unwrap();
    until_shown(&mut harness, "not yet on the server", true);
    until(
        "both of ana's votes on the server",
        || on_server(&cluster, "ana") == "2",
        &mut harness,
    );
}
