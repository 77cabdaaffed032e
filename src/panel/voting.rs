//! How the vote log becomes the panel's decisions, and the one place votes are cast or merged.
//! Each cast or merge is one transaction holding the new events and the decisions they change,
//! so the decision on disk always follows the log.

use super::crowd::{CrowdUnion, crowd_log_of, union};
use super::decide;
use super::shared_log::SharedLog;
use crate::error::{Error, Result};
use crate::store::{CrowdLog, DatasetInfo, EventNames, LogTx, Project};
use crate::verdict::{Decision, DecisionKind, DecisionSource, Round, Vote, VoteEvent};
use crate::vocab::ClassId;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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
            source: DecisionSource::Chair(chair.reviewer.clone()),
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

/// The chair's override standing on a pair: the chair round's latest event, when it is not a
/// withdrawal. `events` are the pair's.
pub fn standing_override(events: &[VoteEvent]) -> Option<&VoteEvent> {
    (events.iter())
        .filter(|e| e.round == Round::Chair)
        .max_by(|a, b| a.cast_at.cmp(&b.cast_at))
        .filter(|e| e.vote.is_some())
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
    pub fn cast(&self, project: &mut Project, mut event: VoteEvent) -> Result<Option<Vote>> {
        if event.reviewer.trim().is_empty() {
            return Err(Error::Usage(
                "a vote needs a reviewer name; set yours first".into(),
            ));
        }
        event.reviewer = crate::names::clean_name("reviewer", &event.reviewer)?;
        if event.round == Round::Chair
            && let Some(chair) = project.chair()?.filter(|chair| *chair != event.reviewer)
        {
            return Err(Error::Usage(crate::error::for_terminal(&format!(
                "{} cannot override as chair: the project's chair is {chair} (`bagel config --chair`)",
                event.reviewer
            ))));
        }
        if event.round == Round::Crowd {
            return Err(Error::Usage(
                "crowd answers are merged from rater files (`bagel import votes`), not cast".into(),
            ));
        }
        let vocab = project.vocab().clone();
        let names = self.names(&vocab);
        let quorum = project.quorum()?;
        project.write_log(|log| {
            let mut events = log.pair_events(self.dataset.id, event.image, event.label)?;
            let previous = standing_vote(&events, &event.reviewer, event.round).cloned();
            log.append_events(self.dataset.id, &names, std::slice::from_ref(&event))?;
            events.push(event.clone());
            into_log_order(&mut events, &names);
            let pair = (event.image, event.label);
            redecide(log, self.dataset.id, pair, &events, quorum)?;
            Ok(previous)
        })
    }

    /// The one way events from elsewhere enter a dataset's log (a vote file, another machine's
    /// export, a team server): they are appended and every pair they touch is re-decided from
    /// the log as it stands inside one IMMEDIATE transaction, so what another process wrote
    /// meanwhile (a chair's override, another import) is part of every decision. Crowd-round
    /// events go to the crowd store ([`Ballot::merge_crowd`]). An event identical to the
    /// reviewer's standing vote on its pair adds nothing, so merging a file twice changes
    /// nothing. Each pair costs time linear in its events (after one sort).
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
        self.refuse_implausible_times(&events)?;
        let vocab = project.vocab().clone();
        let names = self.names(&vocab);
        let quorum = project.quorum()?;
        let known_notes = (project.notes(self.dataset.id)?.iter())
            .map(|n| (n.id, n.image, n.label))
            .collect();
        let mut arriving: BTreeMap<(u32, ClassId), Vec<&VoteEvent>> = BTreeMap::new();
        for event in events {
            arriving
                .entry((event.image, event.label))
                .or_default()
                .push(event);
        }
        project.write_log(|log| {
            let mut merged = Merged::default();
            let mut fresh: Vec<VoteEvent> = Vec::new();
            let mut stored = Stored::read(log, self.dataset.id, arriving.len())?;
            for (&(image, label), arrived) in &arriving {
                let mut pair = stored.events(log, (image, label))?;
                let before = fresh.len();
                merged.unchanged += take_new(&pair, arrived, &names, &mut fresh);
                if fresh.len() == before {
                    continue;
                }
                pair.extend_from_slice(&fresh[before..]);
                into_log_order(&mut pair, &names);
                let decided = stored.decision(log, (image, label))?;
                if store_decision(log, self.dataset.id, (image, label), decided, &pair, quorum)? {
                    merged.changed_images.insert(image);
                    merged.changed_pairs.insert((image, label));
                }
            }
            merged.added = log.append_events(self.dataset.id, &names, &fresh)?;
            merged.added += shared.append(log, self.dataset.id, &names, &known_notes)?;
            if !crowd.is_empty() {
                let union = self.crowd_union(log, &crowd)?;
                merged.added += union.added;
                merged.unchanged += union.unchanged;
            }
            Ok(merged)
        })
    }

    /// Whatever brings the events (a file, a server), none may be dated before 2000 or from
    /// the future: such a vote would outrank its reviewer's real ones.
    fn refuse_implausible_times(&self, events: &[&VoteEvent]) -> Result<()> {
        let now = crate::verdict::now();
        for event in events {
            if let Some(problem) = crate::verdict::implausible_vote_time(&event.cast_at, &now) {
                let file = self
                    .files
                    .get(event.image as usize)
                    .map_or("?", String::as_str);
                return Err(Error::Usage(crate::error::for_terminal(&format!(
                    "{}'s vote on {file} / class {}: {problem}; nothing was merged",
                    event.reviewer, event.label
                ))));
            }
        }
        Ok(())
    }

    /// Merges crowd answers (a rater file) into the dataset's crowd store, in one
    /// transaction. They decide nothing until an aggregator runs.
    pub fn merge_crowd(&self, project: &mut Project, incoming: &CrowdLog) -> Result<Merged> {
        project.write_log(|log| {
            let union = self.crowd_union(log, incoming)?;
            Ok(Merged {
                added: union.added,
                unchanged: union.unchanged,
                ..Merged::default()
            })
        })
    }

    fn crowd_union(&self, log: &LogTx, incoming: &CrowdLog) -> Result<CrowdUnion> {
        let known = log.crowd_log(self.dataset.id, None)?;
        let union = union(&known, incoming);
        log.put_crowd_pairs(self.dataset.id, &union.changed)?;
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

/// The log's order for events in memory: by time, then by event id, as the store reads them
/// (`ORDER BY cast_at, event_id`), so two machines holding the same events agree on which
/// one stands.
fn into_log_order(events: &mut [VoteEvent], names: &EventNames) {
    events.sort_by_cached_key(|event| (event.cast_at.clone(), names.event_id(event)));
}

/// Where an event stands in the log's order.
type LogKey<'a> = (&'a str, i64);

