//! `bagel slice --file`: an image list (such as the published ImageNet-M 68) stored as a slice.

use super::{FileIndex, ImportReport, read_text};
use crate::error::{Error, Result};
use crate::store::Project;
use std::path::Path;

/// Reads file names, one per line, or a JSON list of names (or an object with "imagenet_m").
pub fn import_slice(
    project: &mut Project,
    dataset: &str,
    name: &str,
    file: &Path,
) -> Result<ImportReport> {
    let info = project.dataset(dataset)?;
    let images = project.images(info.id)?;
    let text = read_text(file)?;
    let names: Vec<String> = if text.trim_start().starts_with(['[', '{']) {
        let value = super::json::parse(file, &text)?;
        let list = value.get("imagenet_m").unwrap_or(&value);
        let Some(items) = list.as_array() else {
            return Err(Error::bad_input(
                file,
                "expected a JSON list of image file names (or an object with \"imagenet_m\")",
            ));
        };
        items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| Error::bad_input(file, format!("{item} is not a file name")))
            })
            .collect::<Result<_>>()?
    } else {
        text.lines()
            .map(|line| line.split(',').next().unwrap_or("").trim().to_owned())
            .filter(|line| !line.is_empty())
            .collect()
    };
    let index = FileIndex::new(images.files.iter().map(String::as_str));
    let names = names.iter().map(String::as_str);
    let members = members(file, names, &index, |at| format!("entry {}", at + 1))?;
    if members.is_empty() {
        return Err(Error::bad_input(
            file,
            "no image names; expected one file name per line",
        ));
    }
    let replaced = project.save_slice(info.id, name, &members, &file.display().to_string())?;
    Ok(ImportReport {
        summary: format!(
            "slice {name:?} of dataset {dataset:?}: {} images{}",
            members.len(),
            crate::store::replaced_slice_note(replaced.as_deref())
        ),
        warnings: Vec::new(),
    })
}

/// The dataset images a slice list names, each once, in dataset order: a list naming an image
/// twice makes a slice of it once, whichever path (`slice --file`, a label file's
/// `imagenet_m`) it comes by. `at` names an entry by its position for messages.
pub(super) fn members<'a>(
    file: &Path,
    names: impl Iterator<Item = &'a str>,
    index: &FileIndex,
    at: impl Fn(usize) -> String,
) -> Result<Vec<u32>> {
    let mut members = (names.enumerate())
        .map(|(entry, name)| {
            index.find(name).ok_or_else(|| {
                Error::bad_input(
                    file,
                    format!(
                        "{}: {name:?} is not an image of the dataset; check the dataset name",
                        at(entry)
                    ),
                )
            })
        })
        .collect::<Result<Vec<u32>>>()?;
    members.sort_unstable();
    members.dedup();
    Ok(members)
}
