//! [`Desk::run_cmd`], the one place the desk's state changes, and the steps it takes.

use super::command::Command;
use super::dialogs::{ClassPicker, Dialog, ReviewerPrompt};
use super::forms::{AggregateForm, ChairForm, ImportForm};
use super::jobs::{Job, JobOutcome};
use super::keys::{self, Action};
use super::names::vote_summary;
use super::{Desk, Settings, Status};
use crate::panel::queue::is_incomplete;
use crate::panel::{NoteOnPair, QueueFilter, Round, Severity, Verdict, Vote};
use crate::store::Project;
use crate::vocab::{ClassId, Vocabulary};
use std::path::PathBuf;

impl Desk {
    /// Applies one command: the only place the desk's state changes.
    pub fn run_cmd(&mut self, ctx: &egui::Context, command: Command) {
        if command.answers_dialog() {
            self.dialog = None;
        }
        match command {
            Command::Act(action) => self.act(action),
            Command::MoveTo(position) => self.move_to(position),
            Command::Settings(settings) => self.change_settings(*settings),
            Command::LoadDataset(name) => self.load_dataset(ctx, &name),
            Command::OpenProject(path) => self.open_project(ctx, &path, None),
            Command::NewProject(path) => self.new_project(ctx, &path),
            Command::AskReviewer => {
                let asked = ReviewerPrompt::new(self.settings.reviewer.as_deref(), &self.reviewers);
                self.dialog = Some(Dialog::Reviewer(asked));
            }
            Command::SetReviewer(name) => {
                self.settings.confirm(&self.project_path, &name);
                self.take_reviewer(ctx, &name);
            }
            Command::AddLabel(class, verdict) => self.add_label(class, verdict),
            Command::SaveNote(note) => self.save_note(note),
            Command::CloseDialog => {}
            Command::ImportForm(kind) => {
                let form = ImportForm::new(kind, self.current_dataset().as_deref());
                self.dialog = Some(Dialog::Import(Box::new(form)));
            }
            Command::Import(form) => self.run_import_job(ctx, form),
            Command::ExportLabels(out) => self.export_labels(ctx, out),
            Command::ExportChart(chart, out) => {
                self.status = match chart.write(&out) {
                    Ok(()) => Status::Saved(format!("chart written to {}", out.display())),
                    Err(error) => Status::Error(error.to_string()),
                }
            }
            Command::Compare(options) => self.start_comparison(ctx, *options),
            Command::ReviewMistakes { dataset, model } => {
                self.review_mistakes(ctx, &dataset, &model)
            }
            Command::ExportComparison(export) => self.export_comparison(ctx, *export),
            Command::CancelJob => self.job.iter().for_each(Job::cancel),
            Command::SetRound(round) => self.set_round(round),
            Command::GoToPair(image, label) => self.go_to_pair(image, label),
            Command::ChairForm => self.dialog = self.chair_form().map(Dialog::Chair),
            Command::Chair(form) => self.override_as_chair(&form),
            Command::AggregateForm => {
                let form = self.current_dataset().map(AggregateForm::new);
                self.dialog = form.map(|form| Dialog::Aggregate(Box::new(form)));
            }
            Command::Aggregate(form) => self.start_aggregate(ctx, form),
            Command::ExportVotes(out) => self.export_votes(ctx, out),
            Command::WithdrawOverride(image, label) => self.withdraw_override((image, label)),
            Command::NoteForm(pair, reply_to) => self.open_note_form(pair, reply_to),
            Command::PostNote(form) => self.post_note(form.pair, &form.text, form.reply_to),
            Command::FilterConfusion(original, predicted) => {
                self.filter_confusion(original, predicted)
            }
            Command::LocateImages(root) => self.locate_images(root),
            Command::JumpTo(jump) => self.jump_to(jump),
            Command::ViewImage(view) => self.image_view = view,
            Command::ImageShown => {
                self.last_switch = self.moved_at.take().map(|started| started.elapsed())
            }
            Command::QueueScrolled => self.scroll_queue = false,
        }
    }

