//! Every bad input the issue lists gets an error that names the file, the record and what to
//! do, and leaves the project exactly as it was.

mod common;

use common::*;

/// Runs a failing bagel command on the fixture's project: nothing written, a helpful message.
fn rejects<S: AsRef<str> + std::fmt::Debug>(fixture: &Fixture, args: &[S], must_mention: &[&str]) {
    refused(&fixture.project(), args, must_mention);
}

/// `bagel import WHAT PROJECT --dataset DATASET OPTIONS... FILE`
fn import(
    fixture: &Fixture,
    what: &str,
    dataset: &str,
    options: &[&str],
    file: &std::path::Path,
) -> Vec<String> {
    import_args(&fixture.project(), what, dataset, options, file)
}

fn predictions(fixture: &Fixture, file: &std::path::Path) -> Vec<String> {
    import(
        fixture,
        "predictions",
        "val",
        &["--model", "new_model"],
        file,
    )
}

#[test]
fn wrong_shape_names_the_shape_expected() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let cube = fixture.write("cube.npy", &npy("<f4", &[6, 2, 2], &f32_bytes(&[0.0; 24])));
    rejects(
        &fixture,
        &predictions(&fixture, &cube),
        &["cube.npy", "shape [6, 2, 2]", "expected 2-D"],
    );
    let few_rows = fixture.write("rows.npy", &npy("<i8", &[4, 1], &[0u8; 32]));
    rejects(
        &fixture,
        &predictions(&fixture, &few_rows),
        &["rows.npy", "4 rows", "6 images", "--order"],
    );
    let narrow = fixture.write("narrow.npy", &npy("<f4", &[6, 10], &f32_bytes(&[0.5; 60])));
    rejects(
        &fixture,
        &predictions(&fixture, &narrow),
        &["narrow.npy", "10 columns", "expected 1000 scores"],
    );
}

#[test]
fn class_id_out_of_range_names_row_and_column() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let mut ids = [1i64; 6];
    ids[4] = 1000;
    let bad = fixture.write(
        "ids.npy",
        &npy(
            "<i8",
            &[6, 1],
            &ids.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>(),
        ),
    );
    rejects(
        &fixture,
        &predictions(&fixture, &bad),
        &["ids.npy", "row 4, column 0", "class id 1000", "0-999"],
    );
}

#[test]
fn a_class_given_twice_in_a_row_is_refused() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let mut ids: Vec<i64> = TOP3.iter().flatten().map(|&c| c as i64).collect();
    ids[3 * 3 + 1] = ids[3 * 3];
    let bytes: Vec<u8> = ids.iter().flat_map(|v| v.to_le_bytes()).collect();
    let repeated = fixture.write("repeated.npy", &npy("<i8", &[6, 3], &bytes));
    rejects(
        &fixture,
        &predictions(&fixture, &repeated),
        &["repeated.npy", "row 3", "class id 0", "columns 0 and 1"],
    );
    let mut csv = String::from("filename,index_0,index_1\n");
    for (image, top) in TOP3.iter().enumerate() {
        let second = if image == 0 { top[0] } else { top[1] };
        csv += &format!("{},{},{second}\n", file_name(image), top[0]);
    }
    let timm = fixture.write("repeated.csv", csv.as_bytes());
    rejects(
        &fixture,
        &predictions(&fixture, &timm),
        &["repeated.csv", "row 0", "class id 282", "columns 0 and 1"],
    );
}

#[test]
fn unknown_wnid_names_the_record() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let labels = fixture.write(
        "ml.json",
        br#"{"initial_annots": {"ILSVRC2012_val_00000001.JPEG": {"correct": ["n99999999"]}}, "problematic_images": {}}"#,
    );
    rejects(
        &fixture,
        &import(&fixture, "labels", "val", &["--name", "other"], &labels),
        &[
            "ml.json",
            "initial_annots[\"ILSVRC2012_val_00000001.JPEG\"].correct",
            "n99999999",
            "wnid",
        ],
    );
    let images = fixture.write("imgs.csv", b"file,wnid\na.jpg,n02123045\nb.jpg,n0212\n");
    rejects(
        &fixture,
        &import(&fixture, "images", "other", &[], &images),
        &["imgs.csv", "line 3", "\"n0212\""],
    );
}

