//! The bundled sample project builds from sample_data and shows real review situations.

mod common;

use bagel::metrics::{Evaluation, MetricOptions};
use bagel::sample::{DATASET, MODEL, build_sample_project};
use bagel::store::Project;

#[test]
fn the_sample_project_has_images_labels_and_a_real_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = build_sample_project(dir.path()).unwrap();
    let project = Project::open(&path).unwrap();
    let dataset = project.dataset(DATASET).unwrap();
    assert!(dataset.num_images >= 10);
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
    let model = &report.models[0];
    assert_eq!(model.model, MODEL);
    // The sample is built to show multi-label ambiguity: the model's top-1 misses the original
    // label more often than it misses every valid label.
    let (top1, mla) = (model.top1.unwrap(), model.mla_per_image.unwrap());
    assert!(
        mla > top1,
        "MLA {mla} should exceed top-1 {top1} on the sample"
    );
    assert!(model.real.is_some() && model.asma.is_some());
    // Rebuilding over an existing sample folder starts afresh instead of failing.
    build_sample_project(dir.path()).unwrap();
}
