//! Crowd votes into decisions: a large rater pool (ReaL's 85 raters) answers "is this label
//! valid for the image?" with no / maybe / yes, and an aggregator turns each pair's answers into
//! a decision that names its source and keeps its posterior. A panel decision outranks these.
//!
//! The rule: a pair is `correct` when the posterior that the label is valid is at least the
//! threshold T; `unclear` when it is at least the lower threshold (if one is given) but below
//! T; `wrong` otherwise. For Dawid-Skene the posterior is the EM's; for majority it is the share
//! of the pair's raters who said yes (maybe counts half).

use super::dawid_skene::{Answers, Options, dawid_skene};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::store::{DatasetInfo, Project, put_decision};
use crate::verdict::{Decision, DecisionKind, Round, Verdict, VoteEvent};
use crate::vocab::ClassId;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Majority,
    DawidSkene,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Majority => "majority",
            Method::DawidSkene => "dawid-skene",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AggregateOptions {
    pub method: Method,
    /// Accept a pair's label as correct at or above this posterior.
    pub threshold: f64,
    /// Between this and `threshold` the label is unclear; below it, wrong.
    pub unclear_from: Option<f64>,
    /// Pairs with fewer crowd votes are left undecided.
    pub min_votes: usize,
}

/// What an aggregation decided, for the user.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregated {
    pub pairs: usize,
    pub votes: usize,
    pub raters: usize,
    pub correct: usize,
    pub unclear: usize,
    pub wrong: usize,
    pub too_few_votes: usize,
    /// Dawid-Skene's run: iterations, whether it converged, tolerance and cap.
    pub em: Option<EmRun>,
    /// Images whose aggregate decisions were written or removed.
    pub changed_images: BTreeSet<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmRun {
    pub iterations: usize,
    pub converged: bool,
    pub tolerance: f64,
    pub max_iterations: usize,
    pub log_likelihood: f64,
}

/// Crowd answers as Dawid-Skene reads them: no, maybe, yes.
fn answer_class(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Wrong | Verdict::Problematic => 0,
        Verdict::Unclear => 1,
        Verdict::Correct => 2,
    }
}

/// Aggregates the dataset's standing crowd votes and replaces its aggregate decisions, in one
/// transaction.
pub fn aggregate(
    project: &mut Project,
    dataset: &DatasetInfo,
    options: &AggregateOptions,
    progress: &dyn Progress,
) -> Result<Aggregated> {
    let thresholds_ok = (0.0..=1.0).contains(&options.threshold)
        && options
            .unclear_from
            .is_none_or(|low| (0.0..=options.threshold).contains(&low));
    if !thresholds_ok {
        return Err(Error::Usage(format!(
            "thresholds must lie in [0, 1] with the unclear one below --threshold {}",
            options.threshold
        )));
    }
    progress.begin("reading crowd votes", 3);
    let events = project.vote_events(dataset.id)?;
    let crowd = standing_crowd_votes(&events);
    if crowd.is_empty() {
        return Err(Error::Usage(format!(
            "dataset {:?} has no crowd votes to aggregate; import a rater file first with `bagel import votes {} --dataset {} raters.npz`",
            dataset.name,
            project.path().display(),
            dataset.name
        )));
    }
    progress.advance(1);
    // One question per pair, numbered in pair order; one rater index per crowd reviewer.
    let mut pairs: BTreeMap<(u32, ClassId), Vec<u8>> = BTreeMap::new();
    let mut raters: HashMap<&str, u16> = HashMap::new();
    let (mut question, mut rater, mut answer) = (Vec::new(), Vec::new(), Vec::new());
    for (&(image, label, reviewer), &verdict) in &crowd {
        pairs
            .entry((image, label))
            .or_default()
            .push(answer_class(verdict));
        // `crowd` is sorted by pair, so the current pair is always the last one added.
        question.push((pairs.len() - 1) as u32);
        let next = raters.len() as u16;
        rater.push(*raters.entry(reviewer).or_insert(next));
        answer.push(answer_class(verdict));
    }
    let (posteriors, em) = match options.method {
        Method::Majority => (pairs.values().map(|a| yes_share(a)).collect(), None),
        Method::DawidSkene => {
            let em_options = Options::real();
            let fit = dawid_skene(
                &Answers {
                    questions: pairs.len(),
                    raters: raters.len(),
                    question: &question,
                    rater: &rater,
                    answer: &answer,
                },
                &em_options,
            )?;
            let valid: Vec<f64> = (0..pairs.len()).map(|q| fit.posterior(q)[1]).collect();
            let run = EmRun {
                iterations: fit.iterations,
                converged: fit.converged,
                tolerance: em_options.tolerance,
                max_iterations: em_options.max_iterations,
                log_likelihood: fit.log_likelihood,
            };
            (valid, Some(run))
        }
    };
    progress.advance(1);
    let mut outcome = Aggregated {
        pairs: pairs.len(),
        votes: crowd.len(),
        raters: raters.len(),
        em,
        ..Default::default()
    };
    let before: BTreeSet<u32> = (project.decisions_of_kind(dataset.id, DecisionKind::Aggregate)?)
        .iter()
        .map(|d| d.image)
        .collect();
    project.write(|tx| {
        tx.execute(
            "DELETE FROM decisions WHERE dataset_id = ?1 AND kind = 'aggregate'",
            [dataset.id],
        )?;
        for (((image, label), answers), posterior) in pairs.iter().zip(&posteriors) {
            if answers.len() < options.min_votes {
                outcome.too_few_votes += 1;
                continue;
            }
            let verdict = verdict_of(*posterior, options);
            match verdict {
                Verdict::Correct => outcome.correct += 1,
                Verdict::Unclear => outcome.unclear += 1,
                _ => outcome.wrong += 1,
            }
            let decision = Decision {
                image: *image,
                label: *label,
                verdict,
                category: None,
                severity: None,
                severity_word: None,
                source: options.method.as_str().to_owned(),
                reason: format!("posterior {posterior:.4} from {} votes", answers.len()),
            };
            put_decision(
                tx,
                dataset.id,
                DecisionKind::Aggregate,
                &decision,
                Some(*posterior),
            )?;
            outcome.changed_images.insert(*image);
        }
        Ok(())
    })?;
    outcome.changed_images.extend(before);
    progress.advance(1);
    Ok(outcome)
}

fn verdict_of(posterior: f64, options: &AggregateOptions) -> Verdict {
    if posterior >= options.threshold {
        Verdict::Correct
    } else if options.unclear_from.is_some_and(|low| posterior >= low) {
        Verdict::Unclear
    } else {
        Verdict::Wrong
    }
}

/// The share of yes among the answers, maybe counting half.
fn yes_share(answers: &[u8]) -> f64 {
    let points: f64 = answers.iter().map(|&a| a as f64 / 2.0).sum();
    points / answers.len() as f64
}

/// Each crowd rater's latest standing verdict per pair, keyed (image, label, rater).
fn standing_crowd_votes(events: &[VoteEvent]) -> BTreeMap<(u32, ClassId, &str), Verdict> {
    let mut standing = BTreeMap::new();
    // Oldest first: a later event replaces or withdraws an earlier one.
    for event in events.iter().filter(|e| e.round == Round::Crowd) {
        let key = (event.image, event.label, event.reviewer.as_str());
        match &event.vote {
            Some(vote) => standing.insert(key, vote.verdict),
            None => standing.remove(&key),
        };
    }
    standing
}
