//! The panel's statistics on the published files. ReaL's crowd, aggregated again: Dawid-Skene
//! over the 924,810 raw answers of raters.npz must reproduce the published real.json on at
//! least 98% of the rated (image, label) questions. The dough paper's reviews of ViT-3B and
//! Greedy Soups: the chi-square tests of their mistake categories and severities.
//! Uses ../shared/data when present (the repository does not ship it); says so and returns
//! when it is missing.

mod common;

use common::real_data;

use bagel::import::raters::{RaterAnswers, read_rater_answers};
use bagel::import::review::read_review;
use bagel::metrics::mistakes::{MistakeCounts, category_test, severity_test};
use bagel::panel::dawid_skene::{Answers, Fit, Options, dawid_skene};
use bagel::progress::Silent;
use std::path::PathBuf;

/// The acceptance threshold on the posterior of "valid" (ReaL's own).
const THRESHOLD: f64 = 0.9;

/// The shared data's folder `relative` if it holds `files`.
fn shared_folder(relative: &str, files: &[&str]) -> Option<PathBuf> {
    let needed: Vec<String> = (files.iter())
        .map(|file| format!("{relative}/{file}"))
        .collect();
    let needed: Vec<&str> = needed.iter().map(String::as_str).collect();
    real_data(&needed).map(|data| data.join(relative))
}

fn real_folder() -> Option<PathBuf> {
    shared_folder(
        "imagenet/real",
        &[
            "raters.npz",
            "raters_votes.csv.gz",
            "real.json",
            "scores.npz",
        ],
    )
}

fn answers(raters: &RaterAnswers) -> Answers<'_> {
    Answers {
        questions: raters.questions.len(),
        raters: raters.rater_ids.len(),
        question: &raters.question,
        rater: &raters.rater,
        answer: &raters.answer,
    }
}

/// ILSVRC2012_val_00041207.JPEG is image 41206.
fn val_index(file: &str) -> usize {
    let digits = file
        .trim_start_matches("ILSVRC2012_val_")
        .trim_end_matches(".JPEG");
    digits.parse::<usize>().unwrap() - 1
}

fn accepted(fit: &Fit, question: usize) -> bool {
    fit.posterior(question)[1] >= THRESHOLD
}

#[test]
fn the_real_raters_read_from_npz_or_csv_and_aggregated_reproduce_real_json() {
    let Some(real) = real_folder() else { return };
    let raters = read_rater_answers(&real.join("raters.npz"), 1000, &Silent).unwrap();
    let csv = read_rater_answers(&real.join("raters_votes.csv.gz"), 1000, &Silent).unwrap();
    assert_same_answers(&csv, &raters);
    assert_eq!(raters.rater_ids.len(), 85);
    assert_eq!(raters.questions.len(), 184_962);
    assert_eq!(raters.len(), 924_810);
    let per_answer = |word: u8| raters.answer.iter().filter(|&&a| a == word).count();
    assert_eq!(
        [per_answer(0), per_answer(1), per_answer(2)],
        [729_424, 78_942, 116_444]
    );

    let fit = dawid_skene(&answers(&raters), &Options::real()).unwrap();
    let published: Vec<Vec<u16>> =
        serde_json::from_slice(&std::fs::read(real.join("real.json")).unwrap()).unwrap();
    let agree = raters
        .questions
        .iter()
        .enumerate()
        .filter(|(q, (file, label))| {
            published[val_index(file)].contains(label) == accepted(&fit, *q)
        })
        .count();
    let agreement = agree as f64 / raters.questions.len() as f64;
    println!(
        "Dawid-Skene: {} iterations, converged {}, log-likelihood {:.1}, priors {:?}",
        fit.iterations, fit.converged, fit.log_likelihood, fit.priors
    );
    println!(
        "accepted at posterior >= {THRESHOLD}: {} of {} questions; agreement with real.json {agree} = {:.4}",
        (0..raters.questions.len())
            .filter(|&q| accepted(&fit, q))
            .count(),
        raters.questions.len(),
        agreement
    );
    assert!(fit.converged);
    assert!(agreement >= 0.98, "agreement {agreement}");

    let scores = read_scores(&real);
    let same_side = (0..scores.len())
        .filter(|&q| (scores[q] >= THRESHOLD) == accepted(&fit, q))
        .count();
    let mean_gap = (0..scores.len())
        .map(|q| (scores[q] - fit.posterior(q)[1]).abs())
        .sum::<f64>()
        / scores.len() as f64;
    println!(
        "against ReaL's own scores.npz: same side of {THRESHOLD} on {same_side} = {:.4}, mean |score - posterior| {mean_gap:.4}",
        same_side as f64 / scores.len() as f64
    );
    assert!(same_side as f64 / scores.len() as f64 >= 0.98);
}

