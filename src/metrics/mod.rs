//! Every metric of DOMAIN.md as a pure function over columns, and [`Evaluation`], which loads
//! a dataset once and reports all of them for every model.

mod accuracy;
mod asma;
pub mod mistakes;
mod mla;
mod report;
mod slice;
mod valid_sets;

pub use crate::data::sanity::{RankHits, Warning, check_predictions};
pub use accuracy::{set_accuracy, top_k_accuracy};
pub use asma::{SubsetAccuracy, asma, subgroup_accuracies};
pub use mla::{MlaScore, multi_label_accuracy};
pub use report::{DatasetReport, Evaluation, MetricOptions, ModelReport};
pub(crate) use slice::SliceLabels;
pub use slice::{
    MajorSlice, ModelTop1, SliceScore, clopper_pearson, major_mistake_images, save_major_slice,
    slice_score,
};
pub use valid_sets::{Relabeled, Standing, ValidSets, relabel_image};

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
    /// The (label, top-1) pairs of the latest mistakes, gathered without a branch: whether the
    /// top-1 is a mistake is random to the predictor. Every pair is written, a mistake's kept.
    pending: [(ClassId, ClassId); PENDING_MISTAKES],
    found: usize,
    sum: u64,
    count: u64,
}

/// Small enough to stay in L1.
const PENDING_MISTAKES: usize = 1024;

impl<'a> MistakeDistance<'a> {
    pub fn new(hierarchy: &'a Hierarchy) -> Self {
        MistakeDistance {
            hierarchy,
            pending: [(0, 0); PENDING_MISTAKES],
            found: 0,
            sum: 0,
            count: 0,
        }
    }

    /// `label` from [`label_column`].
    #[inline(always)]
    pub fn add(&mut self, label: u32, top1: ClassId) {
        let mistake = (label != NO_LABEL) & (label != top1 as u32);
        self.pending[self.found] = (label as ClassId, top1);
        self.found += mistake as usize;
        if self.found == PENDING_MISTAKES {
            self.look_up_pending();
        }
    }

    fn look_up_pending(&mut self) {
        for &(label, top1) in &self.pending[..self.found] {
            if let Some(distance) = self.hierarchy.distance(label, top1) {
                self.sum += distance as u64;
                self.count += 1;
            }
        }
        self.found = 0;
    }

    pub fn finish(mut self) -> Option<f64> {
        self.look_up_pending();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocabulary;

    #[test]
    fn every_mistake_counts_however_many_there_are() {
        let hierarchy = Hierarchy::new(&Vocabulary::imagenet1k());
        let images = 3 * PENDING_MISTAKES + 5;
        let truth: Vec<Option<ClassId>> = (0..images)
            .map(|i| (i % 7 != 0).then_some((i % 1000) as ClassId))
            .collect();
        let top1: Vec<ClassId> = (0..images).map(|i| (i * 7 % 1000) as ClassId).collect();
        let distances: Vec<u32> = (truth.iter().zip(&top1))
            .filter_map(|(&label, &p)| hierarchy.distance(label.filter(|&l| l != p)?, p))
            .collect();
        let expected = distances.iter().sum::<u32>() as f64 / distances.len() as f64;
        let predictions = TopK {
            k: 1,
            class_ids: top1,
            ..Default::default()
        };
        assert!(distances.len() > 2 * PENDING_MISTAKES);
        assert_eq!(
            mean_mistake_distance(&predictions, &truth, &hierarchy),
            Some(expected)
        );
    }
}
