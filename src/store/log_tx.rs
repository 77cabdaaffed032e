//! The seam where the panel's log is read and written: [`LogTx`], the log inside one write
//! transaction of the project. The panel's rules (`panel::voting`, `quorum`, `check`,
//! `aggregate`) cast, merge and re-decide through it and never see SQLite; the team server
//! feeds the same rules through `panel::log::VoteLog` and the same merge.

use super::{CrowdLog, EventNames, Project};
use crate::error::Result;
use crate::verdict::{Assignment, Decision, DecisionKind, Note, VoteEvent};
use crate::vocab::ClassId;
use rusqlite::Connection;
use std::path::Path;

/// The panel's log and decisions inside one transaction: what is read sees what was written
/// before in it; nothing is on disk until the transaction commits.
pub struct LogTx<'a> {
    conn: &'a Connection,
    path: &'a Path,
}

impl Project {
    /// Runs `work` on the log in one transaction, as [`Project::write`] does: committed when
    /// it returns Ok, rolled back otherwise.
    pub fn write_log<T>(&mut self, work: impl FnOnce(&LogTx) -> Result<T>) -> Result<T> {
        let path = self.path().to_path_buf();
        self.write(|tx| {
            work(&LogTx {
                conn: tx,
                path: &path,
            })
        })
    }
}

impl LogTx<'_> {
    /// Every event on one pair in the log's order.
    pub fn pair_events(
        &self,
        dataset_id: i64,
        image: u32,
        label: ClassId,
    ) -> Result<Vec<VoteEvent>> {
        super::votes::pair_events(self.conn, self.path, dataset_id, (image, label))
    }

    /// A dataset's whole vote log in the log's order.
    pub fn dataset_events(&self, dataset_id: i64) -> Result<Vec<VoteEvent>> {
        super::votes::dataset_events(self.conn, self.path, dataset_id)
    }

    /// Appends events (one already there is skipped); returns how many were new.
    pub fn append_events(
        &self,
        dataset_id: i64,
        names: &EventNames,
        events: &[VoteEvent],
    ) -> Result<usize> {
        super::votes::append_events(self.conn, dataset_id, names, events)
    }

    /// Appends notes; returns them with their ids, and how many were new.
    pub fn append_notes(
        &self,
        dataset_id: i64,
        names: &EventNames,
        notes: &[Note],
    ) -> Result<(Vec<Note>, usize)> {
        super::notes::append_notes(self.conn, dataset_id, names, notes)
    }

    /// Appends assignments made at `assigned_at`; returns how many were new.
    pub fn append_assignments(
        &self,
        dataset_id: i64,
        names: &EventNames,
        assignments: &[Assignment],
        assigned_at: &str,
    ) -> Result<usize> {
        super::assignments::append_assignments(
            self.conn,
            dataset_id,
            names,
            assignments,
            assigned_at,
        )
    }

    /// One pair's decision of one kind, if stored.
    pub fn decision(
        &self,
        dataset_id: i64,
        (image, label): (u32, ClassId),
        kind: DecisionKind,
    ) -> Result<Option<Decision>> {
        super::decisions::decision_of_kind(self.conn, dataset_id, image, label, kind)
    }

    /// Every stored decision of one kind on a dataset.
    pub fn decisions_of_kind(&self, dataset_id: i64, kind: DecisionKind) -> Result<Vec<Decision>> {
        super::decisions::decisions_of_kind_in(self.conn, dataset_id, kind)
    }

    /// Stores a pair's decision of one kind, replacing that kind's earlier one.
    pub fn put_decision(
        &self,
        dataset_id: i64,
        kind: DecisionKind,
        decision: &Decision,
        posterior: Option<f64>,
    ) -> Result<()> {
        super::decisions::put_decision(self.conn, dataset_id, kind, decision, posterior)
    }

    /// Removes a pair's decision of one kind.
    pub fn remove_decision(
        &self,
        dataset_id: i64,
        kind: DecisionKind,
        (image, label): (u32, ClassId),
    ) -> Result<()> {
        super::decisions::remove_decision(self.conn, dataset_id, kind, image, label)
    }

    /// Replaces every decision of one kind on a dataset (an aggregation's).
    pub fn replace_decisions_of_kind(
        &self,
        dataset_id: i64,
        kind: DecisionKind,
        decisions: &[(Decision, Option<f64>)],
    ) -> Result<()> {
        super::decisions::replace_decisions_of_kind(self.conn, dataset_id, kind, decisions)
    }

    /// A dataset's crowd answers (one pair's with `pair`).
    pub fn crowd_log(&self, dataset_id: i64, pair: Option<(u32, ClassId)>) -> Result<CrowdLog> {
        super::crowd::read_crowd_log(self.conn, self.path, dataset_id, pair)
    }

    /// Stores the crowd answers of the pairs in `log`, replacing theirs.
    pub fn put_crowd_pairs(&self, dataset_id: i64, log: &CrowdLog) -> Result<()> {
        Ok(super::crowd::put_crowd_pairs(self.conn, dataset_id, log)?)
    }

    /// Stores a model's reviewed mistakes on a dataset (`source` names the review), replacing
    /// that model's earlier review of it.
    pub fn put_model_review(
        &self,
        model: &str,
        dataset_id: i64,
        source: &str,
        mistakes: &[(u32, &crate::verdict::ReviewRecord)],
    ) -> Result<()> {
        let model_id = super::reviews::model_id(self.conn, model)?;
        super::reviews::put_model_review(self.conn, model_id, dataset_id, source, mistakes)
    }

    /// Stores the quorum only (re-deciding is the panel's business).
    pub fn put_quorum(&self, quorum: usize) -> Result<()> {
        Project::put_quorum(self.conn, quorum)
    }
}
