//! The import target: a 50,000 × 1000 float32 logits .npy imported in under 1 s
//! (read, softmax, top-5 with scores, max softmax and entropy, one SQLite write); and the
//! ImageNetV2 release's shape: 67 files of 50,000 × 5 int16 ranked class ids in one import.
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
        reading: Default::default(),
    };
    let mut group = c.benchmark_group("import");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("logits 50k x 1000 f32 npy", |b| {
        b.iter(|| import_predictions(&mut project, &request, &Silent).unwrap())
    });
    let models: Vec<(String, std::path::PathBuf)> = (0..67)
        .map(|model| {
            let path = dir.path().join(format!("model{model}.npy"));
            write_ranked_ids(&path, model);
            (format!("model{model}"), path)
        })
        .collect();
    let request = PredictionImport {
        files: &models,
        ..request
    };
    group.bench_function("67 models x 50k x top-5 i16 npy", |b| {
        b.iter(|| import_predictions(&mut project, &request, &Silent).unwrap())
    });
    group.finish();
}

/// Five distinct class ids per row, best first, as int16.
fn write_ranked_ids(path: &Path, seed: u64) {
    let mut rng = Rng::new(seed + 1);
    let mut bytes = Vec::with_capacity(IMAGES * 5 * 2);
    for _ in 0..IMAGES {
        let first = rng.below(CLASSES);
        for rank in 0..5 {
            let class = ((first + rank * 7) % CLASSES) as i16;
            bytes.extend(class.to_le_bytes());
        }
    }
    write_npy(path, "<i2", (IMAGES, 5), &bytes);
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
