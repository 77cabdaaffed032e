//! The comparison window's table of per-model figures, and its summary, fit and warnings.

use super::*;

/// One row per model; its name sends the queue to its mistakes on the target, the chart
/// button draws its curves. Returns the model whose name was clicked.
pub(super) fn table(
    ui: &mut egui::Ui,
    comparison: &Comparison,
    curves: Option<&str>,
    choices: &mut CompareChoices,
) -> Option<String> {
    let metrics = drawn_metrics(comparison);
    let headings = table_headings(comparison, &metrics);
    let mut clicked = None;
    ui.label(
        RichText::new(format!(
            "Figures in %, gaps in points (source minus target). Click a model to review its \
             mistakes on {}; 📈 draws its curves.",
            comparison.target
        ))
        .weak(),
    );
    // Each model's cells, formatted once per frame: the rows draw them and the sort reads them.
    let cells: Vec<Vec<Cell>> = (comparison.models.iter())
        .map(|model| model_cells(model, &metrics))
        .collect();
    let order = sorted_rows(comparison, &cells, choices.sort);
    egui::ScrollArea::horizontal().show(ui, |ui| {
        egui_extras::TableBuilder::new(ui)
            .striped(true)
            .auto_shrink([false, true])
            .column(Column::auto().at_least(150.0))
            .column(Column::auto())
            .columns(Column::auto().at_least(64.0), headings.len() - 2)
            .header(ROW + 14.0, |mut header| {
                for (column, heading) in headings.iter().enumerate() {
                    // The chart buttons' column sorts nothing; the others sort by a click.
                    let sort_column = match column {
                        0 => Some(0),
                        1 => None,
                        figure => Some(figure - 1),
                    };
                    header.col(|ui| {
                        let Some(sort_column) = sort_column else {
                            return;
                        };
                        sort_heading(ui, heading, sort_column, &mut choices.sort);
                    });
                }
            })
            .body(|body| {
                body.rows(ROW, order.len(), |mut row| {
                    let index = order[row.index()];
                    let model = &comparison.models[index];
                    let left_out = comparison.left_out.contains(&model.model);
                    row.set_selected(curves == Some(model.model.as_str()));
                    row.col(|ui| {
                        if model_link(ui, comparison, model, left_out).clicked() {
                            clicked = Some(model.model.clone());
                        }
                    });
                    row.col(|ui| {
                        if ui
                            .small_button("📈")
                            .on_hover_text("draw its curves")
                            .clicked()
                        {
                            choices.curves = Some(model.model.clone());
                            choices.tab = Tab::Curves;
                        }
                    });
                    for cell in &cells[index] {
                        row.col(|ui| {
                            ui.label(&cell.text);
                        });
                    }
                });
            });
    });
    clicked
}

/// The model's name, a link to its mistakes on the target; greyed when left out of the fit.
fn model_link(
    ui: &mut egui::Ui,
    comparison: &Comparison,
    model: &ModelComparison,
    left_out: bool,
) -> egui::Response {
    let mut text = RichText::new(&model.model);
    if left_out {
        text = text.color(LEFT_OUT);
    }
    let hover = format!(
        "review {}'s mistakes on {}{}",
        model.model,
        comparison.target,
        if left_out {
            " (left out of the fit and summary: see the warnings)"
        } else {
            ""
        }
    );
    ui.link(text).on_hover_text(hover)
}

/// The table's column headings: the model, its chart button, each metric's sides and gap,
/// the matched top-1 and the residuals.
fn table_headings(comparison: &Comparison, metrics: &[Metric]) -> Vec<String> {
    let mut headings = vec!["model".to_owned(), String::new()];
    for metric in metrics {
        headings.push(format!("{} {}", metric.label(), comparison.source));
        headings.push(format!("{} {}", metric.label(), comparison.target));
        headings.push(format!("{} gap", metric.label()));
    }
    headings.extend(
        [
            "matched images",
            "matched source",
            "matched target",
            "matched gap",
            "residual (points)",
            "residual (probit)",
        ]
        .map(String::from),
    );
    headings
}

/// A heading that sorts by its column on a click, again to reverse; the arrow shows the order.
fn sort_heading(
    ui: &mut egui::Ui,
    heading: &str,
    sort_column: usize,
    sort: &mut Option<(usize, bool)>,
) {
    let arrow = match *sort {
        Some((sorted, true)) if sorted == sort_column => " ⏷",
        Some((sorted, false)) if sorted == sort_column => " ⏶",
        _ => "",
    };
    let text = RichText::new(format!("{heading}{arrow}")).strong();
    let label = ui.add(egui::Label::new(text).wrap().sense(egui::Sense::click()));
    if label
        .on_hover_text("sort by this column; again to reverse")
        .clicked()
    {
        *sort = Some(match *sort {
            Some((sorted, largest_first)) if sorted == sort_column => (sort_column, !largest_first),
            // Names read A to Z first; figures largest first.
            _ => (sort_column, sort_column != 0),
        });
    }
}

