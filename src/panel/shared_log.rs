//! The parts of the panel's log beside the votes, notes and assignments, as they travel in a
//! vote file between machines (rows of round `note` and `assignment`): merged in the same
//! transaction as the votes, as a union (each has a content id).

use crate::error::{Error, Result};
use crate::store::{EventNames, LogTx};
pub use crate::verdict::SharedLog;
use std::collections::BTreeSet;

impl SharedLog {
    /// Appends what is new; a reply must answer a note on the same pair, already in the log
    /// (`known`: id, image, label) or in this file. Returns how many were new.
    pub fn append(
        &self,
        log: &LogTx,
        dataset_id: i64,
        names: &EventNames,
        known: &BTreeSet<(i64, u32, u16)>,
    ) -> Result<usize> {
        let mut ids = known.clone();
        ids.extend(
            self.notes
                .iter()
                .map(|n| (names.note_id(n), n.image, n.label)),
        );
        if let Some(orphan) = (self.notes.iter()).find(|n| {
            n.reply_to
                .is_some_and(|p| !ids.contains(&(p, n.image, n.label)))
        }) {
            let file = names.files.get(orphan.image as usize);
            return Err(Error::Usage(format!(
                "{}'s note {:?} on {} / {} answers note {}, which neither the project nor the file has on that pair; export the votes again from a project that has it",
                orphan.reviewer,
                orphan.text,
                file.map_or("?", String::as_str),
                names.vocab.describe(orphan.label),
                orphan
                    .reply_to
                    .map(crate::verdict::Note::tag)
                    .unwrap_or_default()
            )));
        }
        let (_, mut added) = log.append_notes(dataset_id, names, &self.notes)?;
        for (assignment, at) in &self.assignments {
            added +=
                log.append_assignments(dataset_id, names, std::slice::from_ref(assignment), at)?;
        }
        Ok(added)
    }
}
