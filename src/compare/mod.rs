//! Comparing a dataset with its replica (DOMAIN.md, "Comparing a dataset and its replica"): how
//! much of a model's drop from source (ImageNet val) to target (ImageNetV2) is real? Per model,
//! every metric on both sides and the gap; the fit of target against source accuracy across
//! models, plain and probit ([`fit`]); the uncertainty-matched gap and curve ([`matching`]);
//! the sanity warnings of both datasets' predictions. Pure functions over two [`Evaluation`]s;
//! [`compare_datasets`] loads them from a project.

pub mod fit;
pub mod matching;
pub mod plots;
mod table;

pub use fit::{LineFit, Scale};
pub use matching::{BinPoint, Binning, Bins, Matched, Outcomes, Uncertainty};
pub use table::write_csv;

use crate::data::TopK;
use crate::error::{Error, Result};
use crate::metrics::{DatasetReport, Evaluation, MetricOptions, ModelReport, Warning};
use crate::progress::{Progress, Silent, check_cancelled};
use crate::store::{ModelInfo, Project};
use rayon::prelude::*;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The metrics a comparison can put side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    Top1,
    Top5,
    Real,
    Mla,
    Asma,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::Top1,
        Metric::Top5,
        Metric::Real,
        Metric::Mla,
        Metric::Asma,
    ];

    /// The JSON key and the `--metrics` name.
    pub fn key(self) -> &'static str {
        match self {
            Metric::Top1 => "top1",
            Metric::Top5 => "top5",
            Metric::Real => "real",
            Metric::Mla => "mla",
            Metric::Asma => "asma",
        }
    }

    /// How a table or a figure names it.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Top1 => "top-1",
            Metric::Top5 => "top-5",
            Metric::Real => "ReaL",
            Metric::Mla => "MLA",
            Metric::Asma => "ASMA",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Metric::ALL.into_iter().find(|m| m.key() == text)
    }

    pub fn of(self, report: &ModelReport) -> Option<f64> {
        match self {
            Metric::Top1 => report.top1,
            Metric::Top5 => report.top5,
            Metric::Real => report.real,
            Metric::Mla => report.mla,
            Metric::Asma => report.asma,
        }
    }
}

/// One value per chosen metric, serialized as a map in the order the metrics were chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct PerMetric<T>(pub Vec<(Metric, T)>);

impl<T> PerMetric<T> {
    pub fn get(&self, metric: Metric) -> Option<&T> {
        self.0.iter().find(|(m, _)| *m == metric).map(|(_, v)| v)
    }
}

impl<T: Serialize> Serialize for PerMetric<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (metric, value) in &self.0 {
            map.serialize_entry(metric.key(), value)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompareOptions {
    pub source: String,
    pub target: String,
    pub metrics: Vec<Metric>,
    /// None: softmax when every compared model has scores on both datasets, else disagreement.
    pub uncertainty: Option<Uncertainty>,
    pub bins: usize,
    pub binning: Binning,
    pub seed: u64,
    /// How many matched draws the matched figures average.
    pub draws: usize,
    pub metric_options: MetricOptions,
}

impl CompareOptions {
    pub fn new(source: &str, target: &str) -> Self {
        CompareOptions {
            source: source.to_owned(),
            target: target.to_owned(),
            metrics: Metric::ALL.to_vec(),
            uncertainty: None,
            bins: DEFAULT_BINS,
            binning: Binning::Width,
            seed: 0,
            draws: DEFAULT_DRAWS,
            metric_options: MetricOptions::default(),
        }
    }
}

pub const DEFAULT_BINS: usize = 10;
/// Matched draws by default: resnet152's gap on ImageNetV2 varies by 0.33 points from draw
/// to draw, so the mean of 100 is within about 0.03 points of the expectation, a stable first
/// decimal.
pub const DEFAULT_DRAWS: usize = 100;
pub const MAX_BINS: usize = 100;
/// Fewer matched images than this in a bin make its curve point noise; `thin_bins` says so.
pub const THIN_BIN: usize = 30;

/// A metric on both sides and the gap, source minus target; None where a side lacks what the
/// metric needs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sides {
    pub source: Option<f64>,
    pub target: Option<f64>,
    pub gap: Option<f64>,
}

