//! The menu bar, the status bar and the dialogs: who is reviewing, the class picker, the
//! import form, the note, and a running job's progress. Every dialog closes with Cancel or
//! Esc; each returns what the person chose as a [`Command`].

use super::command::Command;
use super::forms::{AggregateForm, ChairForm, ImportForm, ImportKind, PanelNoteForm};
use super::keys::{self, Action};
use super::panel_dialogs::panel_note_window;
use super::panel_dialogs::{aggregate_window, chair_window};
use super::theme;
use super::{Desk, Status};
use crate::panel::Verdict;
use crate::vocab::ClassId;
use std::path::PathBuf;

/// The one dialog open at a time.
#[derive(Debug)]
pub enum Dialog {
    Reviewer(ReviewerPrompt),
    Picker(ClassPicker),
    Import(Box<ImportForm>),
    Note(String),
    Chair(Box<ChairForm>),
    Aggregate(Box<AggregateForm>),
    PanelNote(Box<PanelNoteForm>),
    Jump(super::jump_view::JumpForm),
}

#[derive(Debug)]
pub struct ReviewerPrompt {
    name: String,
    /// Who has voted in the project, to pick from.
    known: Vec<String>,
    focused: bool,
}

impl ReviewerPrompt {
    /// Filled in with the person's remembered name.
    pub fn new(name: Option<&str>, known: &[String]) -> Self {
        ReviewerPrompt {
            name: name.unwrap_or_default().to_owned(),
            known: known.to_vec(),
            focused: false,
        }
    }
}

/// A searchable list of the vocabulary, for adding a label the models did not predict.
#[derive(Debug, Default)]
pub struct ClassPicker {
    query: String,
    selected: usize,
}

/// Classes the picker lists at once.
const PICKER_ROWS: usize = 12;

