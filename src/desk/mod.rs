//! The review desk: the egui window a panelist works in. A thin layer over the core: it shows
//! a [`Review`] and turns keys into its calls; every vote is written by the core before the
//! desk marks it saved. Long work (loading, importing, exporting) runs in [`jobs`].

mod browser;
mod compare_view;
mod dialogs;
mod item;
mod jobs;
mod keys;
mod metrics_panel;
mod picture;
mod queue_panel;

use crate::imaging::{ImageLoader, Priority};
use crate::panel::{QueueFilter, Review, SortOrder, Vote};
use crate::store::Project;
pub use dialogs::ImportKind;
use dialogs::{ClassPicker, ImportForm, ReviewerPrompt};
use jobs::{Job, JobOutcome};
use picture::Textures;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How many items ahead of (and behind) the cursor are decoded in advance.
const PREFETCH_AHEAD: usize = 3;
const PREFETCH_BEHIND: usize = 1;
/// Longest side images are decoded to: sharp on a 4K screen, bounded memory for huge photos.
const DISPLAY_SIDE: u32 = 2048;
const IMAGE_CACHE_BYTES: usize = 384 << 20;

/// Opens the desk on a project; blocks until the window is closed.
pub fn run(project: PathBuf) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("bagel")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([960.0, 600.0]),
        ..Default::default()
    };
    eframe::run_native(
        "bagel",
        options,
        Box::new(move |cc| Ok(Box::new(Desk::new(&cc.egui_ctx, &project)))),
    )
    .map_err(|e| anyhow::anyhow!("the desk could not start: {e}"))
}

/// What the status bar says about the last action.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Idle,
    Info(String),
    Saved(String),
    Error(String),
}

pub struct Desk {
    project_path: PathBuf,
    project: Option<Project>,
    datasets: Vec<String>,
    review: Option<Review>,
    reviewer: Option<String>,
    reviewer_prompt: Option<ReviewerPrompt>,
    filter: QueueFilter,
    order: SortOrder,
    /// Queue positions shown, in order; `cursor` indexes it.
    view: Vec<usize>,
    cursor: usize,
    loader: ImageLoader,
    textures: Textures,
    scene_rect: egui::Rect,
    status: Status,
    job: Option<Job>,
    picker: Option<ClassPicker>,
    import_form: Option<ImportForm>,
    note: Option<String>,
    show_browser: bool,
    show_plots: bool,
    compare: Option<compare_view::CompareView>,
    auto_advance: bool,
    top_k: usize,
    /// When the last move to another item was asked for, until its image is drawn.
    moved_at: Option<Instant>,
    last_switch: Option<Duration>,
    /// Scroll the queue list to the cursor on the next frame.
    scroll_queue: bool,
}

/// The project setting that remembers who reviews at this desk.
pub const SETTING_REVIEWER: &str = "desk.reviewer";

