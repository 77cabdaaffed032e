//! The published figures, reproduced from the real files in ../shared/data when they are there
//! (the repository does not ship them; each test says so and returns when they are missing).

mod common;

use common::*;
use std::path::PathBuf;

/// Every file the tests read, relative to the data folder.
const NEEDED: &[&str] = &[
    "imagenet/real/real.json",
    "imagenet/val/val_labels_cid.txt",
    "imagenet/multilabel_unlicensed/imagenet2012_multilabel_validation.csv",
    "imagenet/multilabel_unlicensed/multilabel_v3_layout.json",
    "imagenetv2/datasets/imagenet-validation-original.json",
    "imagenetv2/datasets/imagenetv2-b-33.json",
    "imagenetv2/predictions/imagenet-validation-original/resnet152.npy",
    "imagenetv2/predictions/imagenetv2-b-33/resnet152.npy",
];

fn shared_data() -> Option<PathBuf> {
    real_data(NEEDED)
}

fn model(report: &serde_json::Value, name: &str) -> serde_json::Value {
    report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == name)
        .unwrap()
        .clone()
}

#[test]
fn resnet152_reproduces_the_published_figures_on_val_and_imagenetv2() {
    let Some(data) = shared_data() else { return };
    let fixture = Fixture::new();
    let p = fixture.project();
    let p = p.to_str().unwrap();
    let path = |relative: &str| data.join(relative).to_str().unwrap().to_owned();
    bagel_ok(&["new", p]);
    bagel_ok(&on_val(
        &["import", "images"],
        p,
        &[&path(
            "imagenetv2/datasets/imagenet-validation-original.json",
        )],
    ));
    bagel_ok(&on_val(
        &["import", "labels"],
        p,
        &[&path("imagenet/real/real.json")],
    ));
    bagel_ok(&on_val(
        &["import", "labels"],
        p,
        &[&path(
            "imagenet/multilabel_unlicensed/multilabel_v3_layout.json",
        )],
    ));
    let predictions = "imagenetv2/predictions/imagenet-validation-original";
    bagel_ok(&on_val(
        &["import", "predictions"],
        p,
        &[
            &path(&format!("{predictions}/resnet152.npy")),
            &path(&format!("{predictions}/resnet50.npy")),
            &path(&format!("{predictions}/nasnetalarge.npy")),
        ],
    ));
    let report = metrics_json(&fixture.project(), &[]);
    let resnet152 = model(&report, "resnet152");
    assert_close(&resnet152["top1"], 0.78312);
    assert_close(&resnet152["top5"], 0.94046);
    assert!((resnet152["real"].as_f64().unwrap() - 0.8482).abs() < 5e-5);
    assert!((resnet152["mla"].as_f64().unwrap() - 0.8756).abs() < 5e-5);
    assert!((model(&report, "resnet50")["mla"].as_f64().unwrap() - 0.8508).abs() < 5e-5);
    assert!((model(&report, "nasnetalarge")["mla"].as_f64().unwrap() - 0.9161).abs() < 5e-5);
    // The numpy anchor (shared/bench/numpy_baseline.py) prints ASMA 0.5281972195118773.
    assert!((resnet152["asma"].as_f64().unwrap() - 0.5281972195118773).abs() < 1e-12);

    bagel_ok(&[
        "import",
        "images",
        p,
        "--dataset",
        "v2",
        &path("imagenetv2/datasets/imagenetv2-b-33.json"),
    ]);
    bagel_ok(&[
        "import",
        "predictions",
        p,
        "--dataset",
        "v2",
        &path("imagenetv2/predictions/imagenetv2-b-33/resnet152.npy"),
    ]);
    let v2 = serde_json::from_str::<serde_json::Value>(&bagel_ok(&[
        "metrics",
        p,
        "--dataset",
        "v2",
        "--json",
    ]))
    .unwrap();
    assert_close(&model(&v2, "resnet152")["top1"], 0.6702);
    assert!(
        model(&v2, "resnet152")["real"].is_null(),
        "ImageNetV2 has no ReaL labels"
    );
}

#[test]
fn the_third_party_multilabel_csv_gives_the_same_mla() {
    let Some(data) = shared_data() else { return };
    let fixture = Fixture::new();
    let p = fixture.project();
    let p = p.to_str().unwrap();
    let path = |relative: &str| data.join(relative).to_str().unwrap().to_owned();
    bagel_ok(&["new", p]);
    // An ILSVRC-ordered "file label" list, as Caffe-style val.txt files are written.
    let labels = std::fs::read_to_string(data.join("imagenet/val/val_labels_cid.txt")).unwrap();
    let list: String = labels
        .lines()
        .enumerate()
        .map(|(i, cid)| format!("{} {cid}\n", file_name(i)))
        .collect();
    let list_path = fixture.write("val.txt", list.as_bytes());
    bagel_ok(&on_val(
        &["import", "images"],
        p,
        &[list_path.to_str().unwrap()],
    ));
    bagel_ok(&on_val(
        &["import", "labels"],
        p,
        &[&path(
            "imagenet/multilabel_unlicensed/imagenet2012_multilabel_validation.csv",
        )],
    ));
    let order = path("imagenetv2/datasets/imagenet-validation-original.json");
    bagel_ok(&on_val(
        &["import", "predictions"],
        p,
        &[
            "--order",
            &order,
            &path("imagenetv2/predictions/imagenet-validation-original/resnet152.npy"),
        ],
    ));
    let report = metrics_json(&fixture.project(), &[]);
    let resnet152 = model(&report, "resnet152");
    assert_close(&resnet152["top1"], 0.78312);
    assert!((resnet152["mla"].as_f64().unwrap() - 0.8756).abs() < 5e-5);
}
