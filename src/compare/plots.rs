//! The comparison's figures as a paper prints them, in SVG and PNG: the same drawing on either
//! backend. Text is drawn with the DejaVu Sans shipped in assets/fonts (plotters' ab_glyph
//! renderer), so a PNG looks the same on a machine without any system font.

use super::{Comparison, Metric, Scale, write_whole};
use crate::error::{Error, Result};
use crate::numbers::axis_percent;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// One figure of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Figure {
    /// One point per model, source against target, with y = x and the fitted line.
    Scatter { metric: Metric, scale: Scale },
    /// The gap of each metric and of the matched top-1 over the models: the median as a bar,
    /// a whisker from the smallest to the largest.
    Gaps,
    /// Per model, the raw top-1 gap against the uncertainty-matched gap.
    RawVsMatched,
    /// A model's accuracy-versus-uncertainty curve on both datasets.
    Curves { model: String },
}

impl Figure {
    /// The scatter of every metric on both scales, the gaps, raw against matched, and the
    /// curves of the given models.
    pub fn all(comparison: &Comparison, curves: &[String]) -> Vec<Figure> {
        let mut figures = Vec::new();
        // A metric no model has on both sides (labels missing) would be an empty scatter.
        let drawn = |metric: &Metric| {
            (comparison.models.iter()).any(|m| {
                (m.metrics.get(*metric)).is_some_and(|s| s.source.is_some() && s.target.is_some())
            })
        };
        for metric in comparison.metrics().into_iter().filter(drawn) {
            for scale in [Scale::Plain, Scale::Probit] {
                figures.push(Figure::Scatter { metric, scale });
            }
        }
        figures.push(Figure::Gaps);
        figures.push(Figure::RawVsMatched);
        figures.extend(curves.iter().map(|model| Figure::Curves {
            model: model.clone(),
        }));
        figures
    }

    /// The file name without extension: `scatter_top1_probit`, `curves_resnet152`, ...
    pub fn file_stem(&self) -> String {
        match self {
            Figure::Scatter { metric, scale } => {
                format!("scatter_{}_{}", metric.key(), scale.as_str())
            }
            Figure::Gaps => "gaps".into(),
            Figure::RawVsMatched => "raw_vs_matched".into(),
            Figure::Curves { model } => format!("curves_{}", crate::names::file_safe(model)),
        }
    }
}

/// The drawing's size in SVG user units (points): 6 × 4.5 in.
pub const SIZE: (u32, u32) = (432, 324);
/// PNG pixels per SVG unit: 300 dpi over 72 points an inch, rounded (1800 × 1350 px).
pub const PNG_SCALE: f64 = 300.0 / 72.0;

const FONT: &str = "sans-serif";
const SOURCE_COLOR: RGBColor = RGBColor(31, 119, 180);
const TARGET_COLOR: RGBColor = RGBColor(255, 127, 14);
const LEFT_OUT_COLOR: RGBColor = RGBColor(150, 150, 150);

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let font = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        // The font ships with bagel and is parsed by tests; a failure here is a build mistake.
        plotters::style::register_font(FONT, FontStyle::Normal, font)
            .unwrap_or_else(|_| panic!("assets/fonts/DejaVuSans.ttf is not a font"));
    });
}

fn drawing_failed(figure: &Figure, error: impl std::fmt::Display) -> Error {
    Error::Usage(format!(
        "cannot draw figure {}: {error}",
        figure.file_stem()
    ))
}

/// The figure as an SVG document.
pub fn svg(comparison: &Comparison, figure: &Figure) -> Result<String> {
    register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        draw(&root, comparison, figure, 1.0).map_err(|e| drawing_failed(figure, e))?;
        root.present().map_err(|e| drawing_failed(figure, e))?;
    }
    Ok(text)
}

