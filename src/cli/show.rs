//! Plain-text rendering of what the core returns.

use crate::metrics::{DatasetReport, ModelReport, Warning};
use crate::store::Project;
use std::fmt::Write;

pub fn percent(value: Option<f64>) -> String {
    crate::numbers::percent(value, "-")
}

/// The metrics as a table, percentages with two decimals; "-" where labels or scores are missing.
pub fn metrics_table(report: &DatasetReport) -> String {
    let mut out = String::new();
    metrics_heading(&mut out, report);
    let width = report
        .models
        .iter()
        .map(|m| m.model.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "{:<width$} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>6} {:>7} {:>6}  {:<22} {:>5}",
        "model",
        "top1",
        "top5",
        "ReaL",
        "MLA",
        "MLA-rel",
        "MLA-o",
        "MLA-x",
        "ASMA",
        "A1..",
        "slice (95% CI)",
        "dist"
    );
    for model in &report.models {
        model_row(&mut out, model, width);
    }
    for model in report.models.iter().filter(|m| m.asma_is_partial()) {
        let _ = writeln!(
            out,
            "* ASMA (g ≤ {k}) for {}: only top-{k} stored, so subgroups above {k} are left out; import more ranks for g ≤ {}",
            model.model,
            model.subgroups.len(),
            k = model.asma_groups,
        );
    }
    if report.models.is_empty() {
        let _ = writeln!(
            out,
            "(no models yet: import predictions with `bagel import predictions`)"
        );
    }
    out.push_str(&warnings_section(&report.warnings));
    out
}

/// What the figures are over: the dataset, its label sources and decisions, ASMA's subgroups.
fn metrics_heading(out: &mut String, report: &DatasetReport) {
    let labels = |name: &Option<String>| name.clone().unwrap_or_else(|| "none".into());
    let _ = writeln!(
        out,
        "dataset {} · {} images · ReaL labels: {} · multi-labels: {} · decisions: {} · collapsing {}",
        report.dataset,
        report.images,
        labels(&report.real_labels),
        labels(&report.multilabels),
        report.decisions,
        if report.collapse_classes { "on" } else { "off" }
    );
    if report.decisions > 0 {
        let _ = writeln!(
            out,
            "decided outside the multi-label set: {} (kept, moving no figure) · left without a valid label by decisions: {} (excluded; --json lists them)",
            report.decided_outside_multilabels,
            report.emptied_by_decisions.len()
        );
    }
    let left = (report.models.first())
        .and_then(|m| m.imagenet_m)
        .map_or(0, |s| s.left);
    let slice_note = match left {
        0 => String::new(),
        n => format!(" ({n} images left it: problematic or without a valid label)"),
    };
    let sizes: Vec<String> = (report.asma_subgroup_images.iter())
        .map(|(g, images)| format!("g{g} {images}"))
        .collect();
    let asma = match report.asma_labels {
        Some(labels) => format!(
            "{} subgroups on {labels} labels (images: {})",
            report.asma_form,
            sizes.join(", ")
        ),
        None => "none (no ReaL labels or multi-labels imported for this dataset)".to_owned(),
    };
    let _ = writeln!(
        out,
        "ASMA: {asma} · slice: {}{slice_note} · figures in %",
        labels(&report.slice)
    );
}

/// One model's row of the table.
fn model_row(out: &mut String, model: &ModelReport, width: usize) {
    let slice = model
        .imagenet_m
        .map(|s| {
            format!(
                "{}/{} [{:.3}, {:.3}]",
                s.correct, s.total, s.ci95[0], s.ci95[1]
            )
        })
        .unwrap_or_else(|| "-".into());
    let first_group = model.subgroups.get(&1).copied().flatten();
    let asma = match model.asma_is_partial() {
        true => format!("{}*", percent(model.asma)),
        false => percent(model.asma),
    };
    let _ = writeln!(
        out,
        "{:<width$} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>6} {:>7} {:>6}  {:<22} {:>5}",
        model.model,
        percent(model.top1),
        percent(model.top5),
        percent(model.real),
        percent(model.mla),
        percent(model.mla_relabeled),
        percent(model.mla_organisms),
        percent(model.mla_objects),
        asma,
        percent(first_group),
        slice,
        model
            .mean_mistake_distance
            .map(|d| format!("{d:.2}"))
            .unwrap_or_else(|| "-".into())
    );
}

/// The sanity warnings after a table, one paragraph each; nothing when there are none.
pub fn warnings_section(warnings: &[Warning]) -> String {
    let mut out = String::new();
    if !warnings.is_empty() {
        let _ = writeln!(out, "\nwarnings:");
    }
    for warning in warnings {
        let _ = writeln!(out, "  {}: {}", warning.kind, warning.message);
    }
    out
}

