//! The panel's commands: merging votes from other machines, the chair's override, exporting
//! the standing votes.

use crate::import::{ChairRows, FileIndex};
use crate::panel::aggregate::{AggregateOptions, Method, aggregate as aggregate_votes};
use crate::panel::agreement::panel_agreement;
use crate::panel::chair;
use crate::panel::check::{Difference, check_decisions, repair_decisions};
use crate::panel::voting::Ballot;
use crate::store::{DatasetInfo, Project};
use crate::verdict::{Category, Severity, Verdict, Vote};
use crate::vocab::ClassId;
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ImportVotes {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// A vote CSV (reviewer,image,label,verdict,category,severity,note[,round,cast_at]), or a
    /// crowd rater file: ReaL's raters.npz or its *_votes.csv.gz.
    file: PathBuf,
    /// Take the file's chair-round rows (overrides of the panel), each with its reason; they
    /// are listed. Without it a file holding any is refused.
    #[arg(long)]
    accept_chair: bool,
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
    /// correct (C), unclear (U), wrong (W) or problematic (P).
    #[arg(
        long,
        value_enum,
        ignore_case = true,
        required_unless_present = "withdraw"
    )]
    verdict: Option<Verdict>,
    /// For wrong: fine_grained (1), fine_grained_oov (2), spurious (3), non_prototypical (4).
    #[arg(long, value_enum, ignore_case = true)]
    category: Option<Category>,
    /// For wrong: major (M) or minor (N).
    #[arg(long, value_enum, ignore_case = true)]
    severity: Option<Severity>,
    /// Why the chair overrides the panel (kept with the decision).
    #[arg(long, required_unless_present = "withdraw")]
    reason: Option<String>,
    /// Withdraw the chair's override on the pair: the panel's votes decide it again.
    #[arg(long, conflicts_with_all = ["verdict", "category", "severity", "reason"])]
    withdraw: bool,
    /// The chair's name (as `bagel config P --chair NAME` named it).
    #[arg(long)]
    reviewer: String,
}

pub fn import_votes(args: ImportVotes) -> Result<()> {
    let mut project = super::open(&args.project)?;
    let bar = super::bar::Bar::new();
    let chair_rows = if args.accept_chair {
        ChairRows::Accept
    } else {
        ChairRows::Refuse
    };
    let report =
        crate::panel::import_votes(&mut project, &args.dataset, &args.file, chair_rows, &bar)?;
    drop(bar);
    super::report(report)
}

