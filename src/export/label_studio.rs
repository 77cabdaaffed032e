//! `bagel export label-studio`: bagel's review queue as Label Studio tasks (the JSON list its
//! "Import" reads), one task per (image, predicted label) pair, with each model that predicted
//! the label as a prediction (`model_version`, `score`), and the labeling config beside it
//! (`OUT.xml`): the image, the pair, and the verdict, category and severity as choices named
//! like bagel's vote columns, so `bagel import votes` reads Label Studio's export back.

use crate::data::LabelKind;
use crate::durable::write_atomically;
use crate::error::{Error, Result};
use crate::metrics::Evaluation;
use crate::panel::queue::ReviewQueue;
use crate::store::Project;
use crate::verdict::{Category, Severity, Verdict};
use serde_json::{Value, json};
use std::path::Path;

use crate::import::label_studio_controls::{CATEGORY, SEVERITY, VERDICT};

fn choices(name: &str, values: impl Iterator<Item = &'static str>, when: &str) -> String {
    let items: String = values
        .map(|v| format!("    <Choice value=\"{v}\"/>\n"))
        .collect();
    format!(
        "  <Choices name=\"{name}\" toName=\"image\" choice=\"single\"{when}>\n{items}  </Choices>\n"
    )
}

/// The labeling config the tasks are made for.
pub fn label_config() -> String {
    let when = " visibleWhen=\"choice-selected\" whenTagName=\"verdict\" whenChoiceValue=\"wrong\"";
    format!(
        "<View>\n  <Image name=\"image\" value=\"$image\"/>\n  <Header value=\"Is $predicted a valid label? (original: $original)\"/>\n{}{}{}</View>\n",
        choices(VERDICT, Verdict::ALL.iter().map(|v| v.as_str()), ""),
        choices(CATEGORY, Category::ALL.iter().map(|c| c.as_str()), when),
        choices(SEVERITY, Severity::ALL.iter().map(|s| s.as_str()), when),
    )
}

/// Label Studio serves local files as `/data/local-files/?d=PATH` relative to its
/// LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT; bagel writes the path from `/`.
fn image_url(root: Option<&Path>, file: &str) -> String {
    let path = root.map_or_else(|| Path::new(file).to_path_buf(), |root| root.join(file));
    let path = std::path::absolute(&path).unwrap_or(path);
    format!(
        "/data/local-files/?d={}",
        path.display().to_string().trim_start_matches('/')
    )
}

pub fn export_label_studio(project: &Project, dataset: &str, out: &Path) -> Result<usize> {
    let info = project.dataset(dataset)?;
    let files = project.images(info.id)?.files;
    let evaluation = Evaluation::load_with_scores(project, dataset)?;
    let labels = match project.label_source(info.id, LabelKind::MultiLabel, None)? {
        Some(source) => Some(project.image_labels(&source, files.len())?),
        None => None,
    };
    let queue = ReviewQueue::build(&evaluation, labels.as_ref());
    let vocab = project.vocab();
    let tasks: Vec<Value> = (queue.items().iter())
        .map(|item| {
            let image = item.image as usize;
            let original = evaluation.truth[image].map_or("unknown".into(), |c| vocab.describe(c));
            let predictions: Vec<Value> = (item.models.iter())
                .map(|&m| {
                    let (name, top) = &evaluation.models[m as usize];
                    let score = top.scores.as_ref().map(|s| s[image * top.k]);
                    let claim = json!({"from_name": VERDICT, "to_name": "image", "type": "choices",
                                       "value": {"choices": [Verdict::Correct.as_str()]}});
                    let mut prediction = json!({"model_version": name, "result": [claim]});
                    if let Some(score) = score {
                        prediction["score"] = json!(score);
                    }
                    prediction
                })
                .collect();
            json!({
                "data": {
                    "image": image_url(info.image_root.as_deref(), &files[image]),
                    "file": files[image],
                    "label": vocab.class(item.label).map(|c| c.wnid.clone()),
                    "predicted": vocab.describe(item.label),
                    "original": original,
                },
                "predictions": predictions,
            })
        })
        .collect();
    write_atomically(out, |sink| {
        serde_json::to_writer(&mut *sink, &tasks)?;
        sink.write_all(b"\n")
    })?;
    let config = out.with_extension("xml");
    if config == out {
        return Err(Error::Usage(
            "name the tasks file .json (the config is written beside it as .xml)".into(),
        ));
    }
    write_atomically(&config, |sink| sink.write_all(label_config().as_bytes()))?;
    Ok(tasks.len())
}
