//! How crowd answers from elsewhere (a rater file, another machine's vote export) join the
//! dataset's crowd store (`store::crowd`). The merge is a union, as for the panel's votes: an
//! answer already there, or one that says what its rater already stands by, adds nothing, so
//! the same file merged twice changes nothing; any other answer is added in time order (the
//! newer stands, the older stays in the pair's history). Crowd answers decide nothing by
//! themselves: an aggregator (`aggregate`) turns them into decisions.

use crate::error::{Error, Result};
use crate::store::{CrowdAnswer, CrowdLog};
use crate::verdict::{VoteEvent, time_millis};
use std::collections::HashMap;

/// What a union of crowd answers came to.
#[derive(Debug, Clone, PartialEq)]
pub struct CrowdUnion {
    /// The pairs that gained answers, each with its whole history, for the store to replace.
    pub changed: CrowdLog,
    pub added: usize,
    pub unchanged: usize,
}

/// Merges `incoming` into `known` (the store's log of the same dataset).
pub fn union(known: &CrowdLog, incoming: &CrowdLog) -> CrowdUnion {
    let mut raters = known.raters.clone();
    let mut index: HashMap<&str, u32> = (known.raters.iter().enumerate())
        .map(|(i, name)| (name.as_str(), i as u32))
        .collect();
    let remap: Vec<u32> = (incoming.raters.iter())
        .map(|name| {
            *index.entry(name).or_insert_with(|| {
                raters.push(name.clone());
                raters.len() as u32 - 1
            })
        })
        .collect();
    let mut union = CrowdUnion {
        changed: CrowdLog::new(raters),
        added: 0,
        unchanged: 0,
    };
    let mut events: Vec<CrowdAnswer> = Vec::new();
    for (i, &pair) in incoming.pairs().iter().enumerate() {
        events.clear();
        if let Some(k) = known.find(pair) {
            events.extend_from_slice(known.answers(k));
        }
        let before = union.added;
        for answer in incoming.answers(i) {
            let answer = CrowdAnswer {
                rater: remap[answer.rater as usize],
                ..*answer
            };
            if adds_nothing(&events, &answer) {
                union.unchanged += 1;
                continue;
            }
            // After the events of the same time, so the later-read answer stands.
            let at = events.partition_point(|e| e.cast_at <= answer.cast_at);
            events.insert(at, answer);
            union.added += 1;
        }
        if union.added > before {
            union.changed.push_pair(pair, events.iter().copied());
        }
    }
    union
}

/// Whether the answer is already among the pair's events, or its rater's latest one says the
/// same.
fn adds_nothing(events: &[CrowdAnswer], answer: &CrowdAnswer) -> bool {
    events.contains(answer)
        || (events.iter().rev())
            .find(|e| e.rater == answer.rater)
            .is_some_and(|latest| latest.verdict == answer.verdict)
}

/// Crowd-round events read from a vote file, as a crowd log. The vote file's reader refuses
/// crowd rows with a category, severity or note, which the crowd store does not keep.
pub fn crowd_log_of(events: &[&VoteEvent]) -> Result<CrowdLog> {
    let mut sorted = events.to_vec();
    // Stable: each pair's events keep the file's order.
    sorted.sort_by_key(|e| (e.image, e.label));
    let mut log = CrowdLog::default();
    let mut raters: HashMap<&str, u32> = HashMap::new();
    for event in sorted {
        let rater = *raters.entry(&event.reviewer).or_insert_with(|| {
            log.raters.push(event.reviewer.clone());
            log.raters.len() as u32 - 1
        });
        let cast_at = time_millis(&event.cast_at).ok_or_else(|| {
            Error::Usage(format!(
                "{}'s crowd answer on image {} has the time {:?}; expected RFC 3339",
                event.reviewer, event.image, event.cast_at
            ))
        })?;
        let answer = CrowdAnswer {
            rater,
            verdict: event.vote.as_ref().map(|v| v.verdict),
            cast_at,
        };
        log.push((event.image, event.label), answer);
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Verdict::{self, Correct, Unclear, Wrong};

    /// A pair and its answers: (rater, verdict, time).
    type Pair<'a> = ((u32, u16), &'a [(u32, Verdict, i64)]);

    fn log(raters: &[&str], pairs: &[Pair]) -> CrowdLog {
        let mut log = CrowdLog::new(raters.iter().map(|r| r.to_string()).collect());
        for &(pair, answers) in pairs {
            let answers = answers
                .iter()
                .map(|&(rater, verdict, cast_at)| CrowdAnswer {
                    rater,
                    verdict: Some(verdict),
                    cast_at,
                });
            log.push_pair(pair, answers);
        }
        log
    }

    #[test]
    fn the_same_answers_twice_add_nothing() {
        let file = log(
            &["r1", "r2"],
            &[
                ((0, 3), &[(0, Correct, 10), (1, Wrong, 10)]),
                ((2, 3), &[(1, Unclear, 10)]),
            ],
        );
        let first = union(&CrowdLog::default(), &file);
        assert_eq!((first.added, first.unchanged), (3, 0));
        assert_eq!(first.changed.pairs(), [(0, 3), (2, 3)]);
        // Merged again, read again at a later time: every rater already stands by its answer.
        let later = log(
            &["r2", "r1"],
            &[
                ((0, 3), &[(1, Correct, 99), (0, Wrong, 99)]),
                ((2, 3), &[(0, Unclear, 10)]),
            ],
        );
        let again = union(&first.changed, &later);
        assert_eq!((again.added, again.unchanged), (0, 3));
        assert!(again.changed.is_empty());
    }

    #[test]
    fn a_changed_answer_is_added_in_time_order_and_the_newer_stands() {
        let known = log(&["r1"], &[((0, 3), &[(0, Correct, 20)])]);
        // r1 said wrong earlier (history), unclear later (stands); r9 is new.
        let incoming = log(
            &["r9", "r1"],
            &[((0, 3), &[(1, Unclear, 30), (1, Wrong, 10), (0, Wrong, 10)])],
        );
        let merged = union(&known, &incoming);
        assert_eq!((merged.added, merged.unchanged), (3, 0));
        assert_eq!(merged.changed.raters, ["r1", "r9"]);
        let at = |rater, verdict, cast_at| CrowdAnswer {
            rater,
            verdict: Some(verdict),
            cast_at,
        };
        assert_eq!(
            merged.changed.answers(0),
            [
                at(0, Wrong, 10),
                at(1, Wrong, 10),
                at(0, Correct, 20),
                at(0, Unclear, 30)
            ]
        );
        let mut standing = Vec::new();
        merged.changed.standing_into(0, &mut standing);
        assert_eq!(standing, [at(0, Unclear, 30), at(1, Wrong, 10)]);
    }
}
