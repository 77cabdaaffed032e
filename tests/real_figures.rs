//! Figures that mean what they say, on the real files in ../shared/data (or $BAGEL_DATA):
//! the reviewed-mistake statistics over the reviewed models only, ImageNet-M from the two
//! published reviews, and label exports that round-trip exactly. Each test skips, saying so,
//! when the data is absent.

mod common;

use bagel::store::Project;
use bagel::verdict::{Decision, DecisionKind, Verdict};
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const IMAGES: &str = "imagenetv2/datasets/imagenet-validation-original.json";
const REAL: &str = "imagenet/real/real.json";
const MULTILABEL: &str = "imagenet/multilabel_unlicensed/multilabel_v3_layout.json";
const PREDICTIONS: &str = "imagenetv2/predictions/imagenet-validation-original";
const VIT3B: &str = "imagenet/mistakes/vit3b_mistakes.json";
const GREEDY_SOUPS: &str = "imagenet/mistakes/greedy_soups_mistakes.json";

fn data() -> Option<PathBuf> {
    real_data(&[
        IMAGES,
        REAL,
        MULTILABEL,
        VIT3B,
        GREEDY_SOUPS,
        "imagenetv2/predictions/models.txt",
    ])
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A val project with the images and the predictions of `models` ("*" for all 67).
fn val_project(fixture: &Fixture, name: &str, data: &Path, models: &[&str]) -> PathBuf {
    let path = fixture.path(name);
    let p = arg(&path);
    bagel_ok(&["new", p]);
    bagel_ok(&on_val(
        &["import", "images"],
        p,
        &[arg(&data.join(IMAGES))],
    ));
    let files: Vec<String> = match models {
        ["*"] => {
            let listed = std::fs::read_to_string(data.join("imagenetv2/predictions/models.txt"));
            (listed.unwrap().lines())
                .map(|model| format!("{PREDICTIONS}/{model}.npy"))
                .collect()
        }
        _ => models
            .iter()
            .map(|m| format!("{PREDICTIONS}/{m}.npy"))
            .collect(),
    };
    let files: Vec<String> = files
        .iter()
        .map(|f| arg(&data.join(f)).to_owned())
        .collect();
    let mut command = vec!["import", "predictions", p, "--dataset", "val"];
    command.extend(files.iter().map(String::as_str));
    bagel_ok(&command);
    path
}

fn import_review(project: &Path, data: &Path, model: &str, file: &str) {
    let p = arg(project);
    bagel_ok(&on_val(
        &["import", "review"],
        p,
        &["--model", model, arg(&data.join(file))],
    ));
}

fn near(value: &Value, expected: f64, tolerance: f64) {
    let actual = value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"));
    assert!(
        (actual - expected).abs() < tolerance,
        "{actual} is not {expected}"
    );
}

#[test]
fn the_chi_square_of_the_67_model_project_covers_the_two_reviewed_models() {
    let Some(data) = data() else { return };
    let fixture = Fixture::new();
    let project = val_project(&fixture, "real.bagel", &data, &["*"]);
    import_review(&project, &data, "vit3b", VIT3B);
    import_review(&project, &data, "greedy_soups", GREEDY_SOUPS);
    let report = metrics_json(&project, &[]);
    assert_eq!(report["models"].as_array().unwrap().len(), 69);
    assert_eq!(
        report["reviewed_models"],
        serde_json::json!(["greedy_soups", "vit3b"])
    );
    // The figures: over the two reviews, not the 67 models nobody reviewed.
    let categories = &report["chi_square"]["category"];
    assert_eq!(
        (categories["dof"].as_u64(), categories["n"].as_u64()),
        (Some(3), Some(627))
    );
    near(&categories["statistic"], 2.4292, 5e-5);
    near(&categories["p"], 0.4882, 5e-5);
    assert_eq!(
        categories["models"],
        serde_json::json!(["greedy_soups", "vit3b"])
    );
    let severities = &report["chi_square"]["severity"];
    assert_eq!(
        (severities["dof"].as_u64(), severities["n"].as_u64()),
        (Some(1), Some(627))
    );
    near(&severities["statistic"], 1.5797, 5e-5);
    near(&severities["p"], 0.2088, 5e-5);
    let resnet152 = (report["models"].as_array().unwrap().iter())
        .find(|m| m["model"] == "resnet152")
        .unwrap();
    assert!(
        resnet152.get("mistakes").is_none(),
        "resnet152 was not reviewed"
    );
    let unreviewed = report["unreviewed_with_decided_mistakes"]
        .as_array()
        .unwrap();
    assert!(unreviewed.iter().any(|m| m == "resnet152"));

    // The table says which models.
    let table = bagel_ok(&["metrics", arg(&project), "--dataset", "val"]);
    assert!(
        table.contains("chi-square over categories across greedy_soups, vit3b: χ²(3, N=627) = 2.4292, p = 0.4882"),
        "{table}"
    );
    assert!(table.contains("reviewed top-1 mistakes of the reviewed models: greedy_soups, vit3b"));

    // Named for one run, or stored in the project: resnet152 joins the test.
    let named = metrics_json(&project, &["--models", "vit3b,greedy_soups,resnet152"]);
    assert_eq!(
        named["chi_square"]["category"]["models"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let only_reviews = metrics_json(&project, &["--models", "vit3b,greedy_soups"]);
    assert_eq!(only_reviews["chi_square"], report["chi_square"]);
    bagel_ok(&[
        "config",
        arg(&project),
        "--dataset",
        "val",
        "--reviewed-models",
        "resnet152",
    ]);
    let stored = metrics_json(&project, &[]);
    assert_eq!(
        stored["reviewed_models"],
        serde_json::json!(["greedy_soups", "resnet152", "vit3b"])
    );
    assert_eq!(stored["chi_square"], named["chi_square"]);
}

#[test]
fn imagenet_m_comes_from_the_two_published_reviews() {
    let Some(data) = data() else { return };
    let fixture = Fixture::new();
    let project = val_project(&fixture, "real.bagel", &data, &["resnet152"]);
    import_review(&project, &data, "vit3b", VIT3B);
    import_review(&project, &data, "greedy_soups", GREEDY_SOUPS);
    let p = arg(&project);
    let said = bagel_ok(&on_val(
        &["slice"],
        p,
        &["--major-of", "vit3b,greedy_soups", "--at-least", "2"],
    ));
    // The data README: 48 images are major mistakes of both models.
    assert!(
        said.contains(": 48 images (major mistakes of at least 2 of vit3b, greedy_soups)"),
        "{said}"
    );
    let at_least_one = bagel_ok(&on_val(
        &["slice"],
        p,
        &[
            "--name",
            "either",
            "--major-of",
            "vit3b,greedy_soups",
            "--at-least",
            "1",
        ],
    ));
    // 154 + 89 major, 48 of them on the same images.
    assert!(at_least_one.contains(": 195 images"), "{at_least_one}");
    // A model with predictions and a review-only model mix.
    let mixed = bagel_ok(&on_val(
        &["slice"],
        p,
        &[
            "--name",
            "mixed",
            "--major-of",
            "resnet152,vit3b",
            "--at-least",
            "1",
        ],
    ));
    assert!(
        mixed.contains("images (major mistakes of at least 1 of resnet152, vit3b)"),
        "{mixed}"
    );
    let unknown = bagel(&on_val(
        &["slice"],
        p,
        &["--major-of", "vit3b,nobody", "--at-least", "1"],
    ));
    assert!(!unknown.ok);
    assert!(
        unknown
            .stderr
            .contains("neither predictions nor an imported review of model \"nobody\""),
        "{}",
        unknown.stderr
    );
}

/// Decisions inside and outside the multi-label set, worked from the TFDS dump.
fn decide(project: &Path) -> Vec<(String, u16, Verdict)> {
    let decided = vec![
        // Outside the multi-labels: the example (original label 970), and val 3's
        // original label 230 decided wrong (ReaL holds 230 and 231).
        ("ILSVRC2012_val_00000002.JPEG", 7, Verdict::Correct),
        ("ILSVRC2012_val_00000003.JPEG", 230, Verdict::Wrong),
        // Inside: the only valid label decided wrong (the image is left without one).
        ("ILSVRC2012_val_00047963.JPEG", 24, Verdict::Wrong),
        // A new valid label; an unclear one decided wrong; a wrong one decided correct.
        ("ILSVRC2012_val_00004014.JPEG", 3, Verdict::Correct),
        ("ILSVRC2012_val_00022133.JPEG", 248, Verdict::Wrong),
        ("ILSVRC2012_val_00011754.JPEG", 204, Verdict::Correct),
        ("ILSVRC2012_val_00010495.JPEG", 987, Verdict::Problematic),
    ];
    let mut opened = Project::open(project).unwrap();
    let dataset = opened.dataset("val").unwrap().id;
    let files = opened.images(dataset).unwrap().files;
    for &(file, label, verdict) in &decided {
        let image = files.iter().position(|f| f == file).unwrap() as u32;
        let decision = Decision::new(image, label, verdict, "panel".into());
        opened
            .record_decision(dataset, DecisionKind::Panel, &decision)
            .unwrap();
    }
    (decided.into_iter())
        .map(|(file, label, verdict)| (file.to_owned(), label, verdict))
        .collect()
}

fn import_labels(project: &Path, file: &Path) {
    bagel_ok(&[
        "import",
        "labels",
        arg(project),
        "--dataset",
        "val",
        arg(file),
    ]);
}

#[test]
fn label_exports_round_trip_exactly_on_the_real_sets() {
    let Some(data) = data() else { return };
    let fixture = Fixture::new();
    let names = ["resnet152", "resnet50", "alexnet", "nasnetalarge", "fv_16k"];
    let project = val_project(&fixture, "decided.bagel", &data, &names);
    import_labels(&project, &data.join(REAL));
    import_labels(&project, &data.join(MULTILABEL));
    let decided = decide(&project);
    let p = arg(&project);

    let multilabel = fixture.path("updated.json");
    bagel_ok(&on_val(&["export", "labels"], p, &[arg(&multilabel)]));
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(&multilabel).unwrap()).unwrap();
    // What a TFDS reader gets: the 20,000 multi-labeled images, no more.
    assert_eq!(
        document["initial_annots"].as_object().unwrap().len(),
        20_000
    );
    let outside = document["decided_outside_multilabels"].as_object().unwrap();
    assert_eq!(outside.len(), 2);
    assert_eq!(
        outside["ILSVRC2012_val_00000002.JPEG"]["correct"],
        serde_json::json!(["n01514668"]),
        "label 7 (cock) alone, not the original 970"
    );

    // Imported afresh, MLA is MLA re-labeled, for every model, exactly.
    let fresh = val_project(&fixture, "fresh.bagel", &data, &names);
    import_labels(&fresh, &multilabel);
    let before = metrics_json(&project, &[]);
    let after = metrics_json(&fresh, &[]);
    let models = |report: &Value| report["models"].as_array().unwrap().clone();
    let mut moved = 0;
    for (was, is) in models(&before).iter().zip(&models(&after)) {
        assert_eq!(was["model"], is["model"]);
        assert_eq!(is["mla"], was["mla_relabeled"], "{}", was["model"]);
        moved += (was["mla"] != was["mla_relabeled"]) as usize;
    }
    assert!(moved >= 3, "the decisions move MLA of {moved} models");

    // The CSV too: its rows outside the multi-labels are marked, and left out on import.
    let csv = fixture.path("updated.csv");
    bagel_ok(&["export", "labels", p, "--dataset", "val", arg(&csv)]);
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().count(), 1 + 20_000 + 2);
    let fresh_csv = val_project(&fixture, "fresh_csv.bagel", &data, &names);
    import_labels(&fresh_csv, &csv);
    let after_csv = metrics_json(&fresh_csv, &[]);
    for (was, is) in models(&before).iter().zip(&models(&after_csv)) {
        assert_eq!(is["mla"], was["mla_relabeled"], "{} (CSV)", was["model"]);
    }

    // ReaL's layout: real.json with the decisions overlaid, every other entry as imported.
    let real_out = fixture.path("real_updated.json");
    bagel_ok(&on_val(
        &["export", "labels"],
        p,
        &["--format", "real", arg(&real_out)],
    ));
    let exported: Vec<Vec<u16>> =
        serde_json::from_str(&std::fs::read_to_string(&real_out).unwrap()).unwrap();
    // Entry by entry, in the file's order (3,957 of its lists are not ascending).
    let imported: Vec<Vec<u16>> =
        serde_json::from_str(&std::fs::read_to_string(data.join(REAL)).unwrap()).unwrap();
    let position = |file: &str| file[15..23].parse::<usize>().unwrap() - 1;
    let touched: Vec<usize> = decided.iter().map(|(file, _, _)| position(file)).collect();
    let differing: Vec<usize> = (0..50_000)
        .filter(|&i| exported[i] != imported[i])
        .collect();
    assert!(
        differing.iter().all(|i| touched.contains(i)),
        "{differing:?}"
    );
    for (file, label, verdict) in &decided {
        let entry = &exported[position(file)];
        match verdict {
            Verdict::Correct | Verdict::Unclear => assert!(entry.contains(label), "{file}"),
            Verdict::Wrong => assert!(!entry.contains(label), "{file}"),
            Verdict::Problematic => assert!(entry.is_empty(), "{file}"),
        }
    }
    assert_eq!(
        exported[1],
        [970, 795, 7],
        "val 2: ReaL's 970 and 795 as listed, and the decided 7"
    );
}

#[test]
fn the_real_export_of_undecided_labels_is_real_json_byte_for_byte() {
    let Some(data) = data() else { return };
    let fixture = Fixture::new();
    let project = fixture.path("real.bagel");
    let p = arg(&project);
    bagel_ok(&["new", p]);
    let images = data.join(IMAGES);
    bagel_ok(&["import", "images", p, "--dataset", "val", arg(&images)]);
    import_labels(&project, &data.join(REAL));
    let out = fixture.path("real_again.json");
    let args = [
        "export",
        "labels",
        p,
        "--dataset",
        "val",
        "--format",
        "real",
    ];
    bagel_ok(&[&args[..], &[arg(&out)]].concat());
    let imported = std::fs::read(data.join(REAL)).unwrap();
    let exported = std::fs::read(&out).unwrap();
    let lists = |bytes: &[u8]| serde_json::from_slice::<Vec<Vec<u16>>>(bytes).unwrap();
    let (was, is) = (lists(&imported), lists(&exported));
    let unsorted = was.iter().filter(|l| !l.is_sorted()).count();
    assert_eq!(unsorted, 3_957, "real.json's lists out of ascending order");
    let differing: Vec<usize> = (0..was.len()).filter(|&i| was[i] != is[i]).collect();
    assert!(differing.is_empty(), "entries differ: {differing:?}");
    assert!(exported == imported, "the whole file, byte for byte");
}
