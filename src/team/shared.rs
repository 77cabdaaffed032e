//! The rest of the panel's log on the server, beside the votes: notes (hidden by the blind
//! round as votes are), assignments (given by a chair) and the panel's settings (quorum, blind
//! round, chair: set by a chair or the owner, the latest of each standing). Each row's id is
//! the hash of what it says, checked by the server and again here.

use super::server::untrusted;
use super::{ServerAddress, ServerLog, assignment_id, note_id};
use crate::error::{Error, Result};
use crate::store::{OutgoingAssignment, OutgoingNote};
use crate::verdict::{Assignment, Note};
use crate::vocab::ClassId;

/// A note as the server keeps it; `note.id` is left 0 (the project gives it its own id) and
/// `note.written_at` is the author's time, part of both ids.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerNote {
    pub seq: i64,
    pub event_id: i64,
    pub dataset: String,
    pub file: String,
    pub wnid: String,
    pub note: Note,
}

/// An assignment as the server keeps it, with the time it was made on the chair's machine.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerAssignment {
    pub seq: i64,
    pub event_id: i64,
    pub dataset: String,
    pub file: String,
    pub wnid: String,
    pub assignment: Assignment,
    pub assigned_at: String,
}

/// The panel's settings as the server holds them (None: never set there).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PanelSettings {
    pub quorum: Option<usize>,
    pub blind_round: Option<bool>,
    pub chair: Option<String>,
}

const SELECT_NOTES: &str = "SELECT n.seq, n.event_id, n.dataset, n.file, n.wnid, n.image,
        n.label, n.reviewer, n.authored_at, n.body, n.reply_to
    FROM bagel.notes n";

