//! `bagel import predictions`: a model's predictions on a dataset, from any file a reader of
//! `formats.rs` reads (N×C logits or probabilities, or N×k ranked class ids, with the rows'
//! image names when the file gives them), checked and written in one transaction.

use super::class_names::ClassNames;
use super::formats::read_table;
use super::npy;
use super::table::{Content, ReadOptions, Table};
use super::{FileIndex, ImportReport, read_file, read_image_list};
use crate::data::TopK;
use crate::data::sanity::check_predictions;
use crate::error::{Error, Result};
use crate::progress::{Progress, check_cancelled};
use crate::store::Project;
use crate::vocab::ClassId;
use rayon::prelude::*;
use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver, Sender};

pub struct PredictionImport<'a> {
    pub dataset: &'a str,
    /// (model name, file) pairs, all written in one transaction.
    pub files: &'a [(String, PathBuf)],
    /// A list naming the image of each row (text/CSV list or ImageNetV2 JSON); rows follow the
    /// dataset's order when None. Applies to .npy/.npz files; timm output names its images.
    pub order: Option<&'a Path>,
    /// How many ranked classes to keep (default: all given ids, or 5 from full scores).
    pub top_k: Option<usize>,
    pub replace: bool,
    /// The files rank worst first (as `fv_16k` on the ImageNetV2 sets does): read each row's
    /// class ids back to front. Only for ranked ids; bagel ranks full scores itself.
    pub reverse_ranks: bool,
    /// Column names and class counting for files whose writer let the user choose them.
    pub reading: ReadOptions,
}

const DEFAULT_K_FROM_SCORES: usize = 5;
const ROWS_PER_STEP: usize = 2048;

/// Model name from a file name: "preds/resnet152.npy" → "resnet152".
pub fn model_name_of(file: &Path) -> String {
    file.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

pub fn import_predictions(
    project: &mut Project,
    request: &PredictionImport,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    check_request(request)?;
    let dataset = project.dataset(request.dataset)?;
    let images = project.images(dataset.id)?;
    let index = OnceLock::new();
    let order = match request.order {
        Some(order) => {
            let (_, listed) = read_image_list(order, project.vocab())?;
            let index =
                index.get_or_init(|| FileIndex::new(images.files.iter().map(String::as_str)));
            Some((order, locate(order, &listed.files, index)?))
        }
        None => None,
    };
    let context = Context {
        dataset: request.dataset,
        files: &images.files,
        labels: &images.labels,
        index,
        order: order.as_ref().map(|(path, rows)| (*path, rows.as_slice())),
        num_classes: project.vocab().len(),
        top_k: request.top_k,
        reverse_ranks: request.reverse_ranks,
        reading: &request.reading,
        classes: ClassNames::new(project.vocab()),
    };
    // Files are read on rayon's threads while this one writes those already read, in the
    // order given, into the one transaction: the first file that fails (in that order) is the
    // error, and nothing is written.
    let many = request.files.len() > 1;
    if many {
        progress.begin("importing prediction files", request.files.len() as u64);
    }
    let mut parsed = Vec::with_capacity(request.files.len());
    let (mut warnings, mut sanity_warnings) = (Vec::new(), Vec::new());
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel();
        let context = &context;
        scope.spawn(move || read_all(request.files, context, progress, sender));
        let mut arrivals = InOrder::new(receiver, request.files.len());
        project.write_predictions(|writer| {
            for (model, file) in request.files {
                let checked = arrivals.next()?;
                if !many {
                    progress.begin("writing predictions", 0);
                }
                let origin = file.display().to_string();
                writer.insert(
                    model,
                    dataset.id,
                    &checked.predictions,
                    &origin,
                    request.replace,
                )?;
                warnings.extend(checked.file_warning);
                sanity_warnings.extend(checked.sanity_warning);
                parsed.push((model, checked.predictions));
                if many {
                    progress.advance(1);
                }
            }
            Ok(())
        })
    })?;
    let lines: Vec<String> = (parsed.iter())
        .map(|(model, predictions)| summary_line(request.dataset, model, predictions))
        .collect();
    warnings.extend(sanity_warnings);
    Ok(ImportReport {
        summary: lines.join("\n"),
        warnings,
    })
}

