//! Every action on one key, shown on screen by [`KEYS`]. Keys are ignored while a text field
//! or a dialog has the keyboard.

use super::Desk;
use super::dialogs::ClassPicker;
use crate::panel::{Category, Severity, Verdict, Vote};
use egui::{Key, Modifiers};

/// The key map as the vote panel shows it.
pub const KEYS: &[(&str, &str)] = &[
    ("C", "correct"),
    ("U", "unclear"),
    ("W", "wrong"),
    ("P", "ground truth problematic"),
    ("1–4", "category of a wrong"),
    ("M / N", "major / minor"),
    ("A", "add a valid label"),
    ("E", "note"),
    ("Z", "undo"),
    ("Right / Left, Space", "next / previous"),
    ("B", "class browser"),
    ("G", "plots"),
    ("V", "compare datasets"),
    ("0", "fit image"),
];

pub const CATEGORY_KEYS: [(Key, Category); 4] = [
    (Key::Num1, Category::FineGrained),
    (Key::Num2, Category::FineGrainedOutOfVocabulary),
    (Key::Num3, Category::Spurious),
    (Key::Num4, Category::NonPrototypical),
];

impl Desk {
    pub(super) fn handle_keys(&mut self, ctx: &egui::Context) {
        let dialog_open = self.job.is_some()
            || self.reviewer_prompt.is_some()
            || self.picker.is_some()
            || self.import_form.is_some()
            || self.note.is_some();
        if dialog_open || ctx.egui_wants_keyboard_input() || self.review.is_none() {
            return;
        }
        let pressed = |key: Key| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        if pressed(Key::ArrowRight) || pressed(Key::Space) {
            self.next();
        }
        if pressed(Key::ArrowLeft) {
            self.previous();
        }
        if pressed(Key::Z) || ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Z)) {
            self.undo();
        }
        if pressed(Key::B) {
            self.show_browser = !self.show_browser;
        }
        if pressed(Key::G) {
            self.show_plots = !self.show_plots;
        }
        if pressed(Key::V) {
            self.toggle_compare();
        }
        if pressed(Key::Num0) {
            self.scene_rect = egui::Rect::ZERO;
        }
        let Some(item) = self.current().cloned() else {
            return;
        };
        for (key, verdict) in [
            (Key::C, Verdict::Correct),
            (Key::U, Verdict::Unclear),
            (Key::P, Verdict::Problematic),
        ] {
            if pressed(key) {
                self.cast(Vote::new(item.image, item.label, verdict), true);
            }
        }
        if pressed(Key::W) {
            self.cast(Vote::new(item.image, item.label, Verdict::Wrong), false);
        }
        for (key, category) in CATEGORY_KEYS {
            if pressed(key) {
                self.detail_wrong(|vote| vote.category = Some(category));
            }
        }
        for (key, severity) in [(Key::M, Severity::Major), (Key::N, Severity::Minor)] {
            if pressed(key) {
                self.detail_wrong(|vote| vote.severity = Some(severity));
            }
        }
        if pressed(Key::A) {
            self.picker = Some(ClassPicker::default());
        }
        if pressed(Key::E) {
            let note = self.my_current_vote().map(|v| v.note).unwrap_or_default();
            self.note = Some(note);
        }
    }

    /// My vote on the current pair, if I cast one.
    pub(super) fn my_current_vote(&self) -> Option<Vote> {
        let item = self.current()?;
        self.review
            .as_ref()?
            .my_vote(item.image, item.label)
            .cloned()
    }

    /// Adds a category or severity to the current pair's vote, which becomes `wrong`; moves on
    /// once both are given.
    pub(super) fn detail_wrong(&mut self, change: impl FnOnce(&mut Vote)) {
        let Some(item) = self.current() else {
            return;
        };
        let mut vote = self
            .my_current_vote()
            .filter(|v| v.verdict == Verdict::Wrong)
            .unwrap_or_else(|| Vote::new(item.image, item.label, Verdict::Wrong));
        change(&mut vote);
        let complete = vote.category.is_some() && vote.severity.is_some();
        self.cast(vote, complete);
    }

    /// Saves the note typed for the current pair with my vote (unclear when I had none).
    pub(super) fn save_note(&mut self, note: String) {
        let Some(item) = self.current() else {
            return;
        };
        let mut vote = self
            .my_current_vote()
            .unwrap_or_else(|| Vote::new(item.image, item.label, Verdict::Unclear));
        vote.note = note;
        self.cast(vote, false);
    }
}
