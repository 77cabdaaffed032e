//! How the vote log becomes the panel's decisions, and the one place votes are cast or merged.
//! Each cast or merge is one transaction holding the new events and the decisions they change,
//! so the decision on disk always follows the log.

use super::chair::standing_override;
use super::crowd::{CrowdUnion, crowd_log_of, union};
use super::decide;
use super::shared_log::SharedLog;
use crate::error::{Error, Result};
use crate::store::{CrowdLog, put_crowd_pairs, read_crowd_log};
use crate::store::{DatasetInfo, EventNames, Project, append_events, pair_events};
use crate::store::{decision_of_kind, put_decision, remove_decision};
use crate::verdict::{Decision, DecisionKind, Round, Vote, VoteEvent};
use crate::vocab::ClassId;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// The log's standing votes: each reviewer's latest event per round, withdrawals dropped.
/// `events` are one pair's, oldest first.
pub fn standing_votes(events: &[VoteEvent]) -> Vec<&VoteEvent> {
    let mut latest: BTreeMap<(&str, Round), &VoteEvent> = BTreeMap::new();
    for event in events {
        latest.insert((event.reviewer.as_str(), event.round), event);
    }
    latest
        .into_values()
        .filter(|event| event.vote.is_some())
        .collect()
}

/// The panel's decision on one pair: the chair's override if the chair round's latest event
/// is one (a withdrawal there brings the panel's decision back), else the votes of the panel
/// once `quorum` members have voted (each reviewer's discussion vote supersedes their
/// independent one; crowd votes are for aggregators). None while the pair is pending.
pub fn panel_decision(events: &[VoteEvent], quorum: usize) -> Option<Decision> {
    let chair = standing_override(events);
    if let Some((chair, Some(vote))) = chair.map(|e| (e, &e.vote)) {
        return Some(Decision {
            image: vote.image,
            label: vote.label,
            verdict: vote.verdict,
            category: vote.category,
            severity: vote.severity,
            severity_word: None,
            source: format!("chair {}", chair.reviewer),
            reason: vote.note.clone(),
        });
    }
    let votes = panel_votes(&standing_votes(events));
    if votes.len() < quorum.max(1) {
        return None;
    }
    decide(&votes)
}

/// How many panel members have voted on a pair that waits for its quorum: Some(voted) when
/// at least one has and fewer than `quorum` have, and no chair's override stands.
pub fn pending_votes(events: &[VoteEvent], quorum: usize) -> Option<usize> {
    let voted = panel_votes(&standing_votes(events)).len();
    let overridden = standing_override(events).is_some();
    (voted > 0 && voted < quorum && !overridden).then_some(voted)
}

/// Each panel member's vote that counts on a pair, from its standing events: the discussion
/// vote where there is one, else the independent one (chair and crowd votes are not the
/// panel's).
pub fn panel_votes<'a>(standing: &[&'a VoteEvent]) -> Vec<&'a Vote> {
    let mut by_reviewer: BTreeMap<&str, &VoteEvent> = BTreeMap::new();
    for event in standing.iter().filter(|e| e.round <= Round::Discussion) {
        let kept = by_reviewer.entry(&event.reviewer).or_insert(event);
        if event.round > kept.round {
            *kept = event;
        }
    }
    by_reviewer
        .values()
        .filter_map(|e| e.vote.as_ref())
        .collect()
}

/// The pairs of a dataset's log with their events, oldest first.
pub fn events_by_pair(events: &[VoteEvent]) -> BTreeMap<(u32, ClassId), Vec<VoteEvent>> {
    let mut pairs: BTreeMap<(u32, ClassId), Vec<VoteEvent>> = BTreeMap::new();
    for event in events {
        pairs
            .entry((event.image, event.label))
            .or_default()
            .push(event.clone());
    }
    pairs
}

