//! The review's charts as plain data ([`Chart`]), built from a metrics report, and written
//! as PNG or SVG with plotters. The desk draws the same data on screen; nothing here knows
//! of a user interface. Bars run horizontally, one row per model with its name on the axis,
//! so 67 models and more stay readable.

use crate::error::{Error, Result};
use crate::metrics::DatasetReport;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// A chart: titled axes, the data, and the model to set apart in colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    /// The value axis (horizontal for bars).
    pub value_title: String,
    /// The other axis.
    pub axis_title: String,
    pub data: ChartData,
    pub highlight: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChartData {
    /// Horizontal bars: one row per name, in the order given, one bar per series.
    Bars {
        series: Vec<String>,
        rows: Vec<(String, Vec<Option<f64>>)>,
    },
    /// One line per name through (x, y) points.
    Lines {
        lines: Vec<(String, Vec<(f64, f64)>)>,
    },
}

/// MLA per model before and after review, best after review first (in %).
pub fn mla_chart(report: &DatasetReport, highlight: Option<&str>) -> Chart {
    let mut rows: Vec<(String, Vec<Option<f64>>)> = (report.models.iter())
        .map(|m| {
            let percent = |v: Option<f64>| v.map(|v| v * 100.0);
            (
                m.model.clone(),
                vec![percent(m.mla), percent(m.mla_relabeled)],
            )
        })
        .collect();
    let key = |values: &[Option<f64>]| values[1].or(values[0]).unwrap_or(f64::NEG_INFINITY);
    rows.sort_by(|a, b| key(&b.1).total_cmp(&key(&a.1)));
    Chart {
        title: "MLA per model, before and after review".into(),
        value_title: "MLA (%)".into(),
        axis_title: "model".into(),
        data: ChartData::Bars {
            series: vec!["imported labels".into(), "after review".into()],
            rows,
        },
        highlight: highlight.map(str::to_owned),
    }
}

/// Accuracy per subgroup of images with g valid labels, one line per model (in %).
pub fn subgroup_chart(report: &DatasetReport, highlight: Option<&str>) -> Chart {
    let lines = (report.models.iter())
        .map(|model| {
            let points = (model.subgroups.iter())
                .filter_map(|(&g, a)| Some((g as f64, (*a)? * 100.0)))
                .collect();
            (model.model.clone(), points)
        })
        .collect();
    Chart {
        title: "Subgroup accuracy by number of valid labels".into(),
        value_title: "accuracy (%)".into(),
        axis_title: "valid labels per image (g)".into(),
        data: ChartData::Lines { lines },
        highlight: highlight.map(str::to_owned),
    }
}

/// How many decided wrong pairs fall in each named group (categories, severities).
pub fn count_chart(title: &str, counts: &[(String, usize)]) -> Chart {
    Chart {
        title: title.into(),
        value_title: "decided pairs".into(),
        axis_title: String::new(),
        data: ChartData::Bars {
            series: vec!["pairs".into()],
            rows: (counts.iter())
                .map(|(name, n)| (name.clone(), vec![Some(*n as f64)]))
                .collect(),
        },
        highlight: None,
    }
}

const WIDTH: u32 = 1100;
const ROW: u32 = 18;
const LEGEND: u32 = 240;
const FONT: &str = "sans-serif";
const SERIES: [RGBColor; 2] = [RGBColor(120, 150, 200), RGBColor(40, 90, 170)];
const HIGHLIGHT: RGBColor = RGBColor(220, 90, 30);
const OTHERS: RGBColor = RGBColor(170, 170, 170);

impl Chart {
    /// The pixel size it is drawn at: bars get a row per name.
    pub fn size(&self) -> (u32, u32) {
        match &self.data {
            ChartData::Bars { rows, .. } => (WIDTH, (120 + ROW * rows.len() as u32).max(260)),
            ChartData::Lines { .. } => (WIDTH, 560),
        }
    }

    /// Writes the chart as PNG or SVG, after the file's extension.
    pub fn write(&self, path: &Path) -> Result<()> {
        register_font();
        let size = self.size();
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let drawn = match extension.to_ascii_lowercase().as_str() {
            "svg" => self.draw(SVGBackend::new(path, size).into_drawing_area()),
            "png" => {
                let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
                let drawn =
                    self.draw(BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area());
                drawn.and_then(|()| {
                    image::RgbImage::from_raw(size.0, size.1, pixels)
                        .ok_or_else(|| "the picture has the wrong size".to_owned())?
                        .save(path)
                        .map_err(|e| e.to_string())
                })
            }
            _ => {
                return Err(Error::Usage(format!(
                    "{}: a chart is written as .png or .svg; name the file with one of those",
                    path.display()
                )));
            }
        };
        drawn.map_err(|why| Error::io(path, std::io::Error::other(why)))
    }

    fn draw<B: DrawingBackend>(
        &self,
        root: DrawingArea<B, Shift>,
    ) -> std::result::Result<(), String>
    where
        B::ErrorType: 'static,
    {
        let text = |e: DrawingAreaErrorKind<B::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(text)?;
        let (width, _) = root.dim_in_pixel();
        let (plot, legend) = root.split_horizontally(width - LEGEND);
        match &self.data {
            ChartData::Bars { series, rows } => {
                self.draw_bars(&plot, series, rows).map_err(text)?
            }
            ChartData::Lines { lines } => self.draw_lines(&plot, lines).map_err(text)?,
        }
        self.draw_legend(&legend).map_err(text)?;
        root.present().map_err(text)
    }

