//! The import target: a 50,000 × 1000 float32 logits .npy imported in under 1 s
//! (read, softmax, top-5 with scores, max softmax and entropy, one SQLite write); the same
//! logits as timm's `--topk 0` table in Feather (lz4, as pandas writes it) and Parquet
//! (snappy), a list of 1,000 logits a row beside the file name; and the ImageNetV2 release's
//! shape: 67 files of 50,000 × 5 int16 ranked class ids in one import.
//!
//! Run: cargo bench --bench import

mod support;

use arrow_array::builder::{Float32Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_ipc::CompressionType;
use arrow_ipc::writer::{FileWriter, IpcWriteOptions};
use bagel::import::{PredictionImport, import_predictions};
use bagel::progress::Silent;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use support::{CLASSES, DATASET, IMAGES, Inputs, Rng, write_npy};

fn import(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let logits = dir.path().join("logits.npy");
    let values = logits_rows();
    write_npy(&logits, "<f4", (IMAGES, CLASSES), &le_bytes(&values));
    let tables = write_tables(dir.path(), &values);
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
    for (format, path) in tables {
        let files = [("logits_model".to_string(), path)];
        let request = PredictionImport {
            files: &files,
            reading: Default::default(),
            ..request
        };
        group.bench_function(format!("logits 50k x 1000 f32 {format}"), |b| {
            b.iter(|| import_predictions(&mut project, &request, &Silent).unwrap())
        });
    }
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
fn logits_rows() -> Vec<f32> {
    let mut rng = Rng::new(1000);
    let mut values = Vec::with_capacity(IMAGES * CLASSES);
    let mut row = vec![0f32; CLASSES];
    for _ in 0..IMAGES {
        row.iter_mut().for_each(|x| *x = rng.normalish());
        row[rng.below(CLASSES)] += 6.0;
        values.extend_from_slice(&row);
    }
    values
}

fn le_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The logits as timm's `--topk 0` table: a `filename` and a `logit` list column, written as
/// Feather (lz4) and Parquet (snappy).
fn write_tables(dir: &Path, values: &[f32]) -> Vec<(&'static str, PathBuf)> {
    let mut names = StringBuilder::new();
    let mut logits = ListBuilder::new(Float32Builder::new());
    for (at, row) in values.chunks(CLASSES).enumerate() {
        names.append_value(format!("ILSVRC2012_val_{:08}.JPEG", at + 1));
        logits.values().append_slice(row);
        logits.append(true);
    }
    let columns: [(&str, ArrayRef); 2] = [
        ("filename", Arc::new(names.finish())),
        ("logit", Arc::new(logits.finish())),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let feather = dir.join("logits.feather");
    let options = IpcWriteOptions::default()
        .try_with_compression(Some(CompressionType::LZ4_FRAME))
        .unwrap();
    let file = File::create(&feather).unwrap();
    let mut writer = FileWriter::try_new_with_options(file, &batch.schema(), options).unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    let parquet = dir.join("logits.parquet");
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let file = File::create(&parquet).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    vec![("feather", feather), ("parquet", parquet)]
}

criterion_group!(benches, import);
criterion_main!(benches);
