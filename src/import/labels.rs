//! `bagel import labels`: ReaL's real.json, the imagenet2012_multilabel v3 JSON, or a CSV.

use super::{
    FileIndex, ImportReport, csv_headers, csv_text, json, read_text, slices, split_labels,
};
use crate::data::{ImageLabels, LabelEntry, LabelKind};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::store::{Images, LabelSourceRecord, Project};
use crate::vocab::{ClassId, Vocabulary};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelFormat {
    /// real.json: a list (in ILSVRC2012 val order) of lists of class indices.
    Real,
    /// {"initial_annots": {file: {"correct": [wnid], "unclear": [..], "wrong": [..]}},
    ///  "problematic_images": {file: ..}, "imagenet_m": [file, ..]}
    MultiLabel,
    /// file,labels (ReaL-style) or file,correct,unclear,wrong,problematic.
    Csv,
}

impl LabelFormat {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "real" => Some(LabelFormat::Real),
            "multilabel" => Some(LabelFormat::MultiLabel),
            "csv" => Some(LabelFormat::Csv),
            _ => None,
        }
    }
}

pub struct LabelImport<'a> {
    pub dataset: &'a str,
    pub file: &'a Path,
    /// Detected from the content when None.
    pub format: Option<LabelFormat>,
    /// The label source's name; defaults to its kind ("real" or "multilabel").
    pub name: Option<&'a str>,
    pub replace: bool,
}

/// Labels read from a file, before they are written.
struct ParsedLabels {
    labels: ImageLabels,
    slice: Option<Vec<u32>>,
    warnings: Vec<String>,
}

pub fn import_labels(
    project: &mut Project,
    request: &LabelImport,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let checked_name = (request.name)
        .map(|name| super::check_name("label source", name))
        .transpose()?;
    let dataset = project.dataset(request.dataset)?;
    let images = project.images(dataset.id)?;
    progress.begin("reading labels", 0);
    let text = read_text(request.file)?;
    let format = match request.format {
        Some(format) => format,
        None => detect_format(request.file, &text)?,
    };
    let file = request.file;
    let vocab = project.vocab();
    // ReaL's file keeps its lists as listed beside the sorted sets, for its export.
    let (parsed, listed) = match format {
        LabelFormat::Real => {
            let (parsed, order) = read_real(file, &text, &images, vocab)?;
            (parsed, Some(order))
        }
        LabelFormat::MultiLabel => (read_multilabel(file, &text, &images, vocab)?, None),
        LabelFormat::Csv => (read_csv(file, &text, &images, vocab)?, None),
    };
    let kind = parsed.labels.kind;
    let name = checked_name.unwrap_or_else(|| kind.as_str().to_owned());
    progress.begin("writing labels", 0);
    let origin = file.display().to_string();
    project.put_label_source(&LabelSourceRecord {
        dataset_id: dataset.id,
        name: &name,
        origin: &origin,
        labels: &parsed.labels,
        replace: request.replace,
        file_entries: listed.as_deref(),
        slice: (parsed.slice.as_deref()).map(|images| ("imagenet_m", images)),
    })?;
    let labels = &parsed.labels;
    let mut summary = format!(
        "label source {name:?} ({}) on dataset {:?}: {} of {} images labeled, {} correct labels",
        kind.as_str(),
        request.dataset,
        labels.num_labeled(),
        labels.num_images(),
        labels.correct.total()
    );
    if kind == LabelKind::MultiLabel {
        let problematic = labels.problematic.iter().filter(|&&p| p).count();
        summary += &format!(
            ", {} unclear, {} wrong, {problematic} problematic images",
            labels.unclear.total(),
            labels.wrong.total()
        );
    }
    if let Some(slice) = &parsed.slice {
        summary += &format!("; slice \"imagenet_m\" of {} images", slice.len());
    }
    Ok(ImportReport {
        summary,
        warnings: parsed.warnings,
    })
}

