//! `bagel import images`: a dataset's ordered image list with original labels, from an
//! ImageFolder tree, a text/CSV list, or an ImageNetV2 dataset JSON.

use super::{ImportReport, read_text};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::store::{Images, Project, stays_under_root};
use crate::vocab::Vocabulary;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSource {
    /// Sub-folders named by wnid (or class index) hold the images of that class.
    ImageFolder,
    /// One image per line: file[,label] (comma, tab or space separated; optional header).
    List,
    /// ImageNetV2's dataset JSON: {"image_filenames": [[file, wnid], ...]}.
    V2Json,
}

const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff"];

/// Reads an image list from any of the supported sources, telling which it was.
pub fn read_image_list(source: &Path, vocab: &Vocabulary) -> Result<(ImageSource, Images)> {
    if source.is_dir() {
        return Ok((ImageSource::ImageFolder, read_image_folder(source, vocab)?));
    }
    let text = read_text(source)?;
    let json_named = source
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let images = if json_named || text.trim_start().starts_with(['{', '[']) {
        (ImageSource::V2Json, read_v2_json(source, &text, vocab)?)
    } else {
        (ImageSource::List, read_list(source, &text, vocab)?)
    };
    check_unique(source, &images.1)?;
    Ok(images)
}

/// Imports a dataset whose image names stay under the image root.
pub fn import_images(
    project: &mut Project,
    dataset: &str,
    source: &Path,
    root: Option<&Path>,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    import_images_from(project, dataset, source, root, false, progress)
}

/// Imports a dataset; with `anywhere`, image names may be absolute paths or climb out of the
/// root with `..` (`bagel import images --allow-absolute`); the desk reads them there only for
/// a person who allows it (`bagel open --images-anywhere`), never because the file says so.
pub fn import_images_from(
    project: &mut Project,
    dataset: &str,
    source: &Path,
    root: Option<&Path>,
    anywhere: bool,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let dataset = super::check_name("dataset", dataset)?;
    let dataset = dataset.as_str();
    progress.begin("reading image list", 0);
    let (kind, images) = read_image_list(source, project.vocab())?;
    if !anywhere {
        check_under_root(source, &images)?;
    }
    let root: Option<PathBuf> = match (kind, root) {
        (_, Some(root)) => Some(root.to_path_buf()),
        (ImageSource::ImageFolder, None) => Some(source.to_path_buf()),
        (_, None) => None,
    };
    let root = root.map(|r| std::path::absolute(&r).unwrap_or(r));
    let root_text = root.as_ref().map(|r| r.display().to_string());
    let labeled = images.labels.iter().filter(|l| l.is_some()).count();
    progress.begin("writing images", images.len() as u64);
    let origin = source.display().to_string();
    project.add_dataset(dataset, root_text.as_deref(), &origin, &images)?;
    progress.advance(images.len() as u64);
    let mut warnings = Vec::new();
    if labeled < images.len() {
        warnings.push(format!(
            "{} of {} images have no original label; top-1, top-5 and MLA skip them",
            images.len() - labeled,
            images.len()
        ));
    }
    if root.is_none() {
        warnings.push("no --root given: the desk will not find the image files".into());
    }
    Ok(ImportReport {
        summary: format!(
            "dataset {dataset:?}: {} images, {labeled} with an original label{}",
            images.len(),
            root_text
                .map(|r| format!(", images under {r}"))
                .unwrap_or_default()
        ),
        warnings,
    })
}

fn read_image_folder(folder: &Path, vocab: &Vocabulary) -> Result<Images> {
    let mut images = Images::default();
    let mut entries = list_dir(folder)?;
    entries.sort();
    let has_class_folders = entries.iter().any(|p| p.is_dir());
    if !has_class_folders {
        for path in entries.iter().filter(|p| is_image(p)) {
            images.files.push(file_name(path));
            images.labels.push(None);
        }
    }
    for class_folder in entries.iter().filter(|p| p.is_dir()) {
        let name = file_name(class_folder);
        let label = vocab.parse_label(&name).ok_or_else(|| {
            Error::bad_input(
                folder,
                format!(
                    "sub-folder {name:?} is not a wnid or class index of the vocabulary; an ImageFolder tree needs one folder per class named by its wnid"
                ),
            )
        })?;
        let mut files = list_dir(class_folder)?;
        files.sort();
        for path in files.iter().filter(|p| is_image(p)) {
            images.files.push(format!("{name}/{}", file_name(path)));
            images.labels.push(Some(label));
        }
    }
    if images.is_empty() {
        return Err(Error::bad_input(
            folder,
            format!(
                "no image files ({}) found; expected wnid sub-folders holding images",
                IMAGE_EXTENSIONS.join(", ")
            ),
        ));
    }
    Ok(images)
}

