//! The right-hand panel: everything needed to judge the current pair (labels, distance, every
//! model's top-k with scores) and the vote, every action with its key.

use super::Desk;
use super::keys::{CATEGORY_KEYS, KEYS};
use super::queue_panel::verdict_mark;
use crate::panel::queue::ranked_scores;
use crate::panel::{Category, QueueItem, Review, Severity, Verdict, Vote};
use crate::vocab::{ClassId, Vocabulary};
use egui::{Color32, RichText};

const BAR_WIDTH: f32 = 110.0;
const MODEL_ROW: f32 = 18.0;

impl Desk {
    pub(super) fn item_panel(&mut self, ui: &mut egui::Ui) {
        egui::Panel::right("item")
            .resizable(true)
            .default_size(420.0)
            .min_size(340.0)
            .show(ui, |ui| {
                let (Some(review), Some(project), Some(item)) =
                    (&self.review, &self.project, self.current().cloned())
                else {
                    ui.label("Nothing selected.");
                    return;
                };
                let vocab = project.vocab();
                item_facts(ui, review, vocab, &item);
                ui.separator();
                let mine = review.my_vote(item.image, item.label).cloned();
                if let Some(action) = vote_panel(
                    ui,
                    mine.as_ref(),
                    self.review
                        .as_ref()
                        .and_then(|r| r.live.decision(item.image, item.label))
                        .map(|d| format!("{} ({})", d.verdict.as_str(), d.reason)),
                ) {
                    self.act(action);
                }
                ui.separator();
                if let (Some(review), Some(project)) = (&self.review, &self.project) {
                    model_predictions(ui, review, project.vocab(), &item, self.top_k);
                }
            });
    }

    fn act(&mut self, action: Action) {
        let Some(item) = self.current().cloned() else {
            return;
        };
        match action {
            Action::Verdict(verdict) => {
                let advance = verdict != Verdict::Wrong;
                self.cast(Vote::new(item.image, item.label, verdict), advance);
            }
            Action::Category(category) => self.detail_wrong(|v| v.category = Some(category)),
            Action::Severity(severity) => self.detail_wrong(|v| v.severity = Some(severity)),
            Action::AddLabel => self.picker = Some(Default::default()),
            Action::Note => {
                self.note = Some(self.my_current_vote().map(|v| v.note).unwrap_or_default())
            }
            Action::Undo => self.undo(),
        }
    }
}

/// A button press in the vote panel, the same as its key.
enum Action {
    Verdict(Verdict),
    Category(Category),
    Severity(Severity),
    AddLabel,
    Note,
    Undo,
}

/// A class name with its wnid and gloss on hover.
pub fn class_label(
    ui: &mut egui::Ui,
    vocab: &Vocabulary,
    class: ClassId,
    text: RichText,
) -> egui::Response {
    let hover = vocab.class(class).map_or_else(
        || format!("class {class} is not in the vocabulary"),
        |c| format!("{}\n{} · index {}\n\n{}", c.names, c.wnid, c.index, c.gloss),
    );
    ui.label(text).on_hover_text(hover)
}

fn class_name(vocab: &Vocabulary, class: ClassId) -> String {
    vocab
        .class(class)
        .map_or_else(|| format!("#{class}"), |c| c.name().to_owned())
}

fn label_list(
    ui: &mut egui::Ui,
    vocab: &Vocabulary,
    title: &str,
    classes: &[ClassId],
    color: Color32,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{title}:")).weak());
        if classes.is_empty() {
            ui.label(RichText::new("none").weak());
        }
        for &class in classes {
            class_label(
                ui,
                vocab,
                class,
                RichText::new(class_name(vocab, class)).color(color),
            );
        }
    });
}

