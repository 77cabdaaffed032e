//! The panel's and the crowd's standing votes as a CSV another machine merges with `bagel import votes`:
//! each reviewer's latest vote per pair and round, in a fixed order so the same log always
//! writes the same bytes.

use crate::durable::write_atomically;
use crate::error::{Error, Result};
use crate::import::{ASSIGNMENT_ROUND, NOTE_ROUND, VOTE_COLUMNS, WITHDRAWN};
use crate::store::Project;
use crate::verdict::{Assignment, Category, Note, Round, Severity, VoteEvent, VoteFileRows};
use crate::vocab::{ClassId, Vocabulary};
use std::collections::BTreeMap;
use std::path::Path;

/// Writes the dataset's standing votes (of one reviewer when given), then its notes and
/// assignments; returns how many rows of each kind.
pub fn export_votes(
    project: &Project,
    dataset: &str,
    reviewer: Option<&str>,
    out: &Path,
) -> Result<VoteFileRows> {
    let info = project.dataset(dataset)?;
    let files = project.images(info.id)?.files;
    let standing = standing_events(project, info.id, reviewer)?;
    // A chair's withdrawn override is written too, so the withdrawal reaches other machines.
    let votes: Vec<&VoteEvent> = (standing.values())
        .filter(|e| e.vote.is_some() || e.round == Round::Chair)
        .collect();
    check_images(project, dataset, &votes, files.len())?;
    let vocab = project.vocab();
    let chosen = |name: &str| reviewer.is_none_or(|r| r == name);
    let notes: Vec<Note> = (project.notes(info.id)?.into_iter())
        .filter(|n| chosen(&n.reviewer))
        .collect();
    let assignments = project.assignment_rows(info.id)?;
    let assignments: Vec<_> = (assignments.iter())
        .filter(|(a, _)| chosen(&a.reviewer))
        .collect();
    let places = Places {
        files: &files,
        vocab,
    };
    write_atomically(out, |sink| {
        let mut writer = csv::Writer::from_writer(sink);
        writer.write_record(VOTE_COLUMNS)?;
        for event in &votes {
            writer.write_record(places.vote_row(event))?;
        }
        for note in &notes {
            writer.write_record(places.note_row(note))?;
        }
        for (assignment, at) in &assignments {
            writer.write_record(places.assignment_row(assignment, at))?;
        }
        writer.flush()
    })?;
    let withdrawals = votes.iter().filter(|e| e.vote.is_none()).count();
    Ok(VoteFileRows {
        votes: votes.len() - withdrawals,
        withdrawals,
        notes: notes.len(),
        assignments: assignments.len(),
    })
}

/// A vote file's rows in [`VOTE_COLUMNS`] order, with images and classes named as on every
/// machine: the file name and the wnid.
struct Places<'a> {
    files: &'a [String],
    vocab: &'a Vocabulary,
}

impl Places<'_> {
    fn file(&self, image: u32) -> &str {
        self.files.get(image as usize).map_or("", String::as_str)
    }

    fn wnid(&self, label: ClassId) -> &str {
        self.vocab.class(label).map_or("", |c| c.wnid.as_str())
    }

    fn vote_row<'e>(&'e self, event: &'e VoteEvent) -> [&'e str; 10] {
        let vote = event.vote.as_ref();
        [
            event.reviewer.as_str(),
            self.file(event.image),
            self.wnid(event.label),
            vote.map_or(WITHDRAWN, |v| v.verdict.as_str()),
            vote.and_then(|v| v.category).map_or("", Category::as_str),
            vote.and_then(|v| v.severity).map_or("", Severity::as_str),
            vote.map_or("", |v| v.note.as_str()),
            event.round.as_str(),
            event.cast_at.as_str(),
            "",
        ]
    }

    fn note_row(&self, note: &Note) -> [String; 10] {
        [
            note.reviewer.clone(),
            self.file(note.image).to_owned(),
            self.wnid(note.label).to_owned(),
            String::new(),
            String::new(),
            String::new(),
            note.text.clone(),
            NOTE_ROUND.to_owned(),
            note.written_at.clone(),
            note.reply_to.map(Note::tag).unwrap_or_default(),
        ]
    }

    fn assignment_row<'e>(&'e self, assignment: &'e Assignment, at: &'e str) -> [&'e str; 10] {
        [
            assignment.reviewer.as_str(),
            self.file(assignment.image),
            self.wnid(assignment.label),
            "",
            "",
            "",
            "",
            ASSIGNMENT_ROUND,
            at,
            "",
        ]
    }
}

/// Each reviewer's standing event per (image, label, reviewer, round): the panel's log oldest
/// first, so the last event of a key is the standing one; then the crowd's standing answers.
fn standing_events(
    project: &Project,
    dataset_id: i64,
    reviewer: Option<&str>,
) -> Result<BTreeMap<(u32, u16, String, Round), VoteEvent>> {
    let mut standing: BTreeMap<(u32, u16, String, Round), VoteEvent> = BTreeMap::new();
    let crowd = project.crowd_log(dataset_id)?;
    let mut answers = Vec::new();
    let crowd_standing = (0..crowd.len()).flat_map(|pair| {
        crowd.standing_into(pair, &mut answers);
        let events: Vec<VoteEvent> = answers.iter().map(|a| crowd.event(pair, a)).collect();
        events
    });
    for event in project
        .vote_events(dataset_id)?
        .into_iter()
        .chain(crowd_standing)
    {
        if reviewer.is_some_and(|name| name != event.reviewer) {
            continue;
        }
        let key = (
            event.image,
            event.label,
            event.reviewer.clone(),
            event.round,
        );
        standing.insert(key, event);
    }
    Ok(standing)
}

/// A vote naming an image past the dataset's end means the project was changed outside bagel.
fn check_images(
    project: &Project,
    dataset: &str,
    votes: &[&VoteEvent],
    images: usize,
) -> Result<()> {
    if let Some(event) = votes.iter().find(|e| e.image as usize >= images) {
        return Err(Error::Damaged {
            path: project.path().to_path_buf(),
            what: format!("a vote of {} on dataset {dataset:?}", event.reviewer),
            problem: format!(
                "it names image {}, but the dataset has {} images",
                event.image, images
            ),
            fix: "restore a backup of the project, or ask its sender for a clean copy".into(),
        });
    }
    Ok(())
}
