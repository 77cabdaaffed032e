//! What the benchmarks share: where the real data is, a seeded generator, a .npy writer, and
//! the 67-model project the targets are stated for (real data, or synthetic of the
//! same shape when the data is absent).

#![allow(dead_code)] // each bench target uses a different part

use bagel::import::{
    LabelImport, PredictionImport, import_images, import_labels, import_predictions,
};
use bagel::progress::Silent;
use bagel::store::Project;
use bagel::vocab::{ClassId, Vocabulary};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const IMAGES: usize = 50_000;
pub const CLASSES: usize = 1000;
pub const DATASET: &str = "val";

/// The shared data folder: $BAGEL_DATA, else ../shared/data next to the crate; None if absent.
pub fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("BAGEL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")));
    dir.join("imagenetv2/datasets/imagenet-validation-original.json")
        .is_file()
        .then_some(dir)
}

/// SplitMix64: deterministic, dependency-free and fast enough for 50 million draws.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) < p * (1u64 << 53) as f64
    }

    /// Roughly standard normal: the centred sum of four uniforms (one draw, 16 bits each).
    pub fn normalish(&mut self) -> f32 {
        let r = self.next_u64();
        let sum: u64 = (0..4).map(|i| (r >> (16 * i)) & 0xFFFF).sum();
        (sum as f32 / 65536.0 - 2.0) * 3f32.sqrt()
    }

    pub fn class(&mut self) -> ClassId {
        self.below(CLASSES) as ClassId
    }
}

/// A classifier's ranked guesses: right at top-1 three times in four (like the 67 real
/// models), the rest distinct random classes.
pub fn ranked_guesses(rng: &mut Rng, truth: ClassId, k: usize, row: &mut Vec<ClassId>) {
    row.clear();
    if rng.chance(0.75) {
        row.push(truth);
    }
    while row.len() < k {
        let class = rng.class();
        if !row.contains(&class) {
            row.push(class);
        }
    }
}

/// A ReaL-like set: the truth, sometimes a second or third class, empty for 6% of images
/// (real.json: 3,163 of 50,000 empty, 84% single).
pub fn real_like_set(rng: &mut Rng, truth: ClassId) -> Vec<ClassId> {
    if rng.chance(0.063) {
        return Vec::new();
    }
    let mut set = vec![truth];
    while set.len() < 9 && rng.chance(0.16) {
        set.push(rng.class());
    }
    set
}

/// Writes a 2-D C-order array in .npy format version 1.0 (`descr` e.g. "<f4", "<i2").
pub fn write_npy(path: &Path, descr: &str, shape: (usize, usize), data: &[u8]) {
    let dict = format!(
        "{{'descr': '{descr}', 'fortran_order': False, 'shape': ({}, {}), }}",
        shape.0, shape.1
    );
    // magic (6) + version (2) + header length (2) + dict, padded with spaces to a multiple
    // of 64 bytes and ended by a newline, as numpy writes it.
    let unpadded = 10 + dict.len() + 1;
    let header = format!(
        "{dict}{}\n",
        " ".repeat(unpadded.next_multiple_of(64) - unpadded)
    );
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    file.write_all(b"\x93NUMPY\x01\x00").unwrap();
    file.write_all(&(header.len() as u16).to_le_bytes())
        .unwrap();
    file.write_all(header.as_bytes()).unwrap();
    file.write_all(data).unwrap();
    file.flush().unwrap();
}

/// The input files of a project: real ones, or synthetic stand-ins written into `dir`.
pub struct Inputs {
    pub images: PathBuf,
    pub labels: Vec<PathBuf>,
    pub predictions: Vec<(String, PathBuf)>,
    pub synthetic: bool,
}

impl Inputs {
    /// The 67 models' top-5 on ImageNet val from the shared data when present.
    pub fn top5_67_models(dir: &Path) -> Self {
        match data_dir() {
            Some(data) => {
                let predictions = data.join("imagenetv2/predictions/imagenet-validation-original");
                let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&predictions)
                    .unwrap()
                    .map(|entry| entry.unwrap().path())
                    .filter(|path| path.extension().is_some_and(|e| e == "npy"))
                    .map(|path| (bagel::import::model_name_of(&path), path))
                    .collect();
                files.sort();
                Inputs {
                    images: data.join("imagenetv2/datasets/imagenet-validation-original.json"),
                    labels: vec![
                        data.join("imagenet/real/real.json"),
                        data.join("imagenet/multilabel_unlicensed/multilabel_v3_layout.json"),
                    ],
                    predictions: files,
                    synthetic: false,
                }
            }
            None => {
                eprintln!(
                    "NOTE: no shared data (set BAGEL_DATA); benchmarking SYNTHETIC data of the same \
                     shape instead: {IMAGES} images, 67 models, top-5, random ReaL-like sets"
                );
                Self::synthetic(dir, 67, 5)
            }
        }
    }

    /// An image list, a real.json and `models` top-k class-id files, seeded.
    pub fn synthetic(dir: &Path, models: usize, k: usize) -> Self {
        let mut rng = Rng::new(2012);
        let truth: Vec<ClassId> = (0..IMAGES).map(|_| rng.class()).collect();
        let images = dir.join("images.txt");
        let list: String = truth
            .iter()
            .enumerate()
            .map(|(i, label)| format!("ILSVRC2012_val_{:08}.JPEG,{label}\n", i + 1))
            .collect();
        std::fs::write(&images, list).unwrap();
        let real = dir.join("real.json");
        let sets: Vec<Vec<ClassId>> = truth.iter().map(|&t| real_like_set(&mut rng, t)).collect();
        std::fs::write(&real, serde_json::to_string(&sets).unwrap()).unwrap();
        let mut row = Vec::with_capacity(k);
        let predictions = (0..models)
            .map(|m| {
                let mut bytes = Vec::with_capacity(IMAGES * k * 2);
                for &t in &truth {
                    ranked_guesses(&mut rng, t, k, &mut row);
                    bytes.extend(row.iter().flat_map(|&c| (c as i16).to_le_bytes()));
                }
                let path = dir.join(format!("model_{m:03}.npy"));
                write_npy(&path, "<i2", (IMAGES, k), &bytes);
                (format!("model_{m:03}"), path)
            })
            .collect();
        Inputs {
            images,
            labels: vec![real],
            predictions,
            synthetic: true,
        }
    }

    /// A new project at `path` holding one dataset with every input imported.
    pub fn build_project(&self, path: &Path) -> Project {
        let mut project = Project::create(path, &Vocabulary::imagenet1k()).unwrap();
        import_images(&mut project, DATASET, &self.images, None, &Silent).unwrap();
        for file in &self.labels {
            let request = LabelImport {
                dataset: DATASET,
                file,
                format: None,
                name: None,
                replace: false,
            };
            import_labels(&mut project, &request, &Silent).unwrap();
        }
        if !self.predictions.is_empty() {
            let request = PredictionImport {
                dataset: DATASET,
                files: &self.predictions,
                order: None,
                top_k: None,
                replace: false,
                reverse_ranks: false,
                reading: Default::default(),
            };
            import_predictions(&mut project, &request, &Silent).unwrap();
        }
        project
    }
}
