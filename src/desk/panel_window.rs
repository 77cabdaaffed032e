//! The panel's window (D): the discussion round's pairs with everyone's votes side by side,
//! the panel's agreement (percent and Fleiss' kappa), and each model's reviewed mistakes with
//! the chi-square tests across models. The core computes all of it from the vote log and the
//! decisions; the desk keeps the result until a vote, an import or a reload changes them.

use super::command::Command;
use super::names::{category_name, severity_name, verdict_mark, vote_summary};
use super::settings::PanelTab;
use super::work_view::{confusions_tab, progress_tab};
use super::{Desk, theme};
use crate::error::Result;
use crate::metrics::mistakes::{ChiSquare, MistakeReport, counts_of_models, load_mistake_report};
use crate::panel::agreement::{Agreement, PanelAgreement, panel_agreement};
use crate::panel::assign::{ReviewerProgress, progress};
use crate::panel::confusions::{Confusion, confusions};
use crate::panel::discussion::{Disagreement, discussion_pairs, thread};
use crate::panel::voting::pending_votes;
use crate::panel::{Category, Review, Round, Severity, VoteEvent};
use crate::store::Project;
use crate::verdict::Note;
use crate::vocab::ClassId;
use egui::RichText;
use std::collections::BTreeSet;
use std::collections::HashMap;

/// Pairs the agreement tab lists, least agreement first.
const LEAST_AGREED_SHOWN: usize = 50;

/// What the window shows, computed once per change of the log.
pub struct PanelSummary {
    discussion: Vec<Disputed>,
    agreement: PanelAgreement,
    /// Per pair with two or more panel votes, the share of agreeing rater pairs.
    pair_agreement: HashMap<(u32, ClassId), f64>,
    mistakes: MistakeReport,
    confusions: Vec<Confusion>,
    progress: Vec<ReviewerProgress>,
}

/// A pair of the discussion round, one I may see.
struct Disputed {
    image: u32,
    label: ClassId,
    title: String,
    /// What the independent votes disagree on.
    on: Disagreement,
    /// The decision standing now, or where the pair is on the way to one.
    now: String,
    votes: Vec<VoteEvent>,
    notes: Vec<Note>,
}

impl PanelSummary {
    /// The window's content as I may see it: in the blind round, only pairs I have voted on
    /// (their votes, notes, agreement and decisions) count; progress is counts over the log.
    pub fn compute(project: &Project, review: &Review) -> Result<Self> {
        let log = project.vote_events(review.dataset.id)?;
        let events: Vec<VoteEvent> = (log.iter())
            .filter(|e| review.sees_pair(e.image, e.label))
            .cloned()
            .collect();
        let notes = project.notes(review.dataset.id)?;
        let vocab = project.vocab();
        let discussion = (discussion_pairs(&events).into_iter())
            .map(|pair| {
                let (image, label) = pair.pair;
                Disputed {
                    image,
                    label,
                    title: format!(
                        "{} · {}",
                        review.files[image as usize],
                        vocab.describe(label)
                    ),
                    on: pair.on,
                    now: decision_text(review, pair.pair, &pair.votes),
                    votes: pair.votes,
                    notes: (notes.iter())
                        .filter(|n| (n.image, n.label) == (image, label))
                        .cloned()
                        .collect(),
                }
            })
            .collect();
        let agreement = panel_agreement(&events);
        let pair_agreement = (agreement.pairs.iter().copied())
            .zip(agreement.verdicts.per_item.iter().copied())
            .filter_map(|(pair, share)| Some((pair, share?)))
            .collect();
        let decisions = review.visible_decisions(project, None)?;
        let counts = counts_of_models(&review.evaluation.models, &decisions);
        let mistakes = load_mistake_report(project, review.dataset.id, counts, None)?;
        let voted: BTreeSet<(u32, ClassId)> = events.iter().map(|e| (e.image, e.label)).collect();
        let is_voted = |image: u32, label: ClassId| voted.contains(&(image, label));
        let confusions = confusions(
            review.queue.items(),
            &review.evaluation.truth,
            None,
            &is_voted,
            review,
        );
        // Counts only, which name no pair: the whole log, so the chair sees everyone's progress.
        let progress = progress(&project.assignments(review.dataset.id)?, &log);
        Ok(PanelSummary {
            discussion,
            agreement,
            pair_agreement,
            mistakes,
            confusions,
            progress,
        })
    }

