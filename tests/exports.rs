//! Exports others can use: each file reads back through bagel's importers to what was written.

mod common;

use bagel::data::{LabelEntry, LabelKind};
use bagel::store::Project;
use bagel::verdict::{Category, Decision, DecisionKind, Severity, Verdict};
use bagel::vocab::Vocabulary;
use common::{Fixture, bagel, bagel_ok, file_name, on_val};
use std::path::{Path, PathBuf};

fn decision(image: u32, label: u16, verdict: Verdict, source: &str) -> Decision {
    Decision::new(image, label, verdict, source.into())
}

/// The fixture's project with decisions of every kind and an imagenet_m slice of images 1 and 5.
fn decided_project(fixture: &Fixture) -> PathBuf {
    let path = fixture.imported_project();
    let mut project = Project::open(&path).unwrap();
    let id = project.dataset("val").unwrap().id;
    let mut record =
        |kind, decision: Decision| project.record_decision(id, kind, &decision).unwrap();
    // Tiger cat moves from unclear to wrong on image 1; tiger shark joins image 5's correct.
    record(
        DecisionKind::Panel,
        decision(0, 282, Verdict::Wrong, "panel"),
    );
    record(
        DecisionKind::Panel,
        decision(4, 3, Verdict::Correct, "panel"),
    );
    // Image 6 has no multi-labels: it starts from its original label, which becomes unclear.
    record(
        DecisionKind::Panel,
        decision(5, 2, Verdict::Unclear, "panel"),
    );
    // An aggregation alone on image 2's tabby: it stands.
    record(
        DecisionKind::Aggregate,
        decision(1, 281, Verdict::Wrong, "dawid-skene"),
    );
    // An imported review says what the labels already say (Egyptian cat is wrong on image 1).
    record(
        DecisionKind::Review,
        Decision {
            category: Some(Category::FineGrained),
            severity: Some(Severity::Minor),
            severity_word: Some("Borderline".into()),
            ..decision(0, 285, Verdict::Wrong, "mistakes.json")
        },
    );
    // A review on image 3's tub outranked by the chair.
    record(
        DecisionKind::Review,
        Decision {
            category: Some(Category::Spurious),
            severity: Some(Severity::Minor),
            ..decision(2, 876, Verdict::Wrong, "mistakes.json")
        },
    );
    record(
        DecisionKind::Panel,
        Decision {
            category: Some(Category::FineGrained),
            severity: Some(Severity::Major),
            reason: "the tub, not the bathtub, is the subject".into(),
            ..decision(2, 876, Verdict::Wrong, "chair Ann")
        },
    );
    project
        .save_slice(id, "imagenet_m", &[4, 0], "test")
        .unwrap();
    path
}

fn entry(correct: &[u16], unclear: &[u16], wrong: &[u16], problematic: bool) -> LabelEntry {
    LabelEntry {
        correct: correct.to_vec(),
        unclear: unclear.to_vec(),
        wrong: wrong.to_vec(),
        problematic,
    }
}

/// The imported multi-labels with the decisions above overlaid, worked by hand.
fn expected_labels() -> [LabelEntry; 6] {
    [
        entry(&[281], &[], &[282, 285], false),
        entry(&[282], &[], &[281], false),
        entry(&[435], &[], &[876], false),
        entry(&[], &[], &[], true),
        entry(&[1, 3], &[], &[], false),
        entry(&[], &[2], &[], false),
    ]
}

/// A new project holding only the fixture's images: nothing to overlay on what is imported.
fn fresh_project(fixture: &Fixture, name: &str) -> PathBuf {
    let path = fixture.path(name);
    let p = path.to_str().unwrap();
    bagel_ok(&["new", p]);
    let images = fixture.path("images.csv");
    bagel_ok(&on_val(
        &["import", "images"],
        p,
        &[images.to_str().unwrap()],
    ));
    path
}

fn import_labels(project: &Path, file: &Path, name: &str) {
    bagel_ok(&on_val(
        &["import", "labels"],
        project.to_str().unwrap(),
        &["--name", name, file.to_str().unwrap()],
    ));
}

