//! Reviews of one model's mistakes, as imported (imagenet-mistakes): what the model predicted
//! on each reviewed image, with the category and severity the reviewers gave.

use super::Project;
use crate::error::Result;
use crate::verdict::ReviewRecord;
use crate::verdict::{Category, Severity};
use rusqlite::{Connection, params};

/// A model's reviewed mistake on one image of a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedMistake {
    pub image: u32,
    pub record: ReviewRecord,
}

/// The model's id, registering the name on first use.
pub(super) fn model_id(conn: &Connection, model: &str) -> Result<i64> {
    conn.execute("INSERT OR IGNORE INTO models (name) VALUES (?1)", [model])?;
    Ok(
        conn.query_row("SELECT id FROM models WHERE name = ?1", [model], |row| {
            row.get(0)
        })?,
    )
}

/// Replaces a model's reviewed mistakes on a dataset.
pub(super) fn put_model_review(
    conn: &Connection,
    model_id: i64,
    dataset_id: i64,
    source: &str,
    mistakes: &[(u32, &ReviewRecord)],
) -> Result<()> {
    conn.execute(
        "DELETE FROM model_reviews WHERE model_id = ?1 AND dataset_id = ?2",
        params![model_id, dataset_id],
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO model_reviews (model_id, dataset_id, image_idx, label, category, severity,
                                    severity_word, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (image, record) in mistakes {
        insert.execute(params![
            model_id,
            dataset_id,
            image,
            record.top_prediction,
            record.category.as_str(),
            record.severity.as_str(),
            record.severity_word,
            source
        ])?;
    }
    Ok(())
}

impl Project {
    /// The models with an imported review on the dataset, by name.
    pub fn reviewed_models(&self, dataset_id: i64) -> Result<Vec<String>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT DISTINCT m.name FROM model_reviews r JOIN models m ON m.id = r.model_id
             WHERE r.dataset_id = ?1 ORDER BY m.name",
        )?;
        let rows = statement.query_map([dataset_id], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A model's imported review on a dataset, by image.
    pub fn model_review(&self, dataset_id: i64, model: &str) -> Result<Vec<ReviewedMistake>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT r.image_idx, i.file, r.label, r.category, r.severity, r.severity_word
             FROM model_reviews r JOIN models m ON m.id = r.model_id
             JOIN images i ON i.dataset_id = r.dataset_id AND i.idx = r.image_idx
             WHERE r.dataset_id = ?1 AND m.name = ?2 ORDER BY r.image_idx",
        )?;
        let rows = statement.query_map(params![dataset_id, model], |row| {
            let category: String = row.get(3)?;
            let severity: String = row.get(4)?;
            Ok(ReviewedMistake {
                image: row.get(0)?,
                record: ReviewRecord {
                    file: row.get(1)?,
                    top_prediction: row.get(2)?,
                    // The schema's CHECK constraints admit only the stored spellings.
                    category: Category::parse(&category).unwrap_or(Category::FineGrained),
                    severity: Severity::parse(&severity).unwrap_or(Severity::Minor),
                    severity_word: row.get(5)?,
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
