//! The review vocabulary every layer speaks: verdicts on (image, label) pairs, mistake
//! categories and severities, rounds, votes as events of an append-only log, and decisions.
//! It sits at the bottom so the store can save these and the metrics can read them without
//! reaching up into the panel's policy.

use crate::vocab::ClassId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Correct,
    Unclear,
    Wrong,
    /// The ground truth itself is wrong, or the image has no valid label.
    Problematic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    FineGrained,
    FineGrainedOutOfVocabulary,
    Spurious,
    NonPrototypical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Major,
    Minor,
}

macro_rules! stored_names {
    ($type:ty { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $type {
            pub const ALL: &'static [$type] = &[$(<$type>::$variant),+];

            /// The spelling stored in the project and used in CSV and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(<$type>::$variant => $name),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text.trim() { $($name => Some(<$type>::$variant),)+ _ => None }
            }
        }
    };
}

stored_names!(Verdict { Correct = "correct", Unclear = "unclear", Wrong = "wrong", Problematic = "problematic" });
stored_names!(Category {
    FineGrained = "fine_grained",
    FineGrainedOutOfVocabulary = "fine_grained_oov",
    Spurious = "spurious",
    NonPrototypical = "non_prototypical",
});
stored_names!(Severity { Major = "major", Minor = "minor" });
stored_names!(Round {
    Independent = "independent",
    Discussion = "discussion",
    Chair = "chair",
    Crowd = "crowd",
});

/// Votes are first cast independently; the discussion round revisits disagreements. A chair's
/// vote overrides the panel with a reason. Crowd votes (a large rater pool such as ReaL's) make
/// no decision by themselves: an aggregator (majority, Dawid-Skene) turns them into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Round {
    Independent,
    Discussion,
    Chair,
    Crowd,
}

/// One reviewer's judgement of an (image, label) pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Vote {
    pub image: u32,
    pub label: ClassId,
    pub verdict: Verdict,
    /// Only for `wrong`.
    pub category: Option<Category>,
    /// Only for `wrong`.
    pub severity: Option<Severity>,
    pub note: String,
}

impl Vote {
    /// "wrong · spurious · major": the verdict with what details it has.
    pub fn summary(&self) -> String {
        let details = [
            self.category.map(Category::as_str),
            self.severity.map(Severity::as_str),
        ];
        std::iter::once(self.verdict.as_str())
            .chain(details.into_iter().flatten())
            .collect::<Vec<_>>()
            .join(" · ")
    }

    pub fn new(image: u32, label: ClassId, verdict: Verdict) -> Self {
        Vote {
            image,
            label,
            verdict,
            category: None,
            severity: None,
            note: String::new(),
        }
    }
}

/// One entry of the vote log. A change is a new event, an undo a withdrawal (`vote` None),
/// and a reviewer's current vote on a pair in a round is their latest event. The identity
/// (dataset, image file, label, reviewer, round, time, content) is the same on every machine,
/// so merging two projects' logs is a union.
#[derive(Debug, Clone, PartialEq)]
pub struct VoteEvent {
    pub reviewer: String,
    pub round: Round,
    /// UTC, RFC 3339 with milliseconds (`2026-11-24T09:30:00.123Z`): sorts as text.
    pub cast_at: String,
    pub image: u32,
    pub label: ClassId,
    /// None for a withdrawal.
    pub vote: Option<Vote>,
}

impl VoteEvent {
    /// The event's stable id: a hash of what identifies it across machines. `dataset` and
    /// `file` and `wnid` are the names, not local row numbers, so two projects agree on it.
    pub fn id(&self, dataset: &str, file: &str, wnid: &str) -> i64 {
        let vote = self.vote.as_ref();
        let fields = [
            dataset,
            file,
            wnid,
            &self.reviewer,
            self.round.as_str(),
            &self.cast_at,
            vote.map_or("withdrawn", |v| v.verdict.as_str()),
            vote.and_then(|v| v.category).map_or("", Category::as_str),
            vote.and_then(|v| v.severity).map_or("", Severity::as_str),
            vote.map_or("", |v| v.note.as_str()),
        ];
        // Unit separators keep ("ab", "c") and ("a", "bc") apart.
        let text = fields.join("\u{1f}");
        xxhash_rust::xxh3::xxh3_64(text.as_bytes()) as i64
    }
}

