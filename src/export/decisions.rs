//! The standing decisions as a CSV for others to read: one row per decided (image, label) pair,
//! the strongest kind's decision (panel over imported review over aggregation), sorted by
//! image then label.

use crate::durable::write_atomically;
use crate::error::Result;
use crate::store::Project;
use crate::verdict::{Category, DecisionKind, Severity};
use std::collections::HashMap;
use std::path::Path;

/// `label` is the wnid; `severity_word` the source's own word where it differs from the stored
/// severity ("borderline"); `source` who decided ("panel", "chair NAME", "dawid-skene", or a
/// review file); `kind` panel, review or aggregate.
pub const DECISION_COLUMNS: [&str; 9] = [
    "file",
    "label",
    "verdict",
    "category",
    "severity",
    "severity_word",
    "source",
    "reason",
    "kind",
];

/// Writes every standing decision of the dataset; returns how many.
pub fn export_decisions(project: &Project, dataset: &str, out: &Path) -> Result<usize> {
    let info = project.dataset(dataset)?;
    let files = project.images(info.id)?.files;
    // Weakest kind first, so a stronger kind overwrites the pair's entry.
    let mut kinds = HashMap::new();
    for kind in [
        DecisionKind::Aggregate,
        DecisionKind::Review,
        DecisionKind::Panel,
    ] {
        for decision in project.decisions_of_kind(info.id, kind)? {
            kinds.insert((decision.image, decision.label), kind);
        }
    }
    let decisions = project.decisions(info.id)?;
    let named: Vec<&str> = decisions
        .iter()
        .map(|d| super::file_of(project, &files, d.image, "the decisions table"))
        .collect::<Result<_>>()?;
    let vocab = project.vocab();
    write_atomically(out, |sink| {
        let mut writer = csv::Writer::from_writer(sink);
        writer.write_record(DECISION_COLUMNS)?;
        for (decision, file) in decisions.iter().zip(&named) {
            let kind = kinds
                .get(&(decision.image, decision.label))
                .map_or("", |kind| kind.as_str());
            let source = decision.source.to_string();
            writer.write_record([
                *file,
                vocab.class(decision.label).map_or("", |c| c.wnid.as_str()),
                decision.verdict.as_str(),
                decision.category.map_or("", Category::as_str),
                decision.severity.map_or("", Severity::as_str),
                decision.severity_word.as_deref().unwrap_or(""),
                source.as_str(),
                decision.reason.as_str(),
                kind,
            ])?;
        }
        writer.flush()
    })?;
    Ok(decisions.len())
}