fn detect_format(file: &Path, text: &str) -> Result<LabelFormat> {
    let start = text.trim_start();
    if start.starts_with('[') {
        return Ok(LabelFormat::Real);
    }
    if let Some(value) = json::scalar(text) {
        return Err(Error::bad_input(file, describe_other_json(&value)));
    }
    if !start.starts_with('{') {
        return Ok(LabelFormat::Csv);
    }
    let value = json::parse(file, text)?;
    if value.get("initial_annots").is_some() {
        return Ok(LabelFormat::MultiLabel);
    }
    Err(Error::bad_input(
        file,
        format!(
            "{}; give --format if it is one",
            describe_other_json(&value)
        ),
    ))
}

/// Names the JSON layouts people confuse with label files.
fn describe_other_json(value: &Value) -> String {
    let expected = "expected ReaL's real.json (a list of lists) or an imagenet2012_multilabel JSON (with \"initial_annots\")";
    if value.get("image_filenames").is_some() {
        return format!(
            "this is an ImageNetV2 dataset JSON (image list): import it with `bagel import images`; {expected}"
        );
    }
    let first = value.as_object().and_then(|o| o.values().next());
    if first.is_some_and(|v| v.get("top_prediction").is_some()) {
        return format!("this is an imagenet-mistakes review, not a label set; {expected}");
    }
    match value.is_object() {
        true => format!("a JSON of another format; {expected}"),
        false => format!("the JSON holds {}; {expected}", json::kind(value)),
    }
}

/// ReaL's real.json has one entry per ImageNet val image.
pub(crate) const REAL_ENTRIES: usize = 50_000;

/// ReaL lists val images by position: image i is ILSVRC2012_val_{i+1:08}.
pub(crate) fn val_position(file: &str) -> Option<usize> {
    let start = file.find("ILSVRC2012_val_")? + "ILSVRC2012_val_".len();
    let digits = file.get(start..start + 8)?;
    digits.parse::<usize>().ok()?.checked_sub(1)
}

/// The dataset images' sets, and the file's lists by entry, each in the file's order.
fn read_real(
    file: &Path,
    text: &str,
    images: &Images,
    vocab: &Vocabulary,
) -> Result<(ParsedLabels, Vec<Vec<ClassId>>)> {
    let value = json::parse(file, text)?;
    let Some(lists) = value.as_array() else {
        return Err(Error::bad_input(file, describe_other_json(&value)));
    };
    let mut entries = Vec::with_capacity(images.len());
    for (image, name) in images.files.iter().enumerate() {
        let position = val_position(name).ok_or_else(|| {
            Error::bad_input(
                file,
                format!(
                    "ReaL labels ImageNet val images by position, but dataset image {name:?} is not an ILSVRC2012_val_ file; import ReaL only into a dataset of val images"
                ),
            )
        })?;
        let list = lists.get(position).ok_or_else(|| {
            Error::bad_input(
                file,
                format!("has {} entries but the dataset holds {name} (entry {}); the file may be truncated", lists.len(), position + 1),
            )
        })?;
        let correct = class_list(list, vocab, || format!("entry {position} ({name})"))
            .map_err(|problem| Error::bad_input(file, problem))?;
        entries.push((
            image,
            LabelEntry {
                correct,
                ..Default::default()
            },
        ));
    }
    if lists.len() != REAL_ENTRIES {
        return Err(Error::bad_input(
            file,
            format!(
                "has {} entries; ReaL's real.json lists all {REAL_ENTRIES} ImageNet val images in order, so a missing or repeated entry would shift the labels of every later image; download real.json again",
                lists.len()
            ),
        ));
    }
    let listed = (lists.iter().enumerate())
        .map(|(entry, list)| class_list(list, vocab, || format!("entry {entry}")))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|problem| Error::bad_input(file, problem))?;
    let parsed = ParsedLabels {
        labels: ImageLabels::from_entries(LabelKind::Real, images.len(), entries),
        slice: None,
        warnings: Vec::new(),
    };
    Ok((parsed, listed))
}

/// A JSON list of labels (class indices or wnids); `at` names the record for messages.
fn class_list(
    value: &Value,
    vocab: &Vocabulary,
    at: impl Fn() -> String,
) -> std::result::Result<Vec<ClassId>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| format!("{}: {value} is not a list; expected a list of labels", at()))?;
    items
        .iter()
        .map(|item| {
            let label = match item {
                Value::Number(n) => n
                    .as_u64()
                    .filter(|&i| (i as usize) < vocab.len())
                    .map(|i| i as ClassId),
                Value::String(s) => vocab.parse_label(s),
                _ => None,
            };
            label.ok_or_else(|| {
                format!(
                    "{}: label {item} is neither a class index (0-{}) nor a wnid of the vocabulary",
                    at(),
                    vocab.len() - 1
                )
            })
        })
        .collect()
}