/// The request's own faults, found before any file is read.
fn check_request(request: &PredictionImport) -> Result<()> {
    if request.files.is_empty() {
        return Err(Error::Usage("no prediction files given".into()));
    }
    if request.top_k == Some(0) {
        return Err(Error::Usage("--top-k must be at least 1".into()));
    }
    let mut names = HashSet::new();
    for (model, file) in request.files {
        if let Some(problem) = crate::names::name_problem("model", model) {
            return Err(Error::Usage(format!(
                "{}: {problem} (--model, or the file's name)",
                file.display()
            )));
        }
        if !names.insert(model.as_str()) {
            return Err(Error::Usage(format!(
                "model {model:?} is given twice; give each model one file"
            )));
        }
    }
    Ok(())
}

/// What one file brought: the model, its images, ranks and scores.
fn summary_line(dataset: &str, model: &str, predictions: &TopK) -> String {
    let scores = match (&predictions.scores, &predictions.max_softmax) {
        (_, Some(_)) => "with scores, max softmax and entropy",
        (Some(_), None) => "with scores",
        (None, None) => "without scores",
    };
    format!(
        "model {model:?} on dataset {dataset:?}: {} images × top-{} {scores}",
        predictions.num_images(),
        predictions.k
    )
}

/// How many bytes of prediction files are read at once, when several are given. Files of
/// ranked class ids (a few MB each) are read side by side; logits files (200 MB for 50,000 ×
/// 1000 float32) go one at a time, as each is read in parallel inside, so the memory an import
/// takes does not grow with the number of cores.
const BYTES_READ_AT_ONCE: u64 = 256 << 20;

/// Reads the files on rayon's threads, a batch at a time, and sends each file's predictions
/// (or why it cannot be read) with its place in `files` as soon as it is read. Stops early
/// when nobody listens any more: the import has failed. One file shows its own phases on the
/// progress bar; several leave the bar to the writer.
fn read_all(
    files: &[(String, PathBuf)],
    context: &Context,
    progress: &dyn Progress,
    sender: Sender<(usize, Result<Checked>)>,
) {
    let shown: &dyn Progress = match files.len() {
        1 => progress,
        _ => &crate::progress::Silent,
    };
    for batch in batches_by_size(files) {
        let sent = batch
            .into_par_iter()
            .try_for_each_with(sender.clone(), |sender, at| {
                let (model, file) = &files[at];
                let checked = check_cancelled(progress)
                    .and_then(|()| read_predictions(file, context, shown))
                    .map(|(predictions, file_warning)| Checked {
                        sanity_warning: check_predictions(
                            model,
                            context.dataset,
                            &predictions,
                            context.labels,
                            context.num_classes,
                        )
                        .map(|warning| warning.message),
                        predictions,
                        file_warning,
                    });
                // An error here means nobody listens: stop reading.
                sender.send((at, checked)).map_err(drop)
            });
        if sent.is_err() {
            return;
        }
    }
}

/// A file's predictions, and a warning about the file when there is something to know.
type Read = (TopK, Option<String>);

/// A file's predictions with what the sanity checks (reversed ranks, near chance) say of
/// them: checked as soon as read, on the reading thread.
struct Checked {
    predictions: TopK,
    file_warning: Option<String>,
    sanity_warning: Option<String>,
}

/// Files read so far, handed over in the order they were given, whatever order they arrive in.
struct InOrder {
    receiver: Receiver<(usize, Result<Checked>)>,
    arrived: Vec<Option<Result<Checked>>>,
    next: usize,
}

impl InOrder {
    fn new(receiver: Receiver<(usize, Result<Checked>)>, files: usize) -> Self {
        InOrder {
            receiver,
            arrived: (0..files).map(|_| None).collect(),
            next: 0,
        }
    }

    /// The next file's predictions, waiting for them if they are still being read.
    fn next(&mut self) -> Result<Checked> {
        loop {
            if let Some(read) = self.arrived[self.next].take() {
                self.next += 1;
                return read;
            }
            // The reader sends every file unless this receiver is gone, so the channel
            // closes early only if the reader panicked, and the scope passes that panic on.
            let (at, read) = self.receiver.recv().map_err(|_| Error::Cancelled)?;
            self.arrived[at] = Some(read);
        }
    }
}

/// Consecutive runs of files whose sizes add up to at most [`BYTES_READ_AT_ONCE`] (a larger
/// file is a run of its own). A file whose size cannot be read counts as empty: reading it
/// will say what is wrong.
fn batches_by_size(files: &[(String, PathBuf)]) -> Vec<Range<usize>> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (at, (_, file)) in files.iter().enumerate() {
        let size = std::fs::metadata(file).map_or(0, |m| m.len());
        if at > start && bytes + size > BYTES_READ_AT_ONCE {
            batches.push(start..at);
            (start, bytes) = (at, 0);
        }
        bytes += size;
    }
    batches.push(start..files.len());
    batches
}

