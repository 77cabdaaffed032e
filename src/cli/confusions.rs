//! `bagel confusions`: the (original class, predicted class) confusions of a dataset's
//! review queue, most mistakes first.

use crate::panel::confusions::dataset_confusions;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct Confusions {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// Only this model's mistakes.
    #[arg(long)]
    model: Option<String>,
    /// The first N confusions only.
    #[arg(long)]
    top: Option<usize>,
    /// One JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

pub fn confusions(args: Confusions) -> Result<()> {
    let project = super::read(&args.project)?;
    let mut rows = dataset_confusions(&project, &args.dataset, args.model.as_deref())?;
    let total = rows.len();
    rows.truncate(args.top.unwrap_or(usize::MAX));
    let vocab = project.vocab();
    let name = |class| vocab.class(class).map_or("?", |c| c.name());
    if args.json {
        let listed: Vec<serde_json::Value> = (rows.iter())
            .map(|row| {
                let mut value = serde_json::to_value(row).unwrap_or_default();
                value["original_name"] = name(row.original).into();
                value["predicted_name"] = name(row.predicted).into();
                value
            })
            .collect();
        let json = serde_json::json!({
            "dataset": args.dataset,
            "model": args.model,
            "confusions": total,
            "rows": listed,
        });
        return super::out::line(serde_json::to_string_pretty(&json)?);
    }
    super::out::line(format_args!(
        "{total} confusions of {}{}; most mistakes first",
        args.dataset,
        args.model
            .as_ref()
            .map_or(String::new(), |m| format!(" by {m}"))
    ))?;
    super::out::line(format_args!(
        "{:>8} {:>6} {:>5} {:>7} {:>4}  original → predicted",
        "mistakes", "images", "voted", "decided", "dist"
    ))?;
    for row in &rows {
        let distance = row.distance.map_or("-".into(), |d| d.to_string());
        super::out::line(format_args!(
            "{:>8} {:>6} {:>5} {:>7} {:>4}  {} → {}",
            row.mistakes,
            row.images,
            row.voted,
            row.decided,
            distance,
            vocab.describe(row.original),
            vocab.describe(row.predicted)
        ))?;
    }
    Ok(())
}
