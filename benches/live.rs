//! The desk's vote-to-figures target: after a vote the live metrics must be up to date within
//! one frame (16 ms) on the sample project and within 50 ms at 67 models × 50,000 images.
//! "vote" is the whole path a key press takes: the SQLite transaction (synchronous=FULL, so
//! it includes the fsync), re-reading the image's decisions, and the incremental update of every
//! model's re-labeled MLA and ImageNet-M-style count. "live update only" is the last part.
//!
//! Run: cargo bench --bench live   (BAGEL_DATA=/path/to/shared/data for the real 67 models)

mod support;

use bagel::panel::{Review, Verdict, Vote};
use bagel::progress::Silent;
use bagel::store::Project;
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::Path;
use support::{DATASET, Inputs};

/// Votes alternately correct and wrong on the queue's first pair, so every vote changes it.
fn bench_votes(c: &mut Criterion, name: &str, project_path: &Path, dataset: &str) {
    let mut project = Project::open(project_path).unwrap();
    let mut review = Review::load(&project, dataset, "bench", &Silent).unwrap();
    let item = review.queue.items()[0].clone();
    let mut flip = false;
    c.bench_function(&format!("vote to updated figures ({name})"), |b| {
        b.iter(|| {
            flip = !flip;
            let verdict = if flip {
                Verdict::Correct
            } else {
                Verdict::Wrong
            };
            review
                .vote(&mut project, Vote::new(item.image, item.label, verdict))
                .unwrap();
        })
    });
    let dataset_id = review.dataset.id;
    let decided = project.decisions_of_image(dataset_id, item.image).unwrap();
    let mut undecided = decided.clone();
    undecided[0].verdict = if decided[0].verdict == Verdict::Correct {
        Verdict::Wrong
    } else {
        Verdict::Correct
    };
    let labels = review.labels.clone();
    c.bench_function(&format!("live update only ({name})"), |b| {
        b.iter(|| {
            flip = !flip;
            let decisions = if flip {
                decided.clone()
            } else {
                undecided.clone()
            };
            (review.live).image_decided(
                &review.evaluation,
                &review.files,
                labels.as_ref(),
                item.image,
                decisions,
            );
        })
    });
}

fn live(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let sample = bagel::sample::build_sample_project(&dir.path().join("sample")).unwrap();
    bench_votes(c, "sample project", &sample, bagel::sample::DATASET);

    let inputs = Inputs::top5_67_models(dir.path());
    let source = if inputs.synthetic {
        "synthetic"
    } else {
        "real data"
    };
    let path = dir.path().join("bench.bagel");
    drop(inputs.build_project(&path));
    bench_votes(c, &format!("67 models x 50k, {source}"), &path, DATASET);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = live
}
criterion_main!(benches);
