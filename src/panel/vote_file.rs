//! A vote file merged into a dataset's log: the import layer reads and checks it
//! ([`crate::import::read_vote_file`]), the panel merges it in one transaction. The CLI and
//! the desk both call [`import_votes`].

use super::voting::Ballot;
use crate::error::{Error, Result};
use crate::import::{ChairRows, ImportReport, VoteFile, read_vote_file};
use crate::progress::Progress;
use crate::store::Project;
use crate::verdict::VoteFileRows;
use std::path::Path;

/// Merges a vote file into a dataset's log, in one transaction: a panel's vote CSV, or a crowd
/// rater file (ReaL's raters.npz or its `*_votes.csv.gz`).
pub fn import_votes(
    project: &mut Project,
    dataset: &str,
    file: &Path,
    chair_rows: ChairRows,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let read = read_vote_file(project, dataset, file, chair_rows, progress)?;
    let dataset = project.dataset(dataset)?;
    let files = project.images(dataset.id)?.files;
    let ballot = Ballot {
        dataset: &dataset,
        files: &files,
    };
    let (read, total, merged, warnings) = match read {
        VoteFile::Crowd { read, log } => {
            progress.begin("storing crowd answers", 0);
            let merged = ballot.merge_crowd(project, &log)?;
            (format!("{read} votes"), read, merged, Vec::new())
        }
        VoteFile::Panel {
            events,
            shared,
            warnings,
        } => {
            progress.begin("merging votes", 0);
            let rows = VoteFileRows::of(&events, &shared);
            let read = match rows.votes == rows.total() {
                true => rows.describe(),
                false => format!("{} rows ({})", rows.total(), rows.describe()),
            };
            // The merge's refusals (a reply to no note, a time from the future) are the
            // file's: named with it.
            let merged = (ballot.merge_with(project, &events, &shared)).map_err(|e| match e {
                Error::Usage(problem) => Error::bad_input(file, problem),
                other => other,
            })?;
            (read, rows.total(), merged, warnings)
        }
    };
    // What is not new was in the log already, or is the vote its reviewer has standing.
    Ok(ImportReport {
        summary: format!(
            "{read} read from {}: {} new, {} already there; decisions changed on {} images",
            file.display(),
            merged.added,
            total.saturating_sub(merged.added),
            merged.changed_images.len()
        ),
        warnings,
    })
}
