//! bagel: a review desk for expert panels re-assessing the mistakes of ImageNet classifiers.
//!
//! Layers, bottom up:
//! - the core, which knows nothing of any user interface: [`vocab`] (classes, hierarchy,
//!   collapsed pairs), [`data`] (columnar predictions and label sets), [`store`] (the SQLite
//!   project file), [`import`] (the formats researchers hold), [`metrics`] (pure functions over
//!   the columns), [`compare`] (a dataset against its replica, its figures), [`panel`] (votes,
//!   decisions, the review queue and live metrics), [`export`] (updated label sets),
//!   [`imaging`] (decoding review images off the UI thread), [`team`] (the panel's log on a
//!   PostgreSQL team server);
//! - [`cli`], a thin command-line layer over the core;
//! - [`desk`], the egui review desk, another thin layer over the core.

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
