//! Inputs a careless or hostile user hands bagel: each is refused with a message that names the
//! file, the record and what to do, never a panic or raw SQLite text, and the project is left
//! exactly as it was.

mod common;

use common::*;
use std::path::Path;

#[test]
fn an_npy_shape_that_overflows_is_refused_with_or_without_top_k() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let huge = fixture.write(
        "huge.npy",
        &npy_with_shape("<i8", "(50000, 576460752303423488)", &[0; 48]),
    );
    for options in [&["--model", "x"][..], &["--model", "x", "--top-k", "5"]] {
        refused(
            &project,
            &import_args(&project, "predictions", "val", options, &huge),
            &[
                "huge.npy",
                "(50000, 576460752303423488)",
                "save the array again",
            ],
        );
    }
    let no_columns = fixture.write("none.npy", &npy_with_shape("<i8", "(6, 0)", &[]));
    refused(
        &project,
        &import_args(
            &project,
            "predictions",
            "val",
            &["--model", "x"],
            &no_columns,
        ),
        &["none.npy", "[6, 0] holds no values"],
    );
}

fn run_with_stdout(args: &[&str], stdout: std::process::Stdio) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bagel"))
        .args(args)
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before bagel writes a line, as `head -1` does after its line.
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_quietly_and_a_full_disk_is_an_error() {
    let closed = run_with_stdout(&["classes"], std::process::Stdio::piped());
    assert_eq!(closed.status.code(), Some(0), "{closed:?}");
    assert!(
        closed.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&closed.stderr)
    );

    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let run = run_with_stdout(&["info", project.to_str().unwrap()], full.into());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the output"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn image_lists_with_empty_blank_or_control_names_are_refused() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let images = |name: &str, text: &[u8]| {
        let file = fixture.write(name, text);
        import_args(&project, "images", "new", &[], &file)
    };
    for (file, text, line) in [
        ("comma.csv", &b"a.jpg,1\n,\n"[..], "line 2"),
        ("quotes.csv", b"a.jpg\n\"\"\n", "line 2"),
        ("tabs.csv", b"a.jpg\n\t,\t\n", "line 2"),
        ("wnid_only.csv", b", n01440764\n", "line 1"),
        ("spaces.csv", b"a.jpg\n\"   \",3\n", "line 2"),
        ("nul.csv", b"a.jpg\nb\0c.jpg\n", "line 2"),
        // A quoted line break is part of the name, not the end of a line.
        ("quoted.csv", b"file,label\n\"a\nb.JPEG\",1\n", "line 2"),
    ] {
        refused(
            &project,
            &images(file, text),
            &[file, line, "expected file[,label]"],
        );
    }
    for (file, text, record) in [
        ("just_string.json", &br#""x""#[..], "image_filenames"),
        (
            "nul.json",
            br#"{"image_filenames": [["a", "n01440764"], ["b\u0000", "n01440764"]]}"#,
            "image_filenames[1]",
        ),
        (
            "newline.json",
            br#"{"image_filenames": [["a\nb", "n01440764"]]}"#,
            "image_filenames[0]",
        ),
        (
            "empty_name.json",
            br#"{"image_filenames": [["", "n01440764"]]}"#,
            "image_filenames[0]",
        ),
    ] {
        refused(&project, &images(file, text), &[file, record]);
    }
    // The same reader names the rows of --order.
    let order = fixture.write("order.csv", b"ILSVRC2012_val_00000001.JPEG\n,\n");
    let mut args = import_args(
        &project,
        "predictions",
        "val",
        &["--model", "x"],
        &fixture.path("top3.npy"),
    );
    args.extend(["--order".into(), order.to_str().unwrap().into()]);
    refused(&project, &args, &["order.csv", "line 2", "blank"]);
}

