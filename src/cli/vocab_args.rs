//! The review vocabulary as command-line values: the stored spellings, and the desk's keys and
//! words as aliases (`--category 2`, `--severity M`, `--verdict W`), matched without case, so
//! clap names the wrong argument and lists what it accepts.

use crate::verdict::{Category, Severity, Verdict};
use clap::ValueEnum;
use clap::builder::PossibleValue;

impl ValueEnum for Verdict {
    fn value_variants<'a>() -> &'a [Self] {
        Verdict::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let key = match self {
            Verdict::Correct => "C",
            Verdict::Unclear => "U",
            Verdict::Wrong => "W",
            Verdict::Problematic => "P",
        };
        Some(PossibleValue::new(self.as_str()).alias(key))
    }
}

impl ValueEnum for Category {
    fn value_variants<'a>() -> &'a [Self] {
        Category::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let (key, word) = match self {
            Category::FineGrained => ("1", "fine-grained"),
            Category::FineGrainedOutOfVocabulary => ("2", "fine-grained-oov"),
            Category::Spurious => ("3", "spurious-correlation"),
            Category::NonPrototypical => ("4", "non-prototypical"),
        };
        Some(PossibleValue::new(self.as_str()).aliases([key, word]))
    }
}

impl ValueEnum for Severity {
    fn value_variants<'a>() -> &'a [Self] {
        Severity::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let key = match self {
            Severity::Major => "M",
            Severity::Minor => "N",
        };
        Some(PossibleValue::new(self.as_str()).alias(key))
    }
}
