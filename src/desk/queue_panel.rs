//! The queue on the left: filters, sort order, counts, and the list of pairs to review.

use super::Desk;
use crate::panel::{ReviewedFilter, SortOrder};
use egui::RichText;

const ROW_HEIGHT: f32 = 22.0;

impl Desk {
    pub(super) fn queue_panel(&mut self, ui: &mut egui::Ui) {
        egui::Panel::left("queue")
            .resizable(true)
            .default_size(300.0)
            .show(ui, |ui| {
                self.dataset_choice(ui);
                if self.filters(ui) {
                    self.rebuild_view();
                    self.save_position();
                }
                ui.separator();
                self.counts(ui);
                ui.separator();
                self.queue_list(ui);
            });
    }

    fn dataset_choice(&mut self, ui: &mut egui::Ui) {
        let current = self
            .review
            .as_ref()
            .map(|r| r.dataset.name.clone())
            .unwrap_or_default();
        let mut chosen = current.clone();
        ui.horizontal(|ui| {
            ui.label("Dataset");
            egui::ComboBox::from_id_salt("dataset")
                .selected_text(&current)
                .show_ui(ui, |ui| {
                    for name in &self.datasets {
                        ui.selectable_value(&mut chosen, name.clone(), name);
                    }
                });
        });
        if chosen != current {
            let ctx = ui.ctx().clone();
            self.load_dataset(&ctx, &chosen);
        }
    }

    /// Returns whether a filter or the order changed.
    fn filters(&mut self, ui: &mut egui::Ui) -> bool {
        let Some(review) = &self.review else {
            return false;
        };
        let before = (self.filter.clone(), self.order);
        let models: Vec<String> = review
            .evaluation
            .models
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        egui::Grid::new("filters")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                ui.label("Model");
                let shown = self
                    .filter
                    .model
                    .map_or("all models".to_owned(), |m| models[m as usize].clone());
                egui::ComboBox::from_id_salt("model")
                    .selected_text(shown)
                    .width(190.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.filter.model, None, "all models");
                        for (index, name) in models.iter().enumerate() {
                            ui.selectable_value(&mut self.filter.model, Some(index as u16), name);
                        }
                    });
                ui.end_row();
                ui.label("Class");
                ui.horizontal(|ui| {
                    let vocab = self.project.as_ref().map(|p| p.vocab());
                    let name = (self.filter.class)
                        .and_then(|c| vocab?.class(c).map(|c| c.name().to_owned()))
                        .unwrap_or_else(|| "any".into());
                    ui.label(name);
                    if self.filter.class.is_some()
                        && ui.small_button("✖").on_hover_text("any class").clicked()
                    {
                        self.filter.class = None;
                    }
                    let current = self.current().map(|item| item.label);
                    let narrow = ui.small_button("as current prediction").on_hover_text(
                        "pairs where this class is predicted or is the original label",
                    );
                    if let Some(label) = current.filter(|_| narrow.clicked()) {
                        self.filter.class = Some(label);
                    }
                });
                ui.end_row();
                ui.label("Reviewed");
                egui::ComboBox::from_id_salt("reviewed")
                    .selected_text(match self.filter.reviewed {
                        ReviewedFilter::Any => "any",
                        ReviewedFilter::ByMe => "by me",
                        ReviewedFilter::NotByMe => "not by me",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.filter.reviewed, ReviewedFilter::Any, "any");
                        ui.selectable_value(
                            &mut self.filter.reviewed,
                            ReviewedFilter::ByMe,
                            "by me",
                        );
                        ui.selectable_value(
                            &mut self.filter.reviewed,
                            ReviewedFilter::NotByMe,
                            "not by me",
                        );
                    });
                ui.end_row();
                ui.label("Sort by");
                egui::ComboBox::from_id_salt("order")
                    .selected_text(order_name(self.order))
                    .show_ui(ui, |ui| {
                        for order in [SortOrder::Confidence, SortOrder::Distance, SortOrder::Class]
                        {
                            ui.selectable_value(&mut self.order, order, order_name(order));
                        }
                    });
                ui.end_row();
            });
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.filter.novel_only, "novel only")
                .on_hover_text("the predicted label was never judged for this image");
            ui.checkbox(&mut self.filter.judged_wrong_only, "judged wrong before")
                .on_hover_text("the predicted label is in the image's previously-wrong list");
        });
        before != (self.filter.clone(), self.order)
    }

    fn counts(&self, ui: &mut egui::Ui) {
        let Some(review) = &self.review else {
            return;
        };
        let (mine, decided) = review.reviewed_counts();
        let total = review.queue.len();
        let position = if self.view.is_empty() {
            0
        } else {
            self.cursor + 1
        };
        ui.label(
            RichText::new(format!(
                "{position} of {} shown · {total} pairs in queue",
                self.view.len()
            ))
            .strong(),
        );
        ui.label(format!(
            "reviewed by me {mine} · decided {decided} · pending {}",
            total - decided
        ));
    }

    fn queue_list(&mut self, ui: &mut egui::Ui) {
        let (Some(review), Some(project)) = (&self.review, &self.project) else {
            return;
        };
        let mut clicked = None;
        let mut area = egui::ScrollArea::vertical().auto_shrink(false);
        if std::mem::take(&mut self.scroll_queue) {
            let row = ROW_HEIGHT + ui.spacing().item_spacing.y;
            let offset = self.cursor as f32 * row - ui.available_height() / 2.0;
            area = area.vertical_scroll_offset(offset.max(0.0));
        }
        area.show_rows(ui, ROW_HEIGHT, self.view.len(), |ui, rows| {
            for position in rows {
                let item = &review.queue.items()[self.view[position]];
                let mark = match review.my_vote(item.image, item.label) {
                    Some(vote) => verdict_mark(vote.verdict),
                    None => "·",
                };
                let confidence = item
                    .confidence
                    .map_or("–".into(), |c| format!("{:.0}%", c * 100.0));
                let name = project.vocab().class(item.label).map_or("?", |c| c.name());
                let text = format!(
                    "{mark} {name:<22.22} {confidence:>4} ×{:<3} #{}",
                    item.models.len(),
                    item.image + 1
                );
                let row = ui.add(
                    egui::Button::selectable(
                        position == self.cursor,
                        RichText::new(text).monospace(),
                    )
                    .wrap_mode(egui::TextWrapMode::Truncate),
                );
                if row.clicked() {
                    clicked = Some(position);
                }
            }
        });
        if let Some(position) = clicked {
            self.move_to(position);
        }
    }
}

fn order_name(order: SortOrder) -> &'static str {
    match order {
        SortOrder::Confidence => "confidence",
        SortOrder::Distance => "hierarchy distance",
        SortOrder::Class => "predicted class",
    }
}

/// One character per verdict for the queue list.
pub fn verdict_mark(verdict: crate::panel::Verdict) -> &'static str {
    match verdict {
        crate::panel::Verdict::Correct => "✔",
        crate::panel::Verdict::Unclear => "?",
        crate::panel::Verdict::Wrong => "✖",
        crate::panel::Verdict::Problematic => "⚠",
    }
}
