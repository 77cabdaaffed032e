//! Decisions on (image, label) pairs and named image slices. Each kind of decision (panel,
//! imported review, aggregation) keeps its own row; readers see the strongest per pair.

use super::Project;
use super::blob::{pack_u32, unpack_u32};
use crate::error::{Error, Result};
use crate::verdict::{Category, Decision, DecisionKind, DecisionSource, Severity, Verdict};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::collections::BTreeSet;

impl Project {
    /// The decision standing on each decided pair: the strongest kind.
    pub fn decisions(&self, dataset_id: i64) -> Result<Vec<Decision>> {
        self.decisions_where(dataset_id, None, None)
    }

    /// What stands beneath the panel on each pair, on one image or all: the strongest decision
    /// of another kind (an imported review's, an aggregation's).
    pub fn decisions_beneath_panel(
        &self,
        dataset_id: i64,
        image: Option<u32>,
    ) -> Result<Vec<Decision>> {
        let kinds = [DecisionKind::Review, DecisionKind::Aggregate];
        let mut beneath: Vec<Decision> = Vec::new();
        for kind in kinds {
            for decision in self.decisions_where(dataset_id, image, Some(kind))? {
                let pair = (decision.image, decision.label);
                if !beneath.iter().any(|d| (d.image, d.label) == pair) {
                    beneath.push(decision);
                }
            }
        }
        beneath.sort_by_key(|d| (d.image, d.label));
        Ok(beneath)
    }

    /// The decisions on one image's labels (what the live metrics re-read after a vote).
    pub fn decisions_of_image(&self, dataset_id: i64, image: u32) -> Result<Vec<Decision>> {
        self.decisions_where(dataset_id, Some(image), None)
    }

    /// Every decision of one kind, whether or not a stronger one stands over it.
    pub fn decisions_of_kind(&self, dataset_id: i64, kind: DecisionKind) -> Result<Vec<Decision>> {
        self.decisions_where(dataset_id, None, Some(kind))
    }