fn export<S: AsRef<str>>(args: &[S]) -> String {
    let mut all = vec!["export"];
    all.extend(args.iter().map(AsRef::as_ref));
    bagel_ok(&all)
}

/// The arguments of `bagel export labels` for one dataset in one format.
fn labels_args<'a>(
    project: &'a str,
    dataset: &'a str,
    format: &'a str,
    out: &'a Path,
) -> Vec<&'a str> {
    let out = out.to_str().unwrap();
    vec![
        "labels",
        project,
        "--dataset",
        dataset,
        "--format",
        format,
        out,
    ]
}

fn imported(project: &Path, kind: LabelKind, name: &str) -> Vec<Option<LabelEntry>> {
    let project = Project::open(project).unwrap();
    let id = project.dataset("val").unwrap().id;
    let source = project.label_source(id, kind, Some(name)).unwrap().unwrap();
    let labels = project.image_labels(&source, 6).unwrap();
    (0..6).map(|image| labels.entry(image)).collect()
}

#[test]
fn multilabel_json_round_trips_with_the_decisions_and_the_slice() {
    let fixture = Fixture::new();
    let p = decided_project(&fixture);
    let out = fixture.path("updated.json");
    let said = export(&on_val(
        &["labels"],
        p.to_str().unwrap(),
        &[out.to_str().unwrap()],
    ));
    assert!(said.starts_with("5 images' labels written to"), "{said}");
    assert!(said.trim_end().ends_with("(multilabel JSON)"), "{said}");
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        document["initial_annots"][file_name(0)],
        serde_json::json!({"correct": ["n02123045"], "unclear": [], "wrong": ["n02123159", "n02124075"]})
    );
    assert_eq!(
        document["problematic_images"],
        serde_json::json!({file_name(3): true})
    );
    assert_eq!(
        document["imagenet_m"],
        serde_json::json!([file_name(0), file_name(4)])
    );
    // Image 6 has no multi-labels: its one decided pair goes apart, as decided, and its
    // original label (great white shark, never judged) does not join the multi-labels.
    assert!(document["initial_annots"].get(file_name(5)).is_none());
    assert_eq!(
        document["decided_outside_multilabels"],
        serde_json::json!({file_name(5): {"correct": [], "unclear": ["n01484850"], "wrong": []}})
    );

    let copy = fresh_project(&fixture, "copy.bagel");
    import_labels(&copy, &out, "updated");
    let back = imported(&copy, LabelKind::MultiLabel, "updated");
    for (image, expected) in expected_labels().into_iter().enumerate().take(5) {
        assert_eq!(back[image], Some(expected), "image {image}");
    }
    assert_eq!(
        back[5], None,
        "a decision brings no image into the multi-labels"
    );
    let copy = Project::open(&copy).unwrap();
    let id = copy.dataset("val").unwrap().id;
    assert_eq!(copy.slice(id, "imagenet_m").unwrap(), Some(vec![0, 4]));
}

#[test]
fn the_multilabel_export_imported_afresh_gives_mla_re_labeled() {
    let fixture = Fixture::new();
    let p = decided_project(&fixture);
    // Image 2's only valid label decided wrong: MLA re-labeled leaves the image out, so its
    // export must too (it has no valid label left: problematic).
    let mut project = Project::open(&p).unwrap();
    let id = project.dataset("val").unwrap().id;
    let emptying = decision(1, 282, Verdict::Wrong, "panel");
    project
        .record_decision(id, DecisionKind::Panel, &emptying)
        .unwrap();
    drop(project);
    let out = fixture.path("updated.json");
    export(&on_val(
        &["labels"],
        p.to_str().unwrap(),
        &[out.to_str().unwrap()],
    ));
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(document["problematic_images"][file_name(1)], true);

    let copy = fresh_project(&fixture, "copy.bagel");
    import_labels(&copy, &out, "multilabel");
    let top3 = fixture.path("top3.npy");
    let c = copy.to_str().unwrap();
    let model = [
        "import",
        "predictions",
        c,
        "--dataset",
        "val",
        "--model",
        "m",
    ];
    bagel_ok(&[&model[..], &[top3.to_str().unwrap()]].concat());
    let before = common::metrics_json(&p, &[]);
    let after = common::metrics_json(&copy, &[]);
    // By hand: images 1, 3 and 5 (tabby, bathtub, goldfish) are counted; m's top-1 282 is
    // wrong on 1, 876 is not in {435} on 3, 3 is in {1, 3} on 5: MLA 1/3 per class.
    common::assert_close(&before["models"][0]["mla_relabeled"], 1.0 / 3.0);
    assert_eq!(
        after["models"][0]["mla"],
        before["models"][0]["mla_relabeled"]
    );
    assert_eq!(
        after["models"][0]["mla_per_image"],
        serde_json::json!(1.0 / 3.0)
    );
}

