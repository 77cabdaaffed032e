//! `bagel compare`: a dataset against its replica, as a table, JSON, CSV and figures.

use super::out;
use super::show::{percent, warnings_section};
use crate::compare::plots::{self, Figure};
use crate::compare::{
    Binning, CompareOptions, Comparison, DEFAULT_BINS, DEFAULT_DRAWS, GapSummary, Metric,
    ModelComparison, Scale, Uncertainty, compare_datasets, write_csv,
};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct CompareArgs {
    project: PathBuf,
    /// The original dataset (e.g. ImageNet val).
    #[arg(long)]
    source: String,
    /// The replica (e.g. an ImageNetV2 variant).
    #[arg(long)]
    target: String,
    /// The metrics to put side by side, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "top1,top5,real,mla,asma"
    )]
    metrics: Vec<MetricArg>,
    /// Uncertainty per (model, image) for the matched comparison (default: softmax when every
    /// model has scores on both datasets, else disagreement).
    #[arg(long, value_enum)]
    uncertainty: Option<UncertaintyArg>,
    /// How many uncertainty bins.
    #[arg(long, default_value_t = DEFAULT_BINS)]
    bins: usize,
    /// Equal-width bins over [0, 1], or quantiles of the pooled values.
    #[arg(long, value_enum, default_value = "width")]
    binning: BinningArg,
    /// Seed of the matched draws: the same seed gives the same output.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// How many matched draws to average (the gap is their mean, with its standard deviation).
    #[arg(long, default_value_t = DEFAULT_DRAWS as u64, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    draws: u64,
    /// One JSON object instead of the table.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Write the table as CSV to this file instead of printing it.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Write every figure (SVG and PNG, print size) into this folder.
    #[arg(long)]
    plots: Option<PathBuf>,
    /// Models whose accuracy-versus-uncertainty curves --plots draws (default: the model with
    /// the median top-1 gap).
    #[arg(long, value_delimiter = ',', requires = "plots")]
    curves: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum MetricArg {
    Top1,
    Top5,
    Real,
    Mla,
    Asma,
}

#[derive(Clone, Copy, ValueEnum)]
enum UncertaintyArg {
    Softmax,
    Entropy,
    Disagreement,
}

#[derive(Clone, Copy, ValueEnum)]
enum BinningArg {
    Width,
    Quantile,
}

pub fn run(args: CompareArgs) -> Result<()> {
    let project = super::read(&args.project)?;
    let options = CompareOptions {
        metrics: args
            .metrics
            .iter()
            .map(|m| match m {
                MetricArg::Top1 => Metric::Top1,
                MetricArg::Top5 => Metric::Top5,
                MetricArg::Real => Metric::Real,
                MetricArg::Mla => Metric::Mla,
                MetricArg::Asma => Metric::Asma,
            })
            .collect(),
        uncertainty: args.uncertainty.map(|u| match u {
            UncertaintyArg::Softmax => Uncertainty::Softmax,
            UncertaintyArg::Entropy => Uncertainty::Entropy,
            UncertaintyArg::Disagreement => Uncertainty::Disagreement,
        }),
        bins: args.bins,
        binning: match args.binning {
            BinningArg::Width => Binning::Width,
            BinningArg::Quantile => Binning::Quantile,
        },
        seed: args.seed,
        draws: args.draws as usize,
        ..CompareOptions::new(&args.source, &args.target)
    };
    let comparison =
        compare_datasets(&project, &options).map_err(|e| e.in_project(&args.project))?;
    if let Some(dir) = &args.plots {
        let curves = match args.curves.is_empty() {
            true => comparison
                .median_model()
                .map(String::from)
                .into_iter()
                .collect(),
            false => args.curves.clone(),
        };
        let written = plots::write_figures(&comparison, &Figure::all(&comparison, &curves), dir)?;
        let note = format!(
            "{} figures (SVG and PNG) written to {}; curves of {}",
            written.len() / 2,
            dir.display(),
            curves.join(", ")
        );
        out::to_stderr("note", note);
    }
    if args.json {
        out::line(serde_json::to_string_pretty(&comparison)?)?;
    } else if let Some(path) = &args.csv {
        write_csv(&comparison, path)?;
        let note = format!(
            "{} models written to {}",
            comparison.models.len(),
            path.display()
        );
        out::to_stderr("note", note);
        for warning in &comparison.warnings {
            out::to_stderr("warning", &warning.message);
        }
    } else {
        out::print(comparison_table(&comparison))?;
    }
    Ok(())
}

/// A linear residual in percentage points.
fn signed(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{:+.2}", v * 100.0))
}

/// A probit residual in probit units (standard deviations), not a percentage.
fn probit_units(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{v:+.3}"))
}

