//! Live metrics under the image (per model, updated after every vote) and the plots window.

use super::Desk;
use super::item::category_name;
use crate::metrics::ModelReport;
use crate::panel::live::DecisionShares;
use egui::RichText;
use egui_extras::Column;
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};

fn percent(value: Option<f64>) -> String {
    value.map_or("–".into(), |v| format!("{:.2}", v * 100.0))
}

impl Desk {
    pub(super) fn metrics_panel(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("metrics")
            .resizable(true)
            .default_size(210.0)
            .show(ui, |ui| {
                let Some(review) = &self.review else {
                    return;
                };
                let report = review.live.report();
                let (mine, decided) = review.reviewed_counts();
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("Live metrics").strong());
                    ui.label(format!(
                        "· {} images · {} pairs reviewed, {} pending · I voted on {mine}",
                        report.images,
                        decided,
                        review.queue.len() - decided
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
                metrics_table(ui, &report.models, report.slice.as_deref());
            });
    }

    pub(super) fn plots_window(&mut self, ctx: &egui::Context) {
        let Some(review) = &self.review else {
            return;
        };
        let report = review.live.report();
        let shares = review.live.shares();
        let mut open = true;
        egui::Window::new("Plots")
            .open(&mut open)
            .default_size([760.0, 620.0])
            .show(ctx, |ui| {
                ui.label(RichText::new("MLA per model, before and after review (%)").strong());
                let names: Vec<String> = report.models.iter().map(|m| m.model.clone()).collect();
                Plot::new("before_after")
                    .height(200.0)
                    .legend(Legend::default())
                    .allow_scroll(false)
                    .include_y(0.0)
                    .include_y(100.0)
                    .x_axis_formatter(move |mark, _| {
                        whole(mark.value)
                            .and_then(|i| names.get(i).cloned())
                            .unwrap_or_default()
                    })
                    .show(ui, |plot| {
                        let bars = |offset: f64, value: fn(&ModelReport) -> Option<f64>| {
                            (report.models.iter().enumerate())
                                .filter_map(|(i, m)| {
                                    Some(
                                        Bar::new(i as f64 + offset, value(m)? * 100.0)
                                            .width(0.4)
                                            .name(&m.model),
                                    )
                                })
                                .collect::<Vec<_>>()
                        };
                        plot.bar_chart(BarChart::new("imported labels", bars(-0.2, |m| m.mla)));
                        plot.bar_chart(BarChart::new(
                            "after review",
                            bars(0.2, |m| m.mla_relabeled),
                        ));
                    });
                ui.label(RichText::new("Subgroup accuracy by number of valid labels (%)").strong());
                Plot::new("subgroups")
                    .height(180.0)
                    .include_y(0.0)
                    .include_y(100.0)
                    .x_axis_label("valid labels per image (group g)")
                    .legend(Legend::default())
                    .allow_scroll(false)
                    .show(ui, |plot| {
                        for model in report.models.iter().take(8) {
                            let points: Vec<[f64; 2]> = (model.subgroups.iter())
                                .filter_map(|(g, a)| Some([g.parse::<f64>().ok()?, (*a)? * 100.0]))
                                .collect();
                            plot.line(Line::new(model.model.clone(), PlotPoints::from(points)));
                        }
                    });
                ui.label(RichText::new("Decisions: category and severity of wrong pairs").strong());
                let share_names: Vec<&str> = (shares.categories.iter())
                    .map(|(c, _)| category_name(*c))
                    .chain([""])
                    .chain(shares.severities.iter().map(|(s, _)| s.as_str()))
                    .collect();
                Plot::new("shares")
                    .height(160.0)
                    .legend(Legend::default())
                    .allow_scroll(false)
                    .include_y(0.0)
                    .y_axis_label("pairs")
                    .x_axis_formatter(move |mark, _| {
                        let name = whole(mark.value).and_then(|i| share_names.get(i));
                        name.map_or(String::new(), |s| s.to_string())
                    })
                    .show(ui, |plot| {
                        let categories = (shares.categories.iter().enumerate())
                            .map(|(i, (c, n))| {
                                Bar::new(i as f64, *n as f64).name(category_name(*c))
                            })
                            .collect();
                        plot.bar_chart(BarChart::new("category", categories));
                        let severities = (shares.severities.iter().enumerate())
                            .map(|(i, (s, n))| Bar::new(5.0 + i as f64, *n as f64).name(s.as_str()))
                            .collect();
                        plot.bar_chart(BarChart::new("severity", severities));
                    });
                if report.models.len() > 8 {
                    ui.label(RichText::new("Subgroup lines: the first 8 models.").weak());
                }
            });
        self.show_plots = open;
    }
}

/// The index a grid mark stands for, when it falls on a bar.
fn whole(value: f64) -> Option<usize> {
    (value >= 0.0 && value.fract() == 0.0).then_some(value as usize)
}

fn shares_summary(ui: &mut egui::Ui, shares: &DecisionShares) {
    let listed = |items: Vec<(String, usize)>| {
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
            .map(|(c, n)| (category_name(*c).to_owned(), *n))
            .collect(),
    );
    let severities = listed(
        shares
            .severities
            .iter()
            .map(|(s, n)| (s.as_str().to_owned(), *n))
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

/// One row per model, the header kept in view while the rows scroll (67 models and more).
fn metrics_table(ui: &mut egui::Ui, models: &[ModelReport], slice: Option<&str>) {
    let slice = slice.unwrap_or("slice");
    let headings = [
        "model",
        "top-1",
        "ReaL",
        "MLA",
        "MLA re-labeled",
        "ASMA",
        slice,
    ];
    egui_extras::TableBuilder::new(ui)
        .striped(true)
        .auto_shrink(false)
        .column(Column::auto().at_least(150.0))
        .columns(Column::auto().at_least(56.0), 5)
        .column(Column::remainder())
        .header(20.0, |mut header| {
            for heading in headings {
                header.col(|ui| {
                    ui.label(RichText::new(heading).strong());
                });
            }
        })
        .body(|body| {
            body.rows(18.0, models.len(), |mut row| {
                let model = &models[row.index()];
                for cell in model_cells(model) {
                    row.col(|ui| {
                        ui.label(cell);
                    });
                }
            });
        });
}

/// The table's cells for one model, in the order of its headings.
fn model_cells(model: &ModelReport) -> [String; 7] {
    let change = match (model.mla, model.mla_relabeled) {
        (Some(before), Some(after)) if (after - before).abs() > 1e-12 => {
            format!(" ({:+.2})", (after - before) * 100.0)
        }
        _ => String::new(),
    };
    let slice = model.imagenet_m.map_or("–".into(), |s| {
        let [low, high] = s.ci95;
        format!(
            "{}/{} [{:.0}–{:.0}%]",
            s.correct,
            s.total,
            low * 100.0,
            high * 100.0
        )
    });
    [
        model.model.clone(),
        percent(model.top1),
        percent(model.real),
        percent(model.mla),
        format!("{}{change}", percent(model.mla_relabeled)),
        match model.asma_is_partial() {
            true => format!("{} (g ≤ {})", percent(model.asma), model.asma_groups),
            false => percent(model.asma),
        },
        slice,
    ]
}