impl Desk {
    pub(super) fn menu_bar(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        let mut settings = self.settings.clone();
        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                ui.menu_button("File", |ui| commands.extend(self.file_menu(ui)));
                ui.menu_button("View", |ui| {
                    ui.checkbox(&mut settings.auto_advance, "Move on after a vote");
                    let label = Action::menu_label;
                    ui.checkbox(&mut settings.show_browser, label(Action::Browser));
                    ui.checkbox(&mut settings.show_plots, label(Action::Plots));
                    ui.checkbox(&mut settings.show_panel, label(Action::Panel));
                    ui.checkbox(&mut settings.metrics_in_full, label(Action::MetricsView));
                    let mut compare = self.compare.open;
                    if ui.checkbox(&mut compare, label(Action::Compare)).changed() {
                        commands.push(Command::Act(Action::Compare));
                    }
                    ui.add(egui::Slider::new(&mut settings.top_k, 1..=10).text("top-k shown"));
                });
            });
        });
        if settings != self.settings {
            commands.push(Command::Settings(Box::new(settings)));
        }
        commands
    }

    fn file_menu(&self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        self.project_items(ui, &mut commands);
        self.team.file_menu(ui);
        let reviewer = self.reviewer().unwrap_or("nobody yet");
        if ui
            .button(format!("Switch reviewer (now {reviewer})…"))
            .clicked()
        {
            commands.push(Command::AskReviewer);
        }
        ui.separator();
        let dataset = self.review.as_ref().map(|r| r.dataset.name.clone());
        for kind in [
            ImportKind::Images,
            ImportKind::Labels,
            ImportKind::Predictions,
            ImportKind::Votes,
        ] {
            let label = format!("{}…", kind.title());
            if ui
                .add_enabled(self.project.is_some(), egui::Button::new(label))
                .clicked()
            {
                commands.push(Command::ImportForm(kind));
            }
        }
        ui.separator();
        dataset_items(ui, dataset.as_deref(), &mut commands);
        commands
    }

    /// New, open, and the projects opened lately (other than this one).
    fn project_items(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        if ui.button("New project…").clicked() {
            let chosen = rfd::FileDialog::new()
                .add_filter("bagel project", &["bagel"])
                .set_file_name("project.bagel")
                .save_file();
            commands.extend(chosen.map(Command::NewProject));
        }
        if ui.button("Open project…").clicked() {
            let chosen = rfd::FileDialog::new()
                .add_filter("bagel project", &["bagel"])
                .pick_file();
            commands.extend(chosen.map(Command::OpenProject));
        }
        let here = super::settings::canonical(&self.project_path);
        let recent: Vec<&PathBuf> = (self.settings.recent_projects.iter())
            .filter(|p| **p != here)
            .collect();
        if !recent.is_empty() {
            ui.menu_button("Open recent", |ui| {
                for path in recent {
                    if ui.button(path.display().to_string()).clicked() {
                        commands.push(Command::OpenProject(path.clone()));
                    }
                }
            });
        }
    }

    /// Who votes, then what the last action did; on the right the switch time and the
    /// project. The message takes the room the right side leaves and is cut short there, in
    /// full on hover, so the two never overlap.
    pub(super) fn status_bar(&self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                let reviewer = self
                    .reviewer()
                    .unwrap_or("(nobody: File > Switch reviewer)");
                if ui
                    .button(format!("Reviewer: {reviewer}"))
                    .on_hover_text("who votes at this desk; click to switch")
                    .clicked()
                {
                    commands.push(Command::AskReviewer);
                }
                if let Some(vote) = self.my_current_vote()
                    && crate::panel::queue::is_incomplete(&vote)
                {
                    ui.colored_label(theme::WARN, "this vote is incomplete: 1–4 and M / N");
                }
                ui.separator();
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    self.status_right(ui);
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        self.status_message(ui)
                    });
                });
            });
        });
        commands
    }

    /// The project (its file name; the whole path on hover), the last switch time, a reload.
    fn status_right(&self, ui: &mut egui::Ui) {
        let path = self.project_path.display().to_string();
        let name = (self.project_path.file_name())
            .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
        ui.label(name).on_hover_text(path);
        if let Some(switch) = self.last_switch {
            ui.separator();
            ui.label(format!("next image drawn in {} ms", switch.as_millis()))
                .on_hover_text("from the key press to the frame that showed the image");
        }
        if self.reload.is_some() {
            ui.separator();
            ui.label("reloading changes made elsewhere…");
        }
        ui.separator();
        self.team.status_line(ui, self.reviewer());
    }

    /// The last import's warnings, and the last action's message cut to the room left.
    fn status_message(&self, ui: &mut egui::Ui) {
        if !self.warnings.is_empty() {
            ui.colored_label(theme::WARN, format!("⚠ {} warnings", self.warnings.len()))
                .on_hover_text(self.warnings.join("\n"));
        }
        let (text, color) = match &self.status {
            Status::Idle => return,
            Status::Info(text) => (text.clone(), ui.visuals().text_color()),
            Status::Saved(text) => (format!("✔ {text}"), theme::GOOD),
            Status::Error(text) => (format!("⚠ {text}"), theme::BAD),
        };
        // Cut short, the whole message shows on hover.
        ui.add(egui::Label::new(egui::RichText::new(text).color(color)).truncate());
    }

    /// The open dialog and windows.
    pub(super) fn windows(&mut self, ctx: &egui::Context) -> Vec<Command> {
        let mut commands = Vec::new();
        commands.extend(self.job_window(ctx));
        let datasets = self.datasets.clone();
        let item = self.current().cloned();
        let present: Vec<ClassId> = item
            .as_ref()
            .and_then(|item| Some(self.labels_of_image(item.image)?.into_iter().collect()))
            .unwrap_or_default();
        let vocab = self.project.as_ref().map(|p| p.vocab().clone());
        let command = match &mut self.dialog {
            Some(Dialog::Reviewer(prompt)) => reviewer_window(ctx, prompt),
            Some(Dialog::Picker(picker)) => match (vocab, item) {
                (Some(vocab), Some(_)) => picker_window(ctx, picker, &vocab, &present),
                _ => Some(Command::CloseDialog),
            },
            Some(Dialog::Note(note)) => note_window(ctx, note),
            Some(Dialog::Import(form)) => import_window(ctx, form, &datasets),
            Some(Dialog::Chair(form)) => chair_window(ctx, form),
            Some(Dialog::Aggregate(form)) => aggregate_window(ctx, form),
            Some(Dialog::PanelNote(form)) => panel_note_window(ctx, form),
            Some(Dialog::Jump(form)) => match (&self.review, &self.project) {
                (Some(review), Some(project)) => {
                    super::jump_view::jump_window(ctx, form, review, project.vocab())
                }
                _ => Some(Command::CloseDialog),
            },
            None => None,
        };
        commands.extend(command);
        if self.settings.show_plots {
            commands.extend(self.plots_window(ctx));
        }
        commands.extend(self.panel_window(ctx));
        commands
    }

    fn job_window(&self, ctx: &egui::Context) -> Option<Command> {
        let job = self.job.as_ref()?;
        let mut cancel = false;
        let modal = egui::Modal::new(egui::Id::unique("job")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading(&job.title);
            ui.label(job.phase());
            let bar = match job.fraction() {
                Some(fraction) => egui::ProgressBar::new(fraction).show_percentage(),
                None => egui::ProgressBar::new(0.0).animate(true),
            };
            ui.add(bar);
            let label = match job.is_cancelling() {
                true => "Cancelling…",
                false => keys::CANCEL,
            };
            cancel = ui
                .add_enabled(!job.is_cancelling(), egui::Button::new(label))
                .clicked();
        });
        (cancel || modal.should_close()).then_some(Command::CancelJob)
    }
}

