//! One member's connection to the panel's log on the server: who the server says they are,
//! the panel's datasets, sending events and reading those the server lets them see.

use super::{SCHEMA_VERSION, ServerAddress};
use crate::error::{Error, Result};
use crate::store::OutgoingEvent;
use crate::verdict::{Category, Round, Severity, Verdict, Vote, VoteEvent};
use crate::vocab::ClassId;

/// An event as the server keeps it: its place in the server's order, the id its author's
/// machine gave it, and the dataset it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerEvent {
    pub seq: i64,
    /// A hash of what the event says ([`super::vote_id`]), checked when it is read.
    pub event_id: i64,
    pub dataset: String,
    /// The names of the event's image and class, which its id hashes: a project takes the
    /// event only where they name its `image` and `label` there too.
    pub file: String,
    pub wnid: String,
    /// The time on the author's machine (the event's `cast_at` is the server's).
    pub authored_at: String,
    pub event: VoteEvent,
}

/// A dataset of the panel, as registered by `team create`.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelDataset {
    pub name: String,
    pub images: usize,
    pub images_hash: String,
}

pub struct ServerLog {
    client: postgres::Client,
    address: ServerAddress,
    role: String,
}

const SELECT_EVENTS: &str = "SELECT e.seq, e.event_id, e.dataset, e.image, e.label, e.reviewer,
        e.round, e.verdict, e.category, e.severity, e.note,
        to_char(e.cast_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
        e.file, e.wnid, e.authored_at
    FROM bagel.events e";

impl ServerLog {
    /// Connects and checks that the database holds a panel this bagel understands.
    pub fn open(address: &ServerAddress) -> Result<Self> {
        let mut client = address.connect()?;
        let refused = |e: postgres::Error| address.refusal(&e);
        let role: String = (client.query_one("SELECT current_user::text", &[]))
            .map_err(refused)?
            .get(0);
        let version = client
            .query_opt(
                "SELECT value FROM bagel.meta WHERE key = 'schema_version'",
                &[],
            )
            .map_err(|e| no_panel(address, &e))?
            .and_then(|row| row.get::<_, String>(0).parse::<i64>().ok());
        match version {
            Some(SCHEMA_VERSION) => Ok(ServerLog {
                client,
                address: address.clone(),
                role,
            }),
            Some(newer) if newer > SCHEMA_VERSION => Err(Error::Server {
                server: address.public_url().to_owned(),
                problem: format!(
                    "the panel's schema is version {newer}, newer than this bagel knows ({SCHEMA_VERSION}); update bagel, then sync again (nothing was changed)"
                ),
            }),
            Some(older) => Err(Error::Server {
                server: address.public_url().to_owned(),
                problem: format!(
                    "the panel's schema is version {older}, made by an earlier bagel; this one speaks version {SCHEMA_VERSION} (it checks every event's id on the server). Ask the database's owner to create the panel anew with `bagel team create` in a new database, or use the bagel that made it (nothing was changed)"
                ),
            }),
            None => Err(Error::Server {
                server: address.public_url().to_owned(),
                problem: "the panel's schema has no version bagel knows; was it made by `bagel team create`?".into(),
            }),
        }
    }

    /// The role the server sees this connection as: the reviewer name of every event it sends.
    pub fn role(&self) -> &str {
        &self.role
    }

    pub fn address(&self) -> &ServerAddress {
        &self.address
    }

    pub(super) fn client(&mut self) -> &mut postgres::Client {
        &mut self.client
    }

    /// Whether this role is a chair of the panel (may assign, set the settings, override).
    pub fn is_chair(&mut self) -> Result<bool> {
        let (panel_chair, address) = (super::group_roles(self.address.database()).1, &self.address);
        let row = (self.client.query_one(
            "SELECT pg_has_role(current_user, $1, 'MEMBER')",
            &[&panel_chair],
        ))
        .map_err(|e| address.refusal(&e))?;
        Ok(row.get(0))
    }

    /// Runs `read` on one snapshot of the server's log (REPEATABLE READ): the votes, notes and
    /// assignments it reads then agree on one cursor, whatever is committed meanwhile.
    pub fn snapshot<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let address = self.address.clone();
        (self.client)
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(|e| address.refusal(&e))?;
        let result = read(self);
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = self.client.batch_execute(end);
        let value = result?;
        ended.map_err(|e| address.refusal(&e))?;
        Ok(value)
    }

    pub fn datasets(&mut self) -> Result<Vec<PanelDataset>> {
        let rows = (self.client)
            .query(
                "SELECT name, images, images_hash FROM bagel.datasets ORDER BY name",
                &[],
            )
            .map_err(|e| self.address.refusal(&e))?;
        Ok(rows
            .iter()
            .map(|row| PanelDataset {
                name: row.get(0),
                images: row.get::<_, i32>(1) as usize,
                images_hash: row.get(2),
            })
            .collect())
    }

    /// Inserts `rows` with the statement `insert` in one transaction: `send` executes one row
    /// and returns its id on the server. A row the server has already (same id) is skipped by
    /// the statement, so a re-send after a lost answer is harmless.
    pub(super) fn send_all<T>(
        &mut self,
        insert: &str,
        rows: &[T],
        mut send: impl FnMut(&mut postgres::Transaction, &postgres::Statement, &T) -> Result<i64>,
    ) -> Result<Vec<i64>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let address = self.address.clone();
        let refused = |e: postgres::Error| address.refusal(&e);
        let mut tx = self.client.transaction().map_err(refused)?;
        let insert = tx.prepare(insert).map_err(refused)?;
        let ids = (rows.iter())
            .map(|row| send(&mut tx, &insert, row))
            .collect::<Result<Vec<i64>>>()?;
        tx.commit().map_err(refused)?;
        Ok(ids)
    }

    /// Sends events in one transaction. Returns each event's id on the server.
    pub fn send(&mut self, events: &[OutgoingEvent]) -> Result<Vec<i64>> {
        let address = self.address.clone();
        let insert = "INSERT INTO bagel.events (event_id, dataset, image, file, label, wnid,
                 reviewer, round, verdict, category, severity, note, authored_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (event_id) DO NOTHING";
        self.send_all(insert, events, |tx, insert, outgoing| {
            let event = &outgoing.event;
            let vote = event.vote.as_ref();
            let (dataset, file, wnid) = (&outgoing.dataset, &outgoing.file, &outgoing.wnid);
            let id = super::vote_id(dataset, file, wnid, &event.cast_at, event);
            tx.execute(
                insert,
                &[
                    &id,
                    &outgoing.dataset,
                    &(event.image as i32),
                    &outgoing.file,
                    &(event.label as i16),
                    &outgoing.wnid,
                    &event.reviewer,
                    &event.round.as_str(),
                    &vote.map(|v| v.verdict.as_str()),
                    &vote.and_then(|v| v.category).map(Category::as_str),
                    &vote.and_then(|v| v.severity).map(Severity::as_str),
                    &vote.map_or("", |v| v.note.as_str()),
                    &event.cast_at,
                ],
            )
            .map_err(|e| refused_event(&address, &e, outgoing))?;
            Ok(id)
        })
    }

    /// The events after `seq` in the server's order that the server lets this role see.
    pub fn events_after(&mut self, seq: i64) -> Result<Vec<ServerEvent>> {
        let query = format!("{SELECT_EVENTS} WHERE e.seq > $1 ORDER BY e.seq");
        self.read(&query, &[&seq])
    }

    /// Every visible event on the given pairs of a dataset: after an independent vote the blind
    /// round opens a pair, and its older events become visible.
    pub fn events_on(
        &mut self,
        dataset: &str,
        pairs: &[(u32, ClassId)],
    ) -> Result<Vec<ServerEvent>> {
        let images: Vec<i32> = pairs.iter().map(|&(image, _)| image as i32).collect();
        let labels: Vec<i16> = pairs.iter().map(|&(_, label)| label as i16).collect();
        let query = format!(
            "{SELECT_EVENTS} JOIN unnest($2::integer[], $3::smallint[]) AS p(image, label)
                 ON e.image = p.image AND e.label = p.label
             WHERE e.dataset = $1 ORDER BY e.seq"
        );
        self.read(&query, &[&dataset, &images, &labels])
    }

    /// The whole log this role may see, oldest first.
    pub fn all_events(&mut self) -> Result<Vec<ServerEvent>> {
        self.events_after(0)
    }

    fn read(
        &mut self,
        query: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<ServerEvent>> {
        let rows = (self.client.query(query, params)).map_err(|e| self.address.refusal(&e))?;
        rows.iter()
            .map(|row| event_from_row(row, &self.address))
            .collect()
    }
}