fn read_multilabel(
    file: &Path,
    text: &str,
    images: &Images,
    vocab: &Vocabulary,
) -> Result<ParsedLabels> {
    let value = json::parse(file, text)?;
    let Some(annotations) = value.get("initial_annots").and_then(Value::as_object) else {
        return Err(Error::bad_input(file, describe_other_json(&value)));
    };
    if annotations.is_empty() {
        return Err(Error::bad_input(
            file,
            "\"initial_annots\" is empty: the file holds no labeled image; expected {file: {\"correct\": [wnid, ..]}, ..}",
        ));
    }
    let index = FileIndex::new(images.files.iter().map(String::as_str));
    let mut entries: HashMap<usize, LabelEntry> = HashMap::new();
    let mut unmatched = Vec::new();
    for (name, lists) in annotations {
        let Some(image) = index.find(name) else {
            unmatched.push(name.as_str());
            continue;
        };
        let entry = annotation(name, lists, vocab).map_err(|why| Error::bad_input(file, why))?;
        entries.insert(image as usize, entry);
    }
    if entries.is_empty() {
        return Err(not_in_dataset(file, &unmatched, images));
    }
    for name in problematic_names(file, &value)? {
        match index.find(name) {
            Some(image) => entries.entry(image as usize).or_default().problematic = true,
            None => unmatched.push(name),
        }
    }
    let slice = match value.get("imagenet_m").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => {
            let names = (list.iter().enumerate())
                .map(|(at, item)| {
                    item.as_str().ok_or_else(|| {
                        Error::bad_input(
                            file,
                            format!("imagenet_m[{at}] is {item}; expected an image file name"),
                        )
                    })
                })
                .collect::<Result<Vec<&str>>>()?;
            let at = |entry| format!("imagenet_m[{entry}]");
            Some(slices::members(file, names.into_iter(), &index, at)?)
        }
        _ => None,
    };
    let mut warnings: Vec<String> = contradictions(&entries, images, vocab)
        .into_iter()
        .collect();
    if !unmatched.is_empty() {
        warnings.push(format!(
            "skipped {} entries for images not in the dataset (e.g. {:?})",
            unmatched.len(),
            unmatched[0]
        ));
    }
    Ok(ParsedLabels {
        labels: ImageLabels::from_entries(LabelKind::MultiLabel, images.len(), entries),
        slice,
        warnings,
    })
}

/// The lists of `initial_annots[name]`.
const ANNOTATION_KEYS: [&str; 3] = ["correct", "unclear", "wrong"];

/// One image's entry of `initial_annots`: an object of the label lists, no other key (a
/// misspelled "corect" would otherwise leave the image labeled with nothing).
fn annotation(
    name: &str,
    lists: &Value,
    vocab: &Vocabulary,
) -> std::result::Result<LabelEntry, String> {
    let accepted = ANNOTATION_KEYS.map(|key| format!("{key:?}")).join(", ");
    let Some(lists) = lists.as_object() else {
        return Err(format!(
            "initial_annots[{name:?}] is {}; expected an object of the lists {accepted}",
            json::kind(lists)
        ));
    };
    if let Some(key) = lists
        .keys()
        .find(|key| !ANNOTATION_KEYS.contains(&key.as_str()))
    {
        return Err(format!(
            "initial_annots[{name:?}] has the key {key:?}; expected only {accepted} (correct the key)"
        ));
    }
    let list = |key: &str| match lists.get(key) {
        Some(list) => class_list(list, vocab, || format!("initial_annots[{name:?}].{key}")),
        None => Ok(Vec::new()),
    };
    Ok(LabelEntry {
        correct: list("correct")?,
        unclear: list("unclear")?,
        wrong: list("wrong")?,
        problematic: false,
    })
}

