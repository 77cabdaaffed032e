//! A researcher's first session: create a project, import the formats they hold, read every
//! metric, record decisions and watch the re-labeled figures move. Values are worked by hand
//! from the fixture in tests/common.

mod common;

use bagel::panel::{Decision, DecisionKind, Severity, Verdict};
use bagel::store::Project;
use common::*;

#[test]
fn every_metric_matches_the_hand_worked_fixture() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let report = metrics_json(&project, &[]);
    assert_eq!(report["dataset"], "val");
    assert_eq!(report["images"], 6);
    let model = &report["models"][0];
    assert_eq!(model["model"], "m");
    // top-1 right on images 2, 4, 6.
    assert_close(&model["top1"], 0.5);
    assert!(model["top5"].is_null(), "only top-3 was imported");
    // ReaL: image 4 excluded; hits on 1, 2, 3 (876 is in its set), 6; miss on 5.
    assert_close(&model["real"], 0.8);
    // MLA over images 1, 2, 3, 5 (4 problematic, 6 unlabeled): classes tabby 1, tiger cat 1,
    // bathtub 0, goldfish 0.
    assert_close(&model["mla"], 0.5);
    assert_close(&model["mla_per_image"], 0.5);
    assert_close(&model["mla_organisms"], 2.0 / 3.0);
    assert_close(&model["mla_objects"], 0.0);
    assert_close(&model["mla_relabeled"], 0.5);
    // ASMA on ReaL: A1 = (1 + 0) / 2; A2 = (1 + 1 + 1/3) / 3; no image has 3 labels; A4, A5
    // are beyond the kept top-3.
    assert_close(&model["subgroups"]["1"], 0.5);
    assert_close(&model["subgroups"]["2"], 7.0 / 9.0);
    assert!(model["subgroups"]["3"].is_null() && model["subgroups"]["5"].is_null());
    assert_close(&model["asma"], (0.5 + 7.0 / 9.0) / 2.0);
    assert_eq!(model["asma_groups"], 3, "top-3 kept: ASMA over g ≤ 3 only");
    assert!(model["imagenet_m"].is_null(), "no slice yet");
    let table = bagel_ok(&["metrics", project.to_str().unwrap(), "--dataset", "val"]);
    let row = table.lines().find(|l| l.starts_with("m ")).unwrap();
    assert!(row.contains(" 63.89* "), "{table}");
    assert!(
        table.contains("* ASMA (g ≤ 3) for m: only top-3 stored"),
        "{table}"
    );
}

#[test]
fn subgroups_are_listed_in_the_order_of_g() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    let args = ["metrics", p, "--dataset", "val", "--max-group", "11"];
    // The JSON as written (a parsed map would sort its keys itself).
    let json = bagel_ok(&[&args[..], &["--json"]].concat());
    let subgroups = &json[json.find("\"subgroups\"").unwrap()..];
    let subgroups = &subgroups[..subgroups.find('}').unwrap()];
    let at = |g: usize| subgroups.find(&format!("\"{g}\":")).unwrap();
    assert!((1..11).all(|g| at(g) < at(g + 1)), "{subgroups}");
    let table = bagel_ok(&args);
    assert!(
        table.contains(
            "(images: g1 2, g2 3, g3 0, g4 0, g5 0, g6 0, g7 0, g8 0, g9 0, g10 0, g11 0)"
        ),
        "{table}"
    );
}

#[test]
fn asma_can_use_multilabels_and_the_hamming_form() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let report = metrics_json(
        &project,
        &["--asma-labels", "multilabel", "--asma-form", "hamming"],
    );
    assert_eq!(report["asma_labels"], "multilabel");
    let model = &report["models"][0];
    // Multi-label sets: image 1 {281, 282} vs top-2 [282, 281] → exact; images 2, 3, 5 have one
    // label: 2 right, 3 and 5 wrong (each disagrees on 2 of 1000 classes).
    assert_close(&model["subgroups"]["1"], (1.0 + 0.998 + 0.998) / 3.0);
    assert_close(&model["subgroups"]["2"], 1.0);
}

