//! Work that takes longer than a frame (loading a dataset, importing, exporting) runs on its
//! own thread with its own connection to the project; the desk polls it every frame and draws
//! its progress with a Cancel button, which the core's importers honour between steps.

use crate::error::Error;
use crate::panel::Review;
use crate::progress::Progress;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};

pub enum JobOutcome {
    Loaded(Box<Review>),
    /// Finished; the message says what was done.
    Done(String),
    /// An import finished: what it added, and what the person should know about it.
    Imported {
        summary: String,
        warnings: Vec<String>,
    },
    /// A comparison finished, or could not be made (the message says why).
    Compared(Result<Box<crate::compare::Comparison>, String>),
    Failed(String),
    Cancelled,
}

impl JobOutcome {
    pub fn from_error(error: Error) -> Self {
        match error {
            Error::Cancelled => JobOutcome::Cancelled,
            error => JobOutcome::Failed(error.to_string()),
        }
    }
}

/// The progress a job reports, shared with the desk.
struct Shared {
    phase: Mutex<String>,
    total: AtomicU64,
    done: AtomicU64,
    cancel: AtomicBool,
    ctx: egui::Context,
}

impl Progress for Shared {
    fn begin(&self, phase: &str, total: u64) {
        *self.phase.lock().unwrap_or_else(|e| e.into_inner()) = phase.to_owned();
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        self.ctx.request_repaint();
    }

    fn advance(&self, steps: u64) {
        self.done.fetch_add(steps, Ordering::Relaxed);
        self.ctx.request_repaint();
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

pub struct Job {
    pub title: String,
    shared: Arc<Shared>,
    outcome: Receiver<JobOutcome>,
}

impl Job {
    pub fn spawn(
        ctx: &egui::Context,
        title: String,
        work: impl FnOnce(&dyn Progress) -> JobOutcome + Send + 'static,
    ) -> Self {
        let shared = Arc::new(Shared {
            phase: Mutex::new(String::new()),
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
            cancel: AtomicBool::new(false),
            ctx: ctx.clone(),
        });
        let (send, outcome) = mpsc::channel();
        let progress = Arc::clone(&shared);
        std::thread::spawn(move || {
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(progress.as_ref())));
            let outcome = result.unwrap_or_else(|_| {
                JobOutcome::Failed("internal error (a bug in bagel); nothing was written".into())
            });
            // The desk may have closed meanwhile; then nobody needs the outcome.
            let _ = send.send(outcome);
            progress.ctx.request_repaint();
        });
        Job {
            title,
            shared,
            outcome,
        }
    }

    /// The outcome once the work has finished.
    pub fn poll(&self) -> Option<JobOutcome> {
        match self.outcome.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(JobOutcome::Failed(format!(
                "{} stopped unexpectedly",
                self.title
            ))),
        }
    }

    pub fn cancel(&self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelling(&self) -> bool {
        self.shared.cancel.load(Ordering::Relaxed)
    }

    pub fn phase(&self) -> String {
        self.shared
            .phase
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Done share of the current phase, when its size is known.
    pub fn fraction(&self) -> Option<f32> {
        let total = self.shared.total.load(Ordering::Relaxed);
        let done = self.shared.done.load(Ordering::Relaxed);
        (total > 0).then(|| (done as f32 / total as f32).min(1.0))
    }
}
