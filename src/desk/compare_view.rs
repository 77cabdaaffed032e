//! The comparison window (key V, View menu): a dataset against its replica, drawn from the same
//! [`Comparison`] `bagel compare` prints. Hovering a point names the model; clicking a model
//! (in a plot or the table) filters the review queue to its pairs on the target. Each figure
//! exports as print-size PNG and SVG (`compare::plots`), the table as CSV.

use super::{Desk, Status};
use crate::compare::plots::{self, Figure};
use crate::compare::{CompareOptions, Comparison, Metric, Scale, compare_datasets, write_csv};
use egui::RichText;
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints, Points};

/// What the window shows and what it was asked for.
#[derive(Default)]
pub struct CompareView {
    pub source: String,
    pub target: String,
    pub comparison: Option<Comparison>,
    pub error: Option<String>,
    pub probit: bool,
    pub metric_index: usize,
    pub curve_model: Option<String>,
    /// A model whose pairs the queue should show once the target is loaded.
    pending_filter: Option<String>,
}

impl CompareView {
    fn metric(&self, comparison: &Comparison) -> Metric {
        let metrics = comparison.metrics();
        metrics[self.metric_index.min(metrics.len() - 1)]
    }
}

impl Desk {
    /// Opens or closes the window; the first opening picks the first two datasets.
    pub(super) fn toggle_compare(&mut self) {
        if self.compare.take().is_some() {
            return;
        }
        let mut view = CompareView::default();
        let mut names = self.datasets.iter();
        view.source = names.next().cloned().unwrap_or_default();
        view.target = names.next().cloned().unwrap_or_default();
        self.compare = Some(view);
    }

    /// Compares the chosen datasets, keeping the error to show it in the window.
    pub fn run_comparison(&mut self) {
        let (Some(view), Some(project)) = (self.compare.as_mut(), self.project.as_ref()) else {
            return;
        };
        let options = CompareOptions::new(&view.source, &view.target);
        match compare_datasets(project, &options) {
            Ok(comparison) => {
                view.curve_model = comparison.models.first().map(|m| m.model.clone());
                view.comparison = Some(comparison);
                view.error = None;
            }
            Err(error) => {
                view.comparison = None;
                view.error = Some(error.to_string());
            }
        }
    }

    /// Shows the target's queue narrowed to one model's pairs, loading the target when another
    /// dataset is open.
    pub fn filter_queue_to_model(&mut self, ctx: &egui::Context, model: &str) {
        let Some(view) = self.compare.as_mut() else {
            return;
        };
        let target = view.target.clone();
        let on_target = self
            .review
            .as_ref()
            .is_some_and(|r| r.dataset.name == target);
        if !on_target {
            view.pending_filter = Some(model.to_owned());
            self.load_dataset(ctx, &target);
            return;
        }
        let review = self.review.as_ref().expect("on the target");
        let index = (review.evaluation.models.iter()).position(|(name, _)| name == model);
        match index {
            Some(index) => {
                self.filter = crate::panel::QueueFilter {
                    model: Some(index as u16),
                    ..Default::default()
                };
                self.rebuild_view();
                self.cursor = 0;
                self.status = Status::Info(format!(
                    "queue: {model}'s pairs on {target} ({} to review)",
                    self.view.len()
                ));
            }
            None => self.status = Status::Error(format!("{model} has no predictions on {target}")),
        }
    }

    pub(super) fn compare_window(&mut self, ctx: &egui::Context) {
        if self.compare.is_none() {
            return;
        }
        let pending = self.compare.as_mut().and_then(|v| v.pending_filter.take());
        if let Some(model) = pending {
            let target = self
                .compare
                .as_ref()
                .map(|v| v.target.clone())
                .unwrap_or_default();
            let loaded = self
                .review
                .as_ref()
                .is_some_and(|r| r.dataset.name == target);
            match loaded && !self.is_busy() {
                true => self.filter_queue_to_model(ctx, &model),
                false => self.compare.as_mut().unwrap().pending_filter = Some(model),
            }
        }
        let mut open = true;
        let mut action = Action::None;
        let datasets = self.datasets.clone();
        let view = self.compare.as_mut().expect("open");
        egui::Window::new("Compare datasets")
            .open(&mut open)
            .default_size([900.0, 720.0])
            .vscroll(true)
            .show(ctx, |ui| action = view_ui(ui, view, &datasets));
        if !open {
            self.compare = None;
        }
        match action {
            Action::None => {}
            Action::Compare => self.run_comparison(),
            Action::Filter(model) => self.filter_queue_to_model(ctx, &model),
            Action::Export(what) => self.export_comparison(what),
        }
    }