/// What every file of one import is checked against.
struct Context<'a> {
    dataset: &'a str,
    files: &'a [String],
    /// Each image's original label, for the sanity checks.
    labels: &'a [Option<ClassId>],
    /// Built on first use: rows in dataset order need no name lookups.
    index: OnceLock<FileIndex>,
    order: Option<(&'a Path, &'a [u32])>,
    num_classes: usize,
    top_k: Option<usize>,
    reverse_ranks: bool,
    reading: &'a ReadOptions,
    /// How labels (wnids, class names) name the vocabulary's classes.
    classes: ClassNames,
}

/// The predictions, and a warning about the file when there is something to know.
fn read_predictions(file: &Path, context: &Context, progress: &dyn Progress) -> Result<Read> {
    progress.begin(&format!("reading {}", file.display()), 0);
    let num_classes = context.num_classes;
    let background = usize::from(context.reading.background_class);
    refuse_wrong_score_columns(file, num_classes + background)?;
    let bytes = read_file(file)?;
    let mut table = read_table(
        file,
        bytes,
        context.files.len(),
        context.reading,
        &context.classes,
    )?
    .over_classes(file, num_classes, context.reading.background_class)?;
    if context.reverse_ranks {
        table = table.reversed(file)?;
    }
    let row_images = row_images(file, &table, context)?;
    let row_of_image = cover(file, &row_images, context.files)?;
    let note = table.note;
    match table.content {
        Content::Ranked { k, ids, probs } => {
            let given = Ranked {
                k,
                ids: &ids,
                probs: probs.as_deref(),
            };
            Ok((from_ranked(file, given, &row_of_image, context)?, note))
        }
        Content::Scores { classes, values } => {
            if classes != num_classes {
                return Err(Error::bad_input(
                    file,
                    format!(
                        "{classes} columns of scores; expected {num_classes} scores per image (one per class), or ranked class ids"
                    ),
                ));
            }
            let k = context
                .top_k
                .unwrap_or(DEFAULT_K_FROM_SCORES)
                .min(num_classes);
            let (top, warning) =
                from_scores(file, &values, num_classes, &row_of_image, k, progress)?;
            Ok((top, warning.or(note)))
        }
    }
}

/// The dataset image of each row: by name when the file names its images, else by the
/// --order list, else the dataset's own order.
fn row_images(file: &Path, table: &Table, context: &Context) -> Result<Vec<u32>> {
    let rows = table.rows();
    if let Some(names) = &table.names {
        let index = (context.index)
            .get_or_init(|| FileIndex::new(context.files.iter().map(String::as_str)));
        return match_names(file, names, index, context.dataset);
    }
    match context.order {
        Some((order, positions)) if positions.len() != rows => Err(Error::bad_input(
            file,
            format!(
                "has {rows} rows but --order {} names {} images; give the list the predictions were made in",
                order.display(),
                positions.len()
            ),
        )),
        Some((_, positions)) => Ok(positions.to_vec()),
        None if rows == context.files.len() => Ok((0..rows as u32).collect()),
        None => Err(Error::bad_input(
            file,
            format!(
                "has {rows} rows but dataset {:?} has {} images; rows must follow the dataset's order, or name their images with --order",
                context.dataset,
                context.files.len()
            ),
        )),
    }
}

/// The images a file's own names give its rows; a name that is no image of the dataset is
/// refused, naming the first few, so rows are never matched by position when names disagree.
fn match_names(
    file: &Path,
    names: &[String],
    index: &FileIndex,
    dataset: &str,
) -> Result<Vec<u32>> {
    const NAMED: usize = 3;
    let found: Vec<Option<u32>> = names.iter().map(|name| index.find(name)).collect();
    let missing: Vec<usize> = (0..names.len())
        .filter(|&row| found[row].is_none())
        .collect();
    if missing.is_empty() {
        return Ok(found.into_iter().flatten().collect());
    }
    let first: Vec<String> = (missing.iter().take(NAMED))
        .map(|&row| format!("row {row} {:?}", names[row]))
        .collect();
    Err(Error::bad_input(
        file,
        format!(
            "{} of its {} image names are not images of dataset {dataset:?} ({}); the file names its rows' images, so they must be the dataset's: check that it was computed on this dataset",
            missing.len(),
            names.len(),
            first.join(", ")
        ),
    ))
}

