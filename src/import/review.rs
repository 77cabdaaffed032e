//! Reviews of a model's mistakes made elsewhere, in the layout of google-research's
//! imagenet-mistakes: `{file: {"top_prediction": class index, "failure category": text,
//! "failure severity": text}}`. Each entry is a decided wrong pair (the file, the model's top
//! prediction) with its category and severity.
//!
//! The source spells its categories inconsistently; every spelling it uses maps onto the four
//! categories here, and the first spelling of each is the one written back.

use crate::error::{Error, Result};
use crate::verdict::{Category, ReviewRecord, Severity};
use crate::vocab::ClassId;
use std::path::Path;

/// The keys of one entry, spelled as in the source (with spaces).
pub(crate) const TOP_PREDICTION: &str = "top_prediction";
pub(crate) const CATEGORY: &str = "failure category";
pub(crate) const SEVERITY: &str = "failure severity";

/// Every category spelling of the imagenet-mistakes files; the first of each category is the
/// one written back.
const CATEGORY_SPELLINGS: &[(&str, Category)] = &[
    ("Fine-grained error", Category::FineGrained),
    (
        "Fine-grained with Multilabel Options",
        Category::FineGrained,
    ),
    (
        "Fine-grained error with OOV",
        Category::FineGrainedOutOfVocabulary,
    ),
    (
        "Fine-grained with OOV",
        Category::FineGrainedOutOfVocabulary,
    ),
    ("Spurious Correlation", Category::Spurious),
    ("Non-prototypical", Category::NonPrototypical),
];

/// Severity spellings, with the word kept when it is not the severity's own.
const SEVERITY_SPELLINGS: &[(&str, Severity, Option<&str>)] = &[
    ("Major", Severity::Major, None),
    ("Minor", Severity::Minor, None),
    ("Borderline", Severity::Minor, Some("borderline")),
];

/// How a category is written in the imagenet-mistakes layout.
pub(crate) fn category_spelling(category: Category) -> &'static str {
    CATEGORY_SPELLINGS
        .iter()
        .find(|(_, c)| *c == category)
        .map(|(spelling, _)| *spelling)
        .unwrap()
}

/// How a severity is written in the imagenet-mistakes layout: the source's word when it is
/// one of its spellings ("borderline"), else the severity's own.
pub(crate) fn severity_spelling(severity: Severity, word: Option<&str>) -> &'static str {
    let spelled = |word: Option<&str>| {
        SEVERITY_SPELLINGS
            .iter()
            .find(|(_, s, w)| *s == severity && *w == word)
            .map(|(spelling, _, _)| *spelling)
    };
    spelled(word).or_else(|| spelled(None)).unwrap()
}

/// Reads every entry, sorted by file. `classes` is the vocabulary's size.
pub fn read_review(path: &Path, classes: usize) -> Result<Vec<ReviewRecord>> {
    let text = super::read_text(path)?;
    let value = super::json::parse(path, &text)?;
    let Some(entries) = value.as_object() else {
        return Err(Error::bad_input(
            path,
            format!(
                "the JSON holds {}, not a review; expected a JSON object {{file: {{\"{TOP_PREDICTION}\": class index, \"{CATEGORY}\": text, \"{SEVERITY}\": text}}}}",
                super::json::kind(&value)
            ),
        ));
    };
    entries
        .iter()
        .map(|(file, entry)| read_entry(path, file, entry, classes))
        .collect()
}

fn read_entry(
    path: &Path,
    file: &str,
    entry: &serde_json::Value,
    classes: usize,
) -> Result<ReviewRecord> {
    let bad = |problem: String| Error::bad_input(path, format!("entry {file:?}: {problem}"));
    let field = |key: &str| {
        entry.get(key).ok_or_else(|| {
            bad(format!(
                "has no {key:?}; expected it beside the other two keys"
            ))
        })
    };
    let prediction = field(TOP_PREDICTION)?;
    let top_prediction = prediction
        .as_u64()
        .filter(|&c| (c as usize) < classes)
        .ok_or_else(|| {
            bad(format!(
                "{TOP_PREDICTION} is {prediction}; expected a class index 0..{}",
                classes - 1
            ))
        })? as ClassId;
    let text = |key: &str| {
        let value = field(key)?;
        value
            .as_str()
            .map(str::trim)
            .ok_or_else(|| bad(format!("{key:?} is {value}; expected text")))
    };
    let category_text = text(CATEGORY)?;
    let category = CATEGORY_SPELLINGS
        .iter()
        .find(|(spelling, _)| spelling.eq_ignore_ascii_case(category_text))
        .map(|(_, category)| *category)
        .ok_or_else(|| {
            bad(format!(
                "{CATEGORY:?} is {category_text:?}; expected one of {}",
                accepted(CATEGORY_SPELLINGS.iter().map(|(s, _)| *s))
            ))
        })?;
    let severity_text = text(SEVERITY)?;
    let (severity, severity_word) = SEVERITY_SPELLINGS
        .iter()
        .find(|(spelling, _, _)| spelling.eq_ignore_ascii_case(severity_text))
        .map(|(_, severity, word)| (*severity, word.map(str::to_owned)))
        .ok_or_else(|| {
            bad(format!(
                "{SEVERITY:?} is {severity_text:?}; expected one of {}",
                accepted(SEVERITY_SPELLINGS.iter().map(|(s, _, _)| *s))
            ))
        })?;
    Ok(ReviewRecord {
        file: file.to_owned(),
        top_prediction,
        category,
        severity,
        severity_word,
    })
}

