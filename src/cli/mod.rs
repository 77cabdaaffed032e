//! The command line: a thin layer that parses arguments, calls the core and prints.

mod assign;
mod bar;
mod compare;
mod config;
mod confusions;
mod discussion;
mod exports;
mod out;
mod panel;
mod show;
mod team;
mod trade;
mod vocab_args;

pub use out::print_error;

use crate::data::LabelKind;
use crate::import::{self, ImportReport, LabelFormat, LabelImport, PredictionImport};
use crate::metrics::mistakes::{load_mistake_report, mistake_counts};
use crate::metrics::{Evaluation, MetricOptions, SubsetAccuracy, save_major_slice};
use crate::store::Project;
use crate::vocab::{CollapsedPairs, Hierarchy, Vocabulary};
use anyhow::{Context, Result, bail};
use bar::Bar;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "bagel",
    version,
    about = "Review the remaining mistakes of ImageNet classifiers as a panel"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the review desk on a project (the bundled sample project when none is given).
    Open {
        project: Option<PathBuf>,
        /// Read image names that are absolute or leave the dataset's image root (imported with
        /// `--allow-absolute`). Your choice for this run: a project file cannot ask for it.
        #[arg(long)]
        images_anywhere: bool,
    },
    /// Where the bundled sample project is (unpacked and imported on first use).
    Sample,
    /// Write updated label sets: imported multi-labels with the panel's decisions overlaid.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Create an empty project file (ImageNet-1k vocabulary unless --vocab is given).
    New {
        project: PathBuf,
        /// A custom vocabulary CSV: index,wnid,names,gloss,kind,hypernym_paths.
        #[arg(long)]
        vocab: Option<PathBuf>,
    },
    /// Import images, labels or predictions into a project.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Every metric for every model on a dataset.
    Metrics(MetricsArgs),
    /// A dataset against its replica: every metric's gap per model, the fit across models, the
    /// uncertainty-matched gap, and the figures.
    Compare(compare::CompareArgs),
    /// Datasets, label sources, models and slices of a project.
    Info { project: PathBuf },
    /// Store an ImageNet-M-style slice: an imported list, or the images on which at least T of
    /// the given models made a reviewed major mistake.
    Slice {
        project: PathBuf,
        #[arg(long)]
        dataset: String,
        #[arg(long, default_value = "imagenet_m")]
        name: String,
        /// A list of image file names (text, or JSON list, or a multilabel JSON's imagenet_m).
        #[arg(long, conflicts_with_all = ["major_of", "at_least"])]
        file: Option<PathBuf>,
        /// Comma-separated model names whose reviewed major mistakes count.
        #[arg(long, value_delimiter = ',', requires = "at_least")]
        major_of: Vec<String>,
        #[arg(long)]
        at_least: Option<usize>,
    },
    /// Project settings.
    Config(config::Config),
    /// The chair's decision on a pair, overriding the panel's votes, with a reason.
    Decide(panel::Decide),
    /// Derive every panel decision again from the vote log; report (or --repair) any that
    /// differ.
    Check(panel::Check),
    /// Percent agreement and kappa (Fleiss', or Gwet's when vote counts vary) of the panel's votes.
    Agreement(panel::Agreement),
    /// Crowd votes (a rater pool) into decisions: majority or Dawid-Skene.
    Aggregate(panel::Aggregate),
    /// The pairs whose independent votes disagree (verdict, category or severity), every vote
    /// side by side, the current decision and the notes.
    Discussion(discussion::Discussion),
    /// A note on a pair for the panel's discussion, or a reply to one (--reply-to).
    Note(discussion::WriteNote),
    /// Share the queue's pairs among reviewers: each pair gets --per-pair of them, balanced
    /// and reproducible (--seed).
    Assign(assign::Assign),
    /// Per reviewer: pairs assigned, voted on, left, and standing votes per round.
    Progress(assign::Progress),
    /// The (original class, predicted class) confusions of the review queue, with their
    /// mistakes, images, votes, decisions and WordNet distance.
    Confusions(confusions::Confusions),
    /// A panel on several machines: the team server (PostgreSQL).
    #[command(subcommand)]
    Team(team::TeamCommand),
    /// Send the project's unsent votes to its team server and fetch the panel's new ones.
    Sync(team::SyncArgs),
    /// Look up classes of the ImageNet-1k vocabulary (or a project's).
    Classes {
        /// Search wnids, indices and names.
        query: Option<String>,
        #[arg(long)]
        project: Option<PathBuf>,
        /// List the collapsed class pairs instead.
        #[arg(long)]
        collapsed: bool,
    },
    /// WordNet hierarchy distance between two classes (index or wnid).
    Distance {
        a: String,
        b: String,
        #[arg(long)]
        project: Option<PathBuf>,
    },
}