/// A float .npy whose header announces another number of columns than the vocabulary has
/// classes, refused from its first bytes instead of after reading it whole.
fn refuse_wrong_score_columns(file: &Path, num_classes: usize) -> Result<()> {
    let mut head = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, HEAD_BYTES), &mut head)
        })
        .map_err(|e| Error::io(file, e))?;
    match npy::announced_float_columns(&head) {
        Some(cols) if u64::try_from(num_classes).ok() != Some(cols) => {
            let background = match u64::try_from(num_classes + 1).ok() == Some(cols) {
                true => {
                    " (TF-slim's classifiers count a background class first: import with --background-class)"
                }
                false => "",
            };
            Err(Error::bad_input(
                file,
                format!(
                    "float array with {cols} columns; expected {num_classes} scores per image (one per class), or an integer array of class ids{background}"
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Enough of a file for any .npy header numpy writes (it reads at most 10,000 bytes of one).
const HEAD_BYTES: u64 = 16 * 1024;

/// Dataset positions of the listed names, in list order.
fn locate(list_file: &Path, names: &[String], index: &FileIndex) -> Result<Vec<u32>> {
    names
        .iter()
        .enumerate()
        .map(|(row, name)| {
            index.find(name).ok_or_else(|| {
                Error::bad_input(list_file, format!("row {row}: image {name:?} is not in the dataset; predictions must be for the dataset's images"))
            })
        })
        .collect()
}

/// For each dataset image, the source row holding its predictions; every image exactly once.
fn cover(file: &Path, row_images: &[u32], files: &[String]) -> Result<Vec<usize>> {
    let mut row_of_image = vec![usize::MAX; files.len()];
    for (row, &image) in row_images.iter().enumerate() {
        let slot = &mut row_of_image[image as usize];
        if *slot != usize::MAX {
            return Err(Error::bad_input(
                file,
                format!(
                    "rows {} and {row} both predict image {:?}; give each image one row",
                    *slot, files[image as usize]
                ),
            ));
        }
        *slot = row;
    }
    if let Some(missing) = row_of_image.iter().position(|&r| r == usize::MAX) {
        let count = row_of_image.iter().filter(|&&r| r == usize::MAX).count();
        return Err(Error::bad_input(
            file,
            format!(
                "has no predictions for {count} images of the dataset (e.g. {:?}); predictions must cover every image",
                files[missing]
            ),
        ));
    }
    Ok(row_of_image)
}

/// One row's ranked class ids, checked as they are appended: each within the vocabulary and
/// given once (a class ranked twice would count twice in the metrics that read the top-k).
/// `seen[c] == row + 1` marks class c as met in this row, so no row clears it.
/// Called for every row of every file: the errors are built out of line to keep this loop small.
#[inline]
fn push_ranked_row(
    file: &Path,
    row: usize,
    ids: &[i64],
    num_classes: usize,
    seen: &mut [u32],
    out: &mut Vec<ClassId>,
) -> Result<()> {
    let start = out.len();
    let stamp = row as u32 + 1;
    for (column, &value) in ids.iter().enumerate() {
        let Some(class) = usize::try_from(value).ok().filter(|&c| c < num_classes) else {
            return Err(class_out_of_range(file, row, column, value, num_classes));
        };
        if std::mem::replace(&mut seen[class], stamp) == stamp {
            let first = out[start..].iter().position(|&c| c as usize == class);
            return Err(class_given_twice(file, row, first, column, value));
        }
        out.push(class as ClassId);
    }
    Ok(())
}

#[cold]
fn class_out_of_range(
    file: &Path,
    row: usize,
    column: usize,
    value: i64,
    num_classes: usize,
) -> Error {
    let shifted = match value == num_classes as i64 {
        true => {
            " (TF-slim's classifiers count a background class first: import with --background-class)"
        }
        false => "",
    };
    Error::bad_input(
        file,
        format!(
            "row {row}, column {column}: class id {value} is out of range 0-{}; predictions must use the vocabulary's class indices{shifted}",
            num_classes - 1
        ),
    )
}

#[cold]
fn class_given_twice(
    file: &Path,
    row: usize,
    first: Option<usize>,
    column: usize,
    value: i64,
) -> Error {
    Error::bad_input(
        file,
        format!(
            "row {row}: class id {value} is given twice (columns {} and {column}); each row must rank distinct classes, re-export the predictions",
            first.unwrap_or_default()
        ),
    )
}

/// Ranked class ids as a file gives them: `k` a row, with each rank's probability when known.
struct Ranked<'a> {
    k: usize,
    ids: &'a [i64],
    probs: Option<&'a [f32]>,
}

fn from_ranked(
    file: &Path,
    given: Ranked,
    row_of_image: &[usize],
    context: &Context,
) -> Result<TopK> {
    let cols = given.k;
    let k = context.top_k.unwrap_or(cols).min(cols);
    let mut class_ids = Vec::with_capacity(row_of_image.len() * k);
    let mut scores = given
        .probs
        .map(|_| Vec::with_capacity(row_of_image.len() * k));
    let mut seen = vec![0; context.num_classes];
    for &row in row_of_image {
        let ids = &given.ids[row * cols..row * cols + k];
        push_ranked_row(
            file,
            row,
            ids,
            context.num_classes,
            &mut seen,
            &mut class_ids,
        )?;
        if let (Some(scores), Some(probs)) = (&mut scores, given.probs) {
            let row_probs = &probs[row * cols..row * cols + k];
            if let Some(rank) = row_probs.iter().position(|p| !p.is_finite()) {
                return Err(Error::bad_input(
                    file,
                    format!(
                        "row {row}: probability {rank} is not finite; re-export the predictions"
                    ),
                ));
            }
            scores.extend_from_slice(row_probs);
        }
    }
    Ok(TopK {
        k,
        class_ids,
        scores,
        ..Default::default()
    })
}

/// One image's full score vector reduced to what bagel keeps.
struct Reduced {
    ids: Vec<ClassId>,
    probs: Vec<f32>,
    max_softmax: f32,
    entropy: f32,
}

/// The rule, per file: a file is probabilities when every row is non-negative and sums to 1
/// within [`SUM_TOLERANCE`]; otherwise it is logits, and every row goes through a softmax.
/// A file whose rows disagree (some look like probabilities, some do not) is logits by the
/// rule, with a warning naming the rows that are not probabilities.
fn from_scores(
    file: &Path,
    values: &[f32],
    num_classes: usize,
    row_of_image: &[usize],
    k: usize,
    progress: &dyn Progress,
) -> Result<(TopK, Option<String>)> {
    let rows = values.len() / num_classes;
    let row = |r: usize| &values[r * num_classes..(r + 1) * num_classes];
    if let Some((r, c)) = (0..rows)
        .into_par_iter()
        .find_map_first(|r| row(r).iter().position(|v| !v.is_finite()).map(|c| (r, c)))
    {
        return Err(Error::bad_input(
            file,
            format!(
                "row {r}, column {c}: score is {}; expected finite logits or probabilities, re-export the predictions",
                row(r)[c]
            ),
        ));
    }
    let not_probabilities: Vec<usize> = (0..rows)
        .into_par_iter()
        .filter(|&r| !is_probability_row(row(r)))
        .collect();
    let are_probabilities = not_probabilities.is_empty();
    let warning = (!are_probabilities && not_probabilities.len() < rows).then(|| {
        let why = mixed_rows_warning(&not_probabilities, rows, row);
        format!("{}: {why}", file.display())
    });
    progress.begin("keeping top-k scores", row_of_image.len() as u64);
    let reduced: Vec<Reduced> = row_of_image
        .par_chunks(ROWS_PER_STEP)
        .map(|chunk| {
            check_cancelled(progress)?;
            let part = chunk
                .iter()
                .map(|&r| reduce(row(r), k, are_probabilities))
                .collect::<Vec<_>>();
            progress.advance(chunk.len() as u64);
            Ok(part)
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let mut class_ids = Vec::with_capacity(reduced.len() * k);
    let mut scores = Vec::with_capacity(reduced.len() * k);
    let mut max_softmax = Vec::with_capacity(reduced.len());
    let mut entropy = Vec::with_capacity(reduced.len());
    for image in reduced {
        class_ids.extend(image.ids);
        scores.extend(image.probs);
        max_softmax.push(image.max_softmax);
        entropy.push(image.entropy);
    }
    let top = TopK {
        k,
        class_ids,
        scores: Some(scores),
        max_softmax: Some(max_softmax),
        entropy: Some(entropy),
    };
    Ok((top, warning))
}

/// How far from 1 a row of probabilities may sum (float32 rounding over 1000 classes).
const SUM_TOLERANCE: f64 = 1e-3;

fn is_probability_row(scores: &[f32]) -> bool {
    scores.iter().all(|&v| v >= 0.0)
        && (scores.iter().map(|&v| v as f64).sum::<f64>() - 1.0).abs() < SUM_TOLERANCE
}

/// Names the rows that are not probabilities in a file whose other rows are.
fn mixed_rows_warning<'a>(
    not_probabilities: &[usize],
    rows: usize,
    row: impl Fn(usize) -> &'a [f32],
) -> String {
    const NAMED: usize = 5;
    let named: Vec<String> = (not_probabilities.iter().take(NAMED))
        .map(|&r| {
            let sum: f64 = row(r).iter().map(|&v| v as f64).sum();
            let min = row(r).iter().copied().fold(f32::INFINITY, f32::min);
            format!("row {r} (sum {sum:.4}, min {min:.4})")
        })
        .collect();
    let more = match not_probabilities.len().saturating_sub(NAMED) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!(
        "{} of {rows} rows are probabilities (non-negative, summing to 1 within {SUM_TOLERANCE}) but these are not: {}{more}; so the whole file was read as logits and softmaxed; if it holds probabilities, fix those rows and import again with --replace",
        rows - not_probabilities.len(),
        named.join(", ")
    )
}

fn reduce(scores: &[f32], k: usize, are_probabilities: bool) -> Reduced {
    let ids = top_indices(scores, k);
    if are_probabilities {
        let entropy: f64 = scores
            .iter()
            .filter(|&&p| p > 0.0)
            .map(|&p| -(p as f64) * (p as f64).ln())
            .sum();
        return Reduced {
            probs: ids.iter().map(|&c| scores[c as usize]).collect(),
            max_softmax: scores[ids[0] as usize],
            entropy: entropy as f32,
            ids,
        };
    }
    // softmax(x)_c = e^(x_c - m) / S with S = Σ e^(x_j - m); H = ln S - Σ p_j (x_j - m).
    let max = scores[ids[0] as usize] as f64;
    let (mut sum, mut weighted) = (0.0f64, 0.0f64);
    for &x in scores {
        let shifted = x as f64 - max;
        let e = shifted.exp();
        sum += e;
        weighted += e * shifted;
    }
    Reduced {
        probs: ids
            .iter()
            .map(|&c| ((scores[c as usize] as f64 - max).exp() / sum) as f32)
            .collect(),
        max_softmax: (1.0 / sum) as f32,
        entropy: (sum.ln() - weighted / sum) as f32,
        ids,
    }
}

/// Indices of the k largest scores, best first; ties go to the lower class index.
fn top_indices(scores: &[f32], k: usize) -> Vec<ClassId> {
    let mut best: Vec<ClassId> = Vec::with_capacity(k + 1);
    for (class, &score) in scores.iter().enumerate() {
        if best.len() == k && score <= scores[best[k - 1] as usize] {
            continue;
        }
        let at = best.partition_point(|&b| scores[b as usize] >= score);
        best.insert(at, class as ClassId);
        best.truncate(k);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_indices_are_best_first() {
        assert_eq!(top_indices(&[0.1, 0.5, 0.2, 0.9, 0.5], 3), vec![3, 1, 4]);
        assert_eq!(top_indices(&[1.0, 2.0], 5), vec![1, 0]);
    }

    #[test]
    fn logits_go_through_softmax_and_probabilities_do_not() {
        let logits = [0.0f32, (2.0f32).ln(), 0.0, (4.0f32).ln()];
        let reduced = reduce(&logits, 2, false);
        assert_eq!(reduced.ids, vec![3, 1]);
        assert!((reduced.probs[0] - 0.5).abs() < 1e-6 && (reduced.probs[1] - 0.25).abs() < 1e-6);
        assert!((reduced.max_softmax - 0.5).abs() < 1e-6);
        let entropy = -(0.5f64 * 0.5f64.ln() + 0.25 * 0.25f64.ln() + 2.0 * 0.125 * 0.125f64.ln());
        assert!((reduced.entropy as f64 - entropy).abs() < 1e-5);
        let probabilities = [0.125f32, 0.25, 0.125, 0.5];
        let same = reduce(&probabilities, 2, true);
        assert_eq!(same.ids, reduced.ids);
        assert!((same.entropy - reduced.entropy).abs() < 1e-5);
    }
}
