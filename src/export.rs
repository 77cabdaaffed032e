//! What bagel writes for others: updated label sets (the imported multi-labels with the
//! panel's decisions overlaid) in each format `bagel import labels` reads back, slices,
//! decisions, votes, reviews and the metrics table. Every file appears whole or not at all.

pub mod review;

use crate::data::{LabelEntry, LabelKind};
use crate::error::Result;
use crate::import::LabelFormat;
use crate::panel::{Decision, Verdict};
use crate::store::Project;
use std::collections::BTreeMap;
use std::path::Path;

mod decisions;
mod file;

pub(crate) use file::write_atomically;
mod label_files;
mod metrics;
mod slice;
mod votes;

pub use decisions::{DECISION_COLUMNS, export_decisions};
pub use file::is_standard_output;
pub use metrics::write_metrics_document;
pub use slice::export_slice;
pub use votes::export_votes;

/// The label format an export writes when none is asked for: a `.json` name gets the
/// imagenet2012_multilabel layout (ReaL's list only on request), anything else the CSV.
pub fn label_format_for(out: &Path) -> LabelFormat {
    let json = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if json {
        LabelFormat::MultiLabel
    } else {
        LabelFormat::Csv
    }
}

/// [`export_labels_as`] in the format the file name suggests ([`label_format_for`]).
pub fn export_labels(project: &Project, dataset: &str, out: &Path) -> Result<usize> {
    export_labels_as(project, dataset, label_format_for(out), out)
}

/// Writes the dataset's labels with the decisions overlaid; returns how many images have an
/// entry. Each format reads back through `bagel import labels` to the same sets:
/// - csv: `file,correct,unclear,wrong,problematic` (wnids separated by spaces);
/// - multilabel: `{"initial_annots": {file: {correct, unclear, wrong}}, "problematic_images":
///   {file: true}, "imagenet_m": [file]}` (the slice named imagenet_m, if any);
/// - real: ReaL's list of 50,000 class-index lists by val position, each the image's valid
///   labels as MLA counts them (correct and unclear), empty for a problematic image or one
///   without labels.
pub fn export_labels_as(
    project: &Project,
    dataset: &str,
    format: LabelFormat,
    out: &Path,
) -> Result<usize> {
    let info = project.dataset(dataset)?;
    let files = project.images(info.id)?.files;
    let rows = updated_labels(project, info.id)?;
    let vocab = project.vocab();
    match format {
        LabelFormat::Csv => label_files::write_csv(out, vocab, &files, &rows)?,
        LabelFormat::MultiLabel => {
            let mut members = project.slice(info.id, "imagenet_m")?.unwrap_or_default();
            members.sort_unstable();
            let imagenet_m: Vec<&str> = members
                .iter()
                .map(|&image| file_of(project, &files, image, "slice \"imagenet_m\""))
                .collect::<Result<_>>()?;
            label_files::write_multilabel(out, vocab, &files, &rows, &imagenet_m)?
        }
        LabelFormat::Real => label_files::write_real(out, dataset, &files, &rows)?,
    }
    Ok(rows.len())
}

/// Every image the multi-labels or the decisions cover, with its labels after the overlay: a
/// decided pair goes where its verdict says, an undecided one keeps its imported status.
fn updated_labels(project: &Project, dataset_id: i64) -> Result<Vec<(usize, LabelEntry)>> {
    let images = project.images(dataset_id)?;
    let source = project.label_source(dataset_id, LabelKind::MultiLabel, None)?;
    let labels = match &source {
        Some(source) => Some(project.image_labels(source, images.len())?),
        None => None,
    };
    let mut decided: BTreeMap<usize, Vec<Decision>> = BTreeMap::new();
    for decision in project.decisions(dataset_id)? {
        decided
            .entry(decision.image as usize)
            .or_default()
            .push(decision);
    }
    Ok((0..images.len())
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
        .collect())
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

/// The file name of a dataset's image; a stored row naming an image past the dataset's end
/// means the project was changed outside bagel.
fn file_of<'f>(project: &Project, files: &'f [String], image: u32, what: &str) -> Result<&'f str> {
    files
        .get(image as usize)
        .map(String::as_str)
        .ok_or_else(|| crate::error::Error::Damaged {
            path: project.path().to_path_buf(),
            what: what.to_owned(),
            problem: format!(
                "it names image {image}, but the dataset has {} images",
                files.len()
            ),
            fix: "import the dataset's images again, or remove that row".into(),
        })
}
