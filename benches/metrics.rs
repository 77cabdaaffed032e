//! The metric targets:
//! - every metric for 67 models × 50,000 images (top-5), once loaded: under 20 ms;
//! - the same for 300 models × 50,000 images (top-10, synthetic): under 100 ms;
//! - opening a project with 67 × 50,000 predictions (open + load): under 1 s.
//!
//! The re-labeled MLA runs only when decisions exist, so the report is also timed with 2,000
//! decisions on multi-labeled images; and "open as the desk does" is `Review::load`: the
//! evaluation with scores, the review queue, the live metrics and the class-browser index.
//!
//! Run: cargo bench --bench metrics   (BAGEL_DATA=/path/to/shared/data to point at the data)

mod support;

use bagel::data::{ImageLabels, LabelEntry, LabelKind, TopK};
use bagel::metrics::{Evaluation, MetricOptions, ValidSets};
use bagel::panel::{Decision, Review, Verdict};
use bagel::progress::Silent;
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
    let decided_path = dir.path().join("decided.bagel");
    let decided = OnceCell::new();
    let with_decisions = || {
        decided.get_or_init(|| {
            built();
            std::fs::copy(&path, &decided_path).unwrap();
            add_decisions(&decided_path, DECISIONS);
        })
    };
    let loaded_decided = OnceCell::new();
    let synthetic_decided = OnceCell::new();
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
    group.bench_function(
        format!("report 67 models x 50k top-5, {DECISIONS} decisions ({source})"),
        |b| {
            with_decisions();
            let loaded = loaded_decided.get_or_init(|| {
                Evaluation::load(&Project::open(&decided_path).unwrap(), DATASET).unwrap()
            });
            assert_eq!(loaded.decisions, DECISIONS);
            b.iter(|| loaded.report(&options))
        },
    );
    group.bench_function(
        format!("report 67 models x 50k top-5, {DECISIONS} decisions (in memory, synthetic)"),
        |b| {
            let synthetic =
                synthetic_decided.get_or_init(|| synthetic_evaluation(67, 5, DECISIONS));
            b.iter(|| synthetic.report(&options))
        },
    );
    group.bench_function("report 300 models x 50k top-10 (synthetic)", |b| {
        let synthetic = synthetic.get_or_init(|| synthetic_evaluation(300, 10, 0));
        b.iter(|| synthetic.report(&options))
    });
    group.bench_function(
        format!("open + load 67 models x 50k top-5 ({source})"),
        |b| {
            built();
            b.iter(|| Evaluation::load(&Project::open(&path).unwrap(), DATASET).unwrap())
        },
    );
    group.bench_function(
        format!("open as the desk does, 67 models x 50k top-5, {DECISIONS} decisions ({source})"),
        |b| {
            with_decisions();
            b.iter(|| {
                let project = Project::open(&decided_path).unwrap();
                Review::load(&project, DATASET, "bench", &Silent).unwrap()
            })
        },
    );
    group.finish();
}

/// Decisions on 2,000 images, as a panel's few weeks of review might leave.
const DECISIONS: usize = 2000;

/// Records `count` decisions, alternating verdicts, on the images the multi-labels cover (or
/// the first images when there are none, as in the synthetic project), in one transaction.
fn add_decisions(path: &std::path::Path, count: usize) {
    let covered: Vec<i64> = {
        let project = Project::open(path).unwrap();
        let dataset = project.dataset(DATASET).unwrap();
        match project
            .label_source(dataset.id, LabelKind::MultiLabel, None)
            .unwrap()
        {
            Some(source) => (project.image_labels(&source, dataset.num_images).unwrap())
                .labeled
                .iter()
                .enumerate()
                .filter(|(_, labeled)| **labeled)
                .map(|(image, _)| image as i64)
                .collect(),
            None => Vec::new(),
        }
    };
    let images: Vec<i64> = match covered.len() {
        0 => (0..count as i64).collect(),
        n => (0..count).map(|i| covered[i * n / count]).collect(),
    };
    let verdicts = ["correct", "wrong", "unclear", "problematic"];
    let mut rng = Rng::new(11);
    let conn = rusqlite::Connection::open(path).unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for (i, image) in images.into_iter().enumerate() {
        tx.execute(
            "INSERT OR REPLACE INTO decisions
                 (dataset_id, image_idx, label, kind, verdict, source, decided_at)
             VALUES (1, ?1, ?2, 'panel', ?3, 'bench', 'now')",
            rusqlite::params![image, rng.class(), verdicts[i % verdicts.len()]],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

/// What `Evaluation::load` would give for `models` synthetic models: ReaL-like sets on every
/// image, multi-labels on 20,000 (as imagenet2012_multilabel has) with `decisions` decisions
/// on them, and a 68-image slice (as ImageNet-M), so every metric of the report runs.
fn synthetic_evaluation(models: usize, k: usize, decisions: usize) -> Evaluation {
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
    let verdicts = [Verdict::Correct, Verdict::Wrong, Verdict::Unclear];
    let decided: Vec<Decision> = (0..decisions)
        .map(|i| Decision {
            // Every 10th multi-labeled image (images with image % 5 < 2 are).
            image: (i * 25) as u32,
            label: rng.class(),
            verdict: verdicts[i % verdicts.len()],
            category: None,
            severity: None,
            severity_word: None,
            source: "bench".into(),
            reason: String::new(),
        })
        .collect();
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
        dataset_id: 1,
        truth: truth.iter().map(|&t| Some(t)).collect(),
        kinds: vocab.classes().iter().map(|class| class.kind).collect(),
        collapse_enabled: false,
        hierarchy: Hierarchy::new(&vocab),
        real: Some(("real".into(), ValidSets::from_real(&real, &identity))),
        multilabel: Some((
            "multilabel".into(),
            ValidSets::from_multilabel(&multilabel, &identity),
        )),
        relabeled: Some(ValidSets::relabeled(&multilabel, &decided, &identity)),
        decisions: decided.len(),
        decided_outside_multilabels: 0,
        slice: Some(("imagenet_m".into(), (0..68).map(|i| i * 700).collect())),
        collapse: identity,
        models,
        emptied_files: Vec::new(),
    }
}

criterion_group!(benches, metrics);
criterion_main!(benches);
