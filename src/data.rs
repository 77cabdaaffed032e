//! Plain columnar data shared by the store, the importers and the metrics: ranked predictions
//! and per-image label sets. Nothing here knows about SQLite or files.

pub mod sanity;

use crate::vocab::ClassId;

/// Ranked predictions of one model on one dataset: row-major `num_images × k` class ids, best
/// first, with the scores when they were known.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TopK {
    pub k: usize,
    pub class_ids: Vec<ClassId>,
    pub scores: Option<Vec<f32>>,
    /// Per image, from full score vectors only.
    pub max_softmax: Option<Vec<f32>>,
    pub entropy: Option<Vec<f32>>,
}

impl TopK {
    pub fn num_images(&self) -> usize {
        self.class_ids.len().checked_div(self.k).unwrap_or(0)
    }

    #[inline]
    pub fn row(&self, image: usize) -> &[ClassId] {
        &self.class_ids[image * self.k..(image + 1) * self.k]
    }

    /// The ranked classes of every image, in image order.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, ClassId> {
        self.class_ids.chunks_exact(self.k.max(1))
    }

    #[inline]
    pub fn top1(&self, image: usize) -> ClassId {
        self.class_ids[image * self.k]
    }

    pub fn scores_row(&self, image: usize) -> Option<&[f32]> {
        let scores = self.scores.as_ref()?;
        Some(&scores[image * self.k..(image + 1) * self.k])
    }
}

/// Small sorted label lists, one per image, stored compressed-row style.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelSets {
    offsets: Vec<u32>,
    classes: Vec<ClassId>,
}

impl Default for LabelSets {
    fn default() -> Self {
        LabelSets {
            offsets: vec![0],
            classes: Vec::new(),
        }
    }
}

impl LabelSets {
    pub fn with_capacity(images: usize, labels: usize) -> Self {
        let mut offsets = Vec::with_capacity(images + 1);
        offsets.push(0);
        LabelSets {
            offsets,
            classes: Vec::with_capacity(labels),
        }
    }

    /// Appends the next image's labels, sorted and without repeats.
    pub fn push(&mut self, labels: impl IntoIterator<Item = ClassId>) {
        let start = self.classes.len();
        self.classes.extend(labels);
        let added = &mut self.classes[start..];
        added.sort_unstable();
        let mut kept = start;
        for read in start..self.classes.len() {
            if kept == start || self.classes[read] != self.classes[kept - 1] {
                self.classes[kept] = self.classes[read];
                kept += 1;
            }
        }
        self.classes.truncate(kept);
        self.offsets.push(self.classes.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn get(&self, image: usize) -> &[ClassId] {
        &self.classes[self.offsets[image] as usize..self.offsets[image + 1] as usize]
    }

    #[inline]
    pub fn contains(&self, image: usize, class: ClassId) -> bool {
        // A plain loop: `<[u16]>::contains` is an out-of-line call, and this is the metrics' hot path.
        self.get(image)
            .iter()
            .fold(false, |found, &label| found | (label == class))
    }

    /// Total number of labels over all images.
    pub fn total(&self) -> usize {
        self.classes.len()
    }

    /// The compressed-row layout: where each image's labels start (and the last ends), and
    /// the labels. The project file stores exactly this.
    pub fn parts(&self) -> (&[u32], &[ClassId]) {
        (&self.offsets, &self.classes)
    }

    /// Sets from their layout, which the caller has checked: offsets start at 0, never
    /// decrease and end at `classes.len()`, and each image's labels are sorted, without repeats.
    pub(crate) fn from_checked_parts(offsets: Vec<u32>, classes: Vec<ClassId>) -> Self {
        LabelSets { offsets, classes }
    }

    /// Keeps the first `images` images.
    pub fn truncate(&mut self, images: usize) {
        if images < self.len() {
            self.offsets.truncate(images + 1);
            self.classes.truncate(self.offsets[images] as usize);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// One set of valid labels per image (ReaL); an empty set excludes the image.
    Real,
    /// Correct, unclear and previously-wrong lists and a problematic flag (imagenet2012_multilabel).
    MultiLabel,
}

impl LabelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LabelKind::Real => "real",
            LabelKind::MultiLabel => "multilabel",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "real" => Some(LabelKind::Real),
            "multilabel" => Some(LabelKind::MultiLabel),
            _ => None,
        }
    }
}

/// One label source over all images of a dataset. Images the source does not cover have
/// `labeled[i] == false` and empty lists. For ReaL, `correct` holds the ReaL set.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageLabels {
    pub kind: LabelKind,
    pub labeled: Vec<bool>,
    pub correct: LabelSets,
    pub unclear: LabelSets,
    pub wrong: LabelSets,
    pub problematic: Vec<bool>,
}

