//! How votes on one (image, label) pair become the panel's decision: a unanimous verdict
//! decides itself, otherwise the majority, and a tie is unclear. A wrong decision takes the
//! category and severity most of its wrong votes gave.

use super::{Category, Decision, Severity, Verdict, Vote};

/// The source recorded on decisions made from votes.
pub const PANEL: &str = "panel";

/// The decision of the votes on one pair; None without votes.
pub fn decide(votes: &[&Vote]) -> Option<Decision> {
    let first = votes.first()?;
    let tally = |verdict: Verdict| votes.iter().filter(|v| v.verdict == verdict).count();
    let mut counts: Vec<(Verdict, usize)> = Verdict::ALL.iter().map(|&v| (v, tally(v))).collect();
    counts.sort_by_key(|&(_, count)| std::cmp::Reverse(count));
    let (leader, most) = counts[0];
    let tied = counts[1].1 == most;
    let (verdict, reason) = if most == votes.len() {
        (leader, format!("unanimous ({most})"))
    } else if tied {
        (
            Verdict::Unclear,
            format!("tie at {most} of {}", votes.len()),
        )
    } else {
        (leader, format!("majority {most} of {}", votes.len()))
    };
    let wrong: Vec<&&Vote> = votes
        .iter()
        .filter(|v| v.verdict == Verdict::Wrong)
        .collect();
    let is_wrong = verdict == Verdict::Wrong;
    Some(Decision {
        image: first.image,
        label: first.label,
        verdict,
        category: most_given(Category::ALL, wrong.iter().map(|v| v.category)).filter(|_| is_wrong),
        severity: most_given(Severity::ALL, wrong.iter().map(|v| v.severity)).filter(|_| is_wrong),
        severity_word: None,
        source: crate::verdict::DecisionSource::Panel,
        reason,
    })
}

/// The value given most often; a tie goes to the earlier of `order` (for severity: major, the
/// cautious reading of a split panel).
fn most_given<T: Copy + PartialEq>(
    order: &[T],
    given: impl Iterator<Item = Option<T>> + Clone,
) -> Option<T> {
    let count = |value: T| given.clone().filter(|g| *g == Some(value)).count();
    let best = order
        .iter()
        .copied()
        .max_by_key(|&v| (count(v), std::cmp::Reverse(position(order, v))))?;
    (count(best) > 0).then_some(best)
}

fn position<T: PartialEq>(order: &[T], value: T) -> usize {
    order.iter().position(|v| *v == value).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(verdict: Verdict, category: Option<Category>, severity: Option<Severity>) -> Vote {
        Vote {
            category,
            severity,
            ..Vote::new(7, 281, verdict)
        }
    }

    #[test]
    fn unanimous_majority_and_tie() {
        let wrong = vote(
            Verdict::Wrong,
            Some(Category::FineGrained),
            Some(Severity::Minor),
        );
        let correct = vote(Verdict::Correct, None, None);
        let unanimous = decide(&[&wrong, &wrong]).unwrap();
        assert_eq!(unanimous.verdict, Verdict::Wrong);
        assert_eq!(unanimous.category, Some(Category::FineGrained));
        assert_eq!(unanimous.severity, Some(Severity::Minor));
        assert_eq!((unanimous.image, unanimous.label), (7, 281));
        assert_eq!(unanimous.source, PANEL);
        let majority = decide(&[&correct, &wrong, &correct]).unwrap();
        assert_eq!(majority.verdict, Verdict::Correct);
        assert_eq!((majority.category, majority.severity), (None, None));
        assert!(majority.reason.contains("2 of 3"), "{}", majority.reason);
        let tie = decide(&[&correct, &wrong]).unwrap();
        assert_eq!(tie.verdict, Verdict::Unclear);
        assert!(decide(&[]).is_none());
    }

    #[test]
    fn a_split_on_severity_reads_major() {
        let minor = vote(
            Verdict::Wrong,
            Some(Category::Spurious),
            Some(Severity::Minor),
        );
        let major = vote(
            Verdict::Wrong,
            Some(Category::NonPrototypical),
            Some(Severity::Major),
        );
        let decision = decide(&[&minor, &major]).unwrap();
        assert_eq!(decision.severity, Some(Severity::Major));
        // Categories tie too: the earlier in the list of categories wins.
        assert_eq!(decision.category, Some(Category::Spurious));
        let undetailed = decide(&[&vote(Verdict::Wrong, None, None)]).unwrap();
        assert_eq!((undetailed.category, undetailed.severity), (None, None));
    }
}
