//! Variable top-k subgroup accuracy and ASMA (Anzaku et al.): an image with g valid labels is
//! judged on the model's top-g, and the subgroups g = 1..G are averaged with equal weight.

use super::ValidSets;
use super::valid_sets::ImageSet;
use crate::data::TopK;
use crate::vocab::ClassId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubsetAccuracy {
    /// |Y ∩ Ŷ| / |Y ∪ Ŷ|, the example-based accuracy of the papers.
    #[default]
    Jaccard,
    /// (1/C) Σ_c [y_c = ŷ_c] over all C classes, as the seed slides write it.
    Hamming,
}

impl SubsetAccuracy {
    pub fn as_str(self) -> &'static str {
        match self {
            SubsetAccuracy::Jaccard => "jaccard",
            SubsetAccuracy::Hamming => "hamming",
        }
    }
}

/// Per subgroup g (the number of valid labels), a tally of images by overlap |Y ∩ Ŷ| and
/// |Ŷ|; the accuracies are computed from the tally at the end, keeping division out of the
/// per-image loop.
pub(crate) struct SubgroupSums<'a> {
    collapse: &'a [ClassId],
    /// Whether the collapse map merges anything; if not, |Ŷ| = g and no lookups are needed.
    collapsing: bool,
    form: SubsetAccuracy,
    /// Subgroups above this (the requested G, or the k kept) are never filled.
    largest: usize,
    max_group: usize,
    /// tally[(g * (G + 1) + distinct) * (G + 1) + overlap]
    tally: Vec<u32>,
}

impl<'a> SubgroupSums<'a> {
    pub fn new(
        collapse: &'a [ClassId],
        max_group: usize,
        kept: usize,
        form: SubsetAccuracy,
    ) -> Self {
        let side = max_group + 1;
        SubgroupSums {
            collapse,
            collapsing: collapse.iter().enumerate().any(|(c, &g)| c != g as usize),
            form,
            largest: max_group.min(kept),
            max_group,
            tally: vec![0; side * side * side],
        }
    }

    #[inline(always)]
    pub fn add(&mut self, set: ImageSet, ranked: &[ClassId]) {
        let g = set.len();
        if g == 0 || g > self.largest || !set.included() {
            return;
        }
        let (mut overlap, mut distinct) = (0, g);
        if self.collapsing {
            // Collapsing may merge two of the top-g into one class: count each group once.
            distinct = 0;
            for (rank, &p) in ranked[..g].iter().enumerate() {
                let p = self.collapse[p as usize];
                if ranked[..rank]
                    .iter()
                    .any(|&q| self.collapse[q as usize] == p)
                {
                    continue;
                }
                distinct += 1;
                overlap += set.accepts(p) as usize;
            }
        } else {
            for &p in &ranked[..g] {
                overlap += set.accepts(p) as usize;
            }
        }
        let side = self.max_group + 1;
        self.tally[(g * side + distinct) * side + overlap] += 1;
    }

    /// A_g for g = 1..=G; None for a subgroup without images or above the k kept.
    pub fn finish(&self) -> Vec<Option<f64>> {
        let side = self.max_group + 1;
        let classes = self.collapse.len() as f64;
        (1..=self.max_group)
            .map(|g| {
                let (mut sum, mut count) = (0.0, 0u64);
                for distinct in 0..side {
                    for overlap in 0..side {
                        let images = self.tally[(g * side + distinct) * side + overlap];
                        if images == 0 {
                            continue;
                        }
                        let union = g + distinct - overlap;
                        let accuracy = match self.form {
                            SubsetAccuracy::Jaccard => overlap as f64 / union as f64,
                            SubsetAccuracy::Hamming => 1.0 - (union - overlap) as f64 / classes,
                        };
                        sum += accuracy * images as f64;
                        count += images as u64;
                    }
                }
                (count > 0).then(|| sum / count as f64)
            })
            .collect()
    }
}

/// A_g for g = 1..=max_group; None for a subgroup without images or with g above the k the
/// predictions were kept to (never guessed).
pub fn subgroup_accuracies(
    predictions: &TopK,
    valid: &ValidSets,
    collapse: &[ClassId],
    max_group: usize,
    form: SubsetAccuracy,
) -> Vec<Option<f64>> {
    let mut sums = SubgroupSums::new(collapse, max_group, predictions.k, form);
    for (ranked, set) in predictions.rows().zip(valid.images()) {
        sums.add(set, ranked);
    }
    sums.finish()
}

/// The mean of the subgroup accuracies that exist.
pub fn asma(subgroups: &[Option<f64>]) -> Option<f64> {
    let present: Vec<f64> = subgroups.iter().flatten().copied().collect();
    (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{ImageLabels, LabelEntry, LabelKind};

    fn valid(sets: &[&[ClassId]]) -> ValidSets {
        let entries = sets.iter().enumerate().map(|(i, s)| {
            (
                i,
                LabelEntry {
                    correct: s.to_vec(),
                    ..Default::default()
                },
            )
        });
        let labels = ImageLabels::from_entries(LabelKind::Real, sets.len(), entries);
        ValidSets::from_real(&labels, &(0..10).collect::<Vec<ClassId>>())
    }

    #[test]
    fn worked_example_jaccard_and_hamming() {
        // g=1: {1} vs top-1 [1] → 1;  {2} vs [3] → 0;  A_1 = 0.5
        // g=2: {1,2} vs top-2 [2,5] → 1/3;  A_2 = 1/3
        // g=3: {1,2,3} vs [3,2,1] → 1;  A_3 = 1
        let predictions = TopK {
            k: 3,
            class_ids: vec![1, 0, 0, 3, 0, 0, 2, 5, 0, 3, 2, 1],
            ..Default::default()
        };
        let sets = valid(&[&[1], &[2], &[1, 2], &[1, 2, 3], &[]]);
        let identity: Vec<ClassId> = (0..10).collect();
        let jaccard =
            subgroup_accuracies(&predictions, &sets, &identity, 5, SubsetAccuracy::Jaccard);
        assert_eq!(
            jaccard,
            vec![Some(0.5), Some(1.0 / 3.0), Some(1.0), None, None]
        );
        assert_eq!(asma(&jaccard), Some((0.5 + 1.0 / 3.0 + 1.0) / 3.0));
        // Hamming over C = 10: image 2 (g=1, miss) disagrees on 2 classes → 0.8; g=2: 2 of 10 → 0.8.
        let hamming =
            subgroup_accuracies(&predictions, &sets, &identity, 5, SubsetAccuracy::Hamming);
        assert_eq!(hamming[0], Some((1.0 + 0.8) / 2.0));
        assert_eq!(hamming[1], Some(0.8));
    }

    #[test]
    fn subgroups_beyond_the_kept_k_are_null() {
        let predictions = TopK {
            k: 1,
            class_ids: vec![1, 1],
            ..Default::default()
        };
        let sets = valid(&[&[1], &[1, 2]]);
        let identity: Vec<ClassId> = (0..10).collect();
        let groups =
            subgroup_accuracies(&predictions, &sets, &identity, 5, SubsetAccuracy::Jaccard);
        assert_eq!(groups, vec![Some(1.0), None, None, None, None]);
    }
}