    fn new_project(&mut self, ctx: &egui::Context, path: &std::path::Path) {
        match Project::create(path, &Vocabulary::imagenet1k()) {
            Ok(project) => {
                drop(project);
                self.open_project(ctx, path, None);
            }
            Err(error) => self.status = Status::Error(error.to_string()),
        }
    }

    /// A vote on another label of the current image than the one predicted.
    fn add_label(&mut self, class: ClassId, verdict: Verdict) {
        if let Some(item) = self.current() {
            let vote = Vote::new(item.image, class, verdict);
            self.cast(vote, false);
        }
    }

    fn run_import_job(&mut self, ctx: &egui::Context, form: Box<ImportForm>) {
        let project = self.project_path.clone();
        let title = form.kind.title().to_owned();
        self.job = Some(Job::spawn(ctx, title, move |progress| {
            form.run(&project, progress)
        }));
    }

    fn start_aggregate(&mut self, ctx: &egui::Context, form: Box<AggregateForm>) {
        let project = self.project_path.clone();
        self.job = Some(Job::spawn(
            ctx,
            "Aggregating crowd votes".into(),
            move |progress| form.run(&project, progress),
        ));
    }

    fn act(&mut self, action: Action) {
        if self.review.is_none() || (action.needs_item() && self.current().is_none()) {
            return;
        }
        let item = self.current().cloned();
        match action {
            Action::Next => self.move_to(self.cursor + 1),
            Action::Previous => self.move_to(self.cursor.saturating_sub(1)),
            Action::Undo => self.undo(),
            Action::Browser => self.settings.show_browser ^= true,
            Action::Plots => self.settings.show_plots ^= true,
            Action::MetricsView => self.settings.metrics_in_full ^= true,
            Action::FitImage => self.image_view = None,
            Action::Panel => self.settings.show_panel ^= true,
            Action::Compare => self.compare.open ^= true,
            Action::Jump => self.dialog = Some(Dialog::Jump(Default::default())),
            Action::Back => self.jump_back(),
            Action::Verdict(verdict) => {
                let Some(item) = item else { return };
                // A wrong vote waits for its category and severity before moving on.
                let advance = verdict != Verdict::Wrong;
                self.cast(Vote::new(item.image, item.label, verdict), advance);
            }
            Action::Category(category) => self.detail_wrong(|v| v.category = Some(category)),
            Action::Severity(severity) => self.detail_wrong(|v| v.severity = Some(severity)),
            Action::AddLabel => self.dialog = Some(Dialog::Picker(ClassPicker::default())),
            Action::Note => {
                let note = self.my_current_vote().map(|v| v.note).unwrap_or_default();
                self.dialog = Some(Dialog::Note(note));
            }
        }
    }

    pub(super) fn change_settings(&mut self, settings: Settings) {
        let queue_changed = (&settings.filter, settings.order, &settings.filter_model)
            != (
                &self.settings.filter,
                self.settings.order,
                &self.settings.filter_model,
            );
        self.settings = settings;
        if queue_changed {
            if let Some(review) = self.review.take() {
                self.resolve_model_filter(&review);
                self.review = Some(review);
            }
            self.rebuild_view();
            self.scroll_queue = true;
            self.save_position();
        }
    }

    /// My vote on the current pair, if I cast one.
    pub(super) fn my_current_vote(&self) -> Option<Vote> {
        let item = self.current()?;
        self.review
            .as_ref()?
            .my_vote(item.image, item.label)
            .cloned()
    }

    /// Sends my next votes to another round; the queue marks then show my votes of that round.
    fn set_round(&mut self, round: Round) {
        let (Some(project), Some(review)) = (self.project.as_ref(), self.review.as_mut()) else {
            return;
        };
        match review.set_round(project, round) {
            Ok(()) => {
                self.status =
                    Status::Info(format!("your votes now go to the {} round", round.as_str()));
                self.log_changed();
                self.rebuild_view();
            }
            Err(error) => self.status = Status::Error(error.to_string()),
        }
    }

