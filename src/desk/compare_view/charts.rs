//! The comparison window's plots, drawn with egui_plot: source against target per model on
//! plain or probit axes, the gaps per metric, raw against matched gap, one model's curves.

use super::*;
use crate::numbers::axis_percent;

/// One dot per model, source against target, y = x and the fitted line.
pub(super) fn scatter_tab(
    ui: &mut egui::Ui,
    comparison: &Comparison,
    choices: &mut CompareChoices,
) -> Option<String> {
    let metrics = drawn_metrics(comparison);
    if !metrics.contains(&choices.metric)
        && let Some(&first) = metrics.first()
    {
        choices.metric = first;
    }
    ui.horizontal(|ui| {
        for &metric in &metrics {
            ui.selectable_value(&mut choices.metric, metric, metric.label());
        }
        ui.separator();
        ui.selectable_value(&mut choices.scale, Scale::Plain, "plain axes");
        ui.selectable_value(&mut choices.scale, Scale::Probit, "probit axes");
    });
    let (metric, scale) = (choices.metric, choices.scale);
    let dots: Vec<Dot> = (comparison.models.iter())
        .filter_map(|m| {
            let sides = m.metrics.get(metric)?;
            Some(Dot::of(comparison, m, sides.source?, sides.target?))
        })
        .collect();
    let fit = comparison.fit.get(metric).and_then(|f| f.on(scale));
    let mut lines = vec![("y = x", 1.0, 0.0, theme::TEXT)];
    if let Some(fit) = fit {
        lines.push(("fitted line", fit.slope, fit.intercept, TARGET));
    }
    let mut note = match (fit, comparison.fit.get(metric)) {
        (Some(fit), Some(of)) => format!(
            "Fit through {} models ({} scale): slope {:.3}, intercept {:.3}, R² {:.3}",
            of.models,
            scale.as_str(),
            fit.slope,
            fit.intercept,
            fit.r2
        ),
        _ => "Too few models for a fit.".into(),
    };
    if metric == Metric::Top1 {
        note.push_str(&furthest_from_the_line(comparison, scale));
    }
    let chart = Scatter {
        id: "compare scatter",
        axes: Axes::Accuracy(scale),
        x: (comparison.source.as_str(), metric.label()),
        y: (comparison.target.as_str(), metric.label()),
        lines: &lines,
        whiskers: None,
        note: &note,
    };
    chart.show(ui, &dots)
}

/// The models furthest above and below the top-1 line (effective robustness, Recht et al.),
/// as lines for the scatter's note.
fn furthest_from_the_line(comparison: &Comparison, scale: Scale) -> String {
    const SHOWN: usize = 5;
    let mut residuals: Vec<(f64, &str)> = (comparison.models.iter())
        .filter(|m| !comparison.left_out.contains(&m.model))
        .filter_map(|m| {
            let residual = match scale {
                Scale::Plain => m.residual.linear? * 100.0,
                Scale::Probit => m.residual.probit?,
            };
            Some((residual, m.model.as_str()))
        })
        .collect();
    residuals.sort_by(|a, b| b.0.total_cmp(&a.0));
    // A probit unit is a standard deviation: two decimals would round most residuals to 0.
    let (unit, decimals) = match scale {
        Scale::Plain => ("points", 2),
        Scale::Probit => ("probit units", 3),
    };
    let listed = |models: Vec<&(f64, &str)>| -> String {
        (models.iter())
            .map(|(r, name)| format!("\n   {name} {r:+.decimals$}"))
            .collect()
    };
    let above = residuals.iter().take(SHOWN).filter(|(r, _)| *r > 0.0);
    let below = residuals.iter().rev().take(SHOWN).filter(|(r, _)| *r < 0.0);
    format!(
        "\n\nFurthest above the line ({unit}):{}\n\nFurthest below:{}",
        listed(above.collect()),
        listed(below.collect()),
    )
}

