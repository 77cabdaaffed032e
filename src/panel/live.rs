//! The metrics a vote moves, kept up to date one image at a time. A vote changes the decisions
//! on one image, which changes that image's re-labeled valid set and nothing else; so only its
//! contribution to each model's re-labeled MLA and ImageNet-M-style count is taken out and put
//! back, instead of recomputing the report (see benches/live.rs).

use super::{Category, Decision, Severity, Verdict};
use crate::data::ImageLabels;
use crate::metrics::{
    DatasetReport, Evaluation, MetricOptions, SliceLabels, SliceScore, Standing, relabel_image,
};
use crate::vocab::ClassId;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub struct LiveMetrics {
    report: DatasetReport,
    /// Collapsed, sorted re-labeled sets of the images whose decisions changed since loading.
    changed: HashMap<u32, ValidSet>,
    tallies: Vec<ModelTally>,
    in_slice: Vec<bool>,
    /// By pair, so one image's decisions are a range.
    decisions: BTreeMap<(u32, ClassId), Decision>,
    /// The images the decisions left without a valid label, listed in the report by name.
    emptied: BTreeSet<u32>,
}

#[derive(Debug, Clone, PartialEq)]
struct ValidSet {
    standing: Standing,
    labels: Vec<ClassId>,
}

/// Per original class: images counted and valid top-1 predictions, as MLA counts them.
#[derive(Debug, Clone)]
struct ModelTally {
    hits: Vec<u32>,
    counts: Vec<u32>,
    slice: Option<SliceScore>,
}

/// How the panel's decisions split: the shares the desk plots.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecisionShares {
    pub verdicts: Vec<(Verdict, usize)>,
    pub categories: Vec<(Category, usize)>,
    pub severities: Vec<(Severity, usize)>,
}

impl LiveMetrics {
    /// The full report once, then the tallies the updates work on.
    pub fn new(evaluation: &Evaluation, options: &MetricOptions, decisions: Vec<Decision>) -> Self {
        let report = evaluation.report(options);
        let mut in_slice = vec![false; evaluation.truth.len()];
        for &image in evaluation.slice.iter().flat_map(|(_, images)| images) {
            if let Some(flag) = in_slice.get_mut(image as usize) {
                *flag = true;
            }
        }
        let emptied = (evaluation.relabeled.as_ref())
            .map_or_else(Vec::new, |r| r.emptied())
            .into_iter()
            .collect();
        let mut live = LiveMetrics {
            emptied,
            report,
            changed: HashMap::new(),
            tallies: Vec::new(),
            in_slice,
            decisions: decisions
                .into_iter()
                .map(|d| ((d.image, d.label), d))
                .collect(),
        };
        live.tallies = (0..evaluation.models.len())
            .into_par_iter()
            .map(|model| live.tally_model(evaluation, model))
            .collect();
        live
    }

    pub fn report(&self) -> &DatasetReport {
        &self.report
    }

    /// Takes in the decisions now standing on one image (after a vote or an undo); `files`
    /// names the dataset's images.
    pub fn image_decided(
        &mut self,
        evaluation: &Evaluation,
        files: &[String],
        labels: Option<&ImageLabels>,
        image: u32,
        decisions: Vec<Decision>,
    ) {
        let before = self.decisions.len();
        self.decisions.retain(|&(i, _), _| i != image);
        if evaluation.outside_multilabels(image) {
            let outside = &mut self.report.decided_outside_multilabels;
            *outside = *outside + decisions.len() - (before - self.decisions.len());
        }
        let decided: Vec<&Decision> = decisions.iter().collect();
        if let (Some(labels), Some(_)) = (labels, &evaluation.relabeled) {
            let (standing, labels) = relabel_image(labels, image as usize, &decided);
            let mut labels: Vec<ClassId> = labels
                .iter()
                .map(|&c| evaluation.collapse[c as usize])
                .collect();
            labels.sort_unstable();
            labels.dedup();
            self.replace_set(evaluation, files, image, ValidSet { standing, labels });
        }
        self.decisions
            .extend(decisions.into_iter().map(|d| ((d.image, d.label), d)));
    }

    pub fn decision(&self, image: u32, label: ClassId) -> Option<&Decision> {
        self.decisions.get(&(image, label))
    }

    /// The decisions standing on one image's labels.
    pub fn decisions_of(&self, image: u32) -> impl Iterator<Item = &Decision> {
        self.decisions
            .range((image, ClassId::MIN)..=(image, ClassId::MAX))
            .map(|(_, decision)| decision)
    }

