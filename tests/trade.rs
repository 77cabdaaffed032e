//! A team that already uses FiftyOne and Label Studio: bagel's project goes out in their
//! formats, and the votes cast in Label Studio come back as votes.

mod common;

use common::{Fixture, bagel, bagel_ok, file_name, on_val};
use serde_json::{Value, json};

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The fixture project with its images under a root, as the two tools need them.
fn project_with_root(fixture: &Fixture) -> String {
    let p = fixture.project();
    let ps = p.to_str().unwrap().to_owned();
    bagel_ok(&["new", &ps]);
    let root = fixture.path("images");
    std::fs::create_dir_all(&root).unwrap();
    let images = fixture.path("images.csv");
    let (images, root) = (images.to_str().unwrap(), root.to_str().unwrap());
    bagel_ok(&on_val(
        &["import", "images"],
        &ps,
        &[images, "--root", root],
    ));
    let multilabel = fixture.path("multilabel.json");
    bagel_ok(&on_val(
        &["import", "labels"],
        &ps,
        &[multilabel.to_str().unwrap()],
    ));
    let logits = fixture.path("logits.npy");
    bagel_ok(&on_val(
        &["import", "predictions"],
        &ps,
        &["--model", "m", "--top-k", "3", logits.to_str().unwrap()],
    ));
    ps
}

#[test]
fn fiftyone_gets_ground_truth_each_models_top1_and_the_panels_decisions() {
    let fixture = Fixture::new();
    let p = project_with_root(&fixture);
    let out = fixture.path("fo");
    let said = bagel_ok(&on_val(
        &["export", "fiftyone"],
        &p,
        &[out.to_str().unwrap()],
    ));
    assert!(
        said.starts_with("6 images, 1 models and 0 decisions written to"),
        "{said}"
    );
    let data = read_json(&out.join("data.json"));
    let first = data["ILSVRC2012_val_00000001"].as_str().unwrap();
    assert!(
        first.ends_with("/images/ILSVRC2012_val_00000001.JPEG"),
        "{first}"
    );
    let truth = read_json(&out.join("labels.json"));
    assert_eq!(truth["classes"].as_array().unwrap().len(), 1000);
    assert_eq!(truth["classes"][281], "tabby");
    assert_eq!(
        truth["classes"][134], "crane (n02012849)",
        "two classes are named crane"
    );
    assert_eq!(truth["labels"]["ILSVRC2012_val_00000001"], 281);
    // The fixture's logits rank 282 first on image 1 (softmax of 5, 4, 3 over 997 zeros).
    let model = read_json(&out.join("predictions/m.json"));
    let top1 = &model["labels"]["ILSVRC2012_val_00000001"];
    assert_eq!(top1["label"], "tiger cat");
    let expected = 5f64.exp() / (5f64.exp() + 4f64.exp() + 3f64.exp() + 997.0);
    assert!((top1["confidence"].as_f64().unwrap() - expected).abs() < 1e-6);
    let load = std::fs::read_to_string(out.join("load.py")).unwrap();
    assert!(
        load.contains("labels_path=\"predictions/m.json\", label_field=\"m\""),
        "{load}"
    );
    assert!(load.contains("FiftyOneImageClassificationDataset"));
}

#[test]
fn fiftyone_files_stay_in_the_export_whatever_the_project_names() {
    let fixture = Fixture::new();
    let p = project_with_root(&fixture);
    let logits = fixture.path("logits.npy");
    for model in ["../../escaped", "google/vit", "google_vit", "panel"] {
        bagel_ok(&on_val(
            &["import", "predictions"],
            &p,
            &["--model", model, "--top-k", "3", logits.to_str().unwrap()],
        ));
    }
    let out = fixture.path("fo/a");
    bagel_ok(&on_val(
        &["export", "fiftyone"],
        &p,
        &[out.to_str().unwrap()],
    ));
    let mut written: Vec<String> = std::fs::read_dir(out.join("predictions"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "______escaped.json",
            "google_vit.json",
            "google_vit_2.json",
            "m.json",
            "panel_2.json"
        ]
    );
    assert!(!fixture.path("escaped.json").exists() && !fixture.path("fo/escaped.json").exists());
    let load = std::fs::read_to_string(out.join("load.py")).unwrap();
    assert!(load.contains("label_field=\"panel_2\""), "{load}");
    // An image name edited to lead out of the image folder is refused.
    let conn = rusqlite::Connection::open(&p).unwrap();
    conn.execute(
        "UPDATE images SET file = '../../etc/passwd' WHERE idx = 0",
        [],
    )
    .unwrap();
    drop(conn);
    let run = bagel(&on_val(
        &["export", "fiftyone"],
        &p,
        &[fixture.path("fo/b").to_str().unwrap()],
    ));
    run.fails_with("lists the image \"../../etc/passwd\", which leads out of its image folder");
}