fn item_facts(ui: &mut egui::Ui, review: &Review, vocab: &Vocabulary, item: &QueueItem) {
    let image = item.image as usize;
    ui.label(RichText::new(format!("Image #{} · {}", image + 1, review.files[image])).strong());
    ui.horizontal(|ui| {
        ui.label("Predicted");
        class_label(
            ui,
            vocab,
            item.label,
            RichText::new(class_name(vocab, item.label))
                .size(18.0)
                .strong(),
        );
    });
    let confidence = item.confidence.map_or("no scores".into(), |c| {
        format!("highest score {:.1}%", c * 100.0)
    });
    ui.label(format!(
        "top-1 of {} of {} models · {confidence}",
        item.models.len(),
        review.evaluation.models.len()
    ));
    ui.horizontal(|ui| {
        ui.label("Original label");
        match review.evaluation.truth[image] {
            Some(label) => {
                class_label(
                    ui,
                    vocab,
                    label,
                    RichText::new(class_name(vocab, label)).size(16.0),
                );
            }
            None => {
                ui.label(RichText::new("unknown").weak());
            }
        }
    });
    if let Some(distance) = item.distance {
        ui.label(format!(
            "WordNet distance from the original label: {distance}"
        ))
        .on_hover_text("steps up and down the hypernym tree between the two classes");
    }
    let tags: Vec<&str> = [
        (item.novel, "novel: never judged for this image"),
        (item.judged_wrong, "judged wrong before"),
    ]
    .into_iter()
    .filter_map(|(on, text)| on.then_some(text))
    .collect();
    if !tags.is_empty() {
        ui.label(RichText::new(tags.join(" · ")).color(Color32::from_rgb(200, 150, 60)));
    }
    if let Some(entry) = review.labels.as_ref().and_then(|l| l.entry(image)) {
        label_list(
            ui,
            vocab,
            "correct",
            &entry.correct,
            Color32::from_rgb(90, 180, 110),
        );
        label_list(
            ui,
            vocab,
            "unclear",
            &entry.unclear,
            Color32::from_rgb(200, 170, 70),
        );
        label_list(
            ui,
            vocab,
            "previously wrong",
            &entry.wrong,
            Color32::from_rgb(210, 90, 90),
        );
        if entry.problematic {
            ui.colored_label(
                Color32::from_rgb(220, 140, 60),
                "⚠ marked problematic by the multi-label source",
            );
        }
    } else {
        ui.label(RichText::new("no multi-labels for this image").weak());
    }
    if let Some(entry) = review.real.as_ref().and_then(|l| l.entry(image)) {
        label_list(ui, vocab, "ReaL", &entry.correct, ui.visuals().text_color());
    }
}

/// The vote buttons with their keys; returns what was clicked.
fn vote_panel(ui: &mut egui::Ui, mine: Option<&Vote>, decision: Option<String>) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        ui.label(RichText::new("Your vote:").strong());
        match mine {
            Some(vote) => {
                let text = format!("{} {}", verdict_mark(vote.verdict), vote.summary());
                ui.label(RichText::new(text).color(Color32::from_rgb(60, 170, 90)))
                    .on_hover_text("saved in the project file");
            }
            None => {
                ui.label(RichText::new("not voted").weak());
            }
        }
    });
    if let Some(note) = mine.map(|v| v.note.as_str()).filter(|n| !n.is_empty()) {
        ui.label(RichText::new(format!("note: {note}")).italics());
    }
    if let Some(decision) = decision {
        ui.label(format!("Panel decision: {decision}"));
    }
    let chosen =
        |ui: &mut egui::Ui, on: bool, text: String| ui.selectable_label(on, text).clicked();
    ui.horizontal_wrapped(|ui| {
        for (key, verdict) in [
            ("C", Verdict::Correct),
            ("U", Verdict::Unclear),
            ("W", Verdict::Wrong),
            ("P", Verdict::Problematic),
        ] {
            let on = mine.is_some_and(|v| v.verdict == verdict);
            let name = if verdict == Verdict::Problematic {
                "GT problematic"
            } else {
                verdict.as_str()
            };
            if chosen(ui, on, format!("[{key}] {name}")) {
                action = Some(Action::Verdict(verdict));
            }
        }
    });
    let wrong = mine.is_some_and(|v| v.verdict == Verdict::Wrong);
    ui.add_enabled_ui(wrong, |ui| {
        ui.horizontal_wrapped(|ui| {
            for (number, (_, category)) in CATEGORY_KEYS.iter().enumerate() {
                let on = mine.is_some_and(|v| v.category == Some(*category));
                if chosen(
                    ui,
                    on,
                    format!("[{}] {}", number + 1, category_name(*category)),
                ) {
                    action = Some(Action::Category(*category));
                }
            }
        });
        ui.horizontal(|ui| {
            for (key, severity) in [("M", Severity::Major), ("N", Severity::Minor)] {
                let on = mine.is_some_and(|v| v.severity == Some(severity));
                if chosen(ui, on, format!("[{key}] {}", severity.as_str())) {
                    action = Some(Action::Severity(severity));
                }
            }
        });
    });
    ui.horizontal(|ui| {
        if ui.button("[A] add label…").clicked() {
            action = Some(Action::AddLabel);
        }
        if ui.button("[E] note…").clicked() {
            action = Some(Action::Note);
        }
        if ui.button("[Z] undo").clicked() {
            action = Some(Action::Undo);
        }
    });
    ui.collapsing("All keys", |ui| {
        egui::Grid::new("keys").num_columns(2).show(ui, |ui| {
            for (key, what) in KEYS {
                ui.label(RichText::new(*key).monospace().strong());
                ui.label(*what);
                ui.end_row();
            }
        });
    });
    action
}

