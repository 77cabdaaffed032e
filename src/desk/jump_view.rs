//! The jump field (`/`): an image by file name or a class, and Back (`Backspace`) to where the
//! jump left from.

use super::command::Command;
use super::{Desk, Status};
use crate::panel::Review;
use crate::panel::jump::{Jump, jump_targets};
use crate::vocab::Vocabulary;

/// Results the field lists at once.
const JUMP_ROWS: usize = 12;

#[derive(Debug, Default)]
pub struct JumpForm {
    query: String,
    selected: usize,
}

pub fn jump_window(
    ctx: &egui::Context,
    form: &mut JumpForm,
    review: &Review,
    vocab: &Vocabulary,
) -> Option<Command> {
    let mut command = None;
    let modal = egui::Modal::new(egui::Id::unique("jump")).show(ctx, |ui| {
        ui.set_width(560.0);
        ui.heading("Jump to an image or a class");
        let field = ui.add(
            egui::TextEdit::singleline(&mut form.query)
                .hint_text("file name, class name, wnid or index"),
        );
        field.request_focus();
        let targets = jump_targets(review, vocab, &form.query, JUMP_ROWS);
        let list = super::keys::ListKeys::read(ui);
        form.selected = list.moved(form.selected, targets.len());
        for (row, (jump, words)) in targets.iter().enumerate() {
            if ui.selectable_label(row == form.selected, words).clicked() {
                command = Some(Command::JumpTo(*jump));
            }
        }
        if let (true, Some((jump, _))) = (list.enter, targets.get(form.selected)) {
            command = Some(Command::JumpTo(*jump));
        }
        if ui.button(super::keys::CANCEL).clicked() {
            command = Some(Command::CloseDialog);
        }
    });
    command.or_else(|| modal.should_close().then_some(Command::CloseDialog))
}

impl Desk {
    /// Shows an image's first pair (the filters cleared when they hide it), or a class's pairs.
    pub(super) fn jump_to(&mut self, jump: Jump) {
        let here = self.current().map(|item| (item.image, item.label));
        let left_from = (self.settings.filter.clone(), here);
        let mut settings = self.settings.clone();
        match jump {
            Jump::Class(class) => {
                settings.filter = crate::panel::QueueFilter {
                    class: Some(class),
                    ..Default::default()
                };
                self.change_settings(settings);
                self.move_to(0);
            }
            Jump::Image(image) => {
                let Some(first) = (self.review.as_ref())
                    .and_then(|r| r.queue.items_of(image).first())
                    .map(|item| (item.image, item.label))
                else {
                    return;
                };
                if self.position_of(first.0, first.1).is_none() {
                    settings.filter = Default::default();
                    self.change_settings(settings);
                }
                if let Some(position) = self.position_of(first.0, first.1) {
                    self.move_to(position);
                }
            }
        }
        self.jumped_from.push(left_from);
        self.status = Status::Info("jumped; Backspace goes back".into());
    }

    /// Back to the filter and pair the last jump left from.
    pub(super) fn jump_back(&mut self) {
        let Some((filter, pair)) = self.jumped_from.pop() else {
            return;
        };
        let mut settings = self.settings.clone();
        settings.filter = filter;
        self.change_settings(settings);
        if let Some(position) = pair.and_then(|(image, label)| self.position_of(image, label)) {
            self.move_to(position);
        }
        self.status = Status::Info("back where the jump left from".into());
    }
}