    fn export_comparison(&mut self, what: Export) {
        let Some(comparison) = self.compare.as_ref().and_then(|v| v.comparison.clone()) else {
            return;
        };
        let outcome = match what {
            Export::Table => rfd::FileDialog::new()
                .set_file_name("comparison.csv")
                .save_file()
                .map(|path| write_csv(&comparison, &path).map(|()| path.display().to_string())),
            Export::Figures(curves) => rfd::FileDialog::new().pick_folder().map(|dir| {
                plots::write_figures(&comparison, &Figure::all(&comparison, &curves), &dir)
                    .map(|files| format!("{} files in {}", files.len(), dir.display()))
            }),
        };
        self.status = match outcome {
            Some(Ok(written)) => Status::Saved(format!("comparison written: {written}")),
            Some(Err(error)) => Status::Error(error.to_string()),
            None => return,
        };
    }
}

enum Export {
    Table,
    /// Every figure, with the curves of these models.
    Figures(Vec<String>),
}

enum Action {
    None,
    Compare,
    Filter(String),
    Export(Export),
}

fn view_ui(ui: &mut egui::Ui, view: &mut CompareView, datasets: &[String]) -> Action {
    let mut action = Action::None;
    ui.horizontal(|ui| {
        for (label, chosen) in [("Source", &mut view.source), ("Target", &mut view.target)] {
            egui::ComboBox::from_label(label)
                .selected_text(chosen.as_str())
                .show_ui(ui, |ui| {
                    for name in datasets {
                        ui.selectable_value(chosen, name.clone(), name);
                    }
                });
        }
        if ui.button("Compare").clicked() {
            action = Action::Compare;
        }
    });
    if let Some(error) = &view.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    let Some(comparison) = view.comparison.as_ref() else {
        ui.label("Choose a dataset and its replica, then Compare.");
        return action;
    };
    for warning in &comparison.warnings {
        if warning.kind != "thin_bins" {
            ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {}", warning.message));
        }
    }
    ui.horizontal(|ui| {
        if ui.button("Export table (CSV)…").clicked() {
            action = Action::Export(Export::Table);
        }
        if ui.button("Export figures (PNG and SVG)…").clicked() {
            let curves = view.curve_model.iter().cloned().collect();
            action = Action::Export(Export::Figures(curves));
        }
    });
    ui.separator();
    let metrics = comparison.metrics();
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("Metric")
            .selected_text(metrics[view.metric_index.min(metrics.len() - 1)].label())
            .show_ui(ui, |ui| {
                for (i, metric) in metrics.iter().enumerate() {
                    ui.selectable_value(&mut view.metric_index, i, metric.label());
                }
            });
        ui.checkbox(&mut view.probit, "probit axes");
    });
    let metric = view.metric(comparison);
    let scale = if view.probit {
        Scale::Probit
    } else {
        Scale::Plain
    };
    ui.columns(2, |columns| {
        if let Some(model) = scatter(&mut columns[0], comparison, metric, scale) {
            action = Action::Filter(model);
        }
        if let Some(model) = raw_vs_matched(&mut columns[1], comparison) {
            action = Action::Filter(model);
        }
    });
    ui.columns(2, |columns| {
        gap_bars(&mut columns[0], comparison);
        curves(&mut columns[1], comparison, &mut view.curve_model);
    });
    ui.separator();
    if let Some(model) = table(ui, comparison) {
        action = Action::Filter(model);
    }
    action
}

fn scatter(
    ui: &mut egui::Ui,
    comparison: &Comparison,
    metric: Metric,
    scale: Scale,
) -> Option<String> {
    ui.label(
        RichText::new(format!(
            "{} on {} against {}",
            metric.label(),
            comparison.target,
            comparison.source
        ))
        .strong(),
    );
    let points: Vec<(&str, [f64; 2])> = (comparison.models.iter())
        .filter_map(|m| {
            let sides = m.metrics.get(metric)?;
            Some((
                m.model.as_str(),
                [
                    scale.transform(sides.source?),
                    scale.transform(sides.target?),
                ],
            ))
        })
        .collect();
    let (lo, hi) = points
        .iter()
        .flat_map(|(_, p)| *p)
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let fit = comparison
        .fit
        .get(metric)
        .and_then(|f| f.on(scale))
        .copied();
    // No legend: its entries would repeat the model names the table's buttons carry; hovering
    // a point names its model.
    let response = Plot::new("compare_scatter")
        .height(260.0)
        .data_aspect(1.0)
        .show(ui, |plot| {
            if lo <= hi {
                plot.line(Line::new(
                    "y = x",
                    PlotPoints::from(vec![[lo, lo], [hi, hi]]),
                ));
                if let Some(fit) = fit {
                    let name = format!("fit (R² {:.3})", fit.r2);
                    plot.line(Line::new(
                        name,
                        PlotPoints::from(vec![[lo, fit.predict(lo)], [hi, fit.predict(hi)]]),
                    ));
                }
            }
            for (name, point) in &points {
                plot.points(Points::new(*name, vec![*point]).radius(3.0));
            }
        });
    clicked_on(&response, &points)
}