    /// Moves to a pair; when the filters hide it, shows the discussion round's pairs instead.
    fn go_to_pair(&mut self, image: u32, label: ClassId) {
        if self.position_of(image, label).is_none() {
            let mut settings = self.settings.clone();
            settings.filter = QueueFilter {
                disputed_only: true,
                ..QueueFilter::default()
            };
            settings.filter_model = None;
            self.change_settings(settings);
        }
        match self.position_of(image, label) {
            Some(position) => self.move_to(position),
            None => {
                self.status = Status::Info(
                    "that pair is not in the review queue (no model predicts it at top-1)".into(),
                )
            }
        }
    }

    /// The chair's form for the current pair, filled in with the panel's decision.
    fn chair_form(&self) -> Option<Box<ChairForm>> {
        let (item, review, project) = (
            self.current()?,
            self.review.as_ref()?,
            self.project.as_ref()?,
        );
        let decision = review.live.decision(item.image, item.label).map(|d| Vote {
            category: d.category,
            severity: d.severity,
            ..Vote::new(d.image, d.label, d.verdict)
        });
        let title = format!(
            "{} · {}",
            review.files[item.image as usize],
            project.vocab().describe(item.label)
        );
        Some(Box::new(ChairForm::new(
            item.image,
            item.label,
            title,
            decision.as_ref(),
        )))
    }

    fn override_as_chair(&mut self, form: &ChairForm) {
        let position =
            (self.review.as_ref()).and_then(|r| r.queue.position(form.image, form.label));
        let before = position.and_then(|p| self.pair_state(p));
        let (Some(project), Some(review)) = (self.project.as_mut(), self.review.as_mut()) else {
            return;
        };
        let vote = form.vote();
        let what = describe_vote(project, &vote);
        match review.override_as_chair(project, vote, form.reason()) {
            Ok(()) => {
                self.status = Status::Saved(format!("chair's decision: {what}"));
                self.after_vote(position, before);
            }
            Err(error) => self.status = Status::Error(format!("override NOT saved: {error}")),
        }
    }

    /// Casts a vote; the status says saved only once the core has committed it.
    fn cast(&mut self, vote: Vote, advance: bool) {
        self.record(vote, advance, false);
    }

    /// Casts, or with `amend` completes the last vote on the same pair (one undo for W·1·N).
    fn record(&mut self, vote: Vote, advance: bool, amend: bool) {
        let position =
            (self.review.as_ref()).and_then(|r| r.queue.position(vote.image, vote.label));
        let before = position.and_then(|p| self.pair_state(p));
        let (Some(project), Some(review)) = (self.project.as_mut(), self.review.as_mut()) else {
            return;
        };
        let what = describe_vote(project, &vote);
        let missing = missing_details(&vote);
        let saved = match amend {
            true => review.amend(project, vote),
            false => review.vote(project, vote),
        };
        match saved {
            Ok(()) => {
                self.status = Status::Saved(match missing {
                    Some(missing) => format!("saved: {what} (incomplete: give {missing})"),
                    None => format!("saved: {what}"),
                });
                self.after_vote(position, before);
                if advance && self.settings.auto_advance {
                    self.move_to(self.cursor + 1);
                }
            }
            Err(error) => self.status = Status::Error(format!("vote NOT saved: {error}")),
        }
    }

    /// Keeps the counters (and a view that follows votes) current after one pair changed.
    pub(super) fn after_vote(
        &mut self,
        position: Option<usize>,
        before: Option<crate::panel::queue::PairState>,
    ) {
        self.log_changed();
        self.reload_outdated |= self.reload.is_some();
        if self.settings.filter.follows_votes() {
            self.rebuild_view();
            return;
        }
        let shown = position.is_some_and(|p| self.view.contains(&p));
        if let (true, Some(before), Some(after)) =
            (shown, before, position.and_then(|p| self.pair_state(p)))
        {
            self.counts.change(before, after);
        }
    }

