//! Top-k accuracy against the original label, and set accuracy (ReaL) against valid sets.
//! Each metric is an accumulator fed one image at a time, so the report can compute all of
//! them in one pass over a model's predictions.

use super::valid_sets::ImageSet;
use super::{NO_LABEL, ValidSets, label_column};
use crate::data::TopK;
use crate::data::sanity::{RANKS_CHECKED, RankHits};
use crate::vocab::ClassId;

/// [y = p1], [y ∈ top-5] and [y = p_r] for the first ranks r, over images with an original
/// label. The rank hits feed the sanity checks (`data/sanity.rs`).
#[derive(Default)]
pub(crate) struct OriginalLabelHits {
    top5: usize,
    total: usize,
    by_rank: [usize; RANKS_CHECKED],
}

impl OriginalLabelHits {
    /// `label` from [`label_column`]: [`NO_LABEL`] never equals a prediction.
    #[inline(always)]
    pub fn add(&mut self, label: u32, ranked: &[ClassId]) {
        self.total += (label != NO_LABEL) as usize;
        for (hits, &p) in self.by_rank.iter_mut().zip(ranked) {
            *hits += (p as u32 == label) as usize;
        }
        // With fewer than five kept, top-5 is None whatever the count.
        if let Some(head) = ranked.first_chunk::<5>() {
            // A fold, not `any`: an early exit is a branch the predictor keeps missing.
            self.top5 += head.iter().fold(false, |hit, &p| hit | (p as u32 == label)) as usize;
        }
    }

    /// Top-k for k = 1 or 5; None when k exceeds what was kept or no image has a label.
    pub fn finish(&self, k: usize, kept: usize) -> Option<f64> {
        let hits = if k == 1 { self.by_rank[0] } else { self.top5 };
        (self.total > 0 && k <= kept).then(|| hits as f64 / self.total as f64)
    }

    /// The hits of each rank, for predictions that kept `kept` ranks.
    pub fn rank_hits(&self, kept: usize) -> RankHits {
        RankHits {
            labeled: self.total,
            by_rank: self.by_rank,
            ranks: kept.min(RANKS_CHECKED),
        }
    }
}

/// Mean over images with an original label of [y ∈ top-k] (k = 1 or 5).
pub fn top_k_accuracy(predictions: &TopK, truth: &[Option<ClassId>], k: usize) -> Option<f64> {
    let mut hits = OriginalLabelHits::default();
    for (ranked, &label) in predictions.rows().zip(&label_column(truth)) {
        hits.add(label, ranked);
    }
    hits.finish(k, predictions.k)
}

/// [collapse(p1) ∈ Y] over the included images of a valid-set source.
pub(crate) struct SetHits<'a> {
    collapse: &'a [ClassId],
    hits: usize,
    total: usize,
    /// The same over images with one valid label: ASMA's first subgroup when it reads the
    /// same sets, counted here for almost nothing.
    single: SingleLabelHits,
}

/// Included images with exactly one valid label, and how many of their top-1 predictions
/// are it.
#[derive(Clone, Copy, Default)]
pub(crate) struct SingleLabelHits {
    pub images: usize,
    pub hits: usize,
}

impl<'a> SetHits<'a> {
    pub fn new(collapse: &'a [ClassId]) -> Self {
        SetHits {
            collapse,
            hits: 0,
            total: 0,
            single: SingleLabelHits::default(),
        }
    }

    #[inline(always)]
    pub fn add(&mut self, set: ImageSet, top1: ClassId) {
        // Branch-free: whether an image is included is as good as random to the predictor.
        let included = set.included();
        let hit = included & set.accepts(self.collapse[top1 as usize]);
        let single = included & (set.len() == 1);
        self.total += included as usize;
        self.hits += hit as usize;
        self.single.images += single as usize;
        self.single.hits += (single & hit) as usize;
    }

    pub fn single_label_hits(&self) -> SingleLabelHits {
        self.single
    }

    pub fn finish(&self) -> Option<f64> {
        (self.total > 0).then(|| self.hits as f64 / self.total as f64)
    }
}

/// Mean over included images of [collapse(p1) ∈ Y] (ReaL accuracy when Y is the ReaL set).
pub fn set_accuracy(predictions: &TopK, valid: &ValidSets, collapse: &[ClassId]) -> Option<f64> {
    let mut hits = SetHits::new(collapse);
    for (ranked, set) in predictions.rows().zip(valid.images()) {
        hits.add(set, ranked[0]);
    }
    hits.finish()
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
        assert_eq!(
            top_k_accuracy(&predictions(), &truth, 5),
            None,
            "only top-2 kept"
        );
        assert_eq!(top_k_accuracy(&predictions(), &[None, None, None], 1), None);
        let five = TopK {
            k: 5,
            class_ids: vec![9, 8, 7, 6, 1, 9, 8, 7, 6, 5],
            ..Default::default()
        };
        assert_eq!(top_k_accuracy(&five, &[Some(1), Some(4)], 5), Some(0.5));
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