/// The images `problematic_images` names: the keys of an object (as the v3 file has it, the
/// values unspecified), or a list of names.
fn problematic_names<'v>(file: &Path, value: &'v Value) -> Result<Vec<&'v str>> {
    match value.get("problematic_images") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(names)) => Ok(names.keys().map(String::as_str).collect()),
        Some(Value::Array(names)) => (names.iter())
            .map(|name| {
                name.as_str().ok_or_else(|| {
                    Error::bad_input(
                        file,
                        format!("problematic_images lists {name}; expected image file names"),
                    )
                })
            })
            .collect(),
        Some(other) => Err(Error::bad_input(
            file,
            format!(
                "problematic_images is {}; expected an object keyed by image file name, or a list of them",
                json::kind(other)
            ),
        )),
    }
}

/// A warning when images have a class in two of their lists (correct and wrong, say), as
/// 372 images of the TFDS multi-labels do: the metrics read correct and unclear labels as
/// valid whatever else lists them, so the file is read as it is and the user told.
fn contradictions(
    entries: &HashMap<usize, LabelEntry>,
    images: &Images,
    vocab: &Vocabulary,
) -> Option<String> {
    let twice = |entry: &LabelEntry| {
        let lists = [&entry.correct, &entry.unclear, &entry.wrong];
        let named = ["correct", "unclear", "wrong"];
        (0..3)
            .flat_map(move |a| (a + 1..3).map(move |b| (a, b)))
            .find_map(|(a, b)| {
                let class = lists[a].iter().find(|class| lists[b].contains(class))?;
                Some((*class, named[a], named[b]))
            })
    };
    let mut found: Vec<(usize, (ClassId, &str, &str))> = (entries.iter())
        .filter_map(|(&image, entry)| twice(entry).map(|pair| (image, pair)))
        .collect();
    found.sort_unstable_by_key(|(image, _)| *image);
    let (image, (class, first, second)) = *found.first()?;
    Some(format!(
        "{} images list a class in two of their lists (e.g. {:?} lists {} as both {first} and {second}); such a class counts as a valid label when it is correct or unclear: correct the file if it should not",
        found.len(),
        images.files[image],
        vocab.describe(class)
    ))
}

fn not_in_dataset(file: &Path, names: &[&str], images: &Images) -> Error {
    let example = names.first().copied().unwrap_or("(none)");
    let dataset_example = images
        .files
        .first()
        .map(String::as_str)
        .unwrap_or("(empty)");
    Error::bad_input(
        file,
        format!(
            "{} image names are not in the dataset (e.g. {example:?}; the dataset has names like {dataset_example:?}); import the images first or pick the right --dataset",
            names.len()
        ),
    )
}

/// Column names accepted for each field, ours first, then the TFDS / third-party dumps'.
const FILE_COLUMNS: &[&str] = &["file", "filename", "image", "id"];
const REAL_COLUMNS: &[&str] = &["labels", "real", "real_labels"];
const CORRECT_COLUMNS: &[&str] = &["correct", "proposed_labels", "correct_multi_labels"];
const UNCLEAR_COLUMNS: &[&str] = &["unclear", "unclear_multi_labels"];
const WRONG_COLUMNS: &[&str] = &["wrong", "wrong_multi_labels"];
const PROBLEMATIC_COLUMNS: &[&str] = &["problematic", "is_problematic"];
/// bagel's export marks the rows of decided pairs on images outside the multi-labels: they
/// are no image's labels, and reading them as such would add images to the set.
pub(crate) const OUTSIDE_MULTILABELS: &str = "outside_multilabels";