impl Desk {
    pub fn new(ctx: &egui::Context, project: &Path) -> Self {
        let loader = ImageLoader::new(2, DISPLAY_SIDE, IMAGE_CACHE_BYTES);
        let waker = ctx.clone();
        loader.on_ready(move || waker.request_repaint());
        let mut desk = Desk {
            project_path: project.to_path_buf(),
            project: None,
            datasets: Vec::new(),
            review: None,
            reviewer: None,
            reviewer_prompt: None,
            filter: QueueFilter::default(),
            order: SortOrder::default(),
            view: Vec::new(),
            cursor: 0,
            loader,
            textures: Textures::default(),
            scene_rect: egui::Rect::ZERO,
            status: Status::Idle,
            job: None,
            picker: None,
            import_form: None,
            note: None,
            show_browser: false,
            show_plots: false,
            compare: None,
            auto_advance: true,
            top_k: 5,
            moved_at: None,
            last_switch: None,
            scroll_queue: true,
        };
        desk.open_project(ctx, project);
        desk
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    pub fn review(&self) -> Option<&Review> {
        self.review.as_ref()
    }

    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    /// The queue item under the cursor.
    pub fn current(&self) -> Option<&crate::panel::QueueItem> {
        let review = self.review.as_ref()?;
        review.queue.items().get(*self.view.get(self.cursor)?)
    }

    pub fn view_len(&self) -> usize {
        self.view.len()
    }

    /// Opens a project file: its reviewer is asked for when unknown, its first dataset loaded.
    fn open_project(&mut self, ctx: &egui::Context, path: &Path) {
        self.review = None;
        self.view.clear();
        self.project_path = path.to_path_buf();
        let opened = Project::open(path).and_then(|project| {
            let datasets = project.datasets()?;
            let reviewer = project.setting(SETTING_REVIEWER)?;
            Ok((project, datasets, reviewer))
        });
        match opened {
            Ok((project, datasets, reviewer)) => {
                self.datasets = datasets.into_iter().map(|d| d.name).collect();
                self.project = Some(project);
                self.reviewer = reviewer;
                if self.reviewer.is_none() {
                    self.reviewer_prompt = Some(ReviewerPrompt::default());
                }
                self.status = Status::Info(format!("opened {}", path.display()));
                if let Some(first) = self.datasets.first().cloned() {
                    self.load_dataset(ctx, &first);
                }
            }
            Err(error) => {
                self.project = None;
                self.status = Status::Error(format!("{error}"));
            }
        }
    }

    /// Loads a dataset's review off the UI thread; the queue appears when it is ready.
    fn load_dataset(&mut self, ctx: &egui::Context, dataset: &str) {
        let Some(reviewer) = self.reviewer.clone() else {
            return;
        };
        let path = self.project_path.clone();
        let dataset = dataset.to_owned();
        self.job = Some(Job::spawn(
            ctx,
            format!("Loading {dataset}"),
            move |progress| {
                let review = Project::open(&path)
                    .and_then(|project| Review::load(&project, &dataset, &reviewer, progress));
                match review {
                    Ok(review) => JobOutcome::Loaded(Box::new(review)),
                    Err(error) => JobOutcome::from_error(error),
                }
            },
        ));
    }

    fn set_reviewer(&mut self, ctx: &egui::Context, name: &str) {
        let Some(project) = self.project.as_mut() else {
            return;
        };
        match project.set_setting(SETTING_REVIEWER, name) {
            Ok(()) => {
                self.reviewer = Some(name.to_owned());
                self.reviewer_prompt = None;
                let dataset = (self.review.as_ref().map(|r| r.dataset.name.clone()))
                    .or_else(|| self.datasets.first().cloned());
                if let Some(dataset) = dataset {
                    self.load_dataset(ctx, &dataset);
                }
            }
            Err(error) => self.status = Status::Error(error.to_string()),
        }
    }

    fn take_job_outcome(&mut self, ctx: &egui::Context) {
        let Some(outcome) = self.job.as_ref().and_then(Job::poll) else {
            return;
        };
        self.job = None;
        match outcome {
            JobOutcome::Loaded(review) => self.show_review(*review),
            JobOutcome::Done(message) => {
                self.status = Status::Info(message);
                // An import may add datasets, models or labels: reopen to show them.
                let dataset = self.review.as_ref().map(|r| r.dataset.name.clone());
                let path = self.project_path.clone();
                self.open_project(ctx, &path);
                if let Some(dataset) = dataset.filter(|d| self.datasets.contains(d)) {
                    self.load_dataset(ctx, &dataset);
                }
            }
            JobOutcome::Failed(message) => self.status = Status::Error(message),
            JobOutcome::Cancelled => {
                self.status = Status::Info("cancelled; nothing was written".into())
            }
        }
    }

    fn show_review(&mut self, review: Review) {
        let summary = format!(
            "{}: {} images, {} models, {} pairs to review",
            review.dataset.name,
            review.files.len(),
            review.evaluation.models.len(),
            review.queue.len()
        );
        self.review = Some(review);
        self.filter = QueueFilter::default();
        self.rebuild_view();
        self.cursor = self.saved_position().unwrap_or(0);
        self.status = Status::Info(summary);
    }

    fn position_key(&self) -> Option<String> {
        let review = self.review.as_ref()?;
        Some(format!(
            "desk.position.{}.{}",
            review.reviewer(),
            review.dataset.name
        ))
    }

    /// Where this reviewer left this dataset's queue, if the item is in the view.
    fn saved_position(&self) -> Option<usize> {
        let value = self
            .project
            .as_ref()?
            .setting(&self.position_key()?)
            .ok()??;
        let (image, label) = value.split_once(':')?;
        let (image, label): (u32, u16) = (image.parse().ok()?, label.parse().ok()?);
        let items = self.review.as_ref()?.queue.items();
        self.view
            .iter()
            .position(|&i| items[i].image == image && items[i].label == label)
    }

    fn save_position(&mut self) {
        let Some(key) = self.position_key() else {
            return;
        };
        let Some(item) = self.current() else {
            return;
        };
        let value = format!("{}:{}", item.image, item.label);
        if let Some(project) = self.project.as_mut() {
            // Losing the position is harmless; a vote failing is reported where it happens.
            let _ = project.set_setting(&key, &value);
        }
    }

    fn rebuild_view(&mut self) {
        let Some(review) = self.review.as_ref() else {
            self.view.clear();
            return;
        };
        let vocab = self.project.as_ref().map(|p| p.vocab());
        let Some(vocab) = vocab else {
            return;
        };
        let current = self.view.get(self.cursor).copied();
        self.view = review.queue.view(
            &self.filter,
            self.order,
            vocab,
            &review.evaluation.truth,
            |item| review.my_vote(item.image, item.label).is_some(),
        );
        self.cursor = current
            .and_then(|c| self.view.iter().position(|&i| i == c))
            .unwrap_or(self.cursor.min(self.view.len().saturating_sub(1)));
    }

    fn move_to(&mut self, cursor: usize) {
        if self.view.is_empty() {
            return;
        }
        let cursor = cursor.min(self.view.len() - 1);
        if cursor != self.cursor {
            self.cursor = cursor;
            self.scene_rect = egui::Rect::ZERO;
            self.moved_at = Some(Instant::now());
            self.scroll_queue = true;
            self.picker = None;
            self.note = None;
            self.save_position();
        }
    }

    fn next(&mut self) {
        self.move_to(self.cursor + 1);
    }

    fn previous(&mut self) {
        self.move_to(self.cursor.saturating_sub(1));
    }

    /// Casts a vote; the status says saved only once the core has committed it.
    fn cast(&mut self, vote: Vote, advance: bool) {
        let (Some(project), Some(review)) = (self.project.as_mut(), self.review.as_mut()) else {
            return;
        };
        let what = describe_vote(project, &vote);
        match review.vote(project, vote) {
            Ok(()) => {
                self.status = Status::Saved(format!("saved: {what}"));
                if self.filter.reviewed != crate::panel::ReviewedFilter::Any {
                    self.rebuild_view();
                }
                if advance && self.auto_advance {
                    self.next();
                }
            }
            Err(error) => self.status = Status::Error(format!("vote NOT saved: {error}")),
        }
    }

    fn undo(&mut self) {
        let (Some(project), Some(review)) = (self.project.as_mut(), self.review.as_mut()) else {
            return;
        };
        match review.undo(project) {
            Ok(Some((image, label))) => {
                self.status = Status::Saved(format!(
                    "undone: vote on image {} · {}",
                    image + 1,
                    project.vocab().describe(label)
                ));
                let items = review.queue.items();
                if let Some(position) = self
                    .view
                    .iter()
                    .position(|&i| items[i].image == image && items[i].label == label)
                {
                    self.move_to(position);
                }
            }
            Ok(None) => self.status = Status::Info("nothing to undo in this session".into()),
            Err(error) => self.status = Status::Error(format!("undo failed: {error}")),
        }
    }

    /// Decodes the current item's image now and its neighbours' ahead.
    fn prefetch(&self) {
        let Some(review) = self.review.as_ref() else {
            return;
        };
        let items = review.queue.items();
        // Ahead requests are served in the order asked: the next items first, then behind.
        let ahead = self.cursor + 1..(self.cursor + PREFETCH_AHEAD + 1).min(self.view.len());
        let behind = self.cursor.saturating_sub(PREFETCH_BEHIND)..self.cursor;
        let mut keep = Vec::new();
        for position in std::iter::once(self.cursor).chain(ahead).chain(behind) {
            let Some(&index) = self.view.get(position) else {
                continue;
            };
            let path = review.image_path(items[index].image);
            let priority = if position == self.cursor {
                Priority::Now
            } else {
                Priority::Ahead
            };
            self.loader.request(&path, priority);
            keep.push(path);
        }
        self.loader.retain_queued(&keep);
    }
}

fn describe_vote(project: &Project, vote: &Vote) -> String {
    let pair = project.vocab().describe(vote.label);
    format!("image {} · {pair}: {}", vote.image + 1, vote.summary())
}

impl eframe::App for Desk {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.take_job_outcome(&ctx);
        self.handle_keys(&ctx);
        self.prefetch();
        self.menu_bar(ui);
        self.status_bar(ui);
        if self.review.is_some() {
            self.queue_panel(ui);
            self.item_panel(ui);
            self.metrics_panel(ui);
        }
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        self.windows(&ctx);
    }
}
