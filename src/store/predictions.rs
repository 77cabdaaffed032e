//! Predictions, columnar: one record per (model, dataset).

use super::Project;
use super::blob::{Blob, pack_f32, pack_u16, unpack_f32, unpack_u16};
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
    /// The file the predictions were imported from.
    pub origin: String,
}

impl Project {
    /// Models with predictions on the dataset, in name order.
    pub fn models(&self, dataset_id: i64) -> Result<Vec<ModelInfo>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT m.id, m.name, p.top_k, p.scores IS NOT NULL, p.max_softmax IS NOT NULL,
                    p.origin
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
                origin: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The predictions of a model; scores and uncertainties only when asked for, because the
    /// metrics need class ids alone and scores triple the memory. The blobs are checked
    /// against the record's shape and the vocabulary: a damaged record is named, never read.
    pub fn predictions(&self, model_id: i64, dataset_id: i64, with_scores: bool) -> Result<TopK> {
        let sql = if with_scores {
            "SELECT m.name, p.top_k, p.num_images, p.class_ids, p.scores, p.max_softmax, p.entropy,
                    p.origin
             FROM predictions p JOIN models m ON m.id = p.model_id
             WHERE p.model_id = ?1 AND p.dataset_id = ?2"
        } else {
            "SELECT m.name, p.top_k, p.num_images, p.class_ids, NULL, NULL, NULL, p.origin
             FROM predictions p JOIN models m ON m.id = p.model_id
             WHERE p.model_id = ?1 AND p.dataset_id = ?2"
        };
        let classes = self.vocab().len();
        let read = self
            .conn()
            .prepare_cached(sql)?
            .query_row(params![model_id, dataset_id], |row| {
                let model: (String, String) = (row.get(0)?, row.get(7)?);
                let shape = (row.get::<_, i64>(1)?, row.get::<_, i64>(2)?);
                let blob = |column| Blob::of(row.get_ref(column)?);
                let blobs = [blob(3)?, blob(4)?, blob(5)?, blob(6)?];
                Ok(decode(shape, blobs, classes).map_err(|problem| (model, problem)))
            })
            .optional()?
            .ok_or_else(|| Error::Usage(format!("model {model_id} has no predictions here")))?;
        read.map_err(|((name, origin), problem)| self.damaged_predictions(&name, &origin, problem))
    }

    /// The error for a model's damaged prediction record, with how to repair it.
    pub fn damaged_predictions(&self, model: &str, origin: &str, problem: String) -> Error {
        Error::Damaged {
            path: self.path().to_path_buf(),
            what: format!("the predictions of model {model:?}"),
            problem,
            fix: format!(
                "import them again with `bagel import predictions --model {model} --replace` (from {origin})"
            ),
        }
    }
}

/// The record's class ids, scores and uncertainties, each the length its shape says, every
/// class id within the vocabulary; otherwise what is wrong.
fn decode(
    (k, images): (i64, i64),
    [class_ids, scores, max_softmax, entropy]: [Blob; 4],
    classes: usize,
) -> std::result::Result<TopK, String> {
    if k <= 0 || images < 0 {
        return Err(format!("its shape reads {images} images × top-{k}"));
    }
    let (k, images) = (k as usize, images as usize);
    let expect = |blob: &Blob, name: &str, count: usize, width: usize| match blob {
        Blob::Bytes(bytes) if bytes.len() == count * width => Ok(()),
        Blob::Bytes(bytes) => Err(format!(
            "{name} holds {} bytes where {images} images × top-{k} need {}",
            bytes.len(),
            count * width
        )),
        Blob::Missing => Err(format!("{name} is missing")),
        Blob::NotBytes => Err(format!("{name} is not a blob")),
    };
    expect(&class_ids, "class_ids", images * k, 2)?;
    let class_ids = unpack_u16(class_ids.bytes());
    if let Some(&id) = class_ids.iter().max().filter(|&&id| id as usize >= classes) {
        let at = class_ids.iter().position(|&c| c == id).unwrap_or_default();
        return Err(format!(
            "image {}, rank {}: class id {id}, but the vocabulary has {classes} classes",
            at / k,
            at % k + 1
        ));
    }
    let optional = |blob: Blob, name: &str, count: usize| match blob {
        Blob::Missing => Ok(None),
        blob => expect(&blob, name, count, 4).map(|()| Some(unpack_f32(blob.bytes()))),
    };
    Ok(TopK {
        k,
        class_ids,
        scores: optional(scores, "scores", images * k)?,
        max_softmax: optional(max_softmax, "max_softmax", images)?,
        entropy: optional(entropy, "entropy", images)?,
    })
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
