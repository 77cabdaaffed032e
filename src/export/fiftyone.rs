//! `bagel export fiftyone`: a folder FiftyOne's `Dataset.from_dir` reads as
//! `fo.types.FiftyOneImageClassificationDataset`: `data.json` maps each image's id to its file,
//! `labels.json` holds the ground truth (`{"classes": [..], "labels": {id: class index}}`),
//! `predictions/<model>.json` each model's top-1 with its confidence, and `panel.json` the
//! panel's decisions, one classification a decided pair ("wrong: notebook"). `load.py` loads it
//! all into one FiftyOne dataset, one field per file (`merge_dir` by file path).

use crate::durable::write_atomically;
use crate::error::{Error, Result};
use crate::store::{Project, stays_under_root};
use crate::vocab::Vocabulary;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What was written, for the user.
pub struct FiftyOneExport {
    pub images: usize,
    pub models: usize,
    pub decisions: usize,
}

/// The class names FiftyOne shows: each class's first name, with its wnid where two classes
/// share it ("crane (n02012849)").
fn class_names(vocab: &Vocabulary) -> Vec<String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for class in vocab.classes() {
        *count.entry(class.name()).or_default() += 1;
    }
    (vocab.classes().iter())
        .map(|class| match count[class.name()] {
            1 => class.name().to_owned(),
            _ => format!("{} ({})", class.name(), class.wnid),
        })
        .collect()
}

/// An image's id in the export: its name with `/` kept unique and the extension dropped, as
/// FiftyOne keys a data folder.
fn image_id(file: &str) -> String {
    file.rsplit_once('.')
        .map_or(file, |(stem, _)| stem)
        .to_owned()
}

fn write_json(path: &Path, value: &Value) -> Result<()> {
    write_atomically(path, |sink| {
        serde_json::to_writer(&mut *sink, value)?;
        sink.write_all(b"\n")
    })
}

pub fn export_fiftyone(project: &Project, dataset: &str, out: &Path) -> Result<FiftyOneExport> {
    let info = project.dataset(dataset)?;
    let root = info.image_root.clone().ok_or_else(|| {
        Error::Usage(format!(
            "dataset {dataset:?} has no image folder, and FiftyOne needs the images; say where they are with `bagel config {} --dataset {dataset} --image-root DIR`",
            project.path().display()
        ))
    })?;
    let images = project.images(info.id)?;
    // The paths go into a script others run: a name from the project file that leads out of
    // the image folder is refused, as the desk refuses to open it.
    if let Some(file) = (images.files.iter()).find(|f| !stays_under_root(Path::new(f))) {
        return Err(Error::Usage(format!(
            "dataset {dataset:?} lists the image {:?}, which leads out of its image folder; the project file was changed outside bagel, and the export would point FiftyOne at files elsewhere",
            crate::error::escape_controls(file)
        )));
    }
    let ids: Vec<String> = images.files.iter().map(|f| image_id(f)).collect();
    let classes = class_names(project.vocab());
    std::fs::create_dir_all(out.join("predictions")).map_err(|e| Error::io(out, e))?;
    let data: Map<String, Value> = (ids.iter().zip(&images.files))
        .map(|(id, file)| (id.clone(), Value::String(absolute(&root, file))))
        .collect();
    write_json(&out.join("data.json"), &Value::Object(data))?;
    let truth: Map<String, Value> = (ids.iter().zip(&images.labels))
        .filter_map(|(id, label)| Some((id.clone(), json!((*label)?))))
        .collect();
    write_json(
        &out.join("labels.json"),
        &json!({"classes": classes, "labels": truth}),
    )?;
    let models = project.models(info.id)?;
    let fields = field_names(models.iter().map(|m| m.name.as_str()));
    for (model, field) in models.iter().zip(&fields) {
        let predictions = project.predictions(model.id, info.id, true)?;
        let top1: Map<String, Value> = (0..predictions.num_images())
            .map(|image| {
                let class = predictions.class_ids[image * predictions.k] as usize;
                let confidence = predictions
                    .scores
                    .as_ref()
                    .map(|s| s[image * predictions.k]);
                let label = json!({"label": classes[class], "confidence": confidence});
                (ids[image].clone(), label)
            })
            .collect();
        let path = out.join("predictions").join(format!("{field}.json"));
        write_json(&path, &json!({"classes": classes, "labels": top1}))?;
    }
    let decisions = project.decisions(info.id)?;
    let mut panel: Map<String, Value> = Map::new();
    for decision in &decisions {
        let id = ids
            .get(decision.image as usize)
            .cloned()
            .unwrap_or_default();
        let label = format!(
            "{}: {}",
            decision.verdict.as_str(),
            classes[decision.label as usize]
        );
        let entry = panel.entry(id).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = entry {
            items.push(json!({"label": label}));
        }
    }
    write_json(&out.join("panel.json"), &json!({"labels": panel}))?;
    write_atomically(&out.join("load.py"), |sink| {
        sink.write_all(load_script(&fields).as_bytes())
    })?;
    Ok(FiftyOneExport {
        images: ids.len(),
        models: models.len(),
        decisions: decisions.len(),
    })
}

fn absolute(root: &Path, file: &str) -> String {
    let path: PathBuf = root.join(file);
    std::path::absolute(&path)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Each model's FiftyOne field, also the name of its file in `predictions/`: the name made
/// file-safe, without dots (FiftyOne reads a dot as a nested field), and told apart by a
/// number where two names come out the same.
fn field_names<'a>(models: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken = std::collections::BTreeSet::new();
    models
        .map(|name| {
            let base = crate::names::file_safe(name).replace('.', "_");
            let field = (1..)
                .map(|n| match n {
                    1 => base.clone(),
                    n => format!("{base}_{n}"),
                })
                .find(|field| !taken.contains(field) && field != "panel")
                .unwrap_or(base);
            taken.insert(field.clone());
            field
        })
        .collect()
}

/// The Python that loads the folder: ground truth first, then one field per model and the
/// panel's decisions, merged by file path.
fn load_script(models: &[String]) -> String {
    let mut script = String::from(
        "# Load this export into FiftyOne: python load.py (then fo.launch_app(dataset)).\n\
         import os\nimport fiftyone as fo\n\n\
         HERE = os.path.dirname(os.path.abspath(__file__))\n\
         KIND = fo.types.FiftyOneImageClassificationDataset\n\
         dataset = fo.Dataset.from_dir(dataset_dir=HERE, dataset_type=KIND, data_path=\"data.json\",\n\
         \x20                             labels_path=\"labels.json\", label_field=\"ground_truth\")\n",
    );
    let fields = models
        .iter()
        .map(|m| (format!("predictions/{m}.json"), m.to_string()))
        .chain([("panel.json".to_owned(), "panel".to_owned())]);
    for (labels, field) in fields {
        script.push_str(&format!(
            "dataset.merge_dir(dataset_dir=HERE, dataset_type=KIND, data_path=\"data.json\",\n\
             \x20                 labels_path={labels:?}, label_field={field:?})\n"
        ));
    }
    script.push_str("print(dataset)\n");
    script
}
