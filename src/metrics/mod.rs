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
pub use valid_sets::ValidSets;

use crate::data::TopK;
use crate::vocab::{ClassId, Hierarchy};

/// Mean WordNet distance between the original label and the top-1 over the model's top-1
/// mistakes (how far off the mistakes are).
pub fn mean_mistake_distance(
    predictions: &TopK,
    truth: &[Option<ClassId>],
    hierarchy: &Hierarchy,
) -> Option<f64> {
    let (mut sum, mut count) = (0u64, 0u64);
    for (image, label) in truth.iter().enumerate() {
        let (Some(label), top1) = (*label, predictions.top1(image)) else {
            continue;
        };
        if label != top1
            && let Some(distance) = hierarchy.distance(label, top1)
        {
            sum += distance as u64;
            count += 1;
        }
    }
    (count > 0).then(|| sum as f64 / count as f64)
}
