//! Datasets: an ordered list of images with their original labels and an image root folder.

use super::Project;
use crate::error::{Error, Result};
use crate::vocab::ClassId;
use rusqlite::{OptionalExtension, Transaction, params};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub struct DatasetInfo {
    pub id: i64,
    pub name: String,
    pub image_root: Option<PathBuf>,
    pub num_images: usize,
}

/// A dataset's images in order: file names (relative to the image root) and original labels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Images {
    pub files: Vec<String>,
    pub labels: Vec<Option<ClassId>>,
}

impl Images {
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl Project {
    pub fn datasets(&self) -> Result<Vec<DatasetInfo>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT d.id, d.name, d.image_root,
                    (SELECT COUNT(*) FROM images i WHERE i.dataset_id = d.id)
             FROM datasets d ORDER BY d.id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(DatasetInfo {
                id: row.get(0)?,
                name: row.get(1)?,
                image_root: row.get::<_, Option<String>>(2)?.map(PathBuf::from),
                num_images: row.get::<_, i64>(3)? as usize,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The dataset called `name`; the error lists the datasets the project has.
    pub fn dataset(&self, name: &str) -> Result<DatasetInfo> {
        let datasets = self.datasets()?;
        let known: Vec<&str> = datasets.iter().map(|d| d.name.as_str()).collect();
        let advice = if known.is_empty() {
            "it has none yet; import images with `bagel import images`".to_owned()
        } else {
            format!("it has: {}", known.join(", "))
        };
        let found = datasets.iter().find(|d| d.name == name).cloned();
        found.ok_or_else(|| {
            Error::Usage(format!(
                "project {} has no dataset {name:?}; {advice}",
                self.path().display()
            ))
        })
    }

    pub fn images(&self, dataset_id: i64) -> Result<Images> {
        let mut statement = self
            .conn()
            .prepare_cached("SELECT file, label FROM images WHERE dataset_id = ?1 ORDER BY idx")?;
        let classes = self.vocab().len();
        let mut images = Images::default();
        let mut rows = statement.query([dataset_id])?;
        while let Some(row) = rows.next()? {
            let label: Option<i64> = row.get(1)?;
            match label {
                Some(label) if !(0..classes as i64).contains(&label) => {
                    return Err(Error::Damaged {
                        path: self.path().to_path_buf(),
                        what: format!("image {:?}", row.get::<_, String>(0)?),
                        problem: format!(
                            "original label {label}, but the vocabulary has {classes} classes"
                        ),
                        fix: "import the dataset's images again into a new project".into(),
                    });
                }
                _ => {}
            }
            images.files.push(row.get(0)?);
            images.labels.push(label.map(|l| l as ClassId));
        }
        Ok(images)
    }
}

pub(crate) fn dataset_exists(tx: &Transaction, name: &str) -> Result<bool> {
    let found: Option<i64> = tx
        .query_row("SELECT id FROM datasets WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(found.is_some())
}

pub(crate) fn insert_dataset(
    tx: &Transaction,
    name: &str,
    image_root: Option<&str>,
    origin: &str,
    images: &Images,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO datasets (name, image_root, origin) VALUES (?1, ?2, ?3)",
        params![name, image_root, origin],
    )?;
    let dataset_id = tx.last_insert_rowid();
    let mut insert = tx.prepare_cached(
        "INSERT INTO images (dataset_id, idx, file, label) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (index, (file, label)) in images.files.iter().zip(&images.labels).enumerate() {
        insert.execute(params![dataset_id, index as i64, file, label])?;
    }
    Ok(dataset_id)
}
