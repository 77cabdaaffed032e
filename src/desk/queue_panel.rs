//! The queue on the left: filters, sort order, counters for what the filters keep, and the
//! list of pairs, each saying what was predicted, what the label was, how many models agree
//! and which label set made it a mistake.

use super::command::Command;
use super::keys::Action;
use super::names::{source_name, verdict_mark};
use super::{Desk, Settings, theme};
use crate::panel::queue::is_incomplete;
use crate::panel::{DecidedFilter, MistakeSource, QueueItem, Review, ReviewedFilter, SortOrder};
use crate::vocab::{ClassId, Vocabulary};
use egui::RichText;

const ROW_HEIGHT: f32 = 22.0;

impl Desk {
    pub(super) fn queue_panel(&self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        egui::Panel::left("queue")
            .resizable(true)
            .default_size(360.0)
            .min_size(280.0)
            .show(ui, |ui| {
                commands.extend(self.dataset_choice(ui));
                commands.extend(self.filters(ui));
                ui.separator();
                self.counters(ui);
                ui.separator();
                commands.extend(self.queue_list(ui));
                if self.scroll_queue {
                    commands.push(Command::QueueScrolled);
                }
            });
        commands
    }

    fn dataset_choice(&self, ui: &mut egui::Ui) -> Option<Command> {
        let current = self.review.as_ref()?.dataset.name.clone();
        let mut chosen = current.clone();
        ui.horizontal(|ui| {
            let label = ui.label("Dataset");
            egui::ComboBox::from_id_salt("dataset")
                .selected_text(&current)
                .show_ui(ui, |ui| {
                    for name in &self.datasets {
                        ui.selectable_value(&mut chosen, name.clone(), name);
                    }
                })
                .response
                .labelled_by(label.id);
        });
        (chosen != current).then_some(Command::LoadDataset(chosen))
    }

    fn filters(&self, ui: &mut egui::Ui) -> Option<Command> {
        let review = self.review.as_ref()?;
        let mut settings = self.settings.clone();
        egui::Grid::new("filters")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                model_choice(ui, &mut settings, review);
                ui.end_row();
                self.class_filters(ui, &mut settings);
                vote_choices(ui, &mut settings, review);
            });
        filter_checkboxes(ui, &mut settings);
        (settings != self.settings).then(|| Command::Settings(Box::new(settings)))
    }

    /// The class and confusion the queue is narrowed to, each with its button to widen it.
    fn class_filters(&self, ui: &mut egui::Ui, settings: &mut Settings) {
        ui.label("Class");
        ui.horizontal(|ui| {
            let vocab = self.project.as_ref().map(|p| p.vocab());
            let name = (settings.filter.class)
                .and_then(|c| vocab?.class(c).map(|c| c.name().to_owned()))
                .unwrap_or_else(|| "any".into());
            ui.label(name);
            if settings.filter.class.is_some()
                && ui.small_button("✖").on_hover_text("any class").clicked()
            {
                settings.filter.class = None;
            }
            let narrow = ui
                .small_button("as current prediction")
                .on_hover_text("pairs where this class is predicted or is the original label");
            if let Some(item) = self.current().filter(|_| narrow.clicked()) {
                settings.filter.class = Some(item.label);
            }
        });
        ui.end_row();
        if let Some((from, to)) = settings.filter.confusion {
            ui.label("Confusion");
            ui.horizontal(|ui| {
                let vocab = self.project.as_ref().map(|p| p.vocab());
                let name = |c| vocab.and_then(|v| v.class(c)).map_or("?", |c| c.name());
                ui.label(format!("{} ▶ {}", name(from), name(to)));
                if ui
                    .small_button("✖")
                    .on_hover_text("every confusion")
                    .clicked()
                {
                    settings.filter.confusion = None;
                }
            });
            ui.end_row();
        }
    }

    /// Counters over the pairs the filters keep, and how far the panel has come with them.
    fn counters(&self, ui: &mut egui::Ui) {
        let Some(review) = &self.review else {
            return;
        };
        let counts = self.counts;
        let position = if self.view.is_empty() {
            0
        } else {
            self.cursor + 1
        };
        let total = review.queue.len();
        let scope = match counts.shown == total {
            true => format!("{position} of {total} pairs"),
            false => format!(
                "{position} of {} shown · {total} pairs in queue",
                counts.shown
            ),
        };
        ui.label(RichText::new(scope).strong());
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("voted by me {}", counts.mine));
            if counts.incomplete > 0 {
                ui.colored_label(theme::WARN, format!("({} incomplete)", counts.incomplete));
            }
            ui.label(format!(
                "· decided {} · pending {}",
                counts.decided,
                counts.pending()
            ));
            if counts.disputed > 0 {
                ui.colored_label(theme::WARN, format!("· disputed {}", counts.disputed))
                    .on_hover_text(format!(
                        "independent votes not unanimous: {} opens the discussion",
                        Action::Panel.key_name()
                    ));
            }
        });
        let done = counts.decided as f32 / counts.shown.max(1) as f32;
        ui.add(
            egui::ProgressBar::new(done)
                .text(format!("{:.1}% of these decided", done * 100.0))
                .desired_height(14.0),
        );
    }

    fn queue_list(&self, ui: &mut egui::Ui) -> Option<Command> {
        let (Some(review), Some(project)) = (&self.review, &self.project) else {
            return None;
        };
        let mut clicked = None;
        let mut area = egui::ScrollArea::vertical().auto_shrink(false);
        if self.scroll_queue {
            let row = ROW_HEIGHT + ui.spacing().item_spacing.y;
            let offset = self.cursor as f32 * row - ui.available_height() / 2.0;
            area = area.vertical_scroll_offset(offset.max(0.0));
        }
        area.show_rows(ui, ROW_HEIGHT, self.view.len(), |ui, rows| {
            for position in rows {
                let item = &review.queue.items()[self.view[position]];
                let row = queue_row(ui, review, project.vocab(), item, position == self.cursor);
                if row.clicked() {
                    clicked = Some(position);
                }
            }
        });
        clicked.map(Command::MoveTo)
    }
}

