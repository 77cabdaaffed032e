//! Class labels as prediction files write them instead of indices: a wnid ("n01440764"), the
//! names timm writes (`--label-type description`: "tench, Tinca tinca"; `detailed`: with the
//! gloss after ": "), a first name or any synonym ("Tinca tinca"), or Hugging Face's
//! `LABEL_n`. A label that names several classes is refused with its candidates, never guessed.

use crate::vocab::{ClassId, Vocabulary};
use std::collections::HashMap;

/// Every way the vocabulary lets a label name a class, built once per import.
pub struct ClassNames {
    /// wnid, and each class's whole names text (as timm writes it): lower-cased.
    whole: HashMap<String, Vec<ClassId>>,
    /// Each single synonym, lower-cased.
    synonym: HashMap<String, Vec<ClassId>>,
    /// How each class is shown in a message: "134 crane (n02012849)".
    described: Vec<String>,
}

/// Why a label names no single class.
#[derive(Debug, Clone, PartialEq)]
pub enum Unmatched {
    Unknown,
    /// The classes it could name, described.
    Ambiguous(Vec<String>),
}

impl Unmatched {
    /// The end of a refusal: what the label is and what to do.
    pub fn explain(&self, label: &str) -> String {
        match self {
            Unmatched::Unknown => format!(
                "label {label:?} is no class of the vocabulary (not a wnid, class index, class name or synonym)"
            ),
            Unmatched::Ambiguous(candidates) => format!(
                "label {label:?} names several classes: {}; write class indices instead (timm: inference.py --include-index, or --label-type name for wnids)",
                candidates.join(", ")
            ),
        }
    }
}

impl ClassNames {
    pub fn new(vocab: &Vocabulary) -> Self {
        let mut whole: HashMap<String, Vec<ClassId>> = HashMap::new();
        let mut synonym: HashMap<String, Vec<ClassId>> = HashMap::new();
        for class in vocab.classes() {
            let add = |map: &mut HashMap<String, Vec<ClassId>>, key: &str| {
                let ids = map.entry(key.trim().to_lowercase()).or_default();
                if !ids.contains(&class.index) {
                    ids.push(class.index);
                }
            };
            add(&mut whole, &class.wnid);
            add(&mut whole, &class.names);
            for name in class.names.split(", ") {
                add(&mut synonym, name);
            }
        }
        let described = (0..vocab.len())
            .map(|id| vocab.describe(id as ClassId))
            .collect();
        ClassNames {
            whole,
            synonym,
            described,
        }
    }

    pub fn len(&self) -> usize {
        self.described.len()
    }

    /// The class a label names: a class index, `LABEL_n`, a wnid, the class's whole names text
    /// (also with timm's ": gloss" after it), else a single synonym.
    pub fn find(&self, label: &str) -> Result<ClassId, Unmatched> {
        let label = label.trim();
        let index = label.strip_prefix("LABEL_").unwrap_or(label);
        if let Ok(index) = index.parse::<usize>() {
            return (index < self.len())
                .then_some(index as ClassId)
                .ok_or(Unmatched::Unknown);
        }
        let key = label.to_lowercase();
        let without_gloss = key.split_once(": ").map(|(names, _)| names);
        let candidates = [Some(key.as_str()), without_gloss]
            .into_iter()
            .flatten()
            .find_map(|key| self.whole.get(key).or_else(|| self.synonym.get(key)))
            .ok_or(Unmatched::Unknown)?;
        match candidates[..] {
            [only] => Ok(only),
            _ => Err(Unmatched::Ambiguous(
                candidates
                    .iter()
                    .map(|&id| self.described[id as usize].clone())
                    .collect(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_map_by_wnid_whole_names_synonym_or_index() {
        let names = ClassNames::new(&Vocabulary::imagenet1k());
        assert_eq!(names.find("n01440764"), Ok(0));
        assert_eq!(names.find("tench, Tinca tinca"), Ok(0));
        assert_eq!(names.find("Tinca tinca"), Ok(0));
        assert_eq!(names.find("TENCH"), Ok(0));
        assert_eq!(
            names.find("tench, Tinca tinca: freshwater dace-like game fish of Europe"),
            Ok(0)
        );
        assert_eq!(names.find("LABEL_281"), Ok(281));
        assert_eq!(names.find("281"), Ok(281));
        assert_eq!(names.find("1000"), Err(Unmatched::Unknown));
        assert_eq!(names.find("bagel"), Ok(931), "a class of its own");
        assert_eq!(names.find("croissant"), Err(Unmatched::Unknown));
        // "maillot" is the whole names of 638, and a synonym of 639: the whole names win.
        assert_eq!(names.find("maillot"), Ok(638));
    }

    #[test]
    fn a_name_of_two_classes_is_refused_with_both() {
        let names = ClassNames::new(&Vocabulary::imagenet1k());
        let Err(Unmatched::Ambiguous(candidates)) = names.find("crane") else {
            panic!("crane is a bird and a machine");
        };
        assert_eq!(
            candidates,
            vec!["134 crane (n02012849)", "517 crane (n03126707)"]
        );
        let why = Unmatched::Ambiguous(candidates).explain("crane");
        assert!(why.contains("--include-index"), "{why}");
    }
}
