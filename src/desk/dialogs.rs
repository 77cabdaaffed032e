//! The menu bar, the status bar and the small windows: the reviewer's name, the class picker,
//! the import form, the note, and a running job's progress with Cancel.

use super::jobs::{Job, JobOutcome};
use super::{Desk, Status};
use crate::import::{self, LabelFormat, LabelImport, PredictionImport, model_name_of};
use crate::panel::{Verdict, Vote};
use crate::progress::Progress;
use crate::store::Project;
use crate::vocab::{ClassId, Vocabulary};
use std::path::PathBuf;

#[derive(Default)]
pub struct ReviewerPrompt {
    name: String,
}

/// A searchable list of the vocabulary, for adding a label the models did not predict.
#[derive(Default)]
pub struct ClassPicker {
    query: String,
    selected: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Images,
    Labels,
    Predictions,
}

impl ImportKind {
    fn title(self) -> &'static str {
        match self {
            ImportKind::Images => "Import images",
            ImportKind::Labels => "Import labels",
            ImportKind::Predictions => "Import predictions",
        }
    }
}

pub struct ImportForm {
    kind: ImportKind,
    dataset: String,
    sources: Vec<PathBuf>,
    root: Option<PathBuf>,
    model: String,
    top_k: usize,
    replace: bool,
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

    /// Runs the core importer it describes, one transaction, on the job's own connection.
    fn run(&self, project: &std::path::Path, progress: &dyn Progress) -> JobOutcome {
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
                };
                import::import_predictions(&mut project, &request, progress)
            }
        });
        match outcome {
            Ok(report) => JobOutcome::Done(report.summary),
            Err(error) => JobOutcome::from_error(error),
        }
    }
}

