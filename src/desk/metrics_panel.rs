//! Live metrics (per model, updated after every vote) under the image or filling the centre
//! (T), sortable by any column with the chosen model highlighted; and the plots window, which
//! draws the core's [`Chart`]s and writes them as PNG or SVG.

use super::command::Command;
use super::keys::Action;
use super::names::{category_name, severity_name};
use super::settings::MetricsSort;
use super::{Desk, theme};
use crate::charts::{self, Chart, ChartData};
use crate::metrics::ModelReport;
use crate::panel::live::DecisionShares;
use egui::RichText;
use egui_extras::Column;
use egui_plot::{AxisHints, Bar, BarChart, GridMark, Line, Plot, PlotPoints};

/// Short headings, so that every column fits beside the queue and the item at 1280×800; the
/// full name of each on hover.
const COLUMNS: [(&str, &str); 8] = [
    ("model", "model"),
    ("top-1", "top-1 accuracy, %"),
    ("ReaL", "ReaL accuracy, %"),
    ("MLA", "multi-label accuracy, %, as imported"),
    (
        "MLA rev.",
        "MLA after review: the panel's decisions overlaid, %",
    ),
    (
        "Δ",
        "change of MLA after review, in points (shown only when there is one)",
    ),
    ("ASMA", "ASMA: mean subgroup accuracy over g = 1..5, %"),
    (
        "slice",
        "correct on the ImageNet-M-style slice, k / n (95% interval on hover)",
    ),
];
const ROW: f32 = 18.0;
/// Bar chart height per model row.
const BAR_ROW: f32 = 16.0;

impl Desk {
    pub(super) fn metrics_panel(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        egui::Panel::bottom("metrics")
            .resizable(true)
            .default_size(260.0)
            .min_size(120.0)
            .show(ui, |ui| commands.extend(self.metrics_table_view(ui)));
        commands
    }

    /// The header line and the table, taking whatever room they are given.
    pub(super) fn metrics_table_view(&self, ui: &mut egui::Ui) -> Vec<Command> {
        let Some(review) = &self.review else {
            return Vec::new();
        };
        let report = review.live.report();
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Live metrics").strong());
            let (mine, decided) = review.reviewed_counts();
            ui.label(format!(
                "· {} images · {} models · {decided} pairs decided, {} pending · I voted on {mine} · {}: {}",
                report.images,
                report.models.len(),
                review.queue.len() - decided,
                Action::MetricsView.key_name(),
                if self.settings.metrics_in_full { "back to the image" } else { "table in full" }
            ));
            shares_summary(ui, &review.live.shares());
        });
        ui.label(format!(
            "Decided outside the multi-label set: {} (moves no figure) · left without a valid label: {}",
            report.decided_outside_multilabels,
            report.emptied_by_decisions.len()
        ));
        for warning in &report.warnings {
            ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {}", warning.message));
        }
        let chosen = self.settings.filter_model.as_deref();
        let sort = metrics_table(
            ui,
            &report.models,
            report.slice.as_deref(),
            chosen,
            self.settings.metrics_sort,
        );
        sort.map(|sort| {
            let mut settings = self.settings.clone();
            settings.metrics_sort = sort;
            Command::Settings(Box::new(settings))
        })
        .into_iter()
        .collect()
    }

    pub(super) fn plots_window(&self, ctx: &egui::Context) -> Vec<Command> {
        let Some(review) = &self.review else {
            return Vec::new();
        };
        let report = review.live.report();
        let chosen = self.settings.filter_model.as_deref();
        let shares = review.live.shares();
        let categories: Vec<(String, usize)> = (shares.categories.iter())
            .map(|(c, n)| (category_name(*c).to_owned(), *n))
            .collect();
        let severities: Vec<(String, usize)> = (shares.severities.iter())
            .map(|(s, n)| (severity_name(*s).to_owned(), *n))
            .collect();
        let charts = [
            charts::mla_chart(report, chosen),
            charts::subgroup_chart(report, chosen),
            charts::count_chart("Decided wrong pairs by category", &categories),
            charts::count_chart("Decided wrong pairs by severity", &severities),
        ];
        let mut commands = Vec::new();
        let mut open = true;
        egui::Window::new("Plots")
            .open(&mut open)
            .default_size([820.0, 640.0])
            .vscroll(true)
            .show(ctx, |ui| {
                ui.label(
                    RichText::new(match chosen {
                        Some(model) => format!(
                            "{model}, chosen in the queue's model filter, is drawn in orange."
                        ),
                        None => "Choose a model in the queue's filter to draw it in orange.".into(),
                    })
                    .weak(),
                );
                for (index, chart) in charts.iter().enumerate() {
                    commands.extend(chart_view(ui, index, chart));
                    ui.separator();
                }
            });
        if !open {
            let mut settings = self.settings.clone();
            settings.show_plots = false;
            commands.push(Command::Settings(Box::new(settings)));
        }
        commands
    }
}

