//! Two tabs of the panel window for sharing the work: the confusions a panel reviews in bulk
//! (sortable; a click filters the queue to one), and each reviewer's progress.

use super::Settings;
use super::command::Command;
use super::names::class_name;
use crate::panel::assign::ReviewerProgress;
use crate::panel::confusions::{Confusion, ConfusionOrder, sort};
use crate::vocab::Vocabulary;
use egui::RichText;

/// Rows the confusions tab lists at once.
const CONFUSIONS_SHOWN: usize = 200;

pub(super) fn confusions_tab(
    ui: &mut egui::Ui,
    rows: &[Confusion],
    vocab: &Vocabulary,
    settings: &Settings,
) -> Option<Command> {
    let mut command = None;
    if rows.is_empty() {
        ui.label("No confusion: the queue is empty.");
        return None;
    }
    let mut sorted = rows.to_vec();
    let order = settings.confusion_order;
    sort(&mut sorted, order);
    ui.label(format!(
        "{} confusions (original ▶ predicted) across the models; click a heading to sort, a row to review it in the queue.",
        rows.len()
    ));
    let mut chosen_order = order;
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("confusions")
                .num_columns(6)
                .striped(true)
                .show(ui, |ui| {
                    ui.label(RichText::new("original ▶ predicted").strong());
                    for (heading, by) in [
                        ("mistakes", ConfusionOrder::Mistakes),
                        ("images", ConfusionOrder::Images),
                        ("voted", ConfusionOrder::Voted),
                        ("decided", ConfusionOrder::Decided),
                        ("WordNet distance", ConfusionOrder::Distance),
                    ] {
                        let text = if by == order {
                            format!("{heading} ⏷")
                        } else {
                            heading.into()
                        };
                        if ui.button(text).clicked() {
                            chosen_order = by;
                        }
                    }
                    ui.end_row();
                    for row in sorted.iter().take(CONFUSIONS_SHOWN) {
                        let name = format!(
                            "{} ▶ {}",
                            class_name(vocab, row.original),
                            class_name(vocab, row.predicted)
                        );
                        if ui
                            .link(name)
                            .on_hover_text("review this confusion in the queue")
                            .clicked()
                        {
                            command = Some(Command::FilterConfusion(row.original, row.predicted));
                        }
                        ui.label(row.mistakes.to_string());
                        ui.label(row.images.to_string());
                        ui.label(row.voted.to_string());
                        ui.label(row.decided.to_string());
                        ui.label(row.distance.map_or("-".into(), |d| d.to_string()));
                        ui.end_row();
                    }
                });
        });
    if chosen_order != order {
        let mut changed = settings.clone();
        changed.confusion_order = chosen_order;
        command = Some(Command::Settings(Box::new(changed)));
    }
    command
}

pub(super) fn progress_tab(ui: &mut egui::Ui, rows: &[ReviewerProgress]) {
    if rows.is_empty() {
        ui.label(
            "Nobody has been assigned pairs or voted yet (bagel assign shares the queue out).",
        );
        return;
    }
    egui::Grid::new("progress")
        .num_columns(6)
        .striped(true)
        .show(ui, |ui| {
            for heading in [
                "reviewer",
                "assigned",
                "voted",
                "left",
                "independent",
                "discussion",
            ] {
                ui.label(RichText::new(heading).strong());
            }
            ui.end_row();
            for row in rows {
                ui.label(&row.reviewer);
                for value in [
                    row.assigned,
                    row.voted,
                    row.left,
                    row.independent,
                    row.discussion,
                ] {
                    ui.label(value.to_string());
                }
                ui.end_row();
            }
        });
}
