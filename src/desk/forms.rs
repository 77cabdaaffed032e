//! What the desk's forms hold and the requests they make: the values a [`Command`](super::Command)
//! carries, kept apart from the windows that draw them, so the windows and the commands can
//! both name them without importing each other. Running a form's job is here too.

use super::jobs::JobOutcome;
use crate::compare::plots::Figure;
use crate::import::{self, LabelFormat, LabelImport, PredictionImport, model_name_of};
use crate::panel::aggregate::{AggregateOptions, Method, aggregate};
use crate::panel::{Category, Severity, Verdict, Vote};
use crate::progress::Progress;
use crate::store::Project;
use crate::vocab::ClassId;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Images,
    Labels,
    Predictions,
    /// A panel's vote CSV from another machine, or a crowd rater file.
    Votes,
}

impl ImportKind {
    pub fn title(self) -> &'static str {
        match self {
            ImportKind::Images => "Import images",
            ImportKind::Labels => "Import labels",
            ImportKind::Predictions => "Import predictions",
            ImportKind::Votes => "Import votes",
        }
    }
}

#[derive(Debug)]
pub struct ImportForm {
    pub kind: ImportKind,
    pub(super) dataset: String,
    pub(super) sources: Vec<PathBuf>,
    /// Where relative image paths start; the form fills in the list's folder, and the core
    /// is always told explicitly, so what the form shows is what is stored.
    pub(super) root: Option<PathBuf>,
    pub(super) model: String,
    pub(super) top_k: usize,
    pub(super) replace: bool,
}

impl ImportForm {
    pub fn new(kind: ImportKind, dataset: Option<&str>) -> Self {
        ImportForm {
            kind,
            dataset: dataset.unwrap_or_default().to_owned(),
            sources: Vec::new(),
            root: None,
            model: String::new(),
            top_k: 5,
            replace: false,
        }
    }

    /// Sets the files to import; for an image list, the root becomes the list's folder.
    pub(super) fn choose(&mut self, sources: Vec<PathBuf>) {
        if self.kind == ImportKind::Images && self.root.is_none() {
            self.root = (sources.first())
                .filter(|s| s.is_file())
                .and_then(|s| s.parent().map(Path::to_path_buf));
        }
        self.sources = sources;
    }

    /// Runs the core importer it describes, one transaction, on the job's own connection.
    pub fn run(&self, project: &Path, progress: &dyn Progress) -> JobOutcome {
        let outcome = Project::open(project).and_then(|mut project| match self.kind {
            ImportKind::Images => import::import_images(
                &mut project,
                &self.dataset,
                &self.sources[0],
                self.root.as_deref(),
                progress,
            ),
            ImportKind::Labels => {
                let request = LabelImport {
                    dataset: &self.dataset,
                    file: &self.sources[0],
                    format: None::<LabelFormat>,
                    name: None,
                    replace: self.replace,
                };
                import::import_labels(&mut project, &request, progress)
            }
            ImportKind::Predictions => {
                let files: Vec<(String, PathBuf)> = self
                    .sources
                    .iter()
                    .map(|file| match (self.sources.len(), self.model.trim()) {
                        (1, name) if !name.is_empty() => (name.to_owned(), file.clone()),
                        _ => (model_name_of(file), file.clone()),
                    })
                    .collect();
                let request = PredictionImport {
                    dataset: &self.dataset,
                    files: &files,
                    order: None,
                    top_k: Some(self.top_k),
                    replace: self.replace,
                    reverse_ranks: false,
                    reading: Default::default(),
                };
                import::import_predictions(&mut project, &request, progress)
            }
            ImportKind::Votes => crate::panel::import_votes(
                &mut project,
                &self.dataset,
                &self.sources[0],
                import::ChairRows::Refuse,
                progress,
            ),
        });
        match outcome {
            Ok(report) => JobOutcome::Imported {
                summary: report.summary,
                warnings: report.warnings,
            },
            Err(error) => JobOutcome::from_error(error),
        }
    }
}