/// A chart with its title, legend beside it and export buttons; returns an export asked for.
fn chart_view(ui: &mut egui::Ui, index: usize, chart: &Chart) -> Option<Command> {
    let mut command = None;
    ui.horizontal(|ui| {
        ui.label(RichText::new(&chart.title).strong());
        for extension in ["png", "svg"] {
            if ui
                .small_button(format!("Save {}…", extension.to_uppercase()))
                .clicked()
            {
                let name = chart.title.to_lowercase().replace([' ', ','], "_");
                let out = rfd::FileDialog::new()
                    .add_filter(extension.to_uppercase(), &[extension])
                    .set_file_name(format!("{name}.{extension}"))
                    .save_file();
                command = out.map(|out| Command::ExportChart(Box::new(chart.clone()), out));
            }
        }
    });
    let highlight = chart.highlight.as_deref();
    match &chart.data {
        ChartData::Bars { series, rows } => {
            if series.len() > 1 {
                ui.horizontal(|ui| {
                    for (i, name) in series.iter().enumerate() {
                        ui.colored_label(series_color(i), format!("■ {name}"));
                    }
                    if let Some(model) = highlight {
                        ui.colored_label(theme::WARN, format!("■ {model}"));
                    }
                });
            }
            bars_plot(ui, index, chart, series.len(), rows);
        }
        ChartData::Lines { lines } => {
            ui.horizontal(|ui| {
                ui.colored_label(
                    theme::WEAK,
                    format!("— {} models (hover a line for its name)", lines.len()),
                );
                if let Some(model) = highlight {
                    ui.colored_label(theme::WARN, format!("— {model}"));
                }
            });
            Plot::new(("chart", index))
                .height(260.0)
                .include_y(0.0)
                .include_y(100.0)
                .x_axis_label(chart.axis_title.as_str())
                .y_axis_label(chart.value_title.as_str())
                .allow_scroll(false)
                .show(ui, |plot| {
                    let mut lines: Vec<&(String, Vec<(f64, f64)>)> = lines.iter().collect();
                    // The chosen model last, drawn over the others.
                    lines.sort_by_key(|(name, _)| Some(name.as_str()) == highlight);
                    for (name, points) in lines {
                        let points: Vec<[f64; 2]> = points.iter().map(|&(x, y)| [x, y]).collect();
                        let chosen = Some(name.as_str()) == highlight;
                        let (color, width) = match chosen {
                            true => (theme::WARN, 3.0),
                            false => (egui::Color32::from_gray(120), 1.0),
                        };
                        plot.line(
                            Line::new(name.clone(), PlotPoints::from(points))
                                .color(color)
                                .width(width),
                        );
                    }
                });
        }
    }
    command
}

fn series_color(index: usize) -> egui::Color32 {
    [
        egui::Color32::from_rgb(120, 160, 215),
        egui::Color32::from_rgb(70, 120, 200),
    ][index % 2]
}

