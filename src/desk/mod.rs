//! The review desk: the egui window a panelist works in. A thin layer over the core: it shows
//! a [`Review`]; panels return [`Command`]s and [`Desk::run_cmd`] applies them, the one place
//! the desk's state changes. Every vote is written by the core before the desk marks it
//! saved. Long work (loading, importing, exporting) runs in [`jobs`].

mod browser;
mod command;
mod compare_view;
mod dialogs;
mod forms;
mod image_view;
mod item;
mod jobs;
mod jump_view;
mod keys;
mod metrics_panel;
mod names;
mod panel_actions;
mod panel_dialogs;
mod panel_window;
mod picture;
mod queue_panel;
mod run;
mod settings;
mod team;
mod theme;
mod work_view;

use crate::imaging::{ImageLoader, Priority};
use crate::panel::{PairStatus, QueueFilter, Review, SortOrder, ViewCounts};
use crate::store::{Project, Watcher};
pub use command::Command;
use dialogs::{Dialog, ReviewerPrompt};
pub use forms::ComparisonExport;
pub use forms::ImportKind;
use image_view::ImageView;
use jobs::{Job, JobOutcome};
pub use keys::Action;
use picture::Textures;
pub use settings::Settings;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How many items ahead of (and behind) the cursor are decoded in advance.
const PREFETCH_AHEAD: usize = 3;
const PREFETCH_BEHIND: usize = 1;
/// Longest side images are decoded to: sharp on a 4K screen, bounded memory for huge photos.
const DISPLAY_SIDE: u32 = 2048;
const IMAGE_CACHE_BYTES: usize = 384 << 20;
/// How often the project file is checked for others' changes.
const WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// Opens the desk on a project; blocks until the window is closed. `images_anywhere`: the
/// person lets image names leave the dataset's root (see `DatasetInfo::images_anywhere`).
pub fn run(project: PathBuf, images_anywhere: bool) -> anyhow::Result<()> {
    // "Ready after start" counts the window's creation too, not only the loading.
    let launched = Instant::now();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("bagel")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([960.0, 600.0]),
        // The window's size and place come back from the last run.
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        "bagel",
        options,
        Box::new(move |cc| {
            let settings = Settings::load(cc.storage);
            let mut desk = Desk::new(&cc.egui_ctx, settings, &project);
            desk.images_anywhere = images_anywhere;
            desk.started = desk.started.map(|_| launched);
            Ok(Box::new(desk))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the desk could not start: {e}"))
}

/// Opens a project to vote in it, or, when it cannot be written (a read-only file or
/// folder), to browse it: then with the reason voting is off.
pub(crate) fn open_project_file(path: &Path) -> crate::error::Result<(Project, Option<String>)> {
    match Project::open(path) {
        Ok(project) => Ok((project, None)),
        Err(cannot_write) => match Project::open_read_only(path) {
            Ok(project) => Ok((project, Some(cannot_write.to_string()))),
            Err(_) => Err(cannot_write),
        },
    }
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
    /// What the person keeps across restarts.
    settings: Settings,
    /// Image names may leave the dataset's root: the person's choice for this run.
    images_anywhere: bool,
    /// Why the open project cannot be written, when it cannot: the desk browses it.
    read_only: Option<String>,
    /// The settings as last written to eframe's storage (None: not yet this run).
    saved_settings: Option<Settings>,
    project_path: PathBuf,
    project: Option<Project>,
    datasets: Vec<String>,
    /// Everyone who has voted in the project.
    reviewers: Vec<String>,
    review: Option<Review>,
    /// The order in force: the chosen one, or the best the queue allows.
    order: SortOrder,
    /// Queue positions shown, in order; `cursor` indexes it.
    view: Vec<usize>,
    counts: ViewCounts,
    cursor: usize,
    loader: ImageLoader,
    textures: Textures,
    /// The image's zoom and pan; None fits it to the room.
    image_view: Option<ImageView>,
    status: Status,
    /// Work the person waits for, drawn with its progress and Cancel.
    job: Option<Job>,
    /// A reload after changes made elsewhere, in the background.
    reload: Option<Job>,
    /// A vote was cast while the reload ran, which may have read the log before it.
    reload_outdated: bool,
    watcher: Option<Watcher>,
    data_version: Option<i64>,
    dialog: Option<Dialog>,
    /// The last import's warnings, kept in the status bar until the next import.
    warnings: Vec<String>,
    /// When the last move to another item was asked for, until its image is drawn.
    moved_at: Option<Instant>,
    last_switch: Option<Duration>,
    /// Scroll the queue list to the cursor on the next frame.
    scroll_queue: bool,
    /// Where each jump left from (the queue's filter and pair), the last on top.
    jumped_from: Vec<(
        crate::panel::QueueFilter,
        Option<(u32, crate::vocab::ClassId)>,
    )>,
    /// When the desk started, until the first queue is shown: the status bar says how long
    /// the person waited.
    started: Option<Instant>,
    /// What the panel window shows; dropped by every change of votes or decisions.
    panel_summary: Option<panel_window::PanelSummary>,
    /// The current pair's history and notes; dropped by the same changes.
    pair_record: Option<item::PairRecord>,
    compare: compare_view::CompareView,
    /// The team server's sync, when the project is linked to one.
    team: team::TeamDesk,
}

impl Desk {
    /// The desk on a project, with the person's remembered settings.
    pub fn new(ctx: &egui::Context, settings: Settings, project: &Path) -> Self {
        theme::apply(ctx);
        let loader = ImageLoader::new(2, DISPLAY_SIDE, IMAGE_CACHE_BYTES);
        let waker = ctx.clone();
        loader.on_ready(move || waker.request_repaint());
        let mut desk = Desk {
            settings,
            images_anywhere: false,
            saved_settings: None,
            read_only: None,
            project_path: project.to_path_buf(),
            project: None,
            datasets: Vec::new(),
            reviewers: Vec::new(),
            review: None,
            order: SortOrder::default(),
            view: Vec::new(),
            counts: ViewCounts::default(),
            cursor: 0,
            loader,
            textures: Textures::default(),
            image_view: None,
            status: Status::Idle,
            job: None,
            reload: None,
            reload_outdated: false,
            watcher: None,
            data_version: None,
            dialog: None,
            warnings: Vec::new(),
            moved_at: None,
            last_switch: None,
            scroll_queue: true,
            jumped_from: Vec::new(),
            started: Some(Instant::now()),
            panel_summary: None,
            pair_record: None,
            compare: Default::default(),
            team: Default::default(),
        };
        desk.open_project(ctx, project, None);
        desk
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn review(&self) -> Option<&Review> {
        self.review.as_ref()
    }

    pub fn is_busy(&self) -> bool {
        self.job.is_some() || self.reload.is_some()
    }

    /// The queue item under the cursor.
    pub fn current(&self) -> Option<&crate::panel::QueueItem> {
        let review = self.review.as_ref()?;
        review.queue.items().get(*self.view.get(self.cursor)?)
    }

    pub fn view_len(&self) -> usize {
        self.view.len()
    }

    /// Counters over the pairs the filters keep.
    pub fn counts(&self) -> ViewCounts {
        self.counts
    }

    /// Opens a project file and loads `dataset` (else the first one) once the person at the
    /// desk has said who they are for this project.
    fn open_project(&mut self, ctx: &egui::Context, path: &Path, dataset: Option<String>) {
        self.review = None;
        self.compare.forget();
        self.view.clear();
        self.project_path = path.to_path_buf();
        let opened = open_project_file(path).and_then(|(project, read_only)| {
            let datasets = project.datasets()?;
            let reviewers = project.reviewers()?;
            Ok((project, datasets, reviewers, read_only))
        });
        match opened {
            Ok((project, datasets, reviewers, read_only)) => {
                if let Some(why) = &read_only {
                    self.status = Status::Info(format!("browsing only, voting is off: {why}"));
                }
                self.read_only = read_only;
                self.datasets = datasets.into_iter().map(|d| d.name).collect();
                self.data_version = project.data_version().ok();
                self.project = Some(project);
                self.reviewers = reviewers;
                self.settings.opened(path);
                let waker = ctx.clone();
                self.watcher = Some(Watcher::spawn(path, WATCH_INTERVAL, move || {
                    waker.request_repaint()
                }));
                self.team = team::TeamDesk::open(ctx, path);
                let dataset = dataset
                    .filter(|d| self.datasets.contains(d))
                    .or_else(|| self.datasets.first().cloned());
                if !self.settings.confirmed(path) {
                    // The wait for a name is the person's, not the desk's; the dataset loads
                    // behind the prompt meanwhile, for nobody yet (a vote needs a name).
                    self.started = None;
                    self.dialog = Some(Dialog::Reviewer(ReviewerPrompt::new(
                        self.settings.reviewer.as_deref(),
                        &self.reviewers,
                    )));
                }
                if let Some(dataset) = dataset {
                    self.load_dataset(ctx, &dataset);
                }
            }
            Err(error) => {
                self.project = None;
                self.watcher = None;
                self.status = Status::Error(format!("{error}"));
            }
        }
    }

    /// Loads a dataset's review off the UI thread; the queue appears when it is ready.
    fn load_dataset(&mut self, ctx: &egui::Context, dataset: &str) {
        if let Some(job) = self.job.take() {
            job.cancel();
        }
        self.job = self.spawn_load(ctx, dataset, format!("Loading {dataset}"));
    }

    fn spawn_load(&self, ctx: &egui::Context, dataset: &str, title: String) -> Option<Job> {
        let reviewer = self.reviewer().unwrap_or_default().to_owned();
        let path = self.project_path.clone();
        let dataset = dataset.to_owned();
        let images_anywhere = self.images_anywhere;
        Some(Job::spawn(ctx, title, move |progress| {
            let review = open_project_file(&path)
                .and_then(|(project, _)| Review::load(&project, &dataset, &reviewer, progress));
            match review {
                Ok(mut review) => {
                    review.dataset.images_anywhere = images_anywhere;
                    JobOutcome::Loaded(Box::new(review))
                }
                Err(error) => JobOutcome::from_error(error),
            }
        }))
    }

    /// Who votes at this desk, once confirmed for the open project.
    fn reviewer(&self) -> Option<&str> {
        let confirmed = self.settings.confirmed(&self.project_path);
        self.settings.reviewer.as_deref().filter(|_| confirmed)
    }

    fn current_dataset(&self) -> Option<String> {
        (self.review.as_ref().map(|r| r.dataset.name.clone()))
            .or_else(|| self.datasets.first().cloned())
    }

    fn take_job_outcome(&mut self, ctx: &egui::Context) {
        if let Some(outcome) = self.reload.as_ref().and_then(Job::poll) {
            self.reload = None;
            match outcome {
                // My vote cast while it loaded may be missing from it: load again.
                JobOutcome::Loaded(_) if std::mem::take(&mut self.reload_outdated) => {
                    self.reload_now(ctx)
                }
                JobOutcome::Loaded(review) => self.take_reload(*review),
                JobOutcome::Failed(message) => self.status = Status::Error(message),
                _ => {}
            }
        }
        let Some(outcome) = self.job.as_ref().and_then(Job::poll) else {
            return;
        };
        self.job = None;
        match outcome {
            JobOutcome::Loaded(review) => {
                let waited = (self.started.take())
                    .map(|started| {
                        format!(" · ready {} ms after start", started.elapsed().as_millis())
                    })
                    .unwrap_or_default();
                let browsing = (self.read_only.as_ref())
                    .map(|why| format!(" · browsing only, voting is off: {why}"))
                    .unwrap_or_default();
                let summary = format!(
                    "{}: {} images, {} models, {} pairs to review{waited}{browsing}",
                    review.dataset.name,
                    review.files.len(),
                    review.evaluation.models.len(),
                    review.queue.len()
                );
                self.show_review(*review, false);
                // An import's summary stays until the person acts.
                if !matches!(self.status, Status::Info(ref s) if s.starts_with("imported")) {
                    self.status = Status::Info(summary);
                }
            }
            JobOutcome::Done(message) => self.status = Status::Info(message),
            JobOutcome::Compared(result) => self.compared(result),
            JobOutcome::Imported { summary, warnings } => {
                // An import may add datasets, models or labels: reopen, and load once.
                let dataset = self.current_dataset();
                let path = self.project_path.clone();
                self.open_project(ctx, &path, dataset);
                self.status = Status::Info(format!("imported {summary}"));
                self.warnings = warnings;
            }
            JobOutcome::Failed(message) => self.status = Status::Error(message),
            JobOutcome::Cancelled => {
                self.status = Status::Info("cancelled; nothing was written".into())
            }
        }
    }

    /// Notices commits made by others to the project file and reloads in the background.
    fn poll_changes(&mut self, ctx: &egui::Context) {
        if self.job.is_some() || self.reload.is_some() {
            return;
        }
        let Some(project) = &self.project else {
            return;
        };
        let now = project.data_version().ok();
        if now == self.data_version {
            return;
        }
        self.data_version = now;
        self.reload_now(ctx);
    }

    fn reload_now(&mut self, ctx: &egui::Context) {
        if let Some(dataset) = self.review.as_ref().map(|r| r.dataset.name.clone()) {
            self.reload = self.spawn_load(ctx, &dataset, format!("Reloading {dataset}"));
        }
    }

    /// Shows a reload for changes made elsewhere, going on with my session (undo still works).
    fn take_reload(&mut self, mut review: Review) {
        let (Some(project), Some(earlier)) = (&self.project, self.review.as_mut()) else {
            return;
        };
        self.status = match review.continue_session(project, earlier) {
            Ok(()) => Status::Info("changes made elsewhere are loaded".into()),
            Err(error) => Status::Error(format!("changes made elsewhere: {error}")),
        };
        self.show_review(review, true);
    }

    /// Shows a freshly loaded review; `keep_place` stays on the same pair (a reload).
    fn show_review(&mut self, mut review: Review, keep_place: bool) {
        let place = (self.current()).map(|item| (item.image, item.label));
        // Loaded behind the name prompt: the name given meanwhile takes the session over.
        if let (Some(name), Some(project)) = (self.reviewer(), &self.project)
            && review.reviewer() != name
            && let Err(error) = review.switch_reviewer(project, name)
        {
            self.status = Status::Error(error.to_string());
        }
        if let Some(root) = self
            .settings
            .image_roots
            .get(&self.image_root_key(&review.dataset.name))
        {
            review.dataset.image_root = Some(root.clone());
        }
        self.log_changed();
        self.resolve_model_filter(&review);
        self.review = Some(review);
        self.rebuild_view();
        let saved = match keep_place {
            true => place.and_then(|(image, label)| self.position_of(image, label)),
            false => self.saved_position(),
        };
        self.cursor = saved.unwrap_or(0);
        self.scroll_queue = true;
    }

    /// The remembered model filter, by name, as an index into this review's models.
    fn resolve_model_filter(&mut self, review: &Review) {
        let wanted = self.settings.filter_model.as_deref();
        self.settings.filter.model = wanted.and_then(|name| {
            let index = review
                .evaluation
                .models
                .iter()
                .position(|(n, _)| n == name)?;
            Some(index as u16)
        });
    }

    fn position_of(&self, image: u32, label: crate::vocab::ClassId) -> Option<usize> {
        let items = self.review.as_ref()?.queue.items();
        (self.view.iter()).position(|&i| items[i].image == image && items[i].label == label)
    }

    /// Where this reviewer left this dataset's queue, if the item is in the view.
    fn saved_position(&self) -> Option<usize> {
        let review = self.review.as_ref()?;
        let (image, label) = (self.settings).position(
            &self.project_path,
            review.reviewer(),
            &review.dataset.name,
        )?;
        self.position_of(image, label)
    }

    /// Remembers the current pair in the person's settings (never in the shared project).
    fn save_position(&mut self) {
        let Some(review) = self.review.as_ref() else {
            return;
        };
        let Some(item) = self.current() else {
            return;
        };
        let pair = (item.image, item.label);
        let (reviewer, dataset) = (review.reviewer().to_owned(), review.dataset.name.clone());
        (self.settings).set_position(&self.project_path, &reviewer, &dataset, pair);
    }

    /// Writes the settings to `storage` when they changed since last written, so a kill or a
    /// crash loses nothing the person set. Returns whether it wrote.
    pub fn save_changed_settings(&mut self, storage: &mut dyn eframe::Storage) -> bool {
        if self.saved_settings.as_ref() == Some(&self.settings) {
            return false;
        }
        self.settings.save(storage);
        storage.flush();
        self.saved_settings = Some(self.settings.clone());
        true
    }

    fn rebuild_view(&mut self) {
        let Some(review) = self.review.as_ref() else {
            self.view.clear();
            return;
        };
        let Some(vocab) = self.project.as_ref().map(|p| p.vocab()) else {
            return;
        };
        self.order = (self.settings.order).unwrap_or_else(|| SortOrder::best_for(&review.queue));
        let current = self.view.get(self.cursor).copied();
        self.view = review.queue.view(
            &self.settings.filter,
            self.order,
            vocab,
            &review.evaluation.truth,
            review,
        );
        self.counts = ViewCounts::of(&review.queue, &self.view, review);
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
            if let (Some(review), Some(item)) = (&self.review, self.current()) {
                self.loader.forget_missing(&review.image_path(item.image));
            }
            // A new item is fitted to the room unless the person zoomed in.
            self.image_view = self.image_view.filter(|view| view.zoomed);
            self.moved_at = Some(Instant::now());
            self.scroll_queue = true;
            if !matches!(self.dialog, Some(Dialog::Reviewer(_) | Dialog::Import(_))) {
                self.dialog = None;
            }
            self.save_position();
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

    /// The pair state of the item at a queue position, for the counters.
    pub(super) fn pair_state(&self, position: usize) -> Option<crate::panel::queue::PairState> {
        let review = self.review.as_ref()?;
        Some(review.state(review.queue.items().get(position)?))
    }

    /// The current queue filter (with the model resolved for this project).
    pub fn filter(&self) -> &QueueFilter {
        &self.settings.filter
    }
}

impl eframe::App for Desk {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.take_job_outcome(&ctx);
        self.poll_changes(&ctx);
        // Keys act before drawing, so the next image is drawn in this very frame.
        if self.dialog.is_none() && self.job.is_none() {
            for action in keys::pressed(&ctx) {
                self.run_cmd(&ctx, Command::Act(action));
            }
        }
        self.prefetch();
        self.refresh_panel_summary();
        self.refresh_pair_record();
        let mut commands = Vec::new();
        commands.extend(self.menu_bar(ui));
        commands.extend(self.status_bar(ui));
        if self.review.is_some() {
            commands.extend(self.queue_panel(ui));
            commands.extend(self.item_panel(ui));
            if !self.settings.metrics_in_full {
                commands.extend(self.metrics_panel(ui));
            }
        }
        egui::CentralPanel::default().show(ui, |ui| commands.extend(self.central(ui)));
        commands.extend(self.windows(&ctx));
        commands.extend(self.compare_window(&ctx));
        self.team.join_window(&ctx, &self.project_path);
        if !commands.is_empty() {
            ctx.request_repaint();
        }
        for command in commands {
            self.run_cmd(&ctx, command);
        }
        if let Some(storage) = frame.storage_mut() {
            self.save_changed_settings(storage);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.settings.save(storage);
    }
}