    /// The images with a decision of one kind (what an aggregation that replaces them all
    /// changes).
    pub fn decided_images(&self, dataset_id: i64, kind: DecisionKind) -> Result<BTreeSet<u32>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT DISTINCT image_idx FROM decisions WHERE dataset_id = ?1 AND kind = ?2",
        )?;
        let rows = statement.query_map(params![dataset_id, kind.as_str()], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The aggregator's posterior that a pair's label is valid, where one was stored.
    pub fn posterior(&self, dataset_id: i64, image: u32, label: u16) -> Result<Option<f64>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT posterior FROM decisions WHERE dataset_id = ?1 AND image_idx = ?2
                 AND label = ?3 AND kind = 'aggregate'",
            )?
            .query_row(params![dataset_id, image, label], |row| row.get(0))
            .optional()?
            .flatten())
    }

    fn decisions_where(
        &self,
        dataset_id: i64,
        image: Option<u32>,
        kind: Option<DecisionKind>,
    ) -> Result<Vec<Decision>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT image_idx, label, verdict, category, severity, severity_word, source, reason
             FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY image_idx, label ORDER BY
                     CASE kind WHEN 'panel' THEN 3 WHEN 'review' THEN 2 ELSE 1 END DESC) AS rank
                   FROM decisions WHERE dataset_id = ?1 AND (?2 IS NULL OR image_idx = ?2)
                     AND (?3 IS NULL OR kind = ?3))
             WHERE rank = 1 ORDER BY image_idx, label",
        )?;
        let rows = statement.query_map(
            params![dataset_id, image, kind.map(DecisionKind::as_str)],
            decision_from_row,
        )?;
        let classes = self.vocab().len();
        let images: i64 = (self.conn())
            .prepare_cached("SELECT COALESCE(length(labels), 0) / 4 FROM datasets WHERE id = ?1")?
            .query_row([dataset_id], |row| row.get(0))
            .optional()?
            .unwrap_or(0);
        let decisions: Vec<Decision> = rows.collect::<rusqlite::Result<_>>()?;
        let outside = |d: &Decision| {
            (usize::from(d.label) >= classes)
                .then(|| {
                    format!(
                        "label {}, but the vocabulary has {classes} classes",
                        d.label
                    )
                })
                .or_else(|| {
                    (i64::from(d.image) >= images)
                        .then(|| format!("image {}, but the dataset has {images} images", d.image))
                })
        };
        match decisions.iter().find_map(|d| Some((d, outside(d)?))) {
            Some((d, problem)) => Err(Error::Damaged {
                path: self.path().to_path_buf(),
                what: format!("the decision on image {}", d.image),
                problem,
                fix: "remove that row from the decisions table, then vote on the pair again".into(),
            }),
            None => Ok(decisions),
        }
    }

    /// Names of the dataset's image slices.
    pub fn slice_names(&self, dataset_id: i64) -> Result<Vec<String>> {
        let mut statement = self
            .conn()
            .prepare_cached("SELECT name FROM slices WHERE dataset_id = ?1 ORDER BY name")?;
        let rows = statement.query_map([dataset_id], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A slice's images, each once, in order. The stored blob is someone's data: its size is
    /// checked before it is read (a slice holds at most every image once), then each entry.
    pub fn slice(&self, dataset_id: i64, name: &str) -> Result<Option<Vec<u32>>> {
        let stored: Option<(String, i64, i64)> = self
            .conn()
            .prepare_cached(
                "SELECT typeof(images), COALESCE(length(images), 0),
                        (SELECT COALESCE(MAX(idx) + 1, 0) FROM images WHERE dataset_id = ?1)
                 FROM slices WHERE dataset_id = ?1 AND name = ?2",
            )?
            .query_row(params![dataset_id, name], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        let Some((kind, bytes, images)) = stored else {
            return Ok(None);
        };
        let damaged = |problem: String| Error::Damaged {
            path: self.path().to_path_buf(),
            what: format!("slice {name:?}"),
            problem,
            fix: format!(
                "store the slice again (`bagel slice {} --name {name} ...`)",
                self.path().display()
            ),
        };
        if kind != "blob" || bytes % 4 != 0 || bytes > 4 * images {
            return Err(damaged(format!(
                "it is {kind} of {bytes} bytes, where bagel stores 4 bytes for each of at most {images} images"
            )));
        }
        let blob: Vec<u8> = self
            .conn()
            .prepare_cached("SELECT images FROM slices WHERE dataset_id = ?1 AND name = ?2")?
            .query_row(params![dataset_id, name], |row| row.get(0))?;
        let mut members = unpack_u32(&blob);
        if let Some(beyond) = members.iter().find(|&&image| i64::from(image) >= images) {
            return Err(damaged(format!(
                "it lists image {beyond}, but the dataset has {images} images"
            )));
        }
        members.sort_unstable();
        members.dedup();
        Ok(Some(members))
    }
}

/// One pair's decision of one kind, if stored.
pub(super) fn decision_of_kind(
    conn: &Connection,
    dataset_id: i64,
    image: u32,
    label: u16,
    kind: DecisionKind,
) -> Result<Option<Decision>> {
    Ok(conn
        .prepare_cached(
            "SELECT image_idx, label, verdict, category, severity, severity_word, source, reason
             FROM decisions WHERE dataset_id = ?1 AND image_idx = ?2 AND label = ?3
               AND kind = ?4",
        )?
        .query_row(
            params![dataset_id, image, label, kind.as_str()],
            decision_from_row,
        )
        .optional()?)
}

/// Every stored decision of one kind on a dataset, in a transaction's view.
pub(super) fn decisions_of_kind_in(
    conn: &Connection,
    dataset_id: i64,
    kind: DecisionKind,
) -> Result<Vec<Decision>> {
    let mut statement = conn.prepare_cached(
        "SELECT image_idx, label, verdict, category, severity, severity_word, source, reason
         FROM decisions WHERE dataset_id = ?1 AND kind = ?2 ORDER BY image_idx, label",
    )?;
    let rows = statement.query_map(params![dataset_id, kind.as_str()], decision_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reads image, label, verdict, category, severity, severity word, source, reason.
fn decision_from_row(row: &rusqlite::Row) -> rusqlite::Result<Decision> {
    let verdict: String = row.get(2)?;
    let category: Option<String> = row.get(3)?;
    let severity: Option<String> = row.get(4)?;
    Ok(Decision {
        image: row.get(0)?,
        label: row.get(1)?,
        // The schema's CHECK constraints admit only the stored spellings.
        verdict: Verdict::parse(&verdict).unwrap_or(Verdict::Unclear),
        category: category.as_deref().and_then(Category::parse),
        severity: severity.as_deref().and_then(Severity::parse),
        severity_word: row.get(5)?,
        source: DecisionSource::parse(&row.get::<_, String>(6)?),
        reason: row.get(7)?,
    })
}

/// Stores a pair's decision of one kind, replacing that kind's earlier one.
pub(super) fn put_decision(
    tx: &Connection,
    dataset_id: i64,
    kind: DecisionKind,
    decision: &Decision,
    posterior: Option<f64>,
) -> Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO decisions (dataset_id, image_idx, label, kind, verdict, category, severity,
                                severity_word, source, reason, posterior, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (dataset_id, image_idx, label, kind) DO UPDATE SET
           verdict = excluded.verdict, category = excluded.category,
           severity = excluded.severity, severity_word = excluded.severity_word,
           source = excluded.source, reason = excluded.reason, posterior = excluded.posterior,
           decided_at = excluded.decided_at",
    )?;
    let decided_at = now(tx)?;
    execute_decision(
        &mut upsert,
        (dataset_id, kind, posterior, &decided_at),
        decision,
    )
}

/// The time a decision is stored at, as the file keeps it.
fn now(tx: &Connection) -> rusqlite::Result<String> {
    tx.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')", [], |row| {
        row.get(0)
    })
}

/// Runs an INSERT of the decisions table's twelve columns for one decision: (dataset id, kind,
/// posterior, decided at) and the decision's own fields.
fn execute_decision(
    statement: &mut rusqlite::CachedStatement,
    (dataset_id, kind, posterior, decided_at): (i64, DecisionKind, Option<f64>, &str),
    decision: &Decision,
) -> Result<()> {
    statement.execute(params![
        dataset_id,
        decision.image,
        decision.label,
        kind.as_str(),
        decision.verdict.as_str(),
        decision.category.map(Category::as_str),
        decision.severity.map(Severity::as_str),
        decision.severity_word,
        decision.source.to_string(),
        decision.reason,
        posterior,
        decided_at
    ])?;
    Ok(())
}

/// Replaces every decision of one kind on a dataset with `decisions` (each with its
/// posterior), all stamped with one time: what an aggregation writes, 185,000 rows for ReaL,
/// through one prepared plain INSERT.
pub(super) fn replace_decisions_of_kind(
    tx: &Connection,
    dataset_id: i64,
    kind: DecisionKind,
    decisions: &[(Decision, Option<f64>)],
) -> Result<()> {
    tx.execute(
        "DELETE FROM decisions WHERE dataset_id = ?1 AND kind = ?2",
        params![dataset_id, kind.as_str()],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO decisions (dataset_id, image_idx, label, kind, verdict, category, severity,
                                severity_word, source, reason, posterior, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    let decided_at = now(tx)?;
    for (decision, posterior) in decisions {
        let row = (dataset_id, kind, *posterior, decided_at.as_str());
        execute_decision(&mut insert, row, decision)?;
    }
    Ok(())
}

/// Removes a pair's decision of one kind (the next kind down, if any, stands again).
pub(super) fn remove_decision(
    tx: &Connection,
    dataset_id: i64,
    kind: DecisionKind,
    image: u32,
    label: u16,
) -> Result<()> {
    tx.prepare_cached(
        "DELETE FROM decisions WHERE dataset_id = ?1 AND image_idx = ?2 AND label = ?3
         AND kind = ?4",
    )?
    .execute(params![dataset_id, image, label, kind.as_str()])?;
    Ok(())
}

/// The words a report adds when a new slice took the name of one stored before: the user
/// may not have meant to lose it.
pub fn replaced_slice_note(replaced: Option<&str>) -> String {
    replaced.map_or(String::new(), |origin| {
        format!("; it replaces the slice of that name made from {origin}")
    })
}

/// Stores a slice, a set of images: each once, in order. An existing slice of that name is
/// replaced (slices are recomputed freely); returns how the replaced one was made.
pub(crate) fn save_slice(
    tx: &Transaction,
    dataset_id: i64,
    name: &str,
    images: &[u32],
    origin: &str,
) -> Result<Option<String>> {
    let name = crate::names::clean_name("slice", name)?;
    let mut images = images.to_vec();
    images.sort_unstable();
    images.dedup();
    let replaced = tx
        .query_row(
            "SELECT origin FROM slices WHERE dataset_id = ?1 AND name = ?2",
            params![dataset_id, name],
            |row| row.get(0),
        )
        .optional()?;
    tx.execute(
        "INSERT INTO slices (dataset_id, name, images, origin) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (dataset_id, name) DO UPDATE SET images = excluded.images, origin = excluded.origin",
        params![dataset_id, name, pack_u32(&images), origin],
    )?;
    Ok(replaced)
}
