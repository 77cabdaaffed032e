//! WordNet hierarchy distance between two classes.

use super::{ClassId, Vocabulary};
use rayon::prelude::*;
use std::collections::HashMap;

/// For every class, its ancestors (interned) with the fewest steps up to each, sorted by
/// ancestor; and for vocabularies of ImageNet's size, every pairwise distance precomputed,
/// because the metrics look one up for every top-1 mistake.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    ancestors: Vec<Vec<(u32, u16)>>,
    table: Option<Vec<u8>>,
}

/// Above this many classes the n² table would cost more memory than the lookups save.
const TABLE_MAX_CLASSES: usize = 4096;
const NO_DISTANCE: u8 = u8::MAX;

impl Hierarchy {
    pub fn new(vocab: &Vocabulary) -> Self {
        let mut interned: HashMap<&str, u32> = HashMap::new();
        let ancestors = vocab
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
        let mut hierarchy = Hierarchy {
            ancestors,
            table: None,
        };
        let n = hierarchy.ancestors.len();
        if n <= TABLE_MAX_CLASSES {
            let table = (0..n)
                .into_par_iter()
                .flat_map_iter(|a| {
                    let hierarchy = &hierarchy;
                    (0..n).map(move |b| {
                        let d = hierarchy.merge_distance(a, b);
                        d.map_or(NO_DISTANCE, |d| d.min(NO_DISTANCE as u32 - 1) as u8)
                    })
                })
                .collect();
            hierarchy.table = Some(table);
        }
        hierarchy
    }

    /// The smallest d such that both classes share an ancestor at most d steps above each:
    /// 0 when equal, 1 for siblings, 2 for cousins. None when either has no path or they
    /// share no ancestor.
    #[inline]
    pub fn distance(&self, a: ClassId, b: ClassId) -> Option<u32> {
        let n = self.ancestors.len();
        match &self.table {
            Some(table) if (a as usize) < n && (b as usize) < n => {
                let d = table[a as usize * n + b as usize];
                (d != NO_DISTANCE).then_some(d as u32)
            }
            _ => self.merge_distance(a as usize, b as usize),
        }
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