    fn undo(&mut self) {
        let target = self.review.as_ref().and_then(|r| r.undo_target());
        let position = target.and_then(|(i, l)| self.review.as_ref()?.queue.position(i, l));
        let before = position.and_then(|p| self.pair_state(p));
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
                self.after_vote(position, before);
                if let Some(position) = self.position_of(image, label) {
                    self.move_to(position);
                }
            }
            Ok(None) => self.status = Status::Info("nothing to undo in this session".into()),
            Err(error) => self.status = Status::Error(format!("undo failed: {error}")),
        }
    }

    /// Adds a category or severity to the current pair's vote, which becomes `wrong`; moves on
    /// once both are given. Undo takes the whole wrong vote back at once.
    fn detail_wrong(&mut self, change: impl FnOnce(&mut Vote)) {
        let Some(item) = self.current() else {
            return;
        };
        let mine = self
            .my_current_vote()
            .filter(|v| v.verdict == Verdict::Wrong);
        let amend = mine.is_some();
        let mut vote = mine.unwrap_or_else(|| Vote::new(item.image, item.label, Verdict::Wrong));
        change(&mut vote);
        let complete = !is_incomplete(&vote);
        self.record(vote, complete, amend);
    }

    /// Saves the note typed for the current pair with my vote (unclear when I had none).
    fn save_note(&mut self, note: String) {
        let (Some(item), Some(review)) = (self.current(), self.review.as_ref()) else {
            return;
        };
        let pair = (item.image, item.label);
        match review.note_on_pair(pair, &note) {
            NoteOnPair::WithMyVote(vote) => self.cast(vote, false),
            NoteOnPair::ForTheDiscussion => self.post_note(pair, &note, None),
            NoteOnPair::Nothing => {}
        }
    }

    /// Writes one of the dataset's exports as a job; `write` returns what was written.
    fn export(
        &mut self,
        ctx: &egui::Context,
        what: &'static str,
        write: impl FnOnce(&Project, &str) -> crate::error::Result<String> + Send + 'static,
    ) {
        let Some(dataset) = self.review.as_ref().map(|r| r.dataset.name.clone()) else {
            return;
        };
        let project = self.project_path.clone();
        self.job = Some(Job::spawn(
            ctx,
            format!("Exporting {what}"),
            move |progress| {
                progress.begin(&format!("writing {what}"), 0);
                let opened = super::open_project_file(&project);
                match opened.and_then(|(project, _)| write(&project, &dataset)) {
                    Ok(message) => JobOutcome::Done(message),
                    Err(error) => JobOutcome::from_error(error),
                }
            },
        ));
    }

    fn export_labels(&mut self, ctx: &egui::Context, out: PathBuf) {
        self.export(ctx, "labels", move |project, dataset| {
            let rows = crate::export::export_labels(project, dataset, &out)?;
            Ok(format!(
                "{rows} images' labels written to {}",
                out.display()
            ))
        });
    }

    fn export_votes(&mut self, ctx: &egui::Context, out: PathBuf) {
        self.export(ctx, "votes", move |project, dataset| {
            let rows = crate::export::export_votes(project, dataset, None, &out)?;
            Ok(format!("{} written to {}", rows.describe(), out.display()))
        });
    }
}

/// What a wrong vote still lacks, in keys: "a category 1–4", "M or N", or both.
fn missing_details(vote: &Vote) -> Option<String> {
    if !is_incomplete(vote) {
        return None;
    }
    let category = format!("a category {}", keys::category_keys());
    Some(match (vote.category, vote.severity) {
        (None, None) => format!("{category} and {}", keys::severity_keys(" or ")),
        (None, Some(_)) => category,
        (Some(_), _) => format!(
            "{} (major) or {} (minor)",
            Action::Severity(Severity::Major).key_name(),
            Action::Severity(Severity::Minor).key_name()
        ),
    })
}

fn describe_vote(project: &Project, vote: &Vote) -> String {
    let pair = project.vocab().describe(vote.label);
    format!("image {} · {pair}: {}", vote.image + 1, vote_summary(vote))
}