impl Desk {
    pub(super) fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                ui.menu_button("File", |ui| self.file_menu(ui));
                ui.menu_button("View", |ui| {
                    ui.checkbox(&mut self.auto_advance, "Move on after a vote");
                    ui.checkbox(&mut self.show_browser, "Class browser (B)");
                    ui.checkbox(&mut self.show_plots, "Plots (G)");
                    if ui.button("Compare datasets (V)").clicked() {
                        self.toggle_compare();
                    }
                    ui.add(egui::Slider::new(&mut self.top_k, 1..=10).text("top-k shown"));
                });
                ui.menu_button("Reviewer", |ui| {
                    if ui.button("Change reviewer name…").clicked() {
                        self.reviewer_prompt = Some(ReviewerPrompt::default());
                    }
                });
            });
        });
    }

    fn file_menu(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if ui.button("New project…").clicked() {
            let chosen = rfd::FileDialog::new()
                .add_filter("bagel project", &["bagel"])
                .set_file_name("project.bagel")
                .save_file();
            if let Some(path) = chosen {
                match Project::create(&path, &Vocabulary::imagenet1k()) {
                    Ok(project) => {
                        drop(project);
                        self.open_project(&ctx, &path);
                    }
                    Err(error) => self.status = Status::Error(error.to_string()),
                }
            }
        }
        if ui.button("Open project…").clicked() {
            let chosen = rfd::FileDialog::new()
                .add_filter("bagel project", &["bagel"])
                .pick_file();
            if let Some(path) = chosen {
                self.open_project(&ctx, &path);
            }
        }
        ui.separator();
        let dataset = self.review.as_ref().map(|r| r.dataset.name.clone());
        for (label, kind) in [
            ("Import images…", ImportKind::Images),
            ("Import labels…", ImportKind::Labels),
            ("Import predictions…", ImportKind::Predictions),
        ] {
            if ui
                .add_enabled(self.project.is_some(), egui::Button::new(label))
                .clicked()
            {
                self.import_form = Some(ImportForm::new(kind, dataset.as_deref()));
            }
        }
        ui.separator();
        if ui
            .add_enabled(
                dataset.is_some(),
                egui::Button::new("Export updated labels…"),
            )
            .clicked()
        {
            self.export(&ctx);
        }
    }

    fn export(&mut self, ctx: &egui::Context) {
        let Some(dataset) = self.review.as_ref().map(|r| r.dataset.name.clone()) else {
            return;
        };
        let Some(out) = rfd::FileDialog::new()
            .add_filter("CSV", &["csv"])
            .set_file_name(format!("{dataset}_labels.csv"))
            .save_file()
        else {
            return;
        };
        let project = self.project_path.clone();
        self.job = Some(Job::spawn(
            ctx,
            "Exporting labels".into(),
            move |progress| {
                progress.begin("writing labels", 0);
                let written = Project::open(&project)
                    .and_then(|project| crate::export::export_labels(&project, &dataset, &out));
                match written {
                    Ok(rows) => JobOutcome::Done(format!(
                        "{rows} images' labels written to {}",
                        out.display()
                    )),
                    Err(error) => JobOutcome::from_error(error),
                }
            },
        ));
    }

    pub(super) fn status_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                let reviewer = self.reviewer.as_deref().unwrap_or("(no name yet)");
                ui.label(format!("Reviewer: {reviewer}"));
                ui.separator();
                let (text, color) = match &self.status {
                    Status::Idle => (String::new(), ui.visuals().text_color()),
                    Status::Info(text) => (text.clone(), ui.visuals().text_color()),
                    Status::Saved(text) => {
                        (format!("✔ {text}"), egui::Color32::from_rgb(60, 170, 90))
                    }
                    Status::Error(text) => (format!("⚠ {text}"), ui.visuals().error_fg_color),
                };
                ui.colored_label(color, text);
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(self.project_path.display().to_string());
                    if let Some(switch) = self.last_switch {
                        ui.separator();
                        ui.label(format!("next image drawn in {} ms", switch.as_millis()))
                            .on_hover_text("from the key press to the frame that showed the image");
                    }
                });
            });
        });
    }

    /// The floating windows and modal dialogs.
    pub(super) fn windows(&mut self, ctx: &egui::Context) {
        self.job_window(ctx);
        self.reviewer_window(ctx);
        self.picker_window(ctx);
        self.note_window(ctx);
        self.import_window(ctx);
        if self.show_plots {
            self.plots_window(ctx);
        }
        self.compare_window(ctx);
    }

    fn job_window(&mut self, ctx: &egui::Context) {
        let Some(job) = &self.job else {
            return;
        };
        egui::Modal::new(egui::Id::unique("job")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading(&job.title);
            ui.label(job.phase());
            let bar = match job.fraction() {
                Some(fraction) => egui::ProgressBar::new(fraction).show_percentage(),
                None => egui::ProgressBar::new(0.0).animate(true),
            };
            ui.add(bar);
            let label = if job.is_cancelling() {
                "Cancelling…"
            } else {
                "Cancel"
            };
            if ui
                .add_enabled(!job.is_cancelling(), egui::Button::new(label))
                .clicked()
            {
                job.cancel();
            }
        });
    }

    fn reviewer_window(&mut self, ctx: &egui::Context) {
        let Some(prompt) = &mut self.reviewer_prompt else {
            return;
        };
        let mut chosen = None;
        egui::Modal::new(egui::Id::unique("reviewer")).show(ctx, |ui| {
            ui.set_width(380.0);
            ui.heading("Who is reviewing?");
            ui.label("Your name is stored with every vote you cast in this project.");
            let field = ui.add(egui::TextEdit::singleline(&mut prompt.name).hint_text("your name"));
            field.request_focus();
            let name = prompt.name.trim().to_owned();
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
            let ok = ui.add_enabled(!name.is_empty(), egui::Button::new("Start reviewing"));
            if !name.is_empty() && (ok.clicked() || enter) {
                chosen = Some(name);
            }
        });
        if let Some(name) = chosen {
            self.set_reviewer(ctx, &name);
        }
    }

    fn picker_window(&mut self, ctx: &egui::Context) {
        let item = self.current().cloned();
        let (Some(picker), Some(project), Some(item)) = (&mut self.picker, &self.project, item)
        else {
            return;
        };
        let mut picked: Option<(ClassId, Verdict)> = None;
        let mut close = false;
        egui::Modal::new(egui::Id::unique("picker")).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.heading("Add a valid label for this image");
            let field = ui.add(
                egui::TextEdit::singleline(&mut picker.query)
                    .hint_text("class name, wnid or index"),
            );
            field.request_focus();
            let matches: Vec<(ClassId, String)> = project
                .vocab()
                .search(&picker.query)
                .take(12)
                .map(|class| (class.index, format!("{} · {}", class.name(), class.wnid)))
                .collect();
            let (down, up, enter, escape) = ui.input(|i| {
                use egui::Key;
                (
                    i.key_pressed(Key::ArrowDown),
                    i.key_pressed(Key::ArrowUp),
                    i.key_pressed(Key::Enter),
                    i.key_pressed(Key::Escape),
                )
            });
            picker.selected = (picker.selected + down as usize)
                .saturating_sub(up as usize)
                .min(matches.len().saturating_sub(1));
            for (row, (class, text)) in matches.iter().enumerate() {
                let gloss = project
                    .vocab()
                    .class(*class)
                    .map(|c| c.gloss.clone())
                    .unwrap_or_default();
                if ui
                    .selectable_label(row == picker.selected, text)
                    .on_hover_text(gloss)
                    .clicked()
                {
                    picked = Some((*class, Verdict::Correct));
                }
            }
            if enter && let Some((class, _)) = matches.get(picker.selected) {
                picked = Some((*class, Verdict::Correct));
            }
            ui.horizontal(|ui| {
                if let Some((class, _)) = matches.get(picker.selected) {
                    if ui.button("Add as correct (Enter)").clicked() {
                        picked = Some((*class, Verdict::Correct));
                    }
                    if ui.button("Add as unclear").clicked() {
                        picked = Some((*class, Verdict::Unclear));
                    }
                }
                if ui.button("Close (Esc)").clicked() || escape {
                    close = true;
                }
            });
        });
        if let Some((class, verdict)) = picked {
            self.picker = None;
            self.cast(Vote::new(item.image, class, verdict), false);
        } else if close {
            self.picker = None;
        }
    }

    fn note_window(&mut self, ctx: &egui::Context) {
        let Some(note) = &mut self.note else {
            return;
        };
        let (mut save, mut close) = (false, false);
        egui::Modal::new(egui::Id::unique("note")).show(ctx, |ui| {
            ui.set_width(480.0);
            ui.heading("Note on this pair");
            let field = ui.add(egui::TextEdit::multiline(note).desired_rows(4));
            field.request_focus();
            ui.horizontal(|ui| {
                save = ui.button("Save note (Ctrl+Enter)").clicked()
                    || ui.input(|i| i.modifiers.command && i.key_pressed(egui::Key::Enter));
                close = ui.button("Cancel (Esc)").clicked()
                    || ui.input(|i| i.key_pressed(egui::Key::Escape));
            });
        });
        if save {
            let note = self.note.take().unwrap_or_default();
            self.save_note(note.trim().to_owned());
        } else if close {
            self.note = None;
        }
    }

    fn import_window(&mut self, ctx: &egui::Context) {
        let Some(form) = &mut self.import_form else {
            return;
        };
        let datasets = self.datasets.clone();
        let (mut start, mut close) = (false, false);
        let title = form.kind.title();
        egui::Modal::new(egui::Id::unique("import")).show(ctx, |ui| {
            ui.set_width(560.0);
            ui.heading(title);
            egui::Grid::new("import_grid")
                .num_columns(2)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    ui.label("Dataset");
                    if form.kind == ImportKind::Images {
                        ui.text_edit_singleline(&mut form.dataset);
                    } else {
                        egui::ComboBox::from_id_salt("import_dataset")
                            .selected_text(&form.dataset)
                            .show_ui(ui, |ui| {
                                for name in &datasets {
                                    ui.selectable_value(&mut form.dataset, name.clone(), name);
                                }
                            });
                    }
                    ui.end_row();
                    ui.label(match form.kind {
                        ImportKind::Images => "Folder, list or V2 JSON",
                        ImportKind::Labels => "Labels file",
                        ImportKind::Predictions => "Prediction files",
                    });
                    ui.horizontal(|ui| {
                        let shown: Vec<String> = form
                            .sources
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect();
                        ui.label(if shown.is_empty() {
                            "(none)".to_owned()
                        } else {
                            shown.join(", ")
                        });
                        if ui.button("File…").clicked() {
                            let dialog = rfd::FileDialog::new();
                            let chosen = match form.kind {
                                ImportKind::Predictions => dialog.pick_files().unwrap_or_default(),
                                _ => dialog.pick_file().into_iter().collect(),
                            };
                            if !chosen.is_empty() {
                                form.sources = chosen;
                            }
                        }
                        if form.kind == ImportKind::Images && ui.button("Folder…").clicked() {
                            form.sources =
                                rfd::FileDialog::new().pick_folder().into_iter().collect();
                        }
                    });
                    ui.end_row();
                    match form.kind {
                        ImportKind::Images => {
                            ui.label("Image root (optional)");
                            ui.horizontal(|ui| {
                                let root = form.root.as_ref().map(|p| p.display().to_string());
                                ui.label(root.unwrap_or_else(|| "(the list's folder)".into()));
                                if ui.button("Folder…").clicked() {
                                    form.root = rfd::FileDialog::new().pick_folder();
                                }
                            });
                            ui.end_row();
                        }
                        ImportKind::Predictions => {
                            ui.label("Model name");
                            ui.add(
                                egui::TextEdit::singleline(&mut form.model)
                                    .hint_text("from the file name"),
                            );
                            ui.end_row();
                            ui.label("Keep top-k");
                            ui.add(egui::DragValue::new(&mut form.top_k).range(1..=100));
                            ui.end_row();
                        }
                        ImportKind::Labels => {}
                    }
                    if form.kind != ImportKind::Images {
                        ui.label("Replace existing");
                        ui.checkbox(&mut form.replace, "");
                        ui.end_row();
                    }
                });
            ui.horizontal(|ui| {
                let ready = !form.sources.is_empty() && !form.dataset.trim().is_empty();
                start = ui.add_enabled(ready, egui::Button::new("Import")).clicked();
                close = ui.button("Close").clicked();
            });
        });
        if start && let Some(form) = self.import_form.take() {
            self.spawn_import(ctx, form);
        } else if close {
            self.import_form = None;
        }
    }

    /// Starts an import as the form would, without the form (for tests and scripts).
    pub fn start_import(
        &mut self,
        ctx: &egui::Context,
        kind: ImportKind,
        dataset: &str,
        sources: Vec<PathBuf>,
    ) {
        let form = ImportForm {
            sources,
            ..ImportForm::new(kind, Some(dataset))
        };
        self.spawn_import(ctx, form);
    }

    /// Runs the form's import as a job: its own thread, progress with Cancel.
    fn spawn_import(&mut self, ctx: &egui::Context, form: ImportForm) {
        let project = self.project_path.clone();
        let title = form.kind.title().to_owned();
        self.job = Some(Job::spawn(ctx, title, move |progress| {
            form.run(&project, progress)
        }));
    }
}