/// The chair's decision on the current pair, as the form holds it.
#[derive(Debug, Clone)]
pub struct ChairForm {
    pub image: u32,
    pub label: ClassId,
    /// "ILSVRC2012_val_00000001.JPEG · snake (n01234567)".
    pub(super) title: String,
    pub(super) verdict: Verdict,
    pub(super) category: Option<Category>,
    pub(super) severity: Option<Severity>,
    pub(super) reason: String,
    pub(super) focused: bool,
}

impl ChairForm {
    /// Filled in with the panel's current decision, if any.
    pub fn new(image: u32, label: ClassId, title: String, current: Option<&Vote>) -> Self {
        ChairForm {
            image,
            label,
            title,
            verdict: current.map_or(Verdict::Wrong, |v| v.verdict),
            category: current.and_then(|v| v.category),
            severity: current.and_then(|v| v.severity),
            reason: String::new(),
            focused: false,
        }
    }

    /// The decision the chair gives; its reason goes separately.
    pub fn vote(&self) -> Vote {
        let wrong = self.verdict == Verdict::Wrong;
        Vote {
            category: self.category.filter(|_| wrong),
            severity: self.severity.filter(|_| wrong),
            ..Vote::new(self.image, self.label, self.verdict)
        }
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// A note for the panel's discussion of a pair, or a reply to one of its notes.
#[derive(Debug, Clone)]
pub struct PanelNoteForm {
    pub pair: (u32, ClassId),
    pub reply_to: Option<i64>,
    /// What the note is on, or which note it answers.
    pub(super) title: String,
    pub text: String,
    pub(super) focused: bool,
}

impl PanelNoteForm {
    pub fn new(pair: (u32, ClassId), reply_to: Option<i64>, title: String) -> Self {
        PanelNoteForm {
            pair,
            reply_to,
            title,
            text: String::new(),
            focused: false,
        }
    }
}

/// How to turn the dataset's crowd votes into decisions.
#[derive(Debug, Clone)]
pub struct AggregateForm {
    pub dataset: String,
    pub(super) method: Method,
    pub(super) threshold: f64,
    pub(super) unclear_band: bool,
    pub(super) unclear_from: f64,
    pub(super) min_votes: usize,
}

impl AggregateForm {
    /// The defaults of `bagel aggregate`: Dawid-Skene, correct at a posterior of 0.9.
    pub fn new(dataset: String) -> Self {
        AggregateForm {
            dataset,
            method: Method::DawidSkene,
            threshold: 0.9,
            unclear_band: false,
            unclear_from: 0.5,
            min_votes: 1,
        }
    }

    fn options(&self) -> AggregateOptions {
        AggregateOptions {
            method: self.method,
            threshold: self.threshold,
            unclear_from: self.unclear_band.then_some(self.unclear_from),
            min_votes: self.min_votes,
        }
    }

    /// Runs the aggregation on the job's own connection, one transaction.
    pub fn run(&self, project: &Path, progress: &dyn Progress) -> JobOutcome {
        let options = self.options();
        let outcome = Project::open(project).and_then(|mut project| {
            let dataset = project.dataset(&self.dataset)?;
            aggregate(&mut project, &dataset, &options, progress)
        });
        match outcome {
            Ok(done) => JobOutcome::Imported {
                summary: format!(
                    "decisions from {} over {} crowd votes on {} pairs: {} correct, {} unclear, {} wrong, {} left undecided{}",
                    options.method.as_str(),
                    done.votes,
                    done.pairs,
                    done.correct,
                    done.unclear,
                    done.wrong,
                    done.too_few_votes,
                    done.em.as_ref().map_or(String::new(), |em| format!(
                        " (EM: {} iterations, {})",
                        em.iterations,
                        if em.converged {
                            "converged"
                        } else {
                            "NOT converged"
                        }
                    ))
                ),
                warnings: Vec::new(),
            },
            Err(error) => JobOutcome::from_error(error),
        }
    }
}

/// What an export writes.
#[derive(Debug)]
pub enum ComparisonExport {
    Figure(Figure, PathBuf),
    Table(PathBuf),
    /// Every figure as SVG and PNG into a folder, with these models' curves.
    AllFigures(PathBuf, Vec<String>),
}
