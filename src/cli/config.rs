//! `bagel config`: the project's settings, each shown after any change.

use super::{Switch, open, out, show};
use anyhow::{Result, bail};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct Config {
    project: PathBuf,
    /// Merge the collapsed class pairs wherever a prediction meets a label set.
    #[arg(long, value_enum)]
    collapse: Option<Switch>,
    /// A blind independent round: nobody sees others' votes on a pair before voting on it.
    #[arg(long, value_enum)]
    blind: Option<Switch>,
    /// The panel's chair: the one reviewer who may override the panel, with `bagel decide`,
    /// in the desk or from a vote file (`import votes --accept-chair`); "" names none.
    #[arg(long)]
    chair: Option<String>,
    /// How many panel members must vote on a pair before it is decided (default 1).
    #[arg(long)]
    quorum: Option<usize>,
    /// The dataset --reviewed-models or --image-root is for.
    #[arg(long)]
    dataset: Option<String>,
    /// The models whose mistakes the panel reviewed on --dataset, comma-separated (models
    /// with an imported review count as reviewed too); "" clears the list.
    #[arg(long, value_delimiter = ',', requires = "dataset")]
    reviewed_models: Option<Vec<String>>,
    /// Where the dataset's image files are (stored relative to the project's folder when
    /// inside it).
    #[arg(long, requires = "dataset")]
    image_root: Option<PathBuf>,
}

pub fn run(args: Config) -> Result<()> {
    let mut project = open(&args.project)?;
    if let Some(dataset) = &args.dataset {
        if args.reviewed_models.is_none() && args.image_root.is_none() {
            bail!(
                "--dataset {dataset} says which dataset --reviewed-models or --image-root is for: give one of them"
            );
        }
        if let Some(models) = args.reviewed_models {
            let models: Vec<String> = models.into_iter().filter(|m| !m.is_empty()).collect();
            project.set_reviewed_models(dataset, &models)?;
            out::line(show::reviewed_models(&project, dataset)?)?;
        }
        if let Some(root) = &args.image_root {
            let info = project.dataset(dataset)?;
            let stored = project.set_image_root(info.id, root)?;
            let shown = project.dataset(dataset)?.image_root;
            out::line(format_args!(
                "dataset {dataset}: images under {} (stored as {stored:?})",
                shown.unwrap_or_default().display()
            ))?;
        }
    }
    if let Some(name) = &args.chair {
        let name = (!name.trim().is_empty())
            .then(|| crate::names::clean_name("chair", name))
            .transpose()?;
        project.set_chair(name.as_deref())?;
    }
    if let Some(switch) = args.collapse {
        project.set_collapse_classes(matches!(switch, Switch::On))?;
    }
    if let Some(switch) = args.blind {
        project.set_blind_round(matches!(switch, Switch::On))?;
    }
    if let Some(quorum) = args.quorum {
        let changed = crate::panel::quorum::set_quorum(&mut project, quorum)?;
        out::line(format_args!(
            "quorum {quorum}: decisions changed on {changed} pairs"
        ))?;
    }
    let word = |on: bool| if on { "on" } else { "off" };
    out::line(format_args!(
        "collapse classes: {}",
        word(project.collapse_classes()?)
    ))?;
    out::line(format_args!(
        "blind independent round: {}",
        word(project.blind_round()?)
    ))?;
    out::line(format_args!("quorum: {}", project.quorum()?))?;
    let chair = project.chair()?;
    out::line(format_args!(
        "chair: {}",
        chair.as_deref().unwrap_or("none named")
    ))?;
    Ok(())
}
