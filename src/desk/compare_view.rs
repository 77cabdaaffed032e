//! The comparison window (V, or View > Compare datasets): a dataset against its replica as the
//! core's [`Comparison`] has it, computed in a background job. Four plots (source against
//! target per model, the gaps, raw against matched gap, one model's accuracy-versus-uncertainty
//! curves), the table, the summary, the fit and the warnings. Hovering a point names its model;
//! clicking one (or its name in the table) sends the queue to that model's mistakes on the
//! target. Figures are written by the core's plotters code (`compare::plots`), the table by the
//! CLI's CSV writer, so a figure saved here is the one `bagel compare --plots` prints.

use super::command::Command;
use super::jobs::{Job, JobOutcome};
use super::keys::Action;
use super::{Desk, Status, theme};
use crate::compare::plots::{self, Figure};
use crate::compare::{
    Binning, CompareOptions, Comparison, DEFAULT_BINS, GapSummary, MAX_BINS, Metric,
    ModelComparison, Scale, Uncertainty, compare_datasets_with_progress, replica_of,
    uncertainties_allowed, write_csv,
};
use crate::store::Project;
use egui::{Color32, RichText};
use egui_extras::Column;
use egui_plot::{
    Bar, BarChart, GridInput, GridMark, HoverPosition, Line, Plot, PlotPoint, PlotPoints, Points,
};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;

const SOURCE: Color32 = Color32::from_rgb(100, 160, 230);
const TARGET: Color32 = theme::WARN;
/// Models with a sanity warning: drawn, but outside the fits and the summary.
const LEFT_OUT: Color32 = Color32::from_gray(125);
/// How near (in points on screen) a click must land to pick a model's dot.
const PICK_RADIUS: f32 = 10.0;
const ROW: f32 = 20.0;

/// What the person chose in the window, kept across restarts (datasets by name; names another
/// project lacks fall back to the defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareChoices {
    /// None: the project's first dataset.
    pub source: Option<String>,
    /// None: the dataset sharing the most models with the source.
    pub target: Option<String>,
    /// None: the first the data allows (softmax when every model has scores).
    pub uncertainty: Option<Uncertainty>,
    pub bins: usize,
    pub binning: Binning,
    /// The scatter's metric and axes.
    pub metric: Metric,
    pub scale: Scale,
    pub tab: Tab,
    /// Whose curves are drawn; None: the model with the median top-1 gap.
    pub curves: Option<String>,
}

