//! The central area: the current image large, or the class browser, which sets real examples
//! of the predicted class beside examples of the original class from the same dataset, to
//! see where the boundary between them lies.

use super::Desk;
use super::item::class_label;
use super::picture::{Shown, placeholder};
use crate::vocab::ClassId;
use egui::RichText;

const EXAMPLES: usize = 6;
const THUMBNAIL: f32 = 150.0;

impl Desk {
    pub(super) fn central(&mut self, ui: &mut egui::Ui) {
        if self.project.is_none() {
            ui.centered_and_justified(|ui| {
                ui.label(
                    RichText::new("No project open. File > Open project… or File > New project…")
                        .size(18.0),
                );
            });
            return;
        }
        let Some(review) = &self.review else {
            let text = if self.datasets.is_empty() {
                "This project has no dataset yet: File > Import images… to add one."
            } else if self.reviewer.is_none() {
                "Enter your name to start."
            } else {
                "Loading…"
            };
            ui.centered_and_justified(|ui| ui.label(RichText::new(text).size(18.0)));
            return;
        };
        if self.view.is_empty() {
            let text = if review.queue.is_empty() {
                "No model makes a top-1 mistake on this dataset under its labels."
            } else {
                "No pair matches these filters."
            };
            ui.centered_and_justified(|ui| ui.label(RichText::new(text).size(18.0)));
            return;
        }
        if self.show_browser {
            self.class_browser(ui);
        } else {
            self.draw_current_image(ui);
        }
    }

    fn class_browser(&mut self, ui: &mut egui::Ui) {
        let (Some(review), Some(item)) = (&self.review, self.current().cloned()) else {
            return;
        };
        let truth = review.evaluation.truth[item.image as usize];
        let sides: Vec<(&str, Option<ClassId>, Vec<u32>)> =
            [("Predicted", Some(item.label)), ("Original label", truth)]
                .into_iter()
                .map(|(title, class)| {
                    let examples = class
                        .map_or_else(Vec::new, |c| review.examples_of(c, item.image, EXAMPLES));
                    (title, class, examples)
                })
                .collect();
        let paths: Vec<Vec<_>> = sides
            .iter()
            .map(|(_, _, ex)| ex.iter().map(|&i| review.image_path(i)).collect())
            .collect();
        ui.label(
            RichText::new("Class browser (B to close): other images of each class in this dataset")
                .weak(),
        );
        ui.columns(2, |columns| {
            for ((column, (title, class, examples)), paths) in
                columns.iter_mut().zip(&sides).zip(&paths)
            {
                let vocab = self.project.as_ref().map(|p| p.vocab());
                match (class, vocab) {
                    (Some(class), Some(vocab)) => {
                        let name = vocab.class(*class).map_or("?", |c| c.name());
                        class_label(
                            column,
                            vocab,
                            *class,
                            RichText::new(format!("{title}: {name}"))
                                .size(16.0)
                                .strong(),
                        );
                    }
                    _ => {
                        column.label(format!("{title}: unknown"));
                    }
                }
                if examples.is_empty() {
                    column
                        .label(RichText::new("no other image of this class in the dataset").weak());
                }
                egui::ScrollArea::vertical()
                    .id_salt(*title)
                    .show(column, |ui| {
                        ui.horizontal_wrapped(|ui| {
                            for path in paths {
                                let shown = self.textures.get(ui.ctx(), &self.loader, path);
                                match &shown {
                                    Shown::Texture(texture) => {
                                        let size = texture.size_vec2();
                                        let scale = THUMBNAIL / size.x.max(size.y);
                                        ui.add(egui::Image::new((texture.id(), size * scale)))
                                            .on_hover_text(path.display().to_string());
                                    }
                                    other => {
                                        ui.allocate_ui(egui::vec2(THUMBNAIL, THUMBNAIL), |ui| {
                                            placeholder(ui, other)
                                        });
                                    }
                                }
                            }
                        });
                    });
            }
        });
    }
}