/// What the open dataset offers: its exports, where its images are, the crowd's aggregate.
fn dataset_items(ui: &mut egui::Ui, dataset: Option<&str>, commands: &mut Vec<Command>) {
    let export = egui::Button::new("Export updated labels…");
    if ui.add_enabled(dataset.is_some(), export).clicked()
        && let Some(out) = rfd::FileDialog::new()
            .add_filter("CSV", &["csv"])
            .set_file_name(format!("{}_labels.csv", dataset.unwrap_or_default()))
            .save_file()
    {
        commands.push(Command::ExportLabels(out));
    }
    let export = egui::Button::new("Export votes…");
    if ui.add_enabled(dataset.is_some(), export).clicked()
        && let Some(out) = rfd::FileDialog::new()
            .add_filter("CSV", &["csv"])
            .set_file_name("votes.csv")
            .save_file()
    {
        commands.push(Command::ExportVotes(out));
    }
    let locate = egui::Button::new("Locate images…");
    if ui
        .add_enabled(dataset.is_some(), locate)
        .on_hover_text(
            "where you keep this dataset's images (your own setting; the project keeps its root)",
        )
        .clicked()
        && let Some(root) = rfd::FileDialog::new().pick_folder()
    {
        commands.push(Command::LocateImages(root));
    }
    ui.separator();
    let aggregate = egui::Button::new("Aggregate crowd votes…");
    if ui.add_enabled(dataset.is_some(), aggregate).clicked() {
        commands.push(Command::AggregateForm);
    }
}

fn reviewer_window(ctx: &egui::Context, prompt: &mut ReviewerPrompt) -> Option<Command> {
    let mut command = None;
    let modal = egui::Modal::new(egui::Id::unique("reviewer")).show(ctx, |ui| {
        ui.set_width(400.0);
        ui.heading("Who is reviewing?");
        ui.label("Your name goes with every vote you cast. It is kept in your own settings, not in the project file.");
        let field = ui.add(egui::TextEdit::singleline(&mut prompt.name).hint_text("your name"));
        // Focus asked once: asking every frame keeps an unfocused window repainting.
        if !std::mem::replace(&mut prompt.focused, true) {
            field.request_focus();
        }
        if !prompt.known.is_empty() {
            ui.label("Or pick one of this project's reviewers:");
            ui.horizontal_wrapped(|ui| {
                for name in &prompt.known {
                    if ui.button(name).clicked() {
                        command = Some(Command::SetReviewer(name.clone()));
                    }
                }
            });
        }
        let name = prompt.name.trim().to_owned();
        let enter = keys::entered(ui, &field);
        ui.horizontal(|ui| {
            let ok = ui.add_enabled(!name.is_empty(), egui::Button::new("Start reviewing"));
            if !name.is_empty() && (ok.clicked() || enter) {
                command = Some(Command::SetReviewer(name.clone()));
            }
            if ui.button(keys::CANCEL).clicked() {
                command = Some(Command::CloseDialog);
            }
        });
    });
    command.or_else(|| modal.should_close().then_some(Command::CloseDialog))
}

