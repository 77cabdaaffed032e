//! The project file's schema, in one place. `user_version` numbers the migrations; a project
//! is brought forward on open and refused when it comes from a newer bagel.

use super::blob::unpack_u16;
use super::crowd::{CrowdAnswer, CrowdLog, put_crowd_pairs};
use super::datasets::pack_original_labels;
use super::labels::put_label_lists;
use crate::data::{ImageLabels, LabelKind};
use crate::verdict::{Category, Round, Severity, Verdict, Vote, VoteEvent, time_millis};
use rusqlite::{Connection, Transaction, params};
use std::collections::{BTreeMap, HashMap};

/// One step from version i to i + 1: SQL, or SQL then Rust for what SQL cannot say.
enum Migration {
    Sql(&'static str),
    SqlThen(&'static str, fn(&Transaction) -> rusqlite::Result<()>),
}

/// Each entry migrates from version i to i + 1.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(
        r#"
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE classes (
    idx            INTEGER PRIMARY KEY,
    wnid           TEXT NOT NULL UNIQUE,
    names          TEXT NOT NULL,
    gloss          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('organism', 'object')),
    hypernym_paths TEXT NOT NULL
);
CREATE TABLE datasets (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    image_root TEXT,
    origin     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
-- One row per image; `label` is the original (single) ground truth, NULL when unknown.
CREATE TABLE images (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    file       TEXT NOT NULL,
    label      INTEGER REFERENCES classes(idx),
    PRIMARY KEY (dataset_id, idx),
    UNIQUE (dataset_id, file)
) WITHOUT ROWID;
-- kind 'real': `correct` is the set of valid labels (empty = excluded from ReaL accuracy).
-- kind 'multilabel': correct / unclear / wrong lists and the problematic flag.
CREATE TABLE label_sources (
    id          INTEGER PRIMARY KEY,
    dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('real', 'multilabel')),
    origin      TEXT NOT NULL,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (dataset_id, name)
);
-- Label lists are little-endian u16 class ids, sorted.
CREATE TABLE image_labels (
    source_id   INTEGER NOT NULL REFERENCES label_sources(id) ON DELETE CASCADE,
    image_idx   INTEGER NOT NULL,
    correct     BLOB NOT NULL,
    unclear     BLOB NOT NULL,
    wrong       BLOB NOT NULL,
    problematic INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, image_idx)
) WITHOUT ROWID;
CREATE TABLE models (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
-- Columnar: one row per (model, dataset). class_ids is N×k little-endian u16, row-major;
-- scores N×k f32 when known; max_softmax and entropy N f32 when full scores were imported.
CREATE TABLE predictions (
    model_id    INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    top_k       INTEGER NOT NULL CHECK (top_k > 0),
    num_images  INTEGER NOT NULL,
    class_ids   BLOB NOT NULL,
    scores      BLOB,
    max_softmax BLOB,
    entropy     BLOB,
    origin      TEXT NOT NULL,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (model_id, dataset_id)
);
CREATE TABLE reviewers (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
-- A reviewer's current vote on an (image, label) pair in a round; changes go to vote_history.
CREATE TABLE votes (
    id          INTEGER PRIMARY KEY,
    dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    image_idx   INTEGER NOT NULL,
    label       INTEGER NOT NULL REFERENCES classes(idx),
    reviewer_id INTEGER NOT NULL REFERENCES reviewers(id),
    round       TEXT NOT NULL CHECK (round IN ('independent', 'discussion')),
    verdict     TEXT NOT NULL CHECK (verdict IN ('correct', 'unclear', 'wrong', 'problematic')),
    category    TEXT CHECK (category IN ('fine_grained', 'fine_grained_oov', 'spurious', 'non_prototypical')),
    severity    TEXT CHECK (severity IN ('major', 'minor')),
    note        TEXT NOT NULL DEFAULT '',
    cast_at     TEXT NOT NULL,
    UNIQUE (dataset_id, image_idx, label, reviewer_id, round)
);
CREATE TABLE vote_history (
    vote_id     INTEGER NOT NULL REFERENCES votes(id) ON DELETE CASCADE,
    old_verdict TEXT,
    new_verdict TEXT NOT NULL,
    old_detail  TEXT,
    new_detail  TEXT,
    changed_at  TEXT NOT NULL
);
-- The panel's (or an imported review's) decision on an (image, label) pair; it overlays the
-- imported labels wherever labels are used.
CREATE TABLE decisions (
    dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    image_idx     INTEGER NOT NULL,
    label         INTEGER NOT NULL REFERENCES classes(idx),
    verdict       TEXT NOT NULL CHECK (verdict IN ('correct', 'unclear', 'wrong', 'problematic')),
    category      TEXT CHECK (category IN ('fine_grained', 'fine_grained_oov', 'spurious', 'non_prototypical')),
    severity      TEXT CHECK (severity IN ('major', 'minor')),
    severity_word TEXT,
    source        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    decided_at    TEXT NOT NULL,
    PRIMARY KEY (dataset_id, image_idx, label)
) WITHOUT ROWID;
-- A named list of images of a dataset (the ImageNet-M-style slice), little-endian u32 indices.
CREATE TABLE slices (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    images     BLOB NOT NULL,
    origin     TEXT NOT NULL,
    PRIMARY KEY (dataset_id, name)
);
"#,
    ),
    // Undoing a first vote withdraws it instead of deleting it, so its history stays.
    Migration::Sql(
        r#"
ALTER TABLE votes ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0;
CREATE INDEX votes_by_pair ON votes (dataset_id, image_idx, label);
"#,
    ),
    // Votes become an append-only log of events that merges across machines; decisions keep
    // one row per kind (panel, imported review, aggregation) so the strongest shows and a
    // withdrawn one lets the next come back.
    Migration::SqlThen(
        r#"
CREATE TABLE vote_events (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL UNIQUE,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    image_idx  INTEGER NOT NULL,
    label      INTEGER NOT NULL REFERENCES classes(idx),
    reviewer   TEXT NOT NULL,
    round      TEXT NOT NULL CHECK (round IN ('independent', 'discussion', 'chair', 'crowd')),
    -- NULL for a withdrawal.
    verdict    TEXT CHECK (verdict IN ('correct', 'unclear', 'wrong', 'problematic')),
    category   TEXT CHECK (category IN ('fine_grained', 'fine_grained_oov', 'spurious', 'non_prototypical')),
    severity   TEXT CHECK (severity IN ('major', 'minor')),
    note       TEXT NOT NULL DEFAULT '',
    cast_at    TEXT NOT NULL
);
CREATE INDEX vote_events_by_pair ON vote_events (dataset_id, image_idx, label);
CREATE TABLE decisions_by_kind (
    dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    image_idx     INTEGER NOT NULL,
    label         INTEGER NOT NULL REFERENCES classes(idx),
    kind          TEXT NOT NULL CHECK (kind IN ('panel', 'review', 'aggregate')),
    verdict       TEXT NOT NULL CHECK (verdict IN ('correct', 'unclear', 'wrong', 'problematic')),
    category      TEXT CHECK (category IN ('fine_grained', 'fine_grained_oov', 'spurious', 'non_prototypical')),
    severity      TEXT CHECK (severity IN ('major', 'minor')),
    severity_word TEXT,
    source        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    -- The aggregator's posterior that the label is valid, when an aggregator decided.
    posterior     REAL,
    decided_at    TEXT NOT NULL,
    PRIMARY KEY (dataset_id, image_idx, label, kind)
) WITHOUT ROWID;
INSERT INTO decisions_by_kind
SELECT dataset_id, image_idx, label, CASE source WHEN 'panel' THEN 'panel' ELSE 'review' END,
       verdict, category, severity, severity_word, source, reason, NULL, decided_at
FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_by_kind RENAME TO decisions;
"#,
        votes_into_events,
    ),
    // A review of a model's mistakes (imagenet-mistakes) says what the model predicted on each
    // image, which the project may not hold as predictions: kept per model so its mistake
    // shares can be counted.
    Migration::Sql(
        r#"
CREATE TABLE model_reviews (
    model_id      INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    image_idx     INTEGER NOT NULL,
    label         INTEGER NOT NULL REFERENCES classes(idx),
    category      TEXT NOT NULL CHECK (category IN ('fine_grained', 'fine_grained_oov', 'spurious', 'non_prototypical')),
    severity      TEXT NOT NULL CHECK (severity IN ('major', 'minor')),
    severity_word TEXT,
    source        TEXT NOT NULL,
    PRIMARY KEY (model_id, dataset_id, image_idx)
) WITHOUT ROWID;
"#,
    ),
    // Crowd answers leave the vote log for a store of their own (`store/crowd.rs`): one row
    // per pair with its answers in a blob, since a rater pool's million answers as log rows
    // with two indexes took 23 s to store. The label has no foreign key: the importer checks
    // it, and the lookup would cost as much as the rest of the insert.
    // The decisions' CHECKs become OR chains: SQLite builds a temporary index for an IN list
    // each time an INSERT runs, which made writing an aggregation's 185,000 decisions three
    // times slower than writing them unchecked; a chain of comparisons costs next to nothing.
    Migration::SqlThen(
        r#"
CREATE TABLE crowd_raters (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE crowd_answers (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    image_idx  INTEGER NOT NULL,
    label      INTEGER NOT NULL,
    answers    BLOB NOT NULL,
    PRIMARY KEY (dataset_id, image_idx, label)
) WITHOUT ROWID;
CREATE TABLE decisions_checked (
    dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    image_idx     INTEGER NOT NULL,
    label         INTEGER NOT NULL REFERENCES classes(idx),
    kind          TEXT NOT NULL CHECK (kind = 'panel' OR kind = 'review' OR kind = 'aggregate'),
    verdict       TEXT NOT NULL CHECK (verdict = 'correct' OR verdict = 'unclear'
                                       OR verdict = 'wrong' OR verdict = 'problematic'),
    category      TEXT CHECK (category = 'fine_grained' OR category = 'fine_grained_oov'
                              OR category = 'spurious' OR category = 'non_prototypical'),
    severity      TEXT CHECK (severity = 'major' OR severity = 'minor'),
    severity_word TEXT,
    source        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    -- The aggregator's posterior that the label is valid, when an aggregator decided.
    posterior     REAL,
    decided_at    TEXT NOT NULL,
    PRIMARY KEY (dataset_id, image_idx, label, kind)
) WITHOUT ROWID;
INSERT INTO decisions_checked SELECT * FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_checked RENAME TO decisions;
"#,
        crowd_events_into_store,
    ),
    // Original labels and label sources become columns: one blob of a dataset's labels, one
    // row of blobs per label source, in the layout the metrics hold in memory. Reading them
    // row by row (50,000 image rows, 50,000 label rows) took longer than every metric of 67
    // models together. The images keep their rows, for their names, without the index on
    // them: the importer refuses a name listed twice before writing, and bagel never looks
    // an image up by name in SQL; the index made writing 50,000 images a third slower.
    Migration::SqlThen(
        r#"
ALTER TABLE datasets ADD COLUMN labels BLOB;
CREATE TABLE label_lists (
    source_id  INTEGER PRIMARY KEY REFERENCES label_sources(id) ON DELETE CASCADE,
    num_images INTEGER NOT NULL,
    labeled    INTEGER NOT NULL,
    flags      BLOB NOT NULL,
    correct    BLOB NOT NULL,
    unclear    BLOB NOT NULL,
    wrong      BLOB NOT NULL
);
"#,
        labels_into_columns,
    ),
    // The panel's notes on a pair, an append-only log like the votes: a content-hash id the
    // same on every machine, so merging is a union; a reply names the note it answers.
    Migration::Sql(
        r#"
CREATE TABLE note_events (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL UNIQUE,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    image_idx  INTEGER NOT NULL,
    label      INTEGER NOT NULL REFERENCES classes(idx),
    reviewer   TEXT NOT NULL,
    written_at TEXT NOT NULL,
    text       TEXT NOT NULL,
    reply_to   INTEGER
);
CREATE INDEX note_events_by_pair ON note_events (dataset_id, image_idx, label);
"#,
    ),
    // Work shared out: which reviewer is to vote on which pair. An assignment's id hashes the
    // dataset, pair and reviewer (not the time), so assigning again, here or on another
    // machine, adds nothing: merging is a union.
    Migration::Sql(
        r#"
CREATE TABLE assignment_events (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL UNIQUE,
    dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    image_idx   INTEGER NOT NULL,
    label       INTEGER NOT NULL REFERENCES classes(idx),
    reviewer    TEXT NOT NULL,
    assigned_at TEXT NOT NULL
);
CREATE INDEX assignment_events_by_reviewer ON assignment_events (dataset_id, reviewer);
"#,
    ),
    // A team server (issue 19): the server the project is linked to and as whom, how far its
    // log has been read, and which local events it has (the others are the outbox).
    Migration::Sql(
        r#"
CREATE TABLE team_link (
    only_one  INTEGER PRIMARY KEY CHECK (only_one = 1),
    url       TEXT NOT NULL,
    role      TEXT NOT NULL,
    cursor    INTEGER NOT NULL DEFAULT 0,
    last_sync TEXT
);
CREATE TABLE team_events (
    server_event_id INTEGER PRIMARY KEY,
    local_event_id  INTEGER NOT NULL
);
CREATE INDEX team_events_by_local_id ON team_events (local_event_id);
"#,
    ),
    // A ReaL file's lists by its own entries (real.json's 50,000, whichever images the
    // dataset holds), in the order the file lists each: 3,957 of real.json's sets are not
    // ascending, and its export writes every entry nobody changed as the file has it. Same
    // layout as a `label_lists` list (u32 offsets, then u16 class ids), unsorted.
    Migration::Sql(
        r#"
CREATE TABLE label_file_entries (
    source_id INTEGER PRIMARY KEY REFERENCES label_sources(id) ON DELETE CASCADE,
    entries   INTEGER NOT NULL,
    lists     BLOB NOT NULL
);
"#,
    ),
];