/// The figure as a PNG file's bytes, at [`PNG_SCALE`] pixels per SVG unit.
pub fn png(comparison: &Comparison, figure: &Figure) -> Result<Vec<u8>> {
    register_font();
    let size = (
        (SIZE.0 as f64 * PNG_SCALE).round() as u32,
        (SIZE.1 as f64 * PNG_SCALE).round() as u32,
    );
    let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        draw(&root, comparison, figure, PNG_SCALE).map_err(|e| drawing_failed(figure, e))?;
        root.present().map_err(|e| drawing_failed(figure, e))?;
    }
    let image = image::RgbImage::from_raw(size.0, size.1, pixels)
        .ok_or_else(|| drawing_failed(figure, "the pixel buffer has the wrong size"))?;
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .map_err(|e| drawing_failed(figure, e))?;
    Ok(bytes.into_inner())
}

/// One figure into `out`, as SVG when its name ends in `.svg`, else as PNG.
pub fn write_figure(comparison: &Comparison, figure: &Figure, out: &Path) -> Result<()> {
    let svg_wanted = (out.extension()).is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let bytes = match svg_wanted {
        true => svg(comparison, figure)?.into_bytes(),
        false => png(comparison, figure)?,
    };
    write_whole(out, &bytes)
}

/// Every figure as `DIR/STEM.svg` and `DIR/STEM.png`. All are drawn before the first is
/// written, so a figure that cannot be drawn leaves the folder as it was.
pub fn write_figures(
    comparison: &Comparison,
    figures: &[Figure],
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::with_capacity(figures.len() * 2);
    for figure in figures {
        if let Figure::Curves { model } = figure
            && comparison.model(model).is_none()
        {
            let names: Vec<&str> = comparison.models.iter().map(|m| m.model.as_str()).collect();
            return Err(Error::Usage(format!(
                "no curves for {model:?}: it is not among the models compared ({})",
                names.join(", ")
            )));
        }
        let stem = dir.join(figure.file_stem());
        files.push((
            stem.with_extension("svg"),
            svg(comparison, figure)?.into_bytes(),
        ));
        files.push((stem.with_extension("png"), png(comparison, figure)?));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for (path, bytes) in &files {
        write_whole(path, bytes)?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    comparison: &Comparison,
    figure: &Figure,
    scale: f64,
) -> Drawn<DB> {
    root.fill(&WHITE)?;
    let style = Style { scale };
    match figure {
        Figure::Scatter {
            metric,
            scale: axes,
        } => scatter(root, comparison, *metric, *axes, &style),
        Figure::Gaps => gaps(root, comparison, &style),
        Figure::RawVsMatched => raw_vs_matched(root, comparison, &style),
        Figure::Curves { model } => curves(root, comparison, model, &style),
    }
}

/// Sizes in SVG units, multiplied out for the PNG.
struct Style {
    scale: f64,
}

impl Style {
    fn px(&self, units: f64) -> u32 {
        (units * self.scale).round() as u32
    }

    fn font(&self, size: f64) -> TextStyle<'static> {
        (FONT, size * self.scale).into_font().color(&BLACK)
    }

    fn line(&self, color: RGBColor, width: f64) -> ShapeStyle {
        color.stroke_width(self.px(width).max(1))
    }

    fn chart<'a, DB: DrawingBackend>(
        &self,
        root: &'a DrawingArea<DB, Shift>,
        title: &str,
    ) -> ChartBuilder<'a, 'a, DB> {
        let mut builder = ChartBuilder::on(root);
        builder
            .caption(title, self.font(11.0))
            .margin(self.px(8.0))
            .x_label_area_size(self.px(34.0))
            .y_label_area_size(self.px(42.0));
        builder
    }
}