pub fn category_name(category: Category) -> &'static str {
    match category {
        Category::FineGrained => "fine-grained",
        Category::FineGrainedOutOfVocabulary => "fine-grained OOV",
        Category::Spurious => "spurious correlation",
        Category::NonPrototypical => "non-prototypical",
    }
}

/// Every model's top-k with its scores as bars; the models that made this mistake first.
fn model_predictions(
    ui: &mut egui::Ui,
    review: &Review,
    vocab: &Vocabulary,
    item: &QueueItem,
    top_k: usize,
) {
    let image = item.image as usize;
    let models = &review.evaluation.models;
    let mut order: Vec<usize> = item.models.iter().map(|&m| m as usize).collect();
    order.extend((0..models.len()).filter(|m| !item.models.contains(&(*m as u16))));
    ui.label(RichText::new(format!("Every model's top-{top_k}")).strong());
    let valid = |class: ClassId| {
        review
            .labels
            .as_ref()
            .and_then(|l| l.entry(image))
            .is_some_and(|e| e.correct.contains(&class) || e.unclear.contains(&class))
            || review.evaluation.truth[image] == Some(class)
    };
    let block =
        MODEL_ROW * (top_k as f32 + 1.0) + ui.spacing().item_spacing.y * (top_k as f32 + 1.0);
    egui::ScrollArea::vertical().auto_shrink(false).show_rows(
        ui,
        block,
        order.len(),
        |ui, rows| {
            for &model in &order[rows] {
                let (name, predictions) = &models[model];
                let mistaken = item.models.contains(&(model as u16));
                let title = if mistaken {
                    format!("✖ {name}")
                } else {
                    name.clone()
                };
                ui.label(RichText::new(title).strong().color(if mistaken {
                    Color32::from_rgb(210, 110, 90)
                } else {
                    ui.visuals().text_color()
                }));
                for (class, score) in ranked_scores(predictions, image).take(top_k) {
                    ui.horizontal(|ui| {
                        ui.set_height(MODEL_ROW);
                        match score {
                            Some(score) => {
                                let text = format!("{:.1}%", score * 100.0);
                                ui.add(
                                    egui::ProgressBar::new(score)
                                        .desired_width(BAR_WIDTH)
                                        .text(text),
                                );
                            }
                            None => {
                                ui.add_sized(
                                    [BAR_WIDTH, MODEL_ROW],
                                    egui::Label::new(RichText::new("no score").weak()),
                                );
                            }
                        }
                        let color = if class == item.label {
                            Color32::from_rgb(230, 160, 70)
                        } else if valid(class) {
                            Color32::from_rgb(90, 180, 110)
                        } else {
                            ui.visuals().text_color()
                        };
                        class_label(
                            ui,
                            vocab,
                            class,
                            RichText::new(class_name(vocab, class)).color(color),
                        );
                    });
                }
            }
        },
    );
}