#[test]
fn image_lists_and_label_csvs_are_read_as_csv_with_quoted_fields() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    // pandas quotes a name holding the separator; the name keeps it.
    let comma = fixture.write("comma_name.csv", b"file,label\n\"a,b.JPEG\",1\nc.JPEG,2\n");
    let out = bagel_ok(&import_args(&project, "images", "quoted", &[], &comma));
    assert!(out.contains("2 images, 2 with an original label"), "{out}");
    let slice = fixture.write("slice.json", br#"["a,b.JPEG"]"#);
    let slice = slice.to_str().unwrap();
    bagel_ok(&[
        "slice",
        p,
        "--dataset",
        "quoted",
        "--name",
        "s",
        "--file",
        slice,
    ]);
    // An unterminated quote would swallow the rest of the file into one field.
    let labels = format!("file,labels\n{},\"1, 2", file_name(0));
    let open = fixture.write("open_quote.csv", labels.as_bytes());
    refused(
        &project,
        &import_args(&project, "labels", "val", &["--name", "q"], &open),
        &["open_quote.csv: line 2: a quoted field opens here and is never closed"],
    );
    let list = fixture.write(
        "open_list.csv",
        b"file,label\na.JPEG,1\n\"b.JPEG,2\nc.JPEG,3\n",
    );
    refused(
        &project,
        &import_args(&project, "images", "open", &[], &list),
        &["open_list.csv: line 3: a quoted field opens here and is never closed"],
    );
}

#[test]
fn blank_dataset_and_label_source_names_are_refused() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let list = fixture.path("images.csv");
    for name in ["", "   ", "a\u{1b}[31m"] {
        refused(
            &project,
            &import_args(&project, "images", name, &[], &list),
            &["dataset name"],
        );
    }
    let labels = fixture.path("multilabel.json");
    for name in ["", " \t"] {
        refused(
            &project,
            &import_args(
                &project,
                "labels",
                "val",
                &["--name", name, "--replace"],
                &labels,
            ),
            &["label source name", "blank"],
        );
    }
}

/// A timm CSV of the six fixture images with numbered columns; `cells(image)` gives the rest.
fn timm_csv(cells: impl Fn(usize) -> String) -> Vec<u8> {
    let mut text = String::from("filename,index_0,index_1,prob_0,prob_1\n");
    for image in 0..6 {
        text += &format!("{},{}\n", file_name(image), cells(image));
    }
    text.into_bytes()
}

#[test]
fn timm_cells_must_parse_whole_and_every_row_needs_every_rank() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let good = |_| "1,3,0.5,0.2".to_owned();
    let cases: [(&str, Vec<u8>, &[&str]); 5] = [
        (
            "blank_index.csv",
            timm_csv(|i| if i == 2 { ",3,0.5,0.2".into() } else { good(i) }),
            &["line 4", "\"index_0\"", "blank cell"],
        ),
        (
            "tab.csv",
            timm_csv(|i| {
                if i == 5 {
                    "1,3,0.\t34140,0.2".into()
                } else {
                    good(i)
                }
            }),
            &["line 7", "\"prob_0\"", "\"0.\\t34140\" is not a number"],
        ),
        (
            "bracket.csv",
            timm_csv(|i| {
                if i == 0 {
                    "91[,3,0.5,0.2".into()
                } else {
                    good(i)
                }
            }),
            &["line 2", "\"index_0\"", "\"91[\" is not a number"],
        ),
        (
            "short_list.csv",
            {
                let mut text = String::from("filename,index,prob\n");
                for image in 0..6 {
                    let ids = if image == 3 { "[1]" } else { "[1, 3]" };
                    text += &format!("{},\"{ids}\",\"[0.5, 0.2]\"\n", file_name(image));
                }
                text.into_bytes()
            },
            &[
                "line 5",
                "1 class indices where the first row has 2",
                "every rank",
            ],
        ),
        (
            "glued_list.csv",
            {
                let mut text = String::from("filename,index,prob\n");
                for image in 0..6 {
                    text += &format!("{},\"[1, 3]\",\"[0.5, 0.2]]\"\n", file_name(image));
                }
                text.into_bytes()
            },
            &["line 2", "\"prob\"", "\"0.2]\" is not a number"],
        ),
    ];
    for (name, text, mention) in cases {
        let file = fixture.write(name, &text);
        let args = import_args(&project, "predictions", "val", &["--model", "t"], &file);
        let mut needles = vec![name];
        needles.extend_from_slice(mention);
        refused(&project, &args, &needles);
    }
    let fine = fixture.write("fine.csv", &timm_csv(good));
    bagel_ok(&import_args(
        &project,
        "predictions",
        "val",
        &["--model", "t"],
        &fine,
    ));
}

