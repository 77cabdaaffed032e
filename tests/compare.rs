//! `bagel compare`, told as the researcher's story: the same three models on a dataset and on
//! its replica, where the replica simply holds more of the images the models disagree on. The
//! raw top-1 drops by 25 points for two models; matched on disagreement, it does not drop.
//!
//! Source "val": 8 images, labels 0 0 0 0 1 1 1 1 (four easy, four hard).
//! Target "v2": 4 images, labels 0 0 1 1 (one easy, three hard).
//! Top-1 of A, B, C: on the easy images all three are right; on the hard ones A says 2, B says 3
//! and C is right, so all three disagree there (disagreement 1) and agree elsewhere (0).
//! D is only on the source.

mod common;

use common::*;
use serde_json::Value;

const SOURCE_LABELS: [u16; 8] = [0, 0, 0, 0, 1, 1, 1, 1];
const TARGET_LABELS: [u16; 4] = [0, 0, 1, 1];

fn ids_npy(rows: &[Vec<u16>]) -> Vec<u8> {
    let k = rows[0].len();
    let data: Vec<u8> = (rows.iter().flatten())
        .flat_map(|&c| (c as i64).to_le_bytes())
        .collect();
    npy("<i8", &[rows.len(), k], &data)
}

fn top1_npy(top1: &[u16]) -> Vec<u8> {
    ids_npy(&top1.iter().map(|&c| vec![c]).collect::<Vec<_>>())
}

/// Top-1 on the dataset whose labels are given: right on the easy images (the first
/// `easy`), `hard` (or the label, when None) on the others.
fn predictions(labels: &[u16], easy: usize, hard: Option<u16>) -> Vec<u16> {
    (labels.iter().enumerate())
        .map(|(i, &label)| match hard {
            Some(class) if i >= easy => class,
            _ => label,
        })
        .collect()
}

struct Story {
    fixture: Fixture,
}

impl Story {
    fn new() -> Self {
        let fixture = Fixture::new();
        let p = fixture.project();
        let p = p.to_str().unwrap();
        bagel_ok(&["new", p]);
        for (dataset, prefix, labels, real) in [
            (
                "val",
                "s",
                &SOURCE_LABELS[..],
                &["0", "0", "0", "0", "1 2", "1 2", "1", "1"][..],
            ),
            ("v2", "t", &TARGET_LABELS[..], &["0", "0 2", "1", "1"][..]),
        ] {
            let list: String = (labels.iter().enumerate())
                .map(|(i, label)| format!("{prefix}{i}.jpg,{label}\n"))
                .collect();
            let images = fixture.write(
                &format!("{dataset}.csv"),
                format!("file,label\n{list}").as_bytes(),
            );
            bagel_ok(&[
                "import",
                "images",
                p,
                "--dataset",
                dataset,
                images.to_str().unwrap(),
            ]);
            let sets: String = (real.iter().enumerate())
                .map(|(i, set)| format!("{prefix}{i}.jpg,{set}\n"))
                .collect();
            let real = fixture.write(
                &format!("{dataset}_real.csv"),
                format!("file,labels\n{sets}").as_bytes(),
            );
            bagel_ok(&[
                "import",
                "labels",
                p,
                "--dataset",
                dataset,
                real.to_str().unwrap(),
            ]);
        }
        let models = [("A", Some(2)), ("B", Some(3)), ("C", None)];
        for (dataset, labels, easy) in [
            ("val", &SOURCE_LABELS[..], 4),
            ("v2", &TARGET_LABELS[..], 1),
        ] {
            let mut files = Vec::new();
            for (model, hard) in models {
                let file = format!("{dataset}_{model}/{model}.npy");
                std::fs::create_dir_all(fixture.path(&format!("{dataset}_{model}"))).unwrap();
                let path = fixture.write(&file, &top1_npy(&predictions(labels, easy, hard)));
                files.push(path.to_str().unwrap().to_owned());
            }
            let mut args = vec!["import", "predictions", p, "--dataset", dataset];
            args.extend(files.iter().map(String::as_str));
            bagel_ok(&args);
        }
        let d = fixture.write("D.npy", &top1_npy(&SOURCE_LABELS));
        bagel_ok(&on_val(
            &["import", "predictions"],
            p,
            &[d.to_str().unwrap()],
        ));
        Story { fixture }
    }

