//! Variable top-k subgroup accuracy and ASMA (Anzaku et al.): an image with g valid labels is
//! judged on the model's top-g, and the subgroups g = 1..G are averaged with equal weight.

use super::ValidSets;
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

/// A_g for g = 1..=max_group; None for a subgroup without images or with g above the k the
/// predictions were kept to (never guessed).
pub fn subgroup_accuracies(
    predictions: &TopK,
    valid: &ValidSets,
    collapse: &[ClassId],
    max_group: usize,
    form: SubsetAccuracy,
) -> Vec<Option<f64>> {
    let mut sums = vec![0.0f64; max_group + 1];
    let mut counts = vec![0usize; max_group + 1];
    let num_classes = collapse.len() as f64;
    let mut collapsed = Vec::with_capacity(max_group);
    for image in 0..valid.num_images() {
        let labels = valid.sets.get(image);
        let g = labels.len();
        if !valid.included[image] || g == 0 || g > max_group || g > predictions.k {
            continue;
        }
        collapsed.clear();
        for &p in &predictions.row(image)[..g] {
            let p = collapse[p as usize];
            if !collapsed.contains(&p) {
                collapsed.push(p);
            }
        }
        let overlap = collapsed.iter().filter(|p| labels.contains(p)).count();
        let union = g + collapsed.len() - overlap;
        sums[g] += match form {
            SubsetAccuracy::Jaccard => overlap as f64 / union as f64,
            SubsetAccuracy::Hamming => 1.0 - (union - overlap) as f64 / num_classes,
        };
        counts[g] += 1;
    }
    (1..=max_group)
        .map(|g| (counts[g] > 0 && g <= predictions.k).then(|| sums[g] / counts[g] as f64))
        .collect()
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
