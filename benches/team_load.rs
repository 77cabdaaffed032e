//! The team server's figures (`cargo bench --bench team_load`), on a throwaway PostgreSQL
//! cluster (tests/pg):
//! - load: 5 members each cast 200 votes as fast as they can, each vote committed to their
//!   project and sent by the same sync code the CLI and desk use; a chair's client listens
//!   (LISTEN/NOTIFY) and reads new events as they come. Counts lost and doubled events and the
//!   time from a vote's local commit to the chair's client reading it (p50, p99).
//! - first sync: 100,000 events on the server into a freshly joined project.

#[path = "../tests/pg/mod.rs"]
mod pg;

use bagel::store::Project;
use bagel::team::{self, Listener, ServerAddress, ServerLog, listen::Heard};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MEMBERS: usize = 5;
const VOTES_EACH: usize = 200;
const IMAGES: usize = 25;
const FIRST_SYNC_EVENTS: usize = 100_000;

fn bagel(args: &[&str], stdin: &str) {
    let (ok, _, stderr) = pg::bagel_typing(args, stdin, None);
    assert!(ok, "bagel {args:?}: {stderr}");
}

fn project_with_images(dir: &Path) -> PathBuf {
    let list: String = (0..IMAGES)
        .map(|i| format!("img_{i:03}.JPEG,{i}\n"))
        .collect();
    let csv = dir.join("images.csv");
    std::fs::write(&csv, format!("file,label\n{list}")).unwrap();
    let project = dir.join("chair.bagel");
    let p = project.to_str().unwrap();
    bagel(&["new", p], "");
    bagel(
        &[
            "import",
            "images",
            p,
            "--dataset",
            "val",
            csv.to_str().unwrap(),
        ],
        "",
    );
    project
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

type CastTimes = Arc<Mutex<HashMap<(String, u32, u16), Instant>>>;

/// The chair's client: on every announcement, reads the events after its cursor and notes how
/// long after its local commit each one arrived.
fn observe(address: ServerAddress, cast_times: CastTimes, expected: usize) -> Vec<Duration> {
    let (wake, woken) = std::sync::mpsc::channel();
    let _listener = Listener::spawn(address.clone(), move |heard| {
        if heard != Heard::Lost {
            let _ = wake.send(());
        }
    });
    let mut log = ServerLog::open(&address).unwrap();
    let (mut cursor, mut latencies) = (0, Vec::new());
    let deadline = Instant::now() + Duration::from_secs(120);
    while latencies.len() < expected && Instant::now() < deadline {
        let _ = woken.recv_timeout(Duration::from_secs(1));
        for event in log.events_after(cursor).unwrap() {
            cursor = cursor.max(event.seq);
            let key = (
                event.event.reviewer.clone(),
                event.event.image,
                event.event.label,
            );
            if let Some(cast) = cast_times.lock().unwrap().get(&key) {
                latencies.push(cast.elapsed());
            }
        }
    }
    latencies
}

fn load(cluster: &pg::Cluster, chair_project: &Path, dir: &Path) {
    let owner = cluster.owner_url();
    let cast_times: CastTimes = Arc::default();
    let chair = ServerAddress::parse(&cluster.url("chloe", "chloe-pw")).unwrap();
    let observer = {
        let cast_times = Arc::clone(&cast_times);
        std::thread::spawn(move || observe(chair, cast_times, MEMBERS * VOTES_EACH))
    };
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let members: Vec<_> = (0..MEMBERS)
        .map(|m| {
            let name = format!("member{m}");
            bagel(&["team", "add", &owner, &name], &format!("{name}-pw\n"));
            let project = dir.join(format!("{name}.bagel"));
            std::fs::copy(chair_project, &project).unwrap();
            let url = cluster.url(&name, &format!("{name}-pw"));
            bagel(&["team", "join", project.to_str().unwrap(), &url], "");
            let cast_times = Arc::clone(&cast_times);
            let address = ServerAddress::parse(&url).unwrap();
            std::thread::spawn(move || {
                let mut opened = Project::open(&project).unwrap();
                let mut server = ServerLog::open(&address).unwrap();
                for v in 0..VOTES_EACH {
                    let pair = ((v % IMAGES) as u32, (m * VOTES_EACH + v) as u16);
                    pg::cast_wrong(&mut opened, &name, pair);
                    cast_times
                        .lock()
                        .unwrap()
                        .insert((name.clone(), pair.0, pair.1), Instant::now());
                    // A failed send stays in the outbox and goes with the next one.
                    let _ = team::sync_on(&mut opened, &mut server);
                }
                while team::status(&opened).unwrap().unsent > 0 {
                    team::sync_on(&mut opened, &mut server).unwrap();
                }
            })
        })
        .collect();
    for member in members {
        member.join().unwrap();
    }
    let sent_in = started.elapsed();
    let mut latencies = observer.join().unwrap();
    latencies.sort();
    let mut client = cluster.owner_client(pg::DATABASE);
    let row = client
        .query_one(
            "SELECT count(*), count(DISTINCT event_id) FROM bagel.events",
            &[],
        )
        .unwrap();
    let (events, distinct): (i64, i64) = (row.get(0), row.get(1));
    let tried = MEMBERS * VOTES_EACH;
    println!(
        "load: {MEMBERS} members × {VOTES_EACH} votes in {:.2} s; on the server {events} events ({distinct} distinct) of {tried} cast: {} lost, {} doubled",
        sent_in.as_secs_f64(),
        tried as i64 - distinct,
        events - distinct
    );
    println!(
        "visibility at the chair's client ({} events seen): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3
    );
}

fn first_sync(cluster: &pg::Cluster, chair_project: &Path, dir: &Path) {
    let mut client = cluster.owner_client(pg::DATABASE);
    // Reviewers r0..r3 each vote on 25,000 pairs, written straight into the server's log,
    // each row with the names of the project's images and classes and the id the server
    // checks (the hash of its content).
    let wnids: Vec<String> = (Project::open_read_only(chair_project)
        .unwrap()
        .vocab()
        .classes())
    .iter()
    .map(|c| c.wnid.clone())
    .collect();
    client.batch_execute("TRUNCATE bagel.events").unwrap();
    client
        .execute(
            &format!(
                "INSERT INTO bagel.events (event_id, dataset, image, file, label, wnid, reviewer,
                     round, verdict, note, authored_at)
                 SELECT bagel.content_id(ARRAY['vote', 'val', file, wnid, reviewer, 'independent',
                            authored_at, verdict, '', '', '']),
                        'val', image, file, label, wnid, reviewer, 'independent', verdict, '',
                        authored_at
                 FROM (SELECT (n / 4) % {IMAGES} AS image,
                              'img_' || lpad(((n / 4) % {IMAGES})::text, 3, '0') || '.JPEG' AS file,
                              (n / 4 / {IMAGES}) % 1000 AS label,
                              ($1::text[])[(n / 4 / {IMAGES}) % 1000 + 1] AS wnid,
                              'r' || (n % 4) AS reviewer,
                              CASE WHEN n % 3 = 0 THEN 'wrong' ELSE 'correct' END AS verdict,
                              '2026-12-01T10:00:00.000Z' AS authored_at
                       FROM generate_series(0, {FIRST_SYNC_EVENTS} - 1) AS n) AS e"
            ),
            &[&wnids],
        )
        .unwrap();
    let fresh = dir.join("fresh.bagel");
    std::fs::copy(chair_project, &fresh).unwrap();
    let url = cluster.url("chloe", "chloe-pw");
    bagel(&["team", "join", fresh.to_str().unwrap(), &url], "");
    let fetch_started = Instant::now();
    let fetched = ServerLog::open(&ServerAddress::parse(&url).unwrap())
        .unwrap()
        .all_events()
        .unwrap()
        .len();
    println!(
        "reading the {fetched} events from the server alone (as the chair): {:.2} s",
        fetch_started.elapsed().as_secs_f64()
    );
    let mut project = Project::open(&fresh).unwrap();
    let started = Instant::now();
    let report = team::sync_with(&mut project, &ServerAddress::parse(&url).unwrap()).unwrap();
    let took = started.elapsed();
    let decided = project
        .decisions(project.dataset("val").unwrap().id)
        .unwrap()
        .len();
    println!(
        "first sync: {} events fetched and merged into a fresh project in {:.2} s ({decided} decisions)",
        report.fetched,
        took.as_secs_f64()
    );
}

fn main() {
    let Some(cluster) = pg::Cluster::start("team_load") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let chair_project = project_with_images(dir.path());
    let owner = cluster.owner_url();
    bagel(
        &[
            "team",
            "create",
            &owner,
            "--project",
            chair_project.to_str().unwrap(),
            "--chair",
            "chloe",
        ],
        "chloe-pw\n",
    );
    load(&cluster, &chair_project, dir.path());
    first_sync(&cluster, &chair_project, dir.path());
}
