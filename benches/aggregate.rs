//! The in-memory parts of the crowd target (import plus Dawid-Skene aggregation of
//! ReaL's 924,810 rater answers in under 5 s whole process; a plain numpy EM takes 18 s for 50
//! iterations): "read raters.npz" streams the 377 MB one-hot tensor out of the zip; "group
//! into pairs" makes the crowd log the store writes (one row per pair); "union into an empty
//! store" is the merge rule of an import into a fresh project; "standing answers" is what
//! `bagel aggregate` makes of the log it reads; "dawid-skene to convergence" is EM from the
//! majority vote until the log-likelihood settles. The whole process, SQLite included, is
//! `scripts/bench/crowd.sh` (hyperfine).
//!
//! Run: cargo bench --bench aggregate   (BAGEL_DATA=/path/to/shared/data for the real raters;
//! without it, everything runs on a synthetic pool of the same size)

mod support;

use bagel::import::raters::{RaterAnswers, crowd_log, read_rater_answers};
use bagel::panel::aggregate::CrowdPool;
use bagel::panel::crowd::union;
use bagel::panel::dawid_skene::{Options, dawid_skene};
use bagel::progress::Silent;
use bagel::store::CrowdLog;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use std::path::Path;
use std::time::Duration;
use support::Rng;

fn aggregate(c: &mut Criterion) {
    let mut group = c.benchmark_group("aggregate");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(10));
    let npz = support::data_dir().map(|dir| dir.join("imagenet/real/raters.npz"));
    let (raters, kind) = match npz.filter(|path| path.is_file()) {
        Some(path) => {
            let read = |path: &Path| read_rater_answers(path, 1000, &Silent).unwrap();
            group.bench_function("read raters.npz", |b| b.iter(|| read(&path)));
            (read(&path), "real")
        }
        None => {
            eprintln!(
                "NOTE: no shared data (set BAGEL_DATA); benchmarking a SYNTHETIC pool of the same size"
            );
            (synthetic_pool(), "synthetic")
        }
    };
    // ILSVRC2012_val_00000001.JPEG .. 00050000, the dataset the questions name.
    let files: Vec<String> = (1..=50_000)
        .map(|i| format!("ILSVRC2012_val_{i:08}.JPEG"))
        .collect();
    let group_pairs = || crowd_log(Path::new("raters"), &raters, &files, 0).unwrap();
    group.bench_function(format!("group into pairs ({kind})"), |b| {
        b.iter(group_pairs)
    });
    let log = group_pairs();
    group.bench_function(format!("union into an empty store ({kind})"), |b| {
        b.iter(|| union(&CrowdLog::default(), &log))
    });
    group.bench_function(format!("standing answers ({kind})"), |b| {
        b.iter(|| CrowdPool::of(&log).unwrap())
    });
    let pool = CrowdPool::of(&log).unwrap();
    let options = Options::real();
    group.bench_function(format!("dawid-skene to convergence ({kind})"), |b| {
        b.iter(|| dawid_skene(&pool.answers(), &options).unwrap())
    });
    group.finish();
}

/// ReaL's shape: 184,962 questions (eight labels on each of 23,121 images), five of 85 raters
/// each, one in five valid; raters right 70..95% of the time, "maybe" one answer in ten.
fn synthetic_pool() -> RaterAnswers {
    let mut rng = Rng::new(85);
    let mut pool = RaterAnswers {
        questions: (0..184_962)
            .map(|q| {
                let file = format!("ILSVRC2012_val_{:08}.JPEG", q / 8 + 1);
                (file, (q % 8 * 125) as u16)
            })
            .collect(),
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
