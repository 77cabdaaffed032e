//! A researcher's GPU job saved one model's predictions every common way (timm's inference.py
//! in each of its layouts, torch.save, safetensors, numpy with names, pandas, Hugging Face):
//! each file, imported as written, gives the same predictions and figures as the .npy of the
//! same logits. The files are made by scripts/make_prediction_fixtures.py with the real
//! libraries; tests/fixtures/predictions/images.csv labels the six images from the model's own
//! ranking, so top-1 is 3/6 and top-5 5/6.

mod common;

use bagel::data::TopK;
use bagel::store::Project;
use common::{bagel, bagel_ok, metrics_json, on_val};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/predictions")
        .join(name)
}

/// A project with the six images, and the reference model "npy" from logits.npy.
fn project(dir: &Path) -> PathBuf {
    let p = dir.join("p.bagel");
    let ps = p.to_str().unwrap();
    bagel_ok(&["new", ps]);
    let images = fixture("images.csv");
    bagel_ok(&on_val(
        &["import", "images"],
        ps,
        &[images.to_str().unwrap()],
    ));
    import(&p, "npy", "logits.npy", &["--top-k", "5"]);
    p
}

fn import(project: &Path, model: &str, file: &str, extra: &[&str]) -> String {
    let file = fixture(file);
    let mut args = vec![
        "import",
        "predictions",
        project.to_str().unwrap(),
        "--dataset",
        "val",
        "--model",
        model,
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    bagel_ok(&args)
}

fn stored(project: &Path, model: &str) -> TopK {
    let opened = Project::open_read_only(project).unwrap();
    let dataset = opened.dataset("val").unwrap();
    let models = opened.models(dataset.id).unwrap();
    let info = models.iter().find(|m| m.name == model).unwrap();
    opened.predictions(info.id, dataset.id, true).unwrap()
}

/// The same ranked classes as the reference, to the ranks the file kept, and the same scores
/// and uncertainties where it has them (text files round floats to 6-8 digits).
fn assert_same(project: &Path, model: &str) {
    let (reference, read) = (stored(project, "npy"), stored(project, model));
    assert_eq!(read.num_images(), 6, "{model}");
    for image in 0..6 {
        let ranks = read.k.min(reference.k);
        let ids = |top: &TopK| top.class_ids[image * top.k..image * top.k + ranks].to_vec();
        assert_eq!(ids(&read), ids(&reference), "{model}: image {image}");
        if let (Some(scores), Some(expected)) = (&read.scores, &reference.scores) {
            for rank in 0..ranks {
                let (a, b) = (
                    scores[image * read.k + rank],
                    expected[image * reference.k + rank],
                );
                assert!(
                    (a - b).abs() < 1e-4,
                    "{model}: image {image} rank {rank}: {a} vs {b}"
                );
            }
        }
    }
    for (column, expected) in [
        (&read.max_softmax, &reference.max_softmax),
        (&read.entropy, &reference.entropy),
    ] {
        if let (Some(column), Some(expected)) = (column, expected) {
            for (a, b) in column.iter().zip(expected) {
                assert!((a - b).abs() < 1e-4, "{model}: {a} vs {b}");
            }
        }
    }
}

/// The figures `bagel metrics` reports for a model.
fn figures(project: &Path, model: &str) -> (f64, Option<f64>) {
    let report = metrics_json(project, &[]);
    let models = report["models"].as_array().unwrap();
    let found = models.iter().find(|m| m["model"] == model).unwrap();
    (found["top1"].as_f64().unwrap(), found["top5"].as_f64())
}

#[test]
fn every_output_of_timm_inference_reads_like_the_npy() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    assert_eq!(figures(&p, "npy"), (0.5, Some(5.0 / 6.0)));
    for (model, file) in [
        ("csv", "timm_index.csv"),
        ("separate", "timm_index_separate.csv"),
        ("by_name", "timm_index.json"),
        ("split", "timm_index_split.json"),
        ("record", "timm_index_record.json"),
        ("parquet", "timm_index.parquet"),
        ("description", "timm_description.csv"),
        ("wnid", "timm_wnid.csv"),
        ("detailed", "timm_detailed.json"),
        ("top1", "timm_top1.csv"),
        ("all_probs", "timm_all_probs.csv"),
        ("all_logits", "timm_all_logits_separate.csv"),
        ("all_logits_parquet", "timm_all_logits.parquet"),
    ] {
        import(&p, model, file, &["--top-k", "5"]);
        assert_same(&p, model);
    }
    let custom = ["--filename-col", "image_id", "--index-col", "cls"];
    import(&p, "custom", "timm_custom_columns.csv", &custom);
    assert_same(&p, "custom");
    for model in ["csv", "parquet", "description", "all_logits", "custom"] {
        assert_eq!(figures(&p, model), figures(&p, "npy"), "{model}");
    }
    // Full scores keep max softmax and entropy, whether timm wrote probabilities or logits.
    for model in ["all_probs", "all_logits", "all_logits_parquet"] {
        assert!(stored(&p, model).entropy.is_some(), "{model}");
    }
}

#[test]
fn torch_safetensors_numpy_pandas_and_hugging_face_files_read_like_the_npy() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    for (model, file) in [
        ("pt_tensor", "logits_tensor.pt"),
        ("pt_named_shuffled", "logits_named_shuffled.pth"),
        ("pt_top5", "top5_ids.pt"),
        ("safetensors", "logits_named_shuffled.safetensors"),
        ("npz_named_shuffled", "logits_named_shuffled.npz"),
        ("wide_wnids", "wide_wnids.csv"),
        ("wide_indices", "wide_indices.csv"),
        ("hf", "hf_pipeline.jsonl"),
    ] {
        import(&p, model, file, &[]);
        assert_same(&p, model);
        assert_eq!(figures(&p, model), figures(&p, "npy"), "{model}");
    }
}