/// The chair's override of the panel on one pair: an event of the chair round whose note is
/// the reason, so the reason stays with the decision. Refused without a reason, and with a
/// category or severity on any verdict but wrong.
pub fn chair_override(
    reviewer: &str,
    vote: Vote,
    reason: &str,
    cast_at: String,
) -> Result<VoteEvent> {
    if vote.verdict != crate::verdict::Verdict::Wrong
        && (vote.category.is_some() || vote.severity.is_some())
    {
        return Err(Error::Usage(
            "only a wrong verdict takes a category and a severity".into(),
        ));
    }
    if reason.trim().is_empty() {
        return Err(Error::Usage(
            "a chair's override needs a reason the panel can read later".into(),
        ));
    }
    Ok(VoteEvent {
        reviewer: reviewer.trim().to_owned(),
        round: Round::Chair,
        cast_at,
        image: vote.image,
        label: vote.label,
        vote: Some(Vote {
            note: reason.trim().to_owned(),
            ..vote
        }),
    })
}

/// A reviewer's standing vote on a pair in a round, from the pair's events.
pub fn standing_vote<'a>(
    events: &'a [VoteEvent],
    reviewer: &str,
    round: Round,
) -> Option<&'a Vote> {
    let latest = (events.iter())
        .filter(|e| e.reviewer == reviewer && e.round == round)
        .max_by(|a, b| a.cast_at.cmp(&b.cast_at))?;
    latest.vote.as_ref()
}

/// Where a dataset's votes are written: the project, the dataset and the names that give its
/// events their identity.
pub struct Ballot<'a> {
    pub dataset: &'a DatasetInfo,
    pub files: &'a [String],
}

/// What a merge of events did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Merged {
    /// Events new to the log (the rest were there already).
    pub added: usize,
    /// Events that were the same as the reviewer's standing vote, so changed nothing.
    pub unchanged: usize,
    /// Images whose panel decision changed: what the live metrics must take in.
    pub changed_images: BTreeSet<u32>,
    /// The pairs whose panel decision changed (what `bagel sync` lists).
    pub changed_pairs: BTreeSet<(u32, ClassId)>,
}

