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
use crate::store::{CrowdLog, DatasetInfo, Project};
use crate::verdict::{Decision, DecisionKind, Verdict};
use crate::vocab::ClassId;
use std::collections::BTreeSet;

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
    check_thresholds(options)?;
    progress.begin("reading crowd votes", 3);
    let pool = CrowdPool::of(&project.crowd_log(dataset.id)?)?;
    if pool.pairs.is_empty() {
        return Err(Error::Usage(format!(
            "dataset {:?} has no crowd votes to aggregate; import a rater file first with `bagel import votes {} --dataset {} raters.npz`",
            dataset.name,
            project.path().display(),
            dataset.name
        )));
    }
    progress.advance(1);
    let (posteriors, em) = match options.method {
        Method::Majority => (
            (0..pool.pairs.len())
                .map(|q| yes_share(pool.answers_of(q)))
                .collect(),
            None,
        ),
        Method::DawidSkene => {
            let (posteriors, run) = dawid_skene_posteriors(&pool)?;
            (posteriors, Some(run))
        }
    };
    progress.advance(1);
    let mut outcome = Aggregated {
        pairs: pool.pairs.len(),
        votes: pool.answer.len(),
        raters: pool.raters,
        em,
        ..Default::default()
    };
    let before = project.decided_images(dataset.id, DecisionKind::Aggregate)?;
    let mut decisions = Vec::with_capacity(pool.pairs.len());
    for (q, (&(image, label), &posterior)) in pool.pairs.iter().zip(&posteriors).enumerate() {
        let votes = pool.answers_of(q).len();
        if votes < options.min_votes {
            outcome.too_few_votes += 1;
            continue;
        }
        let verdict = verdict_of(posterior, options);
        match verdict {
            Verdict::Correct => outcome.correct += 1,
            Verdict::Unclear => outcome.unclear += 1,
            _ => outcome.wrong += 1,
        }
        let source = crate::verdict::DecisionSource::Named(options.method.as_str().to_owned());
        let decision = Decision {
            reason: format!("posterior {posterior:.4} from {votes} votes"),
            ..Decision::new(image, label, verdict, source)
        };
        decisions.push((decision, Some(posterior)));
        outcome.changed_images.insert(image);
    }
    project.write_log(|log| {
        log.replace_decisions_of_kind(dataset.id, DecisionKind::Aggregate, &decisions)
    })?;
    outcome.changed_images.extend(before);
    progress.advance(1);
    Ok(outcome)
}

fn check_thresholds(options: &AggregateOptions) -> Result<()> {
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
    Ok(())
}

fn dawid_skene_posteriors(pool: &CrowdPool) -> Result<(Vec<f64>, EmRun)> {
    let options = Options::real();
    let fit = dawid_skene(&pool.answers(), &options)?;
    let valid = (0..pool.pairs.len()).map(|q| fit.posterior(q)[1]).collect();
    let run = EmRun {
        iterations: fit.iterations,
        converged: fit.converged,
        tolerance: options.tolerance,
        max_iterations: options.max_iterations,
        log_likelihood: fit.log_likelihood,
    };
    Ok((valid, run))
}

/// The standing crowd answers, columnar as Dawid-Skene reads them: one question per pair that
/// has any, in pair order (so each question's answers are contiguous); one rater index per
/// crowd rater who answered.
#[derive(Debug, Default)]
pub struct CrowdPool {
    pub pairs: Vec<(u32, ClassId)>,
    /// Question q's answers are `starts[q]..starts[q + 1]` of the columns below.
    starts: Vec<usize>,
    question: Vec<u32>,
    rater: Vec<u16>,
    answer: Vec<u8>,
    raters: usize,
}

impl CrowdPool {
    pub fn of(log: &CrowdLog) -> Result<CrowdPool> {
        let mut pool = CrowdPool {
            starts: vec![0],
            ..Default::default()
        };
        let mut dense: Vec<Option<u16>> = vec![None; log.raters.len()];
        let mut standing = Vec::new();
        for pair in 0..log.len() {
            log.standing_into(pair, &mut standing);
            if standing.is_empty() {
                continue;
            }
            let question = pool.pairs.len() as u32;
            pool.pairs.push(log.pairs()[pair]);
            for answer in &standing {
                let Some(verdict) = answer.verdict else {
                    continue;
                };
                let rater = match dense[answer.rater as usize] {
                    Some(rater) => rater,
                    None => {
                        let rater = u16::try_from(pool.raters).map_err(|_| {
                            Error::Usage(format!(
                                "more than {} crowd raters answered; Dawid-Skene takes at most that many",
                                u16::MAX
                            ))
                        })?;
                        pool.raters += 1;
                        *dense[answer.rater as usize].insert(rater)
                    }
                };
                pool.question.push(question);
                pool.rater.push(rater);
                pool.answer.push(answer_class(verdict));
            }
            pool.starts.push(pool.answer.len());
        }
        Ok(pool)
    }

    /// Every standing answer, for Dawid-Skene.
    pub fn answers(&self) -> Answers<'_> {
        Answers {
            questions: self.pairs.len(),
            raters: self.raters,
            question: &self.question,
            rater: &self.rater,
            answer: &self.answer,
        }
    }

    fn answers_of(&self, question: usize) -> &[u8] {
        &self.answer[self.starts[question]..self.starts[question + 1]]
    }
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