/// A reviewer's note on a pair, an event of the log like a vote: the panel's discussion, one
/// note answering another. `id` is a hash of what identifies it on every machine, so a reply
/// names its parent the same everywhere.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: i64,
    pub image: u32,
    pub label: ClassId,
    pub reviewer: String,
    /// UTC, as `cast_at`.
    pub written_at: String,
    pub text: String,
    /// The id of the note this one answers.
    pub reply_to: Option<i64>,
}

impl Note {
    /// A note's id as files and lists write it: `#` and 16 hex digits.
    pub fn tag(id: i64) -> String {
        format!("#{:016x}", id as u64)
    }

    /// Reads a note's id written by [`Note::tag`] (the `#` is optional).
    pub fn parse_tag(text: &str) -> Result<i64, String> {
        let digits = text.trim().trim_start_matches('#');
        u64::from_str_radix(digits, 16)
            .map(|id| id as i64)
            .map_err(|_| format!("note id {text:?} is not 16 hex digits such as #0123456789abcdef"))
    }

    /// The note's stable id from its names (dataset, image file, wnid) and content.
    pub fn content_id(&self, dataset: &str, file: &str, wnid: &str) -> i64 {
        let reply_to = self.reply_to.map(|id| id.to_string()).unwrap_or_default();
        let fields = [
            "note",
            dataset,
            file,
            wnid,
            &self.reviewer,
            &self.written_at,
            &self.text,
            &reply_to,
        ];
        xxhash_rust::xxh3::xxh3_64(fields.join("\u{1f}").as_bytes()) as i64
    }
}

/// The parts of the panel's log beside the votes as they travel between machines (a vote
/// file, a team server): notes and assignments. The panel appends them
/// (`panel::shared_log`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharedLog {
    pub notes: Vec<Note>,
    /// Each with the time it was assigned.
    pub assignments: Vec<(Assignment, String)>,
}

impl SharedLog {
    pub fn is_empty(&self) -> bool {
        self.notes.is_empty() && self.assignments.is_empty()
    }
}

/// What a vote file carries, by kind of row, for the messages that report reading or
/// writing one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VoteFileRows {
    pub votes: usize,
    /// Withdrawn votes and a chair's withdrawn overrides.
    pub withdrawals: usize,
    pub notes: usize,
    pub assignments: usize,
}

impl VoteFileRows {
    pub fn of(events: &[VoteEvent], shared: &SharedLog) -> Self {
        let withdrawals = events.iter().filter(|e| e.vote.is_none()).count();
        VoteFileRows {
            votes: events.len() - withdrawals,
            withdrawals,
            notes: shared.notes.len(),
            assignments: shared.assignments.len(),
        }
    }

    pub fn total(&self) -> usize {
        self.votes + self.withdrawals + self.notes + self.assignments
    }

    /// "6 votes, 1 withdrawal, 1 note and 32 assignments": the kinds there are, votes always.
    pub fn describe(&self) -> String {
        let counted = |n: usize, one: &str, many: &str| match n {
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        let mut parts = vec![counted(self.votes, "vote", "votes")];
        let others = [
            (self.withdrawals, "withdrawal", "withdrawals"),
            (self.notes, "note", "notes"),
            (self.assignments, "assignment", "assignments"),
        ];
        for (n, one, many) in others {
            if n > 0 {
                parts.push(counted(n, one, many));
            }
        }
        match parts.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => parts.concat(),
        }
    }
}

/// A pair given to a reviewer to vote on (`bagel assign`), an event of the log.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Assignment {
    pub image: u32,
    pub label: ClassId,
    pub reviewer: String,
}

