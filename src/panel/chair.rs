//! The chair: the one reviewer the project names (`bagel config P --chair NAME`) who may
//! override the panel's decision on a pair, with a reason, and withdraw that override, which
//! brings the panel's decision back. Both stay in the pair's history. The chair is never blind.

use super::voting::{Ballot, chair_override, standing_override};
use crate::error::{Error, Result};
use crate::store::Project;
use crate::verdict::{self, Round, Vote, VoteEvent};
use crate::vocab::ClassId;

/// Whether `reviewer` is the project's chair.
pub fn is_chair(project: &Project, reviewer: &str) -> Result<bool> {
    Ok(project.chair()?.as_deref() == Some(reviewer.trim()))
}

/// Refuses anyone but the named chair, saying who the chair is or how to name one.
pub fn require_chair(project: &Project, reviewer: &str) -> Result<()> {
    match project.chair()? {
        Some(chair) if chair == reviewer.trim() => Ok(()),
        Some(chair) => Err(Error::Usage(format!(
            "only the chair ({chair}) may override or withdraw a decision, not {:?}",
            reviewer.trim()
        ))),
        None => Err(Error::Usage(format!(
            "the project names no chair; name one with `bagel config {} --chair NAME`",
            project.path().display()
        ))),
    }
}

/// Overrides the panel's decision on a pair as the chair.
pub fn override_decision(
    project: &mut Project,
    ballot: &Ballot,
    reviewer: &str,
    vote: Vote,
    reason: &str,
) -> Result<VoteEvent> {
    require_chair(project, reviewer)?;
    let event = chair_override(reviewer, vote, reason, verdict::now())?;
    ballot.cast(project, event.clone())?;
    Ok(event)
}

/// Withdraws the chair's standing override on a pair: the panel's votes decide it again.
/// Refused when no override stands, so a typo in the pair is not silently accepted.
pub fn withdraw_override(
    project: &mut Project,
    ballot: &Ballot,
    reviewer: &str,
    (image, label): (u32, ClassId),
) -> Result<()> {
    require_chair(project, reviewer)?;
    let history = project.pair_history(ballot.dataset.id, image, label)?;
    if standing_override(&history).is_none() {
        return Err(Error::Usage(format!(
            "no chair's override stands on {} / class {label}; nothing to withdraw",
            ballot.files.get(image as usize).map_or("?", String::as_str)
        )));
    }
    let withdrawal = VoteEvent {
        reviewer: reviewer.trim().to_owned(),
        round: Round::Chair,
        cast_at: verdict::now(),
        image,
        label,
        vote: None,
    };
    ballot.cast(project, withdrawal)?;
    Ok(())
}
