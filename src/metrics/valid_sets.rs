//! The valid labels of each image under a label source (and the panel's decisions), already
//! collapsed: what every metric that meets a prediction with a label set reads.

use crate::data::{ImageLabels, LabelSets};
use crate::panel::{Decision, Verdict};
use crate::vocab::ClassId;

#[derive(Debug, Clone, PartialEq)]
pub struct ValidSets {
    /// Whether the image takes part (labeled, not problematic, and for ReaL non-empty).
    pub included: Vec<bool>,
    /// Collapsed, sorted valid labels per image.
    pub sets: LabelSets,
}

impl ValidSets {
    /// ReaL: the set as given; an empty set excludes the image.
    pub fn from_real(labels: &ImageLabels, collapse: &[ClassId]) -> Self {
        let mut sets = LabelSets::with_capacity(labels.num_images(), labels.correct.total());
        let mut included = Vec::with_capacity(labels.num_images());
        for image in 0..labels.num_images() {
            let set = labels.correct.get(image);
            included.push(labels.labeled[image] && !set.is_empty());
            sets.push(set.iter().map(|&c| collapse[c as usize]));
        }
        ValidSets { included, sets }
    }

    /// Multi-labels: correct ∪ unclear (lenient on unclear); problematic images excluded.
    pub fn from_multilabel(labels: &ImageLabels, collapse: &[ClassId]) -> Self {
        Self::relabeled(labels, &[], &[], collapse)
    }

    /// Multi-labels with decisions overlaid: a decided (image, label) pair replaces its
    /// imported status; a `problematic` decision excludes the image. A decided image the source
    /// does not cover starts from its original label.
    pub fn relabeled(
        labels: &ImageLabels,
        decisions: &[Decision],
        original: &[Option<ClassId>],
        collapse: &[ClassId],
    ) -> Self {
        let num_images = labels.num_images();
        let mut by_image: Vec<Vec<&Decision>> =
            vec![Vec::new(); if decisions.is_empty() { 0 } else { num_images }];
        for decision in decisions.iter().filter(|d| (d.image as usize) < num_images) {
            by_image[decision.image as usize].push(decision);
        }
        let mut sets =
            LabelSets::with_capacity(num_images, labels.correct.total() + labels.unclear.total());
        let mut included = Vec::with_capacity(num_images);
        let mut valid: Vec<ClassId> = Vec::new();
        for image in 0..num_images {
            let decided = by_image.get(image).map(Vec::as_slice).unwrap_or(&[]);
            valid.clear();
            let mut problematic = labels.problematic[image];
            let mut covered = labels.labeled[image];
            if covered {
                valid.extend(labels.correct.get(image));
                valid.extend(labels.unclear.get(image));
            } else if !decided.is_empty() {
                covered = true;
                valid.extend(original.get(image).copied().flatten());
            }
            for decision in decided {
                valid.retain(|&c| c != decision.label);
                match decision.verdict {
                    Verdict::Correct | Verdict::Unclear => valid.push(decision.label),
                    Verdict::Wrong => {}
                    Verdict::Problematic => problematic = true,
                }
            }
            included.push(covered && !problematic);
            sets.push(valid.iter().map(|&c| collapse[c as usize]));
        }
        ValidSets { included, sets }
    }

    pub fn num_images(&self) -> usize {
        self.included.len()
    }

    /// Whether the (collapsed) prediction is a valid label of an included image.
    #[inline]
    pub fn accepts(&self, image: usize, collapsed_prediction: ClassId) -> bool {
        self.sets.contains(image, collapsed_prediction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{LabelEntry, LabelKind};

    fn multilabels() -> ImageLabels {
        let entry = |correct: Vec<ClassId>, unclear: Vec<ClassId>, problematic| LabelEntry {
            correct,
            unclear,
            wrong: vec![9],
            problematic,
        };
        ImageLabels::from_entries(
            LabelKind::MultiLabel,
            4,
            [
                (0, entry(vec![1], vec![2], false)),
                (1, entry(vec![3], vec![], true)),
                (2, entry(vec![], vec![], false)),
            ],
        )
    }

    #[test]
    fn multilabels_are_lenient_on_unclear_and_skip_problematic_and_unlabeled() {
        let identity: Vec<ClassId> = (0..10).collect();
        let valid = ValidSets::from_multilabel(&multilabels(), &identity);
        assert_eq!(valid.included, vec![true, false, true, false]);
        assert_eq!(valid.sets.get(0), &[1, 2]);
        assert!(
            valid.sets.get(2).is_empty(),
            "labeled without a valid label stays included"
        );
    }

    #[test]
    fn decisions_replace_the_imported_status_of_their_pair() {
        let identity: Vec<ClassId> = (0..10).collect();
        let decide = |image, label, verdict| Decision {
            image,
            label,
            verdict,
            category: None,
            severity: None,
            severity_word: None,
            source: "panel".into(),
            reason: String::new(),
        };
        let decisions = [
            decide(0, 2, Verdict::Wrong),
            decide(0, 9, Verdict::Correct),
            decide(2, 5, Verdict::Problematic),
            decide(3, 4, Verdict::Unclear),
        ];
        let original = [Some(1), Some(3), Some(5), Some(7)];
        let valid = ValidSets::relabeled(&multilabels(), &decisions, &original, &identity);
        assert_eq!(
            valid.sets.get(0),
            &[1, 9],
            "unclear 2 decided wrong, wrong 9 decided correct"
        );
        assert_eq!(valid.included, vec![true, false, false, true]);
        assert_eq!(
            valid.sets.get(3),
            &[4, 7],
            "uncovered image starts from its original label"
        );
    }

    #[test]
    fn collapsing_maps_labels_to_their_group() {
        let mut collapse: Vec<ClassId> = (0..10).collect();
        collapse[2] = 1;
        let valid = ValidSets::from_multilabel(&multilabels(), &collapse);
        assert_eq!(valid.sets.get(0), &[1]);
    }
}
