//! One dataset's metrics for every model: the figures `bagel metrics` prints and the desk shows.

use super::accuracy::{OriginalLabelHits, SetHits};
use super::asma::SubgroupImages;
use super::mla::MlaImages;
use super::{
    MistakeDistance, Relabeled, SliceScore, SubsetAccuracy, ValidSets, asma, label_column,
    slice_score,
};
use crate::data::sanity::{self, RankHits, Warning};
use crate::data::{LabelKind, TopK};
use crate::error::Result;
use crate::store::Project;
use crate::vocab::{ClassId, ClassKind, Hierarchy};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct MetricOptions {
    /// Which labels define the valid set for ASMA; None: ReaL when the dataset has it.
    pub asma_labels: Option<LabelKind>,
    pub asma_form: SubsetAccuracy,
    /// The largest subgroup g averaged into ASMA (the papers use 5).
    pub max_group: usize,
}

impl Default for MetricOptions {
    fn default() -> Self {
        MetricOptions {
            asma_labels: None,
            asma_form: SubsetAccuracy::Jaccard,
            max_group: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ModelReport {
    pub model: String,
    pub top1: Option<f64>,
    pub top5: Option<f64>,
    pub real: Option<f64>,
    pub mla: Option<f64>,
    pub mla_relabeled: Option<f64>,
    pub mla_organisms: Option<f64>,
    pub mla_objects: Option<f64>,
    pub mla_per_image: Option<f64>,
    pub asma: Option<f64>,
    /// How many subgroups ASMA averages: G, or fewer when fewer predictions were kept (a
    /// subgroup g > k is never guessed), so a top-1 import's ASMA reads as "g ≤ 1".
    pub asma_groups: usize,
    /// Keyed by g, in order (g10 after g9).
    pub subgroups: BTreeMap<usize, Option<f64>>,
    pub imagenet_m: Option<SliceScore>,
    pub mean_mistake_distance: Option<f64>,
    /// What the sanity checks read; the warnings they give are the report's.
    #[serde(skip)]
    pub rank_hits: RankHits,
}

impl ModelReport {
    /// Whether ASMA averages fewer subgroups than asked for, because fewer were kept.
    pub fn asma_is_partial(&self) -> bool {
        self.asma.is_some() && self.asma_groups < self.subgroups.len()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DatasetReport {
    pub dataset: String,
    pub images: usize,
    pub collapse_classes: bool,
    pub real_labels: Option<String>,
    pub multilabels: Option<String>,
    pub decisions: usize,
    /// Decisions on images MLA does not count (not multi-labeled, or problematic in the
    /// source): kept and exported, but they move no figure.
    pub decided_outside_multilabels: usize,
    /// Images MLA counts that the decisions left without a valid label: excluded from MLA
    /// re-labeled, and listed here for review.
    pub emptied_by_decisions: Vec<String>,
    pub asma_labels: Option<&'static str>,
    pub asma_form: &'static str,
    /// How many images each ASMA subgroup g holds, by g: the same for every model.
    pub asma_subgroup_images: BTreeMap<usize, usize>,
    pub slice: Option<String>,
    /// Written by [`super::mistakes::MetricsDocument`], beside each model's mistakes.
    #[serde(skip)]
    pub models: Vec<ModelReport>,
    /// Models whose predictions look broken (`sanity.rs`), with what to do.
    pub warnings: Vec<Warning>,
}

/// Everything the metrics read, loaded once: ground truth, valid sets, slice, predictions.
pub struct Evaluation {
    pub dataset: String,
    pub dataset_id: i64,
    pub truth: Vec<Option<ClassId>>,
    pub kinds: Vec<ClassKind>,
    pub collapse: Vec<ClassId>,
    pub collapse_enabled: bool,
    pub hierarchy: Hierarchy,
    pub real: Option<(String, ValidSets)>,
    pub multilabel: Option<(String, ValidSets)>,
    pub relabeled: Option<Relabeled>,
    pub decisions: usize,
    pub decided_outside_multilabels: usize,
    pub slice: Option<(String, Vec<u32>)>,
    /// Every model's predictions; empty when loaded [`Evaluation::without_predictions`].
    pub models: Vec<(String, TopK)>,
    /// The file names of the images the decisions emptied, which the report lists.
    pub emptied_files: Vec<String>,
}

/// The slice the report scores: the imported ImageNet-M list when present.
pub const DEFAULT_SLICE: &str = "imagenet_m";

impl Evaluation {
    /// What the metrics need: predicted classes without their scores.
    pub fn load(project: &Project, dataset: &str) -> Result<Self> {
        Self::load_predictions(project, dataset, Some(false))
    }

    /// With the scores too, for the desk, which shows them and sorts by confidence.
    pub fn load_with_scores(project: &Project, dataset: &str) -> Result<Self> {
        Self::load_predictions(project, dataset, Some(true))
    }

    /// Everything but the predictions, for [`Evaluation::report_streamed`], which reads them
    /// model by model.
    pub fn without_predictions(project: &Project, dataset: &str) -> Result<Self> {
        Self::load_predictions(project, dataset, None)
    }

    /// `with_scores`: None reads no predictions. The class hierarchy is built on another core
    /// meanwhile: it takes about as long as reading the labels.
    fn load_predictions(
        project: &Project,
        dataset: &str,
        with_scores: Option<bool>,
    ) -> Result<Self> {
        std::thread::scope(|scope| {
            let vocab = project.vocab();
            let hierarchy = scope.spawn(move || Hierarchy::new(vocab));
            Self::load_with(project, dataset, with_scores, || match hierarchy.join() {
                Ok(hierarchy) => hierarchy,
                Err(panic) => std::panic::resume_unwind(panic),
            })
        })
    }

    fn load_with(
        project: &Project,
        dataset: &str,
        with_scores: Option<bool>,
        hierarchy: impl FnOnce() -> Hierarchy,
    ) -> Result<Self> {
        let info = project.dataset(dataset)?;
        let truth = project.original_labels(info.id)?;
        let vocab = project.vocab();
        let collapse = project.collapse_map()?;
        let n = truth.len();
        let real = match project.label_source(info.id, LabelKind::Real, None)? {
            Some(source) => Some((
                source.name.clone(),
                ValidSets::from_real(&project.image_labels(&source, n)?, &collapse),
            )),
            None => None,
        };
        let decisions = project.decisions(info.id)?;
        let (multilabel, relabeled) =
            match project.label_source(info.id, LabelKind::MultiLabel, None)? {
                Some(source) => {
                    let labels = project.image_labels(&source, n)?;
                    let plain = ValidSets::from_multilabel(&labels, &collapse);
                    let relabeled = ValidSets::relabeled(&labels, &decisions, &collapse);
                    (Some((source.name, plain)), Some(relabeled))
                }
                None => (None, None),
            };
        let slice_name = project
            .slice_names(info.id)?
            .into_iter()
            .find(|name| name == DEFAULT_SLICE)
            .or_else(|| project.slice_names(info.id).ok()?.into_iter().next());
        let slice = match slice_name {
            Some(name) => project.slice(info.id, &name)?.map(|images| (name, images)),
            None => None,
        };
        let models = match with_scores {
            Some(with_scores) => {
                let models = project.models(info.id)?;
                project.map_predictions(&info, &models, with_scores, |model, predictions| {
                    Ok((model.name.clone(), predictions))
                })?
            }
            None => Vec::new(),
        };
        let emptied = (relabeled.as_ref()).map_or_else(Vec::new, Relabeled::emptied);
        let mut evaluation = Evaluation {
            dataset: info.name,
            dataset_id: info.id,
            decided_outside_multilabels: 0,
            truth,
            kinds: vocab.classes().iter().map(|c| c.kind).collect(),
            collapse_enabled: collapse.iter().enumerate().any(|(c, &g)| c != g as usize),
            collapse,
            hierarchy: hierarchy(),
            real,
            multilabel,
            relabeled,
            decisions: decisions.len(),
            slice,
            models,
            emptied_files: project.file_names(info.id, &emptied)?,
        };
        evaluation.decided_outside_multilabels = (decisions.iter())
            .filter(|d| evaluation.outside_multilabels(d.image))
            .count();
        Ok(evaluation)
    }

    /// Whether MLA leaves the image out whatever is decided on it (not multi-labeled, or
    /// problematic in the source): decisions on it are counted apart and move no figure.
    pub fn outside_multilabels(&self, image: u32) -> bool {
        match &self.multilabel {
            Some((_, imported)) => {
                (image as usize) >= imported.num_images() || !imported.included(image as usize)
            }
            None => true,
        }
    }

    /// The size of the vocabulary (what guessing picks from).
    pub fn classes(&self) -> usize {
        self.collapse.len()
    }

    fn asma_sets(&self, options: &MetricOptions) -> Option<(LabelKind, &ValidSets)> {
        let real = self.real.as_ref().map(|(_, v)| (LabelKind::Real, v));
        let multilabel = self
            .multilabel
            .as_ref()
            .map(|(_, v)| (LabelKind::MultiLabel, v));
        match options.asma_labels {
            Some(LabelKind::Real) => real,
            Some(LabelKind::MultiLabel) => multilabel,
            None => real.or(multilabel),
        }
    }

    /// Every metric of one model.
    pub fn model_report(
        &self,
        name: &str,
        predictions: &TopK,
        options: &MetricOptions,
    ) -> ModelReport {
        self.score(&Prepared::new(self, options), name, predictions, options)
    }

    /// One pass over every image for the metrics that read them all, then passes over only
    /// the images that MLA and ASMA's larger subgroups count.
    fn score(
        &self,
        prepared: &Prepared,
        name: &str,
        predictions: &TopK,
        options: &MetricOptions,
    ) -> ModelReport {
        let collapse = &self.collapse;
        let kept = predictions.k;
        let mut original = OriginalLabelHits::default();
        let mut real = SetHits::new(collapse);
        let mut distance = MistakeDistance::new(&self.hierarchy);
        let images = (predictions.rows().zip(&prepared.labels)).zip(prepared.real.images());
        for ((ranked, &label), real_set) in images {
            original.add(label, ranked);
            distance.add(label, ranked[0]);
            real.add(real_set, ranked[0]);
        }
        let mla_score = |mla: &Option<(&ValidSets, MlaImages)>| {
            (mla.as_ref())
                .map(|(valid, images)| images.score(predictions, valid, collapse, &self.kinds))
        };
        let mla = mla_score(&prepared.mla).unwrap_or_default();
        let first = prepared.asma_reads_real.then(|| real.single_label_hits());
        let groups = (prepared.subgroups).accuracies(
            predictions,
            &prepared.asma,
            collapse,
            options.asma_form,
            first,
        );
        ModelReport {
            model: name.to_owned(),
            top1: original.finish(1, kept),
            top5: original.finish(5, kept),
            real: real.finish(),
            mla: mla.per_class,
            mla_relabeled: match mla_score(&prepared.relabeled) {
                Some(relabeled) => relabeled.per_class,
                None => self.relabeled.as_ref().and(mla.per_class),
            },
            mla_organisms: mla.organisms,
            mla_objects: mla.objects,
            mla_per_image: mla.per_image,
            asma: asma(&groups),
            asma_groups: groups.len().min(kept),
            subgroups: groups
                .iter()
                .enumerate()
                .map(|(g, a)| (g + 1, *a))
                .collect(),
            imagenet_m: self.slice.as_ref().map(|(_, images)| {
                let real = self.real.as_ref().map(|(_, v)| v);
                let relabeled = self.relabeled.as_ref();
                slice_score(predictions, images, relabeled, real, &self.truth, collapse)
            }),
            mean_mistake_distance: distance.finish(),
            rank_hits: original.rank_hits(kept),
        }
    }

    /// All models, in parallel.
    pub fn report(&self, options: &MetricOptions) -> DatasetReport {
        let prepared = Prepared::new(self, options);
        let models: Vec<ModelReport> = self
            .models
            .par_iter()
            .map(|(name, predictions)| self.score(&prepared, name, predictions, options))
            .collect();
        self.report_of(models, options, &prepared)
    }

    /// All models of the project's dataset, each read and scored in turn on every core
    /// ([`Project::map_predictions`]), never all held: what `bagel metrics` runs, on an
    /// evaluation loaded [`Evaluation::without_predictions`]. `also` gets each model's
    /// predictions as well, for what else the caller counts in the same pass.
    pub fn report_streamed<T: Send>(
        &self,
        project: &Project,
        options: &MetricOptions,
        also: impl Fn(&TopK) -> T + Sync,
    ) -> Result<(DatasetReport, Vec<T>)> {
        let prepared = Prepared::new(self, options);
        let dataset = project.dataset(&self.dataset)?;
        let models = project.models(dataset.id)?;
        let scored = project.map_predictions(&dataset, &models, false, |model, predictions| {
            let report = self.score(&prepared, &model.name, &predictions, options);
            Ok((report, also(&predictions)))
        })?;
        let (models, extra) = scored.into_iter().unzip();
        Ok((self.report_of(models, options, &prepared), extra))
    }

    fn report_of(
        &self,
        models: Vec<ModelReport>,
        options: &MetricOptions,
        prepared: &Prepared,
    ) -> DatasetReport {
        let warnings = (models.iter())
            .filter_map(|m| sanity::check(&m.model, &self.dataset, &m.rank_hits, self.classes()))
            .collect();
        DatasetReport {
            dataset: self.dataset.clone(),
            images: self.truth.len(),
            collapse_classes: self.collapse_enabled,
            real_labels: self.real.as_ref().map(|(name, _)| name.clone()),
            multilabels: self.multilabel.as_ref().map(|(name, _)| name.clone()),
            decisions: self.decisions,
            decided_outside_multilabels: self.decided_outside_multilabels,
            emptied_by_decisions: self.emptied_files.clone(),
            asma_labels: self.asma_sets(options).map(|(kind, _)| kind.as_str()),
            asma_form: options.asma_form.as_str(),
            asma_subgroup_images: (1..).zip(prepared.subgroups.sizes()).collect(),
            slice: self.slice.as_ref().map(|(name, _)| name.clone()),
            models,
            warnings,
        }
    }
}

/// What every model's report reads that does not depend on the model, found once.
struct Prepared<'a> {
    labels: Vec<u32>,
    /// A missing source includes no image, so the pass needs no test for its presence.
    real: Cow<'a, ValidSets>,
    asma: Cow<'a, ValidSets>,
    /// Whether ASMA reads the ReaL sets: then the ReaL pass counts its first subgroup too.
    asma_reads_real: bool,
    subgroups: SubgroupImages,
    mla: Option<(&'a ValidSets, MlaImages)>,
    /// Only with decisions: without, the re-labeled sets are the imported ones.
    relabeled: Option<(&'a ValidSets, MlaImages)>,
}

impl<'a> Prepared<'a> {
    fn new(evaluation: &'a Evaluation, options: &MetricOptions) -> Self {
        let classes = evaluation.collapse.len();
        let mla_images =
            |valid: &'a ValidSets| (valid, MlaImages::new(&evaluation.truth, valid, classes));
        let or_none = |valid: Option<&'a ValidSets>| match valid {
            Some(valid) => Cow::Borrowed(valid),
            None => Cow::Owned(ValidSets::including_none(evaluation.truth.len())),
        };
        let asma_sets = evaluation.asma_sets(options);
        let asma_kind = asma_sets.map(|(kind, _)| kind);
        let asma = or_none(asma_sets.map(|(_, v)| v));
        let images = evaluation.truth.len();
        Prepared {
            labels: label_column(&evaluation.truth),
            real: or_none(evaluation.real.as_ref().map(|(_, v)| v)),
            asma_reads_real: asma_kind == Some(LabelKind::Real),
            subgroups: SubgroupImages::new(&asma, options.max_group, images),
            asma,
            mla: evaluation.multilabel.as_ref().map(|(_, v)| mla_images(v)),
            relabeled: (evaluation.relabeled.as_ref())
                .filter(|_| evaluation.decisions > 0)
                .map(|relabeled| mla_images(&relabeled.valid)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{ImageLabels, LabelEntry};
    use crate::metrics::{
        mean_mistake_distance, multi_label_accuracy, set_accuracy, subgroup_accuracies,
        top_k_accuracy,
    };
    use crate::verdict::{Decision, Verdict};
    use crate::vocab::Vocabulary;

    /// The one-pass report must give what the metric functions give one by one.
    #[test]
    fn the_single_pass_report_agrees_with_each_metric_function() {
        let vocab = Vocabulary::imagenet1k();
        let mut state = 7u64;
        let mut next = move |below: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % below
        };
        let n = 3000;
        let truth: Vec<Option<ClassId>> = (0..n)
            .map(|i| (i % 17 != 0).then(|| next(40) as ClassId))
            .collect();
        let [real_entries, ml_entries] = random_label_entries(&mut next, n as usize);
        let collapse = crate::vocab::CollapsedPairs::imagenet1k().class_map(1000, true);
        let real = ValidSets::from_real(
            &ImageLabels::from_entries(LabelKind::Real, n as usize, real_entries),
            &collapse,
        );
        let ml_labels = ImageLabels::from_entries(LabelKind::MultiLabel, n as usize, ml_entries);
        let ml = ValidSets::from_multilabel(&ml_labels, &collapse);
        // Decisions on every 7th image, multi-labeled or not, so MLA re-labeled differs.
        let verdicts = [
            Verdict::Correct,
            Verdict::Wrong,
            Verdict::Unclear,
            Verdict::Problematic,
        ];
        let decisions: Vec<Decision> = (0..n)
            .step_by(7)
            .map(|image| {
                let (label, verdict) = (next(40) as ClassId, verdicts[next(4) as usize]);
                Decision::new(image, label, verdict, "panel".into())
            })
            .collect();
        let relabeled = ValidSets::relabeled(&ml_labels, &decisions, &collapse);
        let top = TopK {
            k: 5,
            class_ids: (0..n * 5).map(|_| next(40) as ClassId).collect(),
            ..Default::default()
        };
        let evaluation = Evaluation {
            dataset: "d".into(),
            dataset_id: 1,
            truth: truth.clone(),
            kinds: vocab.classes().iter().map(|c| c.kind).collect(),
            collapse: collapse.clone(),
            collapse_enabled: true,
            hierarchy: Hierarchy::new(&vocab),
            real: Some(("real".into(), real.clone())),
            multilabel: Some(("ml".into(), ml.clone())),
            relabeled: Some(relabeled.clone()),
            decisions: decisions.len(),
            decided_outside_multilabels: 0,
            slice: None,
            models: vec![("m".into(), top.clone())],
            emptied_files: Vec::new(),
        };
        assert_report_agrees(&evaluation);
    }

    /// A random ReaL set for every image and a multi-label entry for every third.
    fn random_label_entries(
        next: &mut dyn FnMut(u64) -> u64,
        n: usize,
    ) -> [Vec<(usize, LabelEntry)>; 2] {
        let set = |next: &mut dyn FnMut(u64) -> u64| {
            (0..next(4))
                .map(|_| next(40) as ClassId)
                .collect::<Vec<_>>()
        };
        let real_entries: Vec<_> = (0..n)
            .map(|i| {
                (
                    i,
                    LabelEntry {
                        correct: set(next),
                        ..Default::default()
                    },
                )
            })
            .collect();
        let ml_entries: Vec<_> = (0..n)
            .filter(|i| i % 3 == 0)
            .map(|i| {
                let entry = LabelEntry {
                    correct: set(next),
                    unclear: set(next),
                    wrong: vec![],
                    problematic: next(10) == 0,
                };
                (i, entry)
            })
            .collect();
        [real_entries, ml_entries]
    }

    /// The report of the evaluation's one model, against each metric function called alone.
    fn assert_report_agrees(evaluation: &Evaluation) {
        let (truth, collapse, kinds) = (&evaluation.truth, &evaluation.collapse, &evaluation.kinds);
        let top = &evaluation.models[0].1;
        let (real, ml) = (
            &evaluation.real.as_ref().unwrap().1,
            &evaluation.multilabel.as_ref().unwrap().1,
        );
        let relabeled = evaluation.relabeled.as_ref().unwrap();
        let report = evaluation.report(&MetricOptions::default());
        let model = &report.models[0];
        let mla = multi_label_accuracy(top, truth, ml, collapse, kinds);
        let groups = subgroup_accuracies(top, real, collapse, 5, SubsetAccuracy::Jaccard);
        assert_eq!(model.top1, top_k_accuracy(top, truth, 1));
        assert_eq!(model.top5, top_k_accuracy(top, truth, 5));
        assert_eq!(model.real, set_accuracy(top, real, collapse));
        assert_eq!(
            (model.mla, model.mla_organisms, model.mla_per_image),
            (mla.per_class, mla.organisms, mla.per_image)
        );
        let mla_relabeled = multi_label_accuracy(top, truth, &relabeled.valid, collapse, kinds);
        assert_eq!(model.mla_relabeled, mla_relabeled.per_class);
        assert_ne!(
            model.mla_relabeled, model.mla,
            "the decisions move MLA re-labeled"
        );
        assert_eq!(model.subgroups[&2], groups[1]);
        assert_eq!(model.asma, super::asma(&groups));
        assert_eq!(
            model.mean_mistake_distance,
            mean_mistake_distance(top, truth, &evaluation.hierarchy)
        );
        assert!(
            model.top1.unwrap() > 0.0 && model.asma.unwrap() > 0.0,
            "the random case exercises the metrics"
        );
    }
}
