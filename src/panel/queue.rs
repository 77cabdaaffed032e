//! The review queue: every (image, predicted label) pair some model got wrong at top-1 under
//! the imported labels, after collapsing. Built from imported labels only, not from the
//! panel's decisions, so an item stays in place once voted on and the queue is the same
//! after a restart.

use super::{Verdict, Vote};
use crate::data::{ImageLabels, LabelSets, TopK};
use crate::metrics::{Evaluation, ValidSets};
use crate::vocab::{ClassId, Hierarchy, Vocabulary};
use serde::{Deserialize, Serialize};
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
    /// The imported multi-labels cover the image.
    pub has_multilabels: bool,
    /// The label set that rejects the prediction.
    pub source: MistakeSource,
}

/// The label set that judges an image's predictions, and so makes a pair a mistake: the
/// first source covering the image, multi-labels before ReaL, else the original label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MistakeSource {
    MultiLabel,
    Real,
    Original,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SortOrder {
    /// Most confident mistakes first: the ones most likely to be label errors.
    #[default]
    Confidence,
    /// Predictions most models make first: shared mistakes, likely label errors too.
    Models,
    /// Farthest from the original label first: the likeliest major mistakes.
    Distance,
    /// By predicted class name, to review one class's mistakes together.
    Class,
}

impl SortOrder {
    pub const ALL: [SortOrder; 4] = [
        SortOrder::Confidence,
        SortOrder::Models,
        SortOrder::Distance,
        SortOrder::Class,
    ];