/// Per model each metric on both sides and the gap, the matched top-1 and the residuals; then
/// the spread of the gaps, the fits and the warnings.
pub fn comparison_table(comparison: &Comparison) -> String {
    let mut out = String::new();
    // Metrics no model has a gap for (labels missing on a side) would be columns of dashes.
    let (shown, missing): (Vec<Metric>, Vec<Metric>) =
        comparison.metrics().into_iter().partition(|&metric| {
            (comparison.models.iter())
                .any(|m| m.metrics.get(metric).is_some_and(|s| s.gap.is_some()))
        });
    comparison_heading(&mut out, comparison, &missing);
    let width = (comparison.models.iter())
        .map(|m| m.model.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = write!(out, "\n{:<width$}", "");
    for metric in &shown {
        let _ = write!(out, " {:^20}", metric.label());
    }
    let _ = writeln!(out, " {:^34} {:^15}", "matched top-1", "top-1 residual");
    let _ = write!(out, "{:<width$}", "model");
    for _ in &shown {
        let _ = write!(out, " {:>6} {:>6} {:>6}", "src", "tgt", "gap");
    }
    let _ = writeln!(
        out,
        " {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7}",
        "images", "src", "tgt", "gap", "± sd", "linear", "probit"
    );
    for model in &comparison.models {
        comparison_row(&mut out, model, &shown, width);
    }
    out.push_str(&summary_section(comparison, &shown));
    for (side, names) in [
        (&comparison.source, &comparison.only_source),
        (&comparison.target, &comparison.only_target),
    ] {
        if !names.is_empty() {
            let _ = writeln!(out, "only on {side} (not compared): {}", names.join(", "));
        }
    }
    out.push_str(&warnings_section(&comparison.warnings));
    out
}

/// The datasets, the matching's settings and the metrics without a gap.
fn comparison_heading(out: &mut String, comparison: &Comparison, missing: &[Metric]) {
    let _ = writeln!(
        out,
        "{} ({} images) → {} ({} images) · {} models · figures in %, gap = source − target",
        comparison.source,
        comparison.source_images,
        comparison.target,
        comparison.target_images,
        comparison.models.len()
    );
    let _ = writeln!(
        out,
        "matched top-1: {} uncertainty, {} {} bins, mean ± sd of the gap over {} draws, seed {}",
        comparison.uncertainty,
        comparison.bins,
        if comparison.binning == "width" {
            "equal-width"
        } else {
            "quantile"
        },
        comparison.draws,
        comparison.seed
    );
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|m| m.label()).collect();
        let _ = writeln!(
            out,
            "no gap in {}: a dataset lacks the labels they need (import ReaL or multi-labels)",
            names.join(", ")
        );
    }
}

/// One model's row: each shown metric's sides and gap, the matched top-1, the residuals.
fn comparison_row(out: &mut String, model: &ModelComparison, shown: &[Metric], width: usize) {
    let _ = write!(out, "{:<width$}", model.model);
    for &metric in shown {
        let sides = model
            .metrics
            .get(metric)
            .copied()
            .unwrap_or(crate::compare::Sides {
                source: None,
                target: None,
                gap: None,
            });
        let _ = write!(
            out,
            " {:>6} {:>6} {:>6}",
            percent(sides.source),
            percent(sides.target),
            percent(sides.gap)
        );
    }
    let matched = &model.matched;
    let _ = writeln!(
        out,
        " {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7}",
        matched.images,
        percent(matched.source),
        percent(matched.target),
        percent(matched.gap),
        percent(matched.gap_sd),
        signed(model.residual.linear),
        probit_units(model.residual.probit)
    );
}

fn summary_section(comparison: &Comparison, shown: &[Metric]) -> String {
    let mut out = String::new();
    let kept = comparison.models.len() - comparison.left_out.len();
    let left_out = match comparison.left_out.is_empty() {
        true => String::new(),
        false => format!(
            "; left out for a warning: {}",
            comparison.left_out.join(", ")
        ),
    };
    let _ = writeln!(out, "\ngaps over {kept} models{left_out}");
    let _ = writeln!(
        out,
        "{:<14} {:>7} {:>7} {:>7} {:>14}",
        "", "min", "median", "max", "under 1 point"
    );
    let row = |out: &mut String, name: &str, s: &GapSummary| {
        let _ = writeln!(
            out,
            "{name:<14} {:>7} {:>7} {:>7} {:>14}",
            percent(s.min),
            percent(s.median),
            percent(s.max),
            s.under_one_point
        );
    };
    for &metric in shown {
        if let Some(summary) = comparison.summary.metrics.get(metric) {
            row(&mut out, metric.label(), summary);
        }
    }
    row(&mut out, "matched top-1", &comparison.summary.matched);
    let _ = writeln!(
        out,
        "\nfit of {} on {} across models: target = intercept + slope × source",
        comparison.target, comparison.source
    );
    let _ = writeln!(out, "{:<14} {:^25}   {:^25}", "", "linear", "probit");
    let _ = writeln!(
        out,
        "{:<14} {:>7} {:>9} {:>7}   {:>7} {:>9} {:>7}",
        "", "slope", "intercept", "R²", "slope", "intercept", "R²"
    );
    for &metric in shown {
        let Some(fit) = comparison.fit.get(metric) else {
            continue;
        };
        let _ = write!(out, "{:<14}", metric.label());
        for scale in [Scale::Plain, Scale::Probit] {
            match fit.on(scale) {
                Some(line) => {
                    let _ = write!(
                        out,
                        " {:>7.3} {:>9.3} {:>7.3}  ",
                        line.slope, line.intercept, line.r2
                    );
                }
                None => {
                    let _ = write!(out, " {:>7} {:>9} {:>7}  ", "-", "-", "-");
                }
            }
        }
        let _ = writeln!(out, "({} models)", fit.models);
    }
    out
}
