//! Everything the desk can be asked to do. Panels and dialogs draw and return commands; keys
//! become [`Command::Act`] through the key table; [`Desk::run_cmd`](super::Desk::run_cmd)
//! (in `run.rs`) is the one place that does them.

use super::Settings;
use super::forms::{
    AggregateForm, ChairForm, ComparisonExport, ImportForm, ImportKind, PanelNoteForm,
};
use super::keys::Action;
use crate::charts::Chart;
use crate::panel::{Round, Verdict};
use crate::vocab::ClassId;
use std::path::PathBuf;

#[must_use]
#[derive(Debug)]
pub enum Command {
    /// What a key, or the button showing it, does.
    Act(Action),
    MoveTo(usize),
    /// The person changed a view setting (filters, order, what is shown).
    Settings(Box<Settings>),
    LoadDataset(String),
    OpenProject(PathBuf),
    NewProject(PathBuf),
    AskReviewer,
    SetReviewer(String),
    AddLabel(ClassId, Verdict),
    SaveNote(String),
    CloseDialog,
    /// Opens the form for an import.
    ImportForm(ImportKind),
    Import(Box<ImportForm>),
    ExportLabels(PathBuf),
    ExportChart(Box<Chart>, PathBuf),
    /// Compares two datasets in the background (the comparison window).
    Compare(Box<crate::compare::CompareOptions>),
    /// Loads `dataset` with the queue showing only `model`'s mistakes.
    ReviewMistakes {
        dataset: String,
        model: String,
    },
    ExportComparison(Box<ComparisonExport>),
    CancelJob,
    /// The round my votes go to from now on.
    SetRound(Round),
    /// Shows a pair in the queue (from the discussion list).
    GoToPair(u32, ClassId),
    /// Opens the chair's override form for the current pair.
    ChairForm,
    Chair(Box<ChairForm>),
    AggregateForm,
    Aggregate(Box<AggregateForm>),
    ExportVotes(PathBuf),
    /// The chair withdraws the override on a pair: the panel's votes decide it again.
    WithdrawOverride(u32, ClassId),
    /// Opens the form for a note on a pair, or a reply to one of its notes.
    NoteForm((u32, ClassId), Option<i64>),
    PostNote(Box<PanelNoteForm>),
    /// Filters the queue to one confusion: (original class, predicted class).
    FilterConfusion(ClassId, ClassId),
    /// Where I keep the current dataset's images, overriding the project's root.
    LocateImages(PathBuf),
    /// To an image or a class, from the search field; Back returns.
    JumpTo(crate::panel::jump::Jump),
    /// The person zoomed or panned the image (None: fitted to the room).
    ViewImage(Option<super::image_view::ImageView>),
    /// The item moved to is on screen: the switch time is measured.
    ImageShown,
    /// The queue list scrolled to the current item.
    QueueScrolled,
}

impl Command {
    /// Whether it is what the open dialog was asked for, so the dialog closes first.
    pub(super) fn answers_dialog(&self) -> bool {
        matches!(
            self,
            Command::SetReviewer(_)
                | Command::AddLabel(..)
                | Command::SaveNote(_)
                | Command::CloseDialog
                | Command::Import(_)
                | Command::Chair(_)
                | Command::Aggregate(_)
                | Command::PostNote(_)
                | Command::JumpTo(_)
        )
    }
}
