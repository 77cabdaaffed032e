//! Label Studio's export of the tasks `bagel export label-studio` wrote, as votes: each
//! annotation is one reviewer's vote on the task's (image, label) pair, the reviewer named by
//! the annotator (`completed_by`'s email, or `label-studio-user-N` where only the id is given),
//! cast when it was last updated. Both the full JSON export (`annotations` with `result`s) and
//! JSON-MIN (one flat record per annotation) are read; cancelled (skipped) annotations are not
//! votes.

use super::vote_row::{RowCells, parse_row};
use super::{FileIndex, read_text};
use crate::error::{Error, Result};
use crate::verdict::VoteEvent;
use crate::vocab::Vocabulary;
use serde_json::Value;
use std::path::Path;

/// The names of the labeling config's controls (`bagel export label-studio` writes the config).
pub const VERDICT: &str = "verdict";
pub const CATEGORY: &str = "category";
pub const SEVERITY: &str = "severity";

/// A JSON list: vote CSVs start with their header.
pub fn is_export(file: &Path) -> bool {
    let mut head = [0u8; 64];
    let read = std::fs::File::open(file).and_then(|mut f| std::io::Read::read(&mut f, &mut head));
    read.is_ok_and(|n| head[..n].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'['))
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

fn reviewer(annotator: Option<&Value>) -> std::result::Result<String, String> {
    match annotator {
        Some(Value::String(email)) => Ok(email.clone()),
        Some(Value::Number(id)) => Ok(format!("label-studio-user-{id}")),
        Some(Value::Object(user)) => match user.get("email").and_then(Value::as_str) {
            Some(email) if !email.is_empty() => Ok(email.to_owned()),
            _ => reviewer(user.get("id")),
        },
        _ => {
            Err("no annotator (completed_by); export the project from Label Studio as JSON".into())
        }
    }
}

/// The choice an annotation made in one control ("" when none).
fn choice<'a>(results: &'a [Value], control: &str) -> &'a str {
    let chosen = results.iter().find(|r| text(r, "from_name") == control);
    let choices = chosen.and_then(|r| r.get("value")?.get("choices")?.as_array());
    choices.and_then(|c| c.first()?.as_str()).unwrap_or("")
}

/// One vote: the task's pair, the annotator, the choices and the time.
struct Annotation<'a> {
    task: &'a Value,
    annotator: Option<&'a Value>,
    verdict: &'a str,
    category: &'a str,
    severity: &'a str,
    cast_at: &'a str,
}

/// The annotations of one task (full export) or the one of a JSON-MIN record.
fn annotations(task: &Value) -> Vec<Annotation<'_>> {
    let data = task.get("data").unwrap_or(task);
    let Some(list) = task.get("annotations").and_then(Value::as_array) else {
        let time = match text(task, "updated_at") {
            "" => text(task, "created_at"),
            time => time,
        };
        return vec![Annotation {
            task: data,
            annotator: task.get("annotator"),
            verdict: text(task, VERDICT),
            category: text(task, CATEGORY),
            severity: text(task, SEVERITY),
            cast_at: time,
        }];
    };
    (list.iter())
        .filter(|a| a.get("was_cancelled").and_then(Value::as_bool) != Some(true))
        .map(|annotation| {
            let results = annotation.get("result").and_then(Value::as_array);
            let results = results.map(Vec::as_slice).unwrap_or_default();
            Annotation {
                task: data,
                annotator: annotation.get("completed_by"),
                verdict: choice(results, VERDICT),
                category: choice(results, CATEGORY),
                severity: choice(results, SEVERITY),
                cast_at: match text(annotation, "updated_at") {
                    "" => text(annotation, "created_at"),
                    time => time,
                },
            }
        })
        .collect()
}

pub fn read(file: &Path, files: &[String], vocab: &Vocabulary) -> Result<Vec<VoteEvent>> {
    let tasks = super::json::parse(file, &read_text(file)?)?;
    let tasks = tasks.as_array().map(Vec::as_slice).unwrap_or_default();
    let index = FileIndex::new(files.iter().map(String::as_str));
    let mut events = Vec::new();
    for (at, task) in tasks.iter().enumerate() {
        for annotation in annotations(task) {
            let problem = |why: String| Error::bad_input(file, format!("task {at}: {why}"));
            let reviewer = reviewer(annotation.annotator).map_err(problem)?;
            let row = RowCells {
                reviewer: &reviewer,
                image: text(annotation.task, "file"),
                label: text(annotation.task, "label"),
                verdict: annotation.verdict,
                category: annotation.category,
                severity: annotation.severity,
                note: "",
                round: "",
                cast_at: annotation.cast_at,
            };
            events.push(parse_row(&row, &index, vocab, &crate::verdict::now()).map_err(problem)?);
        }
    }
    Ok(events)
}
