//! Human names for the core's stored spellings ("fine_grained_oov"), so the desk never shows
//! a raw identifier.

use crate::panel::{Category, MistakeSource, Severity, Verdict};
use crate::vocab::{ClassId, Vocabulary};

pub fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Correct => "correct",
        Verdict::Unclear => "unclear",
        Verdict::Wrong => "wrong",
        Verdict::Problematic => "ground truth problematic",
    }
}

pub fn category_name(category: Category) -> &'static str {
    match category {
        Category::FineGrained => "fine-grained",
        Category::FineGrainedOutOfVocabulary => "fine-grained, out of vocabulary",
        Category::Spurious => "spurious correlation",
        Category::NonPrototypical => "non-prototypical",
    }
}

pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Major => "major",
        Severity::Minor => "minor",
    }
}

/// The label set that made a pair a mistake.
pub fn source_name(source: MistakeSource) -> &'static str {
    match source {
        MistakeSource::MultiLabel => "multi-labels",
        MistakeSource::Real => "ReaL",
        MistakeSource::Original => "original label",
    }
}

/// "wrong · spurious correlation · major", as [`crate::panel::Vote::summary`] in human words.
pub fn vote_summary(vote: &crate::panel::Vote) -> String {
    let mut parts = vec![verdict_name(vote.verdict)];
    parts.extend(vote.category.map(category_name));
    parts.extend(vote.severity.map(severity_name));
    parts.join(" · ")
}

/// One character per verdict for the queue list.
pub fn verdict_mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Correct => "✔",
        Verdict::Unclear => "?",
        Verdict::Wrong => "✖",
        Verdict::Problematic => "⚠",
    }
}

pub fn class_name(vocab: &Vocabulary, class: ClassId) -> String {
    vocab
        .class(class)
        .map_or_else(|| format!("#{class}"), |c| c.name().to_owned())
}
