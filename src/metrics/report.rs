//! One dataset's metrics for every model: the figures `bagel metrics` prints and the desk shows.

use super::{
    SliceScore, SubsetAccuracy, ValidSets, asma, mean_mistake_distance, multi_label_accuracy,
    set_accuracy, slice_score, subgroup_accuracies, top_k_accuracy,
};
use crate::data::{LabelKind, TopK};
use crate::error::Result;
use crate::store::Project;
use crate::vocab::{ClassId, ClassKind, Hierarchy};
use rayon::prelude::*;
use serde::Serialize;
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

#[derive(Debug, Clone, PartialEq, Serialize)]
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
    pub subgroups: BTreeMap<String, Option<f64>>,
    pub imagenet_m: Option<SliceScore>,
    pub mean_mistake_distance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetReport {
    pub dataset: String,
    pub images: usize,
    pub collapse_classes: bool,
    pub real_labels: Option<String>,
    pub multilabels: Option<String>,
    pub decisions: usize,
    pub asma_labels: Option<&'static str>,
    pub asma_form: &'static str,
    pub slice: Option<String>,
    pub models: Vec<ModelReport>,
}

/// Everything the metrics read, loaded once: ground truth, valid sets, slice, predictions.
pub struct Evaluation {
    pub dataset: String,
    pub truth: Vec<Option<ClassId>>,
    pub kinds: Vec<ClassKind>,
    pub collapse: Vec<ClassId>,
    pub collapse_enabled: bool,
    pub hierarchy: Hierarchy,
    pub real: Option<(String, ValidSets)>,
    pub multilabel: Option<(String, ValidSets)>,
    pub relabeled: Option<ValidSets>,
    pub decisions: usize,
    pub slice: Option<(String, Vec<u32>)>,
    pub models: Vec<(String, TopK)>,
}

/// The slice the report scores: the imported ImageNet-M list when present.
pub const DEFAULT_SLICE: &str = "imagenet_m";

impl Evaluation {
    pub fn load(project: &Project, dataset: &str) -> Result<Self> {
        let info = project.dataset(dataset)?;
        let images = project.images(info.id)?;
        let vocab = project.vocab();
        let collapse = project.collapse_map()?;
        let n = images.len();
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
                    let relabeled =
                        ValidSets::relabeled(&labels, &decisions, &images.labels, &collapse);
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
        let models = project
            .models(info.id)?
            .into_iter()
            .map(|model| Ok((model.name, project.predictions(model.id, info.id, false)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Evaluation {
            dataset: info.name,
            truth: images.labels,
            kinds: vocab.classes().iter().map(|c| c.kind).collect(),
            collapse_enabled: collapse.iter().enumerate().any(|(c, &g)| c != g as usize),
            collapse,
            hierarchy: Hierarchy::new(vocab),
            real,
            multilabel,
            relabeled,
            decisions: decisions.len(),
            slice,
            models,
        })
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

    pub fn model_report(
        &self,
        name: &str,
        predictions: &TopK,
        options: &MetricOptions,
    ) -> ModelReport {
        let collapse = &self.collapse;
        let mla = self
            .multilabel
            .as_ref()
            .map(|(_, valid)| {
                multi_label_accuracy(predictions, &self.truth, valid, collapse, &self.kinds)
            })
            .unwrap_or_default();
        let relabeled = self.relabeled.as_ref().and_then(|valid| {
            multi_label_accuracy(predictions, &self.truth, valid, collapse, &self.kinds).per_class
        });
        let groups = self
            .asma_sets(options)
            .map(|(_, valid)| {
                subgroup_accuracies(
                    predictions,
                    valid,
                    collapse,
                    options.max_group,
                    options.asma_form,
                )
            })
            .unwrap_or_else(|| vec![None; options.max_group]);
        ModelReport {
            model: name.to_owned(),
            top1: top_k_accuracy(predictions, &self.truth, 1),
            top5: top_k_accuracy(predictions, &self.truth, 5),
            real: self
                .real
                .as_ref()
                .and_then(|(_, valid)| set_accuracy(predictions, valid, collapse)),
            mla: mla.per_class,
            mla_relabeled: relabeled,
            mla_organisms: mla.organisms,
            mla_objects: mla.objects,
            mla_per_image: mla.per_image,
            asma: asma(&groups),
            subgroups: groups
                .iter()
                .enumerate()
                .map(|(g, a)| ((g + 1).to_string(), *a))
                .collect(),
            imagenet_m: self.slice.as_ref().map(|(_, images)| {
                let valid = self
                    .relabeled
                    .as_ref()
                    .or(self.real.as_ref().map(|(_, v)| v));
                slice_score(predictions, images, valid, &self.truth, collapse)
            }),
            mean_mistake_distance: mean_mistake_distance(predictions, &self.truth, &self.hierarchy),
        }
    }

    /// All models, in parallel.
    pub fn report(&self, options: &MetricOptions) -> DatasetReport {
        let models = self
            .models
            .par_iter()
            .map(|(name, predictions)| self.model_report(name, predictions, options))
            .collect();
        DatasetReport {
            dataset: self.dataset.clone(),
            images: self.truth.len(),
            collapse_classes: self.collapse_enabled,
            real_labels: self.real.as_ref().map(|(name, _)| name.clone()),
            multilabels: self.multilabel.as_ref().map(|(name, _)| name.clone()),
            decisions: self.decisions,
            asma_labels: self.asma_sets(options).map(|(kind, _)| kind.as_str()),
            asma_form: options.asma_form.as_str(),
            slice: self.slice.as_ref().map(|(name, _)| name.clone()),
            models,
        }
    }
}