fn accepted<'a>(spellings: impl Iterator<Item = &'a str>) -> String {
    spellings
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Imports a review of `model`'s mistakes on a dataset: each entry becomes a decided wrong pair
/// (image, top prediction) with its category and severity, and the model's review is kept for
/// its mistake shares; the model is created if the project does not know it. One transaction.
pub fn import_review(
    project: &mut crate::store::Project,
    dataset: &str,
    model: &str,
    path: &Path,
) -> Result<super::ImportReport> {
    use crate::verdict::{Decision, DecisionKind, Verdict};
    let model = &super::check_name("model", model)?;
    let info = project.dataset(dataset)?;
    let files = project.images(info.id)?.files;
    let records = read_review(path, project.vocab().len())?;
    let index = super::FileIndex::new(files.iter().map(String::as_str));
    let located: Vec<Option<u32>> = records.iter().map(|r| index.find(&r.file)).collect();
    let unknown: Vec<&str> = (records.iter().zip(&located))
        .filter(|(_, image)| image.is_none())
        .map(|(record, _)| record.file.as_str())
        .collect();
    if let Some(example) = unknown.first() {
        return Err(Error::bad_input(
            path,
            format!(
                "{} reviewed files are not in dataset {dataset:?} (e.g. {example:?}); import its images first or pick the right --dataset",
                unknown.len()
            ),
        ));
    }
    let mistakes: Vec<(u32, &ReviewRecord)> =
        (located.iter().flatten().copied()).zip(&records).collect();
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    project.write_log(|log| {
        log.put_model_review(model, info.id, &source, &mistakes)?;
        for (image, record) in &mistakes {
            let decision = Decision {
                image: *image,
                label: record.top_prediction,
                verdict: Verdict::Wrong,
                category: Some(record.category),
                severity: Some(record.severity),
                severity_word: record.severity_word.clone(),
                source: crate::verdict::DecisionSource::Named(source.clone()),
                reason: format!("review of {model}"),
            };
            log.put_decision(info.id, DecisionKind::Review, &decision, None)?;
        }
        Ok(())
    })?;
    Ok(super::ImportReport {
        summary: format!(
            "review of model {model:?} on dataset {dataset:?}: {} decided mistakes from {source}",
            mistakes.len()
        ),
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Vec<ReviewRecord>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vit3b_mistakes.json");
        std::fs::write(&path, json).unwrap();
        read_review(&path, 1000)
    }

    fn entry(file: &str, prediction: &str, category: &str, severity: &str) -> String {
        format!(
            r#""{file}": {{"top_prediction": {prediction}, "failure category": "{category}", "failure severity": "{severity}"}}"#
        )
    }

    #[test]
    fn every_spelling_of_the_source_maps_onto_the_four_categories() {
        let spellings = [
            ("Fine-grained error", Category::FineGrained),
            (
                "Fine-grained with Multilabel Options",
                Category::FineGrained,
            ),
            (
                "Fine-grained error with OOV",
                Category::FineGrainedOutOfVocabulary,
            ),
            (
                "Fine-grained with OOV",
                Category::FineGrainedOutOfVocabulary,
            ),
            ("Spurious Correlation", Category::Spurious),
            ("Non-prototypical", Category::NonPrototypical),
        ];
        let entries: Vec<String> = spellings
            .iter()
            .enumerate()
            .map(|(i, (spelling, _))| entry(&format!("f{i}"), "7", spelling, "Major"))
            .collect();
        let records = read(&format!("{{{}}}", entries.join(", "))).unwrap();
        let categories: Vec<Category> = records.iter().map(|r| r.category).collect();
        assert_eq!(categories, spellings.map(|(_, c)| c));
    }

    #[test]
    fn borderline_counts_as_minor_and_keeps_its_word() {
        let json = format!(
            "{{{}, {}, {}}}",
            entry("a.JPEG", "192", "Fine-grained error", "Borderline"),
            entry("b.JPEG", "3", "Spurious Correlation", "Major"),
            entry("c.JPEG", "999", "Non-prototypical", "Minor"),
        );
        let records = read(&json).unwrap();
        assert_eq!(
            records[0],
            ReviewRecord {
                file: "a.JPEG".into(),
                top_prediction: 192,
                category: Category::FineGrained,
                severity: Severity::Minor,
                severity_word: Some("borderline".into()),
            }
        );
        assert_eq!(
            (records[1].severity, &records[1].severity_word),
            (Severity::Major, &None)
        );
        assert_eq!(
            (records[2].severity, records[2].top_prediction),
            (Severity::Minor, 999)
        );
    }

    #[test]
    fn an_unknown_spelling_lists_the_accepted_ones() {
        let error = read(&format!(
            "{{{}}}",
            entry("a.JPEG", "1", "Fine grained", "Major")
        ))
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("vit3b_mistakes.json")
                && error.contains("entry \"a.JPEG\": \"failure category\" is \"Fine grained\"")
                && error.contains("\"Fine-grained with Multilabel Options\"")
                && error.contains("\"Non-prototypical\""),
            "{error}"
        );
        let error = read(&format!(
            "{{{}}}",
            entry("a.JPEG", "1", "Non-prototypical", "Huge")
        ))
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("\"failure severity\" is \"Huge\"") && error.contains("\"Borderline\""),
            "{error}"
        );
    }

    #[test]
    fn a_bad_prediction_or_a_missing_key_is_named() {
        let error = read(&format!(
            "{{{}}}",
            entry("a.JPEG", "1000", "Non-prototypical", "Major")
        ))
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("entry \"a.JPEG\": top_prediction is 1000"),
            "{error}"
        );
        let error =
            read(r#"{"a.JPEG": {"top_prediction": 1, "failure category": "Non-prototypical"}}"#)
                .unwrap_err()
                .to_string();
        assert!(error.contains("has no \"failure severity\""), "{error}");
        let error = read("[1, 2]").unwrap_err().to_string();
        assert!(error.contains("expected a JSON object"), "{error}");
    }
}
