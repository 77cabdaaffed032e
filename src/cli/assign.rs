//! Sharing the work out on the command line: `bagel assign` and `bagel progress`.

use crate::panel::assign::{AssignRequest, assign as assign_pairs, progress as progress_of};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct Assign {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// The reviewers to share the pairs among, separated by commas.
    #[arg(long, value_delimiter = ',', required = true)]
    reviewers: Vec<String>,
    /// How many reviewers vote on each pair.
    #[arg(long)]
    per_pair: usize,
    /// Only the pairs this model got wrong.
    #[arg(long)]
    model: Option<String>,
    /// At most this many pairs, the first of the queue.
    #[arg(long)]
    limit: Option<usize>,
    /// The same seed gives the same assignment.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Args)]
pub struct Progress {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// One JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

pub fn assign(args: Assign) -> Result<()> {
    let mut project = super::open(&args.project)?;
    let request = AssignRequest {
        reviewers: args.reviewers,
        per_pair: args.per_pair,
        model: args.model,
        limit: args.limit,
        seed: args.seed,
    };
    let done = assign_pairs(&mut project, &args.dataset, &request)?;
    super::out::line(format_args!(
        "{} pairs of {} × {} reviewers each: {} assignments, {} new",
        done.pairs, args.dataset, request.per_pair, done.assignments, done.added
    ))?;
    for (reviewer, count) in &done.per_reviewer {
        super::out::line(format_args!("  {reviewer:12} {count}"))?;
    }
    Ok(())
}

pub fn progress(args: Progress) -> Result<()> {
    let project = super::read(&args.project)?;
    let dataset = project.dataset(&args.dataset)?;
    let rows = progress_of(
        &project.assignments(dataset.id)?,
        &project.vote_events(dataset.id)?,
    );
    if args.json {
        let json = serde_json::json!({ "dataset": dataset.name, "reviewers": rows });
        return super::out::line(serde_json::to_string_pretty(&json)?);
    }
    super::out::line(format_args!(
        "{:12} {:>9} {:>7} {:>7} {:>12} {:>11}",
        "reviewer", "assigned", "voted", "left", "independent", "discussion"
    ))?;
    for row in rows {
        super::out::line(format_args!(
            "{:12} {:>9} {:>7} {:>7} {:>12} {:>11}",
            row.reviewer, row.assigned, row.voted, row.left, row.independent, row.discussion
        ))?;
    }
    Ok(())
}
