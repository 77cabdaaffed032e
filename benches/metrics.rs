//! The metric targets:
//! - every metric for 67 models × 50,000 images (top-5), once loaded: under 20 ms;
//! - the same for 300 models × 50,000 images (top-10, synthetic): under 100 ms;
//! - opening a project with 67 × 50,000 predictions (open + load): under 1 s.
//!
//! Run: cargo bench --bench metrics   (BAGEL_DATA=/path/to/shared/data to point at the data)

mod support;

use bagel::data::{ImageLabels, LabelEntry, LabelKind, TopK};
use bagel::metrics::{Evaluation, MetricOptions, ValidSets};
use bagel::store::Project;
use bagel::vocab::{ClassId, Hierarchy, Vocabulary};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use std::cell::OnceCell;
use support::{CLASSES, DATASET, IMAGES, Inputs, Rng, ranked_guesses, real_like_set};

fn metrics(c: &mut Criterion) {
    // The project and the evaluations are built on first use: a filtered run (`-- 300`)
    // skips the set-up of the benchmarks it leaves out.
    let dir = tempfile::tempdir().unwrap();
    let inputs = Inputs::top5_67_models(dir.path());
    let source = if inputs.synthetic {
        "synthetic"
    } else {
        "real data"
    };
    let path = dir.path().join("bench.bagel");
    let project = OnceCell::new();
    let built = || project.get_or_init(|| drop(inputs.build_project(&path)));
    let loaded = OnceCell::new();
    let synthetic = OnceCell::new();
    let options = MetricOptions::default();
    let mut group = c.benchmark_group("metrics");
    // Flat: the same iteration count per sample, so slow cases do not run for minutes.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);

    group.bench_function(format!("report 67 models x 50k top-5 ({source})"), |b| {
        built();
        let loaded = loaded
            .get_or_init(|| Evaluation::load(&Project::open(&path).unwrap(), DATASET).unwrap());
        b.iter(|| loaded.report(&options))
    });
    group.bench_function("report 300 models x 50k top-10 (synthetic)", |b| {
        let synthetic = synthetic.get_or_init(|| synthetic_evaluation(300, 10));
        b.iter(|| synthetic.report(&options))
    });
    group.bench_function(
        format!("open + load 67 models x 50k top-5 ({source})"),
        |b| {
            built();
            b.iter(|| Evaluation::load(&Project::open(&path).unwrap(), DATASET).unwrap())
        },
    );
    group.finish();
}

/// What `Evaluation::load` would give for `models` synthetic models: ReaL-like sets on every
/// image, multi-labels on 20,000 (as imagenet2012_multilabel has) and a 68-image slice (as
/// ImageNet-M), so every metric of the report runs.
fn synthetic_evaluation(models: usize, k: usize) -> Evaluation {
    let mut rng = Rng::new(300);
    let vocab = Vocabulary::imagenet1k();
    let identity: Vec<ClassId> = (0..CLASSES as ClassId).collect();
    let truth: Vec<ClassId> = (0..IMAGES).map(|_| rng.class()).collect();
    let real_entries: Vec<_> = (truth.iter().enumerate())
        .map(|(image, &t)| {
            let correct = real_like_set(&mut rng, t);
            (
                image,
                LabelEntry {
                    correct,
                    ..Default::default()
                },
            )
        })
        .collect();
    let real = ImageLabels::from_entries(LabelKind::Real, IMAGES, real_entries);
    let multilabel_entries: Vec<_> = (0..IMAGES)
        .filter(|image| image % 5 < 2)
        .map(|image| {
            let entry = LabelEntry {
                correct: vec![truth[image]],
                unclear: if rng.chance(0.2) {
                    vec![rng.class()]
                } else {
                    vec![]
                },
                wrong: vec![rng.class()],
                problematic: rng.chance(0.065),
            };
            (image, entry)
        })
        .collect();
    let multilabel = ImageLabels::from_entries(LabelKind::MultiLabel, IMAGES, multilabel_entries);
    let mut row = Vec::with_capacity(k);
    let models = (0..models)
        .map(|m| {
            let mut class_ids = Vec::with_capacity(IMAGES * k);
            for &t in &truth {
                ranked_guesses(&mut rng, t, k, &mut row);
                class_ids.extend_from_slice(&row);
            }
            let top = TopK {
                k,
                class_ids,
                ..Default::default()
            };
            (format!("model_{m:03}"), top)
        })
        .collect();
    Evaluation {
        dataset: DATASET.into(),
        files: Vec::new(),
        truth: truth.iter().map(|&t| Some(t)).collect(),
        kinds: vocab.classes().iter().map(|class| class.kind).collect(),
        collapse_enabled: false,
        hierarchy: Hierarchy::new(&vocab),
        real: Some(("real".into(), ValidSets::from_real(&real, &identity))),
        multilabel: Some((
            "multilabel".into(),
            ValidSets::from_multilabel(&multilabel, &identity),
        )),
        relabeled: Some(ValidSets::relabeled(&multilabel, &[], &identity)),
        decisions: 0,
        decided_outside_multilabels: 0,
        slice: Some(("imagenet_m".into(), (0..68).map(|i| i * 700).collect())),
        collapse: identity,
        models,
    }
}

criterion_group!(benches, metrics);
criterion_main!(benches);
