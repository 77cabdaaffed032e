//! A vote file merged into a dataset's log: the import layer reads and checks it
//! ([`crate::import::read_vote_file`]), the panel merges it in one transaction. The CLI and
//! the desk both call [`import_votes`].

use super::voting::Ballot;
use crate::error::Result;
use crate::import::{ChairRows, ImportReport, VoteFile, read_vote_file};
use crate::progress::Progress;
use crate::store::Project;
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
    let (read, what, merged, warnings) = match read {
        VoteFile::Crowd { read, log } => {
            progress.begin("storing crowd answers", 0);
            (
                read,
                "votes",
                ballot.merge_crowd(project, &log)?,
                Vec::new(),
            )
        }
        VoteFile::Panel {
            events,
            shared,
            warnings,
        } => {
            progress.begin("merging votes", 0);
            let read = events.len() + shared.notes.len() + shared.assignments.len();
            let what = match shared.is_empty() {
                true => "votes",
                false => "votes, notes and assignments",
            };
            let merged = ballot.merge_with(project, &events, &shared)?;
            (read, what, merged, warnings)
        }
    };
    Ok(ImportReport {
        summary: format!(
            "{read} {what} read from {}: {} new, {} already standing; decisions changed on {} images",
            file.display(),
            merged.added,
            merged.unchanged,
            merged.changed_images.len()
        ),
        warnings,
    })
}