    /// The most useful order a queue allows: confidence needs scores, which not every
    /// prediction release has; how many models agree needs nothing.
    pub fn best_for(queue: &ReviewQueue) -> Self {
        match queue.items.iter().any(|item| item.confidence.is_some()) {
            true => SortOrder::Confidence,
            false => SortOrder::Models,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ReviewedFilter {
    #[default]
    Any,
    ByMe,
    NotByMe,
    /// My vote is wrong without a category or a severity.
    Incomplete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DecidedFilter {
    #[default]
    Any,
    Decided,
    Undecided,
    /// The second pass: decided wrong, still lacking a category or a severity.
    NeedsDetail,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueFilter {
    pub model: Option<u16>,
    /// The predicted or the original label.
    pub class: Option<ClassId>,
    pub novel_only: bool,
    pub judged_wrong_only: bool,
    pub has_multilabels: bool,
    pub source: Option<MistakeSource>,
    pub reviewed: ReviewedFilter,
    pub decided: DecidedFilter,
    /// The discussion round's pairs: independent votes that disagree.
    pub disputed_only: bool,
    /// The pairs `bagel assign` gave me.
    pub assigned_to_me: bool,
    /// One confusion: (original class, predicted class).
    pub confusion: Option<(ClassId, ClassId)>,
}

/// What the queue needs to know of the votes to filter and count: my vote and whether the
/// pair is decided ([`super::Review`] answers from memory).
pub trait PairStatus {
    fn my_vote(&self, image: u32, label: ClassId) -> Option<&Vote>;
    fn is_decided(&self, image: u32, label: ClassId) -> bool;
    /// Whether the pair's independent votes are not unanimous.
    fn is_disputed(&self, image: u32, label: ClassId) -> bool;
    /// Whether the pair is decided wrong without a category or a severity.
    fn needs_detail(&self, image: u32, label: ClassId) -> bool;
    /// Whether the pair was assigned to me (`bagel assign`).
    fn is_assigned_to_me(&self, _image: u32, _label: ClassId) -> bool {
        false
    }

    fn state(&self, item: &QueueItem) -> PairState {
        let mine = self.my_vote(item.image, item.label);
        PairState {
            mine: mine.is_some(),
            incomplete: mine.is_some_and(is_incomplete),
            decided: self.is_decided(item.image, item.label),
            disputed: self.is_disputed(item.image, item.label),
            needs_detail: self.needs_detail(item.image, item.label),
            assigned: self.is_assigned_to_me(item.image, item.label),
        }
    }
}

/// A wrong vote still lacking its category or severity.
pub fn is_incomplete(vote: &Vote) -> bool {
    vote.verdict == Verdict::Wrong && (vote.category.is_none() || vote.severity.is_none())
}

/// Where a pair stands, as the filters and counters see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PairState {
    pub mine: bool,
    pub incomplete: bool,
    pub decided: bool,
    pub disputed: bool,
    pub needs_detail: bool,
    pub assigned: bool,
}

/// Counters over the pairs a view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ViewCounts {
    pub shown: usize,
    pub mine: usize,
    pub incomplete: usize,
    pub decided: usize,
    pub disputed: usize,
}

impl ViewCounts {
    pub fn of(queue: &ReviewQueue, view: &[usize], status: &impl PairStatus) -> Self {
        let mut counts = ViewCounts {
            shown: view.len(),
            ..Default::default()
        };
        for &position in view {
            counts.change(PairState::default(), status.state(&queue.items[position]));
        }
        counts
    }

    /// One shown pair went from `before` to `after` (a vote or an undo).
    pub fn change(&mut self, before: PairState, after: PairState) {
        let step =
            |count: &mut usize, was: bool, is: bool| *count = *count + is as usize - was as usize;
        step(&mut self.mine, before.mine, after.mine);
        step(&mut self.incomplete, before.incomplete, after.incomplete);
        step(&mut self.decided, before.decided, after.decided);
        step(&mut self.disputed, before.disputed, after.disputed);
    }

    pub fn pending(&self) -> usize {
        self.shown - self.decided
    }
}

impl QueueFilter {
    pub fn keeps(&self, item: &QueueItem, original: Option<ClassId>, state: PairState) -> bool {
        self.model.is_none_or(|m| item.models.contains(&m))
            && self
                .class
                .is_none_or(|c| item.label == c || original == Some(c))
            && (!self.novel_only || item.novel)
            && (!self.judged_wrong_only || item.judged_wrong)
            && (!self.has_multilabels || item.has_multilabels)
            && self.source.is_none_or(|source| item.source == source)
            && match self.reviewed {
                ReviewedFilter::Any => true,
                ReviewedFilter::ByMe => state.mine,
                ReviewedFilter::NotByMe => !state.mine,
                ReviewedFilter::Incomplete => state.incomplete,
            }
            && match self.decided {
                DecidedFilter::Any => true,
                DecidedFilter::Decided => state.decided,
                DecidedFilter::Undecided => !state.decided,
                DecidedFilter::NeedsDetail => state.needs_detail,
            }
            && (!self.disputed_only || state.disputed)
            && (!self.assigned_to_me || state.assigned)
            && self
                .confusion
                .is_none_or(|(from, to)| original == Some(from) && item.label == to)
    }

    /// Whether a vote can move a pair in or out of the view.
    pub fn follows_votes(&self) -> bool {
        self.reviewed != ReviewedFilter::Any
            || self.decided != DecidedFilter::Any
            || self.disputed_only
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReviewQueue {
    items: Vec<QueueItem>,
}

impl ReviewQueue {
    /// `labels`: the imported multi-labels, which tell novel and previously-wrong pairs apart.
    pub fn build(evaluation: &Evaluation, labels: Option<&ImageLabels>) -> Self {
        let mut pairs: BTreeMap<(u32, ClassId), QueueItem> = BTreeMap::new();
        for (index, (_, predictions)) in evaluation.models.iter().enumerate() {
            for image in 0..evaluation.truth.len().min(predictions.num_images()) {
                let predicted = predictions.top1(image);
                if imported_valid(evaluation, image, predicted) {
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

    /// The position of a pair's item.
    pub fn position(&self, image: u32, label: ClassId) -> Option<usize> {
        (self.items)
            .binary_search_by_key(&(image, label), |item| (item.image, item.label))
            .ok()
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
        status: &impl PairStatus,
    ) -> Vec<usize> {
        let mut kept: Vec<usize> = (0..self.items.len())
            .filter(|&i| {
                let item = &self.items[i];
                let original = truth.get(item.image as usize).copied().flatten();
                filter.keeps(item, original, status.state(item))
            })
            .collect();
        let items = &self.items;
        let confidence = |i: usize| items[i].confidence.unwrap_or(f32::NEG_INFINITY);
        match order {
            SortOrder::Confidence => kept.sort_by(|&a, &b| confidence(b).total_cmp(&confidence(a))),
            SortOrder::Models => kept.sort_by(|&a, &b| {
                (items[b].models.len().cmp(&items[a].models.len()))
                    .then(confidence(b).total_cmp(&confidence(a)))
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

/// The label source that judges an image: the first covering it, multi-labels before ReaL.
pub fn judging_source(evaluation: &Evaluation, image: usize) -> MistakeSource {
    let covers = |source: &Option<(String, ValidSets)>| {
        source
            .as_ref()
            .is_some_and(|(_, sets)| sets.included(image))
    };
    if covers(&evaluation.multilabel) {
        MistakeSource::MultiLabel
    } else if covers(&evaluation.real) {
        MistakeSource::Real
    } else {
        MistakeSource::Original
    }
}

/// Whether a class is valid for an image under the imported labels, after collapsing: in the
/// judging source's set, or equal to the original label when no source covers the image. The
/// one rule the queue and the item panel share ([`super::Review::is_valid_label`] lays the
/// panel's decisions over it).
pub fn imported_valid(evaluation: &Evaluation, image: usize, class: ClassId) -> bool {
    let collapsed = evaluation.collapse[class as usize];
    let accepts = |source: &Option<(String, ValidSets)>| {
        (source.as_ref()).is_some_and(|(_, sets)| sets.accepts(image, collapsed))
    };
    match judging_source(evaluation, image) {
        MistakeSource::MultiLabel => accepts(&evaluation.multilabel),
        MistakeSource::Real => accepts(&evaluation.real),
        MistakeSource::Original => evaluation.truth[image]
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
        has_multilabels: labels.is_some_and(|l| l.labeled[image]),
        source: judging_source(evaluation, image),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::Category;
    use std::collections::HashMap;

    /// My votes and the decided pairs, as a review would hold them.
    #[derive(Default)]
    struct Votes {
        mine: HashMap<(u32, ClassId), Vote>,
        decided: Vec<(u32, ClassId)>,
        disputed: Vec<(u32, ClassId)>,
        needs_detail: Vec<(u32, ClassId)>,
    }

    impl PairStatus for Votes {
        fn my_vote(&self, image: u32, label: ClassId) -> Option<&Vote> {
            self.mine.get(&(image, label))
        }
        fn is_decided(&self, image: u32, label: ClassId) -> bool {
            self.decided.contains(&(image, label))
        }
        fn is_disputed(&self, image: u32, label: ClassId) -> bool {
            self.disputed.contains(&(image, label))
        }
        fn needs_detail(&self, image: u32, label: ClassId) -> bool {
            self.needs_detail.contains(&(image, label))
        }
    }

    fn item(image: u32, label: ClassId, models: &[u16], source: MistakeSource) -> QueueItem {
        QueueItem {
            image,
            label,
            models: models.to_vec(),
            confidence: None,
            distance: None,
            novel: true,
            judged_wrong: false,
            has_multilabels: source == MistakeSource::MultiLabel,
            source,
        }
    }

    /// Four pairs: image 0 judged by the multi-labels, 1 by ReaL, 2 by its original label.
    fn queue() -> ReviewQueue {
        ReviewQueue {
            items: vec![
                item(0, 10, &[0], MistakeSource::MultiLabel),
                item(0, 11, &[0, 1, 2], MistakeSource::MultiLabel),
                item(1, 12, &[1, 2], MistakeSource::Real),
                item(2, 13, &[2], MistakeSource::Original),
            ],
        }
    }

    fn votes() -> Votes {
        let wrong_without_severity = Vote {
            category: Some(Category::Spurious),
            ..Vote::new(0, 11, Verdict::Wrong)
        };
        let mut votes = Votes::default();
        votes.mine.insert((0, 11), wrong_without_severity);
        votes
            .mine
            .insert((1, 12), Vote::new(1, 12, Verdict::Correct));
        votes.decided = vec![(0, 11), (1, 12), (2, 13)];
        votes.disputed = vec![(0, 10), (2, 13)];
        votes.needs_detail = vec![(2, 13)];
        votes
    }

    fn view(filter: QueueFilter, order: SortOrder) -> Vec<usize> {
        let vocab = Vocabulary::imagenet1k();
        queue().view(&filter, order, &vocab, &[None; 3], &votes())
    }

    #[test]
    fn each_filter_keeps_the_pairs_it_names() {
        let only = |filter: QueueFilter| view(filter, SortOrder::Class);
        let sorted = |mut v: Vec<usize>| {
            v.sort();
            v
        };
        assert_eq!(
            sorted(only(QueueFilter {
                has_multilabels: true,
                ..Default::default()
            })),
            vec![0, 1]
        );
        assert_eq!(
            only(QueueFilter {
                source: Some(MistakeSource::Real),
                ..Default::default()
            }),
            vec![2]
        );
        assert_eq!(
            only(QueueFilter {
                reviewed: ReviewedFilter::Incomplete,
                ..Default::default()
            }),
            vec![1],
            "the wrong vote without a severity"
        );
        assert_eq!(
            only(QueueFilter {
                decided: DecidedFilter::Undecided,
                ..Default::default()
            }),
            vec![0]
        );
        assert_eq!(
            sorted(only(QueueFilter {
                decided: DecidedFilter::Decided,
                reviewed: ReviewedFilter::NotByMe,
                ..Default::default()
            })),
            vec![3]
        );
        assert_eq!(
            sorted(only(QueueFilter {
                disputed_only: true,
                ..Default::default()
            })),
            vec![0, 3],
            "the discussion round's pairs"
        );
        assert_eq!(
            only(QueueFilter {
                decided: DecidedFilter::NeedsDetail,
                ..Default::default()
            }),
            vec![3],
            "the second pass: decided wrong without category or severity"
        );
    }

    #[test]
    fn without_scores_the_best_order_is_by_how_many_models_agree() {
        assert_eq!(SortOrder::best_for(&queue()), SortOrder::Models);
        // 3 models, 2, then the two of one model in image order (a stable sort).
        assert_eq!(
            view(QueueFilter::default(), SortOrder::Models),
            vec![1, 2, 0, 3]
        );
        let mut scored = queue();
        scored.items[3].confidence = Some(0.9);
        assert_eq!(SortOrder::best_for(&scored), SortOrder::Confidence);
    }

    #[test]
    fn counters_cover_the_filtered_pairs_and_follow_one_vote() {
        let queue = queue();
        let votes = votes();
        let multilabel: Vec<usize> = vec![0, 1];
        let mut counts = ViewCounts::of(&queue, &multilabel, &votes);
        let expected = ViewCounts {
            shown: 2,
            mine: 1,
            incomplete: 1,
            decided: 1,
            disputed: 1,
        };
        assert_eq!(counts, expected);
        assert_eq!(counts.pending(), 1);
        // The severity given: the vote is complete.
        let before = votes.state(&queue.items[1]);
        counts.change(
            before,
            PairState {
                incomplete: false,
                ..before
            },
        );
        assert_eq!(counts.incomplete, 0);
        assert_eq!(counts.mine, 1);
    }
}