impl Default for CompareChoices {
    fn default() -> Self {
        CompareChoices {
            source: None,
            target: None,
            uncertainty: None,
            bins: DEFAULT_BINS,
            binning: Binning::Width,
            metric: Metric::Top1,
            scale: Scale::Plain,
            tab: Tab::Scatter,
            curves: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Tab {
    #[default]
    Scatter,
    Gaps,
    RawVsMatched,
    Curves,
    Table,
    Summary,
}

impl Tab {
    const ALL: [Tab; 6] = [
        Tab::Scatter,
        Tab::Gaps,
        Tab::RawVsMatched,
        Tab::Curves,
        Tab::Table,
        Tab::Summary,
    ];

    fn title(self) -> &'static str {
        match self {
            Tab::Scatter => "Source vs target",
            Tab::Gaps => "Gaps",
            Tab::RawVsMatched => "Raw vs matched",
            Tab::Curves => "Curves",
            Tab::Table => "Table",
            Tab::Summary => "Summary and warnings",
        }
    }
}

/// The window's state that lives only while the desk runs.
#[derive(Default)]
pub struct CompareView {
    pub open: bool,
    comparison: Option<Arc<Comparison>>,
    /// The last comparison asked for, running or done: opening the window asks for one once.
    asked: Option<CompareOptions>,
    failed: Option<String>,
}

/// What an export writes.
#[derive(Debug)]
pub enum ComparisonExport {
    Figure(Figure, PathBuf),
    Table(PathBuf),
    /// Every figure as SVG and PNG into a folder, with these models' curves.
    AllFigures(PathBuf, Vec<String>),
}

/// The choices made concrete for this project.
struct Resolved {
    source: String,
    target: String,
    allowed: Vec<Uncertainty>,
    uncertainty: Uncertainty,
}

impl CompareView {
    /// Drops the comparison of a project closed or changed (an import): an open window
    /// compares again.
    pub fn forget(&mut self) {
        *self = CompareView {
            open: self.open,
            ..CompareView::default()
        };
    }
}

impl Resolved {
    fn options(&self, choices: &CompareChoices) -> CompareOptions {
        CompareOptions {
            uncertainty: Some(self.uncertainty),
            bins: choices.bins.clamp(1, MAX_BINS),
            binning: choices.binning,
            ..CompareOptions::new(&self.source, &self.target)
        }
    }

    /// Whether the comparison shown was made with other choices.
    fn differs_from(&self, comparison: &Comparison, choices: &CompareChoices) -> bool {
        let options = self.options(choices);
        (comparison.source.as_str(), comparison.target.as_str()) != (&self.source, &self.target)
            || comparison.uncertainty != self.uncertainty.as_str()
            || comparison.bins != options.bins
            || comparison.binning != options.binning.as_str()
    }
}

impl Desk {
    /// The comparison shown, once computed.
    pub fn comparison(&self) -> Option<&Comparison> {
        self.compare.comparison.as_deref()
    }

    /// Runs a comparison off the UI thread, as the desk's job (progress and Cancel).
    pub(super) fn start_comparison(&mut self, ctx: &egui::Context, options: CompareOptions) {
        if self.job.is_some() {
            return;
        }
        self.compare.asked = Some(options.clone());
        self.compare.failed = None;
        let path = self.project_path.clone();
        let title = format!("Comparing {} with {}", options.source, options.target);
        self.job = Some(Job::spawn(ctx, title, move |progress| {
            let compared = Project::open_read_only(&path)
                .and_then(|project| compare_datasets_with_progress(&project, &options, progress));
            match compared {
                Ok(comparison) => JobOutcome::Compared(Ok(Box::new(comparison))),
                Err(crate::error::Error::Cancelled) => JobOutcome::Cancelled,
                Err(error) => JobOutcome::Compared(Err(error.to_string())),
            }
        }));
    }

    pub(super) fn compared(&mut self, result: Result<Box<Comparison>, String>) {
        match result {
            Ok(comparison) => {
                self.status = Status::Info(format!(
                    "compared {} with {}: {} models",
                    comparison.source,
                    comparison.target,
                    comparison.models.len()
                ));
                self.compare.comparison = Some(Arc::from(comparison));
            }
            Err(message) => {
                self.status = Status::Error(message.clone());
                self.compare.failed = Some(message);
            }
        }
    }

    /// The queue on `dataset`, showing only `model`'s mistakes; the window makes room for it.
    pub(super) fn review_mistakes(&mut self, ctx: &egui::Context, dataset: &str, model: &str) {
        self.compare.open = false;
        let mut settings = self.settings.clone();
        settings.filter_model = Some(model.to_owned());
        self.change_settings(settings);
        let here = (self.review.as_ref()).is_some_and(|r| r.dataset.name == dataset);
        if !here {
            self.load_dataset(ctx, dataset);
        }
        self.status = Status::Info(format!(
            "the queue shows {model}'s mistakes on {dataset}; V brings the comparison back"
        ));
    }

    pub(super) fn export_comparison(&mut self, ctx: &egui::Context, export: ComparisonExport) {
        let Some(comparison) = self.compare.comparison.clone() else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        self.job = Some(Job::spawn(ctx, "Exporting".into(), move |progress| {
            progress.begin("drawing and writing", 0);
            let written = match &export {
                ComparisonExport::Figure(figure, out) => {
                    plots::write_figure(&comparison, figure, out)
                        .map(|()| out.display().to_string())
                }
                ComparisonExport::Table(out) => {
                    write_csv(&comparison, out).map(|()| out.display().to_string())
                }
                ComparisonExport::AllFigures(dir, curves) => {
                    let figures = Figure::all(&comparison, curves);
                    plots::write_figures(&comparison, &figures, dir)
                        .map(|files| format!("{} files in {}", files.len(), dir.display()))
                }
            };
            match written {
                Ok(what) => JobOutcome::Done(format!("written: {what}")),
                Err(error) => JobOutcome::from_error(error),
            }
        }));
    }

    pub(super) fn compare_window(&self, ctx: &egui::Context) -> Vec<Command> {
        if !self.compare.open {
            return Vec::new();
        }
        let mut commands = Vec::new();
        let mut choices = self.settings.compare.clone();
        let mut open = true;
        let screen = ctx.content_rect();
        egui::Window::new("Compare datasets")
            .open(&mut open)
            .default_pos(screen.min + screen.size() * 0.04)
            .default_size(screen.size() * 0.86)
            .show(ctx, |ui| {
                commands.extend(self.compare_contents(ui, &mut choices))
            });
        if !open {
            commands.push(Command::Act(Action::Compare));
        }
        if choices != self.settings.compare {
            let mut settings = self.settings.clone();
            settings.compare = choices;
            commands.push(Command::Settings(Box::new(settings)));
        }
        commands
    }

    fn compare_contents(&self, ui: &mut egui::Ui, choices: &mut CompareChoices) -> Vec<Command> {
        let mut commands = Vec::new();
        let resolved = match self.resolve(choices) {
            Ok(resolved) => resolved,
            Err(message) => {
                ui.colored_label(theme::BAD, message);
                return commands;
            }
        };
        let busy = self.job.is_some();
        if self.compare.asked.is_none() && !busy {
            commands.push(Command::Compare(Box::new(resolved.options(choices))));
        }
        let shown = self.compare.comparison.as_deref();
        let stale = shown.is_none_or(|c| resolved.differs_from(c, choices));
        commands.extend(self.controls(ui, choices, &resolved, stale && !busy));
        if let Some(message) = &self.compare.failed {
            ui.colored_label(theme::BAD, format!("⚠ {message}"));
        }
        let Some(comparison) = shown else {
            ui.label("Comparing…");
            return commands;
        };
        if stale {
            ui.colored_label(
                theme::WARN,
                "Shown: the last comparison; press Compare for the new choices.",
            );
        }
        headline(ui, comparison);
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            for tab in Tab::ALL {
                ui.selectable_value(&mut choices.tab, tab, tab.title());
            }
            ui.separator();
            commands.extend(export_buttons(ui, comparison, choices));
        });
        ui.separator();
        let curves = curves_model(comparison, choices);
        let picked = match choices.tab {
            Tab::Scatter => scatter_tab(ui, comparison, choices),
            Tab::Gaps => {
                gaps_plot(ui, comparison);
                None
            }
            Tab::RawVsMatched => raw_vs_matched_plot(ui, comparison),
            Tab::Curves => {
                curves_tab(ui, comparison, choices, curves.as_deref());
                None
            }
            Tab::Table => table(ui, comparison, curves.as_deref(), choices),
            Tab::Summary => {
                summary(ui, comparison);
                None
            }
        };
        commands.extend(picked.map(|model| Command::ReviewMistakes {
            dataset: comparison.target.clone(),
            model,
        }));
        commands
    }