/// The models' indices in the table's order: by the chosen column, models without a figure
/// there last, ties by name.
fn sorted_rows(
    comparison: &Comparison,
    cells: &[Vec<Cell>],
    sort: Option<(usize, bool)>,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..comparison.models.len()).collect();
    let name = |i: usize| comparison.models[i].model.as_str();
    match sort {
        None => {}
        Some((0, largest_first)) => order.sort_by(|&a, &b| {
            let by_name = name(a).cmp(name(b));
            if largest_first {
                by_name.reverse()
            } else {
                by_name
            }
        }),
        Some((column, largest_first)) => {
            let keyed: Vec<Option<f64>> = (cells.iter())
                .map(|row| row.get(column - 1).and_then(|cell| cell.value))
                .collect();
            order.sort_by(|&a, &b| {
                let by_value = match (keyed[a], keyed[b]) {
                    (Some(x), Some(y)) if largest_first => y.total_cmp(&x),
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                };
                by_value.then_with(|| name(a).cmp(name(b)))
            });
        }
    }
    order
}

/// One figure of the table: its value, which the table sorts by, and how it reads.
struct Cell {
    value: Option<f64>,
    text: String,
}

/// A model's figures after its name, in the order of the table's headings.
fn model_cells(model: &ModelComparison, metrics: &[Metric]) -> Vec<Cell> {
    let cell = |value: Option<f64>, text: fn(Option<f64>) -> String| Cell {
        value,
        text: text(value),
    };
    let mut cells = Vec::new();
    for &metric in metrics {
        let sides = model.metrics.get(metric);
        cells.push(cell(sides.and_then(|s| s.source), percent));
        cells.push(cell(sides.and_then(|s| s.target), percent));
        cells.push(cell(sides.and_then(|s| s.gap), points));
    }
    let matched = &model.matched;
    cells.extend([
        Cell {
            value: Some(matched.images as f64),
            text: matched.images.to_string(),
        },
        cell(matched.source, percent),
        cell(matched.target, percent),
        cell(matched.gap, points),
        cell(model.residual.linear, points),
        cell(model.residual.probit, |r| {
            r.map_or("–".into(), |r| format!("{r:+.3}"))
        }),
    ]);
    cells
}

/// The spread of the gaps, the fits, the models on one side only, and every warning.
pub(super) fn summary(ui: &mut egui::Ui, comparison: &Comparison) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        gaps_grid(ui, comparison);
        let missing: Vec<&str> = (comparison.summary.metrics.0.iter())
            .filter(|(_, s)| s.median.is_none())
            .map(|(m, _)| m.label())
            .collect();
        if !missing.is_empty() {
            ui.label(format!(
                "No gap for {}: a side lacks the labels they need (ReaL labels, multi-labels).",
                missing.join(", ")
            ));
        }
        ui.add_space(8.0);
        fits_grid(ui, comparison);
        ui.add_space(8.0);
        for (side, models) in [
            (&comparison.source, &comparison.only_target),
            (&comparison.target, &comparison.only_source),
        ] {
            if !models.is_empty() {
                ui.label(format!(
                    "Not on {side}, so not compared: {}",
                    models.join(", ")
                ));
            }
        }
        if !comparison.left_out.is_empty() {
            ui.label(format!(
                "Left out of the fits and the summary (sanity warnings): {}",
                comparison.left_out.join(", ")
            ));
        }
        ui.add_space(8.0);
        ui.label(RichText::new(format!("Warnings ({})", comparison.warnings.len())).strong());
        for warning in &comparison.warnings {
            ui.colored_label(theme::WARN, format!("⚠ {}", warning.message));
        }
    });
}

/// The spread of each metric's gaps over the models, and of the matched top-1's.
fn gaps_grid(ui: &mut egui::Ui, comparison: &Comparison) {
    ui.label(RichText::new("Gaps over the models (points)").strong());
    egui::Grid::new("compare summary")
        .striped(true)
        .show(ui, |ui| {
            for heading in ["gap", "min", "median", "max", "under 1 point"] {
                ui.label(RichText::new(heading).strong());
            }
            ui.end_row();
            let mut rows: Vec<(&str, &GapSummary)> = (comparison.summary.metrics.0.iter())
                .filter(|(_, s)| s.median.is_some())
                .map(|(m, s)| (m.label(), s))
                .collect();
            rows.push(("matched top-1", &comparison.summary.matched));
            for (name, s) in rows {
                ui.label(name);
                ui.label(points(s.min));
                ui.label(points(s.median));
                ui.label(points(s.max));
                ui.label(s.under_one_point.to_string());
                ui.end_row();
            }
        });
}

/// Each metric's least-squares fit, on the plain and the probit scale.
fn fits_grid(ui: &mut egui::Ui, comparison: &Comparison) {
    ui.label(RichText::new("Target against source, least squares").strong());
    egui::Grid::new("compare fits")
        .striped(true)
        .show(ui, |ui| {
            for heading in ["metric", "models", "scale", "slope", "intercept", "R²"] {
                ui.label(RichText::new(heading).strong());
            }
            ui.end_row();
            for (metric, fit) in &comparison.fit.0 {
                for scale in [Scale::Plain, Scale::Probit] {
                    let Some(line) = fit.on(scale) else { continue };
                    ui.label(metric.label());
                    ui.label(fit.models.to_string());
                    ui.label(scale.as_str());
                    ui.label(format!("{:.3}", line.slope));
                    ui.label(format!("{:.3}", line.intercept));
                    ui.label(format!("{:.3}", line.r2));
                    ui.end_row();
                }
            }
        });
}
