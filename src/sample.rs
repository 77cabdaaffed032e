//! The bundled sample project: real photos, their labels and the predictions of three real
//! models that disagree (sample_data/, made by scripts/make_sample.py), compiled into the binary
//! and unpacked into the user's data folder so the repository stays clean.

use crate::error::{Error, Result};
use crate::import::{self, LabelFormat, LabelImport, PredictionImport};
use crate::progress::Silent;
use crate::store::Project;
use crate::vocab::Vocabulary;
use include_dir::{Dir, include_dir};
use std::path::{Path, PathBuf};

static SAMPLE_DATA: Dir = include_dir!("$CARGO_MANIFEST_DIR/sample_data");

pub const DATASET: &str = "sample";
/// The sample's models, each with its `predictions/<name>.npy`: three sizes of one family, so
/// that the desk opens on a panel's real situation, models that disagree. In name order, the
/// order the project lists them in.
pub const MODELS: [&str; 3] = [
    "efficientnet_lite0",
    "efficientnet_lite1",
    "efficientnet_lite2",
];
const PROJECT_FILE: &str = "sample.bagel";

/// The sample project in the user's data folder, built on first use and rebuilt when an
/// older bagel built it from other sample data.
pub fn ensure_sample_project() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "bagel").ok_or_else(|| {
        Error::Usage("cannot find a home folder for bagel's data; set HOME".into())
    })?;
    let folder = dirs.data_dir().join("sample");
    let project = folder.join(PROJECT_FILE);
    if project.is_file() && Project::open(&project).is_ok_and(|p| holds_this_sample(&p)) {
        return Ok(project);
    }
    build_sample_project(&folder)
}

/// Whether a project holds the sample compiled into this binary: same image count, same
/// models. An older sample's votes would point at other images, so it is rebuilt instead.
fn holds_this_sample(project: &Project) -> bool {
    let Ok(dataset) = project.dataset(DATASET) else {
        return false;
    };
    let images = SAMPLE_DATA
        .get_file("images.csv")
        .and_then(|file| file.contents_utf8())
        .map(|text| text.lines().skip(1).count());
    let models = project.models(dataset.id).map(|models| {
        models
            .into_iter()
            .map(|model| model.name)
            .collect::<Vec<_>>()
    });
    images == Some(dataset.num_images) && models.is_ok_and(|names| names == MODELS)
}

/// Unpacks the sample data into `folder` and imports it into a fresh project there.
pub fn build_sample_project(folder: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
    SAMPLE_DATA
        .extract(folder)
        .map_err(|e| Error::io(folder, e))?;
    let path = folder.join(PROJECT_FILE);
    // A half-built project from an interrupted first run is rebuilt from scratch.
    for stale in [
        path.clone(),
        folder.join(format!("{PROJECT_FILE}-wal")),
        folder.join(format!("{PROJECT_FILE}-shm")),
    ] {
        if stale.exists() {
            std::fs::remove_file(&stale).map_err(|e| Error::io(&stale, e))?;
        }
    }
    let mut project = Project::create(&path, &Vocabulary::imagenet1k())?;
    let images = folder.join("images");
    import::import_images(
        &mut project,
        DATASET,
        &folder.join("images.csv"),
        Some(&images),
        &Silent,
    )?;
    for (file, format) in [
        ("labels.csv", LabelFormat::Csv),
        ("real_labels.csv", LabelFormat::Csv),
    ] {
        let request = LabelImport {
            dataset: DATASET,
            file: &folder.join(file),
            format: Some(format),
            name: None,
            replace: false,
        };
        import::import_labels(&mut project, &request, &Silent)?;
    }
    let files: Vec<(String, PathBuf)> = MODELS
        .iter()
        .map(|model| {
            let file = folder.join("predictions").join(format!("{model}.npy"));
            (model.to_string(), file)
        })
        .collect();
    let request = PredictionImport {
        dataset: DATASET,
        files: &files,
        order: None,
        top_k: Some(10),
        replace: false,
        reverse_ranks: false,
        reading: Default::default(),
    };
    import::import_predictions(&mut project, &request, &Silent)?;
    Ok(path)
}
