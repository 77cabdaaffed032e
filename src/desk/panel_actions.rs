//! The panel's procedure in the desk beyond voting: the chair withdrawing an override, and
//! the notes of the discussion (a note on a pair, a reply to a note).

use super::dialogs::Dialog;
use super::forms::PanelNoteForm;
use super::{Desk, Status};
use crate::panel::QueueFilter;
use crate::vocab::ClassId;
use std::path::PathBuf;

impl Desk {
    pub(super) fn withdraw_override(&mut self, pair: (u32, ClassId)) {
        let position = (self.review.as_ref()).and_then(|r| r.queue.position(pair.0, pair.1));
        let before = position.and_then(|p| self.pair_state(p));
        let (Some(project), Some(review)) = (self.project.as_mut(), self.review.as_mut()) else {
            return;
        };
        match review.withdraw_override(project, pair) {
            Ok(()) => {
                self.status = Status::Saved(
                    "the chair's override is withdrawn; the panel's votes decide".into(),
                );
                self.after_vote(position, before);
            }
            Err(error) => self.status = Status::Error(format!("NOT withdrawn: {error}")),
        }
    }

    pub(super) fn open_note_form(&mut self, pair: (u32, ClassId), reply_to: Option<i64>) {
        let (Some(project), Some(review)) = (&self.project, &self.review) else {
            return;
        };
        let title = format!(
            "{} · {}",
            review.files[pair.0 as usize],
            project.vocab().describe(pair.1)
        );
        let form = PanelNoteForm::new(pair, reply_to, title);
        self.dialog = Some(Dialog::PanelNote(Box::new(form)));
    }

    pub(super) fn post_note(&mut self, pair: (u32, ClassId), text: &str, reply_to: Option<i64>) {
        let (Some(project), Some(review)) = (self.project.as_mut(), self.review.as_ref()) else {
            return;
        };
        self.status = match review.write_note(project, pair, text, reply_to) {
            Ok(()) => Status::Saved("note saved for the panel".into()),
            Err(error) => Status::Error(format!("note NOT saved: {error}")),
        };
        self.log_changed();
    }
}

impl Desk {
    /// Shows one confusion's pairs in the queue, the other filters cleared.
    pub(super) fn filter_confusion(&mut self, original: ClassId, predicted: ClassId) {
        let mut settings = self.settings.clone();
        settings.filter = QueueFilter {
            confusion: Some((original, predicted)),
            ..Default::default()
        };
        settings.filter_model = None;
        self.change_settings(settings);
        self.move_to(0);
    }

    /// The key of my own image root for a dataset of the open project.
    pub(super) fn image_root_key(&self, dataset: &str) -> String {
        format!("{}|{dataset}", self.project_path.display())
    }

    /// Keeps where I have the current dataset's images, in my settings, and reads them there.
    pub(super) fn locate_images(&mut self, root: PathBuf) {
        let Some(dataset) = self.review.as_ref().map(|r| r.dataset.name.clone()) else {
            return;
        };
        let key = self.image_root_key(&dataset);
        let Some(review) = self.review.as_mut() else {
            return;
        };
        review.dataset.image_root = Some(root.clone());
        self.status = Status::Saved(format!(
            "images of {} read from {} (your setting)",
            review.dataset.name,
            root.display()
        ));
        self.settings.image_roots.insert(key, root);
        self.textures = Default::default();
    }
}

impl Desk {
    /// The person said who they are: the review loaded (or loading) behind the prompt becomes
    /// theirs without loading again; with none, their dataset loads.
    pub(super) fn take_reviewer(&mut self, ctx: &egui::Context, name: &str) {
        if self.job.is_some() {
            // A load under way: `show_review` hands it the name.
            return;
        }
        let (Some(review), Some(project)) = (self.review.as_mut(), self.project.as_ref()) else {
            if let Some(dataset) = self.current_dataset() {
                self.load_dataset(ctx, &dataset);
            }
            return;
        };
        match review.switch_reviewer(project, name) {
            Ok(()) => {
                self.log_changed();
                self.rebuild_view();
            }
            Err(error) => self.status = Status::Error(error.to_string()),
        }
    }
}
