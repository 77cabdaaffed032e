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

/// Per original class: images counted and top-1 predictions valid.
pub(crate) struct PerClassHits<'a> {
    truth: &'a [Option<ClassId>],
    valid: &'a ValidSets,
    collapse: &'a [ClassId],
    hits: Vec<u32>,
    counts: Vec<u32>,
}

impl<'a> PerClassHits<'a> {
    pub fn new(
        truth: &'a [Option<ClassId>],
        valid: &'a ValidSets,
        collapse: &'a [ClassId],
    ) -> Self {
        let classes = collapse.len();
        PerClassHits {
            truth,
            valid,
            collapse,
            hits: vec![0; classes],
            counts: vec![0; classes],
        }
    }

    #[inline(always)]
    pub fn add(&mut self, image: usize, ranked: &[ClassId]) {
        if let Some(label) = self.truth[image] {
            // Branch-free on inclusion, which is as good as random to the predictor.
            let included = self.valid.included(image);
            let valid = self.valid.accepts(image, self.collapse[ranked[0] as usize]);
            self.counts[label as usize] += included as u32;
            self.hits[label as usize] += (included & valid) as u32;
        }
    }

    pub fn finish(&self, kinds: &[ClassKind]) -> MlaScore {
        let class_mean = |keep: &dyn Fn(ClassKind) -> bool| {
            let rates: Vec<f64> = (0..kinds.len().min(self.counts.len()))
                .filter(|&c| self.counts[c] > 0 && keep(kinds[c]))
                .map(|c| self.hits[c] as f64 / self.counts[c] as f64)
                .collect();
            (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64)
        };
        let total: u32 = self.counts.iter().sum();
        MlaScore {
            per_class: class_mean(&|_| true),
            organisms: class_mean(&|k| k == ClassKind::Organism),
            objects: class_mean(&|k| k == ClassKind::Object),
            per_image: (total > 0).then(|| self.hits.iter().sum::<u32>() as f64 / total as f64),
        }
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
    let mut hits = PerClassHits::new(truth, valid, collapse);
    for (image, ranked) in predictions.rows().enumerate().take(truth.len()) {
        hits.add(image, ranked);
    }
    hits.finish(kinds)
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