    /// The share of agreeing rater pairs on one pair, once two panel members voted on it.
    pub fn pair_agreement(&self, image: u32, label: ClassId) -> Option<f64> {
        self.pair_agreement.get(&(image, label)).copied()
    }
}

impl Desk {
    /// The panel window, when shown, over the summary [`Desk::refresh_panel_summary`] keeps.
    pub(super) fn panel_window(&self, ctx: &egui::Context) -> Vec<Command> {
        let mut commands = Vec::new();
        if !self.settings.show_panel {
            return commands;
        }
        let mut open = true;
        let mut tab = self.settings.panel_tab;
        egui::Window::new("Panel")
            .open(&mut open)
            .default_size([760.0, 520.0])
            .vscroll(false)
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    let disputed = self
                        .panel_summary
                        .as_ref()
                        .map_or(0, |s| s.discussion.len());
                    ui.selectable_value(
                        &mut tab,
                        PanelTab::Discussion,
                        format!("Discussion ({disputed})"),
                    );
                    ui.selectable_value(&mut tab, PanelTab::Agreement, "Agreement");
                    ui.selectable_value(&mut tab, PanelTab::Mistakes, "Reviewed mistakes");
                    ui.selectable_value(&mut tab, PanelTab::Confusions, "Confusions");
                    ui.selectable_value(&mut tab, PanelTab::Progress, "Progress");
                });
                ui.separator();
                let Some(summary) = &self.panel_summary else {
                    ui.label("Open a dataset to see the panel's work.");
                    return;
                };
                match tab {
                    PanelTab::Discussion => {
                        commands.extend(round_choice(ui, self.review.as_ref()));
                        commands.extend(discussion_tab(ui, summary));
                    }
                    PanelTab::Agreement => agreement_tab(ui, summary),
                    PanelTab::Mistakes => mistakes_tab(ui, &summary.mistakes),
                    PanelTab::Confusions => {
                        let vocab = self.project.as_ref().map(|p| p.vocab());
                        if let Some(vocab) = vocab {
                            let rows = &summary.confusions;
                            commands.extend(confusions_tab(ui, rows, vocab, &self.settings));
                        }
                    }
                    PanelTab::Progress => progress_tab(ui, &summary.progress),
                }
            });
        if !open || tab != self.settings.panel_tab {
            let mut settings = self.settings.clone();
            settings.show_panel = open;
            settings.panel_tab = tab;
            commands.push(Command::Settings(Box::new(settings)));
        }
        commands
    }

    /// Votes, notes or decisions changed (here or in another process): what was read of them
    /// is read again before the next frame.
    pub(super) fn log_changed(&mut self) {
        self.panel_summary = None;
        self.pair_record = None;
    }

    /// Recomputes the panel summary after a change dropped it, while the window is shown:
    /// before the frame is drawn, so the window only reads it.
    pub(super) fn refresh_panel_summary(&mut self) {
        if self.panel_summary.is_some() || !self.settings.show_panel {
            return;
        }
        let (Some(project), Some(review)) = (&self.project, &self.review) else {
            return;
        };
        match PanelSummary::compute(project, review) {
            Ok(summary) => self.panel_summary = Some(summary),
            Err(error) => self.status = super::Status::Error(error.to_string()),
        }
    }
}

/// Which round my votes go to: the independent one first, the discussion once the panel
/// discusses (a discussion vote supersedes my independent one; both stay in the log).
pub(super) fn round_choice(ui: &mut egui::Ui, review: Option<&Review>) -> Option<Command> {
    let current = review?.round();
    let mut round = current;
    ui.horizontal(|ui| {
        ui.label("My votes go to the");
        ui.radio_value(&mut round, Round::Independent, "independent round");
        ui.radio_value(&mut round, Round::Discussion, "discussion round");
    });
    (round != current).then_some(Command::SetRound(round))
}

