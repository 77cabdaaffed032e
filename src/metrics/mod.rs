//! Every metric of DOMAIN.md as a pure function over columns, and [`Evaluation`], which loads
//! a dataset once and reports all of them for every model.

mod accuracy;
mod asma;
mod mla;
mod report;
mod slice;
mod valid_sets;

pub use accuracy::{set_accuracy, top_k_accuracy};
pub use asma::{SubsetAccuracy, asma, subgroup_accuracies};
pub use mla::{MlaScore, multi_label_accuracy};
pub use report::{DatasetReport, Evaluation, MetricOptions, ModelReport};
pub use slice::{SliceScore, clopper_pearson, major_mistake_images, slice_score};
pub use valid_sets::{ValidSets, relabel_image};

use crate::data::TopK;
use crate::vocab::{ClassId, Hierarchy};

/// What the passes read for "no original label": a u32 that equals no prediction, so the
/// hit tests need no separate test for the label's presence.
pub(crate) const NO_LABEL: u32 = u32::MAX;

/// The original labels as the passes read them: [`NO_LABEL`] where there is none.
pub(crate) fn label_column(truth: &[Option<ClassId>]) -> Vec<u32> {
    truth
        .iter()
        .map(|label| label.map_or(NO_LABEL, u32::from))
        .collect()
}

/// WordNet distance between the original label and the top-1 over the model's top-1
/// mistakes (how far off the mistakes are).
pub(crate) struct MistakeDistance<'a> {
    hierarchy: &'a Hierarchy,
    sum: u64,
    count: u64,
}

impl<'a> MistakeDistance<'a> {
    pub fn new(hierarchy: &'a Hierarchy) -> Self {
        MistakeDistance {
            hierarchy,
            sum: 0,
            count: 0,
        }
    }

    /// `label` from [`label_column`].
    #[inline(always)]
    pub fn add(&mut self, label: u32, top1: ClassId) {
        // Branch-free, as whether the top-1 is a mistake is random to the predictor: a hit
        // looks up a pair that is always at hand and counts nothing.
        let mistake = (label != NO_LABEL) & (label != top1 as u32);
        let (a, b) = if mistake {
            (label as ClassId, top1)
        } else {
            (0, 0)
        };
        let distance = self.hierarchy.distance(a, b).filter(|_| mistake);
        self.sum += distance.unwrap_or(0) as u64;
        self.count += distance.is_some() as u64;
    }

    pub fn finish(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / self.count as f64)
    }
}

/// Mean WordNet distance between the original label and the top-1 over the top-1 mistakes.
pub fn mean_mistake_distance(
    predictions: &TopK,
    truth: &[Option<ClassId>],
    hierarchy: &Hierarchy,
) -> Option<f64> {
    let mut distance = MistakeDistance::new(hierarchy);
    for (ranked, &label) in predictions.rows().zip(&label_column(truth)) {
        distance.add(label, ranked[0]);
    }
    distance.finish()
}