// The arguments of `bagel metrics` (its help is the variant's).
#[derive(Args)]
struct MetricsArgs {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// One JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// Write the figures as CSV (one row per model) to this file instead of the table.
    #[arg(long, conflicts_with = "json")]
    csv: Option<PathBuf>,
    /// Valid labels for ASMA (default: ReaL when the dataset has it, else multi-labels).
    #[arg(long, value_enum)]
    asma_labels: Option<LabelsArg>,
    /// Subgroup accuracy form for ASMA.
    #[arg(long, value_enum, default_value = "jaccard")]
    asma_form: FormArg,
    /// Largest subgroup g averaged into ASMA.
    #[arg(long, default_value_t = 5)]
    max_group: usize,
    /// The reviewed models whose mistakes the mistake table and chi-square count, comma-
    /// separated (default: those named with `bagel config --reviewed-models` and those
    /// with an imported review).
    #[arg(long, value_delimiter = ',')]
    models: Vec<String>,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The standing votes as CSV, for `bagel import votes` on another machine.
    Votes(panel::ExportVotes),
    /// A model's decided mistakes in the imagenet-mistakes JSON layout.
    Review(panel::ExportReview),
    /// Labels with the decisions overlaid (multilabel JSON, ReaL list or CSV), for `bagel import labels`.
    Labels(exports::ExportLabels),
    /// A slice's image file names, one per line, for `bagel slice --file`.
    Slice(exports::ExportSlice),
    /// The standing decisions as CSV.
    Decisions(exports::ExportDecisions),
    /// A folder FiftyOne loads (ground truth, each model's top-1, the panel's decisions).
    Fiftyone(trade::ExportFiftyOne),
    /// The review queue as Label Studio tasks with the models' predictions (config beside it
    /// as .xml); `bagel import votes` reads Label Studio's export of their annotations.
    LabelStudio(trade::ExportLabelStudio),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// A dataset's images: an ImageFolder tree, a text/CSV list, or an ImageNetV2 dataset JSON.
    Images {
        project: PathBuf,
        #[arg(long)]
        dataset: String,
        source: PathBuf,
        /// Folder the image files live under (defaults to SOURCE when it is a folder).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Accept image names that are absolute paths or leave the root with "..". Without it
        /// such names are refused. The desk reads them where they point only when its user
        /// allows it (`bagel open --images-anywhere`).
        #[arg(long)]
        allow_absolute: bool,
    },
    /// Labels: ReaL real.json, an imagenet2012_multilabel JSON, or a CSV.
    Labels {
        project: PathBuf,
        #[arg(long)]
        dataset: String,
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Name of the label source (default: its kind, "real" or "multilabel").
        #[arg(long)]
        name: Option<String>,
        /// Replace a label source of the same name.
        #[arg(long)]
        replace: bool,
        file: PathBuf,
    },
    /// Models' predictions: .npy/.npz, torch .pt/.pth, .safetensors, timm inference.py output
    /// (CSV, JSON, Parquet), Feather v2 / Arrow IPC tables, Hugging Face pipeline JSON/JSONL,
    /// or a CSV with a column per class. With several files each model is named after its file.
    Predictions {
        project: PathBuf,
        #[arg(long)]
        dataset: String,
        /// The model's name (with one file; default: the file name without extension).
        #[arg(long)]
        model: Option<String>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The images of the rows, in order (text/CSV list or ImageNetV2 dataset JSON).
        #[arg(long)]
        order: Option<PathBuf>,
        /// Ranked classes to keep (default: all given ids, or 5 from full scores).
        #[arg(long)]
        top_k: Option<usize>,
        /// Replace this model's predictions on the dataset.
        #[arg(long)]
        replace: bool,
        /// The files rank worst first: read each row's class ids back to front.
        #[arg(long)]
        reverse_ranks: bool,
        /// The column naming each row's image (timm's --filename-col; default: filename).
        #[arg(long)]
        filename_col: Option<String>,
        /// The class index column(s) (timm's --index-col; default: index).
        #[arg(long)]
        index_col: Option<String>,
        /// The classifier counts a background class first (TF-slim's 1001 classes): drop it
        /// and shift class ids down by one.
        #[arg(long)]
        background_class: bool,
    },
    /// Votes from another machine of the panel (a `bagel export votes` CSV): merged, newer wins.
    Votes(panel::ImportVotes),
    /// A review of a model's mistakes (imagenet-mistakes JSON) as decided wrong pairs.
    Review(panel::ImportReview),
}