/// One image's entry while a label source is being assembled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelEntry {
    pub correct: Vec<ClassId>,
    pub unclear: Vec<ClassId>,
    pub wrong: Vec<ClassId>,
    pub problematic: bool,
}

impl ImageLabels {
    /// Lays out per-image entries (image index, entry) over a dataset of `num_images`.
    pub fn from_entries(
        kind: LabelKind,
        num_images: usize,
        entries: impl IntoIterator<Item = (usize, LabelEntry)>,
    ) -> Self {
        let mut by_image: Vec<Option<LabelEntry>> = vec![None; num_images];
        for (image, entry) in entries {
            by_image[image] = Some(entry);
        }
        let mut labels = ImageLabels::with_capacity(kind, num_images, num_images);
        for entry in &by_image {
            labels.push(entry.as_ref().map(|e| {
                let lists = [e.correct.as_slice(), &e.unclear, &e.wrong];
                (lists, e.problematic)
            }));
        }
        labels
    }

    /// No image yet; room for `num_images` and `correct` correct labels.
    pub fn with_capacity(kind: LabelKind, num_images: usize, correct: usize) -> Self {
        ImageLabels {
            kind,
            labeled: Vec::with_capacity(num_images),
            correct: LabelSets::with_capacity(num_images, correct),
            unclear: LabelSets::with_capacity(num_images, 0),
            wrong: LabelSets::with_capacity(num_images, 0),
            problematic: Vec::with_capacity(num_images),
        }
    }

    /// Appends the next image: its correct, unclear and wrong lists and problematic flag, or
    /// None when the source does not cover it.
    pub fn push(&mut self, entry: Option<([&[ClassId]; 3], bool)>) {
        let ([correct, unclear, wrong], problematic) = entry.unwrap_or(([&[]; 3], false));
        self.labeled.push(entry.is_some());
        self.correct.push(correct.iter().copied());
        self.unclear.push(unclear.iter().copied());
        self.wrong.push(wrong.iter().copied());
        self.problematic.push(problematic);
    }

    pub fn num_images(&self) -> usize {
        self.labeled.len()
    }

    pub fn num_labeled(&self) -> usize {
        self.labeled.iter().filter(|&&l| l).count()
    }

    pub fn entry(&self, image: usize) -> Option<LabelEntry> {
        self.labeled[image].then(|| LabelEntry {
            correct: self.correct.get(image).to_vec(),
            unclear: self.unclear.get(image).to_vec(),
            wrong: self.wrong.get(image).to_vec(),
            problematic: self.problematic[image],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_sets_sort_and_deduplicate_each_image() {
        let mut sets = LabelSets::default();
        sets.push([5, 3, 5, 1]);
        sets.push([]);
        sets.push([7]);
        assert_eq!(sets.len(), 3);
        assert_eq!(sets.get(0), &[1, 3, 5]);
        assert!(sets.get(1).is_empty());
        assert!(sets.contains(2, 7) && !sets.contains(2, 5));
    }

    #[test]
    fn entries_are_laid_out_by_image_index() {
        let entry = LabelEntry {
            correct: vec![2, 1],
            problematic: true,
            ..Default::default()
        };
        let labels = ImageLabels::from_entries(LabelKind::MultiLabel, 3, [(1, entry)]);
        assert_eq!(labels.labeled, vec![false, true, false]);
        assert_eq!(labels.correct.get(1), &[1, 2]);
        assert!(labels.problematic[1]);
        assert_eq!(labels.entry(0), None);
    }

    #[test]
    fn top_k_rows_are_row_major() {
        let top = TopK {
            k: 2,
            class_ids: vec![1, 2, 3, 4],
            ..Default::default()
        };
        assert_eq!(top.num_images(), 2);
        assert_eq!(top.row(1), &[3, 4]);
        assert_eq!(top.top1(1), 3);
    }
}