#[test]
fn csv_round_trips_with_the_decisions() {
    let fixture = Fixture::new();
    let p = decided_project(&fixture);
    let out = fixture.path("updated.csv");
    let said = export(&on_val(
        &["labels"],
        p.to_str().unwrap(),
        &[out.to_str().unwrap()],
    ));
    assert!(said.starts_with("6 images' labels written to"), "{said}");
    assert!(said.trim_end().ends_with("(CSV)"), "{said}");
    // Image 6 has no multi-labels: its row holds its one decided pair, marked as outside,
    // never its original label (great white shark, nobody judged it).
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "file,correct,unclear,wrong,problematic,outside_multilabels"
    );
    assert_eq!(lines[6], format!("{},,n01484850,,false,true", file_name(5)));
    assert_eq!(
        lines[1],
        format!(
            "{},n02123045,,n02123159 n02124075,false,false",
            file_name(0)
        )
    );

    let copy = fresh_project(&fixture, "copy.bagel");
    let c = copy.to_str().unwrap();
    let said = bagel_ok(&[
        "import",
        "labels",
        c,
        "--dataset",
        "val",
        "--name",
        "updated",
        out.to_str().unwrap(),
    ]);
    assert!(said.contains("5 of 6 images labeled"), "{said}");
    let back = imported(&copy, LabelKind::MultiLabel, "updated");
    for (image, expected) in expected_labels().into_iter().enumerate().take(5) {
        assert_eq!(back[image], Some(expected), "image {image}");
    }
    assert_eq!(
        back[5], None,
        "a decision outside the multi-labels brings no image into them"
    );
    // Imported afresh, MLA is MLA re-labeled: image 6 is not counted (m's top-1 there is its
    // original label, which would raise MLA if the image came in).
    let top3 = fixture.path("top3.npy");
    let model = ["import", "predictions", c, "--dataset", "val", "--model"];
    bagel_ok(&[&model[..], &["m", top3.to_str().unwrap()]].concat());
    let before = common::metrics_json(&p, &[]);
    let after = common::metrics_json(&copy, &[]);
    assert_eq!(
        after["models"][0]["mla"],
        before["models"][0]["mla_relabeled"]
    );
}