#[test]
fn feather_and_arrow_tables_read_like_the_npy() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    for (model, file) in [
        // timm's parquet results saved with pandas' to_feather: lz4 (its default), and
        // --topk 0 logits with zstd.
        ("feather", "timm_index.feather"),
        ("feather_logits_zstd", "timm_all_logits_zstd.feather"),
        // A pyarrow table with per-rank columns, rows shuffled (matched by name): an IPC file
        // and an IPC stream.
        ("arrow_per_rank", "per_rank_shuffled.arrow"),
        ("arrow_stream", "per_rank_shuffled.arrows"),
    ] {
        import(&p, model, file, &["--top-k", "5"]);
        assert_same(&p, model);
        assert_eq!(figures(&p, model), figures(&p, "npy"), "{model}");
    }
    assert_eq!(figures(&p, "feather"), (0.5, Some(5.0 / 6.0)));
    assert!(stored(&p, "feather_logits_zstd").entropy.is_some());
    assert!(stored(&p, "arrow_per_rank").scores.is_some());
}

#[test]
fn a_feather_table_without_the_expected_columns_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let file = fixture("wrong_columns.feather");
    let run = bagel(&[
        "import",
        "predictions",
        p.to_str().unwrap(),
        "--dataset",
        "val",
        "--model",
        "wrong",
        file.to_str().unwrap(),
    ]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("wrong_columns.feather: no class index, label or probability column in [\"image\", \"confidence\"]; expected timm inference.py output: a filename column"),
        "{}",
        run.stderr
    );
    // Nothing of it is stored.
    let opened = Project::open_read_only(&p).unwrap();
    let dataset = opened.dataset("val").unwrap();
    assert!(
        (opened.models(dataset.id).unwrap().iter()).all(|m| m.name != "wrong"),
        "a refused file adds no model"
    );
}

#[test]
fn names_that_are_not_the_datasets_images_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.bagel");
    let ps = p.to_str().unwrap();
    bagel_ok(&["new", ps]);
    let other: String = (1..=6).map(|i| format!("other_{i}.jpg,0\n")).collect();
    let images = dir.path().join("images.csv");
    std::fs::write(&images, format!("file,label\n{other}")).unwrap();
    bagel_ok(&on_val(
        &["import", "images"],
        ps,
        &[images.to_str().unwrap()],
    ));
    let file = fixture("logits_named_shuffled.npz");
    let run = bagel(&on_val(
        &["import", "predictions"],
        ps,
        &[file.to_str().unwrap()],
    ));
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("6 of its 6 image names are not images of dataset \"val\"")
            && run
                .stderr
                .contains("row 0 \"ILSVRC2012_val_00000004.JPEG\""),
        "{}",
        run.stderr
    );
}

#[test]
fn tf_slim_scores_with_a_background_class_are_refused_with_the_hint_then_read_with_it() {
    let fixture = common::Fixture::new();
    let p = fixture.imported_project();
    let ps = p.to_str().unwrap();
    // TF-slim's 1001 logits per image: background first, then the 1000 classes.
    let logits = common::logits();
    let slim: Vec<f32> = logits
        .chunks(1000)
        .flat_map(|row| std::iter::once(9.0).chain(row.iter().copied()))
        .collect();
    let slim = fixture.write(
        "slim.npy",
        &common::npy("<f4", &[6, 1001], &common::f32_bytes(&slim)),
    );
    let slim = slim.to_str().unwrap();
    let refused = bagel(&on_val(
        &["import", "predictions"],
        ps,
        &["--model", "slim", slim],
    ));
    assert!(!refused.ok);
    assert!(
        refused
            .stderr
            .contains("float array with 1001 columns; expected 1000 scores per image")
            && refused.stderr.contains("--background-class"),
        "{}",
        refused.stderr
    );
    let flag = ["--background-class", "--top-k", "3"];
    let mut args = vec![
        "import",
        "predictions",
        ps,
        "--dataset",
        "val",
        "--model",
        "slim",
        slim,
    ];
    args.extend_from_slice(&flag);
    bagel_ok(&args);
    // Its class ids, one higher than ImageNet's, read the same with the flag.
    let shifted: Vec<u8> = common::TOP3
        .iter()
        .flatten()
        .flat_map(|&c| (c as i64 + 1).to_le_bytes())
        .collect();
    let ids = fixture.write("slim_ids.npy", &common::npy("<i8", &[6, 3], &shifted));
    let ids = ids.to_str().unwrap();
    bagel_ok(&on_val(
        &["import", "predictions"],
        ps,
        &["--model", "slim_ids", ids, "--background-class"],
    ));
    for model in ["slim", "slim_ids"] {
        assert_eq!(
            stored(&p, model).class_ids,
            stored(&p, "m").class_ids,
            "{model}"
        );
    }
}

#[test]
fn a_label_naming_two_classes_is_refused_with_both() {
    let fixture = common::Fixture::new();
    let p = fixture.imported_project();
    let rows: String = (0..6)
        .map(|i| format!("{},crane,0.9\n", common::file_name(i)))
        .collect();
    let file = fixture.write(
        "cranes.csv",
        format!("filename,label,prob\n{rows}").as_bytes(),
    );
    let run = bagel(&on_val(
        &["import", "predictions"],
        p.to_str().unwrap(),
        &[file.to_str().unwrap()],
    ));
    assert!(!run.ok);
    assert!(
        run.stderr.contains("line 2, column \"label\": label \"crane\" names several classes: 134 crane (n02012849), 517 crane (n03126707)"),
        "{}",
        run.stderr
    );
}
