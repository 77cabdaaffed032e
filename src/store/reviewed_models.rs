//! Which models' mistakes the panel reviewed on a dataset, as the panel names them
//! (`bagel config P --dataset D --reviewed-models a,b`). A decided pair is a mistake of every
//! model whose top-1 it is, but only a reviewed model's mistakes say what kind of mistakes the
//! model makes: the others were decided while reviewing someone else.

use super::Project;
use crate::error::{Error, Result};

/// The settings key of a dataset's list: settings are project-wide, so the key names the
/// dataset by its id (a rename keeps the list).
fn key(dataset_id: i64) -> String {
    format!("reviewed_models/{dataset_id}")
}

impl Project {
    /// The models named as reviewed on the dataset, in the order given; empty when none were.
    pub fn named_reviewed_models(&self, dataset_id: i64) -> Result<Vec<String>> {
        let Some(stored) = self.setting(&key(dataset_id))? else {
            return Ok(Vec::new());
        };
        serde_json::from_str(&stored).map_err(|e| Error::Damaged {
            path: self.path().to_path_buf(),
            what: format!("the reviewed models of dataset {dataset_id}"),
            problem: format!("the setting is not a JSON list of names ({e})"),
            fix: "name them again with `bagel config P --dataset D --reviewed-models a,b`".into(),
        })
    }

    /// Names the dataset's reviewed models; an empty list clears them. Every name must be a
    /// model of the dataset (predictions or an imported review).
    pub fn set_reviewed_models(&mut self, dataset: &str, models: &[String]) -> Result<()> {
        let info = self.dataset(dataset)?;
        let known = self.models_of_dataset(info.id)?;
        let models: Vec<String> = models.iter().map(|m| crate::names::as_typed(m)).collect();
        if let Some(unknown) = models.iter().find(|m| !known.contains(m)) {
            return Err(Error::Usage(format!(
                "dataset {dataset:?} has no model {unknown:?} (neither predictions nor an imported review); its models: {}",
                known.join(", ")
            )));
        }
        let mut names: Vec<&String> = Vec::new();
        for model in &models {
            if !names.contains(&model) {
                names.push(model);
            }
        }
        let value = serde_json::to_string(&names).map_err(|e| Error::Usage(e.to_string()))?;
        self.set_setting(&key(info.id), &value)
    }

    /// Every model of the dataset by name: those with predictions and those with an imported
    /// review, sorted.
    pub fn models_of_dataset(&self, dataset_id: i64) -> Result<Vec<String>> {
        let mut names: Vec<String> = (self.models(dataset_id)?.into_iter())
            .map(|m| m.name)
            .collect();
        names.extend(self.reviewed_models(dataset_id)?);
        names.sort();
        names.dedup();
        Ok(names)
    }
}