#[test]
fn collapsing_classes_merges_bathtub_and_tub() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let listed = bagel_ok(&["classes", "--collapsed"]);
    assert!(
        listed.contains("435 bathtub (n02808440) ~ 876 tub (n04493381)"),
        "{listed}"
    );
    let on = bagel_ok(&["config", project.to_str().unwrap(), "--collapse", "on"]);
    assert!(on.contains("collapse classes: on"));
    let model = &metrics_json(&project, &[])["models"][0];
    assert_close(&model["mla"], 0.75);
    assert_close(&model["mla_objects"], 1.0);
}

#[test]
fn decisions_move_mla_relabeled_and_the_slice() {
    let fixture = Fixture::new();
    let project_path = fixture.imported_project();
    let slice = fixture.write(
        "slice.txt",
        format!("{}\n{}\n{}\n", file_name(0), file_name(2), file_name(4)).as_bytes(),
    );
    let p = project_path.to_str().unwrap();
    bagel_ok(&on_val(&["slice"], p, &["--file", slice.to_str().unwrap()]));
    let before = &metrics_json(&project_path, &[])["models"][0];
    assert_eq!(before["imagenet_m"]["correct"], 1);
    assert_eq!(before["imagenet_m"]["total"], 3);
    let mut project = Project::open(&project_path).unwrap();
    let dataset = project.dataset("val").unwrap().id;
    let decide = |image, label, verdict, severity| Decision {
        image,
        label,
        verdict,
        category: None,
        severity,
        severity_word: None,
        source: "panel".into(),
        reason: String::new(),
    };
    // The panel finds the tub prediction on the bathtub image valid, and the shark prediction
    // on the goldfish image a major mistake.
    project
        .record_decision(
            dataset,
            DecisionKind::Panel,
            &decide(2, 876, Verdict::Correct, None),
        )
        .unwrap();
    project
        .record_decision(
            dataset,
            DecisionKind::Panel,
            &decide(4, 3, Verdict::Wrong, Some(Severity::Major)),
        )
        .unwrap();
    drop(project);
    let after = metrics_json(&project_path, &[]);
    let model = &after["models"][0];
    assert_eq!(after["decisions"], 2);
    assert_close(&model["mla"], 0.5);
    assert_close(&model["mla_relabeled"], 0.75);
    assert_eq!(model["imagenet_m"]["correct"], 2);
    let computed = bagel_ok(&on_val(
        &["slice"],
        p,
        &["--name", "major", "--major-of", "m", "--at-least", "1"],
    ));
    assert!(computed.contains("1 images"), "{computed}");
    let mut project = Project::open(&project_path).unwrap();
    assert_eq!(project.slice(dataset, "major").unwrap(), Some(vec![4]));
    // A decision on the shark image, which has no multi-labels, is kept and counted apart;
    // "wrong" on goldfish, the goldfish image's only label, takes that image out of the set.
    project
        .record_decision(
            dataset,
            DecisionKind::Panel,
            &decide(5, 2, Verdict::Correct, None),
        )
        .unwrap();
    project
        .record_decision(
            dataset,
            DecisionKind::Panel,
            &decide(4, 1, Verdict::Wrong, None),
        )
        .unwrap();
    drop(project);
    let after = metrics_json(&project_path, &[]);
    assert_eq!(after["decided_outside_multilabels"], 1);
    assert_eq!(
        after["emptied_by_decisions"],
        serde_json::json!([file_name(4)])
    );
    assert_close(&after["models"][0]["mla_relabeled"], 1.0);
    let slice = &after["models"][0]["imagenet_m"];
    assert_eq!(
        (&slice["correct"], &slice["total"], &slice["left"]),
        (&2.into(), &2.into(), &1.into()),
        "the emptied goldfish image leaves the slice"
    );
    let table = bagel_ok(&["metrics", p, "--dataset", "val"]);
    assert!(
        table.contains("decided outside the multi-label set: 1")
            && table.contains("left without a valid label by decisions: 1"),
        "{table}"
    );
}