    pub fn shares(&self) -> DecisionShares {
        let count =
            |keep: &dyn Fn(&Decision) -> bool| self.decisions.values().filter(|d| keep(d)).count();
        DecisionShares {
            verdicts: Verdict::ALL
                .iter()
                .map(|&v| (v, count(&|d| d.verdict == v)))
                .collect(),
            categories: (Category::ALL.iter())
                .map(|&c| {
                    (
                        c,
                        count(&|d| d.verdict == Verdict::Wrong && d.category == Some(c)),
                    )
                })
                .collect(),
            severities: (Severity::ALL.iter())
                .map(|&s| {
                    (
                        s,
                        count(&|d| d.verdict == Verdict::Wrong && d.severity == Some(s)),
                    )
                })
                .collect(),
        }
    }

    /// A model's tally over every image, from the re-labeled sets as loaded.
    fn tally_model(&self, evaluation: &Evaluation, model: usize) -> ModelTally {
        let classes = evaluation.collapse.len();
        let mut tally = ModelTally {
            hits: vec![0; classes],
            counts: vec![0; classes],
            slice: self.report.models[model].imagenet_m,
        };
        if let Some(relabeled) = evaluation.relabeled.as_ref().map(|r| &r.valid) {
            let predictions = &evaluation.models[model].1;
            for image in 0..evaluation.truth.len().min(predictions.num_images()) {
                if let Some(label) = evaluation.truth[image].filter(|_| relabeled.included(image)) {
                    let top1 = evaluation.collapse[predictions.top1(image) as usize];
                    tally.counts[label as usize] += 1;
                    tally.hits[label as usize] += relabeled.accepts(image, top1) as u32;
                }
            }
        }
        tally
    }

    fn current_set(&self, evaluation: &Evaluation, image: u32) -> Option<ValidSet> {
        if let Some(set) = self.changed.get(&image) {
            return Some(set.clone());
        }
        let relabeled = evaluation.relabeled.as_ref()?;
        Some(ValidSet {
            standing: relabeled.standing[image as usize],
            labels: relabeled.valid.sets.get(image as usize).to_vec(),
        })
    }

    /// Swaps one image's re-labeled set: its old contribution out, the new one in.
    fn replace_set(
        &mut self,
        evaluation: &Evaluation,
        files: &[String],
        image: u32,
        new: ValidSet,
    ) {
        let Some(old) = self.current_set(evaluation, image) else {
            return;
        };
        if old == new {
            return;
        }
        let index = image as usize;
        let truth = evaluation.truth[index];
        let in_slice = self.in_slice[index];
        for (model, (_, predictions)) in evaluation.models.iter().enumerate() {
            if index >= predictions.num_images() {
                continue;
            }
            let top1 = evaluation.collapse[predictions.top1(index) as usize];
            let tally = &mut self.tallies[model];
            if let Some(label) = truth {
                let label = label as usize;
                for (set, sign) in [(&old, -1i64), (&new, 1)] {
                    if set.standing == Standing::Counted {
                        tally.counts[label] = (tally.counts[label] as i64 + sign) as u32;
                        let hit = set.labels.contains(&top1) as i64;
                        tally.hits[label] = (tally.hits[label] as i64 + sign * hit) as u32;
                    }
                }
            }
            if let (true, Some(score)) = (in_slice, tally.slice) {
                let real = evaluation.real.as_ref().map(|(_, v)| v);
                let judge = |set: &ValidSet| {
                    let relabeled = Some((set.standing, set.labels.as_slice()));
                    SliceLabels::of(index, relabeled, real, truth, &evaluation.collapse).judge(top1)
                };
                tally.slice = Some(score.updated(judge(&old), judge(&new)));
            }
        }
        let emptied = new.standing == Standing::Emptied;
        let listed_before = self.emptied.contains(&image);
        if emptied != listed_before {
            match emptied {
                true => self.emptied.insert(image),
                false => self.emptied.remove(&image),
            };
            self.report.emptied_by_decisions = (self.emptied.iter())
                .map(|&image| files[image as usize].clone())
                .collect();
        }
        self.changed.insert(image, new);
        self.refresh_report();
    }

    fn refresh_report(&mut self) {
        for (model, tally) in self.report.models.iter_mut().zip(&self.tallies) {
            model.mla_relabeled = class_mean(&tally.hits, &tally.counts);
            model.imagenet_m = tally.slice;
        }
    }
}

/// MLA's mean over classes of per-class accuracy, classes without images left out.
fn class_mean(hits: &[u32], counts: &[u32]) -> Option<f64> {
    let rates: Vec<f64> = (hits.iter().zip(counts))
        .filter(|&(_, &count)| count > 0)
        .map(|(&hit, &count)| hit as f64 / count as f64)
        .collect();
    (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64)
}
