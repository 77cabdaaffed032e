//! Fixtures the tests write: six ImageNet val images with hand-checked labels and predictions.
#![allow(dead_code)] // each test file uses its own part of the fixtures

use std::path::{Path, PathBuf};
use std::process::Command;

/// Original labels of ILSVRC2012_val_00000001..6: tabby, tiger cat, bathtub, tench, goldfish,
/// great white shark.
pub const ORIGINAL: [u16; 6] = [281, 282, 435, 0, 1, 2];
/// Top-3 per image (see tests/cli_story.rs for what each row exercises).
pub const TOP3: [[u16; 3]; 6] = [
    [282, 281, 285],
    [282, 281, 0],
    [876, 435, 1],
    [0, 1, 2],
    [3, 1, 2],
    [2, 4, 3],
];

pub fn file_name(image: usize) -> String {
    format!("ILSVRC2012_val_{:08}.JPEG", image + 1)
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        let fixture = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        let list: String = (0..6)
            .map(|i| format!("{},{}\n", file_name(i), ORIGINAL[i]))
            .collect();
        fixture.write("images.csv", format!("file,label\n{list}").as_bytes());
        // ReaL: the fourth image has an empty set (excluded); 50,000 entries like the real
        // real.json, the images after the sixth without labels.
        let real = format!(
            "[[281, 282], [282], [435, 876], [], [1], [2, 3], [5]{}]",
            ", []".repeat(50_000 - 7)
        );
        fixture.write("real.json", real.as_bytes());
        let multilabel = r#"{"initial_annots": {
            "ILSVRC2012_val_00000001.JPEG": {"correct": ["n02123045"], "unclear": ["n02123159"], "wrong": ["n02124075"]},
            "ILSVRC2012_val_00000002.JPEG": {"correct": ["n02123159"]},
            "ILSVRC2012_val_00000003.JPEG": {"correct": ["n02808440"]},
            "ILSVRC2012_val_00000005.JPEG": {"correct": ["n01443537"]},
            "some_imagenetv2_image": {"correct": ["n01443537"]}},
          "problematic_images": {"ILSVRC2012_val_00000004.JPEG": true},
          "imagenet_m": []}"#;
        fixture.write("multilabel.json", multilabel.as_bytes());
        let ids: Vec<i64> = TOP3.iter().flatten().map(|&c| c as i64).collect();
        fixture.write(
            "top3.npy",
            &npy(
                "<i8",
                &[6, 3],
                &ids.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>(),
            ),
        );
        fixture.write("logits.npy", &npy("<f4", &[6, 1000], &f32_bytes(&logits())));
        fixture
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub fn project(&self) -> PathBuf {
        self.path("p.bagel")
    }

    /// A project with the images, both label sources and the top-3 model imported.
    pub fn imported_project(&self) -> PathBuf {
        let p = self.project();
        let p = p.to_str().unwrap();
        bagel_ok(&["new", p]);
        bagel_ok(&[
            "import",
            "images",
            p,
            "--dataset",
            "val",
            self.path("images.csv").to_str().unwrap(),
        ]);
        bagel_ok(&[
            "import",
            "labels",
            p,
            "--dataset",
            "val",
            self.path("real.json").to_str().unwrap(),
        ]);
        bagel_ok(&[
            "import",
            "labels",
            p,
            "--dataset",
            "val",
            self.path("multilabel.json").to_str().unwrap(),
        ]);
        bagel_ok(&[
            "import",
            "predictions",
            p,
            "--dataset",
            "val",
            "--model",
            "m",
            self.path("top3.npy").to_str().unwrap(),
        ]);
        self.project()
    }
}

/// Logits whose top-3 per image are TOP3 (scores 5, 4, 3 over a floor of 0).
pub fn logits() -> Vec<f32> {
    let mut values = vec![0.0f32; 6 * 1000];
    for (image, row) in TOP3.iter().enumerate() {
        for (rank, &class) in row.iter().enumerate() {
            values[image * 1000 + class as usize] = 5.0 - rank as f32;
        }
    }
    values
}

pub fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A C-order .npy (format 1.0) as numpy.save writes it.
pub fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|s| s.to_string()).collect();
    let shape_text = if shape.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    npy_with_shape(descr, &shape_text, data)
}

/// An .npy whose header says `shape` (written as numpy would print it) over `data`.
pub fn npy_with_shape(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(data);
    bytes
}