#[test]
fn label_studio_tasks_go_out_and_their_annotations_come_back_as_votes() {
    let fixture = Fixture::new();
    let p = project_with_root(&fixture);
    let tasks_path = fixture.path("tasks.json");
    let said = bagel_ok(&on_val(
        &["export", "label-studio"],
        &p,
        &[tasks_path.to_str().unwrap()],
    ));
    let tasks = read_json(&tasks_path);
    let tasks = tasks.as_array().unwrap();
    assert!(
        said.starts_with(&format!("{} tasks written to", tasks.len())),
        "{said}"
    );
    // The queue: model m's top-1 pairs that no imported label makes valid. Image 1's tiger cat
    // is unclear (valid, leniently), so only image 3's tub and image 5's tiger shark remain.
    let pairs: Vec<(&str, &str)> = tasks
        .iter()
        .map(|t| {
            (
                t["data"]["file"].as_str().unwrap(),
                t["data"]["label"].as_str().unwrap(),
            )
        })
        .collect();
    let (third, fifth) = (file_name(2), file_name(4));
    assert_eq!(
        pairs,
        vec![(third.as_str(), "n04493381"), (fifth.as_str(), "n01491361")]
    );
    let first = &tasks[0];
    assert_eq!(first["predictions"][0]["model_version"], "m");
    let expected = 5f64.exp() / (5f64.exp() + 4f64.exp() + 3f64.exp() + 997.0);
    assert!((first["predictions"][0]["score"].as_f64().unwrap() - expected).abs() < 1e-6);
    assert!(
        first["data"]["image"]
            .as_str()
            .unwrap()
            .starts_with("/data/local-files/?d=")
    );
    let config = std::fs::read_to_string(fixture.path("tasks.xml")).unwrap();
    assert!(
        config.contains("<Choices name=\"verdict\"") && config.contains("value=\"fine_grained\"")
    );
    // Label Studio's JSON export of two annotated tasks: one annotator by email, one by id,
    // and a skipped annotation that is no vote.
    let mut exported = first.clone();
    exported["annotations"] = json!([
        {"completed_by": {"id": 3, "email": "ana@lab.org"}, "was_cancelled": false,
         "updated_at": "2026-12-06T10:00:00.123456Z",
         "result": [
            {"from_name": "verdict", "to_name": "image", "type": "choices", "value": {"choices": ["wrong"]}},
            {"from_name": "category", "to_name": "image", "type": "choices", "value": {"choices": ["fine_grained"]}},
            {"from_name": "severity", "to_name": "image", "type": "choices", "value": {"choices": ["minor"]}}]},
        {"completed_by": 7, "created_at": "2026-12-06T11:00:00Z",
         "result": [{"from_name": "verdict", "value": {"choices": ["correct"]}}]},
        {"completed_by": 8, "was_cancelled": true, "result": []}
    ]);
    let export = fixture.write("ls_export.json", json!([exported]).to_string().as_bytes());
    let said = bagel_ok(&on_val(
        &["import", "votes"],
        &p,
        &[export.to_str().unwrap()],
    ));
    assert!(said.starts_with("2 votes read from"), "{said}");
    let votes = fixture.path("votes.csv");
    bagel_ok(&on_val(
        &["export", "votes"],
        &p,
        &[votes.to_str().unwrap()],
    ));
    let votes = std::fs::read_to_string(votes).unwrap();
    let file = first["data"]["file"].as_str().unwrap();
    let wnid = first["data"]["label"].as_str().unwrap();
    assert!(votes.contains(&format!("ana@lab.org,{file},{wnid},wrong,fine_grained,minor,,independent,2026-12-06T10:00:00.123Z")), "{votes}");
    assert!(
        votes.contains(&format!("label-studio-user-7,{file},{wnid},correct,")),
        "{votes}"
    );
}

#[test]
fn an_annotation_without_an_annotator_is_refused_naming_the_task() {
    let fixture = Fixture::new();
    let p = project_with_root(&fixture);
    let export = fixture.write(
        "ls_export.json",
        json!([{"data": {"file": file_name(0), "label": "n02123159"},
                "annotations": [{"result": [{"from_name": "verdict", "value": {"choices": ["wrong"]}}]}]}])
        .to_string()
        .as_bytes(),
    );
    let run = bagel(&on_val(
        &["import", "votes"],
        &p,
        &[export.to_str().unwrap()],
    ));
    assert!(!run.ok);
    assert!(
        run.stderr.contains("ls_export.json: task 0: no annotator"),
        "{}",
        run.stderr
    );
}
