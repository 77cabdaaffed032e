//! Label sources: per image correct / unclear / wrong lists and a problematic flag.

use super::Project;
use super::blob::{Blob, pack_u16, unpack_u16};
use crate::data::{ImageLabels, LabelEntry, LabelKind};
use crate::error::{Error, Result};
use crate::vocab::ClassId;
use rusqlite::{OptionalExtension, Transaction, params};

#[derive(Debug, Clone, PartialEq)]
pub struct LabelSourceInfo {
    pub id: i64,
    pub name: String,
    pub kind: LabelKind,
    pub origin: String,
    pub num_labeled: usize,
}

impl Project {
    /// The dataset's label sources, oldest first.
    pub fn label_sources(&self, dataset_id: i64) -> Result<Vec<LabelSourceInfo>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT s.id, s.name, s.kind, s.origin,
                    (SELECT COUNT(*) FROM image_labels l WHERE l.source_id = s.id)
             FROM label_sources s WHERE s.dataset_id = ?1 ORDER BY s.id",
        )?;
        let rows = statement.query_map([dataset_id], |row| {
            let kind: String = row.get(2)?;
            Ok(LabelSourceInfo {
                id: row.get(0)?,
                name: row.get(1)?,
                kind: LabelKind::parse(&kind).unwrap_or(LabelKind::MultiLabel),
                origin: row.get(3)?,
                num_labeled: row.get::<_, i64>(4)? as usize,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest label source of a kind, or the one named.
    pub fn label_source(
        &self,
        dataset_id: i64,
        kind: LabelKind,
        name: Option<&str>,
    ) -> Result<Option<LabelSourceInfo>> {
        let sources = self.label_sources(dataset_id)?;
        match name {
            Some(name) => {
                let found = sources
                    .into_iter()
                    .find(|s| s.name == name && s.kind == kind);
                found.map(Some).ok_or_else(|| {
                    Error::Usage(format!(
                        "no {} label source named {name:?}; `bagel info` lists them",
                        kind.as_str()
                    ))
                })
            }
            None => Ok(sources.into_iter().rev().find(|s| s.kind == kind)),
        }
    }

    /// The source's labels over a dataset of `num_images`; every list is checked (whole u16s,
    /// each a class of the vocabulary), and a damaged one is named, never read.
    pub fn image_labels(&self, source: &LabelSourceInfo, num_images: usize) -> Result<ImageLabels> {
        let mut statement = self.conn().prepare_cached(
            "SELECT image_idx, correct, unclear, wrong, problematic
             FROM image_labels WHERE source_id = ?1",
        )?;
        let classes = self.vocab().len();
        let mut entries = Vec::new();
        let mut rows = statement.query([source.id])?;
        while let Some(row) = rows.next()? {
            let image: i64 = row.get(0)?;
            let list = |column: usize, name: &str| {
                label_list(Blob::of(row.get_ref(column)?)?, classes)
                    .map_err(|problem| self.damaged_labels(source, image, name, problem))
            };
            let entry = LabelEntry {
                correct: list(1, "correct")?,
                unclear: list(2, "unclear")?,
                wrong: list(3, "wrong")?,
                problematic: row.get(4)?,
            };
            entries.push((image as usize, entry));
        }
        let entries = entries.into_iter().filter(|(image, _)| *image < num_images);
        Ok(ImageLabels::from_entries(source.kind, num_images, entries))
    }

    fn damaged_labels(
        &self,
        source: &LabelSourceInfo,
        image: i64,
        list: &str,
        problem: String,
    ) -> Error {
        Error::Damaged {
            path: self.path().to_path_buf(),
            what: format!(
                "label source {:?}, image {image}, {list} labels",
                source.name
            ),
            problem,
            fix: format!(
                "import the source again with `bagel import labels --name {} --replace` (from {})",
                source.name, source.origin
            ),
        }
    }
}

/// One stored label list: whole little-endian u16s, each a class of the vocabulary.
fn label_list(blob: Blob, classes: usize) -> std::result::Result<Vec<ClassId>, String> {
    let bytes = match blob {
        Blob::Bytes(bytes) if bytes.len() % 2 == 0 => bytes,
        Blob::Bytes(bytes) => return Err(format!("{} bytes, not whole class ids", bytes.len())),
        Blob::Missing | Blob::NotBytes => return Err("not a list of class ids".into()),
    };
    let labels = unpack_u16(bytes);
    match labels.iter().find(|&&c| c as usize >= classes) {
        Some(id) => Err(format!(
            "class id {id}, but the vocabulary has {classes} classes"
        )),
        None => Ok(labels),
    }
}

/// Writes a label source; with `replace` an existing source of that name is dropped first.
pub(crate) fn insert_label_source(
    tx: &Transaction,
    dataset_id: i64,
    name: &str,
    origin: &str,
    labels: &ImageLabels,
    replace: bool,
) -> Result<i64> {
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM label_sources WHERE dataset_id = ?1 AND name = ?2",
            params![dataset_id, name],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        if !replace {
            return Err(Error::bad_input(
                origin,
                format!(
                    "the dataset already has a label source named {name:?}; give another --name, or --replace it"
                ),
            ));
        }
        tx.execute("DELETE FROM label_sources WHERE id = ?1", [id])?;
    }
    tx.execute(
        "INSERT INTO label_sources (dataset_id, name, kind, origin) VALUES (?1, ?2, ?3, ?4)",
        params![dataset_id, name, labels.kind.as_str(), origin],
    )?;
    let source_id = tx.last_insert_rowid();
    let mut insert = tx.prepare_cached(
        "INSERT INTO image_labels (source_id, image_idx, correct, unclear, wrong, problematic)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for image in 0..labels.num_images() {
        if labels.labeled[image] {
            insert.execute(params![
                source_id,
                image as i64,
                pack_u16(labels.correct.get(image)),
                pack_u16(labels.unclear.get(image)),
                pack_u16(labels.wrong.get(image)),
                labels.problematic[image],
            ])?;
        }
    }
    Ok(source_id)
}
