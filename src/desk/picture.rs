//! Drawing review images: textures made from the loader's pictures, the large view with zoom
//! and pan, thumbnails, and a placeholder that says why an image cannot be shown.

use super::Desk;
use crate::imaging::{ImageLoader, Loaded, Priority};
use egui::{Color32, RichText, TextureHandle, TextureOptions};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Textures kept on the GPU: the current image, its neighbours and the class browser's.
const TEXTURES_KEPT: usize = 24;

/// Recently drawn images as textures, oldest first.
#[derive(Default)]
pub struct Textures {
    kept: VecDeque<(PathBuf, TextureHandle)>,
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
    pub fn get(&mut self, ctx: &egui::Context, loader: &ImageLoader, path: &Path) -> Shown {
        if let Some((_, texture)) = self.kept.iter().find(|(p, _)| p == path) {
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
                if self.kept.len() >= TEXTURES_KEPT {
                    self.kept.pop_front();
                }
                self.kept.push_back((path.to_path_buf(), texture.clone()));
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
    /// The current item's image, large, with zoom (wheel / pinch) and pan (drag).
    pub(super) fn draw_current_image(&mut self, ui: &mut egui::Ui) {
        let Some((image, path)) = (self.current().map(|item| item.image))
            .and_then(|image| Some((image, self.review.as_ref()?.image_path(image))))
        else {
            return;
        };
        let shown = self.textures.get(ui.ctx(), &self.loader, &path);
        let Shown::Texture(texture) = &shown else {
            ui.vertical_centered(|ui| placeholder(ui, &shown));
            return;
        };
        let file = self
            .review
            .as_ref()
            .map(|r| r.files[image as usize].clone());
        ui.horizontal(|ui| {
            let size = texture.size();
            ui.label(RichText::new(file.unwrap_or_default()).strong());
            ui.label(format!(
                "{}×{} shown · wheel to zoom, drag to pan, 0 to fit",
                size[0], size[1]
            ));
        });
        let texture_size = texture.size_vec2();
        egui::Scene::new()
            .zoom_range(0.1..=16.0)
            .show(ui, &mut self.scene_rect, |ui| {
                ui.add(egui::Image::new((texture.id(), texture_size)));
            });
        if let Some(started) = self.moved_at.take() {
            self.last_switch = Some(Instant::now() - started);
        }
    }
}