#[test]
fn file_names_not_in_the_dataset_are_listed() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let csv = fixture.write(
        "labels.csv",
        format!("file,correct\n{},281\nnot_here.jpg,5\n", file_name(0)).as_bytes(),
    );
    rejects(
        &fixture,
        &import(&fixture, "labels", "val", &["--name", "csv"], &csv),
        &[
            "labels.csv",
            "not_here.jpg",
            "not in the dataset",
            "--dataset",
        ],
    );
    let order = fixture.write("order.txt", b"x.JPEG\n");
    let mut args = predictions(&fixture, &fixture.path("top3.npy"));
    args.extend(["--order".to_owned(), order.to_str().unwrap().to_owned()]);
    rejects(
        &fixture,
        &args,
        &["order.txt", "\"x.JPEG\" is not in the dataset"],
    );
    let v2_names = fixture.write("v2real.json", b"[[1]]");
    let v2 = fixture.write(
        "v2.json",
        br#"{"image_filenames": [["7f3a", "n01440764"]]}"#,
    );
    bagel_ok(&import(&fixture, "images", "v2", &[], &v2));
    rejects(
        &fixture,
        &import(&fixture, "labels", "v2", &["--format", "real"], &v2_names),
        &["v2real.json", "not an ILSVRC2012_val_ file"],
    );
}

#[test]
fn a_model_name_already_present_needs_replace() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let mut args = predictions(&fixture, &fixture.path("top3.npy"));
    args[6] = "m".into();
    rejects(
        &fixture,
        &args,
        &["model \"m\" already has predictions", "--replace"],
    );
    args.push("--replace".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    bagel_ok(&args);
}

#[test]
fn truncated_or_corrupt_npy_is_refused() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let whole = std::fs::read(fixture.path("logits.npy")).unwrap();
    let cut = fixture.write("cut.npy", &whole[..whole.len() - 100]);
    rejects(
        &fixture,
        &predictions(&fixture, &cut),
        &["cut.npy", "truncated", "24000 bytes"],
    );
    let garbage = fixture.write("garbage.npy", b"\x93NUMPY\x01\x00\xff\xffnonsense");
    rejects(
        &fixture,
        &predictions(&fixture, &garbage),
        &["garbage.npy", "not a readable .npy"],
    );
    let zip = fixture.write("broken.npz", b"PK\x03\x04 not really a zip");
    rejects(
        &fixture,
        &predictions(&fixture, &zip),
        &["broken.npz", "not a readable .npz"],
    );
}

#[test]
fn nan_scores_name_the_row() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let mut values = logits();
    values[3 * 1000 + 17] = f32::NAN;
    let nan = fixture.write("nan.npy", &npy("<f4", &[6, 1000], &f32_bytes(&values)));
    rejects(
        &fixture,
        &predictions(&fixture, &nan),
        &["nan.npy", "row 3, column 17", "NaN", "finite"],
    );
}

#[test]
fn empty_files_are_refused_everywhere() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let empty = fixture.write("empty.npy", b"");
    rejects(
        &fixture,
        &predictions(&fixture, &empty),
        &["empty.npy", "empty"],
    );
    let empty_labels = fixture.write("empty.json", b"  \n");
    rejects(
        &fixture,
        &import(&fixture, "labels", "val", &[], &empty_labels),
        &["empty.json", "empty"],
    );
    rejects(
        &fixture,
        &import(&fixture, "images", "e", &[], &empty_labels),
        &["empty.json", "empty"],
    );
}