    fn project(&self) -> String {
        self.fixture.project().to_str().unwrap().to_owned()
    }

    fn compare(&self, extra: &[&str]) -> Run {
        let p = self.project();
        let mut args = vec!["compare", &p, "--source", "val", "--target", "v2"];
        args.extend_from_slice(extra);
        bagel(&args)
    }

    fn json(&self, extra: &[&str]) -> Value {
        let mut args = vec!["--json"];
        args.extend_from_slice(extra);
        let run = self.compare(&args);
        assert!(run.ok, "compare failed: {}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    }
}

fn model<'a>(comparison: &'a Value, name: &str) -> &'a Value {
    (comparison["models"].as_array().unwrap().iter())
        .find(|m| m["model"] == name)
        .unwrap_or_else(|| panic!("no model {name}"))
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn the_raw_drop_is_all_in_the_mix_of_uncertain_images() {
    let story = Story::new();
    let comparison = story.json(&["--bins", "2"]);
    for key in [
        "source",
        "target",
        "uncertainty",
        "bins",
        "binning",
        "seed",
        "models",
        "only_source",
        "only_target",
        "summary",
        "fit",
        "warnings",
    ] {
        assert!(comparison.get(key).is_some(), "key {key} missing");
    }
    assert_eq!(
        comparison["uncertainty"], "disagreement",
        "ids only: the default"
    );
    assert_eq!(
        (comparison["bins"].as_u64(), comparison["binning"].as_str()),
        (Some(2), Some("width"))
    );
    assert_eq!(comparison["only_source"], serde_json::json!(["D"]));
    assert_eq!(comparison["only_target"], serde_json::json!([]));

    let a = model(&comparison, "A");
    // (serde_json's Value sorts the keys.)
    assert_eq!(keys(a), ["matched", "metrics", "model", "residual"]);
    assert_eq!(keys(&a["metrics"]), ["asma", "mla", "real", "top1", "top5"]);
    // A: right on 4 of 8 source images and 1 of 4 target images.
    assert_close(&a["metrics"]["top1"]["source"], 0.5);
    assert_close(&a["metrics"]["top1"]["target"], 0.25);
    assert_close(&a["metrics"]["top1"]["gap"], 0.25);
    // Its "2" on s4, s5 and t1 is in their ReaL sets: 6/8 against 2/4.
    assert_close(&a["metrics"]["real"]["gap"], 0.25);
    assert_close(&a["metrics"]["real"]["source"], 0.75);
    assert!(
        a["metrics"]["top5"]["gap"].is_null(),
        "only the top-1 was kept"
    );
    assert!(a["metrics"]["mla"]["source"].is_null(), "no multi-labels");

    // Matched: bin 0 (agreement) draws 1 image a side, both right; bin 1 draws 3 a side, all
    // wrong: 1/4 against 1/4.
    let matched = &a["matched"];
    assert_eq!(matched["images"], 4);
    assert_close(&matched["source"], 0.25);
    assert_close(&matched["target"], 0.25);
    assert_close(&matched["gap"], 0.0);
    let first = &matched["curve"][0];
    assert_eq!(
        (first["bin"].as_u64(), first["images"].as_u64()),
        (Some(0), Some(1))
    );
    assert_close(&first["lo"], 0.0);
    assert_close(&first["hi"], 0.5);
    assert_close(&first["source"], 1.0);
    assert_close(&matched["curve"][1]["target"], 0.0);
    assert_eq!(matched["curve"][1]["source_images"], 4);

    // Across A, B (0.5 → 0.25) and C (1 → 1): target = -0.5 + 1.5 × source, exactly.
    let line = &comparison["fit"]["top1"]["linear"];
    assert_close(&line["slope"], 1.5);
    assert_close(&line["intercept"], -0.5);
    assert_close(&line["r2"], 1.0);
    assert!(a["residual"]["linear"].as_f64().unwrap().abs() < 1e-12);
    // Probit: Φ⁻¹(0.5) = 0 → Φ⁻¹(0.25) = -0.67449; Φ⁻¹(1) is clamped to 4.75342.
    assert!(
        (comparison["fit"]["top1"]["probit"]["intercept"]
            .as_f64()
            .unwrap()
            + 0.6744897501960817)
            .abs()
            < 1e-9
    );

    let top1 = &comparison["summary"]["top1"];
    assert_close(&top1["min"], 0.0);
    assert_close(&top1["median"], 0.25);
    assert_close(&top1["max"], 0.25);
    assert_eq!(top1["under_one_point"], 1, "C loses nothing");
    assert_eq!(comparison["summary"]["matched"]["under_one_point"], 3);

    // Each side's figures are `bagel metrics`'s.
    let p = story.project();
    let val: Value =
        serde_json::from_str(&bagel_ok(&on_val(&["metrics"], &p, &["--json"]))).unwrap();
    let v2: Value =
        serde_json::from_str(&bagel_ok(&["metrics", &p, "--dataset", "v2", "--json"])).unwrap();
    let asma = |report: &Value| model(report, "B")["asma"].as_f64().unwrap();
    let b = model(&comparison, "B");
    assert_close(&b["metrics"]["asma"]["source"], asma(&val));
    assert_close(&b["metrics"]["asma"]["gap"], asma(&val) - asma(&v2));

    // Four images a side is too few for any curve point: every model is told so.
    let kinds: Vec<&str> = (comparison["warnings"].as_array().unwrap().iter())
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["thin_bins"; 3]);
    let message = comparison["warnings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("bins 0 (4 source, 1 target images), 1 (4 source, 3 target images)"),
        "{message}"
    );
    assert!(message.contains("use fewer --bins"), "{message}");
}

