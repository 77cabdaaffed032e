//! The bundled sample project builds from sample_data and shows a panel's real situation:
//! three real models that disagree. The expected figures were worked out from
//! sample_data/*.csv and the three .npy files by hand and checked with plain numpy.

mod common;

use bagel::metrics::{Evaluation, MetricOptions};
use bagel::panel::Review;
use bagel::progress::Silent;
use bagel::sample::{DATASET, MODELS, build_sample_project};
use bagel::store::Project;
use bagel::vocab::Vocabulary;

fn assert_close(got: Option<f64>, expected: f64, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what} is missing"));
    assert!((got - expected).abs() < 1e-9, "{what}: {got} vs {expected}");
}

#[test]
fn the_sample_project_has_images_labels_and_three_real_models() {
    let dir = tempfile::tempdir().unwrap();
    let path = build_sample_project(dir.path()).unwrap();
    let project = Project::open(&path).unwrap();
    let dataset = project.dataset(DATASET).unwrap();
    assert_eq!(dataset.num_images, 14);
    let root = dataset.image_root.unwrap();
    let images = project.images(dataset.id).unwrap();
    assert!(
        images.files.iter().all(|f| root.join(f).is_file()),
        "images unpacked under {}",
        root.display()
    );
    let report = Evaluation::load(&project, DATASET)
        .unwrap()
        .report(&MetricOptions::default());
    let names: Vec<&str> = report.models.iter().map(|m| m.model.as_str()).collect();
    assert_eq!(names, MODELS);

    // top-1 hits the original label on: astronaut_helmet (Lite0, Lite2), astronaut_shuttle,
    // camera and coffee (all), rocket_body (Lite1, Lite2).
    // ReaL: 13 images have a ReaL set (brick.jpg's is empty); Lite1 loses astronaut_helmet
    // (football helmet) and wins camera_man (reflex camera) but loses camera_skyline and rocket.
    // MLA: the 9 non-problematic images over 8 original classes; each model gets 5.5 of them
    // right (projectile's two images count half each), on different images.
    // ASMA (ReaL sets, Jaccard): subgroups of 3, 6, 1 and 3 images with 1..4 labels.
    let expected = [
        (
            4.0 / 14.0,
            7.0 / 13.0,
            (2.0 / 3.0 + 2.0 / 9.0 + 1.0 + 13.0 / 63.0) / 4.0,
        ),
        (
            4.0 / 14.0,
            6.0 / 13.0,
            (1.0 / 3.0 + 1.0 / 3.0 + 1.0 + 17.0 / 63.0) / 4.0,
        ),
        (
            5.0 / 14.0,
            7.0 / 13.0,
            (2.0 / 3.0 + 5.0 / 18.0 + 1.0 + 1.0 / 3.0) / 4.0,
        ),
    ];
    for (model, (top1, real, asma)) in report.models.iter().zip(expected) {
        let name = &model.model;
        assert_close(model.top1, top1, &format!("{name} top-1"));
        assert_close(model.real, real, &format!("{name} ReaL"));
        assert_close(model.mla, 5.5 / 8.0, &format!("{name} MLA"));
        assert_close(
            model.mla_per_image,
            6.0 / 9.0,
            &format!("{name} MLA per image"),
        );
        assert_close(model.mla_organisms, 1.0, &format!("{name} MLA organisms"));
        assert_close(model.mla_objects, 4.5 / 7.0, &format!("{name} MLA objects"));
        assert_close(model.asma, asma, &format!("{name} ASMA"));
        // Multi-label ambiguity: the models miss the original label more often than every
        // valid label.
        assert!(model.mla_per_image.unwrap() > model.top1.unwrap());
    }
    // Rebuilding over an existing sample folder starts afresh instead of failing.
    build_sample_project(dir.path()).unwrap();
}

#[test]
fn the_sample_queue_shows_where_the_models_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let path = build_sample_project(dir.path()).unwrap();
    let project = Project::open(&path).unwrap();
    let review = Review::load(&project, DATASET, "tess", &Silent).unwrap();
    let items = review.queue.items();
    // 16 (image, label) pairs: two made by all three models (brick's maze, clock's bubble),
    // two by two models (astronaut's football helmet, coffee_spoon's hourglass), and twelve by
    // one model only.
    assert_eq!(items.len(), 16);
    let by = |n: usize| items.iter().filter(|i| i.models.len() == n).count();
    assert_eq!((by(3), by(2), by(1)), (2, 2, 12));
    // The horse: each model names a different dog breed.
    let vocab = Vocabulary::imagenet1k();
    let horse = 11;
    let breeds: Vec<&str> = review
        .queue
        .items_of(horse)
        .iter()
        .map(|i| vocab.class(i.label).unwrap().name())
        .collect();
    assert_eq!(breeds.len(), 3, "{breeds:?}");
    assert!(breeds.contains(&"Great Dane"), "{breeds:?}");
    // One pair is novel (bubble on the clock, left unjudged for the tour); the rest were
    // judged wrong before.
    let novel: Vec<(u32, &str)> = items
        .iter()
        .filter(|i| i.novel)
        .map(|i| (i.image, vocab.class(i.label).unwrap().name()))
        .collect();
    assert_eq!(novel, vec![(8, "bubble")]);
    assert!(items.iter().filter(|i| !i.novel).all(|i| i.judged_wrong));
}

/// `bagel sample` in a home of its own: the data folder comes from HOME / XDG_DATA_HOME.
fn bagel_sample(home: &std::path::Path) -> std::path::PathBuf {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bagel"))
        .arg("sample")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().into()
}

#[test]
fn a_sample_project_an_older_bagel_built_is_rebuilt() {
    let home = tempfile::tempdir().unwrap();
    let path = bagel_sample(home.path());
    // An older sample: other models than this binary's.
    let old = path
        .with_file_name("predictions")
        .join("efficientnet_lite0.npy");
    let old = old.to_str().unwrap();
    let project = path.to_str().unwrap();
    common::bagel_ok(&[
        "import",
        "predictions",
        project,
        "--dataset",
        DATASET,
        "--model",
        "old_model",
        old,
    ]);
    let models = |path: &std::path::Path| {
        let project = Project::open(path).unwrap();
        let dataset = project.dataset(DATASET).unwrap();
        let models = project.models(dataset.id).unwrap();
        models.into_iter().map(|m| m.name).collect::<Vec<_>>()
    };
    assert_eq!(models(&path).len(), 4);
    assert_eq!(bagel_sample(home.path()), path);
    assert_eq!(models(&path), MODELS);
}
