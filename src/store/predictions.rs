//! Predictions, columnar: one record per (model, dataset).

use super::blob::{LittleEndian, le_bytes, read_blob};
use super::{DatasetInfo, Project};
use crate::data::TopK;
use crate::error::{Error, Result};
use crate::vocab::ClassId;
use rusqlite::{OptionalExtension, Transaction, params};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
                k: usize::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
                has_scores: row.get(3)?,
                has_uncertainty: row.get(4)?,
                origin: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The predictions of a model; scores and uncertainties only when asked for, because the
    /// metrics need class ids alone and scores triple the memory. The record's shape is checked
    /// against its blobs' sizes before any is read, and the class ids against the vocabulary: a
    /// damaged record is named, never read. Each blob is read straight into its column, one
    /// copy from the file's pages (a row read would copy it into a buffer of SQLite's first).
    pub fn predictions(&self, model_id: i64, dataset_id: i64, with_scores: bool) -> Result<TopK> {
        let record = self
            .conn()
            .prepare_cached(
                "SELECT p.rowid, m.name, p.origin, p.top_k, p.num_images,
                        typeof(p.class_ids), length(p.class_ids), typeof(p.scores), length(p.scores),
                        typeof(p.max_softmax), length(p.max_softmax),
                        typeof(p.entropy), length(p.entropy)
                 FROM predictions p JOIN models m ON m.id = p.model_id
                 WHERE p.model_id = ?1 AND p.dataset_id = ?2",
            )?
            .query_row(params![model_id, dataset_id], Record::of_row)
            .optional()?
            .ok_or_else(|| Error::Usage(format!("model {model_id} has no predictions here")))?;
        let damaged = |problem| self.damaged_predictions(&record.model, &record.origin, problem);
        let (k, images) = record.check(with_scores).map_err(damaged)?;
        let class_ids: Vec<ClassId> = record.read(self, 0, images * k)?;
        check_classes(&class_ids, k, self.vocab().len()).map_err(damaged)?;
        let optional = |column: usize, count: usize| match record.columns[column] {
            Stored::Bytes(_) if with_scores => record.read(self, column, count).map(Some),
            _ => Ok(None),
        };
        Ok(TopK {
            k,
            class_ids,
            scores: optional(1, images * k)?,
            max_softmax: optional(2, images)?,
            entropy: optional(3, images)?,
        })
    }

    /// Each model's predictions on the dataset, handed to `work` as they are read, on every
    /// core; the results in the order of `models`. Each worker reads through a connection of
    /// its own and works on a model's predictions while they are still in cache, so reading
    /// and scoring 67 models overlap, and no more than one model per core is ever held.
    /// Predictions that do not cover every image of the dataset are damaged, and named.
    pub fn map_predictions<T: Send>(
        &self,
        dataset: &DatasetInfo,
        models: &[ModelInfo],
        with_scores: bool,
        work: impl Fn(&ModelInfo, TopK) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let helpers = (1..workers.min(models.len()))
            .map(|_| self.reader())
            .collect::<Result<Vec<_>>>()?;
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let drain = |project: &Project| -> Result<Vec<(usize, T)>> {
            let mut done = Vec::new();
            while !failed.load(Ordering::Relaxed) {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(model) = models.get(index) else {
                    break;
                };
                let outcome = project
                    .predictions(model.id, dataset.id, with_scores)
                    .and_then(|predictions| project.covering(dataset, model, predictions))
                    .and_then(|predictions| work(model, predictions));
                match outcome {
                    Ok(result) => done.push((index, result)),
                    Err(error) => {
                        failed.store(true, Ordering::Relaxed);
                        return Err(error);
                    }
                }
            }
            Ok(done)
        };
        let mut results = std::thread::scope(|scope| {
            let spawned: Vec<_> = (helpers.into_iter())
                .map(|helper| scope.spawn(move || drain(&helper)))
                .collect();
            let mut results = drain(self)?;
            for worker in spawned {
                match worker.join() {
                    Ok(done) => results.extend(done?),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Ok::<_, Error>(results)
        })?;
        results.sort_unstable_by_key(|(index, _)| *index);
        Ok(results.into_iter().map(|(_, result)| result).collect())
    }

    fn covering(
        &self,
        dataset: &DatasetInfo,
        model: &ModelInfo,
        predictions: TopK,
    ) -> Result<TopK> {
        if predictions.num_images() == dataset.num_images {
            return Ok(predictions);
        }
        let problem = format!(
            "they cover {} images, but dataset {:?} has {} images",
            predictions.num_images(),
            dataset.name,
            dataset.num_images
        );
        Err(self.damaged_predictions(&model.name, &model.origin, problem))
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

/// The blob columns of a prediction record, in the order [`Record::columns`] holds them.
const COLUMNS: [&str; 4] = ["class_ids", "scores", "max_softmax", "entropy"];

/// A blob column as the record's query sees it: its type and size, its content not yet read.
enum Stored {
    Bytes(usize),
    Missing,
    /// Text or a number where a blob belongs: written by something other than bagel.
    NotBytes,
}

/// A prediction record before its blobs are read.
struct Record {
    rowid: i64,
    model: String,
    origin: String,
    shape: (i64, i64),
    columns: [Stored; 4],
}

impl Record {
    fn of_row(row: &rusqlite::Row) -> rusqlite::Result<Self> {
        let stored = |column: usize| -> rusqlite::Result<Stored> {
            let kind: String = row.get(column)?;
            Ok(match kind.as_str() {
                "blob" => match usize::try_from(row.get::<_, i64>(column + 1)?) {
                    Ok(bytes) => Stored::Bytes(bytes),
                    Err(_) => Stored::NotBytes,
                },
                "null" => Stored::Missing,
                _ => Stored::NotBytes,
            })
        };
        Ok(Record {
            rowid: row.get(0)?,
            model: row.get(1)?,
            origin: row.get(2)?,
            shape: (row.get(3)?, row.get(4)?),
            columns: [stored(5)?, stored(7)?, stored(9)?, stored(11)?],
        })
    }

    /// The `count` values of a blob column, checked by [`Record::check`].
    fn read<T: LittleEndian>(
        &self,
        project: &Project,
        column: usize,
        count: usize,
    ) -> rusqlite::Result<Vec<T>> {
        let conn = project.conn();
        read_blob(conn, "predictions", COLUMNS[column], self.rowid, count)
    }

    /// (k, images) when every blob to be read is the size the shape says; otherwise what is
    /// wrong. Scores and uncertainties are checked only when they are to be read.
    fn check(&self, with_scores: bool) -> std::result::Result<(usize, usize), String> {
        let (k, images) = self.shape;
        let shape_error = || format!("its shape reads {images} images × top-{k}");
        let (Ok(k), Ok(images)) = (usize::try_from(k), usize::try_from(images)) else {
            return Err(shape_error());
        };
        // A shape no file can hold (a hand edit) is refused before anything is multiplied out.
        let values = (k > 0).then(|| images.checked_mul(k)).flatten();
        let Some(values) = values.filter(|v| v.checked_mul(4).is_some()) else {
            return Err(shape_error());
        };
        let expect = |column: usize, count: usize, width: usize| match self.columns[column] {
            Stored::Bytes(bytes) if Some(bytes) == count.checked_mul(width) => Ok(()),
            Stored::Bytes(bytes) => Err(format!(
                "{} holds {bytes} bytes where {images} images × top-{k} need {}",
                COLUMNS[column],
                count.saturating_mul(width)
            )),
            Stored::Missing if column > 0 => Ok(()),
            Stored::Missing => Err(format!("{} is missing", COLUMNS[column])),
            Stored::NotBytes => Err(format!("{} is not a blob", COLUMNS[column])),
        };
        expect(0, values, 2)?;
        if with_scores {
            expect(1, values, 4)?;
            expect(2, images, 4)?;
            expect(3, images, 4)?;
        }
        Ok((k, images))
    }
}

/// Every class id within the vocabulary; otherwise where the largest one is.
fn check_classes(
    class_ids: &[ClassId],
    k: usize,
    classes: usize,
) -> std::result::Result<(), String> {
    // A fold rather than `max()`: it compiles to vector instructions, and this reads every
    // prediction of every model on each load.
    let largest = class_ids
        .iter()
        .fold(0, |largest: ClassId, &id| largest.max(id));
    match (!class_ids.is_empty() && largest as usize >= classes).then_some(largest) {
        Some(id) => {
            let at = class_ids.iter().position(|&c| c == id).unwrap_or_default();
            Err(format!(
                "image {}, rank {}: class id {id}, but the vocabulary has {classes} classes",
                at / k,
                at % k + 1
            ))
        }
        None => Ok(()),
    }
}

/// Stores a model's predictions; the model row is created when new. An existing record for
/// the same (model, dataset) is an error unless `replace`.
/// Stores prediction files one by one inside one large transaction (see
/// [`Project::write_predictions`]).
pub struct PredictionWriter<'a>(&'a Transaction<'a>);

impl PredictionWriter<'_> {
    /// Stores a model's predictions on a dataset; `replace` overwrites earlier ones.
    pub fn insert(
        &self,
        model: &str,
        dataset_id: i64,
        predictions: &TopK,
        origin: &str,
        replace: bool,
    ) -> Result<()> {
        insert_predictions(self.0, model, dataset_id, predictions, origin, replace)
    }
}

impl Project {
    /// Runs `work` in one large transaction that writes predictions (files may arrive while
    /// it runs): all of them are stored, or none.
    pub fn write_predictions<T>(
        &mut self,
        work: impl FnOnce(&PredictionWriter) -> Result<T>,
    ) -> Result<T> {
        self.write_large(|tx| work(&PredictionWriter(tx)))
    }
}

fn insert_predictions(
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
    tx.execute(
        "INSERT INTO predictions
           (model_id, dataset_id, top_k, num_images, class_ids, scores, max_softmax, entropy, origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            model_id,
            dataset_id,
            predictions.k as i64,
            predictions.num_images() as i64,
            le_bytes(&predictions.class_ids),
            predictions.scores.as_deref().map(le_bytes),
            predictions.max_softmax.as_deref().map(le_bytes),
            predictions.entropy.as_deref().map(le_bytes),
            origin
        ],
    )?;
    Ok(())
}
