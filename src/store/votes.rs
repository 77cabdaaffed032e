//! Where a vote is written: the append-only vote log. An event is never changed or deleted;
//! what the votes decide is the panel's business (`panel::voting`), not the store's.

use super::Project;
use super::crowd::read_crowd_log;
use crate::error::{Error, Result};
use crate::verdict::{Category, Round, Severity, Verdict, Vote, VoteEvent};
use crate::vocab::{ClassId, Vocabulary};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// What names an event on every machine: the dataset's name, its image files and the classes'
/// wnids, rather than this file's row numbers.
pub struct EventNames<'a> {
    pub dataset: &'a str,
    pub files: &'a [String],
    pub vocab: &'a Vocabulary,
}

impl EventNames<'_> {
    pub fn event_id(&self, event: &VoteEvent) -> i64 {
        let file = self
            .files
            .get(event.image as usize)
            .map_or("", String::as_str);
        let wnid = self
            .vocab
            .class(event.label)
            .map_or("", |c| c.wnid.as_str());
        event.id(self.dataset, file, wnid)
    }
}

/// Appends events to the log; an event already there (same id) is skipped, so a merge is a
/// union. Returns how many were new.
pub(super) fn append_events(
    tx: &Connection,
    dataset_id: i64,
    names: &EventNames,
    events: &[VoteEvent],
) -> Result<usize> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO vote_events (event_id, dataset_id, image_idx, label, reviewer,
             round, verdict, category, severity, note, cast_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut added = 0;
    for event in events {
        let vote = event.vote.as_ref();
        added += insert.execute(params![
            names.event_id(event),
            dataset_id,
            event.image,
            event.label,
            event.reviewer,
            event.round.as_str(),
            vote.map(|v| v.verdict.as_str()),
            vote.and_then(|v| v.category).map(Category::as_str),
            vote.and_then(|v| v.severity).map(Severity::as_str),
            vote.map_or("", |v| v.note.as_str()),
            event.cast_at
        ])?;
    }
    Ok(added)
}

pub(super) const EVENT_COLUMNS: &str =
    "reviewer, round, cast_at, image_idx, label, verdict, category, severity, note";

/// The log's order, the same on every machine: by time, and events cast at the same moment by
/// their id (a hash of what they say), never by the order rows happened to arrive in.
const LOG_ORDER: &str = "ORDER BY cast_at, event_id";

/// Every event on one pair in the log's order (the pair's audit history).
pub(super) fn pair_events(
    conn: &Connection,
    path: &Path,
    dataset_id: i64,
    (image, label): (u32, ClassId),
) -> Result<Vec<VoteEvent>> {
    check_stored_events(conn, path, dataset_id, Some((image, label)))?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM vote_events
         WHERE dataset_id = ?1 AND image_idx = ?2 AND label = ?3 {LOG_ORDER}"
    ))?;
    let rows = statement.query_map(params![dataset_id, image, label], event_from_row)?;
    checked_times(path, rows.collect::<rusqlite::Result<_>>()?)
}

/// The panel's whole vote log of a dataset in the log's order (crowd answers are kept apart).
pub(super) fn dataset_events(
    conn: &Connection,
    path: &Path,
    dataset_id: i64,
) -> Result<Vec<VoteEvent>> {
    check_stored_events(conn, path, dataset_id, None)?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM vote_events WHERE dataset_id = ?1 {LOG_ORDER}"
    ))?;
    let rows = statement.query_map([dataset_id], event_from_row)?;
    checked_times(path, rows.collect::<rusqlite::Result<_>>()?)
}

