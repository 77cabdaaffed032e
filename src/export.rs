//! What bagel writes for others: updated label sets (the imported multi-labels with the
//! panel's decisions overlaid) in each format `bagel import labels` reads back, slices,
//! decisions, votes, reviews and the metrics table. Every file appears whole or not at all.

pub mod review;

use crate::data::{LabelEntry, LabelKind};
use crate::error::Result;
use crate::metrics::{Standing, relabel_image};
use crate::store::Project;
use crate::verdict::{Decision, Verdict};
use crate::vocab::ClassId;
use std::collections::BTreeMap;
use std::path::Path;

mod decisions;
mod fiftyone;
mod label_files;
mod label_studio;
mod metrics;
mod slice;
mod votes;

pub use crate::durable::is_standard_output;
pub use decisions::{DECISION_COLUMNS, export_decisions};
pub use fiftyone::{FiftyOneExport, export_fiftyone};
pub use label_studio::{export_label_studio, label_config};
pub use metrics::write_metrics_document;
pub use slice::export_slice;
pub use votes::export_votes;

/// The layouts `bagel export labels` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelLayout {
    /// `file,correct,unclear,wrong,problematic,outside_multilabels`.
    Csv,
    /// imagenet2012_multilabel's JSON.
    MultiLabel,
    /// ReaL's real.json with the decisions overlaid: what a ReaL user expects.
    Real,
    /// The multi-labels with the decisions as ReaL's lists (correct ∪ unclear by val
    /// position, empty where the multi-labels say nothing).
    MultilabelAsReal,
}

/// The layout an export writes when none is asked for: a `.json` name gets the
/// imagenet2012_multilabel layout (ReaL's list only on request), anything else the CSV.
pub fn label_format_for(out: &Path) -> LabelLayout {
    let json = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if json {
        LabelLayout::MultiLabel
    } else {
        LabelLayout::Csv
    }
}

/// [`export_labels_as`] in the layout the file name suggests ([`label_format_for`]).
pub fn export_labels(project: &Project, dataset: &str, out: &Path) -> Result<usize> {
    export_labels_as(project, dataset, label_format_for(out), out)
}

/// Writes the dataset's labels with the decisions overlaid; returns how many images have an
/// entry. Each layout reads back through `bagel import labels` to the same figures:
/// - csv: `file,correct,unclear,wrong,problematic,outside_multilabels` (wnids separated by
///   spaces): the multi-labeled images, and the decided pairs on other images in rows marked
///   `outside_multilabels`, which the importer leaves out of the label set;
/// - multilabel: `{"initial_annots": {file: {correct, unclear, wrong}}, "problematic_images":
///   {file: true}, "imagenet_m": [file], "decided_outside_multilabels": {file: {...}}}`: the
///   multi-labeled images only (imported again, MLA equals MLA re-labeled), the decisions on
///   other images apart, as the decided pairs they are;
/// - real: the imported ReaL lists with the decisions overlaid, untouched entries as imported
///   (in the file's order, so an untouched real.json comes out byte for byte);
/// - multilabel-as-real: ReaL's layout holding the multi-labels' correct ∪ unclear.
pub fn export_labels_as(
    project: &Project,
    dataset: &str,
    layout: LabelLayout,
    out: &Path,
) -> Result<usize> {
    let info = project.dataset(dataset)?;
    let images = project.images(info.id)?;
    let files = &images.files;
    let decided = decisions_by_image(project, info.id)?;
    let multilabels = project.label_source(info.id, LabelKind::MultiLabel, None)?;
    if layout != LabelLayout::Real && multilabels.is_none() && decided.is_empty() {
        return Err(crate::error::Error::Usage(format!(
            "dataset {dataset:?} has neither multi-labels nor decisions: there are no labels to export; import its multi-labels (`bagel import labels`) or decide pairs first"
        )));
    }
    let vocab = project.vocab();
    let updated = || updated_labels(project, info.id, images.len(), &decided);
    match layout {
        LabelLayout::Real => {
            let (lists, listed) = real_overlaid(project, info.id, dataset, files, &decided)?;
            label_files::write_real(out, dataset, files, &lists, &listed)
        }
        LabelLayout::Csv => {
            let updated = updated()?;
            label_files::write_csv(out, vocab, files, &updated)?;
            Ok(updated.labeled.len() + updated.decided_outside.len())
        }
        LabelLayout::MultiLabel => {
            let mut members = project.slice(info.id, "imagenet_m")?.unwrap_or_default();
            members.sort_unstable();
            let imagenet_m: Vec<&str> = members
                .iter()
                .map(|&image| file_of(project, files, image, "slice \"imagenet_m\""))
                .collect::<Result<_>>()?;
            let updated = updated()?;
            label_files::write_multilabel(out, vocab, files, &updated, &imagenet_m)?;
            Ok(updated.labeled.len())
        }
        LabelLayout::MultilabelAsReal => {
            let mut lists = vec![None; images.len()];
            for (image, entry) in updated()?
                .labeled
                .into_iter()
                .filter(|(_, e)| !e.problematic)
            {
                let mut valid = entry.correct;
                valid.extend(entry.unclear);
                valid.sort_unstable();
                valid.dedup();
                lists[image] = Some(valid);
            }
            label_files::write_real(out, dataset, files, &lists, &[])
        }
    }
}