/// A zip archive of `(name, bytes)` members, deflated as numpy.savez_compressed and
/// torch.save's writers may compress them.
pub fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::FileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, bytes) in members {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// `import WHAT PROJECT --dataset DATASET OPTIONS... FILE`.
pub fn import_args(
    project: &Path,
    what: &str,
    dataset: &str,
    options: &[&str],
    file: &Path,
) -> Vec<String> {
    let mut args = vec![
        "import",
        what,
        project.to_str().unwrap(),
        "--dataset",
        dataset,
    ];
    args.extend_from_slice(options);
    args.push(file.to_str().unwrap());
    args.into_iter().map(String::from).collect()
}

pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The command failed, saying `needle`.
    #[track_caller]
    pub fn fails_with(&self, needle: &str) {
        assert!(!self.ok && self.stderr.contains(needle), "{}", self.stderr);
    }
}

pub fn bagel<S: AsRef<str>>(args: &[S]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_bagel"))
        .args(args.iter().map(AsRef::as_ref))
        .output()
        .unwrap();
    Run {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `WORDS... PROJECT --dataset val REST...`: the shape of most commands on the fixture's dataset.
pub fn on_val(words: &[&str], project: &str, rest: &[&str]) -> Vec<String> {
    let mut args: Vec<&str> = words.to_vec();
    args.extend([project, "--dataset", "val"]);
    args.extend(rest);
    args.into_iter().map(str::to_owned).collect()
}

pub fn bagel_ok<S: AsRef<str> + std::fmt::Debug>(args: &[S]) -> String {
    let run = bagel(args);
    assert!(run.ok, "bagel {args:?} failed: {}", run.stderr);
    run.stdout
}

/// Another program's view of a project file. SQLite changes `PRAGMA data_version` on this
/// connection whenever any other connection commits to the file, whatever table it touched
/// (row counts would miss an update, or a table added later).
pub struct Observer(rusqlite::Connection);

impl Observer {
    pub fn of(project: &Path) -> Observer {
        Observer(rusqlite::Connection::open(project).unwrap())
    }

    /// Equal before and after a command means it committed nothing.
    pub fn version(&self) -> i64 {
        (self
            .0
            .query_row("PRAGMA data_version", [], |row| row.get(0)))
        .unwrap()
    }
}

/// Runs a bagel command that must fail cleanly: no panic or raw SQLite text, a message that
/// names each of `must_mention`, and nothing committed to `project`.
pub fn refused<S: AsRef<str> + std::fmt::Debug>(project: &Path, args: &[S], must_mention: &[&str]) {
    let observer = Observer::of(project);
    let before = observer.version();
    let run = bagel(args);
    assert!(!run.ok, "bagel {args:?} should fail");
    for raw in [
        "panicked",
        "Error code",
        "constraint failed",
        "database is locked",
    ] {
        assert!(
            !run.stderr.contains(raw),
            "raw text {raw:?} in: {}",
            run.stderr
        );
    }
    for needle in must_mention {
        assert!(
            run.stderr.contains(needle),
            "message {:?} lacks {needle:?}",
            run.stderr
        );
    }
    assert_eq!(
        observer.version(),
        before,
        "a refused command wrote to the project"
    );
}

pub fn metrics_json(project: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "metrics",
        project.to_str().unwrap(),
        "--dataset",
        "val",
        "--json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&bagel_ok(&args)).unwrap()
}

pub fn assert_close(value: &serde_json::Value, expected: f64) {
    let actual = value
        .as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {value}"));
    assert!(
        (actual - expected).abs() < 1e-9,
        "expected {expected}, got {actual}"
    );
}

/// The real data folder holding every file of `needed` (paths relative to it): $BAGEL_DATA,
/// which must then hold them all (`.ci/run` sets it, so a missing file fails there), else
/// ../shared/data beside the crate when present. Otherwise None, after saying SKIPPED on the
/// terminal itself: the harness swallows a passing test's `eprintln!`, not a direct write.
pub fn real_data(needed: &[&str]) -> Option<PathBuf> {
    use std::io::Write;
    let given = std::env::var_os("BAGEL_DATA").map(PathBuf::from);
    let path = (given.clone())
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")));
    let missing: Vec<&str> = (needed.iter().copied())
        .filter(|relative| !path.join(relative).is_file())
        .collect();
    if missing.is_empty() {
        return Some(path);
    }
    assert!(
        given.is_none(),
        "BAGEL_DATA={} lacks {}; point it at the shared data folder, or unset it to skip",
        path.display(),
        missing.join(", ")
    );
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {}: real data not found at {} (lacks {}; set BAGEL_DATA)",
        std::thread::current().name().unwrap_or("a test"),
        path.display(),
        missing.join(", ")
    );
    None
}

/// A published review (imagenet-mistakes layout) judging image 5's top prediction, tench (3),
/// a major spurious-correlation mistake.
pub fn spurious_review_of_image_5(fixture: &Fixture) -> PathBuf {
    let review = format!(
        r#"{{"{}": {{"top_prediction": 3, "failure category": "Spurious Correlation", "failure severity": "Major"}}}}"#,
        file_name(4)
    );
    fixture.write("vit_mistakes.json", review.as_bytes())
}