/// Per model, the raw top-1 gap against the matched one.
pub(super) fn raw_vs_matched_plot(ui: &mut egui::Ui, comparison: &Comparison) -> Option<String> {
    let dots: Vec<Dot> = (comparison.models.iter())
        .filter_map(|m| {
            let raw = m.metrics.get(Metric::Top1)?.gap?;
            let dot = Dot::of(comparison, m, raw, m.matched.gap?);
            Some(Dot {
                spread: m.matched.gap_sd,
                ..dot
            })
        })
        .collect();
    let lines = [
        ("matched = raw", 1.0, 0.0, theme::TEXT),
        ("no gap", 0.0, 0.0, LEFT_OUT),
    ];
    let note = format!(
        "Top-1 gap in points, {} minus {}; the matched gap is the mean over {} draws, its \
         whisker ± 1 sd. Below the diagonal, matching on {} uncertainty shrinks the model's \
         gap.",
        comparison.source, comparison.target, comparison.draws, comparison.uncertainty
    );
    let whiskers = format!(
        "| ± 1 sd of the matched gap over {} draws",
        comparison.draws
    );
    let chart = Scatter {
        id: "compare raw vs matched",
        axes: Axes::Gap,
        x: ("raw", "top-1 gap"),
        y: ("matched", "top-1 gap"),
        lines: &lines,
        whiskers: Some(&whiskers),
        note: &note,
    };
    chart.show(ui, &dots)
}

/// A model's point in a scatter.
struct Dot<'a> {
    model: &'a str,
    x: f64,
    y: f64,
    /// The standard deviation of `y`, drawn as a whisker (the matched gap's over the draws).
    spread: Option<f64>,
    left_out: bool,
}

impl<'a> Dot<'a> {
    fn of(comparison: &Comparison, model: &'a ModelComparison, x: f64, y: f64) -> Self {
        Dot {
            model: &model.model,
            x,
            y,
            spread: None,
            left_out: comparison.left_out.contains(&model.model),
        }
    }
}

/// How a scatter's axes read: accuracies on a plain or probit scale, or gaps in points.
#[derive(Clone, Copy)]
enum Axes {
    Accuracy(Scale),
    Gap,
}

impl Axes {
    /// A value (accuracy or gap) as a position on the axis.
    fn axis_at(self, value: f64) -> f64 {
        match self {
            Axes::Accuracy(scale) => scale.transform(value),
            Axes::Gap => value,
        }
    }

    /// The value at a position on the axis.
    fn value_at(self, value: f64) -> f64 {
        match self {
            Axes::Accuracy(scale) => scale.inverse(value),
            Axes::Gap => value,
        }
    }

    /// Grid lines at round accuracies (or gaps), in axis units.
    fn marks(self, input: GridInput) -> Vec<GridMark> {
        let (lo, hi) = input.bounds;
        (self
            .round_values(self.value_at(lo), self.value_at(hi))
            .into_iter())
        .map(|value| GridMark {
            value: self.axis_at(value),
            step_size: (hi - lo) / 4.0,
        })
        .collect()
    }

    /// Round values from `a` to `b`: evenly spaced, or on a probit axis, which stretches the
    /// tails, the accuracies a reader looks for there (1%, 2%, 5%, ..., 95%, 99%).
    fn round_values(self, a: f64, b: f64) -> Vec<f64> {
        const PROBIT: [f64; 15] = [
            0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99,
        ];
        if let Axes::Accuracy(Scale::Probit) = self {
            let inside: Vec<f64> = PROBIT.into_iter().filter(|v| (a..=b).contains(v)).collect();
            if inside.len() >= 3 {
                return inside;
            }
        }
        let step = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
            .into_iter()
            .find(|&step| (b - a) / step <= 8.0)
            .unwrap_or(0.25);
        let first = (a / step).ceil() as i64;
        let last = (b / step).floor() as i64;
        // Rounded so that 14 × 0.05 is 0.7, not 0.7000000000000001.
        (first..=last)
            .map(|i| (i as f64 * step * 1e9).round() / 1e9)
            .collect()
    }
}

/// A square scatter of models, reference lines and a note beside it.
struct Scatter<'a> {
    id: &'a str,
    axes: Axes,
    /// Each axis: the dataset or kind of figure, and the figure ("v2", "top-1").
    x: (&'a str, &'a str),
    y: (&'a str, &'a str),
    /// Name, slope and intercept in axis units, colour.
    lines: &'a [(&'a str, f64, f64, Color32)],
    /// The legend of the dots' whiskers, where they have a spread.
    whiskers: Option<&'a str>,
    note: &'a str,
}

