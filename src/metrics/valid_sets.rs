//! The valid labels of each image under a label source (and the panel's decisions), already
//! collapsed: what every metric that meets a prediction with a label set reads.

use crate::data::{ImageLabels, LabelSets};
use crate::verdict::{Decision, Verdict};
use crate::vocab::ClassId;

#[derive(Debug, Clone, PartialEq)]
pub struct ValidSets {
    /// Collapsed, sorted valid labels per image.
    pub sets: LabelSets,
    /// What the metrics ask of every image for every model, one record per image so that is
    /// one memory access: inclusion, set size, and sets of up to four labels packed.
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    /// Up to four labels, 16 bits each little-endian, padded with 0xFFFF; bytes rather than a
    /// u64 so an entry takes 10 bytes, not 16.
    packed: [u8; 8],
    length: u8,
    /// Whether the image takes part (labeled, not problematic, and for ReaL non-empty).
    included: bool,
}

const PACKED_LABELS: usize = 4;
const LANES_LOW: u64 = 0x0001_0001_0001_0001;
const LANES_HIGH: u64 = 0x8000_8000_8000_8000;

fn pack(labels: &[ClassId]) -> [u8; 8] {
    let word = (0..PACKED_LABELS).fold(0u64, |word, lane| {
        let label = labels.get(lane).copied().unwrap_or(ClassId::MAX);
        word | (label as u64) << (16 * lane)
    });
    word.to_le_bytes()
}

/// Where an image stands under the multi-labels with the panel's decisions overlaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Counted by MLA and by MLA re-labeled.
    Counted,
    /// The source does not cover it: MLA never counts it, and no decision brings it in.
    Unlabeled,
    /// Flagged problematic by the source or by a decision: excluded.
    Problematic,
    /// Counted by MLA, but the decisions left it no valid label: excluded, and listed for
    /// review, because a model can only miss it.
    Emptied,
}

/// One image's valid labels (not collapsed) with decisions overlaid, and where it stands: the
/// rule of [`ValidSets::relabeled`], also used to update one image after a vote. A decision
/// changes the labels of an image MLA counts, or takes it out; it never brings one in.
pub fn relabel_image(
    labels: &ImageLabels,
    image: usize,
    decided: &[&Decision],
) -> (Standing, Vec<ClassId>) {
    let mut valid: Vec<ClassId> = labels.correct.get(image).to_vec();
    valid.extend(labels.unclear.get(image));
    if !labels.labeled[image] {
        return (Standing::Unlabeled, valid);
    }
    let mut problematic = labels.problematic[image];
    for decision in decided {
        valid.retain(|&c| c != decision.label);
        match decision.verdict {
            Verdict::Correct | Verdict::Unclear => valid.push(decision.label),
            Verdict::Wrong => {}
            Verdict::Problematic => problematic = true,
        }
    }
    let standing = if problematic {
        Standing::Problematic
    } else if valid.is_empty() && !decided.is_empty() {
        Standing::Emptied
    } else {
        Standing::Counted
    };
    (standing, valid)
}

/// The multi-labels with the panel's decisions overlaid: the sets MLA re-labeled reads, and
/// where each image stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Relabeled {
    pub valid: ValidSets,
    pub standing: Vec<Standing>,
}

impl Relabeled {
    /// Images MLA counts that the decisions left without a valid label.
    pub fn emptied(&self) -> Vec<u32> {
        (self.standing.iter().enumerate())
            .filter(|&(_, &s)| s == Standing::Emptied)
            .map(|(image, _)| image as u32)
            .collect()
    }
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
        ValidSets::new(included, sets)
    }

    /// Multi-labels: correct ∪ unclear (lenient on unclear); problematic images excluded.
    pub fn from_multilabel(labels: &ImageLabels, collapse: &[ClassId]) -> Self {
        Self::relabeled(labels, &[], collapse).valid
    }

    /// Multi-labels with decisions overlaid by [`relabel_image`]: a decided (image, label)
    /// pair replaces its imported status; decisions on images the source does not cover
    /// change nothing here.
    pub fn relabeled(
        labels: &ImageLabels,
        decisions: &[Decision],
        collapse: &[ClassId],
    ) -> Relabeled {
        let num_images = labels.num_images();
        let mut by_image: Vec<Vec<&Decision>> =
            vec![Vec::new(); if decisions.is_empty() { 0 } else { num_images }];
        for decision in decisions.iter().filter(|d| (d.image as usize) < num_images) {
            by_image[decision.image as usize].push(decision);
        }
        let mut sets =
            LabelSets::with_capacity(num_images, labels.correct.total() + labels.unclear.total());
        let mut standing = Vec::with_capacity(num_images);
        for image in 0..num_images {
            let decided = by_image.get(image).map(Vec::as_slice).unwrap_or(&[]);
            let (stands, valid) = relabel_image(labels, image, decided);
            standing.push(stands);
            sets.push(valid.iter().map(|&c| collapse[c as usize]));
        }
        let included = standing.iter().map(|&s| s == Standing::Counted).collect();
        Relabeled {
            valid: ValidSets::new(included, sets),
            standing,
        }
    }

    /// A source that includes no image: what a missing source amounts to in every metric.
    pub(crate) fn including_none(num_images: usize) -> Self {
        let mut sets = LabelSets::with_capacity(num_images, 0);
        for _ in 0..num_images {
            sets.push([]);
        }
        ValidSets::new(vec![false; num_images], sets)
    }

    fn new(included: Vec<bool>, sets: LabelSets) -> Self {
        let entries = included
            .iter()
            .enumerate()
            .map(|(image, &included)| {
                let labels = sets.get(image);
                Entry {
                    packed: pack(labels),
                    length: labels.len().min(u8::MAX as usize) as u8,
                    included,
                }
            })
            .collect();
        ValidSets { sets, entries }
    }

    /// Whether the image takes part (labeled, not problematic, and for ReaL non-empty).
    #[inline(always)]
    pub fn included(&self, image: usize) -> bool {
        self.image(image).included()
    }

    /// How many valid labels the image has.
    #[inline(always)]
    pub fn len(&self, image: usize) -> usize {
        self.image(image).len()
    }

    pub fn num_images(&self) -> usize {
        self.entries.len()
    }

    /// Whether the (collapsed) prediction is a valid label of an included image.
    #[inline(always)]
    pub fn accepts(&self, image: usize, collapsed_prediction: ClassId) -> bool {
        self.image(image).accepts(collapsed_prediction)
    }

    #[inline(always)]
    pub(crate) fn image(&self, image: usize) -> ImageSet<'_> {
        ImageSet {
            entry: self.entries[image],
            image,
            sets: &self.sets,
        }
    }

    /// Every image's set in order: what a pass zips with the predictions, so that reading an
    /// image's entry costs no bounds check.
    pub(crate) fn images(&self) -> impl Iterator<Item = ImageSet<'_>> {
        (self.entries.iter().enumerate()).map(|(image, &entry)| ImageSet {
            entry,
            image,
            sets: &self.sets,
        })
    }
}

