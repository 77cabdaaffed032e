//! A named slice as a list of image file names, one per line, as `bagel slice --file` reads it.

use crate::durable::write_atomically;
use crate::error::{Error, Result};
use crate::store::Project;
use std::path::Path;

/// Writes the slice's files in dataset order; returns how many.
pub fn export_slice(project: &Project, dataset: &str, name: &str, out: &Path) -> Result<usize> {
    let info = project.dataset(dataset)?;
    let Some(mut members) = project.slice(info.id, name)? else {
        let names = project.slice_names(info.id)?;
        let problem = if names.is_empty() {
            "has no slices; make one with `bagel slice`".to_owned()
        } else {
            format!("has no slice {name:?}; it has: {}", names.join(", "))
        };
        return Err(Error::Usage(format!("dataset {dataset:?} {problem}")));
    };
    members.sort_unstable();
    let files = project.images(info.id)?.files;
    let what = format!("slice {name:?}");
    let names: Vec<&str> = members
        .iter()
        .map(|&image| super::file_of(project, &files, image, &what))
        .collect::<Result<_>>()?;
    // The list reader takes a line up to its first comma, trimmed: such a name would not
    // come back as itself.
    if let Some(odd) = names
        .iter()
        .find(|n| n.contains([',', '\n', '\r']) || n.trim() != **n)
    {
        return Err(Error::Usage(format!(
            "slice {name:?} holds {odd:?}, whose comma, line break or outer space a list of file names cannot carry; export the labels as multilabel JSON instead (its imagenet_m list holds the slice)"
        )));
    }
    write_atomically(out, |sink| {
        for name in &names {
            writeln!(sink, "{name}")?;
        }
        Ok(())
    })?;
    Ok(names.len())
}