#[test]
fn a_probabilities_file_with_a_row_off_by_a_tenth_is_read_as_logits_with_a_warning() {
    let fixture = Fixture::new();
    let project_path = fixture.imported_project();
    // The softmax of the fixture's logits, row by row; row 2 then scaled to sum to 0.9.
    let mut probabilities: Vec<f32> = Vec::new();
    for (image, row) in logits().chunks(1000).enumerate() {
        let total: f64 = row.iter().map(|&x| (x as f64).exp()).sum();
        let scale = if image == 2 { 0.9 } else { 1.0 };
        probabilities.extend(
            row.iter()
                .map(|&x| ((x as f64).exp() / total * scale) as f32),
        );
    }
    let file = fixture.write(
        "probs.npy",
        &npy("<f4", &[6, 1000], &f32_bytes(&probabilities)),
    );
    let run = bagel(&on_val(
        &["import", "predictions"],
        project_path.to_str().unwrap(),
        &[file.to_str().unwrap()],
    ));
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("probs.npy: 5 of 6 rows are probabilities")
            && run
                .stderr
                .contains("these are not: row 2 (sum 0.9000, min 0.0007)")
            && run.stderr.contains("read as logits"),
        "{}",
        run.stderr
    );
}

#[test]
fn logits_import_keeps_top_k_with_softmax_scores() {
    let fixture = Fixture::new();
    let project_path = fixture.imported_project();
    let p = project_path.to_str().unwrap();
    let out = bagel_ok(&on_val(
        &["import", "predictions"],
        p,
        &[
            "--model",
            "logit_model",
            "--top-k",
            "2",
            fixture.path("logits.npy").to_str().unwrap(),
        ],
    ));
    assert!(
        out.contains("top-2 with scores, max softmax and entropy"),
        "{out}"
    );
    let project = Project::open(&project_path).unwrap();
    let dataset = project.dataset("val").unwrap().id;
    let model = project
        .models(dataset)
        .unwrap()
        .into_iter()
        .find(|m| m.name == "logit_model")
        .unwrap();
    let top = project.predictions(model.id, dataset, true).unwrap();
    assert_eq!(top.row(0), &[282, 281]);
    let denominator = 5f64.exp() + 4f64.exp() + 3f64.exp() + 997.0;
    let expected = 5f64.exp() / denominator;
    assert!((top.scores_row(0).unwrap()[0] as f64 - expected).abs() < 1e-6);
    assert!((top.max_softmax.as_ref().unwrap()[0] as f64 - expected).abs() < 1e-6);
    assert!(top.entropy.as_ref().unwrap()[0] > 0.0);
}

