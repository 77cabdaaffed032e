//! Dawid & Skene (1979), "Maximum likelihood estimation of observer error-rates using the EM
//! algorithm": the true class of every question and one confusion matrix per rater, estimated
//! together by expectation-maximisation from many raters' answers. This is how ReaL turned its
//! crowd's no / maybe / yes into label sets; here it aggregates any rater pool.
//!
//! Everything is flat `Vec<f64>` indexed by hand: the E and M steps are one pass each over the
//! columnar answers, so 924,810 answers take a few milliseconds per iteration.

use crate::error::{Error, Result};

/// Every answer of the pool, one per index across the three columns.
#[derive(Debug, Clone, Copy)]
pub struct Answers<'a> {
    /// How many questions there are; questions without answers get the class priors.
    pub questions: usize,
    /// How many raters there are.
    pub raters: usize,
    pub question: &'a [u32],
    pub rater: &'a [u16],
    /// An answer class, below [`Options::answer_classes`].
    pub answer: &'a [u8],
}

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub truth_classes: usize,
    pub answer_classes: usize,
    /// Row-major `answer_classes × truth_classes`: how much one answer counts for each true
    /// class in the majority vote that starts EM (the answer and truth classes may differ, as
    /// ReaL's no / maybe / yes against not valid / valid).
    pub initial_votes: Vec<f64>,
    /// Additive (Laplace) smoothing: this pseudo-count is added to every cell of every
    /// confusion matrix and to every class prior before normalising, so a rater with few
    /// answers stays near uniform and no answer ever gets probability zero. Must be > 0.
    pub smoothing: f64,
    /// EM stops when the log-likelihood per answer changes by at most this much between two
    /// iterations.
    pub tolerance: f64,
    pub max_iterations: usize,
}

/// Pseudo-count of [`Options::smoothing`] by default: small beside the tens to thousands of
/// answers a rater gives, enough to keep a six-answer rater off zero probabilities.
pub const DEFAULT_SMOOTHING: f64 = 0.01;
pub const DEFAULT_TOLERANCE: f64 = 1e-7;
pub const DEFAULT_MAX_ITERATIONS: usize = 200;

impl Options {
    /// Answers that name the true class itself (answer class i is truth class i).
    pub fn same_classes(classes: usize) -> Self {
        let mut initial_votes = vec![0.0; classes * classes];
        for class in 0..classes {
            initial_votes[class * classes + class] = 1.0;
        }
        Options::with_votes(classes, classes, initial_votes)
    }

    /// ReaL's questions: truth {0 not valid, 1 valid}, answers {0 no, 1 maybe, 2 yes}; the
    /// majority vote counts "maybe" half for each.
    pub fn real() -> Self {
        Options::with_votes(2, 3, vec![1.0, 0.0, 0.5, 0.5, 0.0, 1.0])
    }

    fn with_votes(truth_classes: usize, answer_classes: usize, initial_votes: Vec<f64>) -> Self {
        Options {
            truth_classes,
            answer_classes,
            initial_votes,
            smoothing: DEFAULT_SMOOTHING,
            tolerance: DEFAULT_TOLERANCE,
            max_iterations: DEFAULT_MAX_ITERATIONS,
        }
    }
}

/// What EM found.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub truth_classes: usize,
    pub answer_classes: usize,
    /// Row-major `questions × truth_classes`: the probability of each true class.
    pub posteriors: Vec<f64>,
    /// The estimated share of each true class among the questions.
    pub priors: Vec<f64>,
    /// Row-major `raters × truth_classes × answer_classes`: the probability that the rater
    /// gives each answer to a question of each true class (each row sums to 1).
    pub confusion: Vec<f64>,
    /// EM iterations run (an M step then an E step each).
    pub iterations: usize,
    /// Whether the tolerance was met before the iteration cap.
    pub converged: bool,
    /// Log-likelihood of all the answers under the final estimates.
    pub log_likelihood: f64,
}

impl Fit {
    pub fn posterior(&self, question: usize) -> &[f64] {
        let k = self.truth_classes;
        &self.posteriors[question * k..(question + 1) * k]
    }

    /// The rater's `truth_classes × answer_classes` matrix, row-major.
    pub fn confusion(&self, rater: usize) -> &[f64] {
        let size = self.truth_classes * self.answer_classes;
        &self.confusion[rater * size..(rater + 1) * size]
    }
}

