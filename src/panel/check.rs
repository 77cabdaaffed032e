//! `bagel check`: every panel decision of a dataset derived again from the vote log and set
//! beside the stored one. A decision that differs was written by something that did not follow
//! the log (an older bagel deciding outside its write lock, a hand edit); `--repair` stores
//! what the log says.

use super::voting::{events_by_pair, panel_decision};
use crate::error::Result;
use crate::store::Project;
use crate::verdict::{Decision, DecisionKind, VoteEvent};
use crate::vocab::ClassId;
use std::collections::BTreeMap;

/// A pair whose stored panel decision is not the one its votes give.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub image: u32,
    pub label: ClassId,
    pub stored: Option<Decision>,
    pub derived: Option<Decision>,
}

/// The pairs whose stored panel decision differs from the one the log gives; reads only.
pub fn check_decisions(project: &Project, dataset_id: i64) -> Result<Vec<Difference>> {
    Ok(differences(
        &project.vote_events(dataset_id)?,
        project.decisions_of_kind(dataset_id, DecisionKind::Panel)?,
        project.quorum()?,
    ))
}

/// [`check_decisions`], then every difference stored as the log says, in one transaction that
/// holds the write lock from the first read, so no vote lands between reading and repairing.
pub fn repair_decisions(project: &mut Project, dataset_id: i64) -> Result<Vec<Difference>> {
    let quorum = project.quorum()?;
    project.write_log(|log| {
        let found = differences(
            &log.dataset_events(dataset_id)?,
            log.decisions_of_kind(dataset_id, DecisionKind::Panel)?,
            quorum,
        );
        for difference in &found {
            let pair = (difference.image, difference.label);
            match &difference.derived {
                Some(decision) => {
                    log.put_decision(dataset_id, DecisionKind::Panel, decision, None)?
                }
                None => log.remove_decision(dataset_id, DecisionKind::Panel, pair)?,
            }
        }
        Ok(found)
    })
}

/// Compares the decisions a log gives (`events` in the log's order, a pair decided once
/// `quorum` members voted) with the stored ones.
pub fn differences(events: &[VoteEvent], stored: Vec<Decision>, quorum: usize) -> Vec<Difference> {
    let mut stored: BTreeMap<(u32, ClassId), Decision> = (stored.into_iter())
        .map(|d| ((d.image, d.label), d))
        .collect();
    let mut found = Vec::new();
    for ((image, label), pair) in events_by_pair(events) {
        let derived = panel_decision(&pair, quorum);
        let kept = stored.remove(&(image, label));
        if kept != derived {
            found.push(Difference {
                image,
                label,
                stored: kept,
                derived,
            });
        }
    }
    // What is left was decided without a single event in the log.
    found.extend(stored.into_iter().map(|((image, label), kept)| Difference {
        image,
        label,
        stored: Some(kept),
        derived: None,
    }));
    found.sort_by_key(|d| (d.image, d.label));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{Round, Verdict, Vote};

    fn event(reviewer: &str, verdict: Verdict, cast_at: &str) -> VoteEvent {
        VoteEvent {
            reviewer: reviewer.into(),
            round: Round::Independent,
            cast_at: cast_at.into(),
            image: 3,
            label: 281,
            vote: Some(Vote::new(3, 281, verdict)),
        }
    }

    #[test]
    fn a_decision_the_log_does_not_give_is_reported_with_the_right_one() {
        let log = [
            event("ana", Verdict::Correct, "2026-11-24T09:00:00.000Z"),
            event("ben", Verdict::Wrong, "2026-11-24T09:01:00.000Z"),
        ];
        let tie = panel_decision(&log, 1).unwrap();
        assert_eq!(tie.verdict, Verdict::Unclear);
        assert!(differences(&log, vec![tie.clone()], 1).is_empty());
        let wrong = Decision {
            verdict: Verdict::Correct,
            ..tie.clone()
        };
        let found = differences(&log, vec![wrong.clone()], 1);
        assert_eq!(
            found,
            [Difference {
                image: 3,
                label: 281,
                stored: Some(wrong.clone()),
                derived: Some(tie),
            }]
        );
        let orphan = Decision { image: 9, ..wrong };
        let found = differences(&[], vec![orphan.clone()], 1);
        assert_eq!((found[0].image, &found[0].derived), (9, &None));
    }
}