fn model_choice(ui: &mut egui::Ui, settings: &mut Settings, review: &Review) {
    let label = ui.label("Model");
    let shown = settings.filter_model.clone().unwrap_or("all models".into());
    egui::ComboBox::from_id_salt("model")
        .selected_text(shown)
        .width(210.0)
        .truncate()
        .height(600.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut settings.filter_model, None, "all models");
            for (name, _) in &review.evaluation.models {
                ui.selectable_value(&mut settings.filter_model, Some(name.clone()), name);
            }
        })
        .response
        .labelled_by(label.id);
}

/// The filters on votes and decisions, the label set that made the mistake, the order.
fn vote_choices(ui: &mut egui::Ui, settings: &mut Settings, review: &Review) {
    choice(
        ui,
        "My vote",
        &mut settings.filter.reviewed,
        &[
            (ReviewedFilter::Any, "any"),
            (ReviewedFilter::ByMe, "voted"),
            (ReviewedFilter::NotByMe, "not voted"),
            (
                ReviewedFilter::Incomplete,
                "incomplete (no category or severity)",
            ),
        ],
    );
    choice(
        ui,
        "Decision",
        &mut settings.filter.decided,
        &[
            (DecidedFilter::Any, "any"),
            (DecidedFilter::Decided, "decided"),
            (DecidedFilter::Undecided, "undecided"),
            (
                DecidedFilter::NeedsDetail,
                "wrong, lacking category or severity (second pass)",
            ),
        ],
    );
    let mut source = settings.filter.source;
    choice(
        ui,
        "Mistake under",
        &mut source,
        &[
            (None, "any label set"),
            (Some(MistakeSource::MultiLabel), "multi-labels"),
            (Some(MistakeSource::Real), "ReaL"),
            (Some(MistakeSource::Original), "original label"),
        ],
    );
    settings.filter.source = source;
    let best = SortOrder::best_for(&review.queue);
    let automatic = format!("best available ({})", order_name(best));
    let mut orders: Vec<(Option<SortOrder>, &str)> = vec![(None, &automatic)];
    orders.extend(SortOrder::ALL.map(|o| (Some(o), order_name(o))));
    choice(ui, "Sort by", &mut settings.order, &orders);
}

fn filter_checkboxes(ui: &mut egui::Ui, settings: &mut Settings) {
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut settings.filter.assigned_to_me, "assigned to me")
            .on_hover_text("the pairs `bagel assign` gave you to vote on");
        ui.checkbox(&mut settings.filter.novel_only, "novel only")
            .on_hover_text("the predicted label was never judged for this image");
        ui.checkbox(
            &mut settings.filter.judged_wrong_only,
            "judged wrong before",
        )
        .on_hover_text("the predicted label is in the image's previously-wrong list");
        ui.checkbox(&mut settings.filter.has_multilabels, "has multi-labels")
            .on_hover_text("the image has imported multi-labels");
        ui.checkbox(&mut settings.filter.disputed_only, "disputed")
            .on_hover_text(
                "the discussion round: pairs whose independent votes disagree (verdict, category or severity)",
            );
    });
}

