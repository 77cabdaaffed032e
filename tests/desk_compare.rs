//! The comparison window driven headlessly through egui_kittest, as a researcher uses it: a
//! dataset and its replica where two models lose 25 points of top-1; V opens the comparison,
//! the table lists the models, and a click on one sends the queue to its mistakes on the
//! replica.
//!
//! "val": 8 images labelled 0 0 0 0 1 1 1 1; "v2": 4 images labelled 0 0 1 1. On the easy
//! images (the first four of val, the first of v2) every model is right; on the others alexnet
//! says 2, bit says 3 and convnext is right. deit is on val only.

mod common;
mod desk_support;

use bagel::desk::{Command, ComparisonExport, Desk, Status};
use common::{bagel_ok, npy};
use desk_support::{desk_with, person, step_until};
use egui::Key;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::{Path, PathBuf};

const VAL: [u16; 8] = [0, 0, 0, 0, 1, 1, 1, 1];
const V2: [u16; 4] = [0, 0, 1, 1];

/// Top-1 ids as the `.npy` a model's predictions come in.
fn top1_npy(top1: &[u16]) -> Vec<u8> {
    let data: Vec<u8> = (top1.iter())
        .flat_map(|&c| (c as i64).to_le_bytes())
        .collect();
    npy("<i8", &[top1.len(), 1], &data)
}

/// The project: both datasets, alexnet, bit and convnext on both, deit on val only.
fn two_datasets(dir: &Path) -> PathBuf {
    let project = dir.join("p.bagel");
    let p = project.to_str().unwrap();
    bagel_ok(&["new", p]);
    let import = |dataset: &str, model: &str, top1: &[u16]| {
        let file = dir.join(format!("{dataset}_{model}.npy"));
        std::fs::write(&file, top1_npy(top1)).unwrap();
        let file = file.to_str().unwrap();
        bagel_ok(&[
            "import",
            "predictions",
            p,
            "--dataset",
            dataset,
            "--model",
            model,
            file,
        ]);
    };
    for (dataset, prefix, labels, easy) in [("val", "s", &VAL[..], 4), ("v2", "t", &V2[..], 1)] {
        let list: String = (labels.iter().enumerate())
            .map(|(i, label)| format!("{prefix}{i}.jpg,{label}\n"))
            .collect();
        let images = dir.join(format!("{dataset}.csv"));
        std::fs::write(&images, format!("file,label\n{list}")).unwrap();
        bagel_ok(&[
            "import",
            "images",
            p,
            "--dataset",
            dataset,
            images.to_str().unwrap(),
        ]);
        for (model, hard) in [("alexnet", Some(2)), ("bit", Some(3)), ("convnext", None)] {
            let top1: Vec<u16> = (labels.iter().enumerate())
                .map(|(i, &label)| match hard {
                    Some(class) if i >= easy => class,
                    _ => label,
                })
                .collect();
            import(dataset, model, &top1);
        }
    }
    import("val", "deit", &VAL);
    project
}

fn desk(project: &Path) -> Harness<'static, Desk> {
    desk_with(project, person("tess", project))
}

/// The desk on the project with the comparison computed: opened, V pressed, waited for.
fn compared(project: &Path) -> Harness<'static, Desk> {
    let mut harness = desk(project);
    step_until(&mut harness, "the queue", |desk| {
        dataset(desk) == Some("val") && !desk.is_busy()
    });
    harness.key_press(Key::V);
    step_until(&mut harness, "the comparison", |desk| {
        desk.comparison().is_some() && !desk.is_busy()
    });
    harness
}

fn dataset(desk: &Desk) -> Option<&str> {
    desk.review().map(|r| r.dataset.name.as_str())
}