fn discussion_tab(ui: &mut egui::Ui, summary: &PanelSummary) -> Vec<Command> {
    let mut commands = Vec::new();
    if summary.discussion.is_empty() {
        ui.label("No pair to discuss: the independent votes you may see agree on every pair (in the blind round, pairs you have not voted on stay hidden).");
        return commands;
    }
    ui.label(format!(
        "{} pairs whose independent votes disagree on the verdict, or on the category or severity of a wrong. Minority voters make their case; anyone may change their vote (in the discussion round); then majority wins and a tie is unclear.",
        summary.discussion.len()
    ));
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for pair in &summary.discussion {
                ui.horizontal(|ui| {
                    if ui
                        .button("Go to")
                        .on_hover_text("show this pair in the queue")
                        .clicked()
                    {
                        commands.push(Command::GoToPair(pair.image, pair.label));
                    }
                    ui.label(RichText::new(&pair.title).strong());
                    ui.label(
                        RichText::new(format!("disagree on {}", pair.on.describe()))
                            .color(theme::WARN),
                    );
                    if let Some(share) = summary.pair_agreement(pair.image, pair.label) {
                        ui.label(format!("agreement {:.0}%", share * 100.0));
                    }
                });
                ui.label(format!("    now: {}", pair.now));
                for event in &pair.votes {
                    ui.label(format!("    {}", vote_line(event)));
                }
                ui.indent(("thread", pair.image, pair.label), |ui| {
                    commands.extend(note_thread(ui, (pair.image, pair.label), &pair.notes));
                });
                ui.add_space(4.0);
            }
        });
    commands
}

/// A pair's notes as a thread (replies under what they answer), each with Reply, and a
/// button for a new note.
pub(super) fn note_thread(
    ui: &mut egui::Ui,
    pair: (u32, ClassId),
    notes: &[Note],
) -> Option<Command> {
    let mut command = None;
    for (depth, note) in thread(notes) {
        ui.horizontal_wrapped(|ui| {
            ui.add_space(16.0 * depth as f32);
            let says = if note.reply_to.is_some() {
                "replies"
            } else {
                "notes"
            };
            ui.label(format!(
                "{} {says} ({}): {}",
                note.reviewer, note.written_at, note.text
            ));
            if ui
                .small_button("Reply")
                .on_hover_text("answer this note")
                .clicked()
            {
                command = Some(Command::NoteForm(pair, Some(note.id)));
            }
        });
    }
    if ui
        .button("Note for the panel…")
        .on_hover_text("a note under this pair that every reviewer reads once they have voted")
        .clicked()
    {
        command = Some(Command::NoteForm(pair, None));
    }
    command
}

/// "ana: ✖ wrong · fine-grained · major “note” (independent, 2026-12-06T09:00:00Z)".
pub(super) fn vote_line(event: &VoteEvent) -> String {
    let Some(vote) = &event.vote else {
        return format!("{}: withdrawn ({})", event.reviewer, event.cast_at);
    };
    let note = match vote.note.as_str() {
        "" => String::new(),
        note => format!(" “{note}”"),
    };
    format!(
        "{}: {} {}{note} ({}, {})",
        event.reviewer,
        verdict_mark(vote.verdict),
        vote_summary(vote),
        event.round.as_str(),
        event.cast_at
    )
}

fn agreement_tab(ui: &mut egui::Ui, summary: &PanelSummary) {
    let agreement = &summary.agreement;
    ui.label(format!(
        "{} pairs with at least two panel votes (each member's discussion vote, else the independent one).",
        agreement.pairs.len()
    ));
    egui::Grid::new("agreement")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (what, value) in [
                ("Verdict", &agreement.verdicts),
                ("Category of wrong votes", &agreement.categories),
                ("Severity of wrong votes", &agreement.severities),
            ] {
                ui.label(RichText::new(what).strong());
                ui.label(value.describe())
                    .on_hover_text(kappa_details(value));
                ui.end_row();
            }
        });
    let mut least: Vec<((u32, ClassId), f64)> = summary
        .pair_agreement
        .iter()
        .map(|(&pair, &share)| (pair, share))
        .filter(|&(_, share)| share < 1.0)
        .collect();
    if least.is_empty() {
        return;
    }
    least.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    ui.separator();
    ui.label(RichText::new("Pairs with the least agreement").strong());
    egui::ScrollArea::vertical()
        .id_salt("least_agreed")
        .show(ui, |ui| {
            for ((image, label), share) in least.into_iter().take(LEAST_AGREED_SHOWN) {
                let title = (summary.discussion.iter())
                    .find(|d| (d.image, d.label) == (image, label))
                    .map_or_else(
                        || format!("image {} · class {label}", image + 1),
                        |d| d.title.clone(),
                    );
                ui.label(format!("{:.0}%  {title}", share * 100.0));
            }
        });
}

