//! The ImageNet-M-style slice: a model's count of valid top-1 predictions on a list of images,
//! with a 95% Clopper-Pearson interval; and the slice computed from reviewed major mistakes.

use super::{Relabeled, Standing, ValidSets};
use crate::data::TopK;
use crate::error::{Error, Result};
use crate::store::{DatasetInfo, Project};
use crate::verdict::Decision;
use crate::vocab::ClassId;
use statrs::distribution::{Beta, ContinuousCDF};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SliceScore {
    pub correct: usize,
    /// The slice images scored: those that did not leave it.
    pub total: usize,
    pub ci95: [f64; 2],
    /// Slice images that left it: problematic (in the source or by a decision), left without
    /// a valid label by decisions, or with no label at all.
    pub left: usize,
}

impl SliceScore {
    fn new(correct: usize, total: usize, left: usize) -> Self {
        SliceScore {
            correct,
            total,
            ci95: clopper_pearson(correct, total, 0.95),
            left,
        }
    }

    /// The score after one image's verdict changed from `old` to `new` (None: left the slice).
    pub(crate) fn updated(self, old: Option<bool>, new: Option<bool>) -> Self {
        let count = |verdict: Option<bool>| (verdict.is_some() as usize, verdict == Some(true));
        let ((old_in, old_hit), (new_in, new_hit)) = (count(old), count(new));
        SliceScore::new(
            self.correct + new_hit as usize - old_hit as usize,
            self.total + new_in - old_in,
            self.left + old_in - new_in,
        )
    }
}

/// What a slice image's top-1 is judged against, by one rule: the image's correct ∪ unclear
/// multi-labels with decisions overlaid, as MLA re-labeled reads them; where the multi-labels
/// do not cover it, its ReaL set when it has a non-empty one, else its original label. An
/// image that is problematic or was left without a valid label by decisions leaves the
/// slice (so does one with no label at all). Labels are collapsed.
pub(crate) enum SliceLabels<'a> {
    Set(&'a [ClassId]),
    Original(ClassId),
    Leaves,
}

