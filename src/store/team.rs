//! The project's side of a team server: which server it is linked to and as whom, how far it
//! has read the server's log, and which of its events the server has (the rest are the
//! outbox). Nothing secret: the URL is kept without its password.

use super::Project;
use super::votes::{EVENT_COLUMNS, event_from_row};
use crate::error::Result;
use crate::verdict::{Assignment, Note, VoteEvent};
use rusqlite::{OptionalExtension, params};
use std::collections::HashSet;

/// The server a project is linked to.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamLink {
    /// The server's URL without a password.
    pub url: String,
    /// The role the server knows this member as: the reviewer name of their events.
    pub role: String,
    /// The last event of the server's order this project has read.
    pub cursor: i64,
    pub last_sync: Option<String>,
}

/// A local event not yet on the server, with the names that identify it on every machine.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingEvent {
    pub event_id: i64,
    pub dataset: String,
    pub file: String,
    pub wnid: String,
    pub event: VoteEvent,
}

/// A local note not yet on the server, with its names.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingNote {
    pub dataset: String,
    pub file: String,
    pub wnid: String,
    /// `id` is its id in the project's log.
    pub note: Note,
}

/// A local assignment not yet on the server, with its names and the time it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingAssignment {
    pub event_id: i64,
    pub dataset: String,
    pub file: String,
    pub wnid: String,
    pub assignment: Assignment,
    pub assigned_at: String,
}

/// A server event now in this project: its id on the server and in the local log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Received {
    pub server_event_id: i64,
    pub local_event_id: i64,
}

impl Project {
    pub fn team_link(&self) -> Result<Option<TeamLink>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT url, role, cursor, last_sync FROM team_link",
                [],
                |row| {
                    Ok(TeamLink {
                        url: row.get(0)?,
                        role: row.get(1)?,
                        cursor: row.get(2)?,
                        last_sync: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Links the project to a server as `role`. Linking again (another server, another role)
    /// starts reading the server's log from its beginning.
    pub fn link_team(&mut self, url: &str, role: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM team_link", [])?;
            tx.execute("DELETE FROM team_events", [])?;
            tx.execute(
                "INSERT INTO team_link (only_one, url, role, cursor) VALUES (1, ?1, ?2, 0)",
                params![url, role],
            )?;
            Ok(())
        })
    }

    /// `role`'s panel events the server does not have yet, in the order they were cast.
    pub fn unsent_events(&self, role: &str) -> Result<Vec<OutgoingEvent>> {
        let columns = EVENT_COLUMNS.replace(", ", ", v.");
        let mut statement = self.conn().prepare_cached(&format!(
            "SELECT v.{columns}, v.event_id, d.name, i.file, c.wnid
             FROM vote_events v
             JOIN datasets d ON d.id = v.dataset_id
             JOIN images i ON i.dataset_id = v.dataset_id AND i.idx = v.image_idx
             JOIN classes c ON c.idx = v.label
             WHERE v.reviewer = ?1
               AND NOT EXISTS (SELECT 1 FROM team_events t WHERE t.local_event_id = v.event_id)
             ORDER BY v.cast_at, v.id"
        ))?;
        let rows = statement.query_map([role], |row| {
            Ok(OutgoingEvent {
                event: event_from_row(row)?,
                event_id: row.get(9)?,
                dataset: row.get(10)?,
                file: row.get(11)?,
                wnid: row.get(12)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `role`'s notes the server does not have yet, oldest first.
    pub fn unsent_notes(&self, role: &str) -> Result<Vec<OutgoingNote>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT n.event_id, n.image_idx, n.label, n.reviewer, n.written_at, n.text,
                    n.reply_to, d.name, i.file, c.wnid
             FROM note_events n
             JOIN datasets d ON d.id = n.dataset_id
             JOIN images i ON i.dataset_id = n.dataset_id AND i.idx = n.image_idx
             JOIN classes c ON c.idx = n.label
             WHERE n.reviewer = ?1
               AND NOT EXISTS (SELECT 1 FROM team_events t WHERE t.local_event_id = n.event_id)
             ORDER BY n.written_at, n.id",
        )?;
        let rows = statement.query_map([role], |row| {
            Ok(OutgoingNote {
                note: super::notes::note_from_row(row)?,
                dataset: row.get(7)?,
                file: row.get(8)?,
                wnid: row.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The assignments the server does not have yet (a chair sends them), oldest first.
    pub fn unsent_assignments(&self) -> Result<Vec<OutgoingAssignment>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT a.event_id, a.image_idx, a.label, a.reviewer, a.assigned_at, d.name, i.file,
                    c.wnid
             FROM assignment_events a
             JOIN datasets d ON d.id = a.dataset_id
             JOIN images i ON i.dataset_id = a.dataset_id AND i.idx = a.image_idx
             JOIN classes c ON c.idx = a.label
             WHERE NOT EXISTS (SELECT 1 FROM team_events t WHERE t.local_event_id = a.event_id)
             ORDER BY a.assigned_at, a.id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(OutgoingAssignment {
                event_id: row.get(0)?,
                assignment: Assignment {
                    image: row.get(1)?,
                    label: row.get(2)?,
                    reviewer: row.get(3)?,
                },
                assigned_at: row.get(4)?,
                dataset: row.get(5)?,
                file: row.get(6)?,
                wnid: row.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many of `role`'s votes and notes are not on the server yet.
    pub fn unsent_count(&self, role: &str) -> Result<usize> {
        let count: i64 = self.conn().query_row(
            "SELECT (SELECT COUNT(*) FROM vote_events v WHERE v.reviewer = ?1
               AND NOT EXISTS (SELECT 1 FROM team_events t WHERE t.local_event_id = v.event_id))
             + (SELECT COUNT(*) FROM note_events n WHERE n.reviewer = ?1
               AND NOT EXISTS (SELECT 1 FROM team_events t WHERE t.local_event_id = n.event_id))",
            [role],
            |row| row.get(0),
        )?;
        Ok(count as usize)
    }

    /// The server ids of the events this project has from the server (or sent to it).
    pub fn received_from_server(&self) -> Result<HashSet<i64>> {
        let mut statement = self
            .conn()
            .prepare_cached("SELECT server_event_id FROM team_events")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records events as on the server, and how far its log has been read (`cursor`, never
    /// moved back), in one transaction; `synced_at` when a sync completed (not after a send
    /// whose fetch may still fail).
    pub fn record_on_server(
        &mut self,
        events: &[Received],
        cursor: i64,
        synced_at: Option<&str>,
    ) -> Result<()> {
        // In the key's order: each row then lands beside the last, not at a random page.
        let mut events = events.to_vec();
        events.sort_by_key(|e| e.server_event_id);
        self.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO team_events (server_event_id, local_event_id)
                 VALUES (?1, ?2)",
            )?;
            for event in &events {
                insert.execute(params![event.server_event_id, event.local_event_id])?;
            }
            tx.execute(
                "UPDATE team_link SET cursor = MAX(cursor, ?1), last_sync = COALESCE(?2, last_sync)",
                params![cursor, synced_at],
            )?;
            Ok(())
        })
    }
}