/// Packs each dataset's original labels and each label source's rows into their blobs, then
/// drops the row tables' label data.
fn labels_into_columns(tx: &Transaction) -> rusqlite::Result<()> {
    let datasets: Vec<(i64, i64)> = (tx.prepare(
        "SELECT id, (SELECT COUNT(*) FROM images i WHERE i.dataset_id = d.id) FROM datasets d",
    )?)
    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
    .collect::<rusqlite::Result<_>>()?;
    for &(dataset_id, _) in &datasets {
        let labels: Vec<Option<u16>> = (tx
            .prepare("SELECT label FROM images WHERE dataset_id = ?1 ORDER BY idx")?)
        .query_map([dataset_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
        tx.execute(
            "UPDATE datasets SET labels = ?1 WHERE id = ?2",
            params![pack_original_labels(&labels), dataset_id],
        )?;
    }
    let sources: Vec<(i64, String, i64)> = (tx
        .prepare("SELECT id, kind, dataset_id FROM label_sources")?)
    .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
    .collect::<rusqlite::Result<_>>()?;
    for (source_id, kind, dataset_id) in sources {
        let images = (datasets.iter())
            .find(|(id, _)| *id == dataset_id)
            .map_or(0, |(_, images)| usize::try_from(*images).unwrap_or(0));
        let kind = LabelKind::parse(&kind).unwrap_or(LabelKind::MultiLabel);
        let mut labels = ImageLabels::with_capacity(kind, images, images);
        let mut rows = tx.prepare(
            "SELECT image_idx, correct, unclear, wrong, problematic FROM image_labels
             WHERE source_id = ?1 AND image_idx >= 0 AND image_idx < ?2 ORDER BY image_idx",
        )?;
        // Rows outside the dataset (a file edited by hand, image_idx -1) name no image and are
        // left behind; counting up to one would fill the memory.
        let mut rows = rows.query(params![source_id, i64::try_from(images).unwrap_or(0)])?;
        while let Some(row) = rows.next()? {
            let image = usize::try_from(row.get::<_, i64>(0)?).unwrap_or(0);
            let list = |column: usize| -> rusqlite::Result<Vec<u16>> {
                Ok(unpack_u16(&row.get::<_, Vec<u8>>(column)?))
            };
            let (correct, unclear, wrong) = (list(1)?, list(2)?, list(3)?);
            while labels.num_images() < image {
                labels.push(None);
            }
            labels.push(Some(([&correct, &unclear, &wrong], row.get(4)?)));
        }
        while labels.num_images() < images {
            labels.push(None);
        }
        put_label_lists(tx, source_id, &labels)?;
    }
    tx.execute_batch(
        "CREATE TABLE image_files (
             dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
             idx        INTEGER NOT NULL,
             file       TEXT NOT NULL,
             PRIMARY KEY (dataset_id, idx)
         ) WITHOUT ROWID;
         INSERT INTO image_files SELECT dataset_id, idx, file FROM images;
         DROP TABLE images;
         ALTER TABLE image_files RENAME TO images;
         DROP TABLE image_labels;",
    )
}

/// Moves the crowd round's events out of `vote_events`, each pair's in their order.
fn crowd_events_into_store(tx: &Transaction) -> rusqlite::Result<()> {
    let mut events = tx.prepare(
        "SELECT dataset_id, image_idx, label, reviewer, verdict, cast_at FROM vote_events
         WHERE round = 'crowd' ORDER BY dataset_id, image_idx, label, cast_at, id",
    )?;
    let mut rows = events.query([])?;
    // Per dataset: its log and the index of each rater name in it.
    let mut datasets: BTreeMap<i64, (CrowdLog, HashMap<String, u32>)> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let (log, raters) = datasets.entry(row.get(0)?).or_default();
        let reviewer: String = row.get(3)?;
        let rater = *raters.entry(reviewer.clone()).or_insert_with(|| {
            log.raters.push(reviewer);
            log.raters.len() as u32 - 1
        });
        let verdict: Option<String> = row.get(4)?;
        let cast_at: String = row.get(5)?;
        let answer = CrowdAnswer {
            rater,
            verdict: verdict.as_deref().and_then(Verdict::parse),
            cast_at: time_millis(&cast_at).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    5,
                    rusqlite::types::Type::Text,
                    format!("cast_at {cast_at:?} is not an RFC 3339 time").into(),
                )
            })?,
        };
        log.push((row.get(1)?, row.get(2)?), answer);
    }
    for (dataset_id, (log, _)) in &datasets {
        put_crowd_pairs(tx, *dataset_id, log)?;
    }
    tx.execute_batch("DELETE FROM vote_events WHERE round = 'crowd'")
}

