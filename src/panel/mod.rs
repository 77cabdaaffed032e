//! The panel's work: verdicts on (image, label) pairs, mistake categories and severities,
//! votes and the decisions they make ([`decide`]), the review queue ([`queue`]) and the
//! metrics that follow the votes live ([`live`]).

pub mod decide;
pub mod live;
pub mod queue;
pub mod review;

pub use decide::decide;
pub use live::LiveMetrics;
pub use queue::{
    DecidedFilter, MistakeSource, PairStatus, QueueFilter, QueueItem, ReviewQueue, ReviewedFilter,
    SortOrder, ViewCounts,
};
pub use review::Review;

use crate::vocab::ClassId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Correct,
    Unclear,
    Wrong,
    /// The ground truth itself is wrong, or the image has no valid label.
    Problematic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    FineGrained,
    FineGrainedOutOfVocabulary,
    Spurious,
    NonPrototypical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Major,
    Minor,
}

macro_rules! stored_names {
    ($type:ty { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $type {
            pub const ALL: &'static [$type] = &[$(<$type>::$variant),+];

            /// The spelling stored in the project and used in CSV and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(<$type>::$variant => $name),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text.trim() { $($name => Some(<$type>::$variant),)+ _ => None }
            }
        }
    };
}

stored_names!(Verdict { Correct = "correct", Unclear = "unclear", Wrong = "wrong", Problematic = "problematic" });
stored_names!(Category {
    FineGrained = "fine_grained",
    FineGrainedOutOfVocabulary = "fine_grained_oov",
    Spurious = "spurious",
    NonPrototypical = "non_prototypical",
});
stored_names!(Severity { Major = "major", Minor = "minor" });
stored_names!(Round { Independent = "independent", Discussion = "discussion" });

/// Votes are first cast independently; the discussion round revisits disagreements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Round {
    Independent,
    Discussion,
}

/// One reviewer's judgement of an (image, label) pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Vote {
    pub image: u32,
    pub label: ClassId,
    pub verdict: Verdict,
    /// Only for `wrong`.
    pub category: Option<Category>,
    /// Only for `wrong`.
    pub severity: Option<Severity>,
    pub note: String,
}

impl Vote {
    /// "wrong · spurious · major": the verdict with what details it has.
    pub fn summary(&self) -> String {
        let details = [
            self.category.map(Category::as_str),
            self.severity.map(Severity::as_str),
        ];
        std::iter::once(self.verdict.as_str())
            .chain(details.into_iter().flatten())
            .collect::<Vec<_>>()
            .join(" · ")
    }

    pub fn new(image: u32, label: ClassId, verdict: Verdict) -> Self {
        Vote {
            image,
            label,
            verdict,
            category: None,
            severity: None,
            note: String::new(),
        }
    }
}

/// A vote as stored, with who cast it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct CastVote {
    pub reviewer: String,
    pub round: Round,
    pub vote: Vote,
    pub cast_at: String,
}

impl Verdict {
    /// Whether the label counts as valid for the image (correct ∪ unclear).
    pub fn is_valid(self) -> bool {
        matches!(self, Verdict::Correct | Verdict::Unclear)
    }
}

/// A settled verdict on an (image, label) pair, from the panel or an imported review. It
/// replaces the imported status of that pair wherever labels are used.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub image: u32,
    pub label: ClassId,
    pub verdict: Verdict,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    /// The source's own word when it differs from the stored severity ("borderline").
    pub severity_word: Option<String>,
    /// Who decided: "panel", or the file a review was imported from.
    pub source: String,
    pub reason: String,
}

impl Decision {
    pub fn is_major_mistake(&self) -> bool {
        self.verdict == Verdict::Wrong && self.severity == Some(Severity::Major)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for verdict in Verdict::ALL {
            assert_eq!(Verdict::parse(verdict.as_str()), Some(*verdict));
        }
        for category in Category::ALL {
            assert_eq!(Category::parse(category.as_str()), Some(*category));
        }
        assert_eq!(Severity::parse("minor"), Some(Severity::Minor));
        assert_eq!(Verdict::parse("maybe"), None);
        assert!(Verdict::Unclear.is_valid() && !Verdict::Wrong.is_valid());
    }
}
