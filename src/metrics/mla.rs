//! Multi-label accuracy (Shankar et al.): per original class, then averaged over classes,
//! because the labeled subset is not class-balanced.

use super::ValidSets;
use crate::data::TopK;
use crate::vocab::{ClassId, ClassKind};

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MlaScore {
    /// Mean over classes of the per-class accuracy: the published MLA.
    pub per_class: Option<f64>,
    pub organisms: Option<f64>,
    pub objects: Option<f64>,
    /// Plain mean over images, named as such.
    pub per_image: Option<f64>,
}

/// The images MLA counts under one valid-set source (included, with an original label) and
/// how many each class has: the same for every model, so the report finds them once and each
/// model only counts its hits.
pub(crate) struct MlaImages {
    images: Vec<u32>,
    labels: Vec<ClassId>,
    counts: Vec<u32>,
}

impl MlaImages {
    pub fn new(truth: &[Option<ClassId>], valid: &ValidSets, classes: usize) -> Self {
        let mut counts = vec![0; classes];
        let (images, labels) = (0..truth.len().min(valid.num_images()))
            .filter(|&image| valid.included(image))
            .filter_map(|image| Some((image as u32, truth[image]?)))
            .inspect(|&(_, label)| counts[label as usize] += 1)
            .unzip();
        MlaImages {
            images,
            labels,
            counts,
        }
    }

    /// The model's score: top-1 hits per class over the counted images.
    pub fn score(
        &self,
        predictions: &TopK,
        valid: &ValidSets,
        collapse: &[ClassId],
        kinds: &[ClassKind],
    ) -> MlaScore {
        // Predictions normally cover every image; a shorter file counts only its prefix.
        let covered = self
            .images
            .partition_point(|&image| (image as usize) < predictions.num_images());
        let mut hits = vec![0u32; self.counts.len()];
        for (&image, &label) in self.images[..covered].iter().zip(&self.labels) {
            let top1 = collapse[predictions.top1(image as usize) as usize];
            hits[label as usize] += valid.accepts(image as usize, top1) as u32;
        }
        if covered == self.images.len() {
            finish(&hits, &self.counts, kinds)
        } else {
            let mut counts = vec![0u32; self.counts.len()];
            for &label in &self.labels[..covered] {
                counts[label as usize] += 1;
            }
            finish(&hits, &counts, kinds)
        }
    }
}

/// Mean per-class, per-kind and per-image rates from hits and image counts per class.
fn finish(hits: &[u32], counts: &[u32], kinds: &[ClassKind]) -> MlaScore {
    let class_mean = |keep: &dyn Fn(ClassKind) -> bool| {
        let rates: Vec<f64> = (0..kinds.len().min(counts.len()))
            .filter(|&c| counts[c] > 0 && keep(kinds[c]))
            .map(|c| hits[c] as f64 / counts[c] as f64)
            .collect();
        (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64)
    };
    let total: u32 = counts.iter().sum();
    MlaScore {
        per_class: class_mean(&|_| true),
        organisms: class_mean(&|k| k == ClassKind::Organism),
        objects: class_mean(&|k| k == ClassKind::Object),
        per_image: (total > 0).then(|| hits.iter().sum::<u32>() as f64 / total as f64),
    }
}

/// Images must be included in `valid` and have an original label; the prediction is correct
/// when collapse(p1) is a valid label.
pub fn multi_label_accuracy(
    predictions: &TopK,
    truth: &[Option<ClassId>],
    valid: &ValidSets,
    collapse: &[ClassId],
    kinds: &[ClassKind],
) -> MlaScore {
    MlaImages::new(truth, valid, collapse.len()).score(predictions, valid, collapse, kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{ImageLabels, LabelEntry, LabelKind};

    #[test]
    fn classes_weigh_equally_whatever_their_image_count() {
        // Class 0 (organism): three images, one right. Class 1 (object): one image, right.
        // Image 4 is problematic and must not count.
        let valid_as = |correct: Vec<ClassId>, problematic| LabelEntry {
            correct,
            problematic,
            ..Default::default()
        };
        let labels = ImageLabels::from_entries(
            LabelKind::MultiLabel,
            5,
            [
                (0, valid_as(vec![0], false)),
                (1, valid_as(vec![0], false)),
                (2, valid_as(vec![0, 2], false)),
                (3, valid_as(vec![1, 2], false)),
                (4, valid_as(vec![0], true)),
            ],
        );
        let identity: Vec<ClassId> = (0..3).collect();
        let valid = ValidSets::from_multilabel(&labels, &identity);
        let predictions = TopK {
            k: 1,
            class_ids: vec![0, 2, 1, 2, 0],
            ..Default::default()
        };
        let truth = [Some(0), Some(0), Some(0), Some(1), Some(0)];
        let kinds = [ClassKind::Organism, ClassKind::Object, ClassKind::Object];
        let score = multi_label_accuracy(&predictions, &truth, &valid, &identity, &kinds);
        // image 1 predicts 2 ∉ {0}; image 2 predicts 1 ∉ {0, 2}; image 3 predicts 2 ∈ {1, 2}.
        assert_eq!(score.organisms, Some(1.0 / 3.0));
        assert_eq!(score.objects, Some(1.0));
        assert_eq!(score.per_class, Some((1.0 / 3.0 + 1.0) / 2.0));
        assert_eq!(score.per_image, Some(2.0 / 4.0));
    }

    #[test]
    fn collapsing_lets_a_twin_class_count() {
        let labels = ImageLabels::from_entries(
            LabelKind::MultiLabel,
            1,
            [(
                0,
                LabelEntry {
                    correct: vec![0],
                    ..Default::default()
                },
            )],
        );
        let predictions = TopK {
            k: 1,
            class_ids: vec![1],
            ..Default::default()
        };
        let kinds = [ClassKind::Object; 2];
        let off: Vec<ClassId> = vec![0, 1];
        let on: Vec<ClassId> = vec![0, 0];
        let score = |collapse: &[ClassId]| {
            let valid = ValidSets::from_multilabel(&labels, collapse);
            multi_label_accuracy(&predictions, &[Some(0)], &valid, collapse, &kinds).per_class
        };
        assert_eq!(score(&off), Some(0.0));
        assert_eq!(score(&on), Some(1.0));
    }
}
