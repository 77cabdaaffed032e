//! The quorum: how many panel members must vote on a pair before their votes decide it. A
//! pair with fewer votes is pending: it decides nothing and moves no figure.

use super::voting::{events_by_pair, redecide};
use crate::error::{Error, Result};
use crate::store::{MAX_QUORUM, Project};

/// Sets the project's quorum and re-decides every pair of every dataset under it, in one
/// transaction. Returns how many pairs' decisions changed.
pub fn set_quorum(project: &mut Project, quorum: usize) -> Result<usize> {
    if !(1..=MAX_QUORUM).contains(&quorum) {
        return Err(Error::Usage(format!(
            "--quorum must be from 1 (a lone reviewer's vote decides) to {MAX_QUORUM}"
        )));
    }
    let mut logs = Vec::new();
    for dataset in project.datasets()? {
        logs.push((
            dataset.id,
            events_by_pair(&project.vote_events(dataset.id)?),
        ));
    }
    project.write_log(|log| {
        log.put_quorum(quorum)?;
        let mut changed = 0;
        for (dataset_id, pairs) in &logs {
            for (&pair, events) in pairs {
                changed += redecide(log, *dataset_id, pair, events, quorum)? as usize;
            }
        }
        Ok(changed)
    })
}
