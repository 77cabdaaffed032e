//! `bagel export labels|slice|decisions` and `bagel metrics --csv`: files others can use, each
//! readable back by bagel's importers.

use super::{out, read};
use crate::export::LabelLayout;
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct ExportLabels {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// multilabel (imagenet2012_multilabel JSON), real (the imported real.json with the
    /// decisions overlaid), multilabel-as-real (the multi-labels in ReaL's layout) or csv
    /// (file,correct,unclear,wrong,problematic,outside_multilabels). Default: multilabel for
    /// a .json file, csv otherwise.
    #[arg(long, value_enum)]
    format: Option<ExportFormat>,
    out: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Multilabel,
    Real,
    MultilabelAsReal,
    Csv,
}

#[derive(Args)]
pub struct ExportSlice {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    #[arg(long, default_value = "imagenet_m")]
    name: String,
    /// The slice's image file names, one per line (read back by `bagel slice --file`).
    out: PathBuf,
}

#[derive(Args)]
pub struct ExportDecisions {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// CSV file,label,verdict,category,severity,severity_word,source,reason,kind.
    out: PathBuf,
}

pub fn labels(args: ExportLabels) -> Result<()> {
    let project = read(&args.project)?;
    let format = match args.format {
        Some(ExportFormat::Real) => LabelLayout::Real,
        Some(ExportFormat::Multilabel) => LabelLayout::MultiLabel,
        Some(ExportFormat::MultilabelAsReal) => LabelLayout::MultilabelAsReal,
        Some(ExportFormat::Csv) => LabelLayout::Csv,
        None => crate::export::label_format_for(&args.out),
    };
    let rows = crate::export::export_labels_as(&project, &args.dataset, format, &args.out)
        .map_err(|e| e.in_project(&args.project))?;
    let layout = match format {
        LabelLayout::Real => "real.json with the decisions overlaid",
        LabelLayout::MultilabelAsReal => "the multi-labels as a ReaL list",
        LabelLayout::MultiLabel => "multilabel JSON",
        LabelLayout::Csv => "CSV",
    };
    out::written(
        &args.out,
        format_args!(
            "{rows} images' labels written to {} ({layout})",
            args.out.display()
        ),
    )
}

pub fn slice(args: ExportSlice) -> Result<()> {
    let project = read(&args.project)?;
    let count = crate::export::export_slice(&project, &args.dataset, &args.name, &args.out)
        .map_err(|e| e.in_project(&args.project))?;
    out::written(
        &args.out,
        format_args!(
            "{count} images of slice {:?} written to {}",
            args.name,
            args.out.display()
        ),
    )
}

pub fn decisions(args: ExportDecisions) -> Result<()> {
    let project = read(&args.project)?;
    let count = crate::export::export_decisions(&project, &args.dataset, &args.out)
        .map_err(|e| e.in_project(&args.project))?;
    out::written(
        &args.out,
        format_args!(
            "{count} standing decisions written to {}",
            args.out.display()
        ),
    )
}

pub fn metrics_csv(report: serde_json::Value, path: &Path) -> Result<()> {
    let models = crate::export::write_metrics_document(report, path)?;
    out::written(
        path,
        format_args!("{models} models' figures written to {}", path.display()),
    )
}