#[test]
fn a_real_json_without_exactly_50000_entries_is_refused() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let whole = std::fs::read_to_string(fixture.path("real.json")).unwrap();
    let missing = fixture.write("missing.json", whole.replacen("[], ", "", 1).as_bytes());
    let repeated = fixture.write(
        "repeated.json",
        whole.replacen("[], ", "[], [], ", 1).as_bytes(),
    );
    for (file, count) in [
        (missing, "has 49999 entries"),
        (repeated, "has 50001 entries"),
    ] {
        refused(
            &project,
            &import_args(&project, "labels", "val", &["--name", "r2"], &file),
            &[
                file.file_name().unwrap().to_str().unwrap(),
                count,
                "50000 ImageNet val images",
            ],
        );
    }
}

/// A second writer while another holds the write lock.
fn second_writer(project: &Path, list: &Path) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_bagel"))
        .args([
            "import",
            "images",
            project.to_str().unwrap(),
            "--dataset",
            "second",
        ])
        .arg(list)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_second_writer_waits_says_so_and_lands_when_the_first_is_done() {
    use std::io::BufRead;
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let first = rusqlite::Connection::open(&project).unwrap();
    first.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut child = second_writer(&project, &fixture.path("images.csv"));
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert_eq!(
        line,
        format!(
            "waiting for another bagel writing to {}\n",
            project.display()
        )
    );
    first.execute_batch("COMMIT").unwrap();
    assert!(child.wait().unwrap().success());
    let info = bagel_ok(&["info", project.to_str().unwrap()]);
    assert!(info.contains("dataset second · 6 images"), "{info}");
}

#[test]
fn a_second_writer_that_waits_in_vain_is_told_plainly_and_writes_nothing() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let observer = Observer::of(&project);
    let before = observer.version();
    let first = rusqlite::Connection::open(&project).unwrap();
    first.execute_batch("BEGIN IMMEDIATE").unwrap();
    let output = second_writer(&project, &fixture.path("images.csv"))
        .wait_with_output()
        .unwrap();
    first.execute_batch("ROLLBACK").unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("waiting for another bagel writing to"),
        "{stderr}"
    );
    assert!(
        stderr.contains("is busy: another bagel (or another program) kept writing"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Error code") && !stderr.contains("database is locked"),
        "{stderr}"
    );
    assert_eq!(observer.version(), before);
}

#[test]
fn another_applications_database_and_an_empty_file_are_left_as_they_are() {
    let fixture = Fixture::new();
    let other = fixture.path("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    drop(conn);
    let empty = fixture.write("empty.bagel", b"");
    for file in [&other, &empty] {
        let before = std::fs::read(file).unwrap();
        for args in [
            vec!["info", file.to_str().unwrap()],
            vec!["config", file.to_str().unwrap(), "--collapse", "on"],
            vec!["import", "images", file.to_str().unwrap(), "--dataset", "d"],
        ] {
            let mut args = args;
            let list = fixture.path("images.csv");
            if args[0] == "import" {
                args.push(list.to_str().unwrap());
            }
            let run = bagel(&args);
            run.fails_with("is not a bagel project");
        }
        assert_eq!(
            std::fs::read(file).unwrap(),
            before,
            "{} was changed",
            file.display()
        );
    }
    let journal: String = rusqlite::Connection::open(&other)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(journal, "delete");
    assert!(!fixture.path("empty.bagel-wal").exists());
}

#[test]
fn a_new_project_appears_whole_with_nothing_beside_it() {
    let fixture = Fixture::new();
    let folder = fixture.path("projects");
    std::fs::create_dir(&folder).unwrap();
    let project = folder.join("p.bagel");
    bagel_ok(&["new", project.to_str().unwrap()]);
    let names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["p.bagel"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&project).unwrap().permissions().mode();
        assert_ne!(
            mode & 0o044,
            0,
            "a new project is readable like any new file: {mode:o}"
        );
    }
    let again = bagel(&["new", project.to_str().unwrap()]);
    again.fails_with("already exists");
    // A creation that fails (here: a vocabulary file that is not there) leaves nothing.
    let failed = bagel(&[
        "new",
        folder.join("q.bagel").to_str().unwrap(),
        "--vocab",
        "none.csv",
    ]);
    assert!(!failed.ok);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
}

#[test]
fn a_read_only_project_can_be_read_but_not_written() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let mut permissions = std::fs::metadata(&project).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&project, permissions).unwrap();
    let p = project.to_str().unwrap();
    let info = bagel_ok(&["info", p]);
    assert!(info.contains("dataset val · 6 images"), "{info}");
    let metrics = metrics_json(&project, &[]);
    assert_eq!(metrics["models"][0]["model"], "m");
    refused(
        &project,
        &import_args(&project, "images", "more", &[], &fixture.path("images.csv")),
        &["is read-only", "make it writable"],
    );
}