pub fn export_votes(args: ExportVotes) -> Result<()> {
    let project = super::read(&args.project)?;
    let dataset = match args.dataset {
        Some(name) => name,
        None => only_dataset(&project)?,
    };
    let rows =
        crate::export::export_votes(&project, &dataset, args.reviewer.as_deref(), &args.out)?;
    super::out::written(
        &args.out,
        format_args!("{} written to {}", rows.describe(), args.out.display()),
    )?;
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

/// The pair a command's --dataset, --image and --label name, with the dataset and its files;
/// an image or label the project does not have is refused, saying what to give.
pub(super) fn named_pair(
    project: &Project,
    dataset: &str,
    image: &str,
    label: &str,
) -> Result<(DatasetInfo, Vec<String>, u32, ClassId)> {
    let dataset = project.dataset(dataset)?;
    let files = project.images(dataset.id)?.files;
    let found = FileIndex::new(files.iter().map(String::as_str))
        .find(image)
        .with_context(|| {
            format!(
                "--image {image:?} is not in dataset {:?}; give a file name as the dataset lists it",
                dataset.name
            )
        })?;
    let class = project.vocab().parse_label(label).with_context(|| {
        format!("--label {label:?} is neither a class index nor a wnid of the vocabulary")
    })?;
    Ok((dataset, files, found, class))
}

pub fn decide(args: Decide) -> Result<()> {
    let mut project = super::open(&args.project)?;
    let (dataset, files, image, label) =
        named_pair(&project, &args.dataset, &args.image, &args.label)?;
    let ballot = Ballot {
        dataset: &dataset,
        files: &files,
    };
    let pair = format!(
        "{} / {}",
        files[image as usize],
        project.vocab().describe(label)
    );
    if args.withdraw {
        chair::withdraw_override(&mut project, &ballot, &args.reviewer, (image, label))?;
        return super::out::line(format_args!(
            "{pair}: the chair's override is withdrawn; the panel's votes decide"
        ));
    }
    let reason = args.reason.unwrap_or_default();
    if reason.trim().is_empty() {
        bail!(
            "--reason is empty: say why the chair overrides the panel, for the panel to read later"
        );
    }
    let Some(verdict) = args.verdict else {
        bail!("--verdict is missing: give correct, unclear, wrong or problematic (C, U, W, P)");
    };
    let vote = Vote {
        category: args.category,
        severity: args.severity,
        ..Vote::new(image, label, verdict)
    };
    let event = chair::override_decision(&mut project, &ballot, &args.reviewer, vote, &reason)?;
    super::out::line(format_args!(
        "{pair}: {} by chair {} ({})",
        event.vote.as_ref().map(Vote::summary).unwrap_or_default(),
        event.reviewer,
        reason.trim()
    ))
}

#[derive(Args)]
pub struct Aggregate {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    #[arg(long, value_enum, default_value = "dawid-skene")]
    method: MethodArg,
    /// Accept a label as correct when its posterior of being valid is at least this.
    #[arg(long, default_value_t = 0.9)]
    threshold: f64,
    /// Between this and --threshold a label is unclear (default: no unclear band).
    #[arg(long)]
    unclear_from: Option<f64>,
    /// Leave pairs with fewer crowd votes undecided.
    #[arg(long, default_value_t = 1)]
    min_votes: usize,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum MethodArg {
    Majority,
    DawidSkene,
}

#[derive(Args)]
pub struct Agreement {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// One JSON object instead of the summary.
    #[arg(long)]
    json: bool,
}

pub fn aggregate(args: Aggregate) -> Result<()> {
    let mut project = super::open(&args.project)?;
    let dataset = project.dataset(&args.dataset)?;
    let options = AggregateOptions {
        method: match args.method {
            MethodArg::Majority => Method::Majority,
            MethodArg::DawidSkene => Method::DawidSkene,
        },
        threshold: args.threshold,
        unclear_from: args.unclear_from,
        min_votes: args.min_votes,
    };
    let bar = super::bar::Bar::new();
    let outcome = aggregate_votes(&mut project, &dataset, &options, &bar)?;
    drop(bar);
    if let Some(em) = &outcome.em {
        super::out::line(format_args!(
            "Dawid-Skene EM: {} iterations ({}; tolerance {:e} on the log-likelihood, cap {}), log-likelihood {:.1}",
            em.iterations,
            if em.converged {
                "converged"
            } else {
                "NOT converged"
            },
            em.tolerance,
            em.max_iterations,
            em.log_likelihood
        ))?;
    }
    super::out::line(format_args!(
        "{} crowd votes of {} raters on {} pairs, {}: {} correct (posterior >= {}), {} unclear, {} wrong, {} left undecided (fewer than {} votes)",
        outcome.votes,
        outcome.raters,
        outcome.pairs,
        options.method.as_str(),
        outcome.correct,
        options.threshold,
        outcome.unclear,
        outcome.wrong,
        outcome.too_few_votes,
        options.min_votes
    ))
}

pub fn agreement(args: Agreement) -> Result<()> {
    let project = super::read(&args.project)?;
    let dataset = project.dataset(&args.dataset)?;
    let panel = panel_agreement(&project.vote_events(dataset.id)?);
    if args.json {
        let files = project.images(dataset.id)?.files;
        let report = panel.report(&dataset.name, &files, project.vocab());
        return super::out::line(serde_json::to_string_pretty(&report)?);
    }
    super::out::line(format_args!(
        "dataset {} · {} pairs with at least two panel votes",
        dataset.name,
        panel.pairs.len()
    ))?;
    for (what, agreement) in [
        ("verdict", &panel.verdicts),
        ("category (wrong votes)", &panel.categories),
        ("severity (wrong votes)", &panel.severities),
    ] {
        super::out::line(format_args!("{what:24} {}", agreement.describe()))?;
    }
    Ok(())
}

#[derive(Args)]
pub struct ImportReview {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// The model whose mistakes were reviewed (created when the project does not know it).
    #[arg(long)]
    model: String,
    /// An imagenet-mistakes JSON: {file: {"top_prediction", "failure category", "failure severity"}}.
    file: PathBuf,
}

#[derive(Args)]
pub struct ExportReview {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    #[arg(long)]
    model: String,
    out: PathBuf,
}

pub fn import_review(args: ImportReview) -> Result<()> {
    let mut project = super::open(&args.project)?;
    let report =
        crate::import::review::import_review(&mut project, &args.dataset, &args.model, &args.file)?;
    super::out::line(report.summary)
}

pub fn export_review(args: ExportReview) -> Result<()> {
    let project = super::read(&args.project)?;
    let (records, skipped) =
        crate::export::review::review_records(&project, &args.dataset, &args.model)?;
    crate::export::review::write_review(&args.out, &records)?;
    super::out::written(
        &args.out,
        format_args!(
            "{} reviewed mistakes of {} written to {}",
            records.len(),
            args.model,
            args.out.display()
        ),
    )?;
    if skipped > 0 {
        super::out::to_stderr(
            "warning",
            format_args!(
                "{skipped} decided mistakes lack a category or severity and were left out; give them one in the second pass"
            ),
        );
    }
    Ok(())
}

#[derive(Args)]
pub struct Check {
    project: PathBuf,
    /// Only this dataset (default: every dataset of the project).
    #[arg(long)]
    dataset: Option<String>,
    /// Store the decision the log gives wherever the stored one differs.
    #[arg(long)]
    repair: bool,
}

/// Derives every panel decision again from the vote log; fails (status 1) when one differs and
/// was not repaired, so a script can tell.
pub fn check(args: Check) -> Result<()> {
    let mut project = if args.repair {
        super::open(&args.project)?
    } else {
        super::read(&args.project)?
    };
    let datasets = match &args.dataset {
        Some(name) => vec![project.dataset(name)?],
        None => project.datasets()?,
    };
    let mut left = 0;
    for dataset in datasets {
        let found = if args.repair {
            repair_decisions(&mut project, dataset.id)?
        } else {
            check_decisions(&project, dataset.id)?
        };
        let files = project.images(dataset.id)?.files;
        for difference in &found {
            super::out::line(describe_difference(&project, &files, difference))?;
        }
        let verb = if args.repair { "repaired" } else { "differ" };
        super::out::line(format_args!(
            "dataset {}: {} decisions {verb} from what the vote log gives",
            crate::error::for_terminal(&dataset.name),
            found.len()
        ))?;
        if !args.repair {
            left += found.len();
        }
    }
    if left > 0 {
        bail!(
            "{left} decisions differ from the vote log; `bagel check {} --repair` stores what the log gives",
            args.project.display()
        );
    }
    Ok(())
}

fn describe_difference(project: &Project, files: &[String], difference: &Difference) -> String {
    let said = |decision: &Option<crate::verdict::Decision>| match decision {
        Some(d) => format!("{} ({})", d.verdict.as_str(), d.source),
        None => "no decision".to_owned(),
    };
    let file = files
        .get(difference.image as usize)
        .map_or("?", String::as_str);
    crate::error::for_terminal(&format!(
        "{file} / {}: stored {}, the log gives {}",
        project.vocab().describe(difference.label),
        said(&difference.stored),
        said(&difference.derived)
    ))
}