/// Copies into `fresh` the arriving events that say something new on one pair; returns how
/// many were the same as their reviewer's standing vote in their round. An event the log holds
/// already is skipped too. `stored` and `arrived` are the pair's.
fn take_new<'a>(
    stored: &'a [VoteEvent],
    arrived: &[&'a VoteEvent],
    names: &EventNames,
    fresh: &mut Vec<VoteEvent>,
) -> usize {
    let mut log = PairLog::default();
    for event in stored {
        log.note(event, names);
    }
    let mut unchanged = 0;
    for &event in arrived {
        let id = names.event_id(event);
        if log.standing(event) == Some(event.vote.as_ref()) {
            unchanged += 1;
        } else if !log.ids.contains(&id) {
            log.note(event, names);
            fresh.push(event.clone());
        }
    }
    unchanged
}

/// One pair's events as a merge needs them: each reviewer's latest event per round, and the
/// ids already there.
#[derive(Default)]
struct PairLog<'a> {
    latest: HashMap<(&'a str, Round), (LogKey<'a>, Option<&'a Vote>)>,
    ids: HashSet<i64>,
}

impl<'a> PairLog<'a> {
    fn note(&mut self, event: &'a VoteEvent, names: &EventNames) {
        let key = (event.cast_at.as_str(), names.event_id(event));
        self.ids.insert(key.1);
        let slot = (self.latest)
            .entry((event.reviewer.as_str(), event.round))
            .or_insert((key, event.vote.as_ref()));
        if key >= slot.0 {
            *slot = (key, event.vote.as_ref());
        }
    }