/// A linear axis whose ticks and grid lines sit where asked: at round accuracies, which on a
/// probit axis are not evenly spaced.
struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(range: Range<f64>, ticks: Vec<f64>) -> Self {
        Ticked { range, ticks }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let share = (value - self.range.start) / span;
        limit.0 + (share * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // The light lines are asked for with every point allowed: none, only the ticks.
        match hint.weight().allow_light_points() {
            true => Vec::new(),
            false => self.ticks.clone(),
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// Round accuracies (or gaps) from `lo` to `hi` every `step`, for tick marks.
/// The legend, framed alike in every figure.
fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    style: &Style,
) -> Drawn<DB> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font(style.font(8.0))
        .background_style(WHITE.mix(0.8))
        .border_style(RGBColor(200, 200, 200))
        .draw()
}

fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// A step giving about five ticks over a span.
fn tick_step(span: f64) -> f64 {
    [0.01, 0.02, 0.05, 0.1, 0.2]
        .into_iter()
        .find(|&step| span / step <= 7.0)
        .unwrap_or(0.25)
}

/// A range around the accuracies with a margin, in the axis units of `scale`, within what
/// accuracies in [0, 1] reach.
fn padded(values: impl Iterator<Item = f64>, scale: Scale) -> (f64, f64) {
    let axis = values.map(|v| scale.transform(v));
    let (lo, hi) = axis.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (scale.transform(0.0), scale.transform(1.0));
    }
    let margin = ((hi - lo) * 0.08).max(0.01);
    (
        (lo - margin).max(scale.transform(0.0)),
        (hi + margin).min(scale.transform(1.0)),
    )
}

fn scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    comparison: &Comparison,
    metric: Metric,
    axes: Scale,
    style: &Style,
) -> Drawn<DB> {
    let points: Vec<(&str, f64, f64)> = (comparison.models.iter())
        .filter_map(|m| {
            let sides = m.metrics.get(metric)?;
            Some((m.model.as_str(), sides.source?, sides.target?))
        })
        .collect();
    let (a, b) = padded(points.iter().flat_map(|p| [p.1, p.2]), axes);
    let (lo, hi) = (axes.inverse(a), axes.inverse(b));
    let tick_points: Vec<f64> = (ticks(lo, hi, tick_step(hi - lo)).into_iter())
        .map(|t| axes.transform(t))
        .collect();
    let scale_name = match axes {
        Scale::Plain => "",
        Scale::Probit => ", probit axes",
    };
    let title = format!("{} accuracy{scale_name}", metric.label());
    let mut chart = style.chart(root, &title).build_cartesian_2d(
        Ticked::new(a..b, tick_points.clone()),
        Ticked::new(a..b, tick_points),
    )?;
    let format = |v: &f64| axis_percent(axes.inverse(*v));
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(230, 230, 230))
        .x_desc(format!("{} on {} (%)", metric.label(), comparison.source))
        .y_desc(format!("{} on {} (%)", metric.label(), comparison.target))
        .label_style(style.font(8.0))
        .axis_desc_style(style.font(9.0))
        .x_label_formatter(&format)
        .y_label_formatter(&format)
        .draw()?;
    chart
        .draw_series(LineSeries::new([(a, a), (b, b)], style.line(BLACK, 0.8)))?
        .label("y = x")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK));
    if let Some(fit) = comparison.fit.get(metric).and_then(|f| f.on(axes)) {
        let line = style.line(TARGET_COLOR, 1.2);
        chart
            .draw_series(LineSeries::new(
                [(a, fit.predict(a)), (b, fit.predict(b))],
                line,
            ))?
            .label(format!(
                "fit: slope {:.2}, intercept {:.2}, R² {:.3}",
                fit.slope, fit.intercept, fit.r2
            ))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], line));
    }
    let left_out = |name: &str| comparison.left_out.iter().any(|m| m == name);
    let radius = style.px(2.2);
    chart.draw_series(points.iter().map(|&(name, x, y)| {
        let color = match left_out(name) {
            true => LEFT_OUT_COLOR,
            false => SOURCE_COLOR,
        };
        Circle::new(
            (axes.transform(x), axes.transform(y)),
            radius,
            color.filled(),
        )
    }))?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft, style)
}

