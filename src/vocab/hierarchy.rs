//! WordNet hierarchy distance between two classes.

use super::{ClassId, Vocabulary};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};

/// For every class, its ancestors (interned) with the fewest steps up to each, sorted by
/// ancestor; and for vocabularies of ImageNet's size, a table of pairwise distances filled in
/// as pairs are asked for: the metrics look one up for every top-1 mistake, but meet only a
/// fraction of the million pairs, so computing all of them up front cost more than the
/// lookups it saved (a quarter of a whole `bagel metrics` run).
#[derive(Debug)]
pub struct Hierarchy {
    ancestors: Vec<Vec<(u32, u16)>>,
    /// Per class, the steps up to every interned node (NO_DISTANCE where it is not an
    /// ancestor): a distance is then a branch-free pass over the other class's ancestors
    /// instead of a merge of two sorted lists. Only for vocabularies of ImageNet's size.
    steps_up: Option<(usize, Vec<u8>)>,
    table: Option<Vec<AtomicU8>>,
}

/// Above this many classes the n² table would cost more memory than the lookups save.
const TABLE_MAX_CLASSES: usize = 4096;
const NO_DISTANCE: u8 = u8::MAX;
const NOT_YET: u8 = u8::MAX - 1;

impl Hierarchy {
    pub fn new(vocab: &Vocabulary) -> Self {
        let mut interned: HashMap<&str, u32> = HashMap::new();
        let ancestors: Vec<Vec<(u32, u16)>> = vocab
            .classes()
            .iter()
            .map(|class| {
                let mut steps_up: HashMap<u32, u16> = HashMap::new();
                for path in &class.hypernym_paths {
                    for (position, wnid) in path.iter().enumerate() {
                        let next_id = interned.len() as u32;
                        let node = *interned.entry(wnid.as_str()).or_insert(next_id);
                        let steps = (path.len() - 1 - position) as u16;
                        let best = steps_up.entry(node).or_insert(steps);
                        *best = (*best).min(steps);
                    }
                }
                let mut list: Vec<(u32, u16)> = steps_up.into_iter().collect();
                list.sort_unstable();
                list
            })
            .collect();
        let n = ancestors.len();
        let nodes = interned.len();
        let small = n <= TABLE_MAX_CLASSES;
        let table = small.then(|| {
            std::iter::repeat_with(|| AtomicU8::new(NOT_YET))
                .take(n * n)
                .collect()
        });
        let steps_up = small.then(|| {
            let mut dense = vec![NO_DISTANCE; n * nodes];
            for (class, list) in ancestors.iter().enumerate() {
                for &(node, steps) in list {
                    dense[class * nodes + node as usize] = steps.min(NOT_YET as u16 - 1) as u8;
                }
            }
            (nodes, dense)
        });
        Hierarchy {
            ancestors,
            steps_up,
            table,
        }
    }

    /// The smallest d such that both classes share an ancestor at most d steps above each:
    /// 0 when equal, 1 for siblings, 2 for cousins. None when either has no path or they
    /// share no ancestor.
    #[inline]
    pub fn distance(&self, a: ClassId, b: ClassId) -> Option<u32> {
        let n = self.ancestors.len();
        let Some(slot) = (self.table.as_ref())
            .filter(|_| (a as usize) < n && (b as usize) < n)
            .map(|table| &table[a as usize * n + b as usize])
        else {
            return self.merge_distance(a as usize, b as usize);
        };
        // Relaxed is enough: two threads filling one slot write the same value.
        let mut d = slot.load(Ordering::Relaxed);
        if d == NOT_YET {
            let found = self.dense_distance(a as usize, b as usize);
            d = found.map_or(NO_DISTANCE, |d| d.min(NOT_YET as u32 - 1) as u8);
            slot.store(d, Ordering::Relaxed);
        }
        (d != NO_DISTANCE).then_some(d as u32)
    }

    /// [`Self::merge_distance`] through the dense steps of `a`.
    fn dense_distance(&self, a: usize, b: usize) -> Option<u32> {
        let Some((nodes, dense)) = &self.steps_up else {
            return self.merge_distance(a, b);
        };
        if a == b {
            return Some(0);
        }
        let row = &dense[a * nodes..(a + 1) * nodes];
        let best = (self.ancestors[b].iter())
            .map(|&(node, steps)| row[node as usize].max(steps.min(255) as u8))
            .fold(NO_DISTANCE, u8::min);
        (best != NO_DISTANCE).then_some(best as u32)
    }

    fn merge_distance(&self, a: usize, b: usize) -> Option<u32> {
        if a == b {
            return Some(0);
        }
        let (left, right) = (self.ancestors.get(a)?, self.ancestors.get(b)?);
        let (mut i, mut j, mut best) = (0, 0, None::<u32>);
        while i < left.len() && j < right.len() {
            match left[i].0.cmp(&right[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let d = left[i].1.max(right[j].1) as u32;
                    best = Some(best.map_or(d, |b| b.min(d)));
                    i += 1;
                    j += 1;
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{Class, ClassKind};

    fn class(index: u16, wnid: &str, paths: &[&str]) -> Class {
        Class {
            index,
            wnid: wnid.into(),
            names: wnid.into(),
            gloss: String::new(),
            kind: ClassKind::Object,
            hypernym_paths: paths
                .iter()
                .map(|p| p.split(' ').map(String::from).collect())
                .collect(),
        }
    }

    #[test]
    fn distance_counts_steps_to_the_nearest_shared_ancestor() {
        // root ─ animal ─ dog ─ {beagle, pug};  root ─ animal ─ cat ─ tabby;  root ─ thing ─ cup
        // tabby also reaches "pet" directly under root (a second path), as WordNet allows.
        let vocab = Vocabulary::from_classes(
            "test",
            vec![
                class(0, "beagle", &["root animal dog beagle"]),
                class(1, "pug", &["root animal dog pug"]),
                class(2, "tabby", &["root animal cat tabby", "root pet tabby"]),
                class(3, "cup", &["root thing cup"]),
                class(4, "lonely", &[]),
            ],
        )
        .unwrap();
        let tree = Hierarchy::new(&vocab);
        assert_eq!(tree.distance(0, 0), Some(0));
        assert_eq!(tree.distance(0, 1), Some(1));
        assert_eq!(tree.distance(0, 2), Some(2));
        assert_eq!(tree.distance(2, 3), Some(2), "via the shorter second path");
        assert_eq!(tree.distance(0, 3), Some(3));
        assert_eq!(tree.distance(0, 4), None);
    }

    #[test]
    fn the_dense_pass_agrees_with_the_merge_on_imagenet() {
        let tree = Hierarchy::new(&Vocabulary::imagenet1k());
        for a in (0..1000).step_by(7) {
            for b in (0..1000).step_by(13) {
                assert_eq!(
                    tree.dense_distance(a, b),
                    tree.merge_distance(a, b),
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn imagenet_cat_breeds_are_siblings_and_far_from_a_cup() {
        let vocab = Vocabulary::imagenet1k();
        let tree = Hierarchy::new(&vocab);
        let tabby = vocab.by_wnid("n02123045").unwrap();
        let tiger_cat = vocab.by_wnid("n02123159").unwrap();
        let cup = vocab.by_wnid("n03063599").unwrap();
        assert_eq!(tree.distance(tabby, tiger_cat), Some(1));
        assert!(tree.distance(tabby, cup).unwrap() > 5);
    }
}