#[test]
fn timm_output_and_order_lists_map_rows_to_images() {
    let fixture = Fixture::new();
    let project_path = fixture.imported_project();
    let p = project_path.to_str().unwrap();
    // timm's separate-column layout, rows shuffled and with full paths.
    let mut csv = String::from("filename,index_0,index_1,label_0,label_1,prob_0,prob_1\n");
    for image in [5, 0, 3, 1, 4, 2] {
        let row = TOP3[image];
        csv += &format!(
            "/data/val/{},{},{},\"a, b\",c,0.6,0.3\n",
            file_name(image),
            row[0],
            row[1]
        );
    }
    let timm = fixture.write("timm.csv", csv.as_bytes());
    bagel_ok(&on_val(
        &["import", "predictions"],
        p,
        &["--model", "timm", timm.to_str().unwrap()],
    ));
    // The same ids as an .npy in reversed order, with the order given as a list.
    let reversed: Vec<i64> = TOP3.iter().rev().flatten().map(|&c| c as i64).collect();
    let npy_path = fixture.write(
        "rev.npy",
        &npy(
            "<i8",
            &[6, 3],
            &reversed
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<_>>(),
        ),
    );
    let order: String = (0..6)
        .rev()
        .map(|i| format!("{}\n", file_name(i)))
        .collect();
    let order_path = fixture.write("order.txt", order.as_bytes());
    bagel_ok(&on_val(
        &["import", "predictions"],
        p,
        &[
            "--model",
            "reversed",
            "--order",
            order_path.to_str().unwrap(),
            npy_path.to_str().unwrap(),
        ],
    ));
    let report = metrics_json(&project_path, &[]);
    let models = report["models"].as_array().unwrap();
    let top1 = |name: &str| {
        models.iter().find(|m| m["model"] == name).unwrap()["top1"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(top1("timm"), 0.5);
    assert_eq!(top1("reversed"), 0.5);
    assert_eq!(top1("m"), 0.5);
}

#[test]
fn images_import_from_an_image_folder_and_a_v2_dataset_json() {
    let fixture = Fixture::new();
    for (wnid, file) in [
        ("n02123045", "a.jpg"),
        ("n02123045", "b.JPEG"),
        ("n01440764", "c.png"),
    ] {
        std::fs::create_dir_all(fixture.path("tree").join(wnid)).unwrap();
        std::fs::write(fixture.path("tree").join(wnid).join(file), b"").unwrap();
    }
    std::fs::write(
        fixture.path("tree").join("n01440764").join("notes.txt"),
        b"",
    )
    .unwrap();
    let v2 = fixture.write(
        "v2.json",
        br#"{"seed": 1, "image_filenames": [["7f3a", "n01440764"], ["9b2c", "n02123045"]]}"#,
    );
    let p = fixture.project();
    let p = p.to_str().unwrap();
    bagel_ok(&["new", p]);
    let out = bagel_ok(&[
        "import",
        "images",
        p,
        "--dataset",
        "tree",
        fixture.path("tree").to_str().unwrap(),
    ]);
    assert!(out.contains("3 images, 3 with an original label"), "{out}");
    bagel_ok(&[
        "import",
        "images",
        p,
        "--dataset",
        "v2",
        v2.to_str().unwrap(),
        "--root",
        "/data/v2",
    ]);
    let project = Project::open(&fixture.project()).unwrap();
    let tree = project.images(project.dataset("tree").unwrap().id).unwrap();
    assert_eq!(
        tree.files,
        vec!["n01440764/c.png", "n02123045/a.jpg", "n02123045/b.JPEG"]
    );
    assert_eq!(tree.labels, vec![Some(0), Some(281), Some(281)]);
    let v2 = project.dataset("v2").unwrap();
    assert_eq!(v2.num_images, 2);
    assert_eq!(v2.image_root.unwrap(), std::path::PathBuf::from("/data/v2"));
    let info = bagel_ok(&["info", p]);
    assert!(
        info.contains("dataset tree · 3 images") && info.contains("dataset v2 · 2 images"),
        "{info}"
    );
}

#[test]
fn hierarchy_distance_is_available_from_the_cli() {
    let out = bagel_ok(&["distance", "n02123045", "282"]);
    assert!(out.starts_with("1\t281 tabby"), "{out}");
    let classes = bagel_ok(&["classes", "tabby"]);
    assert!(classes.contains("n02123045 organism"), "{classes}");
}

#[test]
fn npz_archives_and_the_multilabel_imagenet_m_list_import() {
    let fixture = Fixture::new();
    let project_path = fixture.imported_project();
    let p = project_path.to_str().unwrap();
    let npz_path = fixture.path("preds.npz");
    let mut npz = npyz::npz::NpzWriter::create(&npz_path).unwrap();
    use npyz::WriterBuilder;
    let builder = npz.array::<f32>("logits", Default::default()).unwrap();
    let mut writer = builder
        .default_dtype()
        .shape(&[6, 1000])
        .begin_nd()
        .unwrap();
    writer.extend(logits()).unwrap();
    writer.finish().unwrap();
    drop(npz);
    let out = bagel_ok(&on_val(
        &["import", "predictions"],
        p,
        &["--model", "from_npz", npz_path.to_str().unwrap()],
    ));
    assert!(out.contains("6 images × top-5 with scores"), "{out}");
    let with_slice = std::fs::read_to_string(fixture.path("multilabel.json"))
        .unwrap()
        .replace(
            "\"imagenet_m\": []",
            &format!(
                "\"imagenet_m\": [\"{}\", \"{}\"]",
                file_name(1),
                file_name(4)
            ),
        );
    let labels = fixture.write("with_m.json", with_slice.as_bytes());
    let out = bagel_ok(&on_val(
        &["import", "labels"],
        p,
        &["--name", "v3", labels.to_str().unwrap()],
    ));
    assert!(out.contains("slice \"imagenet_m\" of 2 images"), "{out}");
    let report = metrics_json(&project_path, &[]);
    let model = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "from_npz")
        .unwrap()
        .clone();
    // Image 2 (tiger cat predicted on a tiger cat) is valid; image 5 (a shark for a goldfish) is not.
    assert_eq!(model["imagenet_m"]["correct"], 1);
    assert_eq!(model["imagenet_m"]["total"], 2);
    let ci = model["imagenet_m"]["ci95"].as_array().unwrap();
    assert!(
        (ci[0].as_f64().unwrap() - 0.012579).abs() < 1e-5
            && (ci[1].as_f64().unwrap() - 0.987421).abs() < 1e-5
    );
}