impl Scatter<'_> {
    /// Draws the dots and returns the model whose dot was clicked.
    fn show(&self, ui: &mut egui::Ui, dots: &[Dot]) -> Option<String> {
        let axes = self.axes;
        let at: Vec<[f64; 2]> = (dots.iter())
            .map(|d| [axes.axis_at(d.x), axes.axis_at(d.y)])
            .collect();
        let (lo, hi) = self.bounds(dots, &at);
        let side = ui.available_width().min(ui.available_height()).max(260.0) - 30.0;
        let unit = match axes {
            Axes::Accuracy(_) => "%",
            Axes::Gap => "points",
        };
        let mut picked = None;
        ui.horizontal_top(|ui| {
            let response = Plot::new(self.id)
                .width(side.min(ui.available_width() - 260.0).max(240.0))
                .height(side)
                .include_x(lo)
                .include_x(hi)
                .include_y(lo)
                .include_y(hi)
                .allow_scroll(false)
                .x_axis_label(format!("{} on {} ({unit})", self.x.1, self.x.0))
                .y_axis_label(format!("{} on {} ({unit})", self.y.1, self.y.0))
                .x_grid_spacer(move |input| axes.marks(input))
                .y_grid_spacer(move |input| axes.marks(input))
                .x_axis_formatter(move |mark, _| axis_percent(axes.value_at(mark.value)))
                .y_axis_formatter(move |mark, _| axis_percent(axes.value_at(mark.value)))
                .label_formatter(|position| match position {
                    HoverPosition::NearDataPoint {
                        plot_name, index, ..
                    } => Some(match *plot_name {
                        "models" | "models left out" => self.dot_label(dots, plot_name, *index),
                        line => line.to_owned(),
                    }),
                    HoverPosition::Elsewhere { .. } => None,
                })
                .show(ui, |plot| self.draw(plot, dots, &at, (lo, hi)));
            if response.response.clicked()
                && let Some(pointer) = response.response.interact_pointer_pos()
            {
                let distance = |p: &[f64; 2]| {
                    let point = PlotPoint::new(p[0], p[1]);
                    response
                        .transform
                        .position_from_point(&point)
                        .distance(pointer)
                };
                picked = (at.iter().enumerate())
                    .map(|(i, p)| (distance(p), i))
                    .filter(|(d, _)| *d <= PICK_RADIUS)
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, i)| dots[i].model.to_owned());
            }
            ui.vertical(|ui| self.legend(ui, dots));
        });
        picked
    }

    /// The square the plot shows, in axis units: every dot and whisker with a margin.
    fn bounds(&self, dots: &[Dot], at: &[[f64; 2]]) -> (f64, f64) {
        let axes = self.axes;
        let whisker_ends = (dots.iter())
            .filter_map(|d| Some([d.y - d.spread?, d.y + d.spread?]))
            .flatten()
            .map(|v| axes.axis_at(v));
        let (lo, hi) = (at.iter().flatten().copied())
            .chain(whisker_ends)
            .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (lo, hi) = match lo <= hi {
            true => (lo, hi),
            false => (axes.axis_at(0.0), axes.axis_at(1.0)),
        };
        let margin = ((hi - lo) * 0.08).max(0.01);
        (lo - margin, hi + margin)
    }

    /// The reference lines, the whiskers, and the dots, those left out of the fit apart.
    fn draw(
        &self,
        plot: &mut egui_plot::PlotUi,
        dots: &[Dot],
        at: &[[f64; 2]],
        (lo, hi): (f64, f64),
    ) {
        for &(name, slope, intercept, color) in self.lines {
            let ends = [lo, hi].map(|x| [x, slope * x + intercept]);
            plot.line(Line::new(name, PlotPoints::from(ends.to_vec())).color(color));
        }
        for (dot, &[x, _]) in dots.iter().zip(at) {
            let Some(spread) = dot.spread else { continue };
            let color = if dot.left_out { LEFT_OUT } else { SOURCE };
            let ends = [dot.y - spread, dot.y + spread].map(|y| [x, self.axes.axis_at(y)]);
            plot.line(
                Line::new("± 1 sd", PlotPoints::from(ends.to_vec()))
                    .color(color)
                    .allow_hover(false),
            );
        }
        for (name, left_out, color) in [
            ("models", false, SOURCE),
            ("models left out", true, LEFT_OUT),
        ] {
            let points: Vec<[f64; 2]> = (dots.iter().zip(at))
                .filter(|(d, _)| d.left_out == left_out)
                .map(|(_, p)| *p)
                .collect();
            plot.points(Points::new(name, points).radius(4.0).color(color));
        }
    }

    fn legend(&self, ui: &mut egui::Ui, dots: &[Dot]) {
        ui.set_max_width(250.0);
        let left_out = dots.iter().filter(|d| d.left_out).count();
        ui.colored_label(SOURCE, format!("■ {} models", dots.len() - left_out));
        if left_out > 0 {
            ui.colored_label(
                LEFT_OUT,
                format!("■ {left_out} left out of the fit (sanity warnings)"),
            );
        }
        if let Some(whiskers) = self
            .whiskers
            .filter(|_| dots.iter().any(|d| d.spread.is_some()))
        {
            ui.colored_label(SOURCE, whiskers);
        }
        for &(name, _, _, color) in self.lines {
            ui.colored_label(color, format!("— {name}"));
        }
        ui.add_space(8.0);
        ui.label(self.note);
        ui.add_space(8.0);
        ui.label(
            RichText::new("Hover a dot for its model; click it to review its mistakes.").weak(),
        );
    }

    /// "resnet152 · top-1 on val 78.31, on v2 67.02" for the index-th dot of the named series.
    fn dot_label(&self, dots: &[Dot], series: &str, index: usize) -> String {
        let left_out = series != "models";
        let value = |v: f64| match self.axes {
            Axes::Accuracy(_) => format!("{}%", percent(Some(v))),
            Axes::Gap => format!("{} points", points(Some(v))),
        };
        (dots.iter().filter(|d| d.left_out == left_out).nth(index))
            .map(|d| {
                format!(
                    "{}\n{} on {}: {}\n{} on {}: {}",
                    d.model,
                    self.x.1,
                    self.x.0,
                    value(d.x),
                    self.y.1,
                    self.y.0,
                    value(d.y)
                )
            })
            .unwrap_or_default()
    }
}

