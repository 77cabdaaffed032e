//! Hugging Face `pipeline("image-classification")` output: per image a list of
//! `{"label", "score"}`, best first, labels as the model's `id2label` writes them (ImageNet
//! class names, or `LABEL_n`). Saved as a list in the dataset's order, as an object keyed by
//! file name, or as records (a JSON list or JSON lines) with a file name beside the list.

use super::class_names::ClassNames;
use super::table::{Content, ReadOptions, Table};
use crate::error::{Error, Result};
use serde_json::Value;
use std::path::Path;

const NAME_KEYS: &[&str] = &[
    "filename",
    "file",
    "image",
    "path",
    "file_name",
    "image_path",
];

fn is_label_list(value: &Value) -> bool {
    let first = value.as_array().and_then(|items| items.first());
    first
        .and_then(Value::as_object)
        .is_some_and(|o| o.contains_key("label") && o.contains_key("score"))
}

/// The predictions of a record: its one value that is a list of {label, score}.
fn record_labels(record: &Value) -> Option<&Value> {
    record.as_object()?.values().find(|v| is_label_list(v))
}

fn first_image(value: &Value) -> Option<&Value> {
    match value {
        Value::Array(items) => items.first(),
        Value::Object(by_name) => by_name.values().next(),
        _ => None,
    }
}

pub fn is_pipeline_output(value: &Value) -> bool {
    first_image(value).is_some_and(|first| is_label_list(first) || record_labels(first).is_some())
}

/// Each image's (name when given, where it is in the file, its label list).
fn images<'a>(
    file: &Path,
    value: &'a Value,
    options: &ReadOptions,
) -> Result<Vec<(Option<String>, String, &'a Value)>> {
    let name_key = options.filename_col.as_deref();
    let named = |record: &'a Value, at: String| {
        let object = record.as_object();
        let name = object.and_then(|o| {
            let mut keys = name_key.into_iter().chain(NAME_KEYS.iter().copied());
            keys.find_map(|key| o.get(key)?.as_str())
        });
        match (name, record_labels(record)) {
            (Some(name), Some(labels)) => Ok((Some(name.to_owned()), at, labels)),
            _ => Err(Error::bad_input(
                file,
                format!(
                    "{at}: expected a file name ({}) and a list of {{\"label\", \"score\"}}",
                    NAME_KEYS.join(" / ")
                ),
            )),
        }
    };
    match value {
        Value::Object(by_name) => Ok(by_name
            .iter()
            .map(|(name, labels)| (Some(name.clone()), format!("image {name:?}"), labels))
            .collect()),
        Value::Array(items) if items.first().is_some_and(is_label_list) => Ok(items
            .iter()
            .enumerate()
            .map(|(at, labels)| (None, format!("image {at}"), labels))
            .collect()),
        Value::Array(items) => (items.iter().enumerate())
            .map(|(at, record)| named(record, format!("record {at}")))
            .collect(),
        _ => Err(Error::bad_input(
            file,
            "expected Hugging Face pipeline output",
        )),
    }
}

/// One image's ranked class ids and scores.
fn ranked(
    at: &str,
    labels: &Value,
    classes: &ClassNames,
) -> std::result::Result<(Vec<i64>, Vec<f32>), String> {
    let items = labels
        .as_array()
        .ok_or_else(|| format!("{at}: not a list of {{\"label\", \"score\"}}"))?;
    let mut ids = Vec::with_capacity(items.len());
    let mut scores = Vec::with_capacity(items.len());
    for (rank, item) in items.iter().enumerate() {
        let label = item.get("label").and_then(Value::as_str);
        let score = item.get("score").and_then(Value::as_f64);
        let (Some(label), Some(score)) = (label, score) else {
            return Err(format!(
                "{at}, rank {rank}: expected {{\"label\": text, \"score\": number}}"
            ));
        };
        let id = classes
            .find(label)
            .map_err(|why| format!("{at}, rank {rank}: {}", why.explain(label)))?;
        ids.push(i64::from(id));
        scores.push(score as f32);
    }
    Ok((ids, scores))
}

pub fn read(
    file: &Path,
    value: &Value,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<Table> {
    let images = images(file, value, options)?;
    let bad = |why: String| Error::bad_input(file, why);
    let (mut names, mut ids, mut probs) = (Vec::new(), Vec::new(), Vec::new());
    let mut k = None;
    for (name, at, labels) in images {
        let (row_ids, row_scores) = ranked(&at, labels, classes).map_err(bad)?;
        match k {
            None => k = Some(row_ids.len()),
            Some(k) if k != row_ids.len() => {
                return Err(bad(format!(
                    "{at}: {} labels where the first image has {k}; every image needs the same top_k",
                    row_ids.len()
                )));
            }
            Some(_) => {}
        }
        names.extend(name);
        ids.extend(row_ids);
        probs.extend(row_scores);
    }
    let k = k
        .filter(|&k| k > 0)
        .ok_or_else(|| bad("no predictions".into()))?;
    let rows = ids.len() / k;
    let names = (names.len() == rows).then_some(names);
    let probs = Some(probs);
    Ok(Table::new(names, Content::Ranked { k, ids, probs }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocabulary;

    fn read_text(text: &str) -> Result<Table> {
        let value: Value = serde_json::from_str(text).unwrap();
        assert!(is_pipeline_output(&value), "{text}");
        let classes = ClassNames::new(&Vocabulary::imagenet1k());
        read(
            Path::new("hf.json"),
            &value,
            &ReadOptions::default(),
            &classes,
        )
    }

    #[test]
    fn every_layout_of_pipeline_output_reads_the_same() {
        let by_name = r#"{"a.jpg": [{"label": "tabby, tabby cat", "score": 0.75}, {"label": "LABEL_282", "score": 0.25}]}"#;
        let records = r#"[{"file": "a.jpg", "predictions": [{"label": "tabby, tabby cat", "score": 0.75}, {"label": "tiger cat", "score": 0.25}]}]"#;
        let expected = Table::new(
            Some(vec!["a.jpg".into()]),
            Content::Ranked {
                k: 2,
                ids: vec![281, 282],
                probs: Some(vec![0.75, 0.25]),
            },
        );
        assert_eq!(read_text(by_name).unwrap(), expected);
        assert_eq!(read_text(records).unwrap(), expected);
        let in_order = r#"[[{"label": "tabby, tabby cat", "score": 0.75}, {"label": "tiger cat", "score": 0.25}]]"#;
        assert_eq!(
            read_text(in_order).unwrap(),
            Table {
                names: None,
                ..expected
            }
        );
    }

    #[test]
    fn an_unknown_or_ambiguous_label_names_the_image_and_rank() {
        let crane = r#"{"a.jpg": [{"label": "crane", "score": 0.9}]}"#;
        let err = read_text(crane).unwrap_err().to_string();
        assert!(
            err.contains("image \"a.jpg\", rank 0") && err.contains("517 crane"),
            "{err}"
        );
    }
}