impl ServerLog {
    /// Sends notes in one transaction, as [`ServerLog::send`] sends votes. Returns their ids on
    /// the server.
    pub fn send_notes(&mut self, notes: &[OutgoingNote]) -> Result<Vec<i64>> {
        let address = self.address().clone();
        let insert = "INSERT INTO bagel.notes (event_id, dataset, image, file, label, wnid,
                 reviewer, authored_at, body, reply_to)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (event_id) DO NOTHING";
        self.send_all(insert, notes, |tx, insert, outgoing| {
            let note = &outgoing.note;
            let id = note_id(&outgoing.dataset, &outgoing.file, &outgoing.wnid, note);
            let params: [&(dyn postgres::types::ToSql + Sync); 10] = [
                &id,
                &outgoing.dataset,
                &(note.image as i32),
                &outgoing.file,
                &(note.label as i16),
                &outgoing.wnid,
                &note.reviewer,
                &note.written_at,
                &note.text,
                &note.reply_to,
            ];
            tx.execute(insert, &params)
                .map_err(|e| refused_row(&address, &e, "note", &note.reviewer, &outgoing.file))?;
            Ok(id)
        })
    }

    /// Sends assignments (only a chair may) in one transaction. Returns their ids on the server.
    pub fn send_assignments(&mut self, assignments: &[OutgoingAssignment]) -> Result<Vec<i64>> {
        let address = self.address().clone();
        let insert = "INSERT INTO bagel.assignments (event_id, dataset, image, file, label, wnid,
                 reviewer, authored_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (event_id) DO NOTHING";
        self.send_all(insert, assignments, |tx, insert, outgoing| {
            let assignment = &outgoing.assignment;
            let (dataset, file, wnid) = (&outgoing.dataset, &outgoing.file, &outgoing.wnid);
            let id = assignment_id(dataset, file, wnid, assignment);
            let params: [&(dyn postgres::types::ToSql + Sync); 8] = [
                &id,
                dataset,
                &(assignment.image as i32),
                file,
                &(assignment.label as i16),
                wnid,
                &assignment.reviewer,
                &outgoing.assigned_at,
            ];
            tx.execute(insert, &params)
                .map_err(|e| refused_row(&address, &e, "assignment", &assignment.reviewer, file))?;
            Ok(id)
        })
    }

    /// The settings standing on the server.
    pub fn settings(&mut self) -> Result<PanelSettings> {
        let rows = (self.client().query(
            "SELECT DISTINCT ON (key) key, value FROM bagel.settings ORDER BY key, seq DESC",
            &[],
        ))
        .map_err(|e| self.address().refusal(&e))?;
        let mut settings = PanelSettings::default();
        for row in rows {
            let (key, value): (String, String) = (row.get(0), row.get(1));
            match key.as_str() {
                "quorum" => {
                    settings.quorum =
                        (value.parse().ok()).filter(|q| (1..=crate::store::MAX_QUORUM).contains(q))
                }
                "blind_round" => settings.blind_round = Some(value != "off"),
                "chair" => settings.chair = Some(value).filter(|v| !v.trim().is_empty()),
                _ => {}
            }
        }
        Ok(settings)
    }

    /// Sets one of the panel's settings (`quorum`, `blind_round` on/off, `chair`): the server
    /// takes it from a chair or the owner only.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        let address = self.address().clone();
        (self.client().execute(
            "INSERT INTO bagel.settings (key, value) VALUES ($1, $2)",
            &[&key, &value],
        ))
        .map_err(|e| {
            let problem = super::explain(&e, address.user());
            Error::Server {
                server: address.public_url().to_owned(),
                problem: format!(
                    "setting {key} to {value:?} was refused ({problem}); only the panel's chair or the database's owner sets the panel's settings"
                ),
            }
        })?;
        Ok(())
    }

    /// The notes after `seq`, and every note on the `opened` pairs, that the server lets this
    /// role see, oldest first.
    pub fn notes_after(
        &mut self,
        seq: i64,
        opened: &[(String, Vec<(u32, ClassId)>)],
    ) -> Result<Vec<ServerNote>> {
        let address = self.address().clone();
        let mut rows = (self.client())
            .query(&format!("{SELECT_NOTES} WHERE n.seq > $1"), &[&seq])
            .map_err(|e| address.refusal(&e))?;
        for (dataset, pairs) in opened {
            let images: Vec<i32> = pairs.iter().map(|&(image, _)| image as i32).collect();
            let labels: Vec<i16> = pairs.iter().map(|&(_, label)| label as i16).collect();
            rows.extend(
                (self.client().query(
                    &format!(
                        "{SELECT_NOTES} JOIN unnest($2::integer[], $3::smallint[]) AS p(image, label)
                             ON n.image = p.image AND n.label = p.label
                         WHERE n.dataset = $1"
                    ),
                    &[dataset, &images, &labels],
                ))
                .map_err(|e| address.refusal(&e))?,
            );
        }
        let mut notes = (rows.iter())
            .map(|row| note_from_row(row, &address))
            .collect::<Result<Vec<_>>>()?;
        notes.sort_by_key(|n| n.seq);
        notes.dedup_by_key(|n| n.seq);
        Ok(notes)
    }

    /// The assignments after `seq`, oldest first.
    pub fn assignments_after(&mut self, seq: i64) -> Result<Vec<ServerAssignment>> {
        let address = self.address().clone();
        let rows = (self.client().query(
            "SELECT seq, event_id, dataset, file, wnid, image, label, reviewer, authored_at
             FROM bagel.assignments WHERE seq > $1 ORDER BY seq",
            &[&seq],
        ))
        .map_err(|e| address.refusal(&e))?;
        rows.iter()
            .map(|row| {
                let (image, label): (i32, i16) = (row.get(5), row.get(6));
                let row = ServerAssignment {
                    seq: row.get(0),
                    event_id: row.get(1),
                    dataset: row.get(2),
                    file: row.get(3),
                    wnid: row.get(4),
                    assignment: Assignment {
                        image: image as u32,
                        label: label as ClassId,
                        reviewer: row.get(7),
                    },
                    assigned_at: row.get(8),
                };
                let expected = assignment_id(&row.dataset, &row.file, &row.wnid, &row.assignment);
                if expected != row.event_id {
                    return Err(untrusted(
                        &address,
                        &format!(
                            "assignment {} ({} on {} {} {}) has id {}, but what it says hashes to {expected}",
                            row.seq,
                            row.assignment.reviewer,
                            row.dataset,
                            row.file,
                            row.wnid,
                            row.event_id
                        ),
                    ));
                }
                Ok(row)
            })
            .collect()
    }
}

fn note_from_row(row: &postgres::Row, address: &ServerAddress) -> Result<ServerNote> {
    let (image, label): (i32, i16) = (row.get(5), row.get(6));
    let note = ServerNote {
        seq: row.get(0),
        event_id: row.get(1),
        dataset: row.get(2),
        file: row.get(3),
        wnid: row.get(4),
        note: Note {
            id: 0,
            image: image as u32,
            label: label as ClassId,
            reviewer: row.get(7),
            written_at: row.get(8),
            text: row.get(9),
            reply_to: row.get(10),
        },
    };
    let expected = note_id(&note.dataset, &note.file, &note.wnid, &note.note);
    if expected != note.event_id {
        return Err(untrusted(
            address,
            &format!(
                "note {} ({}'s on {} {} {}) has id {}, but what it says hashes to {expected}",
                note.seq, note.note.reviewer, note.dataset, note.file, note.wnid, note.event_id
            ),
        ));
    }
    Ok(note)
}

/// A refused note or assignment names itself: it and what follows stay unsent.
fn refused_row(
    address: &ServerAddress,
    error: &postgres::Error,
    what: &str,
    reviewer: &str,
    file: &str,
) -> Error {
    let problem = super::explain(error, address.user());
    Error::Server {
        server: address.public_url().to_owned(),
        problem: format!(
            "the {what} of {reviewer} on {file} was refused ({problem}); it stays unsent, and so does what follows it"
        ),
    }
}