impl Assignment {
    /// The assignment's stable id: the same pair given to the same reviewer is one event on
    /// every machine, whenever it was assigned.
    pub fn content_id(&self, dataset: &str, file: &str, wnid: &str) -> i64 {
        let fields = ["assignment", dataset, file, wnid, &self.reviewer];
        xxhash_rust::xxh3::xxh3_64(fields.join("\u{1f}").as_bytes()) as i64
    }
}

/// The current time as stored in `cast_at`.
pub fn now() -> String {
    format_time(jiff::Timestamp::now())
}

/// The current time in the crowd store's form (milliseconds since 1970 UTC).
pub fn now_millis() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Reads a time as given in a vote file (RFC 3339, any offset) into the stored form.
pub fn parse_time(text: &str) -> Option<String> {
    text.trim().parse::<jiff::Timestamp>().ok().map(format_time)
}

/// How far a vote's time may lie ahead of the clock of the machine that takes it in: clocks of
/// a panel's machines drift by seconds, not by more.
const CLOCK_SKEW_MINUTES: i64 = 5;
/// No vote predates bagel's field; an earlier time is a typo or a forged row.
const EARLIEST_VOTE: &str = "2000-01-01T00:00:00Z";

/// Why a vote's time (in the stored form) cannot be taken in at `now`, if it cannot: a time
/// in the future would stand over every later vote of its reviewer forever.
pub fn implausible_vote_time(cast_at: &str, now: &str) -> Option<String> {
    let time = cast_at.parse::<jiff::Timestamp>().ok()?;
    let earliest: jiff::Timestamp = EARLIEST_VOTE.parse().ok()?;
    let latest = now
        .parse::<jiff::Timestamp>()
        .ok()?
        .checked_add(jiff::SignedDuration::from_mins(CLOCK_SKEW_MINUTES))
        .ok()?;
    if time < earliest {
        Some(format!(
            "cast_at {cast_at} is before 2000; give the time the vote was cast"
        ))
    } else if time > latest {
        Some(format!(
            "cast_at {cast_at} is later than now ({now}) by more than {CLOCK_SKEW_MINUTES} minutes; a vote from the future would outrank every later vote of its reviewer: give the time the vote was cast, or set the clock of the machine that wrote it"
        ))
    } else {
        None
    }
}

/// A stored time as milliseconds since 1970 UTC, the crowd store's form (`store/crowd.rs`).
pub fn time_millis(text: &str) -> Option<i64> {
    text.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(jiff::Timestamp::as_millisecond)
}

/// Milliseconds since 1970 UTC in the stored form; None outside the years -9999..=9999.
pub fn time_of_millis(millis: i64) -> Option<String> {
    jiff::Timestamp::from_millisecond(millis)
        .ok()
        .map(format_time)
}

fn format_time(time: jiff::Timestamp) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

impl Verdict {
    /// Whether the label counts as valid for the image (correct ∪ unclear).
    pub fn is_valid(self) -> bool {
        matches!(self, Verdict::Correct | Verdict::Unclear)
    }
}

/// One reviewed mistake of a model, as a review file states it (imagenet-mistakes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRecord {
    pub file: String,
    pub top_prediction: ClassId,
    pub category: Category,
    pub severity: Severity,
    /// The source's own word when it is not the severity's ("borderline", counted as minor).
    pub severity_word: Option<String>,
}

/// Who settled a pair, from the strongest: the panel (its votes, or the chair's override), an
/// imported review, an aggregation of crowd votes. A stronger kind outranks a weaker one on the
/// same pair; each kind's decision is kept, so withdrawing the panel's brings the next back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DecisionKind {
    Aggregate,
    Review,
    Panel,
}

stored_names!(DecisionKind { Aggregate = "aggregate", Review = "review", Panel = "panel" });

/// A settled verdict on an (image, label) pair, from the panel or an imported review. It
/// replaces the imported status of that pair wherever labels are used.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub image: u32,
    pub label: ClassId,
    pub verdict: Verdict,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    /// The source's own word when it differs from the stored severity ("borderline").
    pub severity_word: Option<String>,
    /// Who decided.
    pub source: DecisionSource,
    pub reason: String,
}

