//! The large image's zoom and pan: where the image sits in the room, kept apart from the
//! drawing so the desk's commands can carry it.

/// How the large image is shown: its scale (screen points per image pixel) and the image
/// point at the centre of the room.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageView {
    scale: f32,
    center: egui::Vec2,
    /// The person zoomed or panned: kept across items until 0 fits again.
    pub zoomed: bool,
}

/// Farthest zoom in, as a multiple of the fitted scale.
const MAX_ZOOM: f32 = 16.0;

impl ImageView {
    pub(super) fn fitted(room: egui::Rect, image: egui::Vec2) -> Self {
        ImageView {
            scale: (room.width() / image.x).min(room.height() / image.y),
            center: image / 2.0,
            zoomed: false,
        }
    }

    /// Zooms by `factor` keeping the image point under `pointer` where it is, then pans by
    /// `drag`; never smaller than fitted, never out of the room.
    pub(super) fn update(
        self,
        room: egui::Rect,
        image: egui::Vec2,
        pointer: Option<egui::Pos2>,
        factor: f32,
        drag: egui::Vec2,
    ) -> Self {
        let fit = ImageView::fitted(room, image);
        let mut view = if self.zoomed { self } else { fit };
        if let (Some(pointer), true) = (pointer, factor != 1.0) {
            let offset = pointer - room.center();
            let under = view.center + offset / view.scale;
            view.scale = (view.scale * factor).clamp(fit.scale, fit.scale * MAX_ZOOM);
            view.center = under - offset / view.scale;
            view.zoomed = true;
        }
        if drag != egui::Vec2::ZERO && view.zoomed {
            view.center -= drag / view.scale;
        }
        if view.scale <= fit.scale {
            return fit;
        }
        // Keep the image covering as much of the room as it can: its centre may not move
        // further than half the room from the image's middle.
        let half = room.size() / 2.0 / view.scale;
        let low = (half).min(image / 2.0);
        let high = (image - half).max(image / 2.0);
        view.center = view.center.max(low).min(high);
        view
    }

    pub(super) fn rect(&self, room: egui::Rect, image: egui::Vec2) -> egui::Rect {
        let middle = room.center() - (self.center - image / 2.0) * self.scale;
        egui::Rect::from_center_size(middle, image * self.scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{pos2, vec2};

    const ROOM: egui::Rect = egui::Rect::from_min_max(pos2(0.0, 0.0), pos2(800.0, 600.0));
    const IMAGE: egui::Vec2 = vec2(400.0, 300.0);

    #[test]
    fn the_wheel_zooms_about_the_pointer_and_the_image_stays_in_view() {
        let fit = ImageView::fitted(ROOM, IMAGE);
        assert_eq!(fit.scale, 2.0);
        // Doubling at the image point (100, 75), shown at (200, 150): it stays there.
        let pointer = pos2(200.0, 150.0);
        let zoomed = fit.update(ROOM, IMAGE, Some(pointer), 2.0, egui::Vec2::ZERO);
        assert!(zoomed.zoomed);
        let rect = zoomed.rect(ROOM, IMAGE);
        let under = rect.min + vec2(100.0, 75.0) * zoomed.scale;
        assert!((under - pointer).length() < 1e-3, "{under:?}");
        // A long drag cannot push the image out of the room: it still covers it.
        let dragged = zoomed.update(ROOM, IMAGE, None, 1.0, vec2(5000.0, 5000.0));
        assert!(dragged.rect(ROOM, IMAGE).contains_rect(ROOM));
        // Zooming out below the fit fits again.
        let back = dragged.update(ROOM, IMAGE, Some(pointer), 0.1, egui::Vec2::ZERO);
        assert_eq!(back, fit);
    }
}
