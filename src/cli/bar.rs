//! The CLI's progress display: an indicatif bar on stderr, drawn only on a terminal.

use crate::progress::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

pub struct Bar(ProgressBar);

impl Bar {
    pub fn new() -> Self {
        let bar = ProgressBar::new(0);
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(bar)
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn begin(&self, phase: &str, total: u64) {
        let template = if total > 0 {
            "{spinner} {msg} [{bar:40}] {pos}/{len} ({eta})"
        } else {
            "{spinner} {msg} ({elapsed})"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.0.set_style(style.progress_chars("=> "));
        }
        self.0.set_length(total);
        self.0.set_position(0);
        self.0.set_message(phase.to_owned());
    }

    fn advance(&self, steps: u64) {
        self.0.inc(steps);
    }
}
