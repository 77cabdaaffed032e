//! Label sources: per image correct / unclear / wrong lists and a problematic flag.

use super::Project;
use super::blob::{Blob, pack_u16, pack_u32, unpack_u16, unpack_u32};
use crate::data::{ImageLabels, LabelKind, LabelSets};
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
                    COALESCE((SELECT l.labeled FROM label_lists l WHERE l.source_id = s.id), 0)
             FROM label_sources s WHERE s.dataset_id = ?1 ORDER BY s.id",
        )?;
        let rows = statement.query_map([dataset_id], |row| {
            let kind: String = row.get(2)?;
            Ok(LabelSourceInfo {
                id: row.get(0)?,
                name: row.get(1)?,
                kind: LabelKind::parse(&kind).unwrap_or(LabelKind::MultiLabel),
                origin: row.get(3)?,
                num_labeled: usize::try_from(row.get::<_, i64>(4)?).unwrap_or(0),
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

    /// The source's labels over a dataset of `num_images`: its stored lists, checked (offsets
    /// in order, labels sorted and each a class of the vocabulary), so a damaged source is
    /// named, never read. The lists are stored in the layout [`LabelSets`] holds in memory,
    /// one blob per list, so reading 50,000 images' labels is a few copies.
    pub fn image_labels(&self, source: &LabelSourceInfo, num_images: usize) -> Result<ImageLabels> {
        let mut statement = self.conn().prepare_cached(
            "SELECT num_images, flags, correct, unclear, wrong FROM label_lists WHERE source_id = ?1",
        )?;
        let mut rows = statement.query([source.id])?;
        let Some(row) = rows.next()? else {
            return Err(self.damaged_labels(source, None, "its label lists are missing".into()));
        };
        let stored = usize::try_from(row.get::<_, i64>(0)?).unwrap_or(0);
        let flags = match Blob::of(row.get_ref(1)?)? {
            Blob::Bytes(flags) if flags.len() == stored => flags,
            _ => {
                let problem = format!("its flags are not one byte for each of {stored} images");
                return Err(self.damaged_labels(source, None, problem));
            }
        };
        let classes = self.vocab().len();
        let list = |column: usize| -> Result<LabelSets> {
            let name = LISTS[column - 2];
            unpack_label_sets(Blob::of(row.get_ref(column)?)?, stored, classes).map_err(
                |(image, problem)| {
                    self.damaged_labels(source, image, format!("{name} labels: {problem}"))
                },
            )
        };
        let (mut correct, mut unclear, mut wrong) = (list(2)?, list(3)?, list(4)?);
        for sets in [&mut correct, &mut unclear, &mut wrong] {
            sets.truncate(num_images);
            while sets.len() < num_images {
                sets.push([]);
            }
        }
        let flag = |bit: u8| {
            let mut set: Vec<bool> = flags
                .iter()
                .take(num_images)
                .map(|f| f & bit != 0)
                .collect();
            set.resize(num_images, false);
            set
        };
        Ok(ImageLabels {
            kind: source.kind,
            labeled: flag(LABELED),
            correct,
            unclear,
            wrong,
            problematic: flag(PROBLEMATIC),
        })
    }

    /// The source file's lists by its own entries, each as the file lists it, when the
    /// import kept them (ReaL sources imported since schema 10); None otherwise.
    pub fn label_file_entries(
        &self,
        source: &LabelSourceInfo,
    ) -> Result<Option<Vec<Vec<ClassId>>>> {
        let mut statement = self
            .conn()
            .prepare_cached("SELECT entries, lists FROM label_file_entries WHERE source_id = ?1")?;
        let mut rows = statement.query([source.id])?;
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        let entries = usize::try_from(row.get::<_, i64>(0)?).unwrap_or(0);
        let classes = self.vocab().len();
        let (offsets, labels) = unpack_lists(Blob::of(row.get_ref(1)?)?, entries, classes)
            .map_err(|(entry, problem)| {
                let at = entry.map_or_else(String::new, |entry| format!(" (entry {entry})"));
                self.damaged_labels(source, None, format!("the file's lists{at}: {problem}"))
            })?;
        let lists = offsets
            .windows(2)
            .map(|ends| labels[ends[0] as usize..ends[1] as usize].to_vec())
            .collect();
        Ok(Some(lists))
    }

    fn damaged_labels(
        &self,
        source: &LabelSourceInfo,
        image: Option<usize>,
        problem: String,
    ) -> Error {
        let at = image.map_or_else(String::new, |image| format!(", image {image}"));
        Error::Damaged {
            path: self.path().to_path_buf(),
            what: format!("label source {:?}{at}", source.name),
            problem,
            fix: format!(
                "import the source again with `bagel import labels --name {} --replace` (from {})",
                source.name, source.origin
            ),
        }
    }
}

/// The three lists of a source, in the order `label_lists` stores them.
const LISTS: [&str; 3] = ["correct", "unclear", "wrong"];
/// The bits of a `label_lists.flags` byte.
const LABELED: u8 = 1;
const PROBLEMATIC: u8 = 2;

/// One stored list of a source: `images + 1` little-endian u32 offsets, then the u16 labels.
/// What is wrong comes with the image it is in, when it is in one.
fn unpack_label_sets(
    blob: Blob,
    images: usize,
    classes: usize,
) -> std::result::Result<LabelSets, (Option<usize>, String)> {
    let (offsets, labels) = unpack_lists(blob, images, classes)?;
    for (image, ends) in offsets.windows(2).enumerate() {
        let list = &labels[ends[0] as usize..ends[1] as usize];
        if list.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err((Some(image), "its labels are not sorted and distinct".into()));
        }
    }
    Ok(LabelSets::from_checked_parts(offsets, labels))
}

/// What is wrong with a stored list, and in which image when it is in one.
type ListProblem = (Option<usize>, String);

/// The offsets and labels of a stored list, checked but for their order within an image.
fn unpack_lists(
    blob: Blob,
    images: usize,
    classes: usize,
) -> std::result::Result<(Vec<u32>, Vec<ClassId>), ListProblem> {
    let head = 4 * (images + 1);
    let bytes = match blob {
        Blob::Bytes(bytes) if bytes.len() >= head && (bytes.len() - head).is_multiple_of(2) => {
            bytes
        }
        Blob::Bytes(bytes) => {
            let problem = format!(
                "{} bytes, not {images} images' offsets followed by whole class ids",
                bytes.len()
            );
            return Err((None, problem));
        }
        Blob::Missing | Blob::NotBytes => return Err((None, "not a list of class ids".into())),
    };
    let offsets = unpack_u32(&bytes[..head]);
    let labels: Vec<ClassId> = unpack_u16(&bytes[head..]);
    if offsets[0] != 0 || offsets[images] as usize != labels.len() {
        let problem = format!("its offsets do not span its {} labels", labels.len());
        return Err((None, problem));
    }
    for (image, ends) in offsets.windows(2).enumerate() {
        let Some(list) = labels.get(ends[0] as usize..ends[1] as usize) else {
            return Err((Some(image), "its offsets are out of order".into()));
        };
        if let Some(id) = list.iter().find(|&&c| c as usize >= classes) {
            let problem = format!("class id {id}, but the vocabulary has {classes} classes");
            return Err((Some(image), problem));
        }
    }
    Ok((offsets, labels))
}

/// A list as [`unpack_label_sets`] reads it.
fn pack_label_sets(sets: &LabelSets) -> Vec<u8> {
    let (offsets, labels) = sets.parts();
    let mut bytes = pack_u32(offsets);
    bytes.extend(pack_u16(labels));
    bytes
}

/// Stores a source's lists (a new source's, or a migrated one's) as one `label_lists` row.
pub(crate) fn put_label_lists(
    tx: &Transaction,
    source_id: i64,
    labels: &ImageLabels,
) -> rusqlite::Result<()> {
    let flags: Vec<u8> = (labels.labeled.iter().zip(&labels.problematic))
        .map(|(&labeled, &problematic)| {
            (labeled as u8 * LABELED) | (problematic as u8 * PROBLEMATIC)
        })
        .collect();
    tx.execute(
        "INSERT INTO label_lists (source_id, num_images, labeled, flags, correct, unclear, wrong)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            source_id,
            labels.num_images() as i64,
            labels.num_labeled() as i64,
            flags,
            pack_label_sets(&labels.correct),
            pack_label_sets(&labels.unclear),
            pack_label_sets(&labels.wrong),
        ],
    )?;
    Ok(())
}

/// Keeps a label file's lists by its own entries, each as the file lists it, which
/// [`Project::label_file_entries`] gives back.
/// A label source as an import stores it, with what comes in the same file.
pub struct LabelSourceRecord<'a> {
    pub dataset_id: i64,
    pub name: &'a str,
    pub origin: &'a str,
    pub labels: &'a ImageLabels,
    /// Replace a source of the same name rather than refuse.
    pub replace: bool,
    /// The file's own lists in its order (ReaL), which its export writes back.
    pub file_entries: Option<&'a [Vec<ClassId>]>,
    /// A slice the file defines (the multi-labels' `imagenet_m`), stored under that name.
    pub slice: Option<(&'a str, &'a [u32])>,
}

