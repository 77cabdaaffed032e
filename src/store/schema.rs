//! The project file's schema, in one place. `user_version` numbers the migrations; a project
//! is brought forward on open and refused when it comes from a newer bagel.

use rusqlite::Connection;

/// Each entry migrates from version i to i + 1.
const MIGRATIONS: &[&str] = &[
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
    // Undoing a first vote withdraws it instead of deleting it, so its history stays.
    r#"
ALTER TABLE votes ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0;
CREATE INDEX votes_by_pair ON votes (dataset_id, image_idx, label);
"#,
];

pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies the migrations the file has not seen yet, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let from = version(conn)?;
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", step as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
