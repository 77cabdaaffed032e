//! Every keyboard action in one table, [`Action::ALL`]: the input handling, the buttons of
//! the vote panel and the "All keys" help all read it, so a key is written once.

use super::names::{category_name, verdict_name};
use crate::panel::{Category, Severity, Verdict};
use egui::{Key, KeyboardShortcut, Modifiers};

/// What a key does on the main screen (dialogs have their own Enter and Esc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Verdict(Verdict),
    Category(Category),
    Severity(Severity),
    AddLabel,
    Note,
    Undo,
    Next,
    Previous,
    Browser,
    Plots,
    MetricsView,
    FitImage,
    /// The panel's window: discussion, agreement, reviewed mistakes.
    Panel,
    Compare,
    /// Jump to an image by file name or to a class.
    Jump,
    /// Back to where the last jump left from.
    Back,
}

/// A key without modifiers, as a constant the table can borrow.
macro_rules! key {
    ($key:ident) => {
        KeyboardShortcut {
            modifiers: Modifiers::NONE,
            logical_key: Key::$key,
        }
    };
}

impl Action {
    /// Every action in the order the help lists them.
    pub const ALL: [Action; 23] = [
        Action::Verdict(Verdict::Correct),
        Action::Verdict(Verdict::Unclear),
        Action::Verdict(Verdict::Wrong),
        Action::Verdict(Verdict::Problematic),
        Action::Category(Category::FineGrained),
        Action::Category(Category::FineGrainedOutOfVocabulary),
        Action::Category(Category::Spurious),
        Action::Category(Category::NonPrototypical),
        Action::Severity(Severity::Major),
        Action::Severity(Severity::Minor),
        Action::AddLabel,
        Action::Note,
        Action::Undo,
        Action::Next,
        Action::Previous,
        Action::Browser,
        Action::Plots,
        Action::MetricsView,
        Action::FitImage,
        Action::Panel,
        Action::Compare,
        Action::Jump,
        Action::Back,
    ];

    /// The keys that trigger it, the first one shown.
    pub fn shortcuts(self) -> &'static [KeyboardShortcut] {
        const UNDO: [KeyboardShortcut; 2] = [
            key!(Z),
            KeyboardShortcut {
                modifiers: Modifiers::COMMAND,
                logical_key: Key::Z,
            },
        ];
        match self {
            Action::Verdict(Verdict::Correct) => &[key!(C)],
            Action::Verdict(Verdict::Unclear) => &[key!(U)],
            Action::Verdict(Verdict::Wrong) => &[key!(W)],
            Action::Verdict(Verdict::Problematic) => &[key!(P)],
            Action::Category(Category::FineGrained) => &[key!(Num1)],
            Action::Category(Category::FineGrainedOutOfVocabulary) => &[key!(Num2)],
            Action::Category(Category::Spurious) => &[key!(Num3)],
            Action::Category(Category::NonPrototypical) => &[key!(Num4)],
            Action::Severity(Severity::Major) => &[key!(M)],
            Action::Severity(Severity::Minor) => &[key!(N)],
            Action::AddLabel => &[key!(A)],
            Action::Note => &[key!(E)],
            Action::Undo => &UNDO,
            Action::Next => &[key!(ArrowRight), key!(Space)],
            Action::Previous => &[key!(ArrowLeft)],
            Action::Browser => &[key!(B)],
            Action::Plots => &[key!(G)],
            Action::MetricsView => &[key!(T)],
            Action::FitImage => &[key!(Num0)],
            Action::Panel => &[key!(D)],
            Action::Compare => &[key!(V)],
            Action::Jump => &[key!(Slash)],
            Action::Back => &[key!(Backspace)],
        }
    }

    /// The first key's name as the buttons show it: "C", "1", "Right".
    pub fn key_name(self) -> &'static str {
        self.shortcuts()[0].logical_key.name()
    }

    /// Every key's name: "Right / Space".
    pub fn key_names(self) -> String {
        let names: Vec<&str> = self.shortcuts().iter().map(shortcut_name).collect();
        names.join(" / ")
    }

    /// What it does, as the help and the buttons say it.
    pub fn description(self) -> &'static str {
        match self {
            Action::Verdict(Verdict::Problematic) => "ground truth problematic",
            Action::Verdict(verdict) => verdict_name(verdict),
            Action::Category(category) => category_name(category),
            Action::Severity(Severity::Major) => "major mistake",
            Action::Severity(Severity::Minor) => "minor mistake",
            Action::AddLabel => "add a valid label",
            Action::Note => "note",
            Action::Undo => "undo my last vote",
            Action::Next => "next pair",
            Action::Previous => "previous pair",
            Action::Browser => "class browser",
            Action::Plots => "plots",
            Action::MetricsView => "metrics table in full",
            Action::FitImage => "fit image",
            Action::Panel => "panel: discussion, agreement, mistakes",
            Action::Compare => "compare datasets",
            Action::Jump => "jump to an image (file name) or a class",
            Action::Back => "back to where the jump left from",
        }
    }

    /// Its line in the View menu: "Class browser (B)".
    pub fn menu_label(self) -> String {
        let description = self.description();
        let mut first = description.chars();
        let capital: String = first
            .next()
            .into_iter()
            .flat_map(char::to_uppercase)
            .collect();
        format!("{capital}{} ({})", first.as_str(), self.key_name())
    }

    /// Whether it only makes sense with a current pair (a vote, a label, a note).
    pub fn needs_item(self) -> bool {
        matches!(
            self,
            Action::Verdict(_)
                | Action::Category(_)
                | Action::Severity(_)
                | Action::AddLabel
                | Action::Note
        )
    }
}