impl Project {
    /// Stores a label source, its file's lists and its slice in one transaction.
    pub fn put_label_source(&mut self, record: &LabelSourceRecord) -> Result<i64> {
        self.write(|tx| {
            let source_id = insert_label_source(
                tx,
                record.dataset_id,
                record.name,
                record.origin,
                record.labels,
                record.replace,
            )?;
            if let Some(entries) = record.file_entries {
                put_label_file_entries(tx, source_id, entries)?;
            }
            if let Some((name, images)) = record.slice {
                super::save_slice(tx, record.dataset_id, name, images, record.origin)?;
            }
            Ok(source_id)
        })
    }
}

fn put_label_file_entries(
    tx: &Transaction,
    source_id: i64,
    lists: &[Vec<ClassId>],
) -> rusqlite::Result<()> {
    let mut offsets = Vec::with_capacity(lists.len() + 1);
    offsets.push(0u32);
    let mut labels = Vec::new();
    for list in lists {
        labels.extend_from_slice(list);
        offsets.push(labels.len() as u32);
    }
    let mut bytes = pack_u32(&offsets);
    bytes.extend(pack_u16(&labels));
    tx.execute(
        "INSERT INTO label_file_entries (source_id, entries, lists) VALUES (?1, ?2, ?3)",
        params![source_id, lists.len() as i64, bytes],
    )?;
    Ok(())
}

