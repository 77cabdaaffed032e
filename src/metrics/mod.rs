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

/// WordNet distance between the original label and the top-1 over the model's top-1
/// mistakes (how far off the mistakes are).
pub(crate) struct MistakeDistance<'a> {
    truth: &'a [Option<ClassId>],
    hierarchy: &'a Hierarchy,
    sum: u64,
    count: u64,
}

impl<'a> MistakeDistance<'a> {
    pub fn new(truth: &'a [Option<ClassId>], hierarchy: &'a Hierarchy) -> Self {
        MistakeDistance {
            truth,
            hierarchy,
            sum: 0,
            count: 0,
        }
    }

    #[inline(always)]
    pub fn add(&mut self, image: usize, ranked: &[ClassId]) {
        if let Some(label) = self.truth[image]
            && label != ranked[0]
            && let Some(distance) = self.hierarchy.distance(label, ranked[0])
        {
            self.sum += distance as u64;
            self.count += 1;
        }
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
    let mut distance = MistakeDistance::new(truth, hierarchy);
    for (image, ranked) in predictions.rows().enumerate().take(truth.len()) {
        distance.add(image, ranked);
    }
    distance.finish()
}
