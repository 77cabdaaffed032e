//! The panel's two forms: the chair's override of a pair's decision (with the reason kept
//! beside it), and the aggregation of crowd votes into decisions, which runs as a job.

use super::command::Command;
use super::jobs::JobOutcome;
use super::names::{category_name, severity_name, verdict_name};
use crate::panel::aggregate::{AggregateOptions, Method, aggregate};
use crate::panel::{Category, Severity, Verdict, Vote};
use crate::progress::Progress;
use crate::store::Project;
use crate::vocab::ClassId;
use std::path::Path;

/// The chair's decision on the current pair, as the form holds it.
#[derive(Debug, Clone)]
pub struct ChairForm {
    pub image: u32,
    pub label: ClassId,
    /// "ILSVRC2012_val_00000001.JPEG · snake (n01234567)".
    title: String,
    verdict: Verdict,
    category: Option<Category>,
    severity: Option<Severity>,
    reason: String,
    focused: bool,
}

impl ChairForm {
    /// Filled in with the panel's current decision, if any.
    pub fn new(image: u32, label: ClassId, title: String, current: Option<&Vote>) -> Self {
        ChairForm {
            image,
            label,
            title,
            verdict: current.map_or(Verdict::Wrong, |v| v.verdict),
            category: current.and_then(|v| v.category),
            severity: current.and_then(|v| v.severity),
            reason: String::new(),
            focused: false,
        }
    }

    /// The decision the chair gives; its reason goes separately.
    pub fn vote(&self) -> Vote {
        let wrong = self.verdict == Verdict::Wrong;
        Vote {
            category: self.category.filter(|_| wrong),
            severity: self.severity.filter(|_| wrong),
            ..Vote::new(self.image, self.label, self.verdict)
        }
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

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
            if ui.button("Cancel (Esc)").clicked() {
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

/// A note for the panel's discussion of a pair, or a reply to one of its notes.
#[derive(Debug, Clone)]
pub struct PanelNoteForm {
    pub pair: (u32, ClassId),
    pub reply_to: Option<i64>,
    /// What the note is on, or which note it answers.
    title: String,
    pub text: String,
    focused: bool,
}

impl PanelNoteForm {
    pub fn new(pair: (u32, ClassId), reply_to: Option<i64>, title: String) -> Self {
        PanelNoteForm {
            pair,
            reply_to,
            title,
            text: String::new(),
            focused: false,
        }
    }
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
            if ui.button("Cancel (Esc)").clicked() {
                command = Some(Command::CloseDialog);
            }
        });
    });
    command.or_else(|| modal.should_close().then_some(Command::CloseDialog))
}

/// How to turn the dataset's crowd votes into decisions.
#[derive(Debug, Clone)]
pub struct AggregateForm {
    pub dataset: String,
    method: Method,
    threshold: f64,
    unclear_band: bool,
    unclear_from: f64,
    min_votes: usize,
}

impl AggregateForm {
    /// The defaults of `bagel aggregate`: Dawid-Skene, correct at a posterior of 0.9.
    pub fn new(dataset: String) -> Self {
        AggregateForm {
            dataset,
            method: Method::DawidSkene,
            threshold: 0.9,
            unclear_band: false,
            unclear_from: 0.5,
            min_votes: 1,
        }
    }

    fn options(&self) -> AggregateOptions {
        AggregateOptions {
            method: self.method,
            threshold: self.threshold,
            unclear_from: self.unclear_band.then_some(self.unclear_from),
            min_votes: self.min_votes,
        }
    }

    /// Runs the aggregation on the job's own connection, one transaction.
    pub fn run(&self, project: &Path, progress: &dyn Progress) -> JobOutcome {
        let options = self.options();
        let outcome = Project::open(project).and_then(|mut project| {
            let dataset = project.dataset(&self.dataset)?;
            aggregate(&mut project, &dataset, &options, progress)
        });
        match outcome {
            Ok(done) => JobOutcome::Imported {
                summary: format!(
                    "decisions from {} over {} crowd votes on {} pairs: {} correct, {} unclear, {} wrong, {} left undecided{}",
                    options.method.as_str(),
                    done.votes,
                    done.pairs,
                    done.correct,
                    done.unclear,
                    done.wrong,
                    done.too_few_votes,
                    done.em.as_ref().map_or(String::new(), |em| format!(
                        " (EM: {} iterations, {})",
                        em.iterations,
                        if em.converged {
                            "converged"
                        } else {
                            "NOT converged"
                        }
                    ))
                ),
                warnings: Vec::new(),
            },
            Err(error) => JobOutcome::from_error(error),
        }
    }
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
            if ui.button("Cancel (Esc)").clicked() {
                command = Some(Command::CloseDialog);
            }
        });
    });
    command.or_else(|| modal.should_close().then_some(Command::CloseDialog))
}