fn read_csv(file: &Path, text: &str, images: &Images, vocab: &Vocabulary) -> Result<ParsedLabels> {
    let mut reader = csv_text::with_header(file, text)?;
    let headers = csv_headers(file, &mut reader)?;
    let (kind, columns) = label_columns(file, &headers)?;
    let index = FileIndex::new(images.files.iter().map(String::as_str));
    let mut entries: HashMap<usize, LabelEntry> = HashMap::new();
    let mut unmatched = Vec::new();
    let mut outside = 0;
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| Error::bad_input(file, format!("line {line}: {e}")))?;
        let field = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("");
        if flag(file, line, OUTSIDE_MULTILABELS, field(columns.outside))? {
            outside += 1;
            continue;
        }
        let name = field(Some(columns.file));
        let Some(image) = index.find(name) else {
            unmatched.push(name.to_owned());
            continue;
        };
        let entry = label_entry(file, line, &record, &columns, vocab)?;
        if entries.insert(image as usize, entry).is_some() {
            return Err(Error::bad_input(
                file,
                format!(
                    "line {line}: image {name:?} appears a second time; give each image one row"
                ),
            ));
        }
    }
    if !unmatched.is_empty() {
        let names: Vec<&str> = unmatched.iter().map(String::as_str).collect();
        return Err(not_in_dataset(file, &names, images));
    }
    if entries.is_empty() {
        return Err(Error::bad_input(
            file,
            "no rows; expected one row per labeled image",
        ));
    }
    let outside = (outside > 0).then(|| {
        format!(
            "{outside} rows marked {OUTSIDE_MULTILABELS} hold a panel's decided pairs on images outside the multi-labels, not their labels: left out of the label set"
        )
    });
    let warnings = contradictions(&entries, images, vocab)
        .into_iter()
        .chain(outside);
    Ok(ParsedLabels {
        labels: ImageLabels::from_entries(kind, images.len(), entries),
        slice: None,
        warnings: warnings.collect(),
    })
}

/// Where a label CSV keeps each field.
struct LabelColumns {
    file: usize,
    /// ReaL's labels, or the multi-labels' correct ones.
    correct: usize,
    unclear: Option<usize>,
    wrong: Option<usize>,
    problematic: Option<usize>,
    /// bagel's mark on rows outside the multi-labels (see [`OUTSIDE_MULTILABELS`]).
    outside: Option<usize>,
}

/// The columns in `headers`, and whether they hold ReaL labels or multi-labels.
fn label_columns(path: &Path, headers: &[String]) -> Result<(LabelKind, LabelColumns)> {
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let file = column(FILE_COLUMNS).ok_or_else(|| {
        Error::bad_input(
            path,
            format!(
                "no file column in header {headers:?}; expected file,labels (ReaL-style) or file,correct,unclear,wrong,problematic"
            ),
        )
    })?;
    let (kind, correct) = match (column(REAL_COLUMNS), column(CORRECT_COLUMNS)) {
        (_, Some(c)) => (LabelKind::MultiLabel, c),
        (Some(c), None) => (LabelKind::Real, c),
        (None, None) => {
            return Err(Error::bad_input(
                path,
                format!(
                    "no label column in header {headers:?}; expected a labels column or correct,unclear,wrong,problematic"
                ),
            ));
        }
    };
    let columns = LabelColumns {
        file,
        correct,
        unclear: column(UNCLEAR_COLUMNS),
        wrong: column(WRONG_COLUMNS),
        problematic: column(PROBLEMATIC_COLUMNS),
        outside: column(&[OUTSIDE_MULTILABELS]),
    };
    Ok((kind, columns))
}

/// One row's label lists; `line` names it in errors.
fn label_entry(
    file: &Path,
    line: usize,
    record: &csv::StringRecord,
    columns: &LabelColumns,
    vocab: &Vocabulary,
) -> Result<LabelEntry> {
    let field = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("");
    let labels_of = |c: Option<usize>, what: &str| -> Result<Vec<ClassId>> {
        split_labels(field(c))
            .map(|token| {
                vocab.parse_label(token).ok_or_else(|| {
                    Error::bad_input(
                        file,
                        format!(
                            "line {line}, {what}: label {token:?} is neither a class index (0-{}) nor a wnid of the vocabulary",
                            vocab.len() - 1
                        ),
                    )
                })
            })
            .collect()
    };
    let problematic = flag(file, line, "problematic", field(columns.problematic))?;
    Ok(LabelEntry {
        correct: labels_of(Some(columns.correct), "labels")?,
        unclear: labels_of(columns.unclear, "unclear")?,
        wrong: labels_of(columns.wrong, "wrong")?,
        problematic,
    })
}

/// A true/false cell of a label CSV (empty is false).
fn flag(file: &Path, line: usize, column: &str, cell: &str) -> Result<bool> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "0" | "no" => Ok(false),
        "true" | "1" | "yes" => Ok(true),
        other => Err(Error::bad_input(
            file,
            format!("line {line}: {column} is {other:?}; expected true or false"),
        )),
    }
}