#[test]
fn a_byte_order_mark_before_any_text_file_is_not_read_as_part_of_it() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    let marked = |name: &str, text: &[u8]| fixture.write(name, &[b"\xef\xbb\xbf", text].concat());
    let list = marked("list.csv", b"file,label\r\na.JPEG,1\r\n");
    bagel_ok(&import(&fixture, "images", "marked", &[], &list));
    let real = std::fs::read(fixture.path("real.json")).unwrap();
    let real = marked("marked_real.json", &real);
    bagel_ok(&import(&fixture, "labels", "val", &["--name", "r2"], &real));
    let multilabel = std::fs::read(fixture.path("multilabel.json")).unwrap();
    let multilabel = marked("marked_multilabel.json", &multilabel);
    bagel_ok(&import(
        &fixture,
        "labels",
        "val",
        &["--name", "m2"],
        &multilabel,
    ));
    let records: Vec<String> = (0..6)
        .map(|i| {
            format!(
                r#"{{"filename": "{}", "index": [{}]}}"#,
                file_name(i),
                TOP3[i][0]
            )
        })
        .collect();
    let records = marked(
        "records.json",
        format!("[{}]", records.join(",")).as_bytes(),
    );
    bagel_ok(&predictions(&fixture, &records));
    let slice = marked("slice.txt", b"ILSVRC2012_val_00000001.JPEG\n");
    let out = bagel_ok(&on_val(
        &["slice"],
        p,
        &["--name", "s", "--file", slice.to_str().unwrap()],
    ));
    assert!(out.contains("1 images"), "{out}");
}

#[test]
fn a_json_of_another_format_says_what_it_is() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let dataset_json = fixture.write(
        "dataset.json",
        br#"{"image_filenames": [["a", "n01440764"]]}"#,
    );
    rejects(
        &fixture,
        &import(&fixture, "labels", "val", &[], &dataset_json),
        &[
            "dataset.json",
            "ImageNetV2 dataset JSON",
            "bagel import images",
        ],
    );
    let review = fixture.write(
        "review.json",
        br#"{"ILSVRC2012_val_00000001.JPEG": {"top_prediction": 3, "failure category": "x", "failure severity": "Major"}}"#,
    );
    rejects(
        &fixture,
        &import(&fixture, "labels", "val", &[], &review),
        &["review.json", "imagenet-mistakes review"],
    );
    let labels_as_images = fixture.path("multilabel.json");
    rejects(
        &fixture,
        &import(&fixture, "images", "x", &[], &labels_as_images),
        &["multilabel.json", "label file", "bagel import labels"],
    );
    let records = fixture.write("records.json", br#"{"filename": "a"}"#);
    rejects(
        &fixture,
        &predictions(&fixture, &records),
        &["records.json", "timm inference.py records"],
    );
}

#[test]
fn a_file_named_for_a_binary_format_that_is_not_it_is_called_so_not_read_as_csv() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let text = fixture.write("text.npy", b"hello world\n");
    rejects(
        &fixture,
        &predictions(&fixture, &text),
        &[
            "text.npy: not a valid .npy file",
            "the text \"hello world\\n\"",
            "numpy.save",
        ],
    );
    let short = fixture.write("short.safetensors", b"\x05\x00");
    rejects(
        &fixture,
        &predictions(&fixture, &short),
        &[
            "short.safetensors: not a valid .safetensors file",
            "2 bytes: the bytes 05 00",
        ],
    );
    let no_pickle = fixture.write("nopickle.pt", &zip_of(&[("a/other", b"x")]));
    rejects(
        &fixture,
        &predictions(&fixture, &no_pickle),
        &[
            "nopickle.pt: not a valid .pt file (a zip archive without data.pkl)",
            "torch.save",
        ],
    );
    // A valid safetensors file whose tensor has no rows ends with its header.
    let header = br#"{"logits":{"dtype":"F32","shape":[0,1000],"data_offsets":[0,0]}}"#;
    let empty = [&(header.len() as u64).to_le_bytes()[..], header].concat();
    let empty = fixture.write("empty.safetensors", &empty);
    rejects(
        &fixture,
        &predictions(&fixture, &empty),
        &[
            "empty.safetensors: tensor \"logits\": shape [0, 1000] holds no values; expected one row per image",
        ],
    );
    let null = fixture.write("null.json", b"null");
    rejects(
        &fixture,
        &predictions(&fixture, &null),
        &[
            "null.json: the JSON holds null",
            "expected timm inference.py records",
        ],
    );
    rejects(
        &fixture,
        &import(&fixture, "labels", "val", &[], &null),
        &[
            "null.json: the JSON holds null",
            "expected ReaL's real.json",
        ],
    );
}