/// One image's valid set: its packed entry, and where to look when the set is too long to pack.
#[derive(Clone, Copy)]
pub(crate) struct ImageSet<'a> {
    entry: Entry,
    image: usize,
    sets: &'a LabelSets,
}

impl ImageSet<'_> {
    #[inline(always)]
    pub fn included(self) -> bool {
        self.entry.included
    }

    #[inline(always)]
    pub fn len(self) -> usize {
        self.entry.length as usize
    }

    #[inline(always)]
    pub fn accepts(self, collapsed_prediction: ClassId) -> bool {
        if self.entry.length as usize > PACKED_LABELS {
            return accepts_long_set(self.sets, self.image, collapsed_prediction);
        }
        // A lane equal to the prediction becomes zero; the classic test for a zero lane.
        let x = u64::from_le_bytes(self.entry.packed) ^ (collapsed_prediction as u64 * LANES_LOW);
        x.wrapping_sub(LANES_LOW) & !x & LANES_HIGH != 0
    }
}

/// Out of line and by scalars, so that the hot path never spills an [`ImageSet`] to memory.
#[cold]
fn accepts_long_set(sets: &LabelSets, image: usize, collapsed_prediction: ClassId) -> bool {
    sets.contains(image, collapsed_prediction)
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
        assert_eq!(
            (0..4).map(|i| valid.included(i)).collect::<Vec<_>>(),
            vec![true, false, true, false]
        );
        assert_eq!(valid.sets.get(0), &[1, 2]);
        assert!(
            valid.sets.get(2).is_empty(),
            "labeled without a valid label stays included"
        );
    }

    #[test]
    fn decisions_replace_the_imported_status_of_their_pair() {
        let identity: Vec<ClassId> = (0..10).collect();
        let decide = |image, label, verdict| Decision::new(image, label, verdict, "panel".into());
        let decisions = [
            decide(0, 2, Verdict::Wrong),
            decide(0, 9, Verdict::Correct),
            decide(2, 5, Verdict::Problematic),
            decide(3, 4, Verdict::Unclear),
        ];
        let relabeled = ValidSets::relabeled(&multilabels(), &decisions, &identity);
        let valid = &relabeled.valid;
        assert_eq!(
            valid.sets.get(0),
            &[1, 9],
            "unclear 2 decided wrong, wrong 9 decided correct"
        );
        assert_eq!(
            relabeled.standing,
            vec![
                Standing::Counted,
                Standing::Problematic,
                Standing::Problematic,
                Standing::Unlabeled
            ],
            "a decision on an image the source does not cover brings it nowhere"
        );
        assert_eq!(
            (0..4).map(|i| valid.included(i)).collect::<Vec<_>>(),
            vec![true, false, false, false]
        );
    }

    #[test]
    fn an_image_the_decisions_leave_without_a_valid_label_is_emptied() {
        let identity: Vec<ClassId> = (0..10).collect();
        let decide = |image, label, verdict| Decision::new(image, label, verdict, "panel".into());
        // Image 0 loses both its correct 1 and its unclear 2; image 2 was imported without
        // a valid label and stays counted until a decision falls on it.
        let both_wrong = [decide(0, 1, Verdict::Wrong), decide(0, 2, Verdict::Wrong)];
        let relabeled = ValidSets::relabeled(&multilabels(), &both_wrong, &identity);
        assert_eq!(relabeled.standing[0], Standing::Emptied);
        assert!(!relabeled.valid.included(0));
        assert_eq!(relabeled.standing[2], Standing::Counted);
        assert_eq!(relabeled.emptied(), vec![0]);
        let one_wrong = [decide(0, 1, Verdict::Wrong)];
        let relabeled = ValidSets::relabeled(&multilabels(), &one_wrong, &identity);
        assert_eq!(
            relabeled.standing[0],
            Standing::Counted,
            "unclear 2 is left"
        );
        assert!(relabeled.emptied().is_empty());
    }

    #[test]
    fn collapsing_maps_labels_to_their_group() {
        let mut collapse: Vec<ClassId> = (0..10).collect();
        collapse[2] = 1;
        let valid = ValidSets::from_multilabel(&multilabels(), &collapse);
        assert_eq!(valid.sets.get(0), &[1]);
    }
}
