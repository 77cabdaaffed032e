//! Reviews of a model's mistakes written for others, in the imagenet-mistakes layout that
//! [`crate::import::review`] reads: `{file: {"top_prediction", "failure category", "failure
//! severity"}}`.

use crate::error::{Error, Result};
use crate::import::review::{
    CATEGORY, SEVERITY, TOP_PREDICTION, category_spelling, severity_spelling,
};
use crate::verdict::ReviewRecord;
use serde_json::Value;
use std::path::Path;

/// Writes the records as one JSON object keyed by file, sorted, one entry per line with its
/// keys in the source's order. The file appears whole or not at all (`write_atomically`).
pub fn write_review(out: &Path, records: &[ReviewRecord]) -> Result<()> {
    let mut sorted: Vec<&ReviewRecord> = records.iter().collect();
    sorted.sort_by(|a, b| a.file.cmp(&b.file));
    let quoted = |text: &str| Value::from(text).to_string();
    let lines: Vec<String> = sorted
        .iter()
        .map(|record| {
            let severity = severity_spelling(record.severity, record.severity_word.as_deref());
            format!(
                "  {}: {{{}: {}, {}: {}, {}: {}}}",
                quoted(&record.file),
                quoted(TOP_PREDICTION),
                record.top_prediction,
                quoted(CATEGORY),
                quoted(category_spelling(record.category)),
                quoted(SEVERITY),
                quoted(severity)
            )
        })
        .collect();
    let text = format!("{{\n{}\n}}\n", lines.join(",\n"));
    crate::durable::write_atomically(out, |sink| sink.write_all(text.as_bytes()))
}

/// A reviewed model's decided top-1 mistakes that have a category and severity, as review
/// records: from its predictions against the standing decisions, or from its imported review
/// when the project holds no predictions of it. A model the panel did not review (no imported
/// review, not named with `--reviewed-models`) is refused. Returns the records and how many decided mistakes were
/// left out for lacking a category or severity.
pub fn review_records(
    project: &crate::store::Project,
    dataset: &str,
    model: &str,
) -> Result<(Vec<ReviewRecord>, usize)> {
    use crate::verdict::Verdict;
    let info = project.dataset(dataset)?;
    let typed = crate::names::as_typed(model);
    let model = typed.as_str();
    let Some(found) = (project.models(info.id)?.into_iter()).find(|m| m.name == model) else {
        let imported = project.model_review(info.id, model)?;
        if imported.is_empty() {
            return Err(Error::Usage(format!(
                "dataset {dataset:?} has neither predictions nor a review of model {model:?}"
            )));
        }
        return Ok((imported.into_iter().map(|m| m.record).collect(), 0));
    };
    let reviewed = [
        project.reviewed_models(info.id)?,
        project.named_reviewed_models(info.id)?,
    ];
    if !reviewed.iter().flatten().any(|name| name == model) {
        return Err(Error::Usage(format!(
            "model {model:?} is not a reviewed model of dataset {dataset:?}: the panel's decisions on its top-1 predictions are not a review of it unless the panel reviewed it; name the reviewed models with `bagel config {} --dataset {dataset} --reviewed-models a,b`",
            project.path().display()
        )));
    }
    let predictions = project.predictions(found.id, info.id, false)?;
    let files = project.images(info.id)?.files;
    let mut skipped = 0;
    let mut records = Vec::new();
    for decision in project.decisions(info.id)? {
        let image = decision.image as usize;
        let mistake = decision.verdict == Verdict::Wrong
            && image < predictions.num_images()
            && predictions.top1(image) == decision.label;
        if !mistake {
            continue;
        }
        match (decision.category, decision.severity) {
            (Some(category), Some(severity)) => records.push(ReviewRecord {
                file: files[image].clone(),
                top_prediction: decision.label,
                category,
                severity,
                severity_word: decision.severity_word,
            }),
            _ => skipped += 1,
        }
    }
    Ok((records, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::review::read_review;
    use crate::verdict::{Category, Severity};

    fn record(file: &str, prediction: u16, category: Category, severity: Severity) -> ReviewRecord {
        ReviewRecord {
            file: file.into(),
            top_prediction: prediction,
            category,
            severity,
            severity_word: None,
        }
    }

    #[test]
    fn records_round_trip_through_the_file() {
        let records = vec![
            record(
                "ILSVRC2012_val_00000612.JPEG",
                192,
                Category::FineGrained,
                Severity::Minor,
            ),
            ReviewRecord {
                severity_word: Some("borderline".into()),
                ..record(
                    "ILSVRC2012_val_00001409.JPEG",
                    843,
                    Category::Spurious,
                    Severity::Minor,
                )
            },
            record(
                "ILSVRC2012_val_00001529.JPEG",
                0,
                Category::FineGrainedOutOfVocabulary,
                Severity::Major,
            ),
            record(
                "ILSVRC2012_val_00002000.JPEG",
                999,
                Category::NonPrototypical,
                Severity::Major,
            ),
        ];
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("review.json");
        let mut shuffled = records.clone();
        shuffled.reverse();
        write_review(&out, &shuffled).unwrap();
        assert_eq!(read_review(&out, 1000).unwrap(), records);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with(
            "{\n  \"ILSVRC2012_val_00000612.JPEG\": {\"top_prediction\": 192, \"failure category\": \"Fine-grained error\", \"failure severity\": \"Minor\"},\n"
        ), "{text}");
        assert!(text.contains(
            "\"failure category\": \"Spurious Correlation\", \"failure severity\": \"Borderline\""
        ));
        assert!(!dir.path().join("review.partial").exists());
    }

    #[test]
    fn no_records_is_an_empty_object() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("review.json");
        write_review(&out, &[]).unwrap();
        assert_eq!(read_review(&out, 1000).unwrap(), []);
    }
}
