//! Top-k accuracy against the original label, and set accuracy (ReaL) against valid sets.

use super::ValidSets;
use crate::data::TopK;
use crate::vocab::ClassId;

/// Mean over images with an original label of [y ∈ top-k]; None when k exceeds what was kept
/// or no image has a label.
pub fn top_k_accuracy(predictions: &TopK, truth: &[Option<ClassId>], k: usize) -> Option<f64> {
    if k > predictions.k {
        return None;
    }
    let (mut hits, mut total) = (0usize, 0usize);
    for (image, label) in truth.iter().enumerate() {
        if let Some(label) = label {
            total += 1;
            hits += predictions.row(image)[..k].contains(label) as usize;
        }
    }
    (total > 0).then(|| hits as f64 / total as f64)
}

/// Mean over included images of [collapse(p1) ∈ Y] (ReaL accuracy when Y is the ReaL set).
pub fn set_accuracy(predictions: &TopK, valid: &ValidSets, collapse: &[ClassId]) -> Option<f64> {
    let (mut hits, mut total) = (0usize, 0usize);
    for image in 0..valid.num_images() {
        if valid.included[image] {
            total += 1;
            hits += valid.accepts(image, collapse[predictions.top1(image) as usize]) as usize;
        }
    }
    (total > 0).then(|| hits as f64 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{ImageLabels, LabelEntry, LabelKind};

    fn predictions() -> TopK {
        // Three images, top-2 each.
        TopK {
            k: 2,
            class_ids: vec![1, 2, 3, 4, 5, 6],
            ..Default::default()
        }
    }

    #[test]
    fn top_k_counts_labeled_images_only() {
        let truth = [Some(1), Some(4), None];
        assert_eq!(top_k_accuracy(&predictions(), &truth, 1), Some(0.5));
        assert_eq!(top_k_accuracy(&predictions(), &truth, 2), Some(1.0));
        assert_eq!(
            top_k_accuracy(&predictions(), &truth, 5),
            None,
            "only top-2 kept"
        );
        assert_eq!(top_k_accuracy(&predictions(), &[None, None, None], 1), None);
    }

    #[test]
    fn real_accuracy_skips_images_with_an_empty_set() {
        let set = |labels: Vec<ClassId>| LabelEntry {
            correct: labels,
            ..Default::default()
        };
        let real = ImageLabels::from_entries(
            LabelKind::Real,
            3,
            [(0, set(vec![1, 9])), (1, set(vec![4])), (2, set(vec![]))],
        );
        let identity: Vec<ClassId> = (0..10).collect();
        let valid = ValidSets::from_real(&real, &identity);
        // image 0: p1 = 1 ∈ {1, 9}; image 1: p1 = 3 ∉ {4}; image 2 excluded.
        assert_eq!(set_accuracy(&predictions(), &valid, &identity), Some(0.5));
    }
}
