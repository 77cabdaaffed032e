//! Datasets: an ordered list of images with their original labels and an image root folder.

use super::Project;
use crate::error::{Error, Result};
use crate::vocab::ClassId;
use rusqlite::{OptionalExtension, Transaction, params};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct DatasetInfo {
    pub id: i64,
    pub name: String,
    pub image_root: Option<PathBuf>,
    pub num_images: usize,
    /// The user imported image names that leave the root (absolute, or with `..`) on purpose
    /// (`bagel import images --allow-absolute`); otherwise every read stays under the root.
    pub images_anywhere: bool,
}

impl DatasetInfo {
    /// Where image `file` is read from: under the image root. A name that would leave the root
    /// ("../../etc/passwd", "/etc/passwd") is kept under it, where it is simply not found,
    /// unless the dataset was imported with such names on purpose.
    pub fn image_path(&self, file: &str) -> PathBuf {
        let file = Path::new(file);
        let inside: PathBuf = if self.images_anywhere || stays_under_root(file) {
            file.to_path_buf()
        } else {
            (file.components())
                .filter(|c| matches!(c, Component::Normal(_)))
                .collect()
        };
        match &self.image_root {
            Some(root) if inside.is_relative() => root.join(inside),
            _ => inside,
        }
    }
}

/// Whether an image name is a plain path below its root: no root, drive or `..` in it.
pub fn stays_under_root(file: &Path) -> bool {
    (file.components()).all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// The setting that marks a dataset imported with `--allow-absolute`.
fn anywhere_key(dataset_id: i64) -> String {
    format!("images_anywhere:{dataset_id}")
}

/// Marks a dataset whose image names may leave the root, in the import's transaction.
pub(crate) fn allow_images_anywhere(tx: &Transaction, dataset_id: i64) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, 'on')",
        params![anywhere_key(dataset_id)],
    )?;
    Ok(())
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
        self.dataset_rows(None)
    }

    /// The dataset called `name`; the error lists the datasets the project has. Only this
    /// dataset's images are counted (the count reads every image row).
    pub fn dataset(&self, name: &str) -> Result<DatasetInfo> {
        if let Some(found) = self.dataset_rows(Some(name))?.pop() {
            return Ok(found);
        }
        let datasets = self.datasets()?;
        let known: Vec<&str> = datasets.iter().map(|d| d.name.as_str()).collect();
        let advice = if known.is_empty() {
            "it has none yet; import images with `bagel import images`".to_owned()
        } else {
            format!("it has: {}", known.join(", "))
        };
        Err(Error::Usage(format!(
            "project {} has no dataset {name:?}; {advice}",
            self.path().display()
        )))
    }

    /// The dataset called `name`, or all of them, in creation order.
    fn dataset_rows(&self, name: Option<&str>) -> Result<Vec<DatasetInfo>> {
        let mut statement = self.conn().prepare_cached(
            "SELECT d.id, d.name, d.image_root,
                    (SELECT COUNT(*) FROM images i WHERE i.dataset_id = d.id),
                    EXISTS (SELECT 1 FROM settings s WHERE s.key = 'images_anywhere:' || d.id)
             FROM datasets d WHERE ?1 IS NULL OR d.name = ?1 ORDER BY d.id",
        )?;
        let rows = statement.query_map([name], |row| {
            Ok(DatasetInfo {
                id: row.get(0)?,
                name: row.get(1)?,
                image_root: row.get::<_, Option<String>>(2)?.map(PathBuf::from),
                num_images: row.get::<_, i64>(3)? as usize,
                images_anywhere: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(anywhere: bool) -> DatasetInfo {
        DatasetInfo {
            id: 1,
            name: "val".into(),
            image_root: Some(PathBuf::from("/data/val")),
            num_images: 3,
            images_anywhere: anywhere,
        }
    }

    #[test]
    fn image_reads_stay_under_the_root_unless_imported_on_purpose() {
        let kept = dataset(false);
        let path = |file: &str| kept.image_path(file);
        assert_eq!(
            path("n01440764/a.JPEG"),
            Path::new("/data/val/n01440764/a.JPEG")
        );
        assert_eq!(path("./a.JPEG"), Path::new("/data/val/./a.JPEG"));
        assert_eq!(path("../../etc/passwd"), Path::new("/data/val/etc/passwd"));
        assert_eq!(path("/etc/passwd"), Path::new("/data/val/etc/passwd"));
        assert_eq!(path("a/../../b.jpg"), Path::new("/data/val/a/b.jpg"));
        let anywhere = dataset(true);
        assert_eq!(
            anywhere.image_path("/photos/a.jpg"),
            Path::new("/photos/a.jpg")
        );
        assert_eq!(
            anywhere.image_path("../b.jpg"),
            Path::new("/data/val/../b.jpg")
        );
    }
}