/// The model whose point is nearest the click, when the plot was clicked near one.
fn clicked_on(
    response: &egui_plot::PlotResponse<()>,
    points: &[(&str, [f64; 2])],
) -> Option<String> {
    if !response.response.clicked() {
        return None;
    }
    let pointer = response.response.interact_pointer_pos()?;
    let nearest = points.iter().min_by(|a, b| {
        let distance = |p: &[f64; 2]| {
            let screen = response
                .transform
                .position_from_point(&egui_plot::PlotPoint::new(p[0], p[1]));
            screen.distance(pointer)
        };
        distance(&a.1).total_cmp(&distance(&b.1))
    })?;
    let screen = response
        .transform
        .position_from_point(&egui_plot::PlotPoint::new(nearest.1[0], nearest.1[1]));
    (screen.distance(pointer) < 12.0).then(|| nearest.0.to_owned())
}

fn raw_vs_matched(ui: &mut egui::Ui, comparison: &Comparison) -> Option<String> {
    ui.label(
        RichText::new(format!(
            "Top-1 gap per model: raw against {}-matched (points)",
            comparison.uncertainty
        ))
        .strong(),
    );
    let points: Vec<(&str, [f64; 2])> = (comparison.models.iter())
        .filter_map(|m| {
            Some((
                m.model.as_str(),
                [
                    m.metrics.get(Metric::Top1)?.gap? * 100.0,
                    m.matched.gap? * 100.0,
                ],
            ))
        })
        .collect();
    let (lo, hi) = points
        .iter()
        .flat_map(|(_, p)| *p)
        .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let response = Plot::new("compare_raw_matched")
        .height(260.0)
        .show(ui, |plot| {
            plot.line(Line::new(
                "matched = raw",
                PlotPoints::from(vec![[lo, lo], [hi, hi]]),
            ));
            for (name, point) in &points {
                plot.points(Points::new(*name, vec![*point]).radius(3.0));
            }
        });
    clicked_on(&response, &points)
}

fn gap_bars(ui: &mut egui::Ui, comparison: &Comparison) {
    ui.label(RichText::new("Median gap per metric (points)").strong());
    let mut rows: Vec<(String, Option<f64>)> = (comparison.summary.metrics.0.iter())
        .map(|(metric, s)| (metric.label().to_owned(), s.median))
        .collect();
    rows.push(("matched top-1".into(), comparison.summary.matched.median));
    let names: Vec<String> = rows.iter().map(|(n, _)| n.clone()).collect();
    let bars: Vec<Bar> = (rows.iter().enumerate())
        .filter_map(|(i, (name, median))| {
            Some(Bar::new(i as f64, (*median)? * 100.0).name(name).width(0.6))
        })
        .collect();
    Plot::new("compare_gaps")
        .height(220.0)
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            match (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                true => names.get(i as usize).cloned().unwrap_or_default(),
                false => String::new(),
            }
        })
        .show(ui, |plot| plot.bar_chart(BarChart::new("median gap", bars)));
}

fn curves(ui: &mut egui::Ui, comparison: &Comparison, chosen: &mut Option<String>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Accuracy against uncertainty").strong());
        egui::ComboBox::from_id_salt("curve_model")
            .selected_text(chosen.as_deref().unwrap_or("-"))
            .show_ui(ui, |ui| {
                for model in &comparison.models {
                    ui.selectable_value(chosen, Some(model.model.clone()), &model.model);
                }
            });
    });
    let Some(model) = chosen.as_deref().and_then(|name| comparison.model(name)) else {
        return;
    };
    let side = |pick: fn(&crate::compare::BinPoint) -> Option<f64>| {
        (model.matched.curve.iter())
            .filter_map(|b| Some([(b.lo + b.hi) / 2.0, pick(b)? * 100.0]))
            .collect::<Vec<_>>()
    };
    Plot::new("compare_curves")
        .height(220.0)
        .legend(Legend::default())
        .include_y(0.0)
        .include_y(100.0)
        .show(ui, |plot| {
            plot.line(Line::new(
                comparison.source.clone(),
                PlotPoints::from(side(|b| b.source)),
            ));
            plot.line(Line::new(
                comparison.target.clone(),
                PlotPoints::from(side(|b| b.target)),
            ));
        });
}

/// Per model the raw and matched top-1 gaps; a model's button filters the queue.
fn table(ui: &mut egui::Ui, comparison: &Comparison) -> Option<String> {
    let mut clicked = None;
    let percent = |v: Option<f64>| v.map_or("–".into(), |v| format!("{:.2}", v * 100.0));
    egui::Grid::new("compare_table")
        .striped(true)
        .show(ui, |ui| {
            for header in [
                "model",
                "top-1 source",
                "top-1 target",
                "gap",
                "matched gap",
            ] {
                ui.label(RichText::new(header).strong());
            }
            ui.end_row();
            for model in &comparison.models {
                let top1 = model.metrics.get(Metric::Top1);
                if ui
                    .button(&model.model)
                    .on_hover_text("show its pairs on the target in the queue")
                    .clicked()
                {
                    clicked = Some(model.model.clone());
                }
                ui.label(percent(top1.and_then(|s| s.source)));
                ui.label(percent(top1.and_then(|s| s.target)));
                ui.label(percent(top1.and_then(|s| s.gap)));
                ui.label(percent(model.matched.gap));
                ui.end_row();
            }
        });
    clicked
}