/// What a project holds, dataset by dataset.
pub fn project_summary(project: &Project) -> crate::error::Result<String> {
    let mut out = String::new();
    let vocab = project.vocab();
    let _ = writeln!(
        out,
        "project {} · {} classes · collapsing {}",
        project.path().display(),
        vocab.len(),
        if project.collapse_classes()? {
            "on"
        } else {
            "off"
        }
    );
    let _ = writeln!(out, "{}", panel_line(project)?);
    for dataset in project.datasets()? {
        let root = dataset
            .image_root
            .as_ref()
            .map(|r| r.display().to_string())
            .unwrap_or_else(|| "no image root".into());
        let _ = writeln!(
            out,
            "dataset {} · {} images · {root}",
            dataset.name, dataset.num_images
        );
        for source in project.label_sources(dataset.id)? {
            let _ = writeln!(
                out,
                "  labels {} ({}) · {} images · from {}",
                source.name,
                source.kind.as_str(),
                source.num_labeled,
                source.origin
            );
        }
        for model in project.models(dataset.id)? {
            let scores = if model.has_scores {
                "with scores"
            } else {
                "ids only"
            };
            let _ = writeln!(out, "  model {} · top-{} {scores}", model.name, model.k);
        }
        for slice in project.slice_names(dataset.id)? {
            let size = project.slice(dataset.id, &slice)?.map_or(0, |s| s.len());
            let _ = writeln!(out, "  slice {slice} · {size} images");
        }
        let decisions = project.decisions(dataset.id)?.len();
        if decisions > 0 {
            let _ = writeln!(out, "  {decisions} decisions");
        }
    }
    Ok(out)
}

/// The dataset's reviewed models, as `bagel config --reviewed-models` leaves them.
pub fn reviewed_models(project: &Project, dataset: &str) -> crate::error::Result<String> {
    let info = project.dataset(dataset)?;
    let list = |names: Vec<String>| match names.is_empty() {
        true => "none".to_owned(),
        false => names.join(", "),
    };
    Ok(format!(
        "reviewed models on dataset {dataset:?}: {} (named); {} (imported reviews)",
        list(project.named_reviewed_models(info.id)?),
        list(project.reviewed_models(info.id)?)
    ))
}

/// The reviewed models' mistakes by category and severity, and the chi-square tests across
/// them, each naming its models; nothing when no model is reviewed and none has decided
/// mistakes.
pub fn mistakes_table(report: &crate::metrics::mistakes::MistakeReport) -> String {
    use crate::verdict::{Category, Severity};
    use std::fmt::Write as _;
    let mut text = String::new();
    if !report.unreviewed_with_mistakes.is_empty() {
        let _ = writeln!(
            text,
            "\n{} models not reviewed have decided top-1 mistakes, left out of the mistake shares; name the reviewed models with `bagel config P --dataset D --reviewed-models a,b` or `--models a,b`",
            report.unreviewed_with_mistakes.len()
        );
    }
    if report.models.is_empty() {
        return text;
    }
    let _ = write!(
        text,
        "\nreviewed top-1 mistakes of the reviewed models: {}\nmodel                 n  fine  oov  spur  proto  major  minor\n",
        report.reviewed_models().join(", ")
    );
    for (name, counts) in &report.models {
        let counts = counts.unwrap_or_default();
        let _ = writeln!(
            text,
            "{name:<18} {:>4} {:>5} {:>4} {:>5} {:>6} {:>6} {:>6}",
            counts.reviewed,
            counts.category(Category::FineGrained),
            counts.category(Category::FineGrainedOutOfVocabulary),
            counts.category(Category::Spurious),
            counts.category(Category::NonPrototypical),
            counts.severity(Severity::Major),
            counts.severity(Severity::Minor)
        );
    }
    for (what, test) in [
        ("categories", &report.category),
        ("severities", &report.severity),
    ] {
        let _ = match test {
            Some(t) => writeln!(
                text,
                "chi-square over {what} across {}: χ²({}, N={}) = {:.4}, p = {:.4}",
                t.rows.join(", "),
                t.dof,
                t.n,
                t.statistic,
                t.p
            ),
            None => writeln!(
                text,
                "chi-square over {what}: needs two reviewed models with reviewed mistakes"
            ),
        };
    }
    text
}

/// "panel · quorum 3 · blind round on · chair tess": the rules the panel works under.
fn panel_line(project: &Project) -> crate::error::Result<String> {
    let blind = if project.blind_round()? { "on" } else { "off" };
    let chair = project.chair()?.unwrap_or_else(|| "none named".into());
    Ok(format!(
        "panel · quorum {} · blind round {blind} · chair {chair}",
        project.quorum()?
    ))
}
