//! The panel's procedure in the desk beyond voting: the chair withdrawing an override, and
//! the notes of the discussion (a note on a pair, a reply to a note).

use super::dialogs::Dialog;
use super::panel_dialogs::PanelNoteForm;
use super::{Desk, Status};
use crate::vocab::ClassId;

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

    pub(super) fn post_note(&mut self, form: &PanelNoteForm) {
        let (Some(project), Some(review)) = (self.project.as_mut(), self.review.as_ref()) else {
            return;
        };
        self.status = match review.write_note(project, form.pair, &form.text, form.reply_to) {
            Ok(()) => Status::Saved("note saved for the panel".into()),
            Err(error) => Status::Error(format!("note NOT saved: {error}")),
        };
        self.panel_summary = None;
    }
}
