//! Confusions reviewed in bulk: the review queue's pairs grouped by (original class, predicted
//! class), with how many model mistakes and images each holds, how many the panel has voted
//! on and decided, and the WordNet distance between the two classes. A panel defines a class
//! boundary once (tabby against tiger cat) and applies it to every image of the confusion.

use super::queue::{PairStatus, QueueItem, ReviewQueue};
use super::voting::{events_by_pair, panel_votes, standing_votes};
use crate::data::LabelKind;
use crate::error::Result;
use crate::metrics::Evaluation;
use crate::store::Project;
use crate::vocab::ClassId;
use std::collections::{BTreeMap, BTreeSet};

/// One (original, predicted) confusion.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Confusion {
    pub original: ClassId,
    pub predicted: ClassId,
    /// Model mistakes: over its pairs, the number of models predicting each.
    pub mistakes: usize,
    /// Images (queue pairs) in the confusion.
    pub images: usize,
    /// Pairs with at least one panel vote.
    pub voted: usize,
    pub decided: usize,
    pub distance: Option<u32>,
}

/// How a confusion list is ordered, largest first (the class ids ascending for ties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ConfusionOrder {
    #[default]
    Mistakes,
    Images,
    Voted,
    Decided,
    Distance,
}

/// The confusions of the queue's items (of one model when given), sorted by `order`.
/// `original` gives each image's original label; `status` says whether a pair is voted on
/// (by anyone the caller may see) and decided.
pub fn confusions(
    items: &[QueueItem],
    original: &[Option<ClassId>],
    model: Option<u16>,
    voted: &dyn Fn(u32, ClassId) -> bool,
    status: &impl PairStatus,
) -> Vec<Confusion> {
    let mut by_pair: BTreeMap<(ClassId, ClassId), Confusion> = BTreeMap::new();
    for item in items
        .iter()
        .filter(|i| model.is_none_or(|m| i.models.contains(&m)))
    {
        let Some(truth) = original.get(item.image as usize).copied().flatten() else {
            continue;
        };
        let row = by_pair.entry((truth, item.label)).or_insert(Confusion {
            original: truth,
            predicted: item.label,
            mistakes: 0,
            images: 0,
            voted: 0,
            decided: 0,
            distance: item.distance,
        });
        row.mistakes += match model {
            Some(_) => 1,
            None => item.models.len(),
        };
        row.images += 1;
        row.voted += voted(item.image, item.label) as usize;
        row.decided += status.is_decided(item.image, item.label) as usize;
    }
    let mut rows: Vec<Confusion> = by_pair.into_values().collect();
    sort(&mut rows, ConfusionOrder::Mistakes);
    rows
}

/// Sorts confusions by `order`, largest first; ties by the class ids.
pub fn sort(rows: &mut [Confusion], order: ConfusionOrder) {
    let key = |c: &Confusion| match order {
        ConfusionOrder::Mistakes => c.mistakes,
        ConfusionOrder::Images => c.images,
        ConfusionOrder::Voted => c.voted,
        ConfusionOrder::Decided => c.decided,
        ConfusionOrder::Distance => c.distance.unwrap_or(0) as usize,
    };
    rows.sort_by(|a, b| {
        (key(b).cmp(&key(a))).then((a.original, a.predicted).cmp(&(b.original, b.predicted)))
    });
}

/// The log's view of a dataset, for the command line: pairs with panel votes and decided pairs.
struct Logged {
    voted: BTreeSet<(u32, ClassId)>,
    decided: BTreeSet<(u32, ClassId)>,
}

impl PairStatus for Logged {
    fn my_vote(&self, _image: u32, _label: ClassId) -> Option<&crate::verdict::Vote> {
        None
    }
    fn is_decided(&self, image: u32, label: ClassId) -> bool {
        self.decided.contains(&(image, label))
    }
    fn is_disputed(&self, _image: u32, _label: ClassId) -> bool {
        false
    }
    fn needs_detail(&self, _image: u32, _label: ClassId) -> bool {
        false
    }
}

/// A dataset's confusions as the project holds them (`bagel confusions`).
pub fn dataset_confusions(
    project: &Project,
    dataset: &str,
    model: Option<&str>,
) -> Result<Vec<Confusion>> {
    let evaluation = Evaluation::load(project, dataset)?;
    let model = match model {
        Some(name) => Some(super::assign::model_index(&evaluation, name)?),
        None => None,
    };
    let info = project.dataset(dataset)?;
    let labels = match project.label_source(info.id, LabelKind::MultiLabel, None)? {
        Some(source) => Some(project.image_labels(&source, evaluation.truth.len())?),
        None => None,
    };
    let queue = ReviewQueue::build(&evaluation, labels.as_ref());
    let events = project.vote_events(info.id)?;
    let logged = Logged {
        voted: (events_by_pair(&events).into_iter())
            .filter(|(_, events)| !panel_votes(&standing_votes(events)).is_empty())
            .map(|(pair, _)| pair)
            .collect(),
        decided: (project.decisions(info.id)?.iter())
            .map(|d| (d.image, d.label))
            .collect(),
    };
    let voted = |image: u32, label: ClassId| logged.voted.contains(&(image, label));
    Ok(confusions(
        queue.items(),
        &evaluation.truth,
        model,
        &voted,
        &logged,
    ))
}
