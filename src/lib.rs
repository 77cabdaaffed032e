//! bagel: a review desk for expert panels re-assessing the mistakes of ImageNet classifiers.
//!
//! Layers, bottom up; a module imports only from its own layer's files or lower ones, and no
//! files import each other in a circle:
//! 1. plumbing: [`error`], [`numbers`], [`names`], [`progress`], [`durable`] (files that appear
//!    whole or not at all);
//! 2. the review vocabulary: [`verdict`] (verdicts, rounds, vote events, decisions), [`vocab`]
//!    (classes, hierarchy, collapsed pairs);
//! 3. [`data`]: columnar predictions and label sets, and the sanity check on predictions;
//! 4. [`store`]: the SQLite project file;
//! 5. [`import`]: the formats researchers hold;
//! 6. [`metrics`]: pure functions over the columns;
//! 7. [`compare`] (a dataset against its replica) and [`charts`] (its figures);
//! 8. [`panel`]: votes, decisions, the review queue and live metrics;
//! 9. [`export`]: updated label sets and the other files bagel writes for others;
//! 10. [`imaging`]: decoding review images off the UI thread;
//! 11. [`team`]: the panel's log on a PostgreSQL team server;
//! 12. [`sample`]: the bundled sample project;
//! 13. `desk`: the egui review desk, a thin layer over the core (behind the `desk` feature);
//! 14. [`cli`]: the command line, another thin layer, which also opens the desk.
//!
//! Everything up to [`sample`] is the core, which knows nothing of any user interface.

#![forbid(unsafe_code)]

pub mod charts;
pub mod cli;
pub mod compare;
pub mod data;
#[cfg(feature = "desk")]
pub mod desk;
pub mod durable;
pub mod error;
pub mod export;
pub mod imaging;
pub mod import;
pub mod metrics;
pub mod names;
pub mod numbers;
pub mod panel;
pub mod progress;
pub mod sample;
pub mod store;
pub mod team;
pub mod verdict;
pub mod vocab;