/// A project file is someone's data: a vote row naming an image its dataset does not have or
/// a class beyond the vocabulary was written outside bagel, and is reported as damage before
/// any rule counts it (or indexes with it).
fn check_stored_events(
    conn: &Connection,
    path: &Path,
    dataset_id: i64,
    pair: Option<(u32, ClassId)>,
) -> Result<()> {
    let (image, label) = pair.unzip();
    let mut statement = conn.prepare_cached(
        "SELECT v.reviewer, d.name, quote(v.image_idx), quote(v.label) FROM vote_events v
         JOIN datasets d ON d.id = v.dataset_id
         WHERE v.dataset_id = ?1 AND (?2 IS NULL OR (v.image_idx = ?2 AND v.label = ?3))
           AND (typeof(v.image_idx) != 'integer' OR typeof(v.label) != 'integer'
                OR NOT EXISTS (SELECT 1 FROM images i
                               WHERE i.dataset_id = v.dataset_id AND i.idx = v.image_idx)
                OR NOT EXISTS (SELECT 1 FROM classes c WHERE c.idx = v.label))
         LIMIT 1",
    )?;
    let bad: Option<(String, String, String, String)> = statement
        .query_row(params![dataset_id, image, label], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    match bad {
        None => Ok(()),
        Some((reviewer, dataset, image, label)) => Err(damaged_vote(
            path,
            &reviewer,
            &dataset,
            format!(
                "it names image {image} and class {label}, which the dataset or the vocabulary does not have"
            ),
        )),
    }
}

/// Every event's time must read as one: the log's order and the latest vote follow it.
fn checked_times(path: &Path, events: Vec<VoteEvent>) -> Result<Vec<VoteEvent>> {
    match (events.iter()).find(|e| crate::verdict::parse_time(&e.cast_at).is_none()) {
        None => Ok(events),
        Some(event) => Err(damaged_vote(
            path,
            &event.reviewer,
            "",
            format!("its time {:?} is not a time", event.cast_at),
        )),
    }
}

fn damaged_vote(path: &Path, reviewer: &str, dataset: &str, problem: String) -> Error {
    let on = match dataset {
        "" => String::new(),
        dataset => format!(" on dataset {dataset:?}"),
    };
    Error::Damaged {
        path: path.to_path_buf(),
        what: format!("a vote of {reviewer:?}{on} in the vote log"),
        problem,
        fix: "restore a backup of the project, or ask its sender for a clean copy".into(),
    }
}

impl Project {
    /// The panel's whole vote log of a dataset in the log's order (crowd answers are kept
    /// apart: [`Project::crowd_log`]).
    pub fn vote_events(&self, dataset_id: i64) -> Result<Vec<VoteEvent>> {
        dataset_events(self.conn(), self.path(), dataset_id)
    }

    /// Every event on one pair, the crowd's too, oldest first (the pair's audit history).
    pub fn pair_history(
        &self,
        dataset_id: i64,
        image: u32,
        label: ClassId,
    ) -> Result<Vec<VoteEvent>> {
        let mut events = pair_events(self.conn(), self.path(), dataset_id, (image, label))?;
        let crowd = read_crowd_log(self.conn(), self.path(), dataset_id, Some((image, label)))?;
        if let Some(pair) = crowd.find((image, label)) {
            events.extend(crowd.answers(pair).iter().map(|a| crowd.event(pair, a)));
            // Stable: at equal times the panel's events stay first, each side in its order.
            events.sort_by(|a, b| a.cast_at.cmp(&b.cast_at));
        }
        Ok(events)
    }

    /// Whether the dataset's log holds `event` already (its id): merging it adds nothing.
    pub fn is_logged(
        &self,
        dataset_id: i64,
        names: &EventNames,
        event: &VoteEvent,
    ) -> Result<bool> {
        let mut statement = self
            .conn()
            .prepare_cached("SELECT 1 FROM vote_events WHERE dataset_id = ?1 AND event_id = ?2")?;
        Ok(statement.exists(params![dataset_id, names.event_id(event)])?)
    }

    /// Everyone who has voted in the project (on any dataset), by name.
    pub fn reviewers(&self) -> Result<Vec<String>> {
        let mut statement = self
            .conn()
            .prepare_cached("SELECT DISTINCT reviewer FROM vote_events ORDER BY reviewer")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

pub(super) fn event_from_row(row: &rusqlite::Row) -> rusqlite::Result<VoteEvent> {
    let round: String = row.get(1)?;
    let (image, label): (u32, ClassId) = (row.get(3)?, row.get(4)?);
    let verdict: Option<String> = row.get(5)?;
    let category: Option<String> = row.get(6)?;
    let severity: Option<String> = row.get(7)?;
    let note: String = row.get(8)?;
    Ok(VoteEvent {
        reviewer: row.get(0)?,
        // The schema's CHECK constraints admit only the stored spellings.
        round: Round::parse(&round).unwrap_or(Round::Independent),
        cast_at: row.get(2)?,
        image,
        label,
        vote: verdict
            .as_deref()
            .and_then(Verdict::parse)
            .map(|verdict| Vote {
                category: category.as_deref().and_then(Category::parse),
                severity: severity.as_deref().and_then(Severity::parse),
                note,
                ..Vote::new(image, label, verdict)
            }),
    })
}