#[test]
fn multilabel_files_lose_nothing_silently() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let labels = |name: &str, text: &str| {
        let file = fixture.write(name, text.as_bytes());
        import(&fixture, "labels", "val", &["--name", name], &file)
    };
    let (f1, f2) = (file_name(0), file_name(1));
    rejects(
        &fixture,
        &labels(
            "typo.json",
            &format!(r#"{{"initial_annots": {{"{f1}": {{"corect": ["n01440764"]}}}}}}"#),
        ),
        &[&format!(
            r#"typo.json: initial_annots["{f1}"] has the key "corect"; expected only "correct", "unclear", "wrong""#
        )],
    );
    rejects(
        &fixture,
        &labels("empty.json", r#"{"initial_annots": {}}"#),
        &["empty.json: \"initial_annots\" is empty: the file holds no labeled image"],
    );
    let twice = format!(
        r#"{{"initial_annots": {{"{f1}": {{"correct": ["n01440764"]}}, "{f1}": {{"correct": ["n01443537"]}}}}}}"#
    );
    rejects(
        &fixture,
        &labels("twice.json", &twice),
        &[
            "twice.json: invalid JSON at line 1",
            &format!("the key \"{f1}\" is given twice"),
        ],
    );
    let review = format!(
        r#"{{"{f1}": {{"top_prediction": 3, "failure category": "x", "failure severity": "Major"}}, "{f1}": {{}}}}"#
    );
    let review = fixture.write("review.json", review.as_bytes());
    let p = fixture.project();
    rejects(
        &fixture,
        &[
            "import",
            "review",
            "--dataset",
            "val",
            "--model",
            "m",
            p.to_str().unwrap(),
            review.to_str().unwrap(),
        ],
        &["review.json", &format!("the key \"{f1}\" is given twice")],
    );
    let timm = format!(r#"{{"{f1}": {{"index": [1]}}, "{f1}": {{"index": [2]}}}}"#);
    let timm = fixture.write("timm.json", timm.as_bytes());
    rejects(
        &fixture,
        &predictions(&fixture, &timm),
        &["timm.json", "is given twice"],
    );
    // A list of problematic images is read as the object's keys are.
    let listed = format!(
        r#"{{"initial_annots": {{"{f1}": {{"correct": ["n01440764"]}}}}, "problematic_images": ["{f1}"]}}"#
    );
    let out = bagel_ok(&labels("listed.json", &listed));
    assert!(out.contains("1 problematic images"), "{out}");
    // A class both correct and wrong is read as the TFDS multi-labels have it, and said.
    let both = format!(
        r#"{{"initial_annots": {{"{f1}": {{"correct": ["n01440764"], "wrong": ["n01440764"]}}, "{f2}": {{"correct": ["n01443537"]}}}}}}"#
    );
    let run = bagel(&labels("both.json", &both));
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("1 images list a class in two of their lists (e.g. \"{f1}\" lists 0 tench (n01440764) as both correct and wrong)")),
        "{}",
        run.stderr
    );
}

#[test]
fn an_image_listed_twice_in_a_slice_is_one_member_whichever_way_it_comes() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let f2 = file_name(1);
    let labels = format!(
        r#"{{"initial_annots": {{"{f2}": {{"correct": ["n02123159"]}}}}, "imagenet_m": ["{f2}", "{f2}", "{f2}"]}}"#
    );
    let labels = fixture.write("thrice.json", labels.as_bytes());
    let out = bagel_ok(&import(
        &fixture,
        "labels",
        "val",
        &["--name", "t"],
        &labels,
    ));
    assert!(out.contains("slice \"imagenet_m\" of 1 images"), "{out}");
    let list = fixture.write("thrice.txt", format!("{f2}\n{f2}\n{f2}\n").as_bytes());
    let list = list.to_str().unwrap();
    let p = project.to_str().unwrap();
    let out = bagel_ok(&on_val(&["slice"], p, &["--name", "s", "--file", list]));
    assert!(out.contains("1 images"), "{out}");
}

#[test]
fn a_json_lines_file_cut_short_is_named_at_the_line_cut() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let lines: Vec<String> = (0..6)
        .map(|i| {
            format!(
                r#"{{"file": "{}", "predictions": [{{"label": "LABEL_{}", "score": 0.9}}]}}"#,
                file_name(i),
                TOP3[i][0]
            )
        })
        .collect();
    let text = lines.join("\n");
    let cut = fixture.write("cut.jsonl", &text.as_bytes()[..text.len() - 20]);
    rejects(
        &fixture,
        &predictions(&fixture, &cut),
        &[
            "cut.jsonl: invalid JSON at line 6, column",
            "the file may be truncated",
        ],
    );
}