#[test]
fn the_same_seed_draws_the_same_images() {
    let story = Story::new();
    // One bin: 4 of the 8 source images are drawn, so the matched source depends on the draw.
    let once = story.json(&["--bins", "1", "--seed", "3"]);
    assert_eq!(once, story.json(&["--bins", "1", "--seed", "3"]));
    assert_eq!(model(&once, "A")["matched"]["images"], 4);
    assert_eq!(once["seed"], 3);
}

#[test]
fn the_table_the_csv_and_the_figures() {
    let story = Story::new();
    let table = story.compare(&["--bins", "2", "--metrics", "top1,real"]);
    assert!(table.ok, "{}", table.stderr);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(
        lines[0].starts_with("val (8 images) → v2 (4 images) · 3 models"),
        "{}",
        lines[0]
    );
    let a = lines.iter().find(|l| l.starts_with("A ")).unwrap();
    let cells: Vec<&str> = a.split_whitespace().collect();
    // top-1 src tgt gap, ReaL src tgt gap, matched images src tgt gap, residuals.
    assert_eq!(
        &cells[..11],
        [
            "A", "50.00", "25.00", "25.00", "75.00", "50.00", "25.00", "4", "25.00", "25.00",
            "0.00"
        ]
    );
    assert!(table.stdout.contains("only on val (not compared): D"));
    assert!(table.stdout.contains("thin_bins: A: bins 0"));

    let csv = story.fixture.path("table.csv");
    let plots = story.fixture.path("figures");
    let run = story.compare(&[
        "--bins",
        "2",
        "--csv",
        csv.to_str().unwrap(),
        "--plots",
        plots.to_str().unwrap(),
        "--curves",
        "A,C",
    ]);
    assert!(run.ok, "{}", run.stderr);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut rows = text.lines();
    let header = rows.next().unwrap();
    assert!(
        header.starts_with("model,top1_source,top1_target,top1_gap,top5_source"),
        "{header}"
    );
    assert!(header.ends_with(
        "matched_images,matched_source,matched_target,matched_gap,matched_gap_sd,residual_linear,residual_probit"
    ));
    assert!(rows.next().unwrap().starts_with("A,0.5,0.25,0.25,,,"));
    for stem in [
        "scatter_top1_linear",
        "scatter_asma_probit",
        "gaps",
        "raw_vs_matched",
        "curves_A",
        "curves_C",
    ] {
        let png = std::fs::read(plots.join(format!("{stem}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{stem}.png");
        let svg = std::fs::read_to_string(plots.join(format!("{stem}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{stem}.svg");
    }
    let scatter = std::fs::read_to_string(plots.join("scatter_top1_linear.svg")).unwrap();
    assert!(
        scatter.contains("top-1 on v2 (%)"),
        "axes name the datasets"
    );
    assert!(
        scatter.contains("slope 1.50, intercept -0.50, R² 1.000"),
        "the legend gives the fit"
    );
    let png = image::load_from_memory(&std::fs::read(plots.join("gaps.png")).unwrap()).unwrap();
    assert_eq!(
        (png.width(), png.height()),
        (1800, 1350),
        "6 × 4.5 in at 300 dpi"
    );
}

/// Every refusal: a message naming the problem and the way out, no panic, no file written.
#[test]
fn bad_requests_are_refused_and_write_nothing() {
    let story = Story::new();
    let p = story.project();
    let fixture = &story.fixture;
    // A dataset without original labels, and one over other classes.
    let list = fixture.write("unlabeled.txt", b"u0.jpg\nu1.jpg\n");
    bagel_ok(&[
        "import",
        "images",
        &p,
        "--dataset",
        "unlabeled",
        list.to_str().unwrap(),
    ]);
    let other = fixture.write(
        "other.csv",
        b"file,label\no0.jpg,0\no1.jpg,0\no2.jpg,1\no3.jpg,5\n",
    );
    bagel_ok(&[
        "import",
        "images",
        &p,
        "--dataset",
        "other",
        other.to_str().unwrap(),
    ]);
    let csv = fixture.path("out.csv");
    let plots = fixture.path("plots");
    let refused = |args: &[&str], expected: &[&str]| {
        let mut all = vec!["compare", &p];
        all.extend_from_slice(args);
        let out = csv.to_str().unwrap().to_owned();
        let dir = plots.to_str().unwrap().to_owned();
        all.extend(["--csv", &out, "--plots", &dir]);
        let run = bagel(&all);
        assert!(!run.ok, "{args:?} should fail");
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        for part in expected {
            assert!(
                run.stderr.contains(part),
                "{args:?}: expected {part:?} in {}",
                run.stderr
            );
        }
        assert!(!csv.exists() && !plots.exists(), "{args:?} wrote something");
    };
    refused(
        &["--source", "val", "--target", "v3"],
        &["no dataset \"v3\"", "it has: val, v2"],
    );
    refused(
        &["--source", "val", "--target", "unlabeled"],
        &[
            "\"unlabeled\" has no original labels",
            "import its images with labels",
        ],
    );
    refused(
        &["--source", "val", "--target", "other"],
        &[
            "do not share a vocabulary",
            "1 of \"other\", e.g. class 5, never labels an image of \"val\"",
        ],
    );
    refused(
        &["--source", "val", "--target", "v2", "--bins", "0"],
        &["--bins 0 is out of range"],
    );
    refused(&["--source", "v2", "--target", "v2"], &["both \"v2\""]);
    refused(
        &[
            "--source",
            "val",
            "--target",
            "v2",
            "--uncertainty",
            "softmax",
        ],
        &[
            "--uncertainty softmax reads scores",
            "A, B, C",
            "use --uncertainty disagreement",
        ],
    );
    refused(
        &["--source", "val", "--target", "v2", "--curves", "Z"],
        &["no curves for \"Z\""],
    );
    // No model on both sides.
    let alone = fixture.write("alone.csv", b"file,label\nx0.jpg,0\nx1.jpg,1\n");
    bagel_ok(&[
        "import",
        "images",
        &p,
        "--dataset",
        "alone",
        alone.to_str().unwrap(),
    ]);
    refused(
        &["--source", "val", "--target", "alone"],
        &["no model has predictions on both", "import the same models"],
    );
}

/// fv_16k's columns in the ImageNetV2 release run worst first; a small copy of that mistake.
#[test]
fn reversed_columns_are_flagged_everywhere_and_fixed_on_reimport() {
    let story = Story::new();
    let p = story.project();
    // On v2, rank 3 holds the label on every image and rank 1 on none.
    let reversed: Vec<Vec<u16>> = TARGET_LABELS
        .iter()
        .map(|&label| vec![7, 8, label])
        .collect();
    let file = story.fixture.write("E.npy", &ids_npy(&reversed));
    let file = file.to_str().unwrap();
    let import = bagel(&["import", "predictions", &p, "--dataset", "v2", file]);
    assert!(import.ok);
    assert!(import.stderr.contains("warning: E on v2: rank 3 hits the original label on 100.00% of the images, rank 1 on 0.00%"), "{}", import.stderr);
    let table = bagel_ok(&["metrics", &p, "--dataset", "v2"]);
    assert!(
        table.contains("\nwarnings:\n  reversed_ranks: E on v2: rank 3"),
        "{table}"
    );
    let json: Value =
        serde_json::from_str(&bagel_ok(&["metrics", &p, "--dataset", "v2", "--json"])).unwrap();
    let warning = &json["warnings"][0];
    assert_eq!(
        (
            warning["model"].as_str(),
            warning["dataset"].as_str(),
            warning["kind"].as_str()
        ),
        (Some("E"), Some("v2"), Some("reversed_ranks"))
    );
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("--reverse-ranks --replace FILE")
    );

    // In compare, E is on the target only; put it on the source too, the right way round.
    let straight: Vec<Vec<u16>> = SOURCE_LABELS
        .iter()
        .map(|&label| vec![label, 7, 8])
        .collect();
    let source_file = story.fixture.write("E_val.npy", &ids_npy(&straight));
    bagel_ok(&on_val(
        &["import", "predictions"],
        &p,
        &["--model", "E", source_file.to_str().unwrap()],
    ));
    let comparison = story.json(&["--bins", "2"]);
    assert_eq!(comparison["left_out"], serde_json::json!(["E"]));
    assert!(
        comparison["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["kind"] == "reversed_ranks")
    );
    assert_eq!(
        comparison["fit"]["top1"]["models"], 3,
        "E stays out of the fit"
    );
    assert_close(&model(&comparison, "E")["metrics"]["top1"]["gap"], 1.0);

    bagel_ok(&[
        "import",
        "predictions",
        &p,
        "--dataset",
        "v2",
        "--model",
        "E",
        "--reverse-ranks",
        "--replace",
        file,
    ]);
    let json: Value =
        serde_json::from_str(&bagel_ok(&["metrics", &p, "--dataset", "v2", "--json"])).unwrap();
    assert_eq!(json["warnings"], serde_json::json!([]));
    assert_close(&model(&json, "E")["top1"], 1.0);
    // Scores are ranked by bagel: reversing them is refused.
    let logits = story.fixture.path("logits.npy");
    let run = bagel(&on_val(
        &["import", "predictions"],
        &p,
        &["--model", "F", "--reverse-ranks", logits.to_str().unwrap()],
    ));
    assert!(
        !run.ok
            && run
                .stderr
                .contains("--reverse-ranks applies to ranked class ids"),
        "{}",
        run.stderr
    );
}