/// A labelled combo box over a few values.
fn choice<T: PartialEq + Clone>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    options: &[(T, &str)],
) {
    let named = ui.label(label);
    let shown = (options.iter())
        .find(|(v, _)| v == value)
        .map_or("", |(_, n)| n);
    egui::ComboBox::from_id_salt(label)
        .selected_text(shown)
        .width(210.0)
        .truncate()
        .show_ui(ui, |ui| {
            for (option, name) in options {
                ui.selectable_value(value, option.clone(), *name);
            }
        })
        .response
        .labelled_by(named.id);
    ui.end_row();
}

/// One pair: my verdict, how many models predict it, predicted ≠ original, and the label set
/// that rejects it; the file and the details on hover.
fn queue_row(
    ui: &mut egui::Ui,
    review: &Review,
    vocab: &Vocabulary,
    item: &QueueItem,
    selected: bool,
) -> egui::Response {
    let mine = review.my_vote(item.image, item.label);
    let mark = match mine {
        Some(vote) if is_incomplete(vote) => "✖…",
        Some(vote) => verdict_mark(vote.verdict),
        None => "·",
    };
    let name = |class| vocab.class(class).map_or("?", |c| c.name());
    let original = review.evaluation.truth[item.image as usize];
    let source = match item.source {
        MistakeSource::MultiLabel => "ML",
        MistakeSource::Real => "ReaL",
        MistakeSource::Original => "orig",
    };
    let pair = pair_text(vocab, item.label, original);
    let text = format!("{mark:<2} {:>2}× {pair} · {source}", item.models.len());
    let color = match mine {
        Some(vote) if is_incomplete(vote) => theme::WARN,
        _ => ui.visuals().text_color(),
    };
    let row = ui.add(
        egui::Button::selectable(selected, RichText::new(text).monospace().color(color))
            .wrap_mode(egui::TextWrapMode::Truncate),
    );
    row.on_hover_ui(|ui| {
        let image = item.image as usize;
        ui.label(RichText::new(&review.files[image]).strong());
        ui.label(format!(
            "predicted: {} (top-1 of {} models)",
            name(item.label),
            item.models.len()
        ));
        ui.label(format!(
            "original label: {}",
            original.map_or("unknown", name)
        ));
        let why = match (item.source, original == Some(item.label)) {
            (MistakeSource::Original, _) => "a mistake under the original label".to_owned(),
            (source, true) => format!(
                "the original label agrees with the prediction; the {} reject it",
                source_name(source)
            ),
            (source, false) => format!("not among the image's {}", source_name(source)),
        };
        ui.label(why);
        if mine.is_some_and(is_incomplete) {
            ui.colored_label(theme::WARN, "my wrong vote lacks a category or a severity");
        }
    })
}

/// "predicted ≠ original", or "= original" when the original label is the predicted class
/// and another label set makes the pair a mistake ("kite ≠ kite" read as a contradiction).
fn pair_text(vocab: &Vocabulary, predicted: ClassId, original: Option<ClassId>) -> String {
    let name = |class| vocab.class(class).map_or("?", |c| c.name());
    match original {
        Some(original) if original == predicted => format!("{} = original", name(predicted)),
        Some(original) => format!("{} ≠ {}", name(predicted), name(original)),
        None => format!("{} ≠ unknown", name(predicted)),
    }
}

fn order_name(order: SortOrder) -> &'static str {
    match order {
        SortOrder::Confidence => "confidence",
        SortOrder::Models => "how many models predict it",
        SortOrder::Distance => "hierarchy distance",
        SortOrder::Class => "predicted class",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prediction_equal_to_the_original_label_says_so() {
        let vocab = Vocabulary::imagenet1k();
        // 21 kite (the bird), 517 crane (the machine), 134 crane (the bird).
        assert_eq!(pair_text(&vocab, 21, Some(21)), "kite = original");
        assert_eq!(pair_text(&vocab, 517, Some(134)), "crane ≠ crane");
        assert_eq!(pair_text(&vocab, 21, None), "kite ≠ unknown");
    }
}
