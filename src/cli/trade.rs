//! `bagel export fiftyone|label-studio`: the project in the layouts of the tools a team
//! already uses.

use super::{out, read};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ExportFiftyOne {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// The folder to write (created if missing): load it with its load.py.
    out: PathBuf,
}

pub fn fiftyone(args: ExportFiftyOne) -> Result<()> {
    let project = read(&args.project)?;
    let written = crate::export::export_fiftyone(&project, &args.dataset, &args.out)
        .map_err(|e| e.in_project(&args.project))?;
    out::line(format_args!(
        "{} images, {} models and {} decisions written to {} for FiftyOne (python {}/load.py)",
        written.images,
        written.models,
        written.decisions,
        args.out.display(),
        args.out.display()
    ))
}

#[derive(Args)]
pub struct ExportLabelStudio {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// The tasks JSON to write; the labeling config goes beside it as .xml.
    out: PathBuf,
}

pub fn label_studio(args: ExportLabelStudio) -> Result<()> {
    let project = read(&args.project)?;
    let tasks = crate::export::export_label_studio(&project, &args.dataset, &args.out)
        .map_err(|e| e.in_project(&args.project))?;
    out::line(format_args!(
        "{tasks} tasks written to {} (labeling config: {})",
        args.out.display(),
        args.out.with_extension("xml").display()
    ))
}
