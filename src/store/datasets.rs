//! Datasets: an ordered list of images with their original labels and an image root folder.

use super::Project;
use super::blob::{pack_u32, unpack_u32};
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
    /// The person at this machine lets image names leave the root (absolute, or with `..`):
    /// `bagel open --images-anywhere`. Never read from the project file, whose sender could
    /// otherwise point the desk at any file of the reader's; false as the store reads it.
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
        if let Some(found) = self
            .dataset_rows(Some(&crate::names::as_typed(name)))?
            .pop()
        {
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

    /// The folder the project file is in, against which a relative image root is read.
    fn folder(&self) -> PathBuf {
        // A bare file name's parent is the empty path, which is the current folder.
        let parent = (self.path().parent())
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::path::absolute(parent).unwrap_or_else(|_| parent.to_path_buf())
    }

    /// Sets where a dataset's image files are: an existing folder, stored relative to the
    /// project's folder when inside it, else absolute. Returns the text stored.
    pub fn set_image_root(&mut self, dataset_id: i64, root: &Path) -> Result<String> {
        let absolute = std::fs::canonicalize(root)
            .ok()
            .filter(|r| r.is_dir())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--image-root {}: no such folder; give the folder the dataset's image files are under",
                    root.display()
                ))
            })?;
        let folder = std::fs::canonicalize(self.folder()).unwrap_or_else(|_| self.folder());
        let stored = match absolute.strip_prefix(&folder) {
            Ok(inside) if inside.as_os_str().is_empty() => ".".to_owned(),
            Ok(inside) => inside.display().to_string(),
            Err(_) => absolute.display().to_string(),
        };
        self.write(|tx| {
            tx.execute(
                "UPDATE datasets SET image_root = ?1 WHERE id = ?2",
                params![stored, dataset_id],
            )?;
            Ok(())
        })?;
        Ok(stored)
    }

    /// The dataset called `name`, or all of them, in creation order.
    fn dataset_rows(&self, name: Option<&str>) -> Result<Vec<DatasetInfo>> {
        // The image count is the images' (by their last index: no scan of 50,000 rows); the
        // original labels' blob, one u32 an image, must agree, or the blob is what is damaged.
        let mut statement = self.conn().prepare_cached(
            "SELECT d.id, d.name, d.image_root, typeof(d.labels), COALESCE(length(d.labels), 0),
                    (SELECT COALESCE(MAX(i.idx) + 1, 0) FROM images i WHERE i.dataset_id = d.id)
             FROM datasets d WHERE ?1 IS NULL OR d.name = ?1 ORDER BY d.id",
        )?;
        let folder = self.folder();
        let rows = statement.query_map([name], |row| {
            let info = DatasetInfo {
                id: row.get(0)?,
                name: row.get(1)?,
                // A relative root is stored relative to the project's folder, so the folder
                // can move, or sit elsewhere on another member's machine.
                image_root: (row.get::<_, Option<String>>(2)?).map(|root| folder.join(root)),
                num_images: usize::try_from(row.get::<_, i64>(5)?).unwrap_or(0),
                images_anywhere: false,
            };
            let kind: String = row.get(3)?;
            let bytes = usize::try_from(row.get::<_, i64>(4)?).unwrap_or(0);
            Ok((info, kind, bytes))
        })?;
        let mut datasets = Vec::new();
        for row in rows {
            let (info, kind, bytes) = row?;
            let expected = info.num_images * 4;
            if kind == "null" || (kind == "blob" && bytes == expected) {
                datasets.push(info);
                continue;
            }
            return Err(Error::Damaged {
                path: self.path().to_path_buf(),
                what: format!("the original labels of dataset {:?}", info.name),
                problem: format!(
                    "they are {kind} of {bytes} bytes, where bagel stores 4 bytes for each of its {} images",
                    info.num_images
                ),
                fix: "import the dataset's images again into a new project".into(),
            });
        }
        Ok(datasets)
    }

    /// The dataset's images in order: file names and original labels.
    pub fn images(&self, dataset_id: i64) -> Result<Images> {
        let mut statement = self
            .conn()
            .prepare_cached("SELECT file FROM images WHERE dataset_id = ?1 ORDER BY idx")?;
        let files = (statement.query_map([dataset_id], |row| row.get(0))?)
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let labels = self.original_labels(dataset_id)?;
        if labels.len() != files.len() {
            return Err(Error::Damaged {
                path: self.path().to_path_buf(),
                what: "the dataset's original labels".into(),
                problem: format!("{} labels for {} images", labels.len(), files.len()),
                fix: "import the dataset's images again into a new project".into(),
            });
        }
        Ok(Images { files, labels })
    }

    /// The original label of each image, None where unknown: one blob of little-endian u32s
    /// ([`NO_LABEL`] for none), which the metrics read without the images' rows. A label
    /// beyond the vocabulary is named with its image, never read.
    pub fn original_labels(&self, dataset_id: i64) -> Result<Vec<Option<ClassId>>> {
        let bytes: Option<Vec<u8>> = self
            .conn()
            .prepare_cached("SELECT labels FROM datasets WHERE id = ?1")?
            .query_row([dataset_id], |row| row.get(0))?;
        let bytes = bytes.unwrap_or_default();
        let classes = self.vocab().len();
        let mut labels = Vec::with_capacity(bytes.len() / 4);
        for (image, stored) in unpack_u32(&bytes).into_iter().enumerate() {
            labels.push(match stored {
                NO_LABEL => None,
                label if usize::try_from(label).is_ok_and(|l| l < classes) => {
                    ClassId::try_from(label).ok()
                }
                label => {
                    let file = self.file_names(dataset_id, &[image as u32])?.remove(0);
                    return Err(Error::Damaged {
                        path: self.path().to_path_buf(),
                        what: format!("image {file:?}"),
                        problem: format!(
                            "original label {label}, but the vocabulary has {classes} classes"
                        ),
                        fix: "import the dataset's images again into a new project".into(),
                    });
                }
            });
        }
        Ok(labels)
    }

    /// The file names of some images, in the order asked; "image N" for an index the dataset
    /// lacks. For the few a report names, without reading every name.
    pub fn file_names(&self, dataset_id: i64, images: &[u32]) -> Result<Vec<String>> {
        let mut statement = self
            .conn()
            .prepare_cached("SELECT file FROM images WHERE dataset_id = ?1 AND idx = ?2")?;
        images
            .iter()
            .map(|&image| {
                let file = statement
                    .query_row(params![dataset_id, image], |row| row.get(0))
                    .optional()?;
                Ok(file.unwrap_or_else(|| format!("image {image}")))
            })
            .collect()
    }
}

