//! The bundled sample project: real photos, their labels and a real model's predictions
//! (sample_data/, made by scripts/make_sample.py), compiled into the binary and unpacked into
//! the user's data folder so the repository stays clean.

use crate::error::{Error, Result};
use crate::import::{self, LabelFormat, LabelImport, PredictionImport};
use crate::progress::Silent;
use crate::store::Project;
use crate::vocab::Vocabulary;
use include_dir::{Dir, include_dir};
use std::path::{Path, PathBuf};

static SAMPLE_DATA: Dir = include_dir!("$CARGO_MANIFEST_DIR/sample_data");

pub const DATASET: &str = "sample";
pub const MODEL: &str = "efficientnet_lite0";
const PROJECT_FILE: &str = "sample.bagel";

/// The sample project in the user's data folder, built on first use.
pub fn ensure_sample_project() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "bagel").ok_or_else(|| {
        Error::Usage("cannot find a home folder for bagel's data; set HOME".into())
    })?;
    let folder = dirs.data_dir().join("sample");
    let project = folder.join(PROJECT_FILE);
    if project.is_file() && Project::open(&project).is_ok() {
        return Ok(project);
    }
    build_sample_project(&folder)
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
    let predictions = folder.join("predictions").join(format!("{MODEL}.npy"));
    let request = PredictionImport {
        dataset: DATASET,
        files: &[(MODEL.to_owned(), predictions)],
        order: None,
        top_k: Some(10),
        replace: false,
        reverse_ranks: false,
    };
    import::import_predictions(&mut project, &request, &Silent)?;
    Ok(path)
}