/// The keys of the four categories, as the help says them: "1–4".
pub fn category_keys() -> String {
    let first = Action::Category(Category::FineGrained).key_name();
    let last = Action::Category(Category::NonPrototypical).key_name();
    format!("{first}–{last}")
}

/// The severities' keys, `between` them: "M / N", "M or N".
pub fn severity_keys(between: &str) -> String {
    let major = Action::Severity(Severity::Major).key_name();
    let minor = Action::Severity(Severity::Minor).key_name();
    format!("{major}{between}{minor}")
}

fn shortcut_name(shortcut: &KeyboardShortcut) -> &'static str {
    match (shortcut.modifiers, shortcut.logical_key) {
        (Modifiers::NONE, key) => key.name(),
        // The only chord in the table.
        (_, Key::Z) => "Ctrl+Z",
        (_, key) => key.name(),
    }
}

/// The actions whose keys were pressed this frame, in table order; nothing while a text field
/// has the keyboard.
/// The button that closes a dialog without doing anything; Esc does the same (egui's modals
/// close on it).
pub const CANCEL: &str = "Cancel (Esc)";
/// The button that saves a text typed in a dialog, and its key.
pub const SAVE_TEXT: &str = "Ctrl+Enter";

/// The keys of a dialog's list of choices: the arrows move, Enter takes the choice.
pub struct ListKeys {
    down: bool,
    up: bool,
    pub enter: bool,
}

impl ListKeys {
    pub fn read(ui: &egui::Ui) -> Self {
        ui.input(|i| ListKeys {
            down: i.key_pressed(Key::ArrowDown),
            up: i.key_pressed(Key::ArrowUp),
            enter: i.key_pressed(Key::Enter),
        })
    }

    /// The row chosen after the arrows, of `rows`.
    pub fn moved(&self, selected: usize, rows: usize) -> usize {
        (selected + usize::from(self.down))
            .saturating_sub(usize::from(self.up))
            .min(rows.saturating_sub(1))
    }
}

/// Whether Enter was pressed as a single-line field gave up focus (it then confirms).
pub fn entered(ui: &egui::Ui, field: &egui::Response) -> bool {
    field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter))
}

/// Whether Ctrl+Enter ([`SAVE_TEXT`]) was pressed: it saves a multi-line text.
pub fn save_text_pressed(ui: &egui::Ui) -> bool {
    ui.input(|i| i.modifiers.command && i.key_pressed(Key::Enter))
}

pub fn pressed(ctx: &egui::Context) -> Vec<Action> {
    if ctx.egui_wants_keyboard_input() {
        return Vec::new();
    }
    ctx.input_mut(|input| {
        Action::ALL
            .into_iter()
            .filter(|action| {
                action
                    .shortcuts()
                    .iter()
                    .any(|shortcut| input.consume_shortcut(shortcut))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_does_one_thing() {
        let mut seen = Vec::new();
        for action in Action::ALL {
            for shortcut in action.shortcuts() {
                assert!(
                    !seen.contains(shortcut),
                    "{shortcut:?} is bound twice ({action:?})"
                );
                seen.push(*shortcut);
            }
        }
        assert_eq!(Action::Next.key_names(), "Right / Space");
        assert_eq!(Action::Undo.key_names(), "Z / Ctrl+Z");
        assert_eq!(Action::Category(Category::Spurious).key_name(), "3");
    }
}