#[test]
fn real_is_the_imported_real_json_with_the_decisions_overlaid() {
    let fixture = Fixture::new();
    let p = decided_project(&fixture);
    let out = fixture.path("updated_real.json");
    let said = export(&labels_args(p.to_str().unwrap(), "val", "real", &out));
    assert!(
        said.trim_end()
            .ends_with("(real.json with the decisions overlaid)"),
        "{said}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let lists: Vec<Vec<u16>> = serde_json::from_str(&text).unwrap();
    assert_eq!(lists.len(), 50_000, "one entry per val image, as real.json");
    // The fixture's ReaL sets [281, 282], [282], [435, 876], [], [1], [2, 3], [5]: wrong takes
    // 282 from image 1 and 876 from image 3, correct adds 3 to image 5, unclear keeps 2 on
    // image 6; 285 (wrong) and 281 on image 2 (wrong) were not there.
    let overlaid: [&[u16]; 6] = [&[281], &[282], &[435], &[], &[1, 3], &[2, 3]];
    for (image, expected) in overlaid.iter().enumerate() {
        assert_eq!(lists[image], *expected, "image {image}");
    }
    // Spaced as real.json is; the val images the dataset does not hold keep their entries.
    assert!(text.starts_with("[[281], [282], [435], [], [1, 3], [2, 3], [5], []"));
    assert!(text.ends_with(", []]"));

    let copy = fresh_project(&fixture, "copy.bagel");
    import_labels(&copy, &out, "updated_real");
    let back = imported_real(&copy);
    for (image, expected) in overlaid.iter().enumerate() {
        assert_eq!(back[image], *expected, "image {image}");
    }
}

#[test]
fn the_real_export_keeps_each_list_in_the_order_real_json_gives_it() {
    let fixture = Fixture::new();
    // real.json lists some sets out of ascending order (val 2 is [970, 795]); so does this one.
    let unsorted = format!(
        "[[282, 281], [282], [876, 435], [], [1], [3, 2], [5]{}]",
        ", []".repeat(50_000 - 7)
    );
    let real = fixture.write("unsorted_real.json", unsorted.as_bytes());
    let p = fresh_project(&fixture, "unsorted.bagel");
    import_labels(&p, &real, "real");
    let untouched = fixture.path("untouched.json");
    export(&labels_args(p.to_str().unwrap(), "val", "real", &untouched));
    assert_eq!(
        std::fs::read_to_string(&untouched).unwrap(),
        unsorted,
        "nothing decided: the file as imported, byte for byte"
    );

    // Decided: tiger cat wrong on image 1, tiger shark correct on image 5, the bathtub
    // correct on image 3 (already there: it keeps its place); the other entries as imported.
    let mut project = Project::open(&p).unwrap();
    let id = project.dataset("val").unwrap().id;
    for (image, label, verdict) in [
        (0, 282, Verdict::Wrong),
        (4, 3, Verdict::Correct),
        (2, 435, Verdict::Correct),
    ] {
        let decided = decision(image, label, verdict, "panel");
        project
            .record_decision(id, DecisionKind::Panel, &decided)
            .unwrap();
    }
    drop(project);
    let out = fixture.path("decided.json");
    export(&labels_args(p.to_str().unwrap(), "val", "real", &out));
    let expected = format!(
        "[[281], [282], [876, 435], [], [1, 3], [3, 2], [5]{}]",
        ", []".repeat(50_000 - 7)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);

    // The sets the metrics read stay sorted.
    let back = imported(&p, LabelKind::Real, "real");
    assert_eq!(back[5].as_ref().unwrap().correct, [2, 3]);
}

#[test]
fn a_kept_real_entry_that_does_not_list_the_stored_set_is_named_not_written() {
    let fixture = Fixture::new();
    let p = fresh_project(&fixture, "damaged.bagel");
    import_labels(&p, &fixture.path("real.json"), "real");
    let other = format!("[[7], [8], [9]{}]", ", []".repeat(50_000 - 3));
    let other = fixture.write("other_real.json", other.as_bytes());
    import_labels(&p, &other, "other");
    // Another program puts the second file's lists under the first source, and removes the
    // second (the newest ReaL source is the one exported).
    let conn = rusqlite::Connection::open(&p).unwrap();
    conn.execute_batch(
        "UPDATE label_file_entries SET lists = (SELECT e.lists FROM label_file_entries e
           JOIN label_sources s ON s.id = e.source_id WHERE s.name = 'other')
         WHERE source_id = (SELECT id FROM label_sources WHERE name = 'real');
         DELETE FROM label_sources WHERE name = 'other';",
    )
    .unwrap();
    drop(conn);
    let out = fixture.path("real_out.json");
    let run = bagel(
        &[
            &["export"],
            labels_args(p.to_str().unwrap(), "val", "real", &out).as_slice(),
        ]
        .concat(),
    );
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("label source \"real\", image ILSVRC2012_val_00000001.JPEG")
            && run
                .stderr
                .contains("lists [7] where its stored set is [281, 282]")
            && run.stderr.contains("--name real --replace"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}

fn imported_real(project: &Path) -> Vec<Vec<u16>> {
    imported(project, LabelKind::Real, "updated_real")
        .into_iter()
        .map(|entry| entry.unwrap().correct)
        .collect()
}

#[test]
fn the_multi_labels_in_real_s_layout_keep_their_own_name() {
    let fixture = Fixture::new();
    let p = decided_project(&fixture);
    let out = fixture.path("multilabel_as_real.json");
    let said = export(&labels_args(
        p.to_str().unwrap(),
        "val",
        "multilabel-as-real",
        &out,
    ));
    assert!(
        said.trim_end()
            .ends_with("(the multi-labels as a ReaL list)"),
        "{said}"
    );
    let lists: Vec<Vec<u16>> =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    // Correct and unclear are valid; the problematic image has none, nor has image 6, which
    // the multi-labels do not cover.
    let valid: [&[u16]; 6] = [&[281], &[282], &[435], &[], &[1, 3], &[]];
    for (image, expected) in valid.iter().enumerate() {
        assert_eq!(lists[image], *expected, "image {image}");
    }
    assert!(lists[6..].iter().all(Vec::is_empty));
}

#[test]
fn a_real_list_of_images_other_than_val_is_refused_and_nothing_is_written() {
    let fixture = Fixture::new();
    let p = fixture.path("other.bagel");
    let p = p.to_str().unwrap();
    bagel_ok(&["new", p]);
    let list = fixture.write("other.csv", b"file,label\nmy_cat.jpg,281\n");
    bagel_ok(&[
        "import",
        "images",
        p,
        "--dataset",
        "mine",
        list.to_str().unwrap(),
    ]);
    let labels = fixture.write(
        "mine_labels.csv",
        b"file,correct,unclear,wrong,problematic\nmy_cat.jpg,n02123045,,,false\n",
    );
    bagel_ok(&[
        "import",
        "labels",
        p,
        "--dataset",
        "mine",
        labels.to_str().unwrap(),
    ]);
    let out = fixture.path("mine_real.json");
    let run = bagel(
        &[
            &["export"],
            labels_args(p, "mine", "multilabel-as-real", &out).as_slice(),
        ]
        .concat(),
    );
    assert!(!run.ok);
    assert!(run.stderr.contains("\"my_cat.jpg\""), "{}", run.stderr);
    assert!(
        run.stderr.contains("--format multilabel or csv"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
    // ReaL's own layout needs ReaL's sets to overlay the decisions on.
    let run = bagel(&[&["export"], labels_args(p, "mine", "real", &out).as_slice()].concat());
    assert!(!run.ok);
    assert!(
        run.stderr.contains("has no ReaL labels to overlay"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}

#[test]
fn a_slice_exports_one_file_per_line_and_reads_back() {
    let fixture = Fixture::new();
    let p = decided_project(&fixture);
    let out = fixture.path("imagenet_m.txt");
    let said = export(&on_val(
        &["slice"],
        p.to_str().unwrap(),
        &[out.to_str().unwrap()],
    ));
    assert!(
        said.starts_with("2 images of slice \"imagenet_m\""),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("{}\n{}\n", file_name(0), file_name(4))
    );
    let copy = fresh_project(&fixture, "copy.bagel");
    bagel_ok(&on_val(
        &["slice"],
        copy.to_str().unwrap(),
        &["--name", "hard", "--file", out.to_str().unwrap()],
    ));
    let copy = Project::open(&copy).unwrap();
    let id = copy.dataset("val").unwrap().id;
    assert_eq!(copy.slice(id, "hard").unwrap(), Some(vec![0, 4]));

    let run = bagel(&on_val(
        &["export", "slice"],
        p.to_str().unwrap(),
        &["--name", "easy", out.to_str().unwrap()],
    ));
    assert!(!run.ok);
    assert!(
        run.stderr.contains("no slice \"easy\"; it has: imagenet_m"),
        "{}",
        run.stderr
    );
}

#[test]
fn decisions_export_the_standing_one_per_pair_with_its_kind() {
    let fixture = Fixture::new();
    let p = decided_project(&fixture);
    let out = fixture.path("decisions.csv");
    let said = export(&on_val(
        &["decisions"],
        p.to_str().unwrap(),
        &[out.to_str().unwrap()],
    ));
    assert!(
        said.starts_with("6 standing decisions written to"),
        "{said}"
    );
    let vocab = Vocabulary::imagenet1k();
    let wnid = |c: u16| vocab.class(c).unwrap().wnid.clone();
    let expected = [
        "file,label,verdict,category,severity,severity_word,source,reason,kind".to_owned(),
        format!("{},{},wrong,,,,panel,,panel", file_name(0), wnid(282)),
        format!(
            "{},{},wrong,fine_grained,minor,Borderline,mistakes.json,,review",
            file_name(0),
            wnid(285)
        ),
        format!(
            "{},{},wrong,,,,dawid-skene,,aggregate",
            file_name(1),
            wnid(281)
        ),
        format!(
            "{},{},wrong,fine_grained,major,,chair Ann,\"the tub, not the bathtub, is the subject\",panel",
            file_name(2),
            wnid(876)
        ),
        format!("{},{},correct,,,,panel,,panel", file_name(4), wnid(3)),
        format!("{},{},unclear,,,,panel,,panel", file_name(5), wnid(2)),
    ];
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);
}

/// The JSON report's value at a CSV column: the model's figure, else the dataset's.
fn json_at<'v>(
    model: &'v serde_json::Value,
    report: &'v serde_json::Value,
    column: &str,
) -> Option<&'v serde_json::Value> {
    let pointer = |path: &str| format!("/{}", path.replace('.', "/"));
    model
        .pointer(&pointer(column))
        .or_else(|| report.pointer(&pointer(column.strip_prefix("dataset.").unwrap_or(column))))
}

#[test]
fn the_metrics_csv_holds_every_figure_of_the_json() {
    let fixture = Fixture::new();
    let p = decided_project(&fixture);
    let logits = fixture.path("logits.npy");
    bagel_ok(&on_val(
        &["import", "predictions"],
        p.to_str().unwrap(),
        &["--model", "logits", logits.to_str().unwrap()],
    ));
    let out = fixture.path("metrics.csv");
    let said = bagel_ok(&on_val(
        &["metrics"],
        p.to_str().unwrap(),
        &["--csv", out.to_str().unwrap()],
    ));
    assert!(said.starts_with("2 models' figures written to"), "{said}");
    let report = common::metrics_json(&p, &[]);
    let models = report["models"].as_array().unwrap();
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), models.len());
    assert_eq!(header[0], "model");
    for needed in ["mla", "real", "imagenet_m.correct", "images", "decisions"] {
        assert!(
            header.iter().any(|c| c == needed),
            "no column {needed}: {header:?}"
        );
    }
    for (row, model) in rows.iter().zip(models) {
        for (column, cell) in header.iter().zip(row) {
            let value = json_at(model, &report, column);
            match value {
                None | Some(serde_json::Value::Null) => assert_eq!(cell, "", "{column}"),
                Some(serde_json::Value::Number(n)) => {
                    assert_eq!(
                        cell.parse::<f64>().unwrap(),
                        n.as_f64().unwrap(),
                        "{column}"
                    )
                }
                Some(serde_json::Value::String(s)) => assert_eq!(cell, s, "{column}"),
                Some(other) => assert_eq!(
                    &serde_json::from_str::<serde_json::Value>(cell).unwrap(),
                    other,
                    "{column}"
                ),
            }
        }
    }
    // Every figure of a model has its column: nothing of the JSON is left out.
    fn leaves(value: &serde_json::Value, path: String, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(o) if !o.is_empty() => {
                for (key, inner) in o {
                    let joined = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    leaves(inner, joined, out);
                }
            }
            _ => out.push(path),
        }
    }
    let mut dataset = report.clone();
    dataset.as_object_mut().unwrap().remove("models");
    for figures in models.iter().chain([&dataset]) {
        let mut paths = Vec::new();
        leaves(figures, String::new(), &mut paths);
        for path in paths {
            let named = |p: &str| {
                header
                    .iter()
                    .any(|c| c == p || c.starts_with(&format!("{p}.")))
            };
            let covered = named(&path) || named(&format!("dataset.{path}"));
            assert!(covered, "figure {path} has no column");
        }
    }
}
