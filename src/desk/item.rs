//! The right-hand panel: everything needed to judge the current pair (labels, distance, what
//! the models predict, grouped by prediction) and the vote, every button showing its key.

use super::command::Command;
use super::keys::{self, Action};
use super::names::{class_name, verdict_mark, vote_summary};
use super::panel_window::decision_text;
use super::{Desk, theme};
use crate::panel::queue::{PairStatus, is_incomplete, ranked_scores};
use crate::panel::voting::standing_override;
use crate::panel::voting::standing_votes;
use crate::panel::{Category, QueueItem, Review, Severity, Verdict, Vote, VoteEvent};
use crate::vocab::{ClassId, Vocabulary};
use egui::{Color32, RichText};
use std::collections::BTreeSet;

/// The current pair's vote history and notes, as read before the frame.
pub(super) struct PairRecord {
    pair: (u32, ClassId),
    history: Vec<VoteEvent>,
    notes: Vec<crate::verdict::Note>,
}

const BAR_WIDTH: f32 = 110.0;

impl Desk {
    pub(super) fn item_panel(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        egui::Panel::right("item")
            .resizable(true)
            .default_size(440.0)
            .min_size(340.0)
            .show(ui, |ui| {
                let (Some(review), Some(project), Some(item)) =
                    (&self.review, &self.project, self.current())
                else {
                    ui.label("Nothing selected.");
                    return;
                };
                // One scroll for the whole panel: no part squeezes another at any size.
                egui::ScrollArea::vertical()
                    .auto_shrink(false)
                    .show(ui, |ui| {
                        let vocab = project.vocab();
                        item_facts(ui, review, vocab, item);
                        ui.separator();
                        let mine = review.my_vote(item.image, item.label);
                        let pair = (item.image, item.label);
                        let record = (self.pair_record.as_ref()).filter(|r| r.pair == pair);
                        let history = record.map_or(&[][..], |r| &r.history);
                        let visible = review.sees_pair(item.image, item.label);
                        let decision = visible.then(|| decision_text(review, pair, history));
                        commands.extend(vote_panel(ui, mine, decision).map(Command::Act));
                        commands.extend(super::panel_window::round_choice(ui, Some(review)));
                        if review.is_disputed(item.image, item.label) {
                            ui.label(super::panel_window::disputed_text());
                        }
                        commands.extend(chair_buttons(ui, review, pair, history));
                        panel_votes(ui, review.reviewer(), history, visible);
                        if visible {
                            let notes = record.map_or(&[][..], |r| &r.notes);
                            commands.extend(super::panel_window::note_thread(ui, pair, notes));
                        }
                        ui.separator();
                        let chosen = self.settings.filter.model;
                        model_groups(ui, review, vocab, item, self.settings.top_k, chosen);
                        ui.separator();
                        all_keys(ui);
                    });
            });
        commands
    }

    /// Reads the current pair's history and notes before the frame is drawn, once per pair and
    /// again after the log changed ([`Desk::log_changed`]), not inside the draw.
    pub(super) fn refresh_pair_record(&mut self) {
        let (Some(review), Some(project), Some(item)) =
            (&self.review, &self.project, self.current())
        else {
            return;
        };
        let pair = (item.image, item.label);
        if self.pair_record.as_ref().is_some_and(|r| r.pair == pair) {
            return;
        }
        let dataset = review.dataset.id;
        self.pair_record = Some(PairRecord {
            pair,
            history: (project.pair_history(dataset, pair.0, pair.1)).unwrap_or_default(),
            notes: (project.pair_notes(dataset, pair.0, pair.1)).unwrap_or_default(),
        });
    }

