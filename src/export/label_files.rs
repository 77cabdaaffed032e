//! The three label files `bagel import labels` reads, written from per-image entries: the
//! CSV, the imagenet2012_multilabel v3 JSON and ReaL's list of class-index lists.

use super::UpdatedLabels;
use crate::data::LabelEntry;
use crate::durable::write_atomically;
use crate::error::{Error, Result};
use crate::import::{REAL_ENTRIES, val_position};
use crate::vocab::{ClassId, Vocabulary};
use serde_json::{Map, Value, json};
use std::path::Path;

/// One row per image, in dataset order: `file,correct,unclear,wrong,problematic,
/// outside_multilabels`, wnids separated by spaces. A multi-labeled image's row holds its
/// lists; an image outside the multi-labels with decisions has a row of its decided pairs
/// alone, marked `outside_multilabels` true, which `bagel import labels` leaves out of the
/// label set (it would otherwise read the pairs as the image's labels).
pub fn write_csv(
    out: &Path,
    vocab: &Vocabulary,
    files: &[String],
    updated: &UpdatedLabels,
) -> Result<()> {
    let mut rows: Vec<(usize, &LabelEntry, bool)> = (updated.labeled.iter())
        .map(|(image, entry)| (*image, entry, false))
        .chain((updated.decided_outside.iter()).map(|(image, entry)| (*image, entry, true)))
        .collect();
    rows.sort_by_key(|(image, ..)| *image);
    let yes_no = |flag: bool| if flag { "true" } else { "false" };
    write_atomically(out, |sink| {
        let mut writer = csv::Writer::from_writer(sink);
        writer.write_record(CSV_COLUMNS)?;
        for (image, entry, outside) in rows {
            writer.write_record([
                files[image].as_str(),
                &wnids(vocab, &entry.correct).join(" "),
                &wnids(vocab, &entry.unclear).join(" "),
                &wnids(vocab, &entry.wrong).join(" "),
                yes_no(entry.problematic),
                yes_no(outside),
            ])?;
        }
        writer.flush()
    })
}

/// The label CSV's header; the last column is the one `bagel import labels` skips rows by.
const CSV_COLUMNS: [&str; 6] = [
    "file",
    "correct",
    "unclear",
    "wrong",
    "problematic",
    crate::import::OUTSIDE_MULTILABELS,
];

/// `initial_annots` holds every multi-labeled image (a problematic one too, so it reads back
/// as labeled), `problematic_images` the flagged ones, `imagenet_m` the slice's files, and
/// `decided_outside_multilabels` the decided pairs on other images (with `"problematic":
/// true` for a problematic verdict): a key the TFDS reader and bagel's importer leave alone,
/// so the set they read is the multi-labels' and no unreviewed label joins it.
pub fn write_multilabel(
    out: &Path,
    vocab: &Vocabulary,
    files: &[String],
    updated: &UpdatedLabels,
    imagenet_m: &[&str],
) -> Result<()> {
    let lists = |entry: &LabelEntry| {
        json!({
            "correct": wnids(vocab, &entry.correct),
            "unclear": wnids(vocab, &entry.unclear),
            "wrong": wnids(vocab, &entry.wrong),
        })
    };
    let mut annotations = Map::new();
    let mut problematic = Map::new();
    for (image, entry) in &updated.labeled {
        annotations.insert(files[*image].clone(), lists(entry));
        if entry.problematic {
            problematic.insert(files[*image].clone(), Value::Bool(true));
        }
    }
    let mut outside = Map::new();
    for (image, entry) in &updated.decided_outside {
        let mut decided = lists(entry);
        if entry.problematic {
            decided["problematic"] = Value::Bool(true);
        }
        outside.insert(files[*image].clone(), decided);
    }
    let document = json!({
        "initial_annots": annotations,
        "problematic_images": problematic,
        "imagenet_m": imagenet_m,
        "decided_outside_multilabels": outside,
    });
    write_atomically(out, |sink| {
        serde_json::to_writer_pretty(&mut *sink, &document)?;
        sink.write_all(b"\n")
    })
}

/// ReaL's real.json layout: entry i is ILSVRC2012_val_{i+1}'s list, `lists` giving each
/// dataset image's (None: no entry, written empty) and `others` the entries of the val images
/// the dataset does not hold (written empty past its end), so only a dataset of val images can be
/// written. Spaced as real.json is (`[[], [970, 795], ...]`, Python's `json.dumps`, no final
/// line break), so with each list in the file's order an entry nobody changed is written as
/// the file has it, and an untouched real.json comes out byte for byte.
pub fn write_real(
    out: &Path,
    dataset: &str,
    files: &[String],
    lists: &[Option<Vec<ClassId>>],
    others: &[Vec<ClassId>],
) -> Result<usize> {
    let mut positions = Vec::with_capacity(files.len());
    let mut taken = vec![false; REAL_ENTRIES];
    for file in files {
        let position = val_position(file)
            .filter(|&p| p < REAL_ENTRIES)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "dataset {dataset:?} holds {file:?}, which is not an ImageNet val image (ILSVRC2012_val_00000001 to _{REAL_ENTRIES:08}); a ReaL list labels val images by position, so export this dataset with --format multilabel or csv"
                ))
            })?;
        if std::mem::replace(&mut taken[position], true) {
            return Err(Error::Usage(format!(
                "dataset {dataset:?} holds val image {} twice ({file:?}); a ReaL list has one entry per val image, so export with --format multilabel or csv",
                position + 1
            )));
        }
        positions.push(position);
    }
    let mut by_position: Vec<&[ClassId]> = vec![&[]; REAL_ENTRIES];
    for (position, list) in by_position.iter_mut().zip(others) {
        *position = list;
    }
    for (image, list) in lists.iter().enumerate() {
        if let Some(list) = list {
            by_position[positions[image]] = list;
        }
    }
    let entries: Vec<String> = (by_position.iter())
        .map(|list| {
            let labels: Vec<String> = list.iter().map(ClassId::to_string).collect();
            format!("[{}]", labels.join(", "))
        })
        .collect();
    write_atomically(out, |sink| write!(sink, "[{}]", entries.join(", ")))?;
    Ok(lists.iter().flatten().count())
}

fn wnids<'v>(vocab: &'v Vocabulary, labels: &[ClassId]) -> Vec<&'v str> {
    labels
        .iter()
        .filter_map(|&c| vocab.class(c).map(|class| class.wnid.as_str()))
        .collect()
}
