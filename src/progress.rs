//! How long work reports its progress: the core calls a [`Progress`]; the CLI draws a bar, the
//! desk a bar with Cancel.

pub trait Progress: Sync {
    /// A new phase with `total` steps (0 when the size is unknown).
    fn begin(&self, phase: &str, total: u64);
    /// `steps` more steps of the current phase are done.
    fn advance(&self, steps: u64);
    /// Polled between steps; work stops with [`crate::error::Error::Cancelled`] when true.
    fn cancelled(&self) -> bool {
        false
    }
}

/// For callers that do not show progress (tests, benchmarks, library users).
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _phase: &str, _total: u64) {}
    fn advance(&self, _steps: u64) {}
}

/// Returns Err(Cancelled) when the user asked to stop.
pub fn check_cancelled(progress: &dyn Progress) -> crate::error::Result<()> {
    if progress.cancelled() {
        Err(crate::error::Error::Cancelled)
    } else {
        Ok(())
    }
}
