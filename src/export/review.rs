//! Reviews of a model's mistakes written for others, in the imagenet-mistakes layout that
//! [`crate::import::review`] reads: `{file: {"top_prediction", "failure category", "failure
//! severity"}}`.

use crate::error::{Error, Result};
use crate::import::review::{
    CATEGORY, ReviewRecord, SEVERITY, TOP_PREDICTION, category_spelling, severity_spelling,
};
use serde_json::Value;
use std::path::Path;

/// Writes the records as one JSON object keyed by file, sorted, one entry per line with its
/// keys in the source's order. The file appears whole or not at all: it is written beside
/// the target and renamed.
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
    let partial = out.with_extension("partial");
    std::fs::write(&partial, text).map_err(|e| Error::io(&partial, e))?;
    std::fs::rename(&partial, out).map_err(|e| Error::io(out, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::review::read_review;
    use crate::panel::{Category, Severity};

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
