//! Updated label sets for others to evaluate on: the imported multi-labels with the panel's
//! decisions overlaid, written as the CSV that `bagel import labels` reads back.

pub mod review;

use crate::data::{LabelEntry, LabelKind};
use crate::error::{Error, Result};
use crate::panel::{Decision, Verdict};
use crate::store::Project;
use crate::vocab::{ClassId, Vocabulary};
use std::collections::BTreeMap;
use std::path::Path;

mod file;
mod votes;

pub use votes::export_votes;

/// Writes `file,correct,unclear,wrong,problematic` (wnids separated by spaces) for every image
/// the labels or the decisions cover; returns how many rows. The file appears whole or not at
/// all (see [`crate::durable`]); a symlink's target is replaced and the link kept.
pub fn export_labels(project: &Project, dataset: &str, out: &Path) -> Result<usize> {
    let info = project.dataset(dataset)?;
    let images = project.images(info.id)?;
    let source = project.label_source(info.id, LabelKind::MultiLabel, None)?;
    let labels = match &source {
        Some(source) => Some(project.image_labels(source, images.len())?),
        None => None,
    };
    let mut decided: BTreeMap<usize, Vec<Decision>> = BTreeMap::new();
    for decision in project.decisions(info.id)? {
        decided
            .entry(decision.image as usize)
            .or_default()
            .push(decision);
    }
    let rows: Vec<(usize, LabelEntry)> = (0..images.len())
        .filter_map(|image| {
            let imported = labels.as_ref().and_then(|l| l.entry(image));
            let decisions = decided.get(&image);
            if imported.is_none() && decisions.is_none() {
                return None;
            }
            let start = imported.unwrap_or_else(|| LabelEntry {
                correct: images.labels[image].into_iter().collect(),
                ..Default::default()
            });
            Some((
                image,
                overlay(start, decisions.map_or(&[][..], Vec::as_slice)),
            ))
        })
        .collect();
    let target = crate::durable::resolve_target(out)?;
    let mut temp = crate::durable::temp_beside(&target)?;
    write_csv(
        temp.as_file_mut(),
        out,
        project.vocab(),
        &images.files,
        &rows,
    )?;
    // A file that is replaced keeps its mode (a shared group-writable file stays so).
    if let Ok(existing) = std::fs::metadata(&target) {
        (temp.as_file().set_permissions(existing.permissions())).map_err(|e| Error::io(out, e))?;
    }
    crate::durable::persist(temp, &target, true)?;
    Ok(rows.len())
}

/// Moves each decided label into the list its verdict names.
fn overlay(mut entry: LabelEntry, decisions: &[Decision]) -> LabelEntry {
    for decision in decisions {
        for list in [&mut entry.correct, &mut entry.unclear, &mut entry.wrong] {
            list.retain(|&c| c != decision.label);
        }
        match decision.verdict {
            Verdict::Correct => entry.correct.push(decision.label),
            Verdict::Unclear => entry.unclear.push(decision.label),
            Verdict::Wrong => entry.wrong.push(decision.label),
            Verdict::Problematic => entry.problematic = true,
        }
    }
    for list in [&mut entry.correct, &mut entry.unclear, &mut entry.wrong] {
        list.sort_unstable();
    }
    entry
}

fn write_csv(
    file: &mut std::fs::File,
    path: &Path,
    vocab: &Vocabulary,
    files: &[String],
    rows: &[(usize, LabelEntry)],
) -> Result<()> {
    let failed = |e: csv::Error| Error::bad_input(path, format!("cannot write: {e}"));
    let mut writer = csv::Writer::from_writer(file);
    writer
        .write_record(["file", "correct", "unclear", "wrong", "problematic"])
        .map_err(failed)?;
    let wnids = |list: &[ClassId]| {
        let names: Vec<&str> = list
            .iter()
            .filter_map(|&c| vocab.class(c).map(|class| class.wnid.as_str()))
            .collect();
        names.join(" ")
    };
    for (image, entry) in rows {
        writer
            .write_record([
                files[*image].as_str(),
                &wnids(&entry.correct),
                &wnids(&entry.unclear),
                &wnids(&entry.wrong),
                if entry.problematic { "true" } else { "false" },
            ])
            .map_err(failed)?;
    }
    writer.flush().map_err(|e| Error::io(path, e))
}