fn list_dir(folder: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(folder).map_err(|e| Error::io(folder, e))?;
    entries
        .map(|entry| entry.map(|e| e.path()).map_err(|e| Error::io(folder, e)))
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

fn is_image(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

const FILE_HEADERS: &[&str] = &["file", "filename", "file_name", "image", "path", "id"];
const LABEL_HEADERS: &[&str] = &["label", "wnid", "class", "original_label", "target"];

/// The list's records, each with its line, blank lines left out: CSV (comma-separated, else
/// tab-separated, with fields quoted as pandas quotes them), or names and labels separated by
/// spaces. An empty field stays (`, n01440764` has no file name, it is not a file named
/// n01440764), and so does an empty quoted name (`""`).
fn list_records(source: &Path, text: &str) -> Result<Vec<(u64, Vec<String>)>> {
    let delimiter = match text {
        _ if text.contains(',') => b',',
        _ if text.contains('\t') => b'\t',
        _ => {
            let unquoted = |field: &str| field.trim_matches('"').to_owned();
            let fields = |line: &str| line.split_whitespace().map(unquoted).collect();
            let lines = (1..).zip(text.lines().map(fields));
            return Ok(lines
                .filter(|(_, fields): &(_, Vec<_>)| !fields.is_empty())
                .collect());
        }
    };
    let mut records = Vec::new();
    // The csv crate skips empty lines; a line of spaces is one field of spaces.
    for record in super::csv_text::headerless(source, text, delimiter)?.records() {
        let record = record.map_err(|e| Error::bad_input(source, e.to_string()))?;
        let blank = record.len() == 1 && !record[0].is_empty() && record[0].trim().is_empty();
        if !blank {
            let line = record.position().map_or(0, csv::Position::line);
            records.push((line, record.iter().map(|f| f.trim().to_owned()).collect()));
        }
    }
    Ok(records)
}

fn read_list(source: &Path, text: &str, vocab: &Vocabulary) -> Result<Images> {
    let mut images = Images::default();
    let mut label_column = Some(1);
    let mut records = list_records(source, text)?.into_iter().peekable();
    if let Some((_, fields)) = records.peek() {
        let first = fields[0].to_ascii_lowercase();
        if FILE_HEADERS.contains(&first.as_str()) {
            label_column = fields
                .iter()
                .position(|f| LABEL_HEADERS.contains(&f.to_ascii_lowercase().as_str()));
            records.next();
        }
    }
    for (line, fields) in records {
        let at = || format!("line {line}");
        let name = fields[0].as_str();
        check_image_name(name).map_err(|problem| {
            Error::bad_input(
                source,
                format!("{}: {problem}; expected file[,label] on every line", at()),
            )
        })?;
        let label = match label_column.and_then(|c| fields.get(c)).map(String::as_str) {
            None | Some("") => None,
            Some(token) => Some(vocab.parse_label(token).ok_or_else(|| {
                Error::bad_input(
                    source,
                    format!(
                        "{}: label {token:?} is neither a class index (0-{}) nor a wnid of the vocabulary; correct the label",
                        at(),
                        vocab.len() - 1
                    ),
                )
            })?),
        };
        images.files.push(name.to_owned());
        images.labels.push(label);
    }
    if images.is_empty() {
        return Err(Error::bad_input(
            source,
            "no image names; expected one file[,label] per line",
        ));
    }
    Ok(images)
}

/// An image name is a file name: not blank, no control characters (NUL, line breaks).
fn check_image_name(name: &str) -> std::result::Result<(), String> {
    if name.trim().is_empty() {
        return Err(format!("the image name {name:?} is blank"));
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "the image name {name:?} holds a control character (NUL, line break, ...)"
        ));
    }
    Ok(())
}

fn read_v2_json(source: &Path, text: &str, vocab: &Vocabulary) -> Result<Images> {
    let value = super::json::parse(source, text)?;
    let Some(rows) = value.get("image_filenames").and_then(|v| v.as_array()) else {
        let hint = if value.get("initial_annots").is_some() || value.is_array() {
            "; it looks like a label file: use `bagel import labels`"
        } else {
            ""
        };
        return Err(Error::bad_input(
            source,
            format!(
                "a JSON without \"image_filenames\"; expected an ImageNetV2 dataset JSON {{\"image_filenames\": [[file, wnid], ...]}}{hint}"
            ),
        ));
    };
    let mut images = Images::default();
    for (record, row) in rows.iter().enumerate() {
        let pair = row.as_array().filter(|p| p.len() == 2);
        let (file, wnid) = match pair.map(|p| (p[0].as_str(), p[1].as_str())) {
            Some((Some(file), Some(wnid))) => (file, wnid),
            _ => {
                return Err(Error::bad_input(
                    source,
                    format!("image_filenames[{record}] is {row}; expected [\"file\", \"wnid\"]"),
                ));
            }
        };
        check_image_name(file).map_err(|problem| {
            Error::bad_input(
                source,
                format!("image_filenames[{record}]: {problem}; expected [\"file\", \"wnid\"]"),
            )
        })?;
        let label = vocab.by_wnid(wnid).ok_or_else(|| {
            Error::bad_input(
                source,
                format!("image_filenames[{record}]: unknown wnid {wnid:?}; expected a wnid of the vocabulary"),
            )
        })?;
        images.files.push(file.to_owned());
        images.labels.push(Some(label));
    }
    if images.is_empty() {
        return Err(Error::bad_input(
            source,
            "\"image_filenames\" is empty; expected [[file, wnid], ...]",
        ));
    }
    Ok(images)
}

/// Image names are paths under the root unless the user says otherwise: a list naming
/// "../../etc/passwd" must not make the desk read outside the image folder.
fn check_under_root(source: &Path, images: &Images) -> Result<()> {
    match (images.files.iter().enumerate()).find(|(_, f)| !stays_under_root(Path::new(f))) {
        None => Ok(()),
        Some((position, file)) => Err(Error::bad_input(
            source,
            format!(
                "image {file:?} (entry {}) is an absolute path or leaves the image root with \"..\"; image names are paths under --root. If the list names files elsewhere on purpose, import it with --allow-absolute",
                position + 1
            ),
        )),
    }
}

fn check_unique(source: &Path, images: &Images) -> Result<()> {
    let mut seen = HashSet::with_capacity(images.len());
    for (position, file) in images.files.iter().enumerate() {
        if !seen.insert(file.as_str()) {
            return Err(Error::bad_input(
                source,
                format!(
                    "image {file:?} is listed twice (second time as entry {}); list every image once",
                    position + 1
                ),
            ));
        }
    }
    Ok(())
}
