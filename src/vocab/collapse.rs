//! Collapsed classes: pairs of ImageNet classes so alike that the dough paper merged them for
//! evaluation. The pairs are data (assets/collapsed_classes.csv); applying them is a project
//! setting, off by default so the published figures reproduce.

use super::ClassId;

const BUILTIN_CSV: &str = include_str!("../../assets/collapsed_classes.csv");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollapsedPairs(Vec<(ClassId, ClassId)>);

impl CollapsedPairs {
    pub fn imagenet1k() -> Self {
        let pairs = BUILTIN_CSV
            .lines()
            .skip(1)
            .filter_map(|line| {
                let (a, b) = line.split_once(',')?;
                Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
            })
            .collect();
        CollapsedPairs(pairs)
    }

    pub fn pairs(&self) -> &[(ClassId, ClassId)] {
        &self.0
    }

    /// A lookup from class to its group's representative (the smaller index of the pair);
    /// the identity when collapsing is off, so metrics use one code path either way.
    pub fn class_map(&self, num_classes: usize, enabled: bool) -> Vec<ClassId> {
        let mut map: Vec<ClassId> = (0..num_classes as u32).map(|c| c as ClassId).collect();
        if enabled {
            for &(a, b) in &self.0 {
                let representative = a.min(b);
                for member in [a, b] {
                    if let Some(slot) = map.get_mut(member as usize) {
                        *slot = representative;
                    }
                }
            }
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_pairs_are_the_five_of_the_dough_paper() {
        let pairs = CollapsedPairs::imagenet1k();
        assert_eq!(
            pairs.pairs(),
            &[(435, 876), (620, 681), (657, 744), (638, 639), (836, 837)]
        );
    }

    #[test]
    fn class_map_merges_pairs_only_when_enabled() {
        let pairs = CollapsedPairs::imagenet1k();
        let off = pairs.class_map(1000, false);
        assert_eq!(off[876], 876);
        let on = pairs.class_map(1000, true);
        assert_eq!((on[435], on[876], on[744], on[657]), (435, 435, 657, 657));
        assert_eq!(on[1], 1);
    }
}
