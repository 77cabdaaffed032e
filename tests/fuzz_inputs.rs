//! Fuzzing every reader of user files through the importers, in `cargo test`: valid files of
//! each format mutated byte by byte (replaced, inserted, deleted; with the bytes that matter to
//! the format), from a fixed seed and a bounded number of cases. No input may panic, and an
//! import that fails must leave the project exactly as it was.

mod common;

use bagel::error::Result;
use bagel::import::{self, ImportReport, LabelImport, PredictionImport};
use bagel::progress::Silent;
use bagel::store::Project;
use common::*;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::path::{Path, PathBuf};

/// Cases per reader: enough to reach the corners seen so far, a few seconds each on CI.
const CASES: u32 = 2_000;
const SEED: [u8; 32] = *b"bagel fuzzes every reader: 2026!";

/// Bytes that change a format's meaning: separators, quotes, brackets, digits, signs, NUL,
/// line breaks, escape, a UTF-8 lead byte, 0xff.
const INTERESTING: &[u8] = b",;\t \n\r\"'[](){}:0123456789-+.eE_nNx\0\x1b\xc3\xff";

#[derive(Debug, Clone)]
enum Edit {
    Replace(Index, u8),
    Insert(Index, u8),
    Delete(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![select(INTERESTING), any::<u8>()];
    prop_oneof![
        (any::<Index>(), byte.clone()).prop_map(|(at, b)| Edit::Replace(at, b)),
        (any::<Index>(), byte).prop_map(|(at, b)| Edit::Insert(at, b)),
        any::<Index>().prop_map(Edit::Delete),
    ]
}

/// A seed file with up to 8 edits, the edits falling in its first `focus` bytes (the header
/// of an .npy, the head of a JSON) half of the time.
fn mutated(seeds: Vec<Vec<u8>>, focus: usize) -> impl Strategy<Value = Vec<u8>> {
    (
        select(seeds),
        prop::collection::vec(edit(), 0..8),
        any::<bool>(),
    )
        .prop_map(move |(mut bytes, edits, focused)| {
            for edit in edits {
                let span = if focused {
                    focus.min(bytes.len())
                } else {
                    bytes.len()
                };
                match edit {
                    Edit::Replace(at, b) if span > 0 => bytes[at.index(span)] = b,
                    Edit::Insert(at, b) => bytes.insert(at.index(span + 1), b),
                    Edit::Delete(at) if span > 0 => {
                        bytes.remove(at.index(span));
                    }
                    _ => {}
                }
            }
            bytes
        })
}

/// Runs `import` on every mutated file: never a panic, and nothing written when it fails.
fn fuzz(
    name: &str,
    seeds: Vec<Vec<u8>>,
    focus: usize,
    import: impl Fn(&mut Project, &Path) -> Result<ImportReport>,
) {
    let fixture = Fixture::new();
    let built = fixture.imported_project();
    // The fuzzed project and files live in memory when they can: every import that reads
    // well commits with an fsync, which on a busy disk costs more than the rest of a case.
    let memory = Path::new("/dev/shm");
    let folder = match memory.is_dir() {
        true => tempfile::tempdir_in(memory).unwrap(),
        false => tempfile::tempdir().unwrap(),
    };
    let path = folder.path().join("fuzzed.bagel");
    std::fs::copy(&built, &path).unwrap();
    // The runner takes a shared closure; one case runs at a time.
    let project = std::cell::RefCell::new(Project::open(&path).unwrap());
    let file: PathBuf = folder.path().join(name);
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &SEED));
    let (failed, passed) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    // Kept open because opening one per case would cost more than the import.
    let observer = Observer::of(&path);
    let outcome = runner.run(&mutated(seeds, focus), |bytes| {
        std::fs::write(&file, &bytes).unwrap();
        let before = observer.version();
        match import(&mut project.borrow_mut(), &file) {
            Ok(_) => passed.set(passed.get() + 1),
            Err(error) => {
                failed.set(failed.get() + 1);
                prop_assert_eq!(observer.version(), before, "{} wrote before failing", error);
                prop_assert!(!error.to_string().is_empty());
            }
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{name}: {failure}");
    }
    println!(
        "{name}: {CASES} cases, {} refused, {} imported",
        failed.get(),
        passed.get()
    );
}

fn predictions(
    project: &mut Project,
    file: &Path,
    order: Option<&Path>,
    top_k: Option<usize>,
) -> Result<ImportReport> {
    let files = [("fuzzed".to_owned(), file.to_path_buf())];
    let request = PredictionImport {
        dataset: "val",
        files: &files,
        order,
        top_k,
        replace: true,
        reverse_ranks: false,
        reading: Default::default(),
    };
    import::import_predictions(project, &request, &Silent)
}

fn labels(project: &mut Project, file: &Path) -> Result<ImportReport> {
    let request = LabelImport {
        dataset: "val",
        file,
        format: None,
        name: Some("fuzzed"),
        replace: true,
    };
    import::import_labels(project, &request, &Silent)
}

fn i64_npy(rows: &[[u16; 3]]) -> Vec<u8> {
    let ids: Vec<u8> = rows
        .iter()
        .flatten()
        .flat_map(|&c| (c as i64).to_le_bytes())
        .collect();
    npy("<i8", &[rows.len(), 3], &ids)
}

#[test]
fn the_npy_reader_survives_mutated_arrays() {
    let f2: Vec<u8> = (0..6 * 1000)
        .flat_map(|i: u16| (i % 7).to_le_bytes())
        .collect();
    let seeds = vec![
        i64_npy(&TOP3),
        npy("<f2", &[6, 1000], &f2),
        npy("<i2", &[6], &[1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0]),
    ];
    fuzz("fuzzed.npy", seeds, 128, |project, file| {
        predictions(project, file, None, None)
    });
    let seeds = vec![i64_npy(&TOP3)];
    fuzz("top_k.npy", seeds, 128, |project, file| {
        predictions(project, file, None, Some(2))
    });
}

#[test]
fn the_json_label_readers_survive_mutated_files() {
    let multilabel = br#"{"initial_annots": {"ILSVRC2012_val_00000001.JPEG": {"correct": ["n02123045", 282], "unclear": ["n02123159"], "wrong": []}, "ILSVRC2012_val_00000002.JPEG": {"correct": [1]}}, "problematic_images": {"ILSVRC2012_val_00000004.JPEG": true}, "imagenet_m": ["ILSVRC2012_val_00000001.JPEG"]}"#;
    // ReaL is checked on a short list: a real 50,000-entry one would mostly mutate its tail.
    fuzz(
        "fuzzed.json",
        vec![
            multilabel.to_vec(),
            b"[[281, 282], [282], [], [1], [2, 3], [5]]".to_vec(),
        ],
        64,
        labels,
    );
}

fn votes(project: &mut Project, file: &Path) -> Result<ImportReport> {
    bagel::panel::import_votes(project, "val", file, import::ChairRows::Refuse, &Silent)
}

#[test]
fn the_vote_file_reader_survives_mutated_files() {
    let rows: String = (0..6)
        .map(|i| {
            let (verdict, details) = match i % 3 {
                0 => ("wrong", "spurious,major"),
                1 => ("correct", ","),
                _ => ("unclear", ","),
            };
            format!(
                "ana,{},{},{verdict},{details},\"a note\",independent,2026-12-0{}T10:00:00.000Z\n",
                file_name(i),
                (ORIGINAL[i] + 1) % 1000,
                i + 1
            )
        })
        .collect();
    let header = "reviewer,image,label,verdict,category,severity,note,round,cast_at";
    fuzz(
        "fuzzed_votes.csv",
        vec![format!("{header}\n{rows}").into_bytes()],
        64,
        votes,
    );
}

#[test]
fn the_crowd_rater_reader_survives_mutated_files() {
    let rows: String = (0..6)
        .flat_map(|i| {
            ["no", "maybe", "yes"]
                .into_iter()
                .enumerate()
                .map(move |(rater, answer)| {
                    format!("{i},{},{},{rater},{answer}\n", file_name(i), ORIGINAL[i])
                })
        })
        .collect();
    let seeds = vec![format!("question,file,label,rater_id,answer\n{rows}").into_bytes()];
    fuzz("fuzzed_votes.csv", seeds, 64, votes);
}

#[test]
fn the_csv_label_reader_survives_mutated_files() {
    let rows: String = (0..6)
        .map(|i| {
            format!(
                "{},\"{} n01440764\",1,,{}\n",
                file_name(i),
                ORIGINAL[i],
                i % 2 == 0
            )
        })
        .collect();
    let multilabel = format!("file,correct,unclear,wrong,problematic\n{rows}");
    let real: String = (0..6)
        .map(|i| format!("{},[{}]\n", file_name(i), ORIGINAL[i]))
        .collect();
    let seeds = vec![
        multilabel.into_bytes(),
        format!("file,labels\n{real}").into_bytes(),
    ];
    fuzz("fuzzed.csv", seeds, 64, labels);
}

#[test]
fn the_image_list_reader_survives_mutated_lists() {
    let list: String = (0..6)
        .map(|i| format!("{},{}\n", file_name(i), ORIGINAL[i]))
        .collect();
    let seeds = vec![
        format!("file,label\n{list}").into_bytes(),
        (0..6)
            .map(|i| format!("{}\tn01440764\n", file_name(i)))
            .collect::<String>()
            .into_bytes(),
        br#"{"image_filenames": [["a.jpeg", "n01440764"], ["b/c.jpeg", "n01443537"]]}"#.to_vec(),
    ];
    // A new dataset name each case, so lists that read well are written too.
    let case = std::cell::Cell::new(0);
    fuzz("fuzzed_images.csv", seeds.clone(), 64, |project, file| {
        case.set(case.get() + 1);
        let name = format!("fuzzed{}", case.get());
        import::import_images(project, &name, file, Some(Path::new("/images")), &Silent)
    });
    // The same reader orders the rows of an .npy.
    let top3 = std::env::temp_dir().join(format!("bagel-fuzz-top3-{}.npy", std::process::id()));
    std::fs::write(&top3, i64_npy(&TOP3)).unwrap();
    fuzz("fuzzed_order.csv", seeds, 64, |project, file| {
        predictions(project, &top3, Some(file), None)
    });
    std::fs::remove_file(&top3).unwrap();
}

#[test]
fn the_timm_reader_survives_mutated_results() {
    let rows: String = (0..6)
        .map(|i| {
            format!(
                "{},\"[{}, {}]\",\"[0.7, 0.2]\"\n",
                file_name(i),
                TOP3[i][0],
                TOP3[i][1]
            )
        })
        .collect();
    let numbered: String = (0..6)
        .map(|i| format!("{},{},{},0.7,0.2\n", file_name(i), TOP3[i][0], TOP3[i][1]))
        .collect();
    let records: Vec<String> = (0..6)
        .map(|i| {
            format!(
                r#"{{"filename": "{}", "index": [{}, {}], "prob": [0.7, 0.2]}}"#,
                file_name(i),
                TOP3[i][0],
                TOP3[i][1]
            )
        })
        .collect();
    let seeds = vec![
        format!("filename,index,prob\n{rows}").into_bytes(),
        format!("filename,index_0,index_1,prob_0,prob_1\n{numbered}").into_bytes(),
        format!("[{}]", records.join(", ")).into_bytes(),
    ];
    fuzz("fuzzed_timm.csv", seeds, 64, |project, file| {
        predictions(project, file, None, None)
    });
}

fn prediction_fixture(name: &str) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/predictions");
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn the_torch_safetensors_parquet_and_named_npz_readers_survive_mutated_files() {
    let seeds = [
        "logits_tensor.pt",
        "top5_ids.pt",
        "logits_named_shuffled.safetensors",
        "logits_named_shuffled.npz",
        "timm_index.parquet",
        "timm_all_logits.parquet",
    ];
    let seeds = seeds.iter().map(|name| prediction_fixture(name)).collect();
    fuzz("fuzzed_binary", seeds, 256, |project, file| {
        predictions(project, file, None, None)
    });
}

#[test]
fn the_feather_and_arrow_readers_survive_mutated_files() {
    let seeds = [
        "timm_index.feather",
        "timm_all_logits_zstd.feather",
        "per_rank_shuffled.arrow",
        "per_rank_shuffled.arrows",
    ];
    let seeds = seeds.iter().map(|name| prediction_fixture(name)).collect();
    fuzz("fuzzed_arrow", seeds, 512, |project, file| {
        predictions(project, file, None, None)
    });
}

#[test]
fn the_json_layouts_and_wide_csv_survive_mutation() {
    let seeds = [
        "timm_index.json",
        "timm_index_split.json",
        "timm_detailed.json",
        "hf_pipeline.jsonl",
        "timm_description.csv",
    ];
    let seeds = seeds.iter().map(|name| prediction_fixture(name)).collect();
    fuzz("fuzzed_text", seeds, 128, |project, file| {
        predictions(project, file, None, None)
    });
}

/// The stored label columns (schema 6) as something other than bagel might leave them: each
/// list blob of the multi-label source and the original labels mutated in place. Loading the
/// metrics never panics; what it refuses it calls damaged, and reading writes nothing.
#[test]
fn the_stored_label_columns_survive_mutation() {
    let fixture = Fixture::new();
    let path = fixture.imported_project();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let observer = Observer::of(&path);
    let columns = [
        ("label_lists", "correct"),
        ("label_lists", "unclear"),
        ("label_lists", "wrong"),
        ("label_lists", "flags"),
        ("datasets", "labels"),
    ];
    let config = Config {
        cases: CASES / 4,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    };
    let (refused, read) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    for (table, column) in columns {
        let original: Vec<u8> = conn
            .query_row(&format!("SELECT {column} FROM {table} LIMIT 1"), [], |r| {
                r.get(0)
            })
            .unwrap();
        let mut runner = TestRunner::new_with_rng(
            config.clone(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &SEED),
        );
        let outcome = runner.run(&mutated(vec![original.clone()], 64), |bytes| {
            conn.execute(&format!("UPDATE {table} SET {column} = ?1"), [&bytes])
                .unwrap();
            let before = observer.version();
            let project = Project::open_read_only(&path).unwrap();
            match bagel::metrics::Evaluation::load(&project, "val") {
                Ok(_) => read.set(read.get() + 1),
                Err(error) => {
                    refused.set(refused.get() + 1);
                    prop_assert!(error.to_string().contains("damaged"), "{}", error);
                }
            }
            prop_assert_eq!(observer.version(), before, "reading wrote");
            Ok(())
        });
        if let Err(failure) = outcome {
            panic!("{table}.{column}: {failure}");
        }
        conn.execute(&format!("UPDATE {table} SET {column} = ?1"), [&original])
            .unwrap();
    }
    let (refused, read) = (refused.get(), read.get());
    println!("stored label columns: {refused} refused, {read} read");
    assert!(
        refused > 0 && read > 0,
        "the mutations reached both outcomes"
    );
}