#[test]
fn v_compares_val_with_its_replica_and_a_click_reviews_the_models_mistakes_there() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_datasets(dir.path());
    let mut harness = compared(&project);
    let comparison = harness.state().comparison().unwrap();
    // The defaults: the first dataset, and the other one sharing models with it.
    assert_eq!(
        (comparison.source.as_str(), comparison.target.as_str()),
        ("val", "v2")
    );
    assert_eq!(
        comparison.uncertainty, "disagreement",
        "ids only: no scores"
    );
    assert_eq!(comparison.only_source, ["deit"]);
    harness.get_by_label_contains("val (8 images) against v2 (4 images) · 3 models");

    harness.get_by_label("Table").click();
    harness.run_steps(2);
    for model in ["alexnet", "bit", "convnext"] {
        harness.get_by_role_and_label(Role::Link, model);
    }
    assert!(
        harness
            .query_by_role_and_label(Role::Link, "deit")
            .is_none(),
        "deit has no predictions on v2"
    );
    // alexnet and bit: 50% of val against 25% of v2. No gap: convnext's top-1, every matched
    // gap (matched on disagreement, the drop is all in the mix of images) and every residual
    // (the line through (50, 25) and (100, 100) meets all three points).
    assert_eq!(harness.query_all_by_label("+25.00").count(), 2);
    assert_eq!(harness.query_all_by_label("+0.00").count(), 1 + 3 + 3);

    // A filter left from another task (the discussion round) would hide every mistake.
    let mut settings = harness.state().settings().clone();
    settings.filter.disputed_only = true;
    let ctx = harness.ctx.clone();
    (harness.state_mut()).run_cmd(&ctx, Command::Settings(Box::new(settings)));
    harness.run_steps(2);
    harness.get_by_role_and_label(Role::Link, "alexnet").click();
    step_until(&mut harness, "v2's queue", |desk| {
        dataset(desk) == Some("v2") && !desk.is_busy()
    });
    let desk = harness.state();
    assert_eq!(desk.settings().filter_model.as_deref(), Some("alexnet"));
    assert!(
        !desk.settings().filter.disputed_only,
        "other filters cleared"
    );
    // alexnet's mistakes on v2: t1, t2 and t3, each called class 2; bit's "3"s are not shown.
    assert_eq!(desk.view_len(), 3);
    assert_eq!(desk.review().unwrap().queue.len(), 6);
    let current = desk.current().unwrap();
    assert_eq!((current.image, current.label), (1, 2));
    harness.get_by_label_contains("1 of 3 shown");
    assert!(
        harness.query_by_label("Table").is_none(),
        "the window made room for the queue"
    );
}

#[test]
fn the_figures_and_the_table_are_written_where_the_person_chose() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_datasets(dir.path());
    let mut harness = compared(&project);
    let ctx = harness.ctx.clone();
    let (figures, table) = (dir.path().join("figures"), dir.path().join("table.csv"));
    for export in [
        ComparisonExport::AllFigures(figures.clone(), vec!["alexnet".into()]),
        ComparisonExport::Table(table.clone()),
    ] {
        harness
            .state_mut()
            .run_cmd(&ctx, Command::ExportComparison(Box::new(export)));
        step_until(&mut harness, "the export", |desk| !desk.is_busy());
        let status = harness.state().status();
        assert!(
            matches!(status, Status::Info(s) if s.starts_with("written")),
            "{status:?}"
        );
    }
    // Top-1 on both scales (the files hold only the top-1, so no top-5; no ReaL or multi-labels
    // either), the gaps, raw vs matched, alexnet's curves: 5 figures, each as SVG and PNG.
    let mut names: Vec<String> = std::fs::read_dir(&figures)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 10, "{names:?}");
    assert!(
        names.contains(&"curves_alexnet.svg".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&"scatter_top1_probit.png".to_owned()),
        "{names:?}"
    );
    let csv = std::fs::read_to_string(&table).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4, "a header and alexnet, bit, convnext: {csv}");
    assert!(rows[1].starts_with("alexnet,0.5,0.25,0.25,"), "{}", rows[1]);
}

/// The table sorts by a click on a heading, largest first, and the other way round on a
/// second click; ties keep name order.
#[test]
fn a_click_on_a_heading_sorts_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_datasets(dir.path());
    let mut harness = compared(&project);
    harness.get_by_label("Table").click();
    harness.run_steps(2);
    let order = |harness: &Harness<'static, Desk>| {
        let mut rows: Vec<(f32, String)> = ["alexnet", "bit", "convnext"]
            .map(|model| {
                let link = harness.get_by_role_and_label(Role::Link, model);
                (link.rect().min.y, model.to_owned())
            })
            .into();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        rows.into_iter().map(|(_, model)| model).collect::<Vec<_>>()
    };
    assert_eq!(order(&harness), ["alexnet", "bit", "convnext"], "by name");
    harness.get_by_label("top-1 gap").click();
    harness.run_steps(2);
    assert_eq!(
        order(&harness),
        ["alexnet", "bit", "convnext"],
        "+25, +25, +0"
    );
    harness.get_by_label("top-1 gap ⏷").click();
    harness.run_steps(2);
    assert_eq!(
        order(&harness),
        ["convnext", "alexnet", "bit"],
        "smallest gap first"
    );
    assert_eq!(
        harness.state().settings().compare.sort,
        Some((3, false)),
        "the order is the person's choice, kept with the settings"
    );
}

/// Raw against matched gap: each matched gap carries its spread over the draws as a whisker,
/// as the saved figure does, and the legend says what the whisker is.
#[test]
fn the_raw_vs_matched_plot_draws_the_spread_of_each_matched_gap() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_datasets(dir.path());
    let mut harness = compared(&project);
    let comparison = harness.state().comparison().unwrap();
    let draws = comparison.draws;
    assert!(
        (comparison.models.iter()).all(|m| m.matched.gap_sd.is_some()),
        "every matched gap has a spread to draw"
    );
    let legend = format!("| ± 1 sd of the matched gap over {draws} draws");
    assert!(
        harness.query_by_label(&legend).is_none(),
        "not on the scatter"
    );
    harness.get_by_label("Raw vs matched").click();
    harness.run_steps(2);
    harness.get_by_label(&legend);
}
