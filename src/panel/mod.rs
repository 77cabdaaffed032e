//! The panel's work: verdicts on (image, label) pairs, mistake categories and severities,
//! votes and the decisions the log makes ([`voting`], [`decide`]), what a reviewer may see
//! ([`visibility`]), the review queue ([`queue`]) and the
//! metrics that follow the votes live ([`live`]).

pub mod aggregate;
pub mod agreement;
pub mod assign;
pub mod chair;
pub mod check;
pub mod confusions;
pub mod crowd;
pub mod dawid_skene;
pub mod decide;
pub mod discussion;
pub mod jump;
pub mod live;
pub mod log;
pub mod queue;
pub mod quorum;
pub mod review;
pub mod shared_log;
pub mod visibility;
pub mod vote_file;
pub mod voting;

pub use decide::decide;
pub use live::LiveMetrics;
pub use queue::{
    DecidedFilter, MistakeSource, PairStatus, QueueFilter, QueueItem, ReviewQueue, ReviewedFilter,
    SortOrder, ViewCounts,
};
pub use review::{NoteOnPair, Review};
pub use vote_file::import_votes;

pub use crate::verdict::{
    Category, Decision, DecisionKind, Round, Severity, Verdict, Vote, VoteEvent,
};