    /// The choices made concrete: datasets that exist (defaults in their place), an uncertainty
    /// the data allows.
    fn resolve(&self, choices: &CompareChoices) -> Result<Resolved, String> {
        let project = (self.project.as_ref()).ok_or("no project is open")?;
        let known = |name: &Option<String>| name.clone().filter(|n| self.datasets.contains(n));
        let source = known(&choices.source)
            .or_else(|| self.datasets.first().cloned())
            .ok_or("the project has no dataset yet: import a dataset and its replica")?;
        let target = match known(&choices.target).filter(|t| *t != source) {
            Some(target) => Some(target),
            None => replica_of(project, &source).map_err(|e| e.to_string())?,
        };
        let target = target.ok_or(
            "the project has one dataset: import a replica (e.g. an ImageNetV2 variant) with \
             the same models' predictions to compare with it",
        )?;
        let allowed =
            uncertainties_allowed(project, &source, &target).map_err(|e| e.to_string())?;
        let uncertainty = (choices.uncertainty)
            .filter(|u| allowed.contains(u))
            .unwrap_or(allowed[0]);
        Ok(Resolved {
            source,
            target,
            allowed,
            uncertainty,
        })
    }

    /// Datasets, uncertainty, bins and the Compare button.
    fn controls(
        &self,
        ui: &mut egui::Ui,
        choices: &mut CompareChoices,
        resolved: &Resolved,
        can_run: bool,
    ) -> Option<Command> {
        let mut command = None;
        ui.horizontal_wrapped(|ui| {
            let mut source = resolved.source.clone();
            dataset_picker(ui, "Source", &mut source, &self.datasets, None);
            let mut target = resolved.target.clone();
            dataset_picker(ui, "Target", &mut target, &self.datasets, Some(&source));
            if source != resolved.source {
                // Another source: the target follows the default unless it was chosen.
                choices.target = choices.target.clone().filter(|t| *t != source);
                choices.source = Some(source);
            } else if target != resolved.target {
                choices.target = Some(target);
            }
            ui.separator();
            let mut uncertainty = resolved.uncertainty;
            let label = ui.label("Uncertainty");
            egui::ComboBox::from_id_salt("compare uncertainty")
                .selected_text(uncertainty.as_str())
                .show_ui(ui, |ui| {
                    for &allowed in &resolved.allowed {
                        ui.selectable_value(&mut uncertainty, allowed, allowed.as_str());
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text(
                    "softmax and entropy need scores for every model on both datasets; \
                     disagreement needs only the top-1",
                );
            if uncertainty != resolved.uncertainty {
                choices.uncertainty = Some(uncertainty);
            }
            let label = ui.label("Bins");
            ui.add(egui::DragValue::new(&mut choices.bins).range(1..=MAX_BINS))
                .labelled_by(label.id);
            ui.selectable_value(&mut choices.binning, Binning::Width, "equal width");
            ui.selectable_value(&mut choices.binning, Binning::Quantile, "quantiles");
            ui.separator();
            let button = egui::Button::new(RichText::new("Compare").strong());
            if ui
                .add_enabled(can_run, button)
                .on_disabled_hover_text("the comparison shown has these choices")
                .clicked()
            {
                command = Some(Command::Compare(Box::new(resolved.options(choices))));
            }
        });
        command
    }
}

fn dataset_picker(
    ui: &mut egui::Ui,
    title: &str,
    chosen: &mut String,
    datasets: &[String],
    except: Option<&str>,
) {
    let label = ui.label(title);
    egui::ComboBox::from_id_salt(("compare dataset", title))
        .selected_text(chosen.as_str())
        .show_ui(ui, |ui| {
            for name in datasets.iter().filter(|d| Some(d.as_str()) != except) {
                ui.selectable_value(chosen, name.clone(), name);
            }
        })
        .response
        .labelled_by(label.id);
}

/// The line under the controls: what was compared, and the gaps' medians.
fn headline(ui: &mut egui::Ui, comparison: &Comparison) {
    let median = |summary: &GapSummary| points(summary.median);
    let top1 = comparison.summary.metrics.get(Metric::Top1);
    ui.label(format!(
        "{} ({} images) against {} ({} images) · {} models · matched on {} uncertainty, {} {} bins · \
         median top-1 gap {} points, matched {} points",
        comparison.source,
        comparison.source_images,
        comparison.target,
        comparison.target_images,
        comparison.models.len(),
        comparison.uncertainty,
        comparison.bins,
        match comparison.binning {
            "width" => "equal-width",
            _ => "quantile",
        },
        top1.map_or("–".into(), median),
        median(&comparison.summary.matched),
    ));
    let broken: Vec<&str> = (comparison.warnings.iter())
        .filter(|w| w.kind != "thin_bins")
        .map(|w| w.message.as_str())
        .collect();
    for message in &broken {
        ui.colored_label(theme::WARN, format!("⚠ {message}"));
    }
    let thin = comparison.warnings.len() - broken.len();
    if thin > 0 {
        let warnings = if thin == 1 { "warning" } else { "warnings" };
        ui.colored_label(
            theme::WARN,
            format!("⚠ {thin} more {warnings} (thin bins): see Summary and warnings"),
        );
    }
}

/// The model whose curves are drawn: the chosen one if compared, else the median's.
fn curves_model(comparison: &Comparison, choices: &CompareChoices) -> Option<String> {
    (choices.curves.as_deref())
        .filter(|name| comparison.model(name).is_some())
        .or_else(|| comparison.median_model())
        .map(String::from)
}

/// The figure the tab shows, as the core draws it for print.
fn tab_figure(comparison: &Comparison, choices: &CompareChoices) -> Option<Figure> {
    match choices.tab {
        Tab::Scatter => Some(Figure::Scatter {
            metric: choices.metric,
            scale: choices.scale,
        }),
        Tab::Gaps => Some(Figure::Gaps),
        Tab::RawVsMatched => Some(Figure::RawVsMatched),
        Tab::Curves => curves_model(comparison, choices).map(|model| Figure::Curves { model }),
        Tab::Table | Tab::Summary => None,
    }
}

/// Save buttons: the figure shown (PNG, SVG), the table (CSV), every figure to a folder.
fn export_buttons(
    ui: &mut egui::Ui,
    comparison: &Comparison,
    choices: &CompareChoices,
) -> Option<Command> {
    let mut export = None;
    ui.scope(|ui| {
        if let Some(figure) = tab_figure(comparison, choices) {
            for extension in ["png", "svg"] {
                let text = format!("Save {}…", extension.to_uppercase());
                if ui
                    .button(text)
                    .on_hover_text("print size: 6 × 4.5 in, PNG at 300 dpi")
                    .clicked()
                    && let Some(out) = rfd::FileDialog::new()
                        .add_filter(extension.to_uppercase(), &[extension])
                        .set_file_name(format!("{}.{extension}", figure.file_stem()))
                        .save_file()
                {
                    export = Some(ComparisonExport::Figure(figure.clone(), out));
                }
            }
        }
        if ui.button("Save table CSV…").clicked()
            && let Some(out) = rfd::FileDialog::new()
                .add_filter("CSV", &["csv"])
                .set_file_name(format!(
                    "{}_vs_{}.csv",
                    comparison.source, comparison.target
                ))
                .save_file()
        {
            export = Some(ComparisonExport::Table(out));
        }
        if ui
            .button("All figures to a folder…")
            .on_hover_text("every figure as SVG and PNG, with the curves of the model chosen")
            .clicked()
            && let Some(dir) = rfd::FileDialog::new().pick_folder()
        {
            let curves = curves_model(comparison, choices).into_iter().collect();
            export = Some(ComparisonExport::AllFigures(dir, curves));
        }
    });
    export.map(|export| Command::ExportComparison(Box::new(export)))
}

/// The metrics some model has on both sides: the others would be empty plots.
fn drawn_metrics(comparison: &Comparison) -> Vec<Metric> {
    (comparison.metrics().into_iter())
        .filter(|&metric| {
            (comparison.models.iter())
                .any(|m| m.metrics.get(metric).is_some_and(|s| s.gap.is_some()))
        })
        .collect()
}

/// One dot per model, source against target, y = x and the fitted line.
fn scatter_tab(
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
fn raw_vs_matched_plot(ui: &mut egui::Ui, comparison: &Comparison) -> Option<String> {
    let dots: Vec<Dot> = (comparison.models.iter())
        .filter_map(|m| {
            let raw = m.metrics.get(Metric::Top1)?.gap?;
            Some(Dot::of(comparison, m, raw, m.matched.gap?))
        })
        .collect();
    let lines = [
        ("matched = raw", 1.0, 0.0, theme::TEXT),
        ("no gap", 0.0, 0.0, LEFT_OUT),
    ];
    let note = format!(
        "Top-1 gap in points, {} minus {}. Below the diagonal, matching on {} uncertainty \
         shrinks the model's gap.",
        comparison.source, comparison.target, comparison.uncertainty
    );
    let chart = Scatter {
        id: "compare raw vs matched",
        axes: Axes::Gap,
        x: ("raw", "top-1 gap"),
        y: ("matched", "top-1 gap"),
        lines: &lines,
        note: &note,
    };
    chart.show(ui, &dots)
}

/// A model's point in a scatter.
struct Dot<'a> {
    model: &'a str,
    x: f64,
    y: f64,
    left_out: bool,
}

impl<'a> Dot<'a> {
    fn of(comparison: &Comparison, model: &'a ModelComparison, x: f64, y: f64) -> Self {
        Dot {
            model: &model.model,
            x,
            y,
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
    note: &'a str,
}

impl Scatter<'_> {
    /// Draws the dots and returns the model whose dot was clicked.
    fn show(&self, ui: &mut egui::Ui, dots: &[Dot]) -> Option<String> {
        let axes = self.axes;
        let at: Vec<[f64; 2]> = (dots.iter())
            .map(|d| [axes.axis_at(d.x), axes.axis_at(d.y)])
            .collect();
        let (lo, hi) = at
            .iter()
            .flatten()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let (lo, hi) = match lo <= hi {
            true => (lo, hi),
            false => (axes.axis_at(0.0), axes.axis_at(1.0)),
        };
        let margin = ((hi - lo) * 0.08).max(0.01);
        let (lo, hi) = (lo - margin, hi + margin);
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
                .x_axis_formatter(move |mark, _| percent_text(axes.value_at(mark.value)))
                .y_axis_formatter(move |mark, _| percent_text(axes.value_at(mark.value)))
                .label_formatter(|position| match position {
                    HoverPosition::NearDataPoint {
                        plot_name, index, ..
                    } => Some(match *plot_name {
                        "models" | "models left out" => self.dot_label(dots, plot_name, *index),
                        line => line.to_owned(),
                    }),
                    HoverPosition::Elsewhere { .. } => None,
                })
                .show(ui, |plot| {
                    for &(name, slope, intercept, color) in self.lines {
                        let ends = [lo, hi].map(|x| [x, slope * x + intercept]);
                        plot.line(Line::new(name, PlotPoints::from(ends.to_vec())).color(color));
                    }
                    for (name, left_out, color) in [
                        ("models", false, SOURCE),
                        ("models left out", true, LEFT_OUT),
                    ] {
                        let points: Vec<[f64; 2]> = (dots.iter().zip(&at))
                            .filter(|(d, _)| d.left_out == left_out)
                            .map(|(_, p)| *p)
                            .collect();
                        plot.points(Points::new(name, points).radius(4.0).color(color));
                    }
                });
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
fn gaps_plot(ui: &mut egui::Ui, comparison: &Comparison) {
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
fn curves_tab(
    ui: &mut egui::Ui,
    comparison: &Comparison,
    choices: &mut CompareChoices,
    shown: Option<&str>,
) {
    let Some(model) = shown.and_then(|name| comparison.model(name)) else {
        ui.label("No model to draw.");
        return;
    };
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
            percent_text(side.2[index].1[1] / 100.0),
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

/// One row per model; its name sends the queue to its mistakes on the target, the chart
/// button draws its curves. Returns the model whose name was clicked.
fn table(
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
fn summary(ui: &mut egui::Ui, comparison: &Comparison) {
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

/// An accuracy in %, two decimals.
fn percent(value: Option<f64>) -> String {
    value.map_or("–".into(), |v| format!("{:.2}", v * 100.0))
}

/// A gap in percentage points, signed.
fn points(value: Option<f64>) -> String {
    value.map_or("–".into(), |v| format!("{:+.2}", v * 100.0))
}

/// An axis number: a fraction as % with no more decimals than it needs.
fn percent_text(value: f64) -> String {
    let text = format!("{:.1}", value * 100.0);
    text.strip_suffix(".0").map(String::from).unwrap_or(text)
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
