//! One row of a panel's vote file, whatever file it came in (a vote CSV, a Label Studio
//! export): its cells checked and turned into a vote event, or why not, in words for the row.

use super::FileIndex;
use crate::verdict::{self, Category, Round, Severity, Verdict, Vote, VoteEvent};
use crate::vocab::{ClassId, Vocabulary};

/// The verdict of a chair's withdrawn override, so the withdrawal travels to other machines.
pub const WITHDRAWN: &str = "withdrawn";

pub(super) fn parse_cast_at(text: &str, now: &str) -> std::result::Result<String, String> {
    let time = match text {
        "" => now.to_owned(),
        text => verdict::parse_time(text).ok_or_else(|| {
            format!("cast_at {text:?} is not a time; expected RFC 3339, e.g. 2026-11-24T09:30:00Z")
        })?,
    };
    match verdict::implausible_vote_time(&time, now) {
        Some(problem) => Err(problem),
        None => Ok(time),
    }
}

/// The (image, label) a row names, and a usable reviewer name.
pub(super) fn parse_pair(
    reviewer: &str,
    image: &str,
    label: &str,
    index: &FileIndex,
    vocab: &Vocabulary,
) -> std::result::Result<(u32, ClassId), String> {
    if let Some(problem) = crate::names::name_problem("reviewer", reviewer) {
        return Err(problem);
    }
    let image = index.find(image).ok_or_else(|| {
        format!(
            "image {image:?} is not in the dataset; import its images first or pick the right --dataset"
        )
    })?;
    let label = vocab.parse_label(label).ok_or_else(|| {
        format!(
            "label {label:?} is neither a class index (0-{}) nor a wnid of the vocabulary",
            vocab.len() - 1
        )
    })?;
    Ok((image, label))
}

pub(super) struct RowCells<'a> {
    pub reviewer: &'a str,
    pub image: &'a str,
    pub label: &'a str,
    pub verdict: &'a str,
    pub category: &'a str,
    pub severity: &'a str,
    pub note: &'a str,
    pub round: &'a str,
    pub cast_at: &'a str,
}

pub(super) fn parse_row(
    row: &RowCells,
    index: &FileIndex,
    vocab: &Vocabulary,
    now: &str,
) -> std::result::Result<VoteEvent, String> {
    let reviewer = crate::names::clean_name("reviewer", row.reviewer).map_err(|e| e.to_string())?;
    let (image, label) = parse_pair(row.reviewer, row.image, row.label, index, vocab)?;
    if row.verdict == WITHDRAWN {
        return parse_withdrawal(row, (image, label), now);
    }
    let verdict = Verdict::parse(row.verdict).ok_or_else(|| {
        format!(
            "verdict {:?} is not one of {}",
            row.verdict,
            names(Verdict::ALL, |v| v.as_str())
        )
    })?;
    let category = optional(row.category, Category::parse, || {
        format!(
            "category {:?} is not one of {}",
            row.category,
            names(Category::ALL, |c| c.as_str())
        )
    })?;
    let severity = optional(row.severity, Severity::parse, || {
        format!(
            "severity {:?} is not one of {}",
            row.severity,
            names(Severity::ALL, |s| s.as_str())
        )
    })?;
    if verdict != Verdict::Wrong && (category.is_some() || severity.is_some()) {
        return Err(format!(
            "a {} vote has a category or severity; only wrong votes have them: clear those cells or make the verdict wrong",
            verdict.as_str()
        ));
    }
    let round = optional(row.round, Round::parse, || {
        format!(
            "round {:?} is not one of {}",
            row.round,
            names(Round::ALL, |r| r.as_str())
        )
    })?
    .unwrap_or(Round::Independent);
    if round == Round::Crowd && (category.is_some() || severity.is_some() || !row.note.is_empty()) {
        return Err(
            "a crowd answer carries a verdict only (the crowd store keeps no category, severity or note): clear those cells or give the row a panel round".into(),
        );
    }
    let cast_at = parse_cast_at(row.cast_at, now)?;
    Ok(VoteEvent {
        reviewer,
        round,
        cast_at,
        image,
        label,
        vote: Some(Vote {
            category,
            severity,
            note: row.note.to_owned(),
            ..Vote::new(image, label, verdict)
        }),
    })
}

/// A row withdrawing the chair's override: round chair, nothing but the time.
fn parse_withdrawal(
    row: &RowCells,
    (image, label): (u32, ClassId),
    now: &str,
) -> std::result::Result<VoteEvent, String> {
    if row.round != Round::Chair.as_str() {
        return Err(format!(
            "verdict {WITHDRAWN:?} is for the chair round (an override taken back), not round {:?}",
            row.round
        ));
    }
    if !(row.category.is_empty() && row.severity.is_empty() && row.note.is_empty()) {
        return Err("a withdrawal carries no category, severity or note: clear those cells".into());
    }
    Ok(VoteEvent {
        reviewer: row.reviewer.to_owned(),
        round: Round::Chair,
        cast_at: parse_cast_at(row.cast_at, now)?,
        image,
        label,
        vote: None,
    })
}

fn optional<T>(
    text: &str,
    parse: fn(&str) -> Option<T>,
    problem: impl Fn() -> String,
) -> std::result::Result<Option<T>, String> {
    match text {
        "" => Ok(None),
        text => parse(text).map(Some).ok_or_else(problem),
    }
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> String {
    all.iter().map(|&t| name(t)).collect::<Vec<_>>().join(", ")
}
