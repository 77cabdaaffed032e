//! Where a vote is written. Each cast or withdrawal is one transaction that also keeps the
//! audit history and re-decides the pair, so the decision on disk always follows the votes.

use super::Project;
use super::decisions::upsert_decision;
use crate::error::Result;
use crate::panel::decide::PANEL;
use crate::panel::{CastVote, Category, Round, Severity, Verdict, Vote, decide};
use crate::vocab::ClassId;
use rusqlite::{OptionalExtension, Transaction, params};

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

impl Project {
    /// Records a reviewer's vote (replacing their earlier one on the pair in that round) and
    /// returns the vote it replaced, which is what undo restores.
    pub fn cast_vote(
        &mut self,
        dataset_id: i64,
        reviewer: &str,
        round: Round,
        vote: &Vote,
    ) -> Result<Option<Vote>> {
        self.write(|tx| {
            let reviewer_id = reviewer_id(tx, reviewer)?;
            let previous =
                current_vote(tx, dataset_id, reviewer_id, round, vote.image, vote.label)?;
            let vote_id = tx
                .prepare_cached(&format!(
                    "INSERT INTO votes (dataset_id, image_idx, label, reviewer_id, round, verdict,
                                    category, severity, note, cast_at, withdrawn)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, {NOW}, 0)
                 ON CONFLICT (dataset_id, image_idx, label, reviewer_id, round) DO UPDATE SET
                   verdict = excluded.verdict, category = excluded.category,
                   severity = excluded.severity, note = excluded.note,
                   cast_at = excluded.cast_at, withdrawn = 0
                 RETURNING id"
                ))?
                .query_row(
                    params![
                        dataset_id,
                        vote.image,
                        vote.label,
                        reviewer_id,
                        round.as_str(),
                        vote.verdict.as_str(),
                        vote.category.map(Category::as_str),
                        vote.severity.map(Severity::as_str),
                        vote.note
                    ],
                    |row| row.get::<_, i64>(0),
                )?;
            record_history(tx, vote_id, previous.as_ref(), Some(vote))?;
            redecide(tx, dataset_id, vote.image, vote.label)?;
            Ok(previous.map(|(_, vote)| vote))
        })
    }

    /// Takes a reviewer's vote on a pair back (undo of a first vote); returns the vote
    /// withdrawn. The row stays, marked withdrawn, so the history keeps it.
    pub fn withdraw_vote(
        &mut self,
        dataset_id: i64,
        reviewer: &str,
        round: Round,
        image: u32,
        label: ClassId,
    ) -> Result<Option<Vote>> {
        self.write(|tx| {
            let reviewer_id = reviewer_id(tx, reviewer)?;
            let Some(previous) = current_vote(tx, dataset_id, reviewer_id, round, image, label)?
            else {
                return Ok(None);
            };
            tx.execute("UPDATE votes SET withdrawn = 1 WHERE id = ?1", [previous.0])?;
            record_history(tx, previous.0, Some(&previous), None)?;
            redecide(tx, dataset_id, image, label)?;
            Ok(Some(previous.1))
        })
    }

    /// Every standing vote of a dataset, oldest first.
    pub fn votes(&self, dataset_id: i64) -> Result<Vec<CastVote>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT r.name, v.round, v.image_idx, v.label, v.verdict, v.category, v.severity,
                    v.note, v.cast_at
             FROM votes v JOIN reviewers r ON r.id = v.reviewer_id
             WHERE v.dataset_id = ?1 AND v.withdrawn = 0 ORDER BY v.cast_at, v.id",
        )?;
        let rows = statement.query_map([dataset_id], |row| {
            let round: String = row.get(1)?;
            Ok(CastVote {
                reviewer: row.get(0)?,
                round: Round::parse(&round).unwrap_or(Round::Independent),
                vote: vote_from_columns(row, 2)?,
                cast_at: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many history entries a reviewer's vote on a pair has (the audit trail).
    pub fn vote_history_len(&self, dataset_id: i64, image: u32, label: ClassId) -> Result<usize> {
        let count: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM vote_history h JOIN votes v ON v.id = h.vote_id
             WHERE v.dataset_id = ?1 AND v.image_idx = ?2 AND v.label = ?3",
            params![dataset_id, image, label],
            |row| row.get(0),
        )?;
        Ok(count as usize)
    }
}

/// The reviewer's id, registering the name on first use.
fn reviewer_id(tx: &Transaction, name: &str) -> Result<i64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(crate::error::Error::Usage(
            "a vote needs a reviewer name; set yours first".into(),
        ));
    }
    tx.prepare_cached("INSERT INTO reviewers (name) VALUES (?1) ON CONFLICT (name) DO NOTHING")?
        .execute([name])?;
    Ok(tx
        .prepare_cached("SELECT id FROM reviewers WHERE name = ?1")?
        .query_row([name], |row| row.get(0))?)
}

