//! The crowd target: import plus Dawid-Skene aggregation of ReaL's 924,810 rater
//! answers in under 5 s whole process (a plain numpy EM takes 18 s for 50 iterations).
//! "read raters.npz" streams the 377 MB one-hot tensor out of the zip; "dawid-skene to
//! convergence" is EM from the majority vote until the log-likelihood settles; "read +
//! aggregate" is both, what `bagel aggregate` does before writing.
//!
//! Run: cargo bench --bench aggregate   (BAGEL_DATA=/path/to/shared/data for the real raters;
//! without it, EM runs on a synthetic pool of the same size)

mod support;

use bagel::import::raters::{RaterAnswers, read_rater_answers};
use bagel::panel::dawid_skene::{Answers, Options, dawid_skene};
use bagel::progress::Silent;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use std::path::Path;
use std::time::Duration;
use support::Rng;

fn answers(raters: &RaterAnswers) -> Answers<'_> {
    Answers {
        questions: raters.questions.len(),
        raters: raters.rater_ids.len(),
        question: &raters.question,
        rater: &raters.rater,
        answer: &raters.answer,
    }
}

fn aggregate(c: &mut Criterion) {
    let mut group = c.benchmark_group("aggregate");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(10));
    let options = Options::real();
    let npz = support::data_dir().map(|dir| dir.join("imagenet/real/raters.npz"));
    match npz.filter(|path| path.is_file()) {
        Some(path) => {
            let read = |path: &Path| read_rater_answers(path, 1000, &Silent).unwrap();
            let raters = read(&path);
            group.bench_function("read raters.npz", |b| b.iter(|| read(&path)));
            group.bench_function("dawid-skene to convergence (real)", |b| {
                b.iter(|| dawid_skene(&answers(&raters), &options).unwrap())
            });
            group.bench_function("read + aggregate raters.npz", |b| {
                b.iter(|| dawid_skene(&answers(&read(&path)), &options).unwrap())
            });
        }
        None => {
            eprintln!(
                "NOTE: no shared data (set BAGEL_DATA); benchmarking EM on a SYNTHETIC pool of the same size"
            );
            let raters = synthetic_pool();
            group.bench_function("dawid-skene to convergence (synthetic)", |b| {
                b.iter(|| dawid_skene(&answers(&raters), &options).unwrap())
            });
        }
    }
    group.finish();
}

/// ReaL's shape: 184,962 questions, five of 85 raters each, one in five valid; raters right
/// 70..95% of the time, "maybe" one answer in ten.
fn synthetic_pool() -> RaterAnswers {
    let mut rng = Rng::new(85);
    let mut pool = RaterAnswers {
        questions: vec![(String::new(), 0); 184_962],
        rater_ids: (0..85).collect(),
        ..Default::default()
    };
    let skill: Vec<f64> = (0..85).map(|r| 0.7 + 0.25 * r as f64 / 84.0).collect();
    for question in 0..pool.questions.len() as u32 {
        let valid = rng.chance(0.2);
        for _ in 0..5 {
            let rater = rng.below(85);
            let answer = if rng.chance(0.1) {
                1
            } else if rng.chance(skill[rater]) == valid {
                2
            } else {
                0
            };
            pool.question.push(question);
            pool.rater.push(rater as u16);
            pool.answer.push(answer);
        }
    }
    pool
}

criterion_group!(benches, aggregate);
criterion_main!(benches);
