//! Variable top-k subgroup accuracy and ASMA (Anzaku et al.): an image with g valid labels is
//! judged on the model's top-g, and the subgroups g = 1..G are averaged with equal weight.

use super::ValidSets;
use super::accuracy::SingleLabelHits;
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
    /// |Y ∩ Ŷ| / k with k = |Y|: the share of the valid labels found in the top-k, the form
    /// that reproduces Anzaku et al.'s published tables.
    Overlap,
}

impl SubsetAccuracy {
    pub fn as_str(self) -> &'static str {
        match self {
            SubsetAccuracy::Jaccard => "jaccard",
            SubsetAccuracy::Hamming => "hamming",
            SubsetAccuracy::Overlap => "overlap",
        }
    }
}

/// The images of each subgroup g = 1..=G under one valid-set source: the same for every
/// model, so the report finds them once. Each model then goes through one subgroup at a time,
/// where the set size the per-image work depends on no longer changes from image to image.
pub(crate) struct SubgroupImages {
    /// groups[g - 1]: the included images with g valid labels, in order.
    groups: Vec<Vec<u32>>,
}

impl SubgroupImages {
    /// Over the first `images` images.
    pub fn new(valid: &ValidSets, max_group: usize, images: usize) -> Self {
        let mut groups = vec![Vec::new(); max_group];
        for image in 0..images.min(valid.num_images()) {
            let g = valid.len(image);
            if valid.included(image) && (1..=max_group).contains(&g) {
                groups[g - 1].push(image as u32);
            }
        }
        SubgroupImages { groups }
    }

    /// How many images each subgroup g = 1..=G holds.
    pub fn sizes(&self) -> Vec<usize> {
        self.groups.iter().map(Vec::len).collect()
    }

    /// A_g for g = 1..=G; None for a subgroup without images or above the k kept. `first`:
    /// subgroup 1 when already counted (by the ReaL pass over the same sets).
    pub fn accuracies(
        &self,
        predictions: &TopK,
        valid: &ValidSets,
        collapse: &[ClassId],
        form: SubsetAccuracy,
        first: Option<SingleLabelHits>,
    ) -> Vec<Option<f64>> {
        let mut sums = SubgroupSums::new(self.groups.len(), collapse.len(), form);
        let collapsing = collapse.iter().enumerate().any(|(c, &g)| c != g as usize);
        // Subgroups above the k kept stay empty: their accuracy is never guessed.
        for (g, images) in (1..).zip(&self.groups).take(predictions.k) {
            if let Some(first) = first.filter(|_| g == 1) {
                // One label, one prediction: |Ŷ| = 1, |Y ∩ Ŷ| = whether the top-1 is it.
                let by_overlap = sums.images_by_overlap(1, 1);
                by_overlap[1] = first.hits as u32;
                by_overlap[0] = (first.images - first.hits) as u32;
                continue;
            }
            let covered =
                images.partition_point(|&image| (image as usize) < predictions.num_images());
            let judged = images[..covered].iter().map(|&image| {
                let image = image as usize;
                (valid.image(image), &predictions.row(image)[..g])
            });
            // One counting function on both paths, so a class given twice (or two
            // classes collapsed into one) counts once either way; the identity inlines.
            if collapsing {
                sums.tally(g, judged, |p| collapse[p as usize]);
            } else {
                sums.tally(g, judged, |p| p);
            }
        }
        sums.finish()
    }
}

/// |Ŷ| and |Y ∩ Ŷ| for the top-g read through `class_of`: a class met twice (given twice, or
/// two classes collapsed into one group) counts once.
#[inline(always)]
fn distinct_overlap(
    set: ImageSet,
    top: &[ClassId],
    class_of: impl Fn(ClassId) -> ClassId,
) -> (usize, usize) {
    let (mut distinct, mut overlap) = (0, 0);
    for (rank, &p) in top.iter().enumerate() {
        let p = class_of(p);
        if top[..rank].iter().any(|&q| class_of(q) == p) {
            continue;
        }
        distinct += 1;
        overlap += set.accepts(p) as usize;
    }
    (distinct, overlap)
}