    fn draw_bars<B: DrawingBackend>(
        &self,
        area: &DrawingArea<B, Shift>,
        series: &[String],
        rows: &[(String, Vec<Option<f64>>)],
    ) -> std::result::Result<(), DrawingAreaErrorKind<B::ErrorType>> {
        let most =
            (rows.iter().flat_map(|(_, v)| v.iter().flatten())).fold(0.0f64, |a, &b| a.max(b));
        let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
        let count = rows.len().max(1);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(label_width(&names))
            .build_cartesian_2d(0.0..(most * 1.05).max(1.0), (count as f64 - 0.5)..-0.5)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(count)
            .y_label_formatter(&|y| {
                let index = y.round();
                match (index - y).abs() < 1e-6 && index >= 0.0 {
                    true => names.get(index as usize).copied().unwrap_or("").to_owned(),
                    false => String::new(),
                }
            })
            .x_desc(&self.value_title)
            .y_desc(&self.axis_title)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 14))
            .draw()?;
        let height = 0.8 / series.len().max(1) as f64;
        for (row, (name, values)) in rows.iter().enumerate() {
            let chosen = self.highlight.as_deref() == Some(name.as_str());
            for (index, value) in values.iter().enumerate() {
                let Some(value) = value else { continue };
                let top = row as f64 - 0.4 + height * index as f64;
                let color = if chosen {
                    HIGHLIGHT
                } else {
                    SERIES[index % SERIES.len()]
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, top), (*value, top + height)],
                    color.filled(),
                )))?;
            }
        }
        Ok(())
    }

    fn draw_lines<B: DrawingBackend>(
        &self,
        area: &DrawingArea<B, Shift>,
        lines: &[(String, Vec<(f64, f64)>)],
    ) -> std::result::Result<(), DrawingAreaErrorKind<B::ErrorType>> {
        let last =
            (lines.iter().flat_map(|(_, p)| p.iter().map(|(x, _)| *x))).fold(1.0f64, f64::max);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.5..last + 0.5, 0.0..100.0)?;
        chart
            .configure_mesh()
            .x_labels(last as usize + 1)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc(&self.axis_title)
            .y_desc(&self.value_title)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 14))
            .draw()?;
        // The others first, so the chosen model is drawn over them.
        let chosen = |name: &str| self.highlight.as_deref() == Some(name);
        for (name, points) in lines.iter().filter(|(n, _)| !chosen(n)) {
            let _ = name;
            chart.draw_series(LineSeries::new(
                points.iter().copied(),
                OTHERS.stroke_width(1),
            ))?;
        }
        for (_, points) in lines.iter().filter(|(n, _)| chosen(n)) {
            chart.draw_series(LineSeries::new(
                points.iter().copied(),
                HIGHLIGHT.stroke_width(3),
            ))?;
            chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 4, HIGHLIGHT.filled())),
            )?;
        }
        Ok(())
    }

    /// The legend beside the data, never over it.
    fn draw_legend<B: DrawingBackend>(
        &self,
        area: &DrawingArea<B, Shift>,
    ) -> std::result::Result<(), DrawingAreaErrorKind<B::ErrorType>> {
        let mut entries: Vec<(String, RGBColor)> = match &self.data {
            ChartData::Bars { series, .. } if series.len() > 1 => (series.iter().enumerate())
                .map(|(i, s)| (s.clone(), SERIES[i % SERIES.len()]))
                .collect(),
            ChartData::Bars { .. } => Vec::new(),
            ChartData::Lines { lines } => vec![(format!("{} models", lines.len()), OTHERS)],
        };
        entries.extend(self.highlight.iter().map(|h| (h.clone(), HIGHLIGHT)));
        for (row, (name, color)) in entries.iter().enumerate() {
            let y = 50 + 24 * row as i32;
            area.draw(&Rectangle::new([(8, y), (26, y + 12)], color.filled()))?;
            area.draw(&Text::new(name.clone(), (34, y - 1), (FONT, 14)))?;
        }
        Ok(())
    }
}

/// Room for the longest name on the axis, in pixels.
fn label_width(names: &[&str]) -> u32 {
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    (longest as u32 * 7 + 16).clamp(60, 260)
}

/// plotters draws text with a font it is given (no system font lookup): DejaVu Sans, shipped
/// in assets/fonts.
fn register_font() {
    static FONT_BYTES: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font, checked by the test below.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart {
            title: "MLA".into(),
            value_title: "MLA (%)".into(),
            axis_title: "model".into(),
            data: ChartData::Bars {
                series: vec!["before".into(), "after".into()],
                rows: vec![
                    ("resnet50".into(), vec![Some(80.0), Some(82.0)]),
                    ("vit".into(), vec![Some(85.0), None]),
                ],
            },
            highlight: Some("vit".into()),
        }
    }

    #[test]
    fn a_chart_is_written_as_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let svg = dir.path().join("mla.svg");
        chart().write(&svg).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        for expected in ["resnet50", "vit", "MLA (%)", "before", "after"] {
            assert!(text.contains(expected), "{expected} missing from the SVG");
        }
        let png = dir.path().join("mla.png");
        chart().write(&png).unwrap();
        let decoded = image::open(&png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), chart().size());
        let wrong = dir.path().join("mla.jpg");
        assert!(
            chart()
                .write(&wrong)
                .unwrap_err()
                .to_string()
                .contains(".png or .svg")
        );
    }

    #[test]
    fn mla_bars_are_sorted_best_after_review_first() {
        let report = DatasetReport {
            models: ["a", "b", "c"]
                .iter()
                .zip([0.5, 0.9, 0.7])
                .map(|(name, mla)| crate::metrics::ModelReport {
                    model: name.to_string(),
                    mla_relabeled: Some(mla),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let ChartData::Bars { rows, .. } = mla_chart(&report, None).data else {
            panic!("bars expected");
        };
        let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["b", "c", "a"]);
    }
}