/// The gap of each metric over the models: the median as a bar, a whisker from the smallest
/// to the largest.
pub(super) fn gaps_plot(ui: &mut egui::Ui, comparison: &Comparison) {
    let mut rows: Vec<(String, GapSummary)> = (comparison.summary.metrics.0.iter())
        .filter(|(_, s)| s.median.is_some())
        .map(|(metric, s)| (metric.label().to_owned(), *s))
        .collect();
    rows.push(("matched top-1".into(), comparison.summary.matched));
    let names: Vec<String> = rows.iter().map(|(name, _)| name.clone()).collect();
    let bars: Vec<Bar> = (rows.iter().enumerate())
        .filter_map(|(i, (name, s))| {
            let color = if i + 1 == rows.len() { TARGET } else { SOURCE };
            Some(
                Bar::new(i as f64, s.median? * 100.0)
                    .width(0.6)
                    .name(format!(
                        "{name}: median {} points (models from {} to {}; {} under 1 point)",
                        points(s.median),
                        points(s.min),
                        points(s.max),
                        s.under_one_point
                    ))
                    .fill(color),
            )
        })
        .collect();
    ui.label(format!(
        "Gap, {} minus {}, over the models the summary counts: the median as a bar, the \
         smallest to the largest as a whisker.",
        comparison.source, comparison.target
    ));
    let count = rows.len();
    Plot::new("compare gaps")
        .height(ui.available_height().max(240.0))
        .include_y(0.0)
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .y_axis_label("gap (percentage points)")
        .x_grid_spacer(move |_| {
            (0..count)
                .map(|i| GridMark {
                    value: i as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .x_axis_formatter(move |mark, _| match mark.value.fract() == 0.0 {
            true => names.get(mark.value as usize).cloned().unwrap_or_default(),
            false => String::new(),
        })
        .label_formatter(|_| None)
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new("gaps", bars).element_formatter(Box::new(|bar, _| bar.name.clone())),
            );
            for (i, (_, s)) in rows.iter().enumerate() {
                let (Some(min), Some(max)) = (s.min, s.max) else {
                    continue;
                };
                let x = i as f64;
                let whisker = [[x, min * 100.0], [x, max * 100.0]];
                plot.line(
                    Line::new("whisker", PlotPoints::from(whisker.to_vec()))
                        .color(theme::TEXT)
                        .allow_hover(false),
                );
            }
        });
}

/// A model picker and its accuracy-versus-uncertainty curves on both sides.
pub(super) fn curves_tab(
    ui: &mut egui::Ui,
    comparison: &Comparison,
    choices: &mut CompareChoices,
    shown: Option<&str>,
) {
    let Some(model) = shown.and_then(|name| comparison.model(name)) else {
        ui.label("No model to draw.");
        return;
    };
    curves_model_choice(ui, comparison, model, choices);
    let curve = &model.matched.curve;
    let series = |side: fn(&crate::compare::BinPoint) -> Option<f64>| -> Vec<(usize, [f64; 2])> {
        (curve.iter().enumerate())
            .filter_map(|(i, b)| Some((i, [(b.lo + b.hi) / 2.0, side(b)? * 100.0])))
            .collect()
    };
    let sides = [
        (comparison.source.as_str(), SOURCE, series(|b| b.source)),
        (comparison.target.as_str(), TARGET, series(|b| b.target)),
    ];
    ui.horizontal(|ui| {
        for (name, color, _) in &sides {
            ui.colored_label(*color, format!("■ {name}"));
        }
    });
    let bin_label = |name: &str, index: usize| {
        let side = sides.iter().find(|(n, _, _)| *n == name)?;
        let bin = &curve[side.2.get(index)?.0];
        Some(format!(
            "{name}, {} [{:.2}, {:.2}): {} on {} images ({} on {}, {} on {} before matching)",
            comparison.uncertainty,
            bin.lo,
            bin.hi,
            axis_percent(side.2[index].1[1] / 100.0),
            bin.images,
            bin.source_images,
            comparison.source,
            bin.target_images,
            comparison.target
        ))
    };
    Plot::new("compare curves")
        .height(ui.available_height().max(240.0))
        .include_y(0.0)
        .include_y(100.0)
        .include_x(curve.first().map_or(0.0, |b| b.lo))
        .include_x(curve.last().map_or(1.0, |b| b.hi))
        .allow_scroll(false)
        .x_axis_label(format!(
            "{} uncertainty (bin centre)",
            comparison.uncertainty
        ))
        .y_axis_label("top-1 accuracy in the bin (%)")
        .label_formatter(|position| match position {
            HoverPosition::NearDataPoint {
                plot_name, index, ..
            } => bin_label(plot_name, *index),
            HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot| {
            for (name, color, points) in &sides {
                let at: Vec<[f64; 2]> = points.iter().map(|(_, p)| *p).collect();
                plot.line(
                    Line::new(*name, PlotPoints::from(at.clone()))
                        .color(*color)
                        .width(2.0),
                );
                plot.points(Points::new(*name, at).radius(4.0).color(*color));
            }
        });
}

/// The model whose curves are drawn, and its raw and matched gaps.
fn curves_model_choice(
    ui: &mut egui::Ui,
    comparison: &Comparison,
    model: &ModelComparison,
    choices: &mut CompareChoices,
) {
    ui.horizontal(|ui| {
        let label = ui.label("Model");
        let mut chosen = model.model.clone();
        egui::ComboBox::from_id_salt("compare curves model")
            .selected_text(&chosen)
            .height(500.0)
            .show_ui(ui, |ui| {
                for m in &comparison.models {
                    ui.selectable_value(&mut chosen, m.model.clone(), &m.model);
                }
            })
            .response
            .labelled_by(label.id);
        if chosen != model.model {
            choices.curves = Some(chosen);
        }
        ui.label(format!(
            "top-1 per {} bin on {} images drawn from each side · raw gap {} points, matched {} \
             points",
            comparison.uncertainty,
            model.matched.images,
            points(model.metrics.get(Metric::Top1).and_then(|s| s.gap)),
            points(model.matched.gap)
        ));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probit_axes_are_ticked_at_round_accuracies_even_in_the_tails() {
        let probit = Axes::Accuracy(Scale::Probit);
        // fv_16k's 2.47% against the best model's 80%: the tail gets its own ticks.
        assert_eq!(
            probit.round_values(0.015, 0.93),
            [0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
        );
        // Zoomed in between two round accuracies: even steps, as on a plain axis.
        assert_eq!(probit.round_values(0.62, 0.78), [0.65, 0.7, 0.75]);
        let plain = Axes::Accuracy(Scale::Plain).round_values(0.15, 0.85);
        assert_eq!(plain, [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
        let marks = probit.marks(GridInput {
            bounds: (fit_probit(0.015), fit_probit(0.93)),
            base_step_size: 0.01,
        });
        assert_eq!(marks.len(), 11);
        assert!((marks[0].value - fit_probit(0.02)).abs() < 1e-12);
    }

    fn fit_probit(accuracy: f64) -> f64 {
        Scale::Probit.transform(accuracy)
    }
}