/// Per subgroup g (the number of valid labels), a tally of images by overlap |Y ∩ Ŷ| and
/// |Ŷ|; the accuracies are computed from the tally at the end, keeping division out of the
/// per-image loop.
struct SubgroupSums {
    classes: usize,
    form: SubsetAccuracy,
    max_group: usize,
    /// tally[(g * (G + 1) + distinct) * (G + 1) + overlap]
    tally: Vec<u32>,
}

impl SubgroupSums {
    fn new(max_group: usize, classes: usize, form: SubsetAccuracy) -> Self {
        let side = max_group + 1;
        SubgroupSums {
            classes,
            form,
            max_group,
            tally: vec![0; side * side * side],
        }
    }

    /// The image counts of subgroup g with `distinct` classes in the top-g, by overlap.
    fn images_by_overlap(&mut self, g: usize, distinct: usize) -> &mut [u32] {
        let side = self.max_group + 1;
        let start = (g * side + distinct) * side;
        &mut self.tally[start..start + side]
    }

    /// Counts the images of subgroup g, each by its |Ŷ| and |Y ∩ Ŷ|.
    fn tally<'a>(
        &mut self,
        g: usize,
        judged: impl Iterator<Item = (ImageSet<'a>, &'a [ClassId])>,
        class_of: impl Fn(ClassId) -> ClassId + Copy,
    ) {
        for (set, top) in judged {
            let (distinct, overlap) = distinct_overlap(set, top, class_of);
            self.images_by_overlap(g, distinct)[overlap] += 1;
        }
    }

    /// A_g for g = 1..=G; None for a subgroup without images.
    fn finish(&self) -> Vec<Option<f64>> {
        let side = self.max_group + 1;
        let classes = self.classes as f64;
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
                            SubsetAccuracy::Overlap => overlap as f64 / g as f64,
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
    SubgroupImages::new(valid, max_group, valid.num_images()).accuracies(
        predictions,
        valid,
        collapse,
        form,
        None,
    )
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
    fn the_overlap_form_divides_the_labels_found_by_k() {
        // g=2: {1, 2} against top-2 [2, 5]: one of two found → 1/2 (Jaccard 1/3);
        //      {3, 4} against [4, 3] → 1.
        // g=3: {1, 2, 3} against [3, 7, 8] → 1/3 (Jaccard 1/5).
        let predictions = TopK {
            k: 3,
            class_ids: vec![2, 5, 0, 4, 3, 0, 3, 7, 8],
            ..Default::default()
        };
        let sets = valid(&[&[1, 2], &[3, 4], &[1, 2, 3]]);
        let identity: Vec<ClassId> = (0..10).collect();
        let overlap =
            subgroup_accuracies(&predictions, &sets, &identity, 3, SubsetAccuracy::Overlap);
        assert_eq!(overlap, vec![None, Some(0.75), Some(1.0 / 3.0)]);
        let jaccard =
            subgroup_accuracies(&predictions, &sets, &identity, 3, SubsetAccuracy::Jaccard);
        assert_eq!(
            jaccard,
            vec![None, Some((1.0 / 3.0 + 1.0) / 2.0), Some(0.2)]
        );
        let sizes = SubgroupImages::new(&sets, 3, 3).sizes();
        assert_eq!(sizes, vec![0, 2, 1]);
    }

    #[test]
    fn a_repeated_class_in_the_top_g_counts_once_whether_collapsing_or_not() {
        // {1, 2} against a top-2 of [1, 1] (a damaged row): Ŷ = {1}, 1 / |{1, 2}| = 0.5.
        let predictions = TopK {
            k: 2,
            class_ids: vec![1, 1],
            ..Default::default()
        };
        let sets = valid(&[&[1, 2]]);
        let identity: Vec<ClassId> = (0..10).collect();
        let mut collapsing = identity.clone();
        collapsing[9] = 8;
        for collapse in [&identity, &collapsing] {
            let groups =
                subgroup_accuracies(&predictions, &sets, collapse, 2, SubsetAccuracy::Jaccard);
            assert_eq!(groups, vec![None, Some(0.5)]);
        }
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