/// Runs EM from the majority vote until the log-likelihood settles or the cap is reached.
pub fn dawid_skene(answers: &Answers, options: &Options) -> Result<Fit> {
    check(answers, options)?;
    let mut fit = Fit {
        truth_classes: options.truth_classes,
        answer_classes: options.answer_classes,
        posteriors: majority_vote(answers, options),
        priors: vec![0.0; options.truth_classes],
        confusion: vec![0.0; answers.raters * options.truth_classes * options.answer_classes],
        iterations: 0,
        converged: false,
        log_likelihood: f64::NEG_INFINITY,
    };
    let mut log_confusion = vec![0.0; fit.confusion.len()];
    while fit.iterations < options.max_iterations {
        fit.iterations += 1;
        maximise(answers, options, &mut fit);
        for (log, p) in log_confusion.iter_mut().zip(&fit.confusion) {
            *log = p.ln();
        }
        let log_likelihood = expect(
            answers,
            options,
            &fit.priors,
            &log_confusion,
            &mut fit.posteriors,
        );
        let change = (log_likelihood - fit.log_likelihood).abs() / answers.question.len() as f64;
        fit.log_likelihood = log_likelihood;
        if change <= options.tolerance {
            fit.converged = true;
            break;
        }
    }
    Ok(fit)
}

fn check(answers: &Answers, options: &Options) -> Result<()> {
    let usage = |what: String| Err(Error::Usage(format!("Dawid-Skene: {what}")));
    let n = answers.question.len();
    if n == 0 {
        return usage("there are no answers to aggregate; import votes first".into());
    }
    if answers.rater.len() != n || answers.answer.len() != n {
        return usage(format!(
            "the answer columns differ in length ({} questions, {} raters, {} answers)",
            n,
            answers.rater.len(),
            answers.answer.len()
        ));
    }
    let (k, l) = (options.truth_classes, options.answer_classes);
    if k < 2 || l < 2 || options.initial_votes.len() != k * l {
        return usage(format!(
            "{k} true and {l} answer classes with {} initial votes; expected at least 2 of each and answer × truth votes",
            options.initial_votes.len()
        ));
    }
    if options.smoothing.is_nan() || options.smoothing <= 0.0 {
        return usage(format!(
            "smoothing {} must be above 0 so that no answer has probability zero",
            options.smoothing
        ));
    }
    let out_of_range = (0..n).find(|&i| {
        answers.question[i] as usize >= answers.questions
            || answers.rater[i] as usize >= answers.raters
            || answers.answer[i] as usize >= l
    });
    match out_of_range {
        Some(i) => usage(format!(
            "answer {i} (question {}, rater {}, answer {}) is outside {} questions, {} raters, {l} answer classes",
            answers.question[i],
            answers.rater[i],
            answers.answer[i],
            answers.questions,
            answers.raters
        )),
        None => Ok(()),
    }
}

/// The starting posteriors: each question's answers, weighed by `initial_votes` and
/// normalised; uniform where they weigh nothing.
fn majority_vote(answers: &Answers, options: &Options) -> Vec<f64> {
    let k = options.truth_classes;
    let mut votes = vec![0.0; answers.questions * k];
    for (&q, &a) in answers.question.iter().zip(answers.answer) {
        let weights = &options.initial_votes[a as usize * k..(a as usize + 1) * k];
        for (vote, weight) in votes[q as usize * k..].iter_mut().zip(weights) {
            *vote += weight;
        }
    }
    for row in votes.chunks_exact_mut(k) {
        let total: f64 = row.iter().sum();
        if total > 0.0 {
            row.iter_mut().for_each(|v| *v /= total);
        } else {
            row.fill(1.0 / k as f64);
        }
    }
    votes
}

/// M step: class priors and confusion matrices from the current posteriors, smoothed.
fn maximise(answers: &Answers, options: &Options, fit: &mut Fit) {
    let (k, l, alpha) = (
        options.truth_classes,
        options.answer_classes,
        options.smoothing,
    );
    fit.confusion.fill(alpha);
    for ((&q, &r), &a) in answers
        .question
        .iter()
        .zip(answers.rater)
        .zip(answers.answer)
    {
        let posterior = &fit.posteriors[q as usize * k..(q as usize + 1) * k];
        let base = r as usize * k * l + a as usize;
        for (truth, p) in posterior.iter().enumerate() {
            fit.confusion[base + truth * l] += p;
        }
    }
    for row in fit.confusion.chunks_exact_mut(l) {
        let total: f64 = row.iter().sum();
        row.iter_mut().for_each(|c| *c /= total);
    }
    fit.priors.fill(alpha);
    for row in fit.posteriors.chunks_exact(k) {
        for (prior, p) in fit.priors.iter_mut().zip(row) {
            *prior += p;
        }
    }
    let total: f64 = fit.priors.iter().sum();
    fit.priors.iter_mut().for_each(|p| *p /= total);
}