/// Replays each old vote's audit history as events (old history kept "category; severity;
/// note" as text), then drops the mutable tables.
fn votes_into_events(tx: &Transaction) -> rusqlite::Result<()> {
    let mut history = tx.prepare(
        "SELECT d.name, i.file, c.wnid, v.dataset_id, v.image_idx, v.label, r.name, v.round,
                h.new_verdict, h.new_detail, h.changed_at
         FROM vote_history h JOIN votes v ON v.id = h.vote_id
         JOIN reviewers r ON r.id = v.reviewer_id JOIN datasets d ON d.id = v.dataset_id
         JOIN images i ON i.dataset_id = v.dataset_id AND i.idx = v.image_idx
         JOIN classes c ON c.idx = v.label
         ORDER BY h.rowid",
    )?;
    let mut insert = tx.prepare(
        "INSERT OR IGNORE INTO vote_events (event_id, dataset_id, image_idx, label, reviewer,
             round, verdict, category, severity, note, cast_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut rows = history.query([])?;
    while let Some(row) = rows.next()? {
        let (dataset, file, wnid): (String, String, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        let (dataset_id, image, label): (i64, u32, u16) = (row.get(3)?, row.get(4)?, row.get(5)?);
        let round: String = row.get(7)?;
        let verdict: String = row.get(8)?;
        let detail: Option<String> = row.get(9)?;
        let event = VoteEvent {
            reviewer: row.get(6)?,
            round: Round::parse(&round).unwrap_or(Round::Independent),
            cast_at: row.get(10)?,
            image,
            label,
            vote: Verdict::parse(&verdict).map(|verdict| {
                old_detail(
                    Vote::new(image, label, verdict),
                    detail.as_deref().unwrap_or(""),
                )
            }),
        };
        let vote = event.vote.as_ref();
        insert.execute(params![
            event.id(&dataset, &file, &wnid),
            dataset_id,
            image,
            label,
            event.reviewer,
            event.round.as_str(),
            vote.map(|v| v.verdict.as_str()),
            vote.and_then(|v| v.category).map(Category::as_str),
            vote.and_then(|v| v.severity).map(Severity::as_str),
            vote.map_or("", |v| v.note.as_str()),
            event.cast_at
        ])?;
    }
    tx.execute_batch("DROP TABLE vote_history; DROP TABLE votes; DROP TABLE reviewers;")
}

/// "fine_grained; major; a note": the category and severity where they parse, the rest note.
fn old_detail(mut vote: Vote, detail: &str) -> Vote {
    let mut rest: Vec<&str> = Vec::new();
    for part in detail.split("; ").filter(|p| !p.is_empty()) {
        match (Category::parse(part), Severity::parse(part)) {
            (Some(category), _) if rest.is_empty() && vote.category.is_none() => {
                vote.category = Some(category)
            }
            (_, Some(severity)) if rest.is_empty() && vote.severity.is_none() => {
                vote.severity = Some(severity)
            }
            _ => rest.push(part),
        }
    }
    vote.note = rest.join("; ");
    vote
}

pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies the migrations the file has not seen yet, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    migrate_to(conn, MIGRATIONS.len())
}

pub(super) fn migrate_to(conn: &mut Connection, target: usize) -> rusqlite::Result<()> {
    let from = version(conn)?.max(0) as usize;
    for (step, migration) in MIGRATIONS.iter().enumerate().take(target).skip(from) {
        let tx = conn.transaction()?;
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::SqlThen(sql, then) => {
                tx.execute_batch(sql)?;
                then(&tx)?;
            }
        }
        tx.pragma_update(None, "user_version", step as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::crowd::read_crowd_log;

    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    );

    /// A project of schema 2 (votes overwritten in place, history as text) keeps every vote
    /// and every change as events.
    #[test]
    fn votes_and_their_history_become_events() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO classes VALUES (3, 'n01491361', 'tiger shark', '', 'organism', '');
             INSERT INTO datasets (id, name, origin) VALUES (1, 'val', 'x');
             INSERT INTO images VALUES (1, 0, 'a.jpg', 3);
             INSERT INTO reviewers VALUES (7, 'ana');
             INSERT INTO votes VALUES (1, 1, 0, 3, 7, 'independent', 'wrong', 'spurious',
                                       'major', 'see the fin; twice', '2026-01-02T00:00:00.000Z', 1);
             INSERT INTO vote_history VALUES
               (1, NULL, 'correct', NULL, '', '2026-01-01T00:00:00.000Z'),
               (1, 'correct', 'wrong', '', 'spurious; major; see the fin; twice',
                '2026-01-02T00:00:00.000Z'),
               (1, 'wrong', 'withdrawn', 'spurious; major; see the fin; twice', NULL,
                '2026-01-03T00:00:00.000Z');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let events: Vec<Row> = conn
            .prepare("SELECT reviewer, verdict, category, severity, note FROM vote_events ORDER BY cast_at")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let ana = || "ana".to_string();
        assert_eq!(
            events,
            vec![
                (ana(), Some("correct".into()), None, None, String::new()),
                (
                    ana(),
                    Some("wrong".into()),
                    Some("spurious".into()),
                    Some("major".into()),
                    "see the fin; twice".into()
                ),
                (ana(), None, None, None, String::new()),
            ]
        );
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('votes', 'vote_history')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0, "the mutable tables are gone");
    }

    /// A project of schema 4 (crowd answers as vote events) keeps every crowd event, a changed
    /// answer and a withdrawal too, in the crowd store; the panel's events stay in the log,
    /// and the decisions in their rebuilt table.
    #[test]
    fn crowd_events_move_to_the_crowd_store() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO classes VALUES (3, 'n01491361', 'tiger shark', '', 'organism', '');
             INSERT INTO datasets (id, name, origin) VALUES (1, 'val', 'x'), (2, 'v2', 'y');
             INSERT INTO vote_events (event_id, dataset_id, image_idx, label, reviewer, round,
                                      verdict, cast_at) VALUES
               (1, 1, 4, 3, 'r2', 'crowd', 'wrong',   '2026-01-01T00:00:00.000Z'),
               (2, 1, 4, 3, 'r1', 'crowd', 'correct', '2026-01-01T00:00:00.000Z'),
               (3, 1, 4, 3, 'r1', 'crowd', 'unclear', '2026-01-02T00:00:00.000Z'),
               (4, 1, 0, 3, 'r1', 'crowd', NULL,      '2026-01-03T00:00:00.000Z'),
               (5, 1, 4, 3, 'ana', 'independent', 'wrong', '2026-01-01T00:00:00.000Z'),
               (6, 2, 4, 3, 'r1', 'crowd', 'correct', '2026-01-04T00:00:00.000Z');
             INSERT INTO decisions VALUES (1, 4, 3, 'aggregate', 'correct', NULL, NULL, NULL,
                                           'dawid-skene', '', 0.95, '2026-01-05T00:00:00Z');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        // The decisions stay, and their checks still refuse what bagel never writes.
        let posterior: f64 = conn
            .query_row("SELECT posterior FROM decisions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(posterior, 0.95);
        let bad = conn.execute(
            "INSERT INTO decisions VALUES (1, 5, 3, 'aggregate', 'maybe', NULL, NULL, NULL,
                                           'x', '', NULL, '2026-01-05T00:00:00Z')",
            [],
        );
        assert!(bad.is_err(), "verdict 'maybe' was accepted");
        let left: Vec<String> = conn
            .prepare("SELECT reviewer FROM vote_events")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(left, ["ana"]);
        // 2026-01-0d: 2026-01-01 is 20,454 days after 1970-01-01.
        let day = |d: i64| (20_453 + d) * 86_400_000;
        let val = read_crowd_log(&conn, std::path::Path::new("p"), 1, None).unwrap();
        assert_eq!(val.pairs(), [(0, 3), (4, 3)]);
        let said = |log: &CrowdLog, pair: usize| -> Vec<(String, Option<Verdict>, i64)> {
            (log.answers(pair).iter())
                .map(|a| (log.raters[a.rater as usize].clone(), a.verdict, a.cast_at))
                .collect()
        };
        let r = |name: &str| name.to_string();
        assert_eq!(said(&val, 0), [(r("r1"), None, day(3))]);
        assert_eq!(
            said(&val, 1),
            [
                (r("r2"), Some(Verdict::Wrong), day(1)),
                (r("r1"), Some(Verdict::Correct), day(1)),
                (r("r1"), Some(Verdict::Unclear), day(2)),
            ]
        );
        let v2 = read_crowd_log(&conn, std::path::Path::new("p"), 2, None).unwrap();
        assert_eq!(said(&v2, 0), [(r("r1"), Some(Verdict::Correct), day(4))]);
    }

    /// A project of schema 5 (labels as rows) keeps every original label, gap and list, the
    /// problematic flags and its images' names when its labels become columns.
    #[test]
    fn a_label_row_of_no_image_is_left_behind_not_counted_up_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.bagel");
        let mut conn = Connection::open(&path).unwrap();
        migrate_to(&mut conn, 5).unwrap();
        // Image -1 once made the migration push empty rows up to usize::MAX, gigabytes a second.
        conn.execute_batch(
            "INSERT INTO classes VALUES (0, 'n0', 'zero', '', 'object', '');
             INSERT INTO datasets (id, name, origin) VALUES (1, 'val', 'x');
             INSERT INTO images VALUES (1, 0, 'a.jpg', 0), (1, 1, 'b.jpg', 0);
             INSERT INTO label_sources (id, dataset_id, name, kind, origin) VALUES
               (7, 1, 'ml', 'multilabel', 'm.json');
             INSERT INTO image_labels VALUES
               (7, -1, X'0000', X'', X'', 0), (7, 1, X'0000', X'', X'', 0);",
        )
        .unwrap();
        drop(conn);
        let project = crate::store::Project::open(&path).unwrap();
        let val = project.dataset("val").unwrap();
        let source = project.label_source(val.id, LabelKind::MultiLabel, None);
        let labels = project.image_labels(&source.unwrap().unwrap(), 2).unwrap();
        assert_eq!(labels.labeled, [false, true]);
    }

    #[test]
    fn labels_become_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.bagel");
        let mut conn = Connection::open(&path).unwrap();
        migrate_to(&mut conn, 5).unwrap();
        conn.execute_batch(
            "INSERT INTO classes VALUES
               (0, 'n0', 'zero', '', 'object', ''), (1, 'n1', 'one', '', 'object', ''),
               (2, 'n2', 'two', '', 'organism', '');
             INSERT INTO datasets (id, name, origin) VALUES (1, 'val', 'x'), (2, 'v2', 'y');
             INSERT INTO images VALUES (1, 0, 'a.jpg', 2), (1, 1, 'b.jpg', NULL),
                                       (1, 2, 'c.jpg', 0), (2, 0, 'z.jpg', 1);
             INSERT INTO label_sources (id, dataset_id, name, kind, origin) VALUES
               (7, 1, 'real', 'real', 'r.json'), (8, 1, 'ml', 'multilabel', 'm.json');
             INSERT INTO image_labels VALUES
               (7, 0, X'02000000', X'', X'', 0), (7, 2, X'', X'', X'', 0),
               (8, 1, X'0100', X'0200', X'0000', 1);",
        )
        .unwrap();
        drop(conn);
        let project = crate::store::Project::open(&path).unwrap();
        let val = project.dataset("val").unwrap();
        let images = project.images(val.id).unwrap();
        assert_eq!(val.num_images, 3);
        assert_eq!(images.files, ["a.jpg", "b.jpg", "c.jpg"]);
        assert_eq!(images.labels, [Some(2), None, Some(0)]);
        assert_eq!(project.images(2).unwrap().labels, [Some(1)]);
        let source = |kind| project.label_source(val.id, kind, None).unwrap().unwrap();
        let real = project.image_labels(&source(LabelKind::Real), 3).unwrap();
        assert_eq!(real.labeled, [true, false, true]);
        assert_eq!(real.correct.get(0), [0, 2]);
        assert!(real.correct.get(2).is_empty());
        assert_eq!(source(LabelKind::Real).num_labeled, 2);
        let multilabel = project
            .image_labels(&source(LabelKind::MultiLabel), 3)
            .unwrap();
        assert_eq!(multilabel.labeled, [false, true, false]);
        assert_eq!(multilabel.problematic, [false, true, false]);
        let lists = [&multilabel.correct, &multilabel.unclear, &multilabel.wrong];
        assert_eq!(
            lists.map(|list| list.get(1).to_vec()),
            [vec![1], vec![2], vec![0]]
        );
        let gone: i64 = (project.conn())
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'image_labels'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(gone, 0, "the row table of labels is gone");
    }
}