/// Horizontal bars, one row per name, first row on top, names on the axis at every row.
fn bars_plot(
    ui: &mut egui::Ui,
    index: usize,
    chart: &Chart,
    series: usize,
    rows: &[(String, Vec<Option<f64>>)],
) {
    let names: Vec<String> = rows.iter().map(|(n, _)| n.clone()).collect();
    let count = rows.len();
    let height = 50.0 + BAR_ROW * count.max(3) as f32;
    let width = 0.8 / series.max(1) as f64;
    let highlight = chart.highlight.clone();
    let axis_names = names.clone();
    // egui_plot hides axis labels closer than 20 points; a name on every bar row needs less.
    let names_axis = AxisHints::new_y()
        .label(chart.axis_title.as_str())
        .min_thickness(150.0)
        .label_spacing(BAR_ROW - 4.0..=BAR_ROW - 2.0)
        .formatter(move |mark, _| {
            let row = count as f64 - 1.0 - mark.value;
            match row >= 0.0 && row.fract() == 0.0 {
                true => axis_names.get(row as usize).cloned().unwrap_or_default(),
                false => String::new(),
            }
        });
    Plot::new(("chart", index))
        .height(height)
        .include_x(0.0)
        .x_axis_label(chart.value_title.as_str())
        .custom_y_axes(vec![names_axis])
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .y_grid_spacer(|input| {
            let (low, high) = input.bounds;
            (low.ceil() as i64..=high.floor() as i64)
                .map(|v| GridMark {
                    value: v as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .show(ui, |plot| {
            for s in 0..series {
                let offset = (s as f64 - (series as f64 - 1.0) / 2.0) * width;
                let bars: Vec<Bar> = (rows.iter().enumerate())
                    .filter_map(|(row, (name, values))| {
                        let value = values.get(s).copied().flatten()?;
                        let at = (count - 1 - row) as f64 - offset;
                        let chosen = highlight.as_deref() == Some(name.as_str());
                        let color = if chosen { theme::WARN } else { series_color(s) };
                        Some(Bar::new(at, value).width(width).name(name).fill(color))
                    })
                    .collect();
                let chart = BarChart::new(format!("series {s}"), bars)
                    .horizontal()
                    .element_formatter(Box::new(|bar, _| {
                        format!("{}: {:.2}", bar.name, bar.value)
                    }));
                plot.bar_chart(chart);
            }
        });
}

fn percent(value: Option<f64>) -> String {
    crate::numbers::percent(value, "–")
}

fn shares_summary(ui: &mut egui::Ui, shares: &DecisionShares) {
    let listed = |items: Vec<(&str, usize)>| {
        let total: usize = items.iter().map(|(_, n)| n).sum();
        items
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| format!("{name} {:.0}%", 100.0 * n as f64 / total.max(1) as f64))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let categories = listed(
        shares
            .categories
            .iter()
            .map(|(c, n)| (category_name(*c), *n))
            .collect(),
    );
    let severities = listed(
        shares
            .severities
            .iter()
            .map(|(s, n)| (severity_name(*s), *n))
            .collect(),
    );
    let parts: Vec<String> = [categories, severities]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    if !parts.is_empty() {
        ui.label(format!("· wrong pairs: {}", parts.join("; ")));
    }
}

/// One row per model, sorted by the chosen column, the chosen model highlighted; the header
/// stays in view while the rows scroll. Returns a new order when a heading was clicked.
fn metrics_table(
    ui: &mut egui::Ui,
    models: &[ModelReport],
    slice: Option<&str>,
    chosen: Option<&str>,
    sort: MetricsSort,
) -> Option<MetricsSort> {
    let cells: Vec<[Cell; 8]> = models.iter().map(model_cells).collect();
    let mut order: Vec<usize> = (0..models.len()).collect();
    order.sort_by(|&a, &b| {
        let ordering = cells[a][sort.column]
            .key
            .compare(&cells[b][sort.column].key);
        if sort.descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
    let mut clicked = None;
    // The model's name gives way first (cut short, whole on hover); the figures keep their
    // width, close to the names on a wide screen.
    egui_extras::TableBuilder::new(ui)
        .striped(true)
        .auto_shrink(false)
        .sense(egui::Sense::hover())
        .column(Column::remainder().at_least(90.0).at_most(230.0).clip(true))
        // Auto columns keep the width they first had: wide enough for "+12.50" from the start,
        // or a Δ first drawn empty (no decisions yet) cuts later changes to "…".
        .columns(Column::auto().at_least(FIGURE_WIDTH), 7)
        .header(ROW, |mut header| {
            for (index, (heading, full)) in COLUMNS.iter().enumerate() {
                let full = match (index, slice) {
                    (7, Some(slice)) => format!("{full}: {slice}"),
                    _ => (*full).to_owned(),
                };
                header.col(|ui| {
                    let arrow = match (sort.column == index, sort.descending) {
                        (true, true) => " ⏷",
                        (true, false) => " ⏶",
                        (false, _) => "",
                    };
                    let button =
                        egui::Button::new(RichText::new(format!("{heading}{arrow}")).strong())
                            .frame(false);
                    let hover = format!("{full}\nclick to sort by this column");
                    if ui.add(button).on_hover_text(hover).clicked() {
                        clicked = Some(index);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW, order.len(), |mut row| {
                let model = order[row.index()];
                let highlighted = chosen == Some(models[model].model.as_str());
                row.set_selected(highlighted);
                for cell in &cells[model] {
                    row.col(|ui| {
                        let text = RichText::new(&cell.text);
                        let text = if highlighted { text.strong() } else { text };
                        let label = ui.add(egui::Label::new(text).truncate());
                        if let Some(hover) = &cell.hover {
                            label.on_hover_text(hover);
                        }
                    });
                }
            });
        });
    clicked.map(|column| MetricsSort {
        column,
        // A second click on a column turns it round; numbers start highest first.
        descending: match sort.column == column {
            true => !sort.descending,
            false => column != 0,
        },
    })
}

/// The narrowest a figure's column is drawn: "+12.50" or "100.00" at the table's size.
const FIGURE_WIDTH: f32 = 46.0;

/// A table cell: its text, what it sorts by, and more on hover.
struct Cell {
    text: String,
    key: SortKey,
    hover: Option<String>,
}

enum SortKey {
    Text(String),
    Number(Option<f64>),
}

impl SortKey {
    fn compare(&self, other: &SortKey) -> std::cmp::Ordering {
        match (self, other) {
            (SortKey::Text(a), SortKey::Text(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
            (SortKey::Number(a), SortKey::Number(b)) => {
                let value = |v: &Option<f64>| v.unwrap_or(f64::NEG_INFINITY);
                value(a).total_cmp(&value(b))
            }
            _ => std::cmp::Ordering::Equal,
        }
    }
}

/// The table's cells for one model, in the order of its headings.
fn model_cells(model: &ModelReport) -> [Cell; 8] {
    let number = |value: Option<f64>| Cell {
        text: percent(value),
        key: SortKey::Number(value),
        hover: None,
    };
    let change = match (model.mla, model.mla_relabeled) {
        (Some(before), Some(after)) => Some((after - before) * 100.0),
        _ => None,
    };
    let asma = match model.asma_is_partial() {
        true => Cell {
            text: format!("{}*", percent(model.asma)),
            hover: Some(format!(
                "* over the subgroups g = 1..{} only",
                model.asma_groups
            )),
            ..number(model.asma)
        },
        false => number(model.asma),
    };
    let slice = Cell {
        text: model
            .imagenet_m
            .map_or("–".into(), |s| format!("{}/{}", s.correct, s.total)),
        key: SortKey::Number((model.imagenet_m).map(|s| s.correct as f64 / s.total.max(1) as f64)),
        hover: model.imagenet_m.map(|s| {
            let [low, high] = s.ci95;
            format!("95% interval {:.1}–{:.1}%", low * 100.0, high * 100.0)
        }),
    };
    [
        Cell {
            text: model.model.clone(),
            key: SortKey::Text(model.model.clone()),
            // Cut short, the name shows whole on hover.
            hover: None,
        },
        number(model.top1),
        number(model.real),
        number(model.mla),
        number(model.mla_relabeled),
        Cell {
            text: change_text(change),
            ..number(change)
        },
        asma,
        slice,
    ]
}

/// "+0.13" when the change shows at two decimals, else nothing: no "+0.00" or "-0.00".
fn change_text(change: Option<f64>) -> String {
    match change {
        Some(change) if (change * 100.0).round() != 0.0 => format!("{change:+.2}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_shows_only_when_it_is_one() {
        assert_eq!(change_text(Some(0.004)), "");
        assert_eq!(change_text(Some(-0.004)), "");
        assert_eq!(change_text(Some(0.0)), "");
        assert_eq!(change_text(Some(0.126)), "+0.13");
        assert_eq!(change_text(Some(-1.5)), "-1.50");
        assert_eq!(change_text(None), "");
    }
}