#[derive(Clone, Copy, ValueEnum)]
enum LabelsArg {
    Real,
    Multilabel,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormArg {
    /// |Y ∩ Ŷ| / |Y ∪ Ŷ| (DOMAIN's definition).
    Jaccard,
    /// (1/C) Σ_c [y_c = ŷ_c], as the seed slides write it.
    Hamming,
    /// |Y ∩ Ŷ| / k: the form of Anzaku et al.'s published tables.
    Overlap,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Real,
    Multilabel,
    Csv,
}

impl FormatArg {
    fn format(self) -> LabelFormat {
        match self {
            FormatArg::Real => LabelFormat::Real,
            FormatArg::Multilabel => LabelFormat::MultiLabel,
            FormatArg::Csv => LabelFormat::Csv,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Switch {
    On,
    Off,
}

pub fn run() -> Result<()> {
    let cli = Cli::parse();
    let outcome = match cli.command {
        None => open_desk(None, false),
        Some(command) => run_command(command),
    };
    out::closed_output_is_success(outcome.map_err(name_the_project))
}

/// The project the command opened, for messages: an SQLite error met while working on it
/// knows no path of its own.
static OPENED: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

fn remember_opened(path: &Path) {
    if let Ok(mut opened) = OPENED.lock() {
        *opened = Some(path.to_path_buf());
    }
}

/// "the project file is …" becomes "PATH is …" when the command opened a project.
fn name_the_project(error: anyhow::Error) -> anyhow::Error {
    let opened = OPENED.lock().ok().and_then(|opened| opened.clone());
    match (error.downcast::<crate::error::Error>(), opened) {
        (Ok(error), Some(path)) => error.in_project(&path).into(),
        (Ok(error), None) => error.into(),
        (Err(other), _) => other,
    }
}

/// Opens a project to write to it; a wait for another writer is announced on stderr.
fn open(path: &Path) -> Result<Project> {
    let mut project = Project::open(path)?;
    remember_opened(path);
    project.on_wait(out::waiting_for_writer);
    Ok(project)
}

/// Opens a project only to read it, so a read-only file works.
fn read(path: &Path) -> Result<Project> {
    let project = Project::open_read_only(path)?;
    remember_opened(path);
    Ok(project)
}

fn report(outcome: ImportReport) -> Result<()> {
    for warning in outcome.warnings {
        out::to_stderr("warning", warning);
    }
    out::line(outcome.summary)
}

fn run_command(command: Command) -> Result<()> {
    match command {
        Command::Open {
            project,
            images_anywhere,
        } => open_desk(project, images_anywhere)?,
        Command::Sample => out::line(crate::sample::ensure_sample_project()?.display())?,
        Command::Export(ExportCommand::Votes(args)) => panel::export_votes(args)?,
        Command::Export(ExportCommand::Review(args)) => panel::export_review(args)?,
        Command::Decide(args) => panel::decide(args)?,
        Command::Check(args) => panel::check(args)?,
        Command::Team(command) => team::run(command)?,
        Command::Sync(args) => team::sync(args)?,
        Command::Agreement(args) => panel::agreement(args)?,
        Command::Aggregate(args) => panel::aggregate(args)?,
        Command::Discussion(args) => discussion::discussion(args)?,
        Command::Note(args) => discussion::write_note(args)?,
        Command::Assign(args) => assign::assign(args)?,
        Command::Progress(args) => assign::progress(args)?,
        Command::Confusions(args) => confusions::confusions(args)?,
        Command::Export(ExportCommand::Labels(args)) => exports::labels(args)?,
        Command::Export(ExportCommand::Slice(args)) => exports::slice(args)?,
        Command::Export(ExportCommand::Decisions(args)) => exports::decisions(args)?,
        Command::Export(ExportCommand::Fiftyone(args)) => trade::fiftyone(args)?,
        Command::Export(ExportCommand::LabelStudio(args)) => trade::label_studio(args)?,
        Command::New { project, vocab } => new_project(&project, vocab.as_deref())?,
        Command::Import(command) => run_import(command)?,
        Command::Metrics(args) => metrics(args)?,
        Command::Compare(args) => compare::run(args)?,
        Command::Info { project } => info(&project)?,
        Command::Slice {
            project,
            dataset,
            name,
            file,
            major_of,
            at_least,
        } => slice(
            &project,
            &dataset,
            &name,
            file.as_deref(),
            &major_of,
            at_least,
        )?,
        Command::Config(args) => config::run(args)?,
        Command::Classes {
            query,
            project,
            collapsed,
        } => classes(query.as_deref(), project.as_deref(), collapsed)?,
        Command::Distance { a, b, project } => distance(&a, &b, project.as_deref())?,
    }
    Ok(())
}

/// `bagel new`.
fn new_project(project: &Path, vocab: Option<&Path>) -> Result<()> {
    let vocabulary = match vocab {
        Some(path) => Vocabulary::from_csv_file(path)?,
        None => Vocabulary::imagenet1k(),
    };
    Project::create(project, &vocabulary)?;
    out::line(format_args!(
        "created {} with {} classes",
        project.display(),
        vocabulary.len()
    ))?;
    Ok(())
}

/// `bagel metrics`.
fn metrics(args: MetricsArgs) -> Result<()> {
    let MetricsArgs {
        project,
        dataset,
        json,
        csv,
        asma_labels,
        asma_form,
        max_group,
        models,
    } = args;
    if max_group == 0 {
        bail!("--max-group must be at least 1");
    }
    let options = MetricOptions {
        asma_labels: asma_labels.map(|l| match l {
            LabelsArg::Real => LabelKind::Real,
            LabelsArg::Multilabel => LabelKind::MultiLabel,
        }),
        asma_form: match asma_form {
            FormArg::Jaccard => SubsetAccuracy::Jaccard,
            FormArg::Hamming => SubsetAccuracy::Hamming,
            FormArg::Overlap => SubsetAccuracy::Overlap,
        },
        max_group,
    };
    let opened = read(&project)?;
    let evaluation =
        Evaluation::without_predictions(&opened, &dataset).map_err(|e| e.in_project(&project))?;
    let decisions = opened.decisions(evaluation.dataset_id)?;
    let (report, counts) = evaluation
        .report_streamed(&opened, &options, |predictions| {
            mistake_counts(predictions, &decisions)
        })
        .map_err(|e| e.in_project(&project))?;
    let names = report.models.iter().map(|m| m.model.clone());
    let counts = names.zip(counts).collect();
    let named = (!models.is_empty()).then_some(models.as_slice());
    let mistakes = load_mistake_report(&opened, evaluation.dataset_id, counts, named)
        .map_err(|e| e.in_project(&project))?;
    let document = mistakes.document(&report);
    if let Some(path) = csv {
        exports::metrics_csv(serde_json::to_value(&document)?, &path)?;
    } else if json {
        out::line(serde_json::to_string_pretty(&document)?)?;
    } else {
        out::print(show::metrics_table(&report))?;
        out::print(show::mistakes_table(&mistakes))?;
    }
    Ok(())
}

/// `bagel info`.
fn info(project: &Path) -> Result<()> {
    let summary = show::project_summary(&read(project)?).map_err(|e| e.in_project(project))?;
    out::print(summary)?;
    Ok(())
}

/// `bagel slice`: an imported list, or the images of the models' reviewed major mistakes.
fn slice(
    project: &Path,
    dataset: &str,
    name: &str,
    file: Option<&Path>,
    major_of: &[String],
    at_least: Option<usize>,
) -> Result<()> {
    let mut project = open(project)?;
    match (file, at_least) {
        (Some(file), _) => report(import::import_slice(&mut project, dataset, name, file)?),
        (None, Some(at_least)) => {
            let saved = save_major_slice(&mut project, dataset, name, major_of, at_least)?;
            out::line(format_args!(
                "slice {name:?} of dataset {dataset:?}: {} images ({}){}",
                saved.images,
                saved.origin,
                crate::store::replaced_slice_note(saved.replaced.as_deref())
            ))
        }
        (None, None) => bail!("give --file LIST, or --major-of MODELS --at-least T"),
    }
}

/// `bagel classes`: the vocabulary's classes matching `query`, or its collapsed pairs.
fn classes(query: Option<&str>, project: Option<&Path>, collapsed: bool) -> Result<()> {
    let vocab = vocabulary(project)?;
    if collapsed {
        for &(a, b) in CollapsedPairs::imagenet1k().pairs() {
            out::line(format_args!(
                "{} ~ {}",
                vocab.describe(a),
                vocab.describe(b)
            ))?;
        }
        return Ok(());
    }
    let query = query.unwrap_or("");
    let found: Vec<_> = vocab.search(query).collect();
    if found.is_empty() {
        bail!("no class matches {query:?}; give a class index, a wnid or part of a class name");
    }
    for class in found {
        out::line(format_args!(
            "{:>4} {} {:<8} {} — {}",
            class.index,
            class.wnid,
            class.kind.as_str(),
            class.names,
            class.gloss
        ))?;
    }
    Ok(())
}

/// `bagel distance`.
fn distance(a: &str, b: &str, project: Option<&Path>) -> Result<()> {
    let vocab = vocabulary(project)?;
    let class = |label: &str| {
        vocab
            .parse_label(label)
            .with_context(|| format!("{label:?} is neither a class index nor a wnid"))
    };
    let (a, b) = (class(a)?, class(b)?);
    match Hierarchy::new(&vocab).distance(a, b) {
        Some(d) => out::line(format_args!(
            "{d}\t{} ~ {}",
            vocab.describe(a),
            vocab.describe(b)
        ))?,
        None => out::line(format_args!(
            "-\t{} and {} share no WordNet ancestor",
            vocab.describe(a),
            vocab.describe(b)
        ))?,
    }
    Ok(())
}

fn vocabulary(project: Option<&Path>) -> Result<Vocabulary> {
    Ok(match project {
        Some(path) => read(path)?.vocab().clone(),
        None => Vocabulary::imagenet1k(),
    })
}

fn run_import(command: ImportCommand) -> Result<()> {
    let bar = Bar::new();
    let outcome = match command {
        ImportCommand::Votes(args) => {
            drop(bar);
            return panel::import_votes(args);
        }
        ImportCommand::Review(args) => {
            drop(bar);
            return panel::import_review(args);
        }
        ImportCommand::Images {
            project,
            dataset,
            source,
            root,
            allow_absolute,
        } => import::import_images_from(
            &mut open(&project)?,
            &dataset,
            &source,
            root.as_deref(),
            allow_absolute,
            &bar,
        )?,
        ImportCommand::Labels {
            project,
            dataset,
            format,
            name,
            replace,
            file,
        } => {
            let request = LabelImport {
                dataset: &dataset,
                file: &file,
                format: format.map(FormatArg::format),
                name: name.as_deref(),
                replace,
            };
            import::import_labels(&mut open(&project)?, &request, &bar)?
        }
        ImportCommand::Predictions {
            project,
            dataset,
            model,
            files,
            order,
            top_k,
            replace,
            reverse_ranks,
            filename_col,
            index_col,
            background_class,
        } => {
            let files = model_files(model, files)?;
            let request = PredictionImport {
                dataset: &dataset,
                files: &files,
                order: order.as_deref(),
                top_k,
                replace,
                reverse_ranks,
                reading: import::ReadOptions {
                    filename_col,
                    index_col,
                    background_class,
                },
            };
            import::import_predictions(&mut open(&project)?, &request, &bar)?
        }
    };
    drop(bar);
    report(outcome)
}

/// Each predictions file with its model's name: `--model` for one file, else the file's name.
fn model_files(model: Option<String>, files: Vec<PathBuf>) -> Result<Vec<(String, PathBuf)>> {
    if model.is_some() && files.len() > 1 {
        bail!("--model names one file; with several files each model is named after its file");
    }
    files
        .into_iter()
        .map(|file| {
            let name = (model.clone()).unwrap_or_else(|| import::model_name_of(&file));
            Ok((crate::names::clean_name("model", &name)?, file))
        })
        .collect()
}

/// The desk on a project, or on the bundled sample project (built on first use).
fn open_desk(project: Option<PathBuf>, images_anywhere: bool) -> Result<()> {
    let path = match project {
        Some(path) => path,
        None => crate::sample::ensure_sample_project()?,
    };
    // Refuse a bad path here, where the message reaches the terminal; a project that cannot be
    // written opens for browsing (the desk says why voting is off).
    if let Err(cannot_write) = open(&path) {
        read(&path).map_err(|_| cannot_write)?;
    }
    run_desk(path, images_anywhere)
}

#[cfg(feature = "desk")]
fn run_desk(path: PathBuf, images_anywhere: bool) -> Result<()> {
    crate::desk::run(path, images_anywhere)
}

#[cfg(not(feature = "desk"))]
fn run_desk(path: PathBuf, _images_anywhere: bool) -> Result<()> {
    bail!(
        "this bagel was built without the desk (cargo feature \"desk\"), so it cannot open {}; \
         rebuild with `cargo build --release` (the default features) or use the CLI commands",
        path.display()
    )
}