impl<'a> SliceLabels<'a> {
    /// `relabeled`: the image's standing and collapsed set under the re-labeled multi-labels.
    pub fn of(
        image: usize,
        relabeled: Option<(Standing, &'a [ClassId])>,
        real: Option<&'a ValidSets>,
        truth: Option<ClassId>,
        collapse: &[ClassId],
    ) -> Self {
        match relabeled.map_or(Standing::Unlabeled, |(standing, _)| standing) {
            Standing::Counted => SliceLabels::Set(relabeled.map_or(&[], |(_, set)| set)),
            Standing::Problematic | Standing::Emptied => SliceLabels::Leaves,
            Standing::Unlabeled => match (real.filter(|r| r.included(image)), truth) {
                (Some(real), _) => SliceLabels::Set(real.sets.get(image)),
                (None, Some(label)) => SliceLabels::Original(collapse[label as usize]),
                (None, None) => SliceLabels::Leaves,
            },
        }
    }

    /// Whether the collapsed top-1 is valid; None when the image leaves the slice.
    pub fn judge(&self, top1: ClassId) -> Option<bool> {
        match self {
            SliceLabels::Set(set) => Some(set.contains(&top1)),
            SliceLabels::Original(label) => Some(*label == top1),
            SliceLabels::Leaves => None,
        }
    }
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

/// Counts the slice images whose top-1 is valid under the rule of [`SliceLabels`].
pub fn slice_score(
    predictions: &TopK,
    slice: &[u32],
    relabeled: Option<&Relabeled>,
    real: Option<&ValidSets>,
    truth: &[Option<ClassId>],
    collapse: &[ClassId],
) -> SliceScore {
    let (mut correct, mut total) = (0, 0);
    for image in slice.iter().map(|&image| image as usize) {
        let verdict = (image < truth.len().min(predictions.num_images()))
            .then(|| {
                let relabeled = relabeled.map(|r| (r.standing[image], r.valid.sets.get(image)));
                let labels = SliceLabels::of(image, relabeled, real, truth[image], collapse);
                labels.judge(collapse[predictions.top1(image) as usize])
            })
            .flatten();
        total += verdict.is_some() as usize;
        correct += (verdict == Some(true)) as usize;
    }
    SliceScore::new(correct, total, slice.len() - total)
}

/// A model's top-1 predictions, where they are known: on every image from its predictions, or
/// on the images an imported review covers from that review's `top_prediction`s (the dough
/// paper built ImageNet-M from its two reviews alone).
pub enum ModelTop1 {
    Predicted(TopK),
    /// (image, top-1), sorted by image.
    Reviewed(Vec<(u32, ClassId)>),
}

impl ModelTop1 {
    /// The model's predictions on the dataset, else its imported review; an error names the
    /// dataset's models when it has neither.
    pub fn load(project: &Project, dataset: &DatasetInfo, model: &str) -> Result<Self> {
        let typed = crate::names::as_typed(model);
        let model = typed.as_str();
        if let Some(found) = (project.models(dataset.id)?.iter()).find(|m| m.name == model) {
            return Ok(ModelTop1::Predicted(
                project.predictions(found.id, dataset.id, false)?,
            ));
        }
        let review = project.model_review(dataset.id, model)?;
        if review.is_empty() {
            return Err(Error::Usage(format!(
                "dataset {:?} has neither predictions nor an imported review of model {model:?}; its models: {}",
                dataset.name,
                project.models_of_dataset(dataset.id)?.join(", ")
            )));
        }
        Ok(ModelTop1::Reviewed(
            (review.iter())
                .map(|m| (m.image, m.record.top_prediction))
                .collect(),
        ))
    }

    fn top1(&self, image: u32) -> Option<ClassId> {
        match self {
            ModelTop1::Predicted(top) => {
                ((image as usize) < top.num_images()).then(|| top.top1(image as usize))
            }
            ModelTop1::Reviewed(reviewed) => reviewed
                .binary_search_by_key(&image, |&(i, _)| i)
                .ok()
                .map(|at| reviewed[at].1),
        }
    }
}

/// Images on which at least `at_least` of the given models made a reviewed `major` mistake
/// (the decision on the model's top-1 is wrong and major).
pub fn major_mistake_images(
    models: &[ModelTop1],
    decisions: &[Decision],
    at_least: usize,
) -> Vec<u32> {
    let major: HashSet<(u32, ClassId)> = decisions
        .iter()
        .filter(|d| d.is_major_mistake())
        .map(|d| (d.image, d.label))
        .collect();
    let mut images: Vec<u32> = major.iter().map(|&(image, _)| image).collect();
    images.sort_unstable();
    images.dedup();
    images.retain(|&image| {
        let votes = (models.iter())
            .filter(|model| {
                model
                    .top1(image)
                    .is_some_and(|top1| major.contains(&(image, top1)))
            })
            .count();
        votes >= at_least.max(1)
    });
    images
}

/// An ImageNet-M-style slice made of reviewed major mistakes, as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MajorSlice {
    pub images: usize,
    /// How it was made, stored with it: "major mistakes of at least 2 of vit3b, greedy_soups".
    pub origin: String,
    /// How the slice of the same name it replaced was made.
    pub replaced: Option<String>,
}

/// Stores as slice `name` of `dataset` the images on which at least `at_least` of `models` made
/// a reviewed major mistake (each model's top-1 from its predictions, else its imported review).
pub fn save_major_slice(
    project: &mut Project,
    dataset: &str,
    name: &str,
    models: &[String],
    at_least: usize,
) -> Result<MajorSlice> {
    let info = project.dataset(dataset)?;
    let top1s: Vec<ModelTop1> = (models.iter())
        .map(|model| ModelTop1::load(project, &info, model))
        .collect::<Result<_>>()?;
    if at_least == 0 {
        return Err(Error::Usage(
            "--at-least 0 asks for no mistake at all; give how many of the models must have made a major mistake on an image (1 or more)".into(),
        ));
    }
    if at_least > models.len() {
        return Err(Error::Usage(format!(
            "--at-least {at_least} is more than the {} models given",
            models.len()
        )));
    }
    let decisions = project.decisions(info.id)?;
    let images = major_mistake_images(&top1s, &decisions, at_least);
    let origin = format!(
        "major mistakes of at least {at_least} of {}",
        models.join(", ")
    );
    let replaced = project.save_slice(info.id, name, &images, &origin)?;
    Ok(MajorSlice {
        images: images.len(),
        origin,
        replaced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{Severity, Verdict};

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
    fn the_slice_rule_reads_multilabels_then_real_then_the_original_label() {
        use crate::data::{ImageLabels, LabelEntry, LabelKind};
        let identity: Vec<ClassId> = (0..10).collect();
        let entry = |correct: Vec<ClassId>, problematic| LabelEntry {
            correct,
            problematic,
            ..Default::default()
        };
        // Image 0 multi-labeled {1, 7}; image 1 problematic; image 2's only label decided
        // wrong; images 3 and 4 not multi-labeled, 3 with ReaL {8}, 4 with an empty ReaL set.
        let multilabels = ImageLabels::from_entries(
            LabelKind::MultiLabel,
            5,
            [
                (0, entry(vec![1, 7], false)),
                (1, entry(vec![2], true)),
                (2, entry(vec![3], false)),
            ],
        );
        let wrong = Decision::new(2, 3, Verdict::Wrong, "panel".into());
        let relabeled = ValidSets::relabeled(&multilabels, &[wrong], &identity);
        let real = ValidSets::from_real(
            &ImageLabels::from_entries(
                LabelKind::Real,
                5,
                [(3, entry(vec![8], false)), (4, entry(vec![], false))],
            ),
            &identity,
        );
        let model = TopK {
            k: 1,
            class_ids: vec![7, 2, 3, 8, 5],
            ..Default::default()
        };
        let truth = [Some(1), Some(2), Some(3), Some(4), Some(5)];
        let all = [0, 1, 2, 3, 4];
        let score = slice_score(
            &model,
            &all,
            Some(&relabeled),
            Some(&real),
            &truth,
            &identity,
        );
        // 0: 7 ∈ {1, 7}; 1 and 2 leave; 3: 8 ∈ ReaL {8} (its original label is 4); 4: 5 = 5.
        assert_eq!((score.correct, score.total, score.left), (3, 3, 2));
        let without_real = slice_score(&model, &all, Some(&relabeled), None, &truth, &identity);
        assert_eq!((without_real.correct, without_real.total), (2, 3));
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
        let score = slice_score(&model_a, &[0, 1, 2], None, None, &truth, &identity);
        assert_eq!((score.correct, score.total), (1, 3));
        let major = |image, label| Decision {
            severity: Some(Severity::Major),
            ..Decision::new(image, label, Verdict::Wrong, "panel".into())
        };
        let decisions = [major(0, 5), major(1, 6)];
        let models = [ModelTop1::Predicted(model_a), ModelTop1::Predicted(model_b)];
        assert_eq!(major_mistake_images(&models, &decisions, 2), vec![0]);
        assert_eq!(major_mistake_images(&models, &decisions, 1), vec![0, 1]);
    }

    #[test]
    fn a_review_gives_its_model_s_top1_on_the_images_it_covers() {
        let major = |image, label| Decision {
            severity: Some(Severity::Major),
            ..Decision::new(image, label, Verdict::Wrong, "review".into())
        };
        // Two reviews without predictions: a predicted 5 on image 0 and 6 on image 1; b
        // predicted 5 on image 0 and 8 on image 2. Major: (0, 5), (1, 6), (2, 8), and (3, 9),
        // which neither review covers.
        let a = ModelTop1::Reviewed(vec![(0, 5), (1, 6)]);
        let b = ModelTop1::Reviewed(vec![(0, 5), (2, 8)]);
        let decisions = [major(0, 5), major(1, 6), major(2, 8), major(3, 9)];
        assert_eq!(major_mistake_images(&[a, b], &decisions, 2), vec![0]);
        let a = ModelTop1::Reviewed(vec![(0, 5), (1, 6)]);
        let b = ModelTop1::Reviewed(vec![(0, 5), (2, 8)]);
        assert_eq!(major_mistake_images(&[a, b], &decisions, 1), vec![0, 1, 2]);
    }
}
