//! The desk's colours, chosen for contrast of at least 4.5:1 (WCAG AA) on the dark panels,
//! checked by the test below rather than by eye.

use egui::Color32;

/// Panel background of egui's dark theme.
pub const BACKGROUND: Color32 = Color32::from_rgb(27, 27, 27);
pub const TEXT: Color32 = Color32::from_rgb(215, 215, 215);
/// Secondary text (row labels, hints).
pub const WEAK: Color32 = Color32::from_rgb(160, 160, 160);
/// Valid, saved, correct.
pub const GOOD: Color32 = Color32::from_rgb(95, 195, 120);
/// Wrong, a mistake.
pub const BAD: Color32 = Color32::from_rgb(240, 125, 110);
/// Something to look at: the prediction, a warning, an incomplete vote.
pub const WARN: Color32 = Color32::from_rgb(232, 168, 80);
/// Imported unclear labels.
pub const UNCLEAR: Color32 = Color32::from_rgb(215, 190, 95);

pub fn apply(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Dark);
    ctx.style_mut_of(egui::Theme::Dark, |style| {
        let visuals = &mut style.visuals;
        visuals.panel_fill = BACKGROUND;
        visuals.widgets.noninteractive.fg_stroke.color = TEXT;
        visuals.weak_text_color = Some(WEAK);
        // A blinking cursor repaints twice a second while a name is typed: no input, no frame.
        visuals.text_cursor.blink = false;
    });
}

/// WCAG contrast ratio of two colours.
#[cfg(test)]
fn contrast(a: Color32, b: Color32) -> f32 {
    let luminance = |c: Color32| {
        let channel = |v: u8| {
            let v = v as f32 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_colour_reads_on_the_panels() {
        // The old row labels, #5F5F5F: about 2.7:1.
        assert!((contrast(Color32::from_gray(0x5F), BACKGROUND) - 2.7).abs() < 0.1);
        for color in [TEXT, WEAK, GOOD, BAD, WARN, UNCLEAR] {
            let ratio = contrast(color, BACKGROUND);
            assert!(ratio >= 4.5, "{color:?}: {ratio:.2}:1");
        }
    }
}