#[test]
fn a_damaged_project_is_called_damaged_with_the_command_that_checks_it() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let mut bytes = std::fs::read(&project).unwrap();
    // Page 1 (the header and the schema) stays; the pages after it are overwritten.
    for byte in &mut bytes[4096..] {
        *byte = 0xff;
    }
    std::fs::write(&project, &bytes).unwrap();
    let p = project.to_str().unwrap();
    for args in [&["info", p][..], &["metrics", p, "--dataset", "val"]] {
        let run = bagel(args);
        assert!(!run.ok);
        assert!(run.stderr.contains("is damaged"), "{}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "sqlite3 {} 'PRAGMA integrity_check'",
                project.display()
            )),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("not a bagel project") && !run.stderr.contains("Error code"));
    }
}

fn names_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn export_replaces_only_its_target_keeping_mode_and_symlinks() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    let out = fixture.path("out");
    std::fs::create_dir(&out).unwrap();
    let export = |target: &Path| {
        bagel(&on_val(
            &["export", "labels"],
            p,
            &[target.to_str().unwrap()],
        ))
    };
    let header = "file,correct,unclear,wrong,problematic,outside_multilabels\n";

    // The user's own results.partial is not bagel's scratch file.
    std::fs::write(out.join("results.partial"), "my notes").unwrap();
    assert!(export(&out.join("results.csv")).ok);
    assert_eq!(
        std::fs::read_to_string(out.join("results.partial")).unwrap(),
        "my notes"
    );
    let written = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(written.starts_with(header), "{written}");

    // A target named .partial is written like any other.
    assert!(export(&out.join("x.partial")).ok);
    assert!(
        std::fs::read_to_string(out.join("x.partial"))
            .unwrap()
            .starts_with(header)
    );

    // A folder is refused and nothing is left beside it.
    let run = export(&out);
    run.fails_with("is a folder");
    assert_eq!(
        names_in(fixture.dir.path())
            .iter()
            .filter(|n| n.contains("out."))
            .count(),
        0
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let shared = out.join("shared.csv");
        std::fs::write(&shared, "old").unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o664)).unwrap();
        assert!(export(&shared).ok);
        assert_eq!(
            std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777,
            0o664
        );

        let link = out.join("link.csv");
        std::os::unix::fs::symlink("results.csv", &link).unwrap();
        std::fs::write(out.join("results.csv"), "old").unwrap();
        assert!(export(&link).ok);
        assert!(link.is_symlink(), "the link stays a link");
        assert!(
            std::fs::read_to_string(out.join("results.csv"))
                .unwrap()
                .starts_with(header)
        );
    }
    let names = names_in(&out);
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn image_names_outside_the_root_need_allow_absolute() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let root = fixture.path("root");
    std::fs::create_dir(&root).unwrap();
    for (file, text, name) in [
        (
            "climb.csv",
            "a.jpg\n../../etc/passwd\n",
            "\"../../etc/passwd\" (entry 2)",
        ),
        ("absolute.csv", "/etc/passwd\n", "\"/etc/passwd\" (entry 1)"),
    ] {
        let list = fixture.write(file, text.as_bytes());
        refused(
            &project,
            &import_args(
                &project,
                "images",
                "d",
                &["--root", root.to_str().unwrap()],
                &list,
            ),
            &[file, name, "--allow-absolute"],
        );
    }
    let list = fixture.write("elsewhere.csv", b"/photos/a.jpg\n");
    bagel_ok(&import_args(
        &project,
        "images",
        "d",
        &["--allow-absolute"],
        &list,
    ));
    // The file cannot grant reading outside the root, not even with the setting older bagels
    // wrote: only the person at the desk can (`bagel open --images-anywhere`).
    let conn = rusqlite::Connection::open(&project).unwrap();
    conn.execute_batch("INSERT INTO settings VALUES ('images_anywhere:2', 'on')")
        .unwrap();
    drop(conn);
    let opened = bagel::store::Project::open(&project).unwrap();
    let mut dataset = opened.dataset("d").unwrap();
    assert!(!dataset.images_anywhere);
    assert_eq!(
        dataset.image_path("/photos/a.jpg"),
        Path::new("photos/a.jpg")
    );
    dataset.images_anywhere = true;
    assert_eq!(
        dataset.image_path("/photos/a.jpg"),
        Path::new("/photos/a.jpg")
    );
}