/// How `datasets.labels` marks an image without an original label.
pub(crate) const NO_LABEL: u32 = u32::MAX;

/// The `datasets.labels` blob of original labels.
pub(crate) fn pack_original_labels(labels: &[Option<ClassId>]) -> Vec<u8> {
    let stored: Vec<u32> = (labels.iter())
        .map(|label| label.map_or(NO_LABEL, u32::from))
        .collect();
    pack_u32(&stored)
}

impl Project {
    /// Adds a dataset and its images in one transaction; refused when the name is taken.
    pub fn add_dataset(
        &mut self,
        name: &str,
        image_root: Option<&str>,
        origin: &str,
        images: &Images,
    ) -> Result<i64> {
        self.write(|tx| {
            if dataset_exists(tx, name)? {
                return Err(Error::Usage(format!(
                    "the project already has a dataset named {name:?}; choose another --dataset name"
                )));
            }
            insert_dataset(tx, name, image_root, origin, images)
        })
    }
}

fn dataset_exists(tx: &Transaction, name: &str) -> Result<bool> {
    let found: Option<i64> = tx
        .query_row("SELECT id FROM datasets WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(found.is_some())
}

fn insert_dataset(
    tx: &Transaction,
    name: &str,
    image_root: Option<&str>,
    origin: &str,
    images: &Images,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO datasets (name, image_root, origin, labels) VALUES (?1, ?2, ?3, ?4)",
        params![
            name,
            image_root,
            origin,
            pack_original_labels(&images.labels)
        ],
    )?;
    let dataset_id = tx.last_insert_rowid();
    let mut insert =
        tx.prepare_cached("INSERT INTO images (dataset_id, idx, file) VALUES (?1, ?2, ?3)")?;
    for (index, file) in images.files.iter().enumerate() {
        insert.execute(params![dataset_id, index as i64, file])?;
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