/// Who decided a pair. Stored and written as text: "panel", "chair NAME", or the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionSource {
    /// The panel's votes, by its rule.
    Panel,
    /// The chair's override, with the chair's name.
    Chair(String),
    /// An aggregator ("majority", "dawid-skene") or the review a decision was imported from.
    Named(String),
}

impl DecisionSource {
    /// Reads the stored form (what [`std::fmt::Display`] writes).
    pub fn parse(stored: &str) -> Self {
        match stored.strip_prefix("chair ") {
            _ if stored == "panel" => DecisionSource::Panel,
            Some(name) => DecisionSource::Chair(name.to_owned()),
            None => DecisionSource::Named(stored.to_owned()),
        }
    }

    /// Whether the panel decided (its votes or its chair), not an import or an aggregator.
    pub fn is_panels(&self) -> bool {
        matches!(self, DecisionSource::Panel | DecisionSource::Chair(_))
    }
}

impl std::fmt::Display for DecisionSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecisionSource::Panel => f.write_str("panel"),
            DecisionSource::Chair(name) => write!(f, "chair {name}"),
            DecisionSource::Named(name) => f.write_str(name),
        }
    }
}

impl From<&str> for DecisionSource {
    fn from(stored: &str) -> Self {
        DecisionSource::parse(stored)
    }
}

impl PartialEq<&str> for DecisionSource {
    fn eq(&self, stored: &&str) -> bool {
        *self == DecisionSource::parse(stored)
    }
}

impl Decision {
    /// A decision of `source` on a pair, with no category, severity or reason yet.
    pub fn new(image: u32, label: ClassId, verdict: Verdict, source: DecisionSource) -> Self {
        Decision {
            image,
            label,
            verdict,
            category: None,
            severity: None,
            severity_word: None,
            source,
            reason: String::new(),
        }
    }

    pub fn is_major_mistake(&self) -> bool {
        self.verdict == Verdict::Wrong && self.severity == Some(Severity::Major)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for verdict in Verdict::ALL {
            assert_eq!(Verdict::parse(verdict.as_str()), Some(*verdict));
        }
        for category in Category::ALL {
            assert_eq!(Category::parse(category.as_str()), Some(*category));
        }
        assert_eq!(Severity::parse("minor"), Some(Severity::Minor));
        assert_eq!(Verdict::parse("maybe"), None);
        assert!(Verdict::Unclear.is_valid() && !Verdict::Wrong.is_valid());
    }

    #[test]
    fn stored_times_and_milliseconds_round_trip() {
        let millis = time_millis("2026-11-24T09:30:00.123Z").unwrap();
        // 2026-11-24 is day 20,781 after 1970-01-01.
        assert_eq!(millis, (20_781 * 86_400 + 9 * 3600 + 30 * 60) * 1000 + 123);
        assert_eq!(
            time_of_millis(millis).as_deref(),
            Some("2026-11-24T09:30:00.123Z")
        );
        assert_eq!(time_millis("yesterday"), None);
    }

    #[test]
    fn vote_times_before_2000_or_from_the_future_are_implausible() {
        let now = "2026-11-24T09:30:00.000Z";
        assert_eq!(implausible_vote_time("2026-11-24T09:34:59.000Z", now), None);
        assert_eq!(implausible_vote_time("2000-01-01T00:00:00.000Z", now), None);
        let future = implausible_vote_time("9999-12-30T00:00:00.000Z", now).unwrap();
        assert!(future.contains("9999-12-30T00:00:00.000Z"), "{future}");
        assert!(future.contains("later than now"), "{future}");
        let soon = implausible_vote_time("2026-11-24T09:35:01.000Z", now);
        assert!(soon.is_some());
        let ancient = implausible_vote_time("0000-01-01T00:00:00.000Z", now).unwrap();
        assert!(ancient.contains("before 2000"), "{ancient}");
    }
}
