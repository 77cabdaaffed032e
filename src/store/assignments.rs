//! Where assignments are written: the append-only log of which reviewer is to vote on which
//! pair, merged as a union like the votes.

use super::{EventNames, Project};
use crate::error::Result;
use crate::verdict::Assignment;
use rusqlite::{Connection, params};

impl EventNames<'_> {
    pub fn assignment_id(&self, assignment: &Assignment) -> i64 {
        let file = (self.files.get(assignment.image as usize)).map_or("", String::as_str);
        let wnid = (self.vocab.class(assignment.label)).map_or("", |c| c.wnid.as_str());
        assignment.content_id(self.dataset, file, wnid)
    }
}

/// Appends assignments made at `assigned_at`; one already there is skipped. Returns how many
/// were new.
pub(super) fn append_assignments(
    tx: &Connection,
    dataset_id: i64,
    names: &EventNames,
    assignments: &[Assignment],
    assigned_at: &str,
) -> Result<usize> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO assignment_events (event_id, dataset_id, image_idx, label,
             reviewer, assigned_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut added = 0;
    for assignment in assignments {
        added += insert.execute(params![
            names.assignment_id(assignment),
            dataset_id,
            assignment.image,
            assignment.label,
            assignment.reviewer,
            assigned_at
        ])?;
    }
    Ok(added)
}

impl Project {
    /// A dataset's assignments, by pair then reviewer.
    pub fn assignments(&self, dataset_id: i64) -> Result<Vec<Assignment>> {
        Ok((self.assignment_rows(dataset_id)?.into_iter())
            .map(|(assignment, _)| assignment)
            .collect())
    }
}

impl Project {
    /// A dataset's assignments with the time each was made, as a vote file carries them.
    pub fn assignment_rows(&self, dataset_id: i64) -> Result<Vec<(Assignment, String)>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT image_idx, label, reviewer, assigned_at FROM assignment_events
             WHERE dataset_id = ?1 ORDER BY image_idx, label, reviewer",
        )?;
        let rows = statement.query_map([dataset_id], |row| {
            let assignment = Assignment {
                image: row.get(0)?,
                label: row.get(1)?,
                reviewer: row.get(2)?,
            };
            Ok((assignment, row.get(3)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