/// The imported labels with the decisions overlaid, in two parts.
pub struct UpdatedLabels {
    /// The multi-labeled images with the decisions overlaid (a decided pair goes where its
    /// verdict says, an undecided one keeps its imported status); an image the decisions left
    /// without a valid label is problematic, as MLA re-labeled leaves it out.
    pub labeled: Vec<(usize, LabelEntry)>,
    /// Images the multi-labels do not cover that have decisions: the decided pairs alone
    /// (never the unreviewed original label).
    pub decided_outside: Vec<(usize, LabelEntry)>,
}

fn decisions_by_image(
    project: &Project,
    dataset_id: i64,
) -> Result<BTreeMap<usize, Vec<Decision>>> {
    let mut decided: BTreeMap<usize, Vec<Decision>> = BTreeMap::new();
    for decision in project.decisions(dataset_id)? {
        decided
            .entry(decision.image as usize)
            .or_default()
            .push(decision);
    }
    Ok(decided)
}

fn updated_labels(
    project: &Project,
    dataset_id: i64,
    num_images: usize,
    decided: &BTreeMap<usize, Vec<Decision>>,
) -> Result<UpdatedLabels> {
    let source = project.label_source(dataset_id, LabelKind::MultiLabel, None)?;
    let labels = match &source {
        Some(source) => project.image_labels(source, num_images)?,
        None => crate::data::ImageLabels::from_entries(LabelKind::MultiLabel, num_images, []),
    };
    let mut updated = UpdatedLabels {
        labeled: Vec::new(),
        decided_outside: Vec::new(),
    };
    for image in 0..num_images {
        let decisions = decided.get(&image).map_or(&[][..], Vec::as_slice);
        match labels.entry(image) {
            Some(imported) => {
                let by_reference: Vec<&Decision> = decisions.iter().collect();
                let (standing, _) = relabel_image(&labels, image, &by_reference);
                let mut entry = overlay(imported, decisions);
                entry.problematic |= standing == Standing::Emptied;
                updated.labeled.push((image, entry));
            }
            None if !decisions.is_empty() => updated
                .decided_outside
                .push((image, overlay(LabelEntry::default(), decisions))),
            None => {}
        }
    }
    Ok(updated)
}

/// Labels by dataset image, `None` where a source has no entry.
type ImageLists = Vec<Option<Vec<ClassId>>>;

/// ReaL's lists by dataset image, each as the imported file lists it with the image's
/// decisions overlaid, and the file's lists by entry (for the val images the dataset does not
/// hold; empty for a source imported before bagel kept them).
fn real_overlaid(
    project: &Project,
    dataset_id: i64,
    dataset: &str,
    files: &[String],
    decided: &BTreeMap<usize, Vec<Decision>>,
) -> Result<(ImageLists, Vec<Vec<ClassId>>)> {
    let Some(source) = project.label_source(dataset_id, LabelKind::Real, None)? else {
        return Err(crate::error::Error::Usage(format!(
            "dataset {dataset:?} has no ReaL labels to overlay the decisions on; import real.json first, or export the multi-labels in ReaL's layout with --format multilabel-as-real"
        )));
    };
    let real = project.image_labels(&source, files.len())?;
    let listed = project.label_file_entries(&source)?.unwrap_or_default();
    let lists = (files.iter().enumerate())
        .map(|(image, file)| {
            let set = real.labeled[image].then(|| real.correct.get(image).to_vec());
            let imported = as_listed(project, &source.name, &listed, file, set)?;
            Ok(match decided.get(&image) {
                Some(decisions) => Some(overlay_real(imported.unwrap_or_default(), decisions)),
                None => imported,
            })
        })
        .collect::<Result<_>>()?;
    Ok((lists, listed))
}

/// An image's ReaL set as the file's entry for it lists it, when the source kept the file's
/// lists; the kept entry must hold the stored set, so a damaged one is named, never written.
fn as_listed(
    project: &Project,
    source: &str,
    listed: &[Vec<ClassId>],
    file: &str,
    set: Option<Vec<ClassId>>,
) -> Result<Option<Vec<ClassId>>> {
    let Some(set) = set else { return Ok(None) };
    let Some(entry) = crate::import::val_position(file).and_then(|at| listed.get(at)) else {
        return Ok(Some(set));
    };
    let mut sorted = entry.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted != set {
        return Err(crate::error::Error::Damaged {
            path: project.path().to_path_buf(),
            what: format!("label source {source:?}, image {file}"),
            problem: format!("the file's entry lists {entry:?} where its stored set is {set:?}"),
            fix: format!(
                "import the ReaL file again with `bagel import labels --name {source} --replace`"
            ),
        });
    }
    Ok(Some(entry.clone()))
}

/// An image's ReaL list in the file's order with its decisions overlaid: a label decided
/// correct or unclear stays where it is or joins at the end, one decided wrong leaves, and a
/// problematic verdict empties the list.
fn overlay_real(mut valid: Vec<ClassId>, decisions: &[Decision]) -> Vec<ClassId> {
    if decisions.iter().any(|d| d.verdict == Verdict::Problematic) {
        return Vec::new();
    }
    for decision in decisions {
        match decision.verdict {
            Verdict::Correct | Verdict::Unclear if !valid.contains(&decision.label) => {
                valid.push(decision.label);
            }
            Verdict::Wrong => valid.retain(|&c| c != decision.label),
            _ => {}
        }
    }
    valid
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