fn gaps<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    comparison: &Comparison,
    style: &Style,
) -> Drawn<DB> {
    // Metrics without a gap (labels missing on a side) get no empty slot.
    let mut bars: Vec<(String, super::GapSummary)> = (comparison.summary.metrics.0.iter())
        .filter(|(_, summary)| summary.median.is_some())
        .map(|(metric, summary)| (metric.label().to_owned(), *summary))
        .collect();
    bars.push(("matched top-1".into(), comparison.summary.matched));
    let values = bars.iter().flat_map(|(_, s)| [s.min, s.max]).flatten();
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let margin = ((hi - lo) * 0.1).max(0.01);
    let (lo, hi) = (
        lo.min(0.0) - if lo < 0.0 { margin } else { 0.0 },
        hi + margin,
    );
    let step = tick_step(hi - lo);
    let count = bars.len();
    let title = format!(
        "Gap, {} minus {} (median; whiskers: min to max)",
        comparison.source, comparison.target
    );
    let mut chart = style.chart(root, &title).build_cartesian_2d(
        Ticked::new(
            -0.5..count as f64 - 0.5,
            (0..count).map(|i| i as f64).collect(),
        ),
        Ticked::new(lo..hi, ticks(lo, hi, step)),
    )?;
    let names: Vec<String> = bars.iter().map(|(name, _)| name.clone()).collect();
    let name_of = |v: &f64| names.get(v.round() as usize).cloned().unwrap_or_default();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(230, 230, 230))
        .y_desc("gap (percentage points)")
        .label_style(style.font(8.0))
        .axis_desc_style(style.font(9.0))
        .x_label_formatter(&name_of)
        .y_label_formatter(&|v| axis_percent(*v))
        .draw()?;
    chart.draw_series(bars.iter().enumerate().filter_map(|(i, (_, s))| {
        let x = i as f64;
        let color = if i + 1 == count {
            TARGET_COLOR
        } else {
            SOURCE_COLOR
        };
        Some(Rectangle::new(
            [(x - 0.3, 0.0), (x + 0.3, s.median?)],
            color.filled(),
        ))
    }))?;
    let whisker = style.line(BLACK, 0.8);
    for (i, (_, s)) in bars.iter().enumerate() {
        let (Some(min), Some(max)) = (s.min, s.max) else {
            continue;
        };
        let x = i as f64;
        chart.draw_series([
            PathElement::new([(x, min), (x, max)], whisker),
            PathElement::new([(x - 0.1, min), (x + 0.1, min)], whisker),
            PathElement::new([(x - 0.1, max), (x + 0.1, max)], whisker),
        ])?;
    }
    chart.draw_series(LineSeries::new(
        [(-0.5, 0.0), (count as f64 - 0.5, 0.0)],
        style.line(BLACK, 0.6),
    ))?;
    Ok(())
}

fn raw_vs_matched<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    comparison: &Comparison,
    style: &Style,
) -> Drawn<DB> {
    // (raw gap, matched gap, its standard deviation over the draws)
    let points: Vec<(f64, f64, f64)> = (comparison.models.iter())
        .filter(|m| !comparison.left_out.contains(&m.model))
        .filter_map(|m| {
            let raw = m.metrics.get(Metric::Top1)?.gap?;
            Some((raw, m.matched.gap?, m.matched.gap_sd.unwrap_or(0.0)))
        })
        .collect();
    let values = (points.iter()).flat_map(|&(x, y, sd)| [x, y - sd, y + sd]);
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let margin = ((hi - lo) * 0.08).max(0.01);
    let (lo, hi) = (lo - margin, hi + margin);
    let step = tick_step(hi - lo);
    let title = format!(
        "Top-1 gap per model, raw and {}-matched",
        comparison.uncertainty
    );
    let mut chart = style.chart(root, &title).build_cartesian_2d(
        Ticked::new(lo..hi, ticks(lo, hi, step)),
        Ticked::new(lo..hi, ticks(lo, hi, step)),
    )?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(230, 230, 230))
        .x_desc("raw top-1 gap (percentage points)")
        .y_desc("matched top-1 gap (percentage points)")
        .label_style(style.font(8.0))
        .axis_desc_style(style.font(9.0))
        .x_label_formatter(&|v| axis_percent(*v))
        .y_label_formatter(&|v| axis_percent(*v))
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            [(lo, lo), (hi, hi)],
            style.line(BLACK, 0.8),
        ))?
        .label("matched = raw")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK));
    chart.draw_series(LineSeries::new(
        [(lo, 0.0), (hi, 0.0)],
        style.line(LEFT_OUT_COLOR, 0.6),
    ))?;
    let whisker = style.line(SOURCE_COLOR, 0.8);
    chart
        .draw_series(
            (points.iter())
                .map(|&(x, y, sd)| PathElement::new([(x, y - sd), (x, y + sd)], whisker)),
        )?
        .label(format!(
            "± 1 sd of the matched gap over {} draws",
            comparison.draws
        ))
        .legend(move |(x, y)| PathElement::new([(x + 8, y - 5), (x + 8, y + 5)], whisker));
    let radius = style.px(2.2);
    chart.draw_series(
        (points.iter()).map(|&(x, y, _)| Circle::new((x, y), radius, SOURCE_COLOR.filled())),
    )?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft, style)
}

