//! Sharing the work out: each selected pair of the review queue gets `per_pair` reviewers,
//! every reviewer about the same number of pairs, the same seed giving the same plan; and each
//! reviewer's progress on what they were given.

use super::queue::ReviewQueue;
use super::voting::{Ballot, events_by_pair, standing_votes};
use crate::error::{Error, Result};
use crate::metrics::Evaluation;
use crate::store::{EventNames, Project};
use crate::verdict::{self, Assignment, Round, VoteEvent};
use crate::vocab::ClassId;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// What `bagel assign` asks for.
#[derive(Debug, Clone)]
pub struct AssignRequest {
    pub reviewers: Vec<String>,
    pub per_pair: usize,
    /// Only the pairs this model got wrong.
    pub model: Option<String>,
    /// At most this many pairs, the first of the queue.
    pub limit: Option<usize>,
    pub seed: u64,
}

/// Gives each pair `per_pair` distinct reviewers: the pairs in a seeded order, the reviewers
/// taken round-robin, so every reviewer's count differs from another's by at most one.
pub fn plan(pairs: &[(u32, ClassId)], request: &AssignRequest) -> Result<Vec<Assignment>> {
    let reviewers: BTreeSet<&str> = request.reviewers.iter().map(|r| r.trim()).collect();
    if reviewers.contains("") || reviewers.len() != request.reviewers.len() {
        return Err(Error::Usage(
            "--reviewers: give distinct, non-empty names separated by commas".into(),
        ));
    }
    if request.per_pair == 0 || request.per_pair > reviewers.len() {
        return Err(Error::Usage(format!(
            "--per-pair {} must be between 1 and the {} reviewers given",
            request.per_pair,
            reviewers.len()
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(request.seed);
    let mut order: Vec<(u32, ClassId)> = pairs.to_vec();
    order.shuffle(&mut rng);
    let mut names: Vec<&str> = reviewers.into_iter().collect();
    names.shuffle(&mut rng);
    let mut plan: Vec<Assignment> = (order.iter().enumerate())
        .flat_map(|(i, &(image, label))| {
            let names = &names;
            (0..request.per_pair).map(move |j| Assignment {
                image,
                label,
                reviewer: names[(i * request.per_pair + j) % names.len()].to_owned(),
            })
        })
        .collect();
    plan.sort();
    Ok(plan)
}

/// What an assignment did.
#[derive(Debug, Clone, PartialEq)]
pub struct Assigned {
    pub pairs: usize,
    pub assignments: usize,
    /// Assignments new to the log.
    pub added: usize,
    pub per_reviewer: BTreeMap<String, usize>,
}

/// Assigns the dataset's queue pairs (of one model when asked) as `plan` says, in one
/// transaction.
pub fn assign(project: &mut Project, dataset: &str, request: &AssignRequest) -> Result<Assigned> {
    let evaluation = Evaluation::load(project, dataset)?;
    let model = match &request.model {
        Some(name) => Some(model_index(&evaluation, name)?),
        None => None,
    };
    let info = project.dataset(dataset)?;
    let labels = match project.label_source(info.id, crate::data::LabelKind::MultiLabel, None)? {
        Some(source) => Some(project.image_labels(&source, evaluation.truth.len())?),
        None => None,
    };
    let queue = ReviewQueue::build(&evaluation, labels.as_ref());
    let pairs: Vec<(u32, ClassId)> = (queue.items().iter())
        .filter(|item| model.is_none_or(|m| item.models.contains(&m)))
        .map(|item| (item.image, item.label))
        .take(request.limit.unwrap_or(usize::MAX))
        .collect();
    let planned = plan(&pairs, request)?;
    let files = project.images(info.id)?.files;
    let ballot = Ballot {
        dataset: &info,
        files: &files,
    };
    let added = ballot.write_assignments(project, &planned)?;
    let mut per_reviewer = BTreeMap::new();
    for assignment in &planned {
        *per_reviewer.entry(assignment.reviewer.clone()).or_default() += 1;
    }
    Ok(Assigned {
        pairs: pairs.len(),
        assignments: planned.len(),
        added,
        per_reviewer,
    })
}

pub(crate) fn model_index(evaluation: &Evaluation, name: &str) -> Result<u16> {
    let names: Vec<&str> = evaluation.models.iter().map(|(n, _)| n.as_str()).collect();
    match names.iter().position(|n| *n == name) {
        Some(index) => Ok(index as u16),
        None => Err(Error::Usage(format!(
            "--model {name:?}: dataset {:?} has no such model; it has {}",
            evaluation.dataset,
            names.join(", ")
        ))),
    }
}

impl Ballot<'_> {
    /// Writes assignments into the log in one transaction; returns how many were new.
    pub fn write_assignments(
        &self,
        project: &mut Project,
        planned: &[Assignment],
    ) -> Result<usize> {
        let vocab = project.vocab().clone();
        let names = EventNames {
            dataset: &self.dataset.name,
            files: self.files,
            vocab: &vocab,
        };
        let now = verdict::now();
        project.write_log(|log| log.append_assignments(self.dataset.id, &names, planned, &now))
    }
}

/// One reviewer's progress: pairs assigned, voted on of those, left; and standing votes per
/// round over every pair.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ReviewerProgress {
    pub reviewer: String,
    pub assigned: usize,
    pub voted: usize,
    pub left: usize,
    pub independent: usize,
    pub discussion: usize,
}

/// Every reviewer's progress on a dataset (those assigned work and those who voted), by name.
pub fn progress(assignments: &[Assignment], events: &[VoteEvent]) -> Vec<ReviewerProgress> {
    let by_pair = events_by_pair(events);
    let mut voted: BTreeSet<(&str, u32, ClassId)> = BTreeSet::new();
    let mut rows: BTreeMap<&str, ReviewerProgress> = BTreeMap::new();
    for (pair, events) in &by_pair {
        for event in standing_votes(events) {
            let row = rows.entry(event.reviewer.as_str()).or_default();
            match event.round {
                Round::Independent => row.independent += 1,
                Round::Discussion => row.discussion += 1,
                Round::Chair | Round::Crowd => continue,
            }
            voted.insert((event.reviewer.as_str(), pair.0, pair.1));
        }
    }
    for assignment in assignments {
        let row = rows.entry(assignment.reviewer.as_str()).or_default();
        row.assigned += 1;
        let pair = (
            assignment.reviewer.as_str(),
            assignment.image,
            assignment.label,
        );
        if voted.contains(&pair) {
            row.voted += 1;
        }
    }
    (rows.into_iter())
        .map(|(name, row)| ReviewerProgress {
            reviewer: name.to_owned(),
            left: row.assigned - row.voted,
            ..row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(reviewers: &[&str], per_pair: usize, seed: u64) -> AssignRequest {
        AssignRequest {
            reviewers: reviewers.iter().map(|r| r.to_string()).collect(),
            per_pair,
            model: None,
            limit: None,
            seed,
        }
    }

    #[test]
    fn each_pair_gets_k_distinct_reviewers_balanced_and_reproducible() {
        let pairs: Vec<(u32, ClassId)> = (0..10).map(|i| (i, 3)).collect();
        let planned = plan(&pairs, &request(&["ana", "ben", "cem"], 2, 7)).unwrap();
        assert_eq!(planned.len(), 20);
        for &(image, label) in &pairs {
            let given: BTreeSet<&str> = (planned.iter())
                .filter(|a| (a.image, a.label) == (image, label))
                .map(|a| a.reviewer.as_str())
                .collect();
            assert_eq!(given.len(), 2, "two distinct reviewers on image {image}");
        }
        let count = |name: &str| planned.iter().filter(|a| a.reviewer == name).count();
        let counts = [count("ana"), count("ben"), count("cem")];
        assert_eq!(counts.iter().sum::<usize>(), 20);
        assert!(counts.iter().all(|&c| c == 6 || c == 7), "{counts:?}");
        assert_eq!(
            plan(&pairs, &request(&["ana", "ben", "cem"], 2, 7)).unwrap(),
            planned
        );
        assert_ne!(
            plan(&pairs, &request(&["ana", "ben", "cem"], 2, 8)).unwrap(),
            planned
        );
        assert!(plan(&pairs, &request(&["ana", "ben"], 3, 7)).is_err());
        assert!(plan(&pairs, &request(&["ana", "ana"], 1, 7)).is_err());
    }
}