/// The CSV numbers its questions as info does and lists them in order, so the question
/// indices agree; raters are indexed in order of appearance, so compare by id.
fn assert_same_answers(csv: &RaterAnswers, npz: &RaterAnswers) {
    assert_eq!(csv.questions, npz.questions);
    let rows = |answers: &RaterAnswers| {
        let mut rows: Vec<(u32, i64, u8)> = (0..answers.len())
            .map(|i| {
                let id = answers.rater_ids[answers.rater[i] as usize];
                (answers.question[i], id, answers.answer[i])
            })
            .collect();
        rows.sort_unstable();
        rows
    };
    assert_eq!(rows(csv), rows(npz));
}

#[test]
fn the_mistake_shares_of_vit3b_and_greedy_soups_do_not_differ() {
    let files = ["vit3b_mistakes.json", "greedy_soups_mistakes.json"];
    let Some(folder) = shared_folder("imagenet/mistakes", &files) else {
        return;
    };
    let models: Vec<MistakeCounts> = files
        .iter()
        .map(|file| {
            let mut counts = MistakeCounts::default();
            for record in read_review(&folder.join(file), 1000).unwrap() {
                counts.add(Some(record.category), Some(record.severity));
            }
            counts
        })
        .collect();
    // The data README's counts: categories fine-grained (with the one "Multilabel Options"),
    // OOV (both spellings), spurious, non-prototypical; severities major, minor + borderline.
    assert_eq!(models[0].categories, [242, 54, 52, 30]);
    assert_eq!(models[1].categories, [172, 26, 32, 19]);
    assert_eq!(models[0].severities, [154, 150 + 74]);
    assert_eq!(models[1].severities, [89, 111 + 49]);
    let categories = category_test(&models).unwrap();
    let severities = severity_test(&models).unwrap();
    println!(
        "categories: chi2({}, N={}) = {:.3}, p = {:.3} (paper: 2.41, p = .49)",
        categories.dof, categories.n, categories.statistic, categories.p
    );
    println!(
        "severities: chi2({}, N={}) = {:.3}, p = {:.3} (paper: 1.61, p = .20)",
        severities.dof, severities.n, severities.statistic, severities.p
    );
    // Worked from the counts above: Σ (O - E)² / E with E = row total × column total / 627.
    assert_eq!((categories.dof, categories.n), (3, 627));
    assert!((categories.statistic - 2.42920).abs() < 1e-4);
    assert!((categories.p - 0.48822).abs() < 1e-4);
    assert_eq!((severities.dof, severities.n), (1, 627));
    assert!((severities.statistic - 1.57970).abs() < 1e-4);
    assert!((severities.p - 0.20880).abs() < 1e-4);
}

fn read_scores(real: &std::path::Path) -> Vec<f64> {
    let mut archive = npyz::npz::NpzArchive::open(real.join("scores.npz")).unwrap();
    archive
        .by_name("tensor")
        .unwrap()
        .unwrap()
        .into_vec()
        .unwrap()
}