#[test]
fn huge_fields_and_escape_codes_do_not_reach_the_terminal_raw() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let field = "7".repeat(10 << 20);
    let csv = fixture.write(
        "huge.csv",
        format!("file,labels\n{},{field}x\n", file_name(0)).as_bytes(),
    );
    let run = bagel(&import_args(
        &project,
        "labels",
        "val",
        &["--name", "h"],
        &csv,
    ));
    assert!(!run.ok);
    assert!(
        run.stderr.len() < 2_000,
        "{} bytes of message",
        run.stderr.len()
    );
    assert!(run.stderr.contains("huge.csv: line 2") && run.stderr.contains("characters left out"));
    assert!(
        run.stderr
            .trim_end()
            .ends_with("nor a wnid of the vocabulary"),
        "{}",
        run.stderr
    );

    // A 2 MB header (format 2.0 allows it) whose shape is nonsense.
    let mut header = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}), }}",
        "9".repeat(2 << 20)
    );
    header.push('\n');
    let mut npy = b"\x93NUMPY\x02\x00".to_vec();
    npy.extend_from_slice(&(header.len() as u32).to_le_bytes());
    npy.extend_from_slice(header.as_bytes());
    let big_header = fixture.write("header.npy", &npy);
    let run = bagel(&import_args(
        &project,
        "predictions",
        "val",
        &["--model", "h"],
        &big_header,
    ));
    assert!(
        !run.ok && run.stderr.contains("header.npy"),
        "{}",
        &run.stderr[..run.stderr.len().min(500)]
    );
    assert!(
        run.stderr.len() < 2_000,
        "{} bytes of message",
        run.stderr.len()
    );

    let escape = fixture.write("evil\u{1b}[2J.csv", b"file,labels\nnot_an_image,1\n");
    let run = bagel(&import_args(
        &project,
        "labels",
        "val",
        &["--name", "e"],
        &escape,
    ));
    assert!(!run.ok);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert!(run.stderr.contains("evil\\u{1b}[2J.csv"), "{}", run.stderr);
}

#[test]
fn a_pickle_nested_past_any_tensor_is_refused_not_a_stack_overflow() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let mut lists = b"\x80\x02".to_vec();
    lists.extend([b']'; 10_000]);
    lists.extend([b'a'; 9_999]);
    lists.push(b'.');
    let mut tuples = b"\x80\x02}X\x06\x00\x00\x00logitsK\x01".to_vec();
    tuples.extend([0x85; 100_000]);
    tuples.extend(b"s.");
    for (name, pickle) in [("lists.pt", lists), ("tuples.pt", tuples)] {
        let file = fixture.write(name, &zip_of(&[("a/data.pkl", &pickle)]));
        refused(
            &project,
            &import_args(&project, "predictions", "val", &["--model", "x"], &file),
            &[name, "nested more than 100 levels", "save"],
        );
    }
    // What the pickle holds instead of a tensor is said in words, not dumped.
    let integer = fixture.write("int.pt", &zip_of(&[("a/data.pkl", b"\x80\x02K\x01.")]));
    refused(
        &project,
        &import_args(&project, "predictions", "val", &["--model", "x"], &integer),
        &["int.pt: a/data.pkl holds an integer; expected a tensor or a dict of tensors"],
    );
}

#[test]
fn an_npz_bomb_is_refused_before_it_is_inflated() {
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    // 16 MB of zeros deflate to 16 KB: the header announces 6 × 1000 floats (24,000 bytes).
    let mut bomb = npy("<f4", &[6, 1000], &[]);
    bomb.resize(bomb.len() + (16 << 20), 0);
    let file = fixture.write("bomb.npz", &zip_of(&[("logits.npy", &bomb)]));
    refused(
        &project,
        &import_args(&project, "predictions", "val", &["--model", "x"], &file),
        &[
            "bomb.npz (array \"logits\")",
            "more bytes follow the array",
            "save the array again",
        ],
    );
    let huge = npy_with_shape("<f4", "(50000000, 1000)", &[0; 4096]);
    let file = fixture.write("huge.npz", &zip_of(&[("logits.npy", &huge)]));
    refused(
        &project,
        &import_args(&project, "predictions", "val", &["--model", "x"], &file),
        &[
            "huge.npz",
            "announces 50000000 rows but the dataset has 6 images",
        ],
    );
}