    /// The standing vote of the event's reviewer in its round (`Some(None)`: withdrawn), None
    /// when they never voted in it.
    fn standing(&self, event: &VoteEvent) -> Option<Option<&'a Vote>> {
        (self.latest)
            .get(&(event.reviewer.as_str(), event.round))
            .map(|&(_, vote)| vote)
    }
}

/// How many arriving pairs make a merge read the dataset's whole log and panel decisions at
/// once rather than pair by pair (a first sync from a team server brings 25,000 pairs).
const WHOLE_LOG_PAIRS: usize = 512;

/// The log's side of a merge: read pair by pair for a few pairs, or read once, whole.
enum Stored {
    ByPair(i64),
    Whole {
        events: BTreeMap<(u32, ClassId), Vec<VoteEvent>>,
        decisions: HashMap<(u32, ClassId), Decision>,
    },
}

impl Stored {
    fn read(log: &LogTx, dataset_id: i64, pairs: usize) -> Result<Stored> {
        if pairs < WHOLE_LOG_PAIRS {
            return Ok(Stored::ByPair(dataset_id));
        }
        let decisions = log.decisions_of_kind(dataset_id, DecisionKind::Panel)?;
        Ok(Stored::Whole {
            events: events_by_pair(&log.dataset_events(dataset_id)?),
            decisions: (decisions.into_iter())
                .map(|d| ((d.image, d.label), d))
                .collect(),
        })
    }

    /// A pair's events in the log's order (each pair is asked for once).
    fn events(&mut self, log: &LogTx, pair: (u32, ClassId)) -> Result<Vec<VoteEvent>> {
        match self {
            Stored::ByPair(dataset_id) => log.pair_events(*dataset_id, pair.0, pair.1),
            Stored::Whole { events, .. } => Ok(events.remove(&pair).unwrap_or_default()),
        }
    }

    /// A pair's stored panel decision.
    fn decision(&mut self, log: &LogTx, pair: (u32, ClassId)) -> Result<Option<Decision>> {
        match self {
            Stored::ByPair(dataset_id) => log.decision(*dataset_id, pair, DecisionKind::Panel),
            Stored::Whole { decisions, .. } => Ok(decisions.remove(&pair)),
        }
    }
}

/// Decides a pair again from its events (in the log's order); returns whether the panel's
/// decision changed.
pub(crate) fn redecide(
    log: &LogTx,
    dataset_id: i64,
    pair: (u32, ClassId),
    events: &[VoteEvent],
    quorum: usize,
) -> Result<bool> {
    let before = log.decision(dataset_id, pair, DecisionKind::Panel)?;
    store_decision(log, dataset_id, pair, before, events, quorum)
}

/// Stores the decision `events` give a pair whose stored one is `before`; returns whether it
/// changed.
fn store_decision(
    log: &LogTx,
    dataset_id: i64,
    pair: (u32, ClassId),
    before: Option<Decision>,
    events: &[VoteEvent],
    quorum: usize,
) -> Result<bool> {
    let after = panel_decision(events, quorum);
    if before == after {
        return Ok(false);
    }
    match &after {
        Some(decision) => log.put_decision(dataset_id, DecisionKind::Panel, decision, None)?,
        None => log.remove_decision(dataset_id, DecisionKind::Panel, pair)?,
    }
    Ok(true)
}
