//! The ImageNet-M-style slice: a model's count of valid top-1 predictions on a list of images,
//! with a 95% Clopper-Pearson interval; and the slice computed from reviewed major mistakes.

use super::ValidSets;
use crate::data::TopK;
use crate::panel::Decision;
use crate::vocab::ClassId;
use statrs::distribution::{Beta, ContinuousCDF};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SliceScore {
    pub correct: usize,
    pub total: usize,
    pub ci95: [f64; 2],
}

/// The exact binomial interval [Beta(α/2; k, n−k+1), Beta(1−α/2; k+1, n−k)], 0 and 1 at the ends.
pub fn clopper_pearson(successes: usize, trials: usize, confidence: f64) -> [f64; 2] {
    if trials == 0 {
        return [0.0, 1.0];
    }
    let (k, n) = (successes as f64, trials as f64);
    let tail = (1.0 - confidence) / 2.0;
    let quantile = |a: f64, b: f64, p: f64| {
        Beta::new(a, b)
            .map(|beta| beta.inverse_cdf(p))
            .unwrap_or(f64::NAN)
    };
    let lower = if successes == 0 {
        0.0
    } else {
        quantile(k, n - k + 1.0, tail)
    };
    let upper = if successes >= trials {
        1.0
    } else {
        quantile(k + 1.0, n - k, 1.0 - tail)
    };
    [lower, upper]
}

/// Counts the slice images whose top-1 is valid: a valid label (after collapsing) where the
/// image is labeled, otherwise its original label.
pub fn slice_score(
    predictions: &TopK,
    slice: &[u32],
    valid: Option<&ValidSets>,
    truth: &[Option<ClassId>],
    collapse: &[ClassId],
) -> SliceScore {
    let correct = slice
        .iter()
        .map(|&image| image as usize)
        .filter(|&image| image < truth.len())
        .filter(|&image| {
            let top1 = predictions.top1(image);
            match valid.filter(|v| v.included(image)) {
                Some(valid) => valid.accepts(image, collapse[top1 as usize]),
                None => truth[image]
                    .is_some_and(|label| collapse[label as usize] == collapse[top1 as usize]),
            }
        })
        .count();
    SliceScore {
        correct,
        total: slice.len(),
        ci95: clopper_pearson(correct, slice.len(), 0.95),
    }
}

/// Images on which at least `at_least` of the given models made a reviewed `major` mistake
/// (the decision on the model's top-1 is wrong and major).
pub fn major_mistake_images(models: &[&TopK], decisions: &[Decision], at_least: usize) -> Vec<u32> {
    let major: HashSet<(u32, ClassId)> = decisions
        .iter()
        .filter(|d| d.is_major_mistake())
        .map(|d| (d.image, d.label))
        .collect();
    let mut images: Vec<u32> = major.iter().map(|&(image, _)| image).collect();
    images.sort_unstable();
    images.dedup();
    images.retain(|&image| {
        let votes = models
            .iter()
            .filter(|top| {
                (image as usize) < top.num_images()
                    && major.contains(&(image, top.top1(image as usize)))
            })
            .count();
        votes >= at_least.max(1)
    });
    images
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::{Severity, Verdict};

    fn close(a: [f64; 2], b: [f64; 2]) -> bool {
        (a[0] - b[0]).abs() < 5e-6 && (a[1] - b[1]).abs() < 5e-6
    }

    #[test]
    fn clopper_pearson_matches_the_known_values() {
        assert!(
            close(clopper_pearson(19, 68, 0.95), [0.17734, 0.40146]),
            "{:?}",
            clopper_pearson(19, 68, 0.95)
        );
        assert!(
            close(clopper_pearson(0, 68, 0.95), [0.0, 0.05280]),
            "{:?}",
            clopper_pearson(0, 68, 0.95)
        );
        assert!(
            close(clopper_pearson(42, 68, 0.95), [0.49177, 0.73293]),
            "{:?}",
            clopper_pearson(42, 68, 0.95)
        );
        assert_eq!(clopper_pearson(68, 68, 0.95)[1], 1.0);
    }

    #[test]
    fn slice_counts_valid_top1_and_computed_slices_need_enough_models() {
        let identity: Vec<ClassId> = (0..10).collect();
        let model_a = TopK {
            k: 1,
            class_ids: vec![5, 6, 7],
            ..Default::default()
        };
        let model_b = TopK {
            k: 1,
            class_ids: vec![5, 1, 7],
            ..Default::default()
        };
        let truth = [Some(1), Some(1), Some(7)];
        let score = slice_score(&model_a, &[0, 1, 2], None, &truth, &identity);
        assert_eq!((score.correct, score.total), (1, 3));
        let major = |image, label| Decision {
            image,
            label,
            verdict: Verdict::Wrong,
            category: None,
            severity: Some(Severity::Major),
            severity_word: None,
            source: "panel".into(),
            reason: String::new(),
        };
        let decisions = [major(0, 5), major(1, 6)];
        assert_eq!(
            major_mistake_images(&[&model_a, &model_b], &decisions, 2),
            vec![0]
        );
        assert_eq!(
            major_mistake_images(&[&model_a, &model_b], &decisions, 1),
            vec![0, 1]
        );
    }
}
