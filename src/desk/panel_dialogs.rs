//! The panel's two forms: the chair's override of a pair's decision (with the reason kept
//! beside it), and the aggregation of crowd votes into decisions, which runs as a job.

use super::command::Command;
use super::forms::{AggregateForm, ChairForm, PanelNoteForm};
use super::names::{category_name, severity_name, verdict_name};
use crate::panel::aggregate::Method;
use crate::panel::{Category, Severity, Verdict};

pub fn chair_window(ctx: &egui::Context, form: &mut ChairForm) -> Option<Command> {
    let mut command = None;
    let modal = egui::Modal::new(egui::Id::unique("chair")).show(ctx, |ui| {
        ui.set_width(520.0);
        ui.heading("Chair's override");
        ui.label(&form.title);
        ui.label("The chair's decision replaces the panel's on this pair; the votes stay in the log, and the reason is kept with the decision.");
        ui.horizontal_wrapped(|ui| {
            for verdict in Verdict::ALL {
                ui.radio_value(&mut form.verdict, *verdict, verdict_name(*verdict));
            }
        });
        if form.verdict == Verdict::Wrong {
            choose(ui, "Category", &mut form.category, Category::ALL, category_name);
            choose(ui, "Severity", &mut form.severity, Severity::ALL, severity_name);
        }
        ui.label("Reason (required):");
        let field = ui.add(
            egui::TextEdit::multiline(&mut form.reason)
                .desired_rows(3)
                .hint_text("why the chair decides this way"),
        );
        // Ready to type the reason; asked once, as the name prompt does.
        if !std::mem::replace(&mut form.focused, true) {
            field.request_focus();
        }
        ui.horizontal(|ui| {
            let ready = !form.reason.trim().is_empty();
            if ui
                .add_enabled(ready, egui::Button::new("Override as chair"))
                .clicked()
            {
                command = Some(Command::Chair(Box::new(form.clone())));
            }
            if ui.button(super::keys::CANCEL).clicked() {
                command = Some(Command::CloseDialog);
            }
        });
    });
    command.or_else(|| modal.should_close().then_some(Command::CloseDialog))
}

/// A row of radio buttons for an optional detail of a wrong verdict.
fn choose<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    what: &str,
    value: &mut Option<T>,
    all: &[T],
    name: fn(T) -> &'static str,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(what);
        ui.radio_value(value, None, "not given");
        for &option in all {
            ui.radio_value(value, Some(option), name(option));
        }
    });
}

pub fn panel_note_window(ctx: &egui::Context, form: &mut PanelNoteForm) -> Option<Command> {
    let mut command = None;
    let modal = egui::Modal::new(egui::Id::unique("panel_note")).show(ctx, |ui| {
        ui.set_width(480.0);
        ui.heading(match form.reply_to {
            Some(_) => "Reply",
            None => "Note for the panel",
        });
        ui.label(&form.title);
        let field = ui.add(
            egui::TextEdit::multiline(&mut form.text)
                .desired_rows(3)
                .hint_text("what the panel should read"),
        );
        if !std::mem::replace(&mut form.focused, true) {
            field.request_focus();
        }
        ui.horizontal(|ui| {
            let ready = !form.text.trim().is_empty();
            if ui.add_enabled(ready, egui::Button::new("Post")).clicked() {
                command = Some(Command::PostNote(Box::new(form.clone())));
            }
            if ui.button(super::keys::CANCEL).clicked() {
                command = Some(Command::CloseDialog);
            }
        });
    });
    command.or_else(|| modal.should_close().then_some(Command::CloseDialog))
}

pub fn aggregate_window(ctx: &egui::Context, form: &mut AggregateForm) -> Option<Command> {
    let mut command = None;
    let modal = egui::Modal::new(egui::Id::unique("aggregate")).show(ctx, |ui| {
        ui.set_width(520.0);
        ui.heading(format!("Aggregate the crowd votes of {}", form.dataset));
        ui.label("Each (image, label) pair the crowd answered gets a decision that names its source and keeps its posterior; a panel decision outranks it.");
        ui.horizontal(|ui| {
            ui.label("Method");
            ui.radio_value(&mut form.method, Method::DawidSkene, "Dawid-Skene (EM, one confusion matrix per rater)");
            ui.radio_value(&mut form.method, Method::Majority, "majority (maybe counts half)");
        });
        ui.add(
            egui::Slider::new(&mut form.threshold, 0.5..=1.0)
                .text("correct at a posterior of at least"),
        );
        ui.checkbox(&mut form.unclear_band, "unclear between two thresholds");
        if form.unclear_band {
            form.unclear_from = form.unclear_from.min(form.threshold);
            ui.add(
                egui::Slider::new(&mut form.unclear_from, 0.0..=form.threshold)
                    .text("unclear from"),
            );
        }
        ui.add(egui::Slider::new(&mut form.min_votes, 1..=10).text("fewest crowd votes to decide"));
        ui.horizontal(|ui| {
            if ui.button("Aggregate").clicked() {
                command = Some(Command::Aggregate(Box::new(form.clone())));
            }
            if ui.button(super::keys::CANCEL).clicked() {
                command = Some(Command::CloseDialog);
            }
        });
    });
    command.or_else(|| modal.should_close().then_some(Command::CloseDialog))
}
