//! What a reviewer may see of the others' votes on a pair. In the blind independent round
//! (on by default) nobody's vote and not the panel's decision show before you have voted on
//! the pair yourself, so the first votes are independent; after your vote, everything shows.

use super::voting::standing_votes;
use crate::verdict::{Round, VoteEvent};

/// The project's policy, read from its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    pub blind: bool,
}

impl Visibility {
    /// Whether `reviewer` may see the others' votes and the decision on the pair whose
    /// events these are.
    pub fn may_see_others(&self, reviewer: &str, pair_events: &[VoteEvent]) -> bool {
        self.may_see(has_voted(reviewer, pair_events))
    }

    /// The rule itself: everything shows once I have voted on the pair, or when not blind.
    pub fn may_see(&self, voted_on_it: bool) -> bool {
        !self.blind || voted_on_it
    }
}

/// Whether `reviewer` has a standing panel vote (any round but the crowd's) among a pair's
/// events: what opens the pair to them in the blind round.
pub fn has_voted(reviewer: &str, pair_events: &[VoteEvent]) -> bool {
    standing_votes(pair_events)
        .iter()
        .any(|e| e.reviewer == reviewer && e.round != Round::Crowd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{Verdict, Vote};

    fn event(reviewer: &str, verdict: Option<Verdict>) -> VoteEvent {
        VoteEvent {
            reviewer: reviewer.into(),
            round: Round::Independent,
            cast_at: "2026-11-24T09:00:00.000Z".into(),
            image: 3,
            label: 281,
            vote: verdict.map(|v| Vote::new(3, 281, v)),
        }
    }

    #[test]
    fn blind_hides_the_others_until_i_have_voted() {
        let blind = Visibility { blind: true };
        let others = [event("ana", Some(Verdict::Wrong))];
        assert!(!blind.may_see_others("ben", &others));
        let mine = [others[0].clone(), event("ben", Some(Verdict::Correct))];
        assert!(blind.may_see_others("ben", &mine));
        // A withdrawn vote alone does not open the pair.
        let withdrawn = [others[0].clone(), event("ben", None)];
        assert!(!blind.may_see_others("ben", &withdrawn));
        assert!(Visibility { blind: false }.may_see_others("ben", &others));
    }
}
