//! The review queue: every (image, predicted label) pair some model got wrong at top-1 under
//! the imported labels, after collapsing. Built from imported labels only, not from the
//! panel's decisions, so an item stays in place once voted on and the queue is the same
//! after a restart.

use crate::data::{ImageLabels, LabelSets, TopK};
use crate::metrics::{Evaluation, ValidSets};
use crate::vocab::{ClassId, Hierarchy, Vocabulary};
use std::collections::BTreeMap;

/// One pair to judge, with the models that predicted it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    pub image: u32,
    /// The predicted class as the models gave it (not collapsed): what the vote is about.
    pub label: ClassId,
    /// Indices into `Evaluation::models` of the models whose top-1 this is.
    pub models: Vec<u16>,
    /// The highest score any of those models gave the label, when scores are known.
    pub confidence: Option<f32>,
    /// WordNet distance from the original label.
    pub distance: Option<u32>,
    /// Never judged for this image: in none of its correct, unclear or wrong lists.
    pub novel: bool,
    /// In the image's previously-wrong list.
    pub judged_wrong: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Most confident mistakes first: the ones most likely to be label errors.
    #[default]
    Confidence,
    /// Farthest from the original label first: the likeliest major mistakes.
    Distance,
    /// By predicted class name, to review one class's mistakes together.
    Class,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReviewedFilter {
    #[default]
    Any,
    ByMe,
    NotByMe,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueFilter {
    pub model: Option<u16>,
    /// The predicted or the original label.
    pub class: Option<ClassId>,
    pub novel_only: bool,
    pub judged_wrong_only: bool,
    pub reviewed: ReviewedFilter,
}

#[derive(Debug, Clone, Default)]
pub struct ReviewQueue {
    items: Vec<QueueItem>,
}

impl ReviewQueue {
    /// `labels`: the imported multi-labels, which tell novel and previously-wrong pairs apart.
    pub fn build(evaluation: &Evaluation, labels: Option<&ImageLabels>) -> Self {
        let active = evaluation
            .multilabel
            .as_ref()
            .map(|(_, sets)| sets)
            .into_iter()
            .chain(evaluation.real.as_ref().map(|(_, sets)| sets))
            .collect::<Vec<_>>();
        let mut pairs: BTreeMap<(u32, ClassId), QueueItem> = BTreeMap::new();
        for (index, (_, predictions)) in evaluation.models.iter().enumerate() {
            for image in 0..evaluation.truth.len().min(predictions.num_images()) {
                let predicted = predictions.top1(image);
                if is_valid(evaluation, &active, image, predicted) {
                    continue;
                }
                let confidence = predictions.scores_row(image).map(|scores| scores[0]);
                let item = pairs
                    .entry((image as u32, predicted))
                    .or_insert_with(|| new_item(evaluation, labels, image, predicted));
                item.models.push(index as u16);
                item.confidence = max_confidence(item.confidence, confidence);
            }
        }
        ReviewQueue {
            items: pairs.into_values().collect(),
        }
    }

    /// Every item, ordered by image, then label.
    pub fn items(&self) -> &[QueueItem] {
        &self.items
    }

    /// The items of one image.
    pub fn items_of(&self, image: u32) -> &[QueueItem] {
        let start = self.items.partition_point(|item| item.image < image);
        let end = self.items.partition_point(|item| item.image <= image);
        &self.items[start..end]
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Positions of the items the filter keeps, in the chosen order.
    pub fn view(
        &self,
        filter: &QueueFilter,
        order: SortOrder,
        vocab: &Vocabulary,
        truth: &[Option<ClassId>],
        reviewed_by_me: impl Fn(&QueueItem) -> bool,
    ) -> Vec<usize> {
        let mut kept: Vec<usize> = (0..self.items.len())
            .filter(|&i| {
                let item = &self.items[i];
                let original = truth.get(item.image as usize).copied().flatten();
                filter.model.is_none_or(|m| item.models.contains(&m))
                    && filter
                        .class
                        .is_none_or(|c| item.label == c || original == Some(c))
                    && (!filter.novel_only || item.novel)
                    && (!filter.judged_wrong_only || item.judged_wrong)
                    && match filter.reviewed {
                        ReviewedFilter::Any => true,
                        ReviewedFilter::ByMe => reviewed_by_me(item),
                        ReviewedFilter::NotByMe => !reviewed_by_me(item),
                    }
            })
            .collect();
        let items = &self.items;
        match order {
            SortOrder::Confidence => kept.sort_by(|&a, &b| {
                let key = |i: usize| items[i].confidence.unwrap_or(f32::NEG_INFINITY);
                key(b).total_cmp(&key(a))
            }),
            SortOrder::Distance => {
                kept.sort_by_key(|&i| std::cmp::Reverse(items[i].distance.unwrap_or(0)))
            }
            SortOrder::Class => kept.sort_by_cached_key(|&i| {
                let name = vocab.class(items[i].label).map(|c| c.name().to_lowercase());
                (name, items[i].image)
            }),
        }
        kept
    }
}

/// Whether the (collapsed) prediction is valid under the first label source covering the
/// image (multi-labels, then ReaL), or else equals the original label.
fn is_valid(
    evaluation: &Evaluation,
    active: &[&ValidSets],
    image: usize,
    predicted: ClassId,
) -> bool {
    let collapsed = evaluation.collapse[predicted as usize];
    match active.iter().find(|sets| sets.included(image)) {
        Some(sets) => sets.accepts(image, collapsed),
        None => evaluation.truth[image]
            .is_some_and(|label| evaluation.collapse[label as usize] == collapsed),
    }
}

fn new_item(
    evaluation: &Evaluation,
    labels: Option<&ImageLabels>,
    image: usize,
    predicted: ClassId,
) -> QueueItem {
    let in_list = |list: fn(&ImageLabels) -> &LabelSets| {
        labels.is_some_and(|l| l.labeled[image] && list(l).get(image).contains(&predicted))
    };
    let judged_wrong = in_list(|l| &l.wrong);
    let judged_valid = in_list(|l| &l.correct) || in_list(|l| &l.unclear);
    QueueItem {
        image: image as u32,
        label: predicted,
        models: Vec::new(),
        confidence: None,
        distance: distance(&evaluation.hierarchy, evaluation.truth[image], predicted),
        novel: !judged_wrong && !judged_valid,
        judged_wrong,
    }
}

fn distance(hierarchy: &Hierarchy, truth: Option<ClassId>, predicted: ClassId) -> Option<u32> {
    hierarchy.distance(truth?, predicted)
}

fn max_confidence(a: Option<f32>, b: Option<f32>) -> Option<f32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// A model's scores for an image, paired with their classes, best first.
pub fn ranked_scores<'a>(
    predictions: &'a TopK,
    image: usize,
) -> impl Iterator<Item = (ClassId, Option<f32>)> + 'a {
    let scores = predictions.scores_row(image);
    predictions
        .row(image)
        .iter()
        .enumerate()
        .map(move |(rank, &class)| (class, scores.map(|s| s[rank])))
}
