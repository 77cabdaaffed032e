//! The discussion round: every pair whose independent votes disagree, on the verdict or, among
//! wrong votes, on the category or the severity (the second pass needs those too), with the
//! reviewers' notes as threads under each pair.

use super::voting::{Ballot, events_by_pair, standing_votes};
use crate::error::{Error, Result};
use crate::store::{EventNames, Project};
use crate::verdict::{Note, Round, Verdict, Vote, VoteEvent};
use crate::vocab::ClassId;
use std::collections::BTreeSet;

/// What the independent votes on a pair disagree on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Disagreement {
    pub verdict: bool,
    /// Among the wrong votes that give one.
    pub category: bool,
    /// Among the wrong votes that give one.
    pub severity: bool,
}

impl Disagreement {
    pub fn any(&self) -> bool {
        self.verdict || self.category || self.severity
    }

    /// "verdict", "category · severity": the marks the lists show.
    pub fn describe(&self) -> String {
        let parts = [
            (self.verdict, "verdict"),
            (self.category, "category"),
            (self.severity, "severity"),
        ];
        let named: Vec<&str> = (parts.iter()).filter(|(on, _)| *on).map(|p| p.1).collect();
        named.join(" · ")
    }
}

/// What the standing independent votes on a pair disagree on (`events` are the pair's).
pub fn disagreement(events: &[VoteEvent]) -> Disagreement {
    let standing = standing_votes(events);
    let votes: Vec<&Vote> = (standing.iter())
        .filter(|e| e.round == Round::Independent)
        .filter_map(|e| e.vote.as_ref())
        .collect();
    let wrong = votes.iter().filter(|v| v.verdict == Verdict::Wrong);
    let distinct = |given: BTreeSet<usize>| given.len() > 1;
    Disagreement {
        verdict: votes.iter().any(|v| v.verdict != votes[0].verdict),
        category: distinct(
            (wrong.clone())
                .filter_map(|v| v.category)
                .map(|c| c as usize)
                .collect(),
        ),
        severity: distinct(
            wrong
                .filter_map(|v| v.severity)
                .map(|s| s as usize)
                .collect(),
        ),
    }
}

/// A pair of the discussion round: what its votes disagree on and its standing votes.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscussionPair {
    pub pair: (u32, ClassId),
    pub on: Disagreement,
    pub votes: Vec<VoteEvent>,
}

/// The discussion round's list, in pair order.
pub fn discussion_pairs(events: &[VoteEvent]) -> Vec<DiscussionPair> {
    (events_by_pair(events).into_iter())
        .filter_map(|(pair, events)| {
            let on = disagreement(&events);
            on.any().then(|| DiscussionPair {
                pair,
                on,
                votes: standing_votes(&events).into_iter().cloned().collect(),
            })
        })
        .collect()
}

/// A pair's notes as a thread: each note with its depth, replies under what they answer,
/// oldest first at each level. A reply whose parent is unknown here stands at the top.
pub fn thread(notes: &[Note]) -> Vec<(usize, &Note)> {
    let ids: BTreeSet<i64> = notes.iter().map(|n| n.id).collect();
    let mut ordered = Vec::with_capacity(notes.len());
    let roots = notes
        .iter()
        .filter(|n| n.reply_to.is_none_or(|parent| !ids.contains(&parent)));
    for root in roots {
        push_with_replies(notes, root, 0, &mut ordered);
    }
    ordered
}

fn push_with_replies<'a>(
    notes: &'a [Note],
    note: &'a Note,
    depth: usize,
    out: &mut Vec<(usize, &'a Note)>,
) {
    out.push((depth, note));
    for reply in notes.iter().filter(|n| n.reply_to == Some(note.id)) {
        push_with_replies(notes, reply, depth + 1, out);
    }
}

impl Ballot<'_> {
    /// Writes notes into the log in one transaction (one written here, or a merge from another
    /// machine); a reply must answer a note on the same pair, here or among `notes`. Returns
    /// the notes with their ids and how many were new.
    pub fn write_notes(&self, project: &mut Project, notes: &[Note]) -> Result<(Vec<Note>, usize)> {
        let vocab = project.vocab().clone();
        let names = EventNames {
            dataset: &self.dataset.name,
            files: self.files,
            vocab: &vocab,
        };
        let mut known: BTreeSet<(i64, u32, ClassId)> = (project.notes(self.dataset.id)?)
            .iter()
            .map(|n| (n.id, n.image, n.label))
            .collect();
        for note in notes {
            if note.reviewer.trim().is_empty() {
                return Err(Error::Usage("a note needs a reviewer name".into()));
            }
            if let Some(parent) = note.reply_to
                && !known.contains(&(parent, note.image, note.label))
            {
                let elsewhere = known.iter().any(|&(id, _, _)| id == parent);
                let problem = match elsewhere {
                    true => "is a note on another pair; reply on the pair it is about",
                    false => {
                        "is no note of this dataset; `bagel discussion` lists the notes with their ids"
                    }
                };
                return Err(Error::Usage(format!(
                    "the note to reply to, {}, {problem}",
                    Note::tag(parent)
                )));
            }
            known.insert((names.note_id(note), note.image, note.label));
        }
        project.write_log(|log| log.append_notes(self.dataset.id, &names, notes))
    }
}