fn curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    comparison: &Comparison,
    model: &str,
    style: &Style,
) -> Drawn<DB> {
    let Some(found) = comparison.model(model) else {
        return Ok(());
    };
    let curve = &found.matched.curve;
    let lo = curve.first().map_or(0.0, |b| b.lo);
    let hi = curve.last().map_or(1.0, |b| b.hi).max(lo + 1e-9);
    let title = format!(
        "{model}: top-1 against {} uncertainty (matched)",
        comparison.uncertainty
    );
    let mut chart = style.chart(root, &title).build_cartesian_2d(
        Ticked::new(lo..hi, ticks(lo, hi, tick_step(hi - lo))),
        Ticked::new(0.0..1.0, ticks(0.0, 1.0, 0.2)),
    )?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(230, 230, 230))
        .x_desc(format!("{} (bin centre)", comparison.uncertainty))
        .y_desc("top-1 accuracy in the bin (%)")
        .label_style(style.font(8.0))
        .axis_desc_style(style.font(9.0))
        .x_label_formatter(&|v| format!("{v:.2}"))
        .y_label_formatter(&|v| axis_percent(*v))
        .draw()?;
    let radius = style.px(2.2);
    for (name, color, side) in [
        (&comparison.source, SOURCE_COLOR, 0),
        (&comparison.target, TARGET_COLOR, 1),
    ] {
        let points: Vec<(f64, f64)> = curve
            .iter()
            .filter_map(|b| {
                let accuracy = if side == 0 { b.source } else { b.target };
                Some(((b.lo + b.hi) / 2.0, accuracy?))
            })
            .collect();
        let line = style.line(color, 1.2);
        chart
            .draw_series(LineSeries::new(points.clone(), line))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], line));
        chart.draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, radius, color.filled())),
        )?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight, style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{GapSummary, PerMetric, Summary};

    /// A comparison of no models: enough for the gaps figure, whose format is what is checked.
    fn empty() -> Comparison {
        Comparison {
            source: "val".into(),
            target: "v2".into(),
            uncertainty: "disagreement",
            bins: 2,
            binning: "width",
            seed: 0,
            draws: 1,
            models: Vec::new(),
            only_source: Vec::new(),
            only_target: Vec::new(),
            summary: Summary {
                metrics: PerMetric(Vec::new()),
                matched: GapSummary::default(),
            },
            fit: PerMetric(Vec::new()),
            warnings: Vec::new(),
            left_out: Vec::new(),
            source_images: 0,
            target_images: 0,
        }
    }

    #[test]
    fn a_figure_is_written_in_the_format_its_file_name_asks_for() {
        let dir = tempfile::tempdir().unwrap();
        let (svg, png) = (dir.path().join("gaps.svg"), dir.path().join("gaps.PNG"));
        write_figure(&empty(), &Figure::Gaps, &svg).unwrap();
        write_figure(&empty(), &Figure::Gaps, &png).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.starts_with("<svg"), "{}", &text[..40.min(text.len())]);
        assert!(text.contains("Gap, val minus v2"));
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[..4], b"\x89PNG");
        let image = image::load_from_memory(&bytes).unwrap();
        assert_eq!((image.width(), image.height()), (1800, 1350));
    }
}