/// Writes a label source; with `replace` an existing source of that name is dropped first.
fn insert_label_source(
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
    put_label_lists(tx, source_id, labels)?;
    Ok(source_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(offsets: &[u32], labels: &[u16]) -> Vec<u8> {
        let mut bytes = pack_u32(offsets);
        bytes.extend(pack_u16(labels));
        bytes
    }

    #[test]
    fn lists_round_trip_through_their_blob() {
        let mut sets = LabelSets::default();
        for labels in [vec![3, 1], vec![], vec![2, 2, 0]] {
            sets.push(labels);
        }
        let bytes = pack_label_sets(&sets);
        assert_eq!(unpack_label_sets(Blob::Bytes(&bytes), 3, 4), Ok(sets));
    }

    #[test]
    fn a_damaged_list_says_what_and_where() {
        let problem = |bytes: Vec<u8>| unpack_label_sets(Blob::Bytes(&bytes), 2, 4).unwrap_err();
        assert_eq!(
            problem(stored(&[0, 1, 2], &[1, 9])).0,
            Some(1),
            "class 9 of 4"
        );
        assert!(
            problem(stored(&[0, 1, 2], &[1, 9]))
                .1
                .contains("class id 9")
        );
        assert_eq!(problem(stored(&[0, 2, 2], &[3, 1])).0, Some(0), "unsorted");
        assert_eq!(
            problem(stored(&[0, 3, 2], &[1, 2])).0,
            Some(0),
            "out of order"
        );
        assert!(
            problem(stored(&[0, 1, 3], &[1, 2]))
                .1
                .contains("do not span")
        );
        assert!(problem(stored(&[0, 1], &[])).1.contains("offsets"));
        assert_eq!(
            unpack_label_sets(Blob::Missing, 2, 4).unwrap_err().1,
            "not a list of class ids"
        );
    }
}