impl Ballot<'_> {
    /// Casts one event (a vote, a withdrawal or a chair's override) and re-decides its pair,
    /// in one transaction. Returns the vote it replaced, which is what undo restores.
    pub fn cast(&self, project: &mut Project, event: VoteEvent) -> Result<Option<Vote>> {
        if event.reviewer.trim().is_empty() {
            return Err(Error::Usage(
                "a vote needs a reviewer name; set yours first".into(),
            ));
        }
        if event.round == Round::Crowd {
            return Err(Error::Usage(
                "crowd answers are merged from rater files (`bagel import votes`), not cast".into(),
            ));
        }
        let vocab = project.vocab().clone();
        let names = self.names(&vocab);
        let quorum = project.quorum()?;
        project.write(|tx| {
            let before = pair_events(tx, self.dataset.id, event.image, event.label)?;
            let previous = standing_vote(&before, &event.reviewer, event.round).cloned();
            append_events(tx, self.dataset.id, &names, std::slice::from_ref(&event))?;
            let mut after = before;
            after.push(event.clone());
            let pair = (event.image, event.label);
            redecide(tx, self.dataset.id, pair, &after, quorum)?;
            Ok(previous)
        })
    }

    /// Merges events from elsewhere (another machine's export) into the log and re-decides
    /// every pair they touch, in one transaction; crowd-round events go to the crowd store
    /// ([`Ballot::merge_crowd`]). An event identical to the reviewer's standing vote on its
    /// pair adds nothing, so merging a file twice changes nothing.
    pub fn merge(&self, project: &mut Project, events: &[VoteEvent]) -> Result<Merged> {
        self.merge_with(project, events, &SharedLog::default())
    }

    /// [`Ballot::merge`], with the notes and assignments that came in the same file, in the
    /// same transaction.
    pub fn merge_with(
        &self,
        project: &mut Project,
        events: &[VoteEvent],
        shared: &SharedLog,
    ) -> Result<Merged> {
        let (crowd, events): (Vec<&VoteEvent>, Vec<&VoteEvent>) =
            events.iter().partition(|e| e.round == Round::Crowd);
        let crowd = crowd_log_of(&crowd)?;
        let vocab = project.vocab().clone();
        let names = self.names(&vocab);
        let path = project.path().to_path_buf();
        let quorum = project.quorum()?;
        let mut known: HashMap<(u32, ClassId), Vec<VoteEvent>> = HashMap::new();
        for event in project.vote_events(self.dataset.id)? {
            known
                .entry((event.image, event.label))
                .or_default()
                .push(event);
        }
        let known_notes = (project.notes(self.dataset.id)?.iter())
            .map(|n| (n.id, n.image, n.label))
            .collect();
        let mut merged = Merged::default();
        let mut fresh: Vec<VoteEvent> = Vec::new();
        let mut touched: BTreeSet<(u32, ClassId)> = BTreeSet::new();
        for event in events {
            let pair = known.entry((event.image, event.label)).or_default();
            let voted = pair
                .iter()
                .any(|k| k.reviewer == event.reviewer && k.round == event.round);
            if voted && standing_vote(pair, &event.reviewer, event.round) == event.vote.as_ref() {
                merged.unchanged += 1;
                continue;
            }
            pair.push((*event).clone());
            pair.sort_by(|a, b| a.cast_at.cmp(&b.cast_at));
            fresh.push((*event).clone());
            touched.insert((event.image, event.label));
        }
        project.write(|tx| {
            merged.added = append_events(tx, self.dataset.id, &names, &fresh)?;
            merged.added += shared.append(tx, self.dataset.id, &names, &known_notes)?;
            for &(image, label) in &touched {
                let events = &known[&(image, label)];
                if redecide(tx, self.dataset.id, (image, label), events, quorum)? {
                    merged.changed_images.insert(image);
                    merged.changed_pairs.insert((image, label));
                }
            }
            if !crowd.is_empty() {
                let union = self.crowd_union(tx, &path, &crowd)?;
                merged.added += union.added;
                merged.unchanged += union.unchanged;
            }
            Ok(())
        })?;
        Ok(merged)
    }

    /// Merges crowd answers (a rater file) into the dataset's crowd store, in one
    /// transaction. They decide nothing until an aggregator runs.
    pub fn merge_crowd(&self, project: &mut Project, incoming: &CrowdLog) -> Result<Merged> {
        let path = project.path().to_path_buf();
        project.write(|tx| {
            let union = self.crowd_union(tx, &path, incoming)?;
            Ok(Merged {
                added: union.added,
                unchanged: union.unchanged,
                ..Merged::default()
            })
        })
    }

    fn crowd_union(&self, tx: &Connection, path: &Path, incoming: &CrowdLog) -> Result<CrowdUnion> {
        let known = read_crowd_log(tx, path, self.dataset.id, None)?;
        let union = union(&known, incoming);
        put_crowd_pairs(tx, self.dataset.id, &union.changed)?;
        Ok(union)
    }

    fn names<'v>(&'v self, vocab: &'v crate::vocab::Vocabulary) -> EventNames<'v> {
        EventNames {
            dataset: &self.dataset.name,
            files: self.files,
            vocab,
        }
    }
}

/// Decides a pair again from its events (oldest first); returns whether the panel's decision
/// changed.
pub(crate) fn redecide(
    conn: &Connection,
    dataset_id: i64,
    (image, label): (u32, ClassId),
    events: &[VoteEvent],
    quorum: usize,
) -> Result<bool> {
    let before = decision_of_kind(conn, dataset_id, image, label, DecisionKind::Panel)?;
    let after = panel_decision(events, quorum);
    if before == after {
        return Ok(false);
    }
    match &after {
        Some(decision) => put_decision(conn, dataset_id, DecisionKind::Panel, decision, None)?,
        None => remove_decision(conn, dataset_id, DecisionKind::Panel, image, label)?,
    }
    Ok(true)
}
