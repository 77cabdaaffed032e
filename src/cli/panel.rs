//! The panel's commands: merging votes from other machines, the chair's override, exporting
//! the standing votes.

use crate::import::{FileIndex, read_vote_csv};
use crate::panel::voting::Ballot;
use crate::store::Project;
use crate::verdict::{self, Category, Round, Severity, Verdict, Vote, VoteEvent};
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ImportVotes {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// A vote CSV (reviewer,image,label,verdict,category,severity,note[,round,cast_at]).
    file: PathBuf,
}

#[derive(Args)]
pub struct ExportVotes {
    project: PathBuf,
    /// The dataset (needed when the project has several).
    #[arg(long)]
    dataset: Option<String>,
    /// Only this reviewer's votes.
    #[arg(long)]
    reviewer: Option<String>,
    out: PathBuf,
}

#[derive(Args)]
pub struct Decide {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// The image's file name as the dataset lists it.
    #[arg(long)]
    image: String,
    /// The label: a class index or a wnid.
    #[arg(long)]
    label: String,
    /// correct, unclear, wrong or problematic.
    #[arg(long)]
    verdict: String,
    /// For wrong: fine_grained, fine_grained_oov, spurious or non_prototypical.
    #[arg(long)]
    category: Option<String>,
    /// For wrong: major or minor.
    #[arg(long)]
    severity: Option<String>,
    /// Why the chair overrides the panel (kept with the decision).
    #[arg(long)]
    reason: String,
    /// The chair's name.
    #[arg(long)]
    reviewer: String,
}

pub fn import_votes(args: ImportVotes) -> Result<()> {
    let mut project = Project::open(&args.project)?;
    let dataset = project.dataset(&args.dataset)?;
    let files = project.images(dataset.id)?.files;
    let events = read_vote_csv(&args.file, &files, project.vocab(), &verdict::now())?;
    let ballot = Ballot {
        dataset: &dataset,
        files: &files,
    };
    let merged = ballot.merge(&mut project, &events)?;
    super::out::line(format_args!(
        "{} votes read from {}: {} new, {} already standing; decisions changed on {} images",
        events.len(),
        args.file.display(),
        merged.added,
        merged.unchanged,
        merged.changed_images.len()
    ))?;
    Ok(())
}

pub fn export_votes(args: ExportVotes) -> Result<()> {
    let project = Project::open(&args.project)?;
    let dataset = match args.dataset {
        Some(name) => name,
        None => only_dataset(&project)?,
    };
    let count =
        crate::export::export_votes(&project, &dataset, args.reviewer.as_deref(), &args.out)?;
    super::out::line(format_args!(
        "{count} standing votes written to {}",
        args.out.display()
    ))?;
    Ok(())
}

fn only_dataset(project: &Project) -> Result<String> {
    let names: Vec<String> = project.datasets()?.into_iter().map(|d| d.name).collect();
    match &names[..] {
        [one] => Ok(one.clone()),
        _ => bail!(
            "the project has {} datasets ({}); choose one with --dataset",
            names.len(),
            names.join(", ")
        ),
    }
}

pub fn decide(args: Decide) -> Result<()> {
    let mut project = Project::open(&args.project)?;
    let dataset = project.dataset(&args.dataset)?;
    let files = project.images(dataset.id)?.files;
    let image = FileIndex::new(files.iter().map(String::as_str))
        .find(&args.image)
        .with_context(|| {
            format!(
                "image {:?} is not in dataset {:?}",
                args.image, dataset.name
            )
        })?;
    let label = project.vocab().parse_label(&args.label).with_context(|| {
        format!(
            "label {:?} is neither a class index nor a wnid of the vocabulary",
            args.label
        )
    })?;
    let verdict = Verdict::parse(&args.verdict).with_context(|| {
        format!(
            "--verdict {:?}: use correct, unclear, wrong or problematic",
            args.verdict
        )
    })?;
    let category = args
        .category
        .as_deref()
        .map(|c| Category::parse(c).with_context(|| format!("--category {c:?}: use fine_grained, fine_grained_oov, spurious or non_prototypical")))
        .transpose()?;
    let severity = args
        .severity
        .as_deref()
        .map(|s| {
            Severity::parse(s).with_context(|| format!("--severity {s:?}: use major or minor"))
        })
        .transpose()?;
    if verdict != Verdict::Wrong && (category.is_some() || severity.is_some()) {
        bail!("only a wrong verdict takes --category and --severity");
    }
    if args.reason.trim().is_empty() {
        bail!("a chair's override needs a --reason the panel can read later");
    }
    let vote = Vote {
        category,
        severity,
        note: args.reason.trim().to_owned(),
        ..Vote::new(image, label, verdict)
    };
    let event = VoteEvent {
        reviewer: args.reviewer.trim().to_owned(),
        round: Round::Chair,
        cast_at: verdict::now(),
        image,
        label,
        vote: Some(vote.clone()),
    };
    Ballot {
        dataset: &dataset,
        files: &files,
    }
    .cast(&mut project, event)?;
    super::out::line(format_args!(
        "{} / {}: {} by chair {} ({})",
        files[image as usize],
        project.vocab().describe(label),
        vote.summary(),
        args.reviewer.trim(),
        vote.note
    ))?;
    Ok(())
}
