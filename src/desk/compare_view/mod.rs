//! The comparison window (V, or View > Compare datasets): a dataset against its replica as the
//! core's [`Comparison`] has it, computed in a background job. Four plots (source against
//! target per model, the gaps, raw against matched gap, one model's accuracy-versus-uncertainty
//! curves), the table, the summary, the fit and the warnings. Hovering a point names its model;
//! clicking one (or its name in the table) sends the queue to that model's mistakes on the
//! target. Figures are written by the core's plotters code (`compare::plots`), the table by the
//! CLI's CSV writer, so a figure saved here is the one `bagel compare --plots` prints.

mod charts;
mod table;

use charts::{curves_tab, gaps_plot, raw_vs_matched_plot, scatter_tab};
use table::{summary, table};

use super::command::Command;
use super::forms::ComparisonExport;
use super::jobs::{Job, JobOutcome};
use super::keys::Action;
use super::settings::{CompareChoices, Tab};
use super::{Desk, Status, theme};
use crate::compare::plots::{self, Figure};
use crate::compare::{
    Binning, CompareOptions, Comparison, GapSummary, MAX_BINS, Metric, ModelComparison, Scale,
    Uncertainty, compare_datasets_with_progress, replica_of, uncertainties_allowed, write_csv,
};
use crate::store::Project;
use egui::{Color32, RichText};
use egui_extras::Column;
use egui_plot::{
    Bar, BarChart, GridInput, GridMark, HoverPosition, Line, Plot, PlotPoint, PlotPoints, Points,
};
use std::sync::Arc;

const SOURCE: Color32 = Color32::from_rgb(100, 160, 230);
const TARGET: Color32 = theme::WARN;
/// Models with a sanity warning: drawn, but outside the fits and the summary.
const LEFT_OUT: Color32 = Color32::from_gray(125);
/// How near (in points on screen) a click must land to pick a model's dot.
const PICK_RADIUS: f32 = 10.0;
const ROW: f32 = 20.0;

/// The window's state that lives only while the desk runs.
#[derive(Default)]
pub struct CompareView {
    pub open: bool,
    comparison: Option<Arc<Comparison>>,
    /// The last comparison asked for, running or done: opening the window asks for one once.
    asked: Option<CompareOptions>,
    failed: Option<String>,
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
        // Every other filter goes: "its mistakes" are all of them, not the ones a filter set
        // for another task (the discussion round, one class) would leave.
        let mut settings = self.settings.clone();
        settings.filter = crate::panel::QueueFilter::default();
        settings.filter_model = Some(model.to_owned());
        self.change_settings(settings);
        let here = (self.review.as_ref()).is_some_and(|r| r.dataset.name == dataset);
        if !here {
            self.load_dataset(ctx, dataset);
        }
        self.status = Status::Info(format!(
            "the queue shows all of {model}'s mistakes on {dataset} (other filters cleared); V brings the comparison back"
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

/// An accuracy in %, two decimals.
fn percent(value: Option<f64>) -> String {
    crate::numbers::percent(value, "–")
}

/// A gap in percentage points, signed.
fn points(value: Option<f64>) -> String {
    value.map_or("–".into(), |v| format!("{:+.2}", v * 100.0))
}