fn kappa_details(agreement: &Agreement) -> String {
    match &agreement.kappa {
        Some(kappa) => format!(
            "observed agreement {:.3}, chance agreement {:.3}; {}",
            kappa.observed,
            kappa.chance,
            match kappa.raters_per_item {
                Some(n) => format!("{n} raters on every pair"),
                None => "pairs have different numbers of raters".into(),
            }
        ),
        None => "kappa needs two raters on a pair and more than one category used".into(),
    }
}

fn mistakes_tab(ui: &mut egui::Ui, report: &MistakeReport) {
    if !report.unreviewed_with_mistakes.is_empty() {
        ui.label(format!(
            "Decided top-1 mistakes of {} models not reviewed are left out; name the reviewed models with `bagel config P --dataset D --reviewed-models a,b`.",
            report.unreviewed_with_mistakes.len()
        ));
    }
    let reviewed: Vec<_> = (report.models.iter())
        .filter_map(|(name, counts)| Some((name, counts.as_ref()?)))
        .collect();
    if reviewed.is_empty() {
        ui.label("No reviewed model has decided top-1 mistakes yet: import a review (bagel import review), or name the models the panel reviews (bagel config --reviewed-models) and vote W with a category and a severity.");
        return;
    }
    ui.label(format!(
        "Decided top-1 mistakes of the reviewed models: {}.",
        report.reviewed_models().join(", ")
    ));
    egui::ScrollArea::both()
        .max_height(ui.available_height() - 60.0)
        .show(ui, |ui| {
            egui::Grid::new("mistakes")
                .num_columns(8)
                .striped(true)
                .show(ui, |ui| {
                    ui.label(RichText::new("model").strong());
                    ui.label(RichText::new("reviewed").strong());
                    for category in Category::ALL {
                        ui.label(RichText::new(category_heading(*category)).strong())
                            .on_hover_text(category_name(*category));
                    }
                    for severity in Severity::ALL {
                        ui.label(RichText::new(severity_name(*severity)).strong());
                    }
                    ui.end_row();
                    for (name, counts) in &reviewed {
                        ui.label(name.as_str());
                        ui.label(counts.reviewed.to_string());
                        for category in Category::ALL {
                            ui.label(share(counts.category(*category), counts.reviewed));
                        }
                        for severity in Severity::ALL {
                            ui.label(share(counts.severity(*severity), counts.reviewed));
                        }
                        ui.end_row();
                    }
                });
        });
    ui.separator();
    for (what, test) in [
        ("Categories", &report.category),
        ("Severities", &report.severity),
    ] {
        ui.label(format!("{what}: {}", chi_square_text(test.as_ref())));
    }
}

/// Short column headings, so eight columns fit the window; the full name shows on hover.
fn category_heading(category: Category) -> &'static str {
    match category {
        Category::FineGrained => "fine-grained",
        Category::FineGrainedOutOfVocabulary => "out of vocab.",
        Category::Spurious => "spurious",
        Category::NonPrototypical => "non-proto.",
    }
}

fn share(count: u32, total: u32) -> String {
    format!(
        "{count} ({:.0}%)",
        100.0 * count as f64 / total.max(1) as f64
    )
}

/// "χ²(3, N=627) = 2.43, p = 0.488", as papers print it.
fn chi_square_text(test: Option<&ChiSquare>) -> String {
    match test {
        Some(test) => format!(
            "χ²({}, N={}) = {:.2}, p = {:.3} (Pearson's test of independence across {})",
            test.dof,
            test.n,
            test.statistic,
            test.p,
            test.rows.join(", ")
        ),
        None => "no test: it needs two models and two columns with reviewed mistakes".into(),
    }
}

/// The warning colour for a disputed pair, shared with the item panel.
pub(super) fn disputed_text() -> RichText {
    RichText::new("disputed: the independent votes disagree").color(theme::WARN)
}

/// "wrong — majority 2 of 3", "pending: 1 of 3 votes (quorum 3)", or "none yet".
pub(super) fn decision_text(
    review: &Review,
    pair: (u32, ClassId),
    history: &[VoteEvent],
) -> String {
    if let Some(d) = review.decision(pair.0, pair.1) {
        return format!("{} — {}", super::names::verdict_name(d.verdict), d.reason);
    }
    match pending_votes(history, review.quorum()) {
        Some(voted) => format!(
            "pending: {voted} of {} votes (quorum {})",
            review.quorum(),
            review.quorum()
        ),
        None => "none yet".into(),
    }
}