/// The log's events of one dataset, for the panel's rules ([`crate::panel::log::VoteLog`]).
impl crate::panel::log::VoteLog for ServerLog {
    fn dataset_events(&mut self, dataset: &str) -> Result<Vec<VoteEvent>> {
        Ok((self.all_events()?.into_iter())
            .filter(|e| e.dataset == dataset)
            .map(|e| e.event)
            .collect())
    }
}

/// A refusal of one event names it: nothing after it is sent until it is dealt with.
fn refused_event(address: &ServerAddress, error: &postgres::Error, event: &OutgoingEvent) -> Error {
    let problem = super::explain(error, address.user());
    Error::Server {
        server: address.public_url().to_owned(),
        problem: format!(
            "{}'s {} event on {} {} {} was refused ({problem}); it stays unsent, and so do the events after it",
            event.event.reviewer,
            event.event.round.as_str(),
            event.dataset,
            event.file,
            event.wnid
        ),
    }
}

fn no_panel(address: &ServerAddress, error: &postgres::Error) -> Error {
    let missing = error.as_db_error().is_some_and(|db| {
        *db.code() == postgres::error::SqlState::UNDEFINED_TABLE
            || *db.code() == postgres::error::SqlState::INVALID_SCHEMA_NAME
    });
    if missing {
        Error::Server {
            server: address.public_url().to_owned(),
            problem: format!(
                "database {:?} holds no bagel panel; the chair creates one with `bagel team create`",
                address.database()
            ),
        }
    } else {
        address.refusal(error)
    }
}

