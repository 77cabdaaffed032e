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
    let mut headings = vec!["model".to_owned(), String::new()];
    for metric in &metrics {
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
    let mut clicked = None;
    ui.label(
        RichText::new(format!(
            "Figures in %, gaps in points (source minus target). Click a model to review its \
             mistakes on {}; 📈 draws its curves.",
            comparison.target
        ))
        .weak(),
    );
    egui::ScrollArea::horizontal().show(ui, |ui| {
        egui_extras::TableBuilder::new(ui)
            .striped(true)
            .auto_shrink([false, true])
            .column(Column::auto().at_least(150.0))
            .column(Column::auto())
            .columns(Column::auto().at_least(64.0), headings.len() - 2)
            .header(ROW + 14.0, |mut header| {
                for heading in &headings {
                    header.col(|ui| {
                        ui.add(egui::Label::new(RichText::new(heading).strong()).wrap());
                    });
                }
            })
            .body(|body| {
                body.rows(ROW, comparison.models.len(), |mut row| {
                    let model = &comparison.models[row.index()];
                    let left_out = comparison.left_out.contains(&model.model);
                    row.set_selected(curves == Some(model.model.as_str()));
                    row.col(|ui| {
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
                        if ui.link(text).on_hover_text(hover).clicked() {
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
                    for cell in model_cells(model, &metrics) {
                        row.col(|ui| {
                            ui.label(cell);
                        });
                    }
                });
            });
    });
    clicked
}

/// A model's figures after its name, in the order of the table's headings.
fn model_cells(model: &ModelComparison, metrics: &[Metric]) -> Vec<String> {
    let mut cells = Vec::new();
    for &metric in metrics {
        let sides = model.metrics.get(metric);
        cells.push(percent(sides.and_then(|s| s.source)));
        cells.push(percent(sides.and_then(|s| s.target)));
        cells.push(points(sides.and_then(|s| s.gap)));
    }
    let matched = &model.matched;
    cells.extend([
        matched.images.to_string(),
        percent(matched.source),
        percent(matched.target),
        points(matched.gap),
        points(model.residual.linear),
        model
            .residual
            .probit
            .map_or("–".into(), |r| format!("{r:+.3}")),
    ]);
    cells
}

/// The spread of the gaps, the fits, the models on one side only, and every warning.
pub(super) fn summary(ui: &mut egui::Ui, comparison: &Comparison) {
    egui::ScrollArea::vertical().show(ui, |ui| {
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