#[test]
fn several_files_are_one_transaction() {
    let fixture = Fixture::new();
    fixture.imported_project();
    // Both files parse; the second fails only as it is written, because model "m" (its
    // file's name) already has predictions: the first model, written by then, must go too.
    let top3 = std::fs::read(fixture.path("top3.npy")).unwrap();
    let first = fixture.write("fresh.npy", &top3);
    let second = fixture.write("m.npy", &top3);
    let p = fixture.project();
    rejects(
        &fixture,
        &on_val(
            &["import", "predictions"],
            p.to_str().unwrap(),
            &[first.to_str().unwrap(), second.to_str().unwrap()],
        ),
        &["m.npy", "already has predictions", "--replace"],
    );
}

#[test]
fn a_bad_file_among_many_writes_none_and_the_first_bad_one_is_named() {
    let fixture = Fixture::new();
    fixture.imported_project();
    // Files are read side by side while those read are written: the good files before the
    // first bad one are in the transaction by then, and must go with it. Of two bad files,
    // the first given is named, however the reading threads finish.
    let top3 = std::fs::read(fixture.path("top3.npy")).unwrap();
    let mut files: Vec<_> = (0..6)
        .map(|i| fixture.write(&format!("good{i}.npy"), &top3))
        .collect();
    files.insert(4, fixture.write("cut.npy", &top3[..top3.len() - 10]));
    files.push(fixture.write("garbage.npy", b"\x93NUMPY\x01\x00\xff\xffnonsense"));
    let p = fixture.project();
    let mut args = vec![
        "import",
        "predictions",
        p.to_str().unwrap(),
        "--dataset",
        "val",
    ];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    rejects(&fixture, &args, &["cut.npy", "truncated"]);
    let run = bagel(&args);
    assert!(!run.stderr.contains("garbage.npy"), "{}", run.stderr);
}

#[test]
fn unknown_datasets_and_non_projects_get_advice() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let p = fixture.project();
    rejects(
        &fixture,
        &["metrics", p.to_str().unwrap(), "--dataset", "nope"],
        &["no dataset \"nope\"", "it has: val"],
    );
    let not_project = fixture.path("images.csv");
    let run = bagel(&["metrics", not_project.to_str().unwrap(), "--dataset", "val"]);
    run.fails_with("not a bagel project");
    let missing = bagel(&["info", fixture.path("missing.bagel").to_str().unwrap()]);
    missing.fails_with("bagel new");
}

#[test]
fn a_missing_input_file_is_named_once_with_the_systems_words() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let missing = fixture.path("my_slice.txt");
    let p = fixture.project();
    let args = ["slice", p.to_str().unwrap(), "--dataset", "val"];
    let args: Vec<&str> = args
        .into_iter()
        .chain(["--file", missing.to_str().unwrap()])
        .collect();
    rejects(
        &fixture,
        &args,
        &["my_slice.txt: No such file or directory"],
    );
    let run = bagel(&args);
    assert_eq!(
        run.stderr.matches("No such file").count(),
        1,
        "the cause printed more than once: {}",
        run.stderr
    );
}

#[test]
fn a_class_search_without_a_match_says_so() {
    let run = bagel(&["classes", "zzq"]);
    run.fails_with("no class matches \"zzq\"; give a class index, a wnid or part of a class name");
    assert!(run.stdout.is_empty());
}

#[test]
fn a_label_export_with_nothing_to_export_is_refused() {
    let fixture = Fixture::new();
    fixture.imported_project();
    let p = fixture.project();
    let p = p.to_str().unwrap();
    let images = fixture.path("images.csv");
    bagel_ok(&[
        "import",
        "images",
        p,
        "--dataset",
        "bare",
        images.to_str().unwrap(),
    ]);
    let out = fixture.path("bare.json");
    rejects(
        &fixture,
        &[
            "export",
            "labels",
            p,
            "--dataset",
            "bare",
            out.to_str().unwrap(),
        ],
        &["dataset \"bare\" has neither multi-labels nor decisions"],
    );
    assert!(!out.exists(), "nothing written");
}