fn picker_window(
    ctx: &egui::Context,
    picker: &mut ClassPicker,
    vocab: &crate::vocab::Vocabulary,
    present: &[ClassId],
) -> Option<Command> {
    let mut command = None;
    let modal = egui::Modal::new(egui::Id::unique("picker")).show(ctx, |ui| {
        ui.set_width(560.0);
        ui.heading("Add a valid label for this image");
        let field = ui.add(
            egui::TextEdit::singleline(&mut picker.query).hint_text("class name, wnid or index"),
        );
        field.request_focus();
        let matches = vocab.find(&picker.query, PICKER_ROWS);
        let list = keys::ListKeys::read(ui);
        picker.selected = list.moved(picker.selected, matches.len());
        for (row, &class) in matches.iter().enumerate() {
            let Some(info) = vocab.class(class) else {
                continue;
            };
            let already = present.contains(&class);
            let text = match already {
                true => format!(
                    "{} · {}  (already a label of this image)",
                    info.name(),
                    info.wnid
                ),
                false => format!("{} · {}", info.name(), info.wnid),
            };
            let text = egui::RichText::new(text);
            let text = if already {
                text.color(theme::GOOD)
            } else {
                text
            };
            let hover = format!("{}\n\n{}", info.names, info.gloss);
            if ui
                .selectable_label(row == picker.selected, text)
                .on_hover_text(hover)
                .clicked()
            {
                command = Some(Command::AddLabel(class, Verdict::Correct));
            }
        }
        let selected = matches.get(picker.selected).copied();
        if let (true, Some(class)) = (list.enter, selected) {
            command = Some(Command::AddLabel(class, Verdict::Correct));
        }
        ui.horizontal(|ui| {
            if let Some(class) = selected {
                if ui.button("Add as correct (Enter)").clicked() {
                    command = Some(Command::AddLabel(class, Verdict::Correct));
                }
                if ui.button("Add as unclear").clicked() {
                    command = Some(Command::AddLabel(class, Verdict::Unclear));
                }
            }
            if ui.button(keys::CANCEL).clicked() {
                command = Some(Command::CloseDialog);
            }
        });
    });
    command.or_else(|| modal.should_close().then_some(Command::CloseDialog))
}

fn note_window(ctx: &egui::Context, note: &mut String) -> Option<Command> {
    let mut command = None;
    let modal = egui::Modal::new(egui::Id::unique("note")).show(ctx, |ui| {
        ui.set_width(480.0);
        ui.heading("Note on this pair");
        let field = ui.add(egui::TextEdit::multiline(note).desired_rows(4));
        field.request_focus();
        ui.horizontal(|ui| {
            let save = ui
                .button(format!("Save note ({})", keys::SAVE_TEXT))
                .clicked()
                || keys::save_text_pressed(ui);
            if save {
                command = Some(Command::SaveNote(note.trim().to_owned()));
            }
            if ui.button(keys::CANCEL).clicked() {
                command = Some(Command::CloseDialog);
            }
        });
    });
    command.or_else(|| modal.should_close().then_some(Command::CloseDialog))
}