    /// Every label the image has now: imported, original, and added by the panel.
    pub(super) fn labels_of_image(&self, image: u32) -> Option<BTreeSet<ClassId>> {
        let review = self.review.as_ref()?;
        let index = image as usize;
        let mut labels: BTreeSet<ClassId> = (review.labels_added(image).into_iter())
            .map(|(class, _)| class)
            .collect();
        labels.extend(review.evaluation.truth[index]);
        for source in [&review.labels, &review.real].into_iter().flatten() {
            labels.extend(source.correct.get(index));
            labels.extend(source.unclear.get(index));
        }
        Some(labels)
    }
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

/// A row of labels: the title, then each (name, marked as added by the panel).
fn label_list(
    ui: &mut egui::Ui,
    vocab: &Vocabulary,
    title: &str,
    classes: &[(ClassId, bool)],
    color: Color32,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{title}:")).weak());
        if classes.is_empty() {
            ui.label(RichText::new("none").weak());
        }
        for &(class, added) in classes {
            let name = class_name(vocab, class);
            let text = match added {
                true => format!("+ {name} (added by the panel)"),
                false => name,
            };
            class_label(ui, vocab, class, RichText::new(text).color(color));
        }
    });
}

fn item_facts(ui: &mut egui::Ui, review: &Review, vocab: &Vocabulary, item: &QueueItem) {
    let image = item.image as usize;
    ui.label(RichText::new(format!("Image #{} · {}", image + 1, review.files[image])).strong());
    ui.horizontal(|ui| {
        ui.label("Predicted");
        let text = RichText::new(class_name(vocab, item.label))
            .size(18.0)
            .strong();
        class_label(ui, vocab, item.label, text.color(theme::WARN));
    });
    let confidence = item.confidence.map_or(String::new(), |c| {
        format!(" · highest score {:.1}%", c * 100.0)
    });
    ui.label(format!(
        "top-1 of {} of {} models{confidence} · a mistake under the {}",
        item.models.len(),
        review.evaluation.models.len(),
        super::names::source_name(item.source)
    ));
    ui.horizontal(|ui| {
        ui.label("Original label");
        match review.evaluation.truth[image] {
            Some(label) => {
                let text = RichText::new(class_name(vocab, label)).size(16.0);
                class_label(ui, vocab, label, text);
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
        ui.label(RichText::new(tags.join(" · ")).color(theme::WARN));
    }
    image_labels(ui, review, vocab, item.image);
    if let Some(entry) = review.real.as_ref().and_then(|l| l.entry(image)) {
        let color = ui.visuals().text_color();
        let real: Vec<(ClassId, bool)> = entry.correct.iter().map(|&c| (c, false)).collect();
        label_list(ui, vocab, "ReaL", &real, color);
    }
}

/// The image's imported multi-labels with the labels the panel added, or the added ones alone.
fn image_labels(ui: &mut egui::Ui, review: &Review, vocab: &Vocabulary, image: u32) {
    let added = review.labels_added(image);
    let added_as = |verdict: Verdict| -> Vec<(ClassId, bool)> {
        (added.iter())
            .filter(|&&(_, v)| v == verdict)
            .map(|&(class, _)| (class, true))
            .collect()
    };
    let plain = |classes: &[ClassId]| -> Vec<(ClassId, bool)> {
        classes.iter().map(|&c| (c, false)).collect()
    };
    let imported = |classes: &[ClassId], verdict: Verdict| -> Vec<(ClassId, bool)> {
        let mut listed = plain(classes);
        listed.extend(added_as(verdict));
        listed
    };
    match review.labels.as_ref().and_then(|l| l.entry(image as usize)) {
        Some(entry) => {
            let correct = imported(&entry.correct, Verdict::Correct);
            label_list(ui, vocab, "correct", &correct, theme::GOOD);
            let unclear = imported(&entry.unclear, Verdict::Unclear);
            label_list(ui, vocab, "unclear", &unclear, theme::UNCLEAR);
            label_list(
                ui,
                vocab,
                "previously wrong",
                &plain(&entry.wrong),
                theme::BAD,
            );
            if entry.problematic {
                ui.colored_label(
                    theme::WARN,
                    "⚠ marked problematic by the multi-label source",
                );
            }
        }
        None => {
            ui.label(RichText::new("no multi-labels for this image").weak());
            for (title, verdict, color) in [
                ("correct", Verdict::Correct, theme::GOOD),
                ("unclear", Verdict::Unclear, theme::UNCLEAR),
            ] {
                let listed = added_as(verdict);
                if !listed.is_empty() {
                    label_list(ui, vocab, title, &listed, color);
                }
            }
        }
    }
}

/// The chair's buttons, for the chair only: override, and withdraw a standing override.
fn chair_buttons(
    ui: &mut egui::Ui,
    review: &Review,
    pair: (u32, ClassId),
    history: &[VoteEvent],
) -> Option<Command> {
    if !review.is_chair() {
        return None;
    }
    let mut command = None;
    ui.horizontal(|ui| {
        if ui
            .button("Chair override…")
            .on_hover_text("decide this pair as the chair, with a reason")
            .clicked()
        {
            command = Some(Command::ChairForm);
        }
        if standing_override(history).is_some()
            && ui
                .button("Withdraw override")
                .on_hover_text("take the chair's decision back: the panel's votes decide again")
                .clicked()
        {
            command = Some(Command::WithdrawOverride(pair.0, pair.1));
        }
    });
    command
}

/// The others' standing votes on the pair with their notes, and the pair's whole history (who,
/// when, what), once the blind round lets me see them.
fn panel_votes(ui: &mut egui::Ui, me: &str, history: &[VoteEvent], visible: bool) {
    if !visible {
        ui.label(
            RichText::new(
                "Blind round: the others' votes and the decision show once you have voted.",
            )
            .weak(),
        );
        return;
    }
    for event in standing_votes(history).iter().filter(|e| e.reviewer != me) {
        ui.label(super::panel_window::vote_line(event));
    }
    if history.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("History of this pair ({} events)", history.len()))
        .id_salt("pair_history")
        .show(ui, |ui| {
            for event in history {
                let what = event.vote.as_ref().map_or("withdrawn".into(), vote_summary);
                ui.label(format!(
                    "{} · {} · {} · {what}",
                    event.cast_at,
                    event.reviewer,
                    event.round.as_str()
                ));
            }
        });
}

/// The vote buttons, each with its key from the key table; returns what was clicked.
fn vote_panel(ui: &mut egui::Ui, mine: Option<&Vote>, decision: Option<String>) -> Option<Action> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Your vote:").strong());
        match mine {
            Some(vote) if is_incomplete(vote) => {
                let text = format!(
                    "{} {} — incomplete",
                    verdict_mark(vote.verdict),
                    vote_summary(vote)
                );
                ui.label(RichText::new(text).color(theme::WARN))
                    .on_hover_text(format!(
                        "saved; give a category ({}) and a severity ({})",
                        keys::category_keys(),
                        keys::severity_keys(" / ")
                    ));
            }
            Some(vote) => {
                let text = format!("{} {}", verdict_mark(vote.verdict), vote_summary(vote));
                let color = match vote.verdict {
                    Verdict::Wrong => theme::BAD,
                    Verdict::Correct => theme::GOOD,
                    _ => theme::UNCLEAR,
                };
                ui.label(RichText::new(text).color(color))
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
    let mut button = |ui: &mut egui::Ui, on: bool, act: Action| {
        let text = format!("[{}] {}", act.key_name(), act.description());
        if ui.selectable_label(on, text).clicked() {
            action = Some(act);
        }
    };
    ui.horizontal_wrapped(|ui| {
        for verdict in Verdict::ALL {
            button(
                ui,
                mine.is_some_and(|v| v.verdict == *verdict),
                Action::Verdict(*verdict),
            );
        }
    });
    let wrong = mine.is_some_and(|v| v.verdict == Verdict::Wrong);
    ui.add_enabled_ui(wrong, |ui| {
        ui.horizontal_wrapped(|ui| {
            for category in Category::ALL {
                let on = mine.is_some_and(|v| v.category == Some(*category));
                button(ui, on, Action::Category(*category));
            }
        });
        ui.horizontal(|ui| {
            for severity in Severity::ALL {
                let on = mine.is_some_and(|v| v.severity == Some(*severity));
                button(ui, on, Action::Severity(*severity));
            }
        });
    });
    ui.horizontal_wrapped(|ui| {
        for act in [Action::AddLabel, Action::Note, Action::Undo] {
            button(ui, false, act);
        }
    });
    action
}

/// The on-screen help, read from the key table.
fn all_keys(ui: &mut egui::Ui) {
    ui.collapsing("All keys", |ui| {
        egui::Grid::new("keys")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                for action in Action::ALL {
                    ui.label(RichText::new(action.key_names()).monospace().strong());
                    ui.label(action.description());
                    ui.end_row();
                }
            });
    });
}

/// What the models predict for the image, one group per top-1 class: the group of the model
/// chosen in the filter first, then the largest; each model's top-k on expand.
fn model_groups(
    ui: &mut egui::Ui,
    review: &Review,
    vocab: &Vocabulary,
    item: &QueueItem,
    top_k: usize,
    chosen: Option<u16>,
) {
    let image = item.image as usize;
    let models = &review.evaluation.models;
    let mut groups: Vec<(ClassId, Vec<usize>)> = Vec::new();
    for (index, (_, predictions)) in models.iter().enumerate() {
        if image >= predictions.num_images() {
            continue;
        }
        let top1 = predictions.top1(image);
        match groups.iter_mut().find(|(class, _)| *class == top1) {
            Some((_, members)) => members.push(index),
            None => groups.push((top1, vec![index])),
        }
    }
    let has_chosen = |members: &[usize]| chosen.is_some_and(|c| members.contains(&(c as usize)));
    groups.sort_by_key(|(_, members)| (!has_chosen(members), std::cmp::Reverse(members.len())));
    ui.label(RichText::new(format!("What the {} models predict", models.len())).strong());
    for (class, members) in &groups {
        let color = class_color(ui, review, item, *class);
        let count = match members.len() {
            1 => "1 model".to_owned(),
            n => format!("{n} models"),
        };
        let title = RichText::new(format!("{count}: {}", class_name(vocab, *class))).color(color);
        egui::CollapsingHeader::new(title)
            .id_salt(("group", item.image, *class))
            .show(ui, |ui| {
                for &model in members {
                    model_top_k(
                        ui,
                        review,
                        vocab,
                        item,
                        model,
                        top_k,
                        chosen == Some(model as u16),
                    );
                }
            });
    }
}

/// Colour of a class among the predictions: the pair's label, a valid label, or neither.
fn class_color(ui: &egui::Ui, review: &Review, item: &QueueItem, class: ClassId) -> Color32 {
    if class == item.label {
        theme::WARN
    } else if review.is_valid_label(item.image, class) {
        theme::GOOD
    } else {
        ui.visuals().text_color()
    }
}

fn model_top_k(
    ui: &mut egui::Ui,
    review: &Review,
    vocab: &Vocabulary,
    item: &QueueItem,
    model: usize,
    top_k: usize,
    chosen: bool,
) {
    let (name, predictions) = &review.evaluation.models[model];
    let title = RichText::new(match chosen {
        true => format!("▶ {name} (the model chosen in the filter)"),
        false => name.clone(),
    });
    ui.label(if chosen {
        title.strong().color(theme::WARN)
    } else {
        title.strong()
    });
    let ranked: Vec<(ClassId, Option<f32>)> = ranked_scores(predictions, item.image as usize)
        .take(top_k)
        .collect();
    if ranked.iter().all(|(_, score)| score.is_none()) {
        // No scores: the ranked classes on one line, no empty bars.
        ui.horizontal_wrapped(|ui| {
            for (rank, (class, _)) in ranked.iter().enumerate() {
                let color = class_color(ui, review, item, *class);
                let text = RichText::new(format!("{}. {}", rank + 1, class_name(vocab, *class)));
                class_label(ui, vocab, *class, text.color(color));
            }
        });
        return;
    }
    for (class, score) in ranked {
        ui.horizontal(|ui| {
            if let Some(score) = score {
                let text = format!("{:.1}%", score * 100.0);
                ui.add(
                    egui::ProgressBar::new(score)
                        .desired_width(BAR_WIDTH)
                        .text(text),
                );
            }
            let color = class_color(ui, review, item, class);
            class_label(
                ui,
                vocab,
                class,
                RichText::new(class_name(vocab, class)).color(color),
            );
        });
    }
}
