//! Predictions, columnar: one record per (model, dataset).

use super::Project;
use super::blob::{pack_f32, pack_u16, unpack_f32, unpack_u16};
use crate::data::TopK;
use crate::error::{Error, Result};
use rusqlite::{OptionalExtension, Transaction, params};

#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    pub id: i64,
    pub name: String,
    pub k: usize,
    pub has_scores: bool,
    pub has_uncertainty: bool,
}

impl Project {
    /// Models with predictions on the dataset, in name order.
    pub fn models(&self, dataset_id: i64) -> Result<Vec<ModelInfo>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT m.id, m.name, p.top_k, p.scores IS NOT NULL, p.max_softmax IS NOT NULL
             FROM predictions p JOIN models m ON m.id = p.model_id
             WHERE p.dataset_id = ?1 ORDER BY m.name",
        )?;
        let rows = statement.query_map([dataset_id], |row| {
            Ok(ModelInfo {
                id: row.get(0)?,
                name: row.get(1)?,
                k: row.get::<_, i64>(2)? as usize,
                has_scores: row.get(3)?,
                has_uncertainty: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The predictions of a model; scores and uncertainties only when asked for, because the
    /// metrics need class ids alone and scores triple the memory.
    pub fn predictions(&self, model_id: i64, dataset_id: i64, with_scores: bool) -> Result<TopK> {
        let sql = if with_scores {
            "SELECT top_k, class_ids, scores, max_softmax, entropy FROM predictions
             WHERE model_id = ?1 AND dataset_id = ?2"
        } else {
            "SELECT top_k, class_ids, NULL, NULL, NULL FROM predictions
             WHERE model_id = ?1 AND dataset_id = ?2"
        };
        let unpack = |bytes: Option<Vec<u8>>| bytes.map(|b| unpack_f32(&b));
        self.conn()
            .prepare_cached(sql)?
            .query_row(params![model_id, dataset_id], |row| {
                Ok(TopK {
                    k: row.get::<_, i64>(0)? as usize,
                    class_ids: unpack_u16(&row.get::<_, Vec<u8>>(1)?),
                    scores: unpack(row.get(2)?),
                    max_softmax: unpack(row.get(3)?),
                    entropy: unpack(row.get(4)?),
                })
            })
            .optional()?
            .ok_or_else(|| Error::Usage(format!("model {model_id} has no predictions here")))
    }
}

/// Stores a model's predictions; the model row is created when new. An existing record for
/// the same (model, dataset) is an error unless `replace`.
pub(crate) fn insert_predictions(
    tx: &Transaction,
    model: &str,
    dataset_id: i64,
    predictions: &TopK,
    origin: &str,
    replace: bool,
) -> Result<()> {
    tx.execute("INSERT OR IGNORE INTO models (name) VALUES (?1)", [model])?;
    let model_id: i64 = tx.query_row("SELECT id FROM models WHERE name = ?1", [model], |row| {
        row.get(0)
    })?;
    let existing: Option<i64> = tx
        .query_row(
            "SELECT model_id FROM predictions WHERE model_id = ?1 AND dataset_id = ?2",
            params![model_id, dataset_id],
            |row| row.get(0),
        )
        .optional()?;
    if existing.is_some() {
        if !replace {
            return Err(Error::bad_input(
                origin,
                format!(
                    "model {model:?} already has predictions for this dataset; choose another --model name, or pass --replace"
                ),
            ));
        }
        tx.execute(
            "DELETE FROM predictions WHERE model_id = ?1 AND dataset_id = ?2",
            params![model_id, dataset_id],
        )?;
    }
    let pack = |values: &Option<Vec<f32>>| values.as_deref().map(pack_f32);
    tx.execute(
        "INSERT INTO predictions
           (model_id, dataset_id, top_k, num_images, class_ids, scores, max_softmax, entropy, origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            model_id,
            dataset_id,
            predictions.k as i64,
            predictions.num_images() as i64,
            pack_u16(&predictions.class_ids),
            pack(&predictions.scores),
            pack(&predictions.max_softmax),
            pack(&predictions.entropy),
            origin
        ],
    )?;
    Ok(())
}
