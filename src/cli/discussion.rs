//! The discussion round on the command line: the pairs to discuss with their votes, current
//! decision and notes, and writing a note (or a reply) on a pair.

use crate::panel::discussion::{discussion_pairs, thread};
use crate::panel::voting::{Ballot, panel_votes, pending_votes, standing_votes};
use crate::store::{DatasetInfo, Project};
use crate::verdict::{self, Note, Vote};
use crate::vocab::ClassId;
use anyhow::{Result, bail};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct Discussion {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
}

#[derive(Args)]
pub struct WriteNote {
    project: PathBuf,
    #[arg(long)]
    dataset: String,
    /// The image's file name as the dataset lists it.
    #[arg(long)]
    image: String,
    /// The label: a class index or a wnid.
    #[arg(long)]
    label: String,
    /// Who writes it.
    #[arg(long)]
    reviewer: String,
    #[arg(long)]
    text: String,
    /// The note this one answers, by the id `bagel discussion` shows (#...).
    #[arg(long)]
    reply_to: Option<String>,
}

pub fn discussion(args: Discussion) -> Result<()> {
    let project = super::read(&args.project)?;
    let dataset = project.dataset(&args.dataset)?;
    let files = project.images(dataset.id)?.files;
    let events = project.vote_events(dataset.id)?;
    let notes = project.notes(dataset.id)?;
    let quorum = project.quorum()?;
    let pairs = discussion_pairs(&events);
    super::out::line(format_args!(
        "{} pairs of {} whose independent votes disagree (on the verdict, or on the category or severity of a wrong)",
        pairs.len(),
        dataset.name
    ))?;
    for pair in pairs {
        let (image, label) = pair.pair;
        super::out::line(format_args!(
            "{} / {} · disagree on {}",
            files[image as usize],
            project.vocab().describe(label),
            pair.on.describe()
        ))?;
        super::out::line(format_args!(
            "  now: {}",
            current_decision(&project, &dataset, pair.pair, &pair.votes, quorum)?
        ))?;
        for event in &pair.votes {
            let Some(vote) = &event.vote else { continue };
            let note = if vote.note.is_empty() {
                String::new()
            } else {
                format!(" \"{}\"", vote.note)
            };
            super::out::line(format_args!(
                "  {:12} {:11} {}{note} ({})",
                event.reviewer,
                event.round.as_str(),
                vote.summary(),
                event.cast_at
            ))?;
        }
        let on_pair: Vec<Note> = (notes.iter())
            .filter(|n| (n.image, n.label) == (image, label))
            .cloned()
            .collect();
        for (depth, note) in thread(&on_pair) {
            super::out::line(format_args!(
                "  {}{} {} ({}): {}",
                "  ".repeat(depth + 1),
                Note::tag(note.id),
                note.reviewer,
                note.written_at,
                note.text
            ))?;
        }
    }
    Ok(())
}

/// "wrong · spurious · major (majority 2 of 3)", "pending: 1 of 3 votes", or "undecided".
fn current_decision(
    project: &Project,
    dataset: &DatasetInfo,
    (image, label): (u32, ClassId),
    standing: &[verdict::VoteEvent],
    quorum: usize,
) -> Result<String> {
    let decided = project.decisions_of_image(dataset.id, image)?;
    if let Some(decision) = decided.iter().find(|d| d.label == label) {
        let vote = Vote {
            category: decision.category,
            severity: decision.severity,
            ..Vote::new(image, label, decision.verdict)
        };
        return Ok(format!(
            "{} ({}, {})",
            vote.summary(),
            decision.source,
            decision.reason
        ));
    }
    Ok(match pending_votes(standing, quorum) {
        Some(voted) => format!("pending: {voted} of {quorum} votes"),
        None => format!(
            "undecided ({} panel votes)",
            panel_votes(&standing_votes(standing)).len()
        ),
    })
}

pub fn write_note(args: WriteNote) -> Result<()> {
    let mut project = super::open(&args.project)?;
    let (dataset, files, image, label) =
        super::panel::named_pair(&project, &args.dataset, &args.image, &args.label)?;
    if args.text.trim().is_empty() {
        bail!("--text is empty: write what the panel should read");
    }
    let note = Note {
        id: 0,
        image,
        label,
        reviewer: args.reviewer.trim().to_owned(),
        written_at: verdict::now(),
        text: args.text.trim().to_owned(),
        reply_to: (args.reply_to.as_deref())
            .map(|tag| Note::parse_tag(tag).map_err(|e| anyhow::anyhow!("--reply-to: {e}")))
            .transpose()?,
    };
    let ballot = Ballot {
        dataset: &dataset,
        files: &files,
    };
    let (stored, _) = ballot.write_notes(&mut project, &[note])?;
    super::out::line(format_args!(
        "note {} by {} on {} / {}",
        Note::tag(stored[0].id),
        stored[0].reviewer,
        files[image as usize],
        project.vocab().describe(label)
    ))
}
