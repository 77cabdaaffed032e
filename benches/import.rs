//! The import target: a 50,000 × 1000 float32 logits .npy imported in under 1 s
//! (read, softmax, top-5 with scores, max softmax and entropy, one SQLite write).
//!
//! Run: cargo bench --bench import

mod support;

use bagel::import::{PredictionImport, import_predictions};
use bagel::progress::Silent;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use std::path::Path;
use std::time::Duration;
use support::{CLASSES, DATASET, IMAGES, Inputs, Rng, write_npy};

fn import(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let logits = dir.path().join("logits.npy");
    write_logits(&logits);
    // Only the dataset's image list matters here, so a synthetic one serves with or without data.
    let mut inputs = Inputs::synthetic(dir.path(), 0, 5);
    inputs.labels.clear();
    let mut project = inputs.build_project(&dir.path().join("bench.bagel"));
    let files = [("logits_model".to_string(), logits)];
    // replace: every iteration after the first swaps the stored record, as a re-import does.
    let request = PredictionImport {
        dataset: DATASET,
        files: &files,
        order: None,
        top_k: None,
        replace: true,
        reverse_ranks: false,
    };
    let mut group = c.benchmark_group("import");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("logits 50k x 1000 f32 npy", |b| {
        b.iter(|| import_predictions(&mut project, &request, &Silent).unwrap())
    });
    group.finish();
}

/// Normal-ish logits with one class per row lifted well above the rest, as a trained model's.
fn write_logits(path: &Path) {
    let mut rng = Rng::new(1000);
    let mut bytes = Vec::with_capacity(IMAGES * CLASSES * 4);
    let mut row = vec![0f32; CLASSES];
    for _ in 0..IMAGES {
        row.iter_mut().for_each(|x| *x = rng.normalish());
        row[rng.below(CLASSES)] += 6.0;
        bytes.extend(row.iter().flat_map(|x| x.to_le_bytes()));
    }
    write_npy(path, "<f4", (IMAGES, CLASSES), &bytes);
}

criterion_group!(benches, import);
criterion_main!(benches);