/// The reviewer's standing (not withdrawn) vote on the pair, with its row id.
fn current_vote(
    tx: &Transaction,
    dataset_id: i64,
    reviewer_id: i64,
    round: Round,
    image: u32,
    label: ClassId,
) -> Result<Option<(i64, Vote)>> {
    Ok(tx
        .prepare_cached(
            "SELECT id, image_idx, label, verdict, category, severity, note FROM votes
             WHERE dataset_id = ?1 AND image_idx = ?2 AND label = ?3 AND reviewer_id = ?4
               AND round = ?5 AND withdrawn = 0",
        )?
        .query_row(
            params![dataset_id, image, label, reviewer_id, round.as_str()],
            |row| Ok((row.get(0)?, vote_from_columns(row, 1)?)),
        )
        .optional()?)
}

/// Reads image, label, verdict, category, severity, note from consecutive columns.
fn vote_from_columns(row: &rusqlite::Row, first: usize) -> rusqlite::Result<Vote> {
    let verdict: String = row.get(first + 2)?;
    let category: Option<String> = row.get(first + 3)?;
    let severity: Option<String> = row.get(first + 4)?;
    Ok(Vote {
        image: row.get(first)?,
        label: row.get(first + 1)?,
        // The schema's CHECK constraints admit only the stored spellings.
        verdict: Verdict::parse(&verdict).unwrap_or(Verdict::Unclear),
        category: category.as_deref().and_then(Category::parse),
        severity: severity.as_deref().and_then(Severity::parse),
        note: row.get(first + 5)?,
    })
}

fn detail(vote: &Vote) -> String {
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(vote.category.map(Category::as_str));
    parts.extend(vote.severity.map(Severity::as_str));
    if !vote.note.is_empty() {
        parts.push(&vote.note);
    }
    parts.join("; ")
}

/// Appends old → new to the vote's audit history; a withdrawal's new verdict is "withdrawn".
fn record_history(
    tx: &Transaction,
    vote_id: i64,
    old: Option<&(i64, Vote)>,
    new: Option<&Vote>,
) -> Result<()> {
    let old = old.map(|(_, vote)| vote);
    tx.prepare_cached(&format!(
        "INSERT INTO vote_history (vote_id, old_verdict, new_verdict, old_detail, new_detail,
                                   changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, {NOW})"
    ))?
    .execute(params![
        vote_id,
        old.map(|v| v.verdict.as_str()),
        new.map_or("withdrawn", |v| v.verdict.as_str()),
        old.map(detail),
        new.map(detail)
    ])?;
    Ok(())
}

/// Decides the pair again from its standing votes: a reviewer's discussion vote supersedes
/// their independent one. Without votes, a decision the panel had made is removed (an
/// imported decision is left alone).
fn redecide(tx: &Transaction, dataset_id: i64, image: u32, label: ClassId) -> Result<()> {
    let mut statement = tx.prepare_cached(
        "SELECT v.image_idx, v.label, v.verdict, v.category, v.severity, v.note
         FROM votes v
         WHERE v.dataset_id = ?1 AND v.image_idx = ?2 AND v.label = ?3 AND v.withdrawn = 0
           AND (v.round = 'discussion' OR NOT EXISTS (
                SELECT 1 FROM votes d WHERE d.dataset_id = v.dataset_id
                  AND d.image_idx = v.image_idx AND d.label = v.label
                  AND d.reviewer_id = v.reviewer_id AND d.round = 'discussion'
                  AND d.withdrawn = 0))",
    )?;
    let votes = statement
        .query_map(params![dataset_id, image, label], |row| {
            vote_from_columns(row, 0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    match decide(&votes.iter().collect::<Vec<_>>()) {
        Some(decision) => upsert_decision(tx, dataset_id, &decision),
        None => {
            tx.execute(
                "DELETE FROM decisions WHERE dataset_id = ?1 AND image_idx = ?2 AND label = ?3
                 AND source = ?4",
                params![dataset_id, image, label, PANEL],
            )?;
            Ok(())
        }
    }
}