fn import_window(
    ctx: &egui::Context,
    form: &mut ImportForm,
    datasets: &[String],
) -> Option<Command> {
    let mut command = None;
    let modal = egui::Modal::new(egui::Id::unique("import")).show(ctx, |ui| {
        ui.set_width(560.0);
        ui.heading(form.kind.title());
        egui::Grid::new("import_grid")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| import_fields(ui, form, datasets));
        ui.horizontal(|ui| {
            let ready = !form.sources.is_empty() && !form.dataset.trim().is_empty();
            if ui.add_enabled(ready, egui::Button::new("Import")).clicked() {
                let form = std::mem::replace(form, ImportForm::new(form.kind, None));
                command = Some(Command::Import(Box::new(form)));
            }
            if ui.button(keys::CANCEL).clicked() {
                command = Some(Command::CloseDialog);
            }
        });
    });
    command.or_else(|| modal.should_close().then_some(Command::CloseDialog))
}

fn import_fields(ui: &mut egui::Ui, form: &mut ImportForm, datasets: &[String]) {
    ui.label("Dataset");
    if form.kind == ImportKind::Images {
        ui.text_edit_singleline(&mut form.dataset);
    } else {
        egui::ComboBox::from_id_salt("import_dataset")
            .selected_text(&form.dataset)
            .show_ui(ui, |ui| {
                for name in datasets {
                    ui.selectable_value(&mut form.dataset, name.clone(), name);
                }
            });
    }
    ui.end_row();
    ui.label(match form.kind {
        ImportKind::Images => "Folder, list or V2 JSON",
        ImportKind::Labels => "Labels file",
        ImportKind::Predictions => "Prediction files",
        ImportKind::Votes => "Vote CSV, raters.npz or *_votes.csv.gz",
    });
    ui.horizontal(|ui| {
        let shown: Vec<String> = form
            .sources
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        ui.label(match shown.is_empty() {
            true => "(none)".to_owned(),
            false => shown.join(", "),
        });
        if ui.button("File…").clicked() {
            let dialog = rfd::FileDialog::new();
            let chosen = match form.kind {
                ImportKind::Predictions => dialog.pick_files().unwrap_or_default(),
                _ => dialog.pick_file().into_iter().collect(),
            };
            if !chosen.is_empty() {
                form.choose(chosen);
            }
        }
        if form.kind == ImportKind::Images && ui.button("Folder…").clicked() {
            form.choose(rfd::FileDialog::new().pick_folder().into_iter().collect());
        }
    });
    ui.end_row();
    match form.kind {
        ImportKind::Images => {
            ui.label("Image root");
            ui.horizontal(|ui| {
                let root = form.root.as_ref().map(|p| p.display().to_string());
                let folder = form.sources.first().is_some_and(|s| s.is_dir());
                ui.label(root.unwrap_or_else(|| match folder {
                    true => "(the image folder itself)".into(),
                    false => "(none: relative file names will not be found)".into(),
                }));
                if ui.button("Folder…").clicked() {
                    form.root = rfd::FileDialog::new().pick_folder();
                }
            });
            ui.end_row();
        }
        ImportKind::Predictions => {
            ui.label("Model name");
            ui.add(egui::TextEdit::singleline(&mut form.model).hint_text("from the file name"));
            ui.end_row();
            ui.label("Keep top-k");
            ui.add(egui::DragValue::new(&mut form.top_k).range(1..=100));
            ui.end_row();
        }
        ImportKind::Labels | ImportKind::Votes => {}
    }
    if matches!(form.kind, ImportKind::Labels | ImportKind::Predictions) {
        ui.label("Replace existing");
        ui.checkbox(&mut form.replace, "");
        ui.end_row();
    }
}

impl Desk {
    /// Starts an import as the form would, without the form (for tests and scripts).
    pub fn start_import(
        &mut self,
        ctx: &egui::Context,
        kind: ImportKind,
        dataset: &str,
        sources: Vec<PathBuf>,
    ) {
        let mut form = ImportForm::new(kind, Some(dataset));
        form.choose(sources);
        self.run_cmd(ctx, Command::Import(Box::new(form)));
    }
}