fn event_from_row(row: &postgres::Row, address: &ServerAddress) -> Result<ServerEvent> {
    let seq: i64 = row.get(0);
    let damaged = |what: &str| Error::Server {
        server: address.public_url().to_owned(),
        problem: format!(
            "event {seq} has {what}, which bagel never writes; ask the chair to check the server"
        ),
    };
    let round: String = row.get(6);
    let round = Round::parse(&round).ok_or_else(|| damaged("an unknown round"))?;
    let (image, label): (i32, i16) = (row.get(3), row.get(4));
    let (image, label) = (image as u32, label as ClassId);
    let verdict: Option<String> = row.get(7);
    let vote = match verdict {
        None => None,
        Some(text) => {
            let verdict = Verdict::parse(&text).ok_or_else(|| damaged("an unknown verdict"))?;
            let category: Option<String> = row.get(8);
            let severity: Option<String> = row.get(9);
            Some(Vote {
                category: category.as_deref().and_then(Category::parse),
                severity: severity.as_deref().and_then(Severity::parse),
                note: row.get(10),
                ..Vote::new(image, label, verdict)
            })
        }
    };
    let event = ServerEvent {
        seq,
        event_id: row.get(1),
        dataset: row.get(2),
        file: row.get(12),
        wnid: row.get(13),
        authored_at: row.get(14),
        event: VoteEvent {
            reviewer: row.get(5),
            round,
            cast_at: row.get(11),
            image,
            label,
            vote,
        },
    };
    event.check_id(address)?;
    Ok(event)
}

impl ServerEvent {
    /// Refuses an event whose id is not the hash of what it says: the server refuses such a
    /// row, so one here was written past its checks, and nothing of this read is trusted.
    pub fn check_id(&self, address: &ServerAddress) -> Result<()> {
        let expected = super::vote_id(
            &self.dataset,
            &self.file,
            &self.wnid,
            &self.authored_at,
            &self.event,
        );
        if expected == self.event_id {
            return Ok(());
        }
        Err(untrusted(
            address,
            &format!(
                "event {} ({}'s vote on {} {} {}) has id {}, but what it says hashes to {}",
                self.seq,
                self.event.reviewer,
                self.dataset,
                self.file,
                self.wnid,
                self.event_id,
                expected
            ),
        ))
    }
}

/// A row of the server's log that bagel cannot trust: named, and nothing merged.
pub(super) fn untrusted(address: &ServerAddress, what: &str) -> Error {
    Error::Server {
        server: address.public_url().to_owned(),
        problem: crate::error::for_terminal(&format!(
            "{what}: the row was not written through bagel's checks, so nothing of this sync was merged (your events stay in the project); ask the panel's owner to look at that row of the server's log"
        )),
    }
}