impl Sides {
    fn new(source: Option<f64>, target: Option<f64>) -> Self {
        Sides {
            source,
            target,
            gap: source.zip(target).map(|(s, t)| s - t),
        }
    }
}

/// A model's top-1 above (+) or below (-) the fitted lines.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Residual {
    pub linear: Option<f64>,
    pub probit: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelComparison {
    pub model: String,
    pub metrics: PerMetric<Sides>,
    pub matched: Matched,
    /// From the top-1 fits.
    pub residual: Residual,
}

/// The spread of one gap over the models (those without a sanity warning).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct GapSummary {
    pub min: Option<f64>,
    pub median: Option<f64>,
    pub max: Option<f64>,
    /// Models whose gap is below 0.01.
    pub under_one_point: usize,
}

impl GapSummary {
    fn of(mut gaps: Vec<f64>) -> Self {
        gaps.sort_by(f64::total_cmp);
        let n = gaps.len();
        let median = match n {
            0 => None,
            _ if n % 2 == 1 => Some(gaps[n / 2]),
            _ => Some((gaps[n / 2 - 1] + gaps[n / 2]) / 2.0),
        };
        GapSummary {
            min: gaps.first().copied(),
            median,
            max: gaps.last().copied(),
            under_one_point: gaps.iter().filter(|&&g| g < 0.01).count(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub metrics: PerMetric<GapSummary>,
    pub matched: GapSummary,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricFit {
    pub linear: Option<LineFit>,
    pub probit: Option<LineFit>,
    /// How many models the line goes through.
    pub models: usize,
}

impl MetricFit {
    pub fn on(&self, scale: Scale) -> Option<&LineFit> {
        match scale {
            Scale::Plain => self.linear.as_ref(),
            Scale::Probit => self.probit.as_ref(),
        }
    }
}

/// Everything `bagel compare --json` prints and the desk's comparison view draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub source: String,
    pub target: String,
    pub uncertainty: &'static str,
    pub bins: usize,
    pub binning: &'static str,
    pub seed: u64,
    pub draws: usize,
    pub models: Vec<ModelComparison>,
    pub only_source: Vec<String>,
    pub only_target: Vec<String>,
    pub summary: Summary,
    pub fit: PerMetric<MetricFit>,
    pub warnings: Vec<Warning>,
    /// Models with a sanity warning on either side: named, compared, but kept out of the
    /// summary and the fits, whose figures they would distort.
    pub left_out: Vec<String>,
    pub source_images: usize,
    pub target_images: usize,
}

impl Comparison {
    pub fn model(&self, name: &str) -> Option<&ModelComparison> {
        self.models.iter().find(|m| m.model == name)
    }

    pub fn metrics(&self) -> Vec<Metric> {
        self.fit.0.iter().map(|(m, _)| *m).collect()
    }

    /// The model whose top-1 gap is the median's (the lower middle one of an even count),
    /// among those the summary counts: the curves a figure shows by default.
    pub fn median_model(&self) -> Option<&str> {
        let mut gaps: Vec<(f64, &str)> = (self.models.iter())
            .filter(|m| !self.left_out.contains(&m.model))
            .filter_map(|m| Some((m.metrics.get(Metric::Top1)?.gap?, m.model.as_str())))
            .collect();
        gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
        gaps.get(gaps.len().saturating_sub(1) / 2)
            .map(|&(_, name)| name)
    }
}

/// Loads both datasets from the project (scores only when the uncertainty needs them) and
/// compares them.
pub fn compare_datasets(project: &Project, options: &CompareOptions) -> Result<Comparison> {
    compare_datasets_with_progress(project, options, &Silent)
}

/// [`compare_datasets`], saying which step it is on (loading either side takes most of the
/// time on a large project) and stopping between steps when cancelled.
pub fn compare_datasets_with_progress(
    project: &Project,
    options: &CompareOptions,
    progress: &dyn Progress,
) -> Result<Comparison> {
    check_options(options)?;
    let uncertainty = match options.uncertainty {
        Some(uncertainty) => uncertainty,
        None => uncertainties_allowed(project, &options.source, &options.target)?[0],
    };
    let load = |name: &str| {
        progress.begin(&format!("loading {name}"), 0);
        let evaluation = match uncertainty.needs_scores() {
            true => Evaluation::load_with_scores(project, name),
            false => Evaluation::load(project, name),
        };
        check_cancelled(progress)?;
        evaluation
    };
    let options = CompareOptions {
        uncertainty: Some(uncertainty),
        ..options.clone()
    };
    let (source, target) = (load(&options.source)?, load(&options.target)?);
    progress.begin("comparing", 0);
    compare(&source, &target, &options)
}

/// The uncertainties the models on both datasets have what they need for, the default first:
/// softmax and entropy read scores, which every common model must have on both sides;
/// disagreement needs none.
pub fn uncertainties_allowed(
    project: &Project,
    source: &str,
    target: &str,
) -> Result<Vec<Uncertainty>> {
    let models_of = |name: &str| project.models(project.dataset(name)?.id);
    let (source_models, target_models) = (models_of(source)?, models_of(target)?);
    let common: Vec<(&ModelInfo, &ModelInfo)> = (source_models.iter())
        .filter_map(|s| Some((s, target_models.iter().find(|t| t.name == s.name)?)))
        .collect();
    let all = |has: fn(&ModelInfo) -> bool| {
        !common.is_empty() && common.iter().all(|(s, t)| has(s) && has(t))
    };
    let mut allowed = Vec::new();
    if all(|m| m.has_uncertainty || m.has_scores) {
        allowed.push(Uncertainty::Softmax);
    }
    // The entropy is stored only when full scores were imported.
    if all(|m| m.has_uncertainty) {
        allowed.push(Uncertainty::Entropy);
    }
    allowed.push(Uncertainty::Disagreement);
    Ok(allowed)
}

/// The dataset other than `source` sharing the most models with it (the first such in the
/// project's order), the likeliest replica to compare it with.
pub fn replica_of(project: &Project, source: &str) -> Result<Option<String>> {
    let names = |id: i64| -> Result<BTreeSet<String>> {
        Ok(project.models(id)?.into_iter().map(|m| m.name).collect())
    };
    let in_source = names(project.dataset(source)?.id)?;
    let mut best: Option<(usize, String)> = None;
    for dataset in project.datasets()? {
        if dataset.name == source {
            continue;
        }
        let shared = names(dataset.id)?.intersection(&in_source).count();
        if best.as_ref().is_none_or(|(most, _)| shared > *most) {
            best = Some((shared, dataset.name));
        }
    }
    Ok(best.map(|(_, name)| name))
}

fn check_options(options: &CompareOptions) -> Result<()> {
    if !(1..=MAX_BINS).contains(&options.bins) {
        return Err(Error::Usage(format!(
            "--bins {} is out of range: give 1 to {MAX_BINS} bins (the default is {DEFAULT_BINS})",
            options.bins
        )));
    }
    if options.source == options.target {
        return Err(Error::Usage(format!(
            "source and target are both {:?}; compare a dataset with another (e.g. its replica)",
            options.source
        )));
    }
    if options.metrics.is_empty() {
        return Err(Error::Usage("give at least one metric to compare".into()));
    }
    Ok(())
}

/// The comparison of two loaded datasets; `options.uncertainty` must be set.
pub fn compare(
    source: &Evaluation,
    target: &Evaluation,
    options: &CompareOptions,
) -> Result<Comparison> {
    check_options(options)?;
    check_labels(source)?;
    check_labels(target)?;
    check_same_classes(source, target)?;
    let uncertainty = options.uncertainty.unwrap_or(Uncertainty::Disagreement);
    fn names(evaluation: &Evaluation) -> BTreeSet<&str> {
        evaluation.models.iter().map(|(n, _)| n.as_str()).collect()
    }
    let (in_source, in_target) = (names(source), names(target));
    let common: Vec<&str> = in_source.intersection(&in_target).copied().collect();
    if common.is_empty() {
        return Err(Error::Usage(format!(
            "no model has predictions on both {:?} and {:?}; import the same models' predictions \
             on both datasets (a model is matched by its name)",
            source.dataset, target.dataset
        )));
    }
    let only =
        |a: &BTreeSet<&str>, b: &BTreeSet<&str>| a.difference(b).map(|n| n.to_string()).collect();
    let (source_report, target_report) = rayon::join(
        || source.report(&options.metric_options),
        || target.report(&options.metric_options),
    );
    let matched = match_models(source, target, &common, options, uncertainty)?;
    let mut warnings: Vec<Warning> = source_report
        .warnings
        .iter()
        .chain(&target_report.warnings)
        .cloned()
        .collect();
    let left_out: BTreeSet<String> = warnings
        .iter()
        .filter(|w| common.contains(&w.model.as_str()))
        .map(|w| w.model.clone())
        .collect();
    let reports = [&source_report, &target_report];
    let mut models = model_comparisons(&common, matched, reports, &options.metrics);
    let (fits, summary) = fit_and_summarise(&mut models, &left_out, &options.metrics);
    warnings.extend(models.iter().filter_map(|m| thin_bins(m, &target.dataset)));
    Ok(Comparison {
        source: source.dataset.clone(),
        target: target.dataset.clone(),
        uncertainty: uncertainty.as_str(),
        bins: options.bins,
        binning: options.binning.as_str(),
        seed: options.seed,
        draws: options.draws.max(1),
        models,
        only_source: only(&in_source, &in_target),
        only_target: only(&in_target, &in_source),
        summary,
        fit: fits,
        warnings,
        left_out: left_out.into_iter().collect(),
        source_images: source.truth.len(),
        target_images: target.truth.len(),
    })
}

/// Each common model's top-1 matched by uncertainty, one model per thread.
fn match_models(
    source: &Evaluation,
    target: &Evaluation,
    common: &[&str],
    options: &CompareOptions,
    uncertainty: Uncertainty,
) -> Result<Vec<Matched>> {
    let (source_predictions, target_predictions) = (
        predictions_of(source, common),
        predictions_of(target, common),
    );
    let (source_uncertainty, target_uncertainty) = (
        uncertainties(source, common, &source_predictions, uncertainty)?,
        uncertainties(target, common, &target_predictions, uncertainty)?,
    );
    let bins_for = |s: &Outcomes, t: &Outcomes| match options.binning {
        Binning::Width => Bins::width(options.bins),
        Binning::Quantile => {
            let pooled: Vec<f64> = s
                .uncertainty
                .iter()
                .chain(&t.uncertainty)
                .copied()
                .collect();
            Bins::quantile(options.bins, &pooled)
        }
    };
    Ok((0..common.len())
        .into_par_iter()
        .map(|m| {
            let s = Outcomes::new(source_predictions[m], &source_uncertainty[m], &source.truth);
            let t = Outcomes::new(target_predictions[m], &target_uncertainty[m], &target.truth);
            let bins = bins_for(&s, &t);
            matching::match_by_uncertainty(&s, &t, &bins, options.seed, options.draws)
        })
        .collect())
}

/// Each common model's metrics on both sides (`reports`: source, target) and its matched
/// top-1; the residuals come once the fit is known.
fn model_comparisons(
    common: &[&str],
    matched: Vec<Matched>,
    [source_report, target_report]: [&DatasetReport; 2],
    metrics: &[Metric],
) -> Vec<ModelComparison> {
    let report_of = |report: &DatasetReport, name: &str| {
        report.models.iter().find(|m| m.model == name).cloned()
    };
    common
        .iter()
        .zip(matched)
        .map(|(&name, matched)| {
            let (s, t) = (
                report_of(source_report, name),
                report_of(target_report, name),
            );
            let metric = |metric: Metric| {
                Sides::new(
                    s.as_ref().and_then(|r| metric.of(r)),
                    t.as_ref().and_then(|r| metric.of(r)),
                )
            };
            ModelComparison {
                model: name.to_owned(),
                metrics: PerMetric(metrics.iter().map(|&m| (m, metric(m))).collect()),
                matched,
                residual: Residual::default(),
            }
        })
        .collect()
}

/// The fits across the models not `left_out`, each model's residuals off the top-1 fit, and
/// the spread of the gaps.
fn fit_and_summarise(
    models: &mut [ModelComparison],
    left_out: &BTreeSet<String>,
    metrics: &[Metric],
) -> (PerMetric<MetricFit>, Summary) {
    let kept = |m: &&ModelComparison| !left_out.contains(&m.model);
    let fits = PerMetric(
        metrics
            .iter()
            .map(|&metric| (metric, fit_metric(models.iter().filter(kept), metric)))
            .collect(),
    );
    let top1_fit = match fits.get(Metric::Top1) {
        Some(fit) => *fit,
        None => fit_metric(models.iter().filter(kept), Metric::Top1),
    };
    for model in models.iter_mut() {
        model.residual = residuals(model, &top1_fit);
    }
    let gaps = |metric: Option<Metric>| {
        let kept_models = models.iter().filter(kept);
        GapSummary::of(
            kept_models
                .filter_map(|m| match metric {
                    Some(metric) => m.metrics.get(metric).and_then(|s| s.gap),
                    None => m.matched.gap,
                })
                .collect(),
        )
    };
    let summary = Summary {
        metrics: PerMetric(metrics.iter().map(|&m| (m, gaps(Some(m)))).collect()),
        matched: gaps(None),
    };
    (fits, summary)
}

/// Both datasets need original labels: every metric compared and the matching read them.
fn check_labels(evaluation: &Evaluation) -> Result<()> {
    if evaluation.truth.iter().all(Option::is_none) {
        return Err(Error::Usage(format!(
            "dataset {:?} has no original labels, and the comparison measures accuracy against \
             them; import its images with labels (a `file,label` list, an ImageFolder tree or an \
             ImageNetV2 dataset JSON) into a new dataset",
            evaluation.dataset
        )));
    }
    Ok(())
}

/// A replica labels the same classes as its source; a gap between datasets over different
/// classes says nothing about generalizing.
fn check_same_classes(source: &Evaluation, target: &Evaluation) -> Result<()> {
    let classes = |e: &Evaluation| e.truth.iter().flatten().copied().collect::<BTreeSet<_>>();
    let (in_source, in_target) = (classes(source), classes(target));
    if in_source == in_target {
        return Ok(());
    }
    let example = |missing: &BTreeSet<u16>, of: &Evaluation| {
        missing
            .first()
            .map(|&c| format!("{} of {:?}, e.g. class {c}", missing.len(), of.dataset))
    };
    let not_in_target: BTreeSet<u16> = in_source.difference(&in_target).copied().collect();
    let not_in_source: BTreeSet<u16> = in_target.difference(&in_source).copied().collect();
    let differences: Vec<String> = [
        example(&not_in_target, source)
            .map(|e| format!("{e}, never labels an image of {:?}", target.dataset)),
        example(&not_in_source, target)
            .map(|e| format!("{e}, never labels an image of {:?}", source.dataset)),
    ]
    .into_iter()
    .flatten()
    .collect();
    Err(Error::Usage(format!(
        "{:?} labels {} classes and {:?} {}: the datasets do not share a vocabulary ({}); \
         compare a dataset with a replica over the same classes",
        source.dataset,
        in_source.len(),
        target.dataset,
        in_target.len(),
        differences.join("; ")
    )))
}

/// Each common model's uncertainty per image on one dataset.
fn uncertainties(
    evaluation: &Evaluation,
    common: &[&str],
    predictions: &[&TopK],
    uncertainty: Uncertainty,
) -> Result<Vec<Vec<f64>>> {
    let classes = evaluation.classes();
    if uncertainty == Uncertainty::Disagreement {
        if predictions.len() < 2 {
            return Err(Error::Usage(format!(
                "--uncertainty disagreement needs at least two models with predictions on both \
                 datasets, and {:?} has one; import more models, or use --uncertainty softmax",
                evaluation.dataset
            )));
        }
        return Ok(matching::disagreement(predictions, classes));
    }
    let values: Vec<Option<Vec<f64>>> = predictions
        .iter()
        .map(|p| matching::from_scores(p, uncertainty, classes))
        .collect();
    let missing: Vec<&str> = common
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        let needs = match uncertainty {
            Uncertainty::Entropy => {
                "the entropy, which needs full scores (logits or probabilities)"
            }
            _ => "scores",
        };
        return Err(Error::Usage(format!(
            "--uncertainty {} reads {needs}, and on {:?} {} {} imported without: {}; use \
             --uncertainty disagreement, or re-import their scores with --replace",
            uncertainty.as_str(),
            evaluation.dataset,
            missing.len(),
            if missing.len() == 1 {
                "model was"
            } else {
                "models were"
            },
            missing.join(", ")
        )));
    }
    Ok(values.into_iter().flatten().collect())
}

/// The fits of one metric through the given models' (source, target) values.
fn fit_metric<'a>(models: impl Iterator<Item = &'a ModelComparison>, metric: Metric) -> MetricFit {
    let points: Vec<(f64, f64)> = models
        .filter_map(|m| {
            let sides = m.metrics.get(metric)?;
            sides.source.zip(sides.target)
        })
        .collect();
    MetricFit {
        linear: fit::fit_accuracies(&points, Scale::Plain),
        probit: fit::fit_accuracies(&points, Scale::Probit),
        models: points.len(),
    }
}

fn residuals(model: &ModelComparison, top1: &MetricFit) -> Residual {
    let Some((source, target)) = model
        .metrics
        .get(Metric::Top1)
        .and_then(|s| s.source.zip(s.target))
    else {
        return Residual::default();
    };
    let on = |scale: Scale| {
        top1.on(scale)
            .map(|f| fit::residual(f, scale, source, target))
    };
    Residual {
        linear: on(Scale::Plain),
        probit: on(Scale::Probit),
    }
}

/// A warning for a model whose matched curve has bins too thin to read.
fn thin_bins(model: &ModelComparison, target: &str) -> Option<Warning> {
    let thin: Vec<String> = (model.matched.curve.iter())
        .filter(|b| b.images < THIN_BIN && b.source_images + b.target_images > 0)
        .map(|b| {
            let (s, t) = (b.source_images, b.target_images);
            format!("{} ({s} source, {t} target images)", b.bin)
        })
        .collect();
    let (bins, have, points) = match thin.len() {
        0 => return None,
        1 => ("bin", "has", "that point of its curve is"),
        _ => ("bins", "have", "those points of its curve are"),
    };
    Some(Warning {
        model: model.model.clone(),
        dataset: target.to_owned(),
        kind: "thin_bins",
        message: format!(
            "{}: {bins} {} {have} fewer than {THIN_BIN} images on one side to draw, so {points} \
             mostly noise: use fewer --bins, or --binning quantile",
            model.model,
            thin.join(", ")
        ),
    })
}

/// The predictions of the named models, in that order.
fn predictions_of<'a>(evaluation: &'a Evaluation, names: &[&str]) -> Vec<&'a TopK> {
    (names.iter())
        .filter_map(|name| evaluation.models.iter().find(|(n, _)| n == name))
        .map(|(_, predictions)| predictions)
        .collect()
}

/// Writes a file whole or not at all, replacing what was there: the exports' one writer.
pub(crate) fn write_whole(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    crate::durable::write_atomically(path, |sink| sink.write_all(bytes))
}
