//! The seam between the panel's rules and where the vote log is kept: the project file or the
//! team server. The rules read a dataset's events through [`VoteLog`] and never learn which.

use super::voting::{events_by_pair, panel_decision};
use crate::error::Result;
use crate::store::Project;
use crate::verdict::{Decision, VoteEvent};
use crate::vocab::ClassId;
use std::collections::BTreeMap;

/// A vote log: the events of a dataset (named as on every machine), oldest first.
pub trait VoteLog {
    fn dataset_events(&mut self, dataset: &str) -> Result<Vec<VoteEvent>>;
}

impl VoteLog for Project {
    fn dataset_events(&mut self, dataset: &str) -> Result<Vec<VoteEvent>> {
        let dataset = self.dataset(dataset)?;
        self.vote_events(dataset.id)
    }
}

/// The panel's decision on every pair of a dataset that has one (`quorum` members voted, or
/// the chair decided), by the same rule whichever log feeds it.
pub fn panel_decisions(
    log: &mut impl VoteLog,
    dataset: &str,
    quorum: usize,
) -> Result<BTreeMap<(u32, ClassId), Decision>> {
    let events = log.dataset_events(dataset)?;
    Ok((events_by_pair(&events).into_iter())
        .filter_map(|(pair, events)| Some((pair, panel_decision(&events, quorum)?)))
        .collect())
}
