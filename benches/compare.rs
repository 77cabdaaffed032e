//! The comparison target, in-memory part: `compare` of 67 models on ImageNet val
//! (50,000 images, ReaL and multi-labels) against ImageNetV2 b-33 (10,000 images), every metric
//! and the disagreement-matched comparison, once both datasets are loaded. The whole process
//! (under 0.5 s with loading) is measured by scripts/bench/compare_vs_numpy.sh.
//!
//! Run: cargo bench --bench compare   (BAGEL_DATA=/path/to/shared/data to point at the data)

mod support;

use bagel::compare::{CompareOptions, Uncertainty, compare};
use bagel::data::TopK;
use bagel::import::{PredictionImport, import_images, import_predictions};
use bagel::metrics::Evaluation;
use bagel::progress::Silent;
use bagel::store::Project;
use bagel::vocab::ClassId;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use std::path::Path;
use support::{CLASSES, DATASET, Inputs, Rng, data_dir, ranked_guesses};

const TARGET: &str = "imagenetv2-b-33";
const TARGET_IMAGES: usize = 10_000;

fn comparison(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, kind) = match data_dir() {
        Some(data) => {
            let (s, t) = real_evaluations(&data, dir.path());
            (s, t, "real data")
        }
        None => {
            eprintln!(
                "NOTE: no shared data (set BAGEL_DATA); benchmarking SYNTHETIC data of the same \
                 shape instead: 67 models, 50,000 + 10,000 images, top-5"
            );
            let (s, t) = synthetic_evaluations(dir.path());
            (s, t, "synthetic")
        }
    };
    let options = CompareOptions {
        uncertainty: Some(Uncertainty::Disagreement),
        ..CompareOptions::new(DATASET, TARGET)
    };
    let mut group = c.benchmark_group("compare");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.bench_function(
        format!("67 models, 50k + 10k, all metrics + disagreement matching ({kind})"),
        |b| b.iter(|| compare(&source, &target, &options).unwrap()),
    );
    group.finish();
}

/// Val with ReaL and multi-labels and the 67 models; b-33 with the same models.
fn real_evaluations(data: &Path, dir: &Path) -> (Evaluation, Evaluation) {
    let path = dir.join("bench.bagel");
    let mut project = Inputs::top5_67_models(dir).build_project(&path);
    let json = data.join(format!("imagenetv2/datasets/{TARGET}.json"));
    import_images(&mut project, TARGET, &json, None, &Silent).unwrap();
    let folder = data.join(format!("imagenetv2/predictions/{TARGET}"));
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|path| (bagel::import::model_name_of(&path), path))
        .collect();
    files.sort();
    let request = PredictionImport {
        dataset: TARGET,
        files: &files,
        order: None,
        top_k: None,
        replace: false,
        reverse_ranks: false,
        reading: Default::default(),
    };
    import_predictions(&mut project, &request, &Silent).unwrap();
    let project = Project::open(&path).unwrap();
    (
        Evaluation::load(&project, DATASET).unwrap(),
        Evaluation::load(&project, TARGET).unwrap(),
    )
}

/// The synthetic 67-model val project, and a target of 10,000 images the same models guess
/// on a little less well.
fn synthetic_evaluations(dir: &Path) -> (Evaluation, Evaluation) {
    let path = dir.join("bench.bagel");
    drop(Inputs::synthetic(dir, 67, 5).build_project(&path));
    let source = Evaluation::load(&Project::open(&path).unwrap(), DATASET).unwrap();
    let mut rng = Rng::new(2019);
    // Ten images a class, as ImageNetV2 has.
    let truth: Vec<Option<ClassId>> = (0..TARGET_IMAGES)
        .map(|i| Some((i % CLASSES) as ClassId))
        .collect();
    let mut row = Vec::with_capacity(5);
    let models = (source.models.iter())
        .map(|(name, _)| {
            let mut class_ids = Vec::with_capacity(TARGET_IMAGES * 5);
            for label in &truth {
                ranked_guesses(&mut rng, label.unwrap(), 5, &mut row);
                class_ids.extend_from_slice(&row);
            }
            let top = TopK {
                k: 5,
                class_ids,
                ..Default::default()
            };
            (name.clone(), top)
        })
        .collect();
    let target = Evaluation {
        dataset: TARGET.into(),
        dataset_id: 2,
        truth,
        kinds: source.kinds.clone(),
        collapse: source.collapse.clone(),
        collapse_enabled: false,
        hierarchy: bagel::vocab::Hierarchy::new(&bagel::vocab::Vocabulary::imagenet1k()),
        real: None,
        multilabel: None,
        relabeled: None,
        decisions: 0,
        decided_outside_multilabels: 0,
        slice: None,
        models,
        emptied_files: Vec::new(),
    };
    (source, target)
}

criterion_group!(benches, comparison);
criterion_main!(benches);
