//! Where a note is written: the append-only note log beside the vote log. A note is never
//! changed or deleted; its id is a hash of its content and names, so merging logs is a union.

use super::{EventNames, Project};
use crate::error::{Error, Result};
use crate::verdict::Note;
use crate::vocab::ClassId;
use rusqlite::{Connection, params};

impl EventNames<'_> {
    pub fn note_id(&self, note: &Note) -> i64 {
        let file = (self.files.get(note.image as usize)).map_or("", String::as_str);
        let wnid = (self.vocab.class(note.label)).map_or("", |c| c.wnid.as_str());
        note.content_id(self.dataset, file, wnid)
    }
}

/// Appends notes to the log (each with its content id); a note already there is skipped.
/// Returns the notes as stored, with their ids, and how many were new.
pub(super) fn append_notes(
    tx: &Connection,
    dataset_id: i64,
    names: &EventNames,
    notes: &[Note],
) -> Result<(Vec<Note>, usize)> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO note_events (event_id, dataset_id, image_idx, label, reviewer,
             written_at, text, reply_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut added = 0;
    let mut stored = Vec::with_capacity(notes.len());
    for note in notes {
        if note.text.trim().is_empty() {
            return Err(Error::Usage("a note needs some text".into()));
        }
        let note = Note {
            id: names.note_id(note),
            ..note.clone()
        };
        added += insert.execute(params![
            note.id,
            dataset_id,
            note.image,
            note.label,
            note.reviewer,
            note.written_at,
            note.text,
            note.reply_to
        ])?;
        stored.push(note);
    }
    Ok((stored, added))
}

const NOTE_COLUMNS: &str = "event_id, image_idx, label, reviewer, written_at, text, reply_to";

impl Project {
    /// A dataset's notes, oldest first.
    pub fn notes(&self, dataset_id: i64) -> Result<Vec<Note>> {
        let mut statement = self.conn().prepare_cached(&format!(
            "SELECT {NOTE_COLUMNS} FROM note_events WHERE dataset_id = ?1 ORDER BY written_at, id"
        ))?;
        let rows = statement.query_map([dataset_id], note_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The notes on one pair, oldest first.
    pub fn pair_notes(&self, dataset_id: i64, image: u32, label: ClassId) -> Result<Vec<Note>> {
        let mut statement = self.conn().prepare_cached(&format!(
            "SELECT {NOTE_COLUMNS} FROM note_events
             WHERE dataset_id = ?1 AND image_idx = ?2 AND label = ?3 ORDER BY written_at, id"
        ))?;
        let rows = statement.query_map(params![dataset_id, image, label], note_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A note from the first seven columns of a row (id, image, label, reviewer, written_at,
/// text, reply_to).
pub(super) fn note_from_row(row: &rusqlite::Row) -> rusqlite::Result<Note> {
    Ok(Note {
        id: row.get(0)?,
        image: row.get(1)?,
        label: row.get(2)?,
        reviewer: row.get(3)?,
        written_at: row.get(4)?,
        text: row.get(5)?,
        reply_to: row.get(6)?,
    })
}
