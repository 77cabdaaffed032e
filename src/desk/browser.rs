//! The central area: the current image large, or the class browser, which sets real examples
//! of the predicted class beside examples of the original class from the same dataset, to
//! see where the boundary between them lies.

use super::Desk;
use super::command::Command;
use super::item::class_label;
use super::keys::Action;
use super::picture::Shown;
use crate::panel::Review;
use crate::vocab::{ClassId, Vocabulary};
use egui::RichText;

const EXAMPLES: usize = 6;
const THUMBNAIL: f32 = 150.0;
const CAPTION: f32 = 34.0;
const GAP: f32 = 8.0;

impl Desk {
    pub(super) fn central(&self, ui: &mut egui::Ui) -> Vec<Command> {
        let message = |ui: &mut egui::Ui, text: &str| {
            ui.centered_and_justified(|ui| ui.label(RichText::new(text).size(18.0)));
        };
        if self.project.is_none() {
            message(
                ui,
                "No project open. File > Open project… or File > New project…",
            );
            return Vec::new();
        }
        let Some(review) = &self.review else {
            let text = if self.datasets.is_empty() {
                "This project has no dataset yet: File > Import images… to add one."
            } else if self.reviewer().is_none() {
                "Say who you are to start: File > Switch reviewer…"
            } else {
                "Loading…"
            };
            message(ui, text);
            return Vec::new();
        };
        if self.settings.metrics_in_full {
            return self.metrics_table_view(ui);
        }
        if self.view.is_empty() {
            let text = if review.queue.is_empty() {
                "No model makes a top-1 mistake on this dataset under its labels."
            } else {
                "No pair matches these filters."
            };
            message(ui, text);
            return Vec::new();
        }
        if self.settings.show_browser {
            self.class_browser(ui);
            Vec::new()
        } else {
            self.draw_current_image(ui)
        }
    }

    fn class_browser(&self, ui: &mut egui::Ui) {
        let (Some(review), Some(project), Some(item)) =
            (&self.review, &self.project, self.current().cloned())
        else {
            return;
        };
        let vocab = project.vocab();
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
        let tiles: Vec<Vec<Tile>> = (sides.iter())
            .map(|(_, class, examples)| tiles_of(review, vocab, *class, examples))
            .collect();
        let vocab = vocab.clone();
        ui.label(
            RichText::new(
                format!("Class browser ({} to close): other images of each class in this dataset, by original label first, then by imported valid labels", Action::Browser.key_name()),
            )
            .weak(),
        );
        ui.columns(2, |columns| {
            for ((column, (title, class, _)), tiles) in columns.iter_mut().zip(&sides).zip(&tiles) {
                match class {
                    Some(class) => {
                        let name = vocab.class(*class).map_or("?", |c| c.name());
                        let text = RichText::new(format!("{title}: {name}"))
                            .size(16.0)
                            .strong();
                        class_label(column, &vocab, *class, text);
                    }
                    None => {
                        column.label(format!("{title}: unknown"));
                    }
                }
                if tiles.is_empty() {
                    column
                        .label(RichText::new("no other image of this class in the dataset").weak());
                }
                egui::ScrollArea::vertical()
                    .id_salt(*title)
                    .show(column, |ui| {
                        let across = ((ui.available_width() + GAP) / (THUMBNAIL + GAP))
                            .floor()
                            .max(1.0);
                        egui::Grid::new(("tiles", *title))
                            .spacing([GAP, GAP])
                            .show(ui, |ui| {
                                for (index, tile) in tiles.iter().enumerate() {
                                    self.tile(ui, tile);
                                    if (index + 1) % across as usize == 0 {
                                        ui.end_row();
                                    }
                                }
                            });
                    });
            }
        });
    }

    /// One thumbnail in a cell of fixed size, whatever the image, with its caption.
    fn tile(&self, ui: &mut egui::Ui, tile: &Tile) {
        let cell = egui::vec2(THUMBNAIL, THUMBNAIL + CAPTION);
        ui.allocate_ui_with_layout(cell, egui::Layout::top_down(egui::Align::Center), |ui| {
            ui.set_min_size(cell);
            let (square, _) =
                ui.allocate_exact_size(egui::vec2(THUMBNAIL, THUMBNAIL), egui::Sense::hover());
            match self.textures.get(ui.ctx(), &self.loader, &tile.path) {
                Shown::Texture(texture) => {
                    let size = texture.size_vec2();
                    let fitted = size * (THUMBNAIL / size.x.max(size.y));
                    let rect = egui::Rect::from_center_size(square.center(), fitted);
                    let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
                    ui.painter()
                        .image(texture.id(), rect, uv, egui::Color32::WHITE);
                }
                other => {
                    let text = match other {
                        Shown::Loading => "loading…",
                        Shown::Missing(_) => "file not found",
                        _ => "cannot be shown",
                    };
                    ui.painter()
                        .rect_filled(square, 4.0, ui.visuals().extreme_bg_color);
                    ui.painter().text(
                        square.center(),
                        egui::Align2::CENTER_CENTER,
                        text,
                        egui::FontId::proportional(13.0),
                        ui.visuals().weak_text_color(),
                    );
                }
            }
            ui.add(egui::Label::new(RichText::new(&tile.file).small()).truncate())
                .on_hover_text(tile.path.display().to_string());
            ui.add(egui::Label::new(RichText::new(&tile.why).small()).truncate())
                .on_hover_text(&tile.why);
        });
    }
}

/// Each thumbnail with its file, its own original label, and why it is shown beside `class`.
fn tiles_of(
    review: &Review,
    vocab: &Vocabulary,
    class: Option<ClassId>,
    examples: &[u32],
) -> Vec<Tile> {
    (examples.iter())
        .map(|&image| {
            let original = review.evaluation.truth[image as usize];
            let name = |c: ClassId| vocab.class(c).map_or("?".into(), |c| c.name().to_owned());
            let why = match (original, class) {
                (Some(o), Some(c)) if o == c => format!("original label {}", name(o)),
                (Some(o), Some(c)) => format!("labelled {}; original {}", name(c), name(o)),
                _ => "no original label".to_owned(),
            };
            Tile {
                path: review.image_path(image),
                file: review.files[image as usize].clone(),
                why,
            }
        })
        .collect()
}

struct Tile {
    path: std::path::PathBuf,
    file: String,
    why: String,
}