/// E step: each question's posterior from the priors and its raters' confusion rows, in log
/// space (a question may have thousands of answers); returns the log-likelihood.
fn expect(
    answers: &Answers,
    options: &Options,
    priors: &[f64],
    log_confusion: &[f64],
    posteriors: &mut [f64],
) -> f64 {
    let (k, l) = (options.truth_classes, options.answer_classes);
    let log_priors: Vec<f64> = priors.iter().map(|p| p.ln()).collect();
    let logs = posteriors;
    for row in logs.chunks_exact_mut(k) {
        row.copy_from_slice(&log_priors);
    }
    for ((&q, &r), &a) in answers
        .question
        .iter()
        .zip(answers.rater)
        .zip(answers.answer)
    {
        let base = r as usize * k * l + a as usize;
        for (truth, log) in logs[q as usize * k..(q as usize + 1) * k]
            .iter_mut()
            .enumerate()
        {
            *log += log_confusion[base + truth * l];
        }
    }
    let mut log_likelihood = 0.0;
    for row in logs.chunks_exact_mut(k) {
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for x in row.iter_mut() {
            *x = (*x - max).exp();
            total += *x;
        }
        row.iter_mut().for_each(|x| *x /= total);
        log_likelihood += max + total.ln();
    }
    log_likelihood
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numbers::assert_near;

    fn answers<'a>(rows: &'a (Vec<u32>, Vec<u16>, Vec<u8>), questions: usize) -> Answers<'a> {
        Answers {
            questions,
            raters: 1 + *rows.1.iter().max().unwrap() as usize,
            question: &rows.0,
            rater: &rows.1,
            answer: &rows.2,
        }
    }

    /// Four questions, true classes 0, 0, 1, 1. Rater 0 is reliable (answers the truth), rater
    /// 1 adversarial (always the other class), rater 2 honest but only on questions 0 and 2,
    /// which is what breaks the tie between "0 reliable" and "1 reliable".
    fn reliable_and_adversarial() -> (Vec<u32>, Vec<u16>, Vec<u8>) {
        let mut rows = (vec![], vec![], vec![]);
        for (q, truth) in [0u8, 0, 1, 1].into_iter().enumerate() {
            let mut push = |rater: u16, answer: u8| {
                rows.0.push(q as u32);
                rows.1.push(rater);
                rows.2.push(answer);
            };
            push(0, truth);
            push(1, 1 - truth);
            if q % 2 == 0 {
                push(2, truth);
            }
        }
        rows
    }

    #[test]
    fn one_iteration_by_hand() {
        let rows = reliable_and_adversarial();
        let options = Options {
            smoothing: 1.0,
            max_iterations: 1,
            ..Options::same_classes(2)
        };
        let fit = dawid_skene(&answers(&rows, 4), &options).unwrap();
        // Majority vote: q0 = [2/3, 1/3] (raters 0 and 2 say 0, rater 1 says 1), q1 = q3 =
        // [1/2, 1/2], q2 = [1/3, 2/3].
        // M step, pseudo-count 1. Rater 0 answered 0, 0, 1, 1 to q0..q3:
        //   truth 0 row: answer 0 gets 2/3 + 1/2, answer 1 gets 1/3 + 1/2; + 1 each = [13/6, 11/6] / 4
        //   truth 1 row: answer 0 gets 1/3 + 1/2, answer 1 gets 2/3 + 1/2 = [11/6, 13/6] / 4
        // Rater 1 answered 1, 1, 0, 0: truth 0 row [11/24, 13/24], truth 1 row [13/24, 11/24]. Rater 2 answered 0 to q0
        // and 1 to q2: truth 0 row [1 + 2/3, 1 + 1/3] / 3 = [5/9, 4/9].
        // Priors: (2/3 + 1/2 + 1/3 + 1/2 + 1) / (4 + 2) = 1/2 each.
        assert_near(fit.confusion(0)[0], 13.0 / 24.0, 1e-12);
        assert_near(fit.confusion(1)[0], 11.0 / 24.0, 1e-12);
        assert_near(fit.confusion(2)[0], 5.0 / 9.0, 1e-12);
        assert_near(fit.priors[0], 0.5, 1e-12);
        // E step on q0 (answers 0, 1, 0 from raters 0, 1, 2):
        //   truth 0: 1/2 · 13/24 · 13/24 · 5/9;  truth 1: 1/2 · 11/24 · 11/24 · 4/9
        //   posterior of 0 = 169·5 / (169·5 + 121·4) = 845 / 1329.
        assert_near(fit.posterior(0)[0], 845.0 / 1329.0, 1e-12);
        // q1 (rater 0 answers 0, rater 1 answers 1):
        //   truth 0: 1/2 · 13/24 · 13/24;  truth 1: 1/2 · 11/24 · 11/24;  169 / (169 + 121).
        assert_near(fit.posterior(1)[0], 169.0 / 290.0, 1e-12);
        assert_eq!(fit.iterations, 1);
        assert!(!fit.converged);
    }

    #[test]
    fn the_posterior_follows_the_reliable_rater_and_the_adversary_flips() {
        let rows = reliable_and_adversarial();
        let fit = dawid_skene(&answers(&rows, 4), &Options::same_classes(2)).unwrap();
        assert!(fit.converged, "ran {} iterations", fit.iterations);
        for (q, truth) in [0, 0, 1, 1].into_iter().enumerate() {
            assert!(
                fit.posterior(q)[truth] > 0.99,
                "q{q}: {:?}",
                fit.posterior(q)
            );
        }
        // The reliable rater's matrix is the identity, the adversary's its flip (up to the
        // 0.01 pseudo-counts among two answers per row).
        let reliable = fit.confusion(0);
        let adversary = fit.confusion(1);
        assert!(reliable[0] > 0.99 && reliable[3] > 0.99, "{reliable:?}");
        assert!(adversary[1] > 0.99 && adversary[2] > 0.99, "{adversary:?}");
        // With the truth all but certain, each question's likelihood is its prior 1/2 times its
        // raters' diagonal (or, for the adversary, anti-diagonal) cells: 2.01 / 2.02 for raters
        // 0 and 1 (two answers per row), 1.01 / 1.02 for rater 2 (one).
        let expected =
            4.0 * 0.5f64.ln() + 8.0 * (2.01f64 / 2.02).ln() + 2.0 * (1.01f64 / 1.02).ln();
        assert_near(fit.log_likelihood, expected, 1e-4);
    }

    /// A fixed xorshift, so the synthetic pool is the same on every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn recovers_planted_rater_qualities() {
        // 3,000 binary questions, 30% of them class 1; ten raters who answer right with
        // probability 0.55 .. 0.95, five random raters per question.
        let accuracy: Vec<f64> = (0..10).map(|r| 0.55 + 0.4 * r as f64 / 9.0).collect();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut rows = (vec![], vec![], vec![]);
        let mut truths = vec![];
        for q in 0..3000u32 {
            let truth = u8::from(rng.next() < 0.3);
            truths.push(truth);
            let mut raters: Vec<u16> = (0..10).collect();
            for pick in 0..5 {
                let chosen = pick + (rng.next() * (10 - pick) as f64) as usize;
                raters.swap(pick, chosen);
                let rater = raters[pick];
                let right = rng.next() < accuracy[rater as usize];
                rows.0.push(q);
                rows.1.push(rater);
                rows.2.push(if right { truth } else { 1 - truth });
            }
        }
        let fit = dawid_skene(&answers(&rows, 3000), &Options::same_classes(2)).unwrap();
        assert!(fit.converged);
        for (rater, planted) in accuracy.iter().enumerate() {
            let matrix = fit.confusion(rater);
            for truth in 0..2 {
                let estimated = matrix[truth * 2 + truth];
                assert_near(estimated, *planted, 0.05);
            }
        }
        assert_near(fit.priors[1], 0.3, 0.03);
        let hits =
            |decide: &dyn Fn(usize) -> u8| (0..3000).filter(|&q| decide(q) == truths[q]).count();
        let by_posterior = hits(&|q| u8::from(fit.posterior(q)[1] > 0.5));
        let by_majority = hits(&|q| {
            let ones = rows.2[q * 5..q * 5 + 5].iter().filter(|&&a| a == 1).count();
            u8::from(ones >= 3)
        });
        assert!(
            by_posterior > by_majority,
            "EM {by_posterior} vs majority {by_majority} of 3000"
        );
    }

    #[test]
    fn maybe_counts_half_in_the_starting_vote() {
        // One question answered maybe: the start is 1/2, 1/2; rows of two answers no + yes too.
        let rows = (vec![0, 1, 1], vec![0, 0, 1], vec![1, 0, 2]);
        let options = Options::real();
        let start = majority_vote(&answers(&rows, 3), &options);
        assert_eq!(start, vec![0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    }

    #[test]
    fn no_answers_or_an_answer_out_of_range_is_an_error() {
        let empty = (vec![], vec![], vec![]);
        let none = Answers {
            questions: 0,
            raters: 0,
            question: &empty.0,
            rater: &empty.1,
            answer: &empty.2,
        };
        let error = dawid_skene(&none, &Options::real()).unwrap_err();
        assert!(error.to_string().contains("no answers"), "{error}");
        let rows = (vec![0], vec![0], vec![3]);
        let error = dawid_skene(&answers(&rows, 1), &Options::real()).unwrap_err();
        assert!(error.to_string().contains("answer 0"), "{error}");
    }
}
