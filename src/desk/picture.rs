//! Drawing review images: textures made from the loader's pictures, the large view with zoom
//! and pan, thumbnails, and a placeholder that says why an image cannot be shown.

use super::Desk;
use super::command::Command;
use super::image_view::ImageView;
use super::keys::Action;
use crate::imaging::{ImageLoader, Loaded, Priority};
use egui::{Color32, RichText, TextureHandle, TextureOptions};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// Textures kept on the GPU: the current image, its neighbours and the class browser's.
const TEXTURES_KEPT: usize = 24;

/// Recently drawn images as textures, oldest first.
/// A cache, not state: views fill it as they draw through `&Desk`, as egui's own loaders do.
#[derive(Default)]
pub struct Textures {
    kept: RefCell<VecDeque<(PathBuf, TextureHandle)>>,
}

/// What there is to draw for a path this frame.
pub enum Shown {
    Texture(TextureHandle),
    Loading,
    Missing(PathBuf),
    Broken(PathBuf, String),
}

impl Textures {
    /// The texture for a path, uploading the loader's picture the first time it is ready.
    pub fn get(&self, ctx: &egui::Context, loader: &ImageLoader, path: &Path) -> Shown {
        let mut kept = self.kept.borrow_mut();
        if let Some((_, texture)) = kept.iter().find(|(p, _)| p == path) {
            return Shown::Texture(texture.clone());
        }
        loader.request(path, Priority::Ahead);
        let Some(loaded) = loader.get(path) else {
            return Shown::Loading;
        };
        match loaded.as_ref() {
            Loaded::Picture(picture) => {
                let size = [picture.width as usize, picture.height as usize];
                let image = egui::ColorImage::from_rgba_unmultiplied(size, &picture.rgba);
                // Mipmaps: a 2048-pixel picture drawn at 800 pixels would alias without them.
                let options = TextureOptions {
                    mipmap_mode: Some(egui::TextureFilter::Linear),
                    ..TextureOptions::LINEAR
                };
                let texture = ctx.load_texture(path.display().to_string(), image, options);
                if kept.len() >= TEXTURES_KEPT {
                    kept.pop_front();
                }
                kept.push_back((path.to_path_buf(), texture.clone()));
                Shown::Texture(texture)
            }
            Loaded::Missing { path } => Shown::Missing(path.clone()),
            Loaded::Broken { path, why } => Shown::Broken(path.clone(), why.clone()),
        }
    }
}

/// A framed message in place of an image that cannot be shown.
pub fn placeholder(ui: &mut egui::Ui, shown: &Shown) {
    let (title, detail) = match shown {
        Shown::Loading => ("Loading…".to_owned(), String::new()),
        Shown::Missing(path) => (
            "Image file not found".to_owned(),
            format!(
                "{}\n\nMove the images back, or re-import the dataset with --root pointing at them.",
                path.display()
            ),
        ),
        Shown::Broken(path, why) => (
            "This image cannot be shown".to_owned(),
            format!("{}\n\n{why}", path.display()),
        ),
        Shown::Texture(_) => return,
    };
    egui::Frame::group(ui.style())
        .fill(ui.visuals().extreme_bg_color)
        .inner_margin(24.0)
        .show(ui, |ui| {
            ui.set_min_size(ui.available_size().min(egui::vec2(600.0, 400.0)));
            ui.vertical_centered(|ui| {
                let color = match shown {
                    Shown::Loading => ui.visuals().weak_text_color(),
                    _ => Color32::from_rgb(220, 140, 60),
                };
                ui.label(RichText::new(title).size(20.0).color(color));
                ui.add_space(8.0);
                ui.label(RichText::new(detail).monospace());
            });
        });
}

impl Desk {
    /// The current item's image, large: the wheel zooms about the pointer, a drag pans.
    /// Returns the zoom or pan the person asked for, and that a newly chosen item is shown.
    pub(super) fn draw_current_image(&self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some((image, path)) = (self.current().map(|item| item.image))
            .and_then(|image| Some((image, self.review.as_ref()?.image_path(image))))
        else {
            return commands;
        };
        let shown = self.textures.get(ui.ctx(), &self.loader, &path);
        let Shown::Texture(texture) = &shown else {
            ui.vertical_centered(|ui| placeholder(ui, &shown));
            return commands;
        };
        let file = self
            .review
            .as_ref()
            .map(|r| r.files[image as usize].clone());
        ui.horizontal(|ui| {
            let size = texture.size();
            ui.label(RichText::new(file.unwrap_or_default()).strong());
            let help = format!(
                "{}×{} shown · wheel zooms about the pointer, drag pans, {} fits",
                size[0],
                size[1],
                Action::FitImage.key_name()
            );
            // Cut short rather than widen the centre: a wider row made the room for the
            // image reach under the item panel at 1280×800.
            ui.add(egui::Label::new(help).truncate());
        });
        let room = ui.available_rect_before_wrap().intersect(ui.clip_rect());
        let response = ui.allocate_rect(room, egui::Sense::drag());
        let size = texture.size_vec2();
        let pointer = response.hover_pos();
        let factor = match pointer {
            Some(_) => ui.input(|i| i.zoom_delta() * (i.smooth_scroll_delta.y / 200.0).exp()),
            None => 1.0,
        };
        let current = self.image_view.unwrap_or(ImageView::fitted(room, size));
        let view = current.update(room, size, pointer, factor, response.drag_delta());
        // Only a zoomed view is kept: a fitted one follows the room by itself.
        let kept = view.zoomed.then_some(view);
        if kept != self.image_view {
            commands.push(Command::ViewImage(kept));
        }
        let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
        ui.painter_at(room)
            .image(texture.id(), view.rect(room, size), uv, Color32::WHITE);
        if self.moved_at.is_some() {
            commands.push(Command::ImageShown);
        }
        commands
    }
}
