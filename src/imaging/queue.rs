//! The order in which requested files are decoded.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

/// How soon a requested image is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// On screen now: decoded before anything asked `Ahead`, the newest first.
    Now,
    /// Likely next (prefetch): decoded when no `Now` waits, in the order asked.
    Ahead,
}

/// Requests not yet started. The newest `Now` goes first: when a panelist pages fast, the image
/// on screen is the last one asked for. `Ahead` requests go first in, first out, because the desk
/// asks for the nearest next images first.
#[derive(Default)]
pub(super) struct Queue {
    now: Vec<PathBuf>,
    ahead: VecDeque<PathBuf>,
    /// Which list holds each path, so that the desk may repeat its requests every frame cheaply.
    queued: HashMap<PathBuf, Priority>,
}

impl Queue {
    /// Queues a path, or raises a queued `Ahead` to `Now`; a repeated `Now` counts as the newest.
    /// True when the path was not queued before.
    pub(super) fn push(&mut self, path: &Path, priority: Priority) -> bool {
        match (self.queued.get(path), priority) {
            (None, Priority::Now) => self.now.push(path.to_owned()),
            (None, Priority::Ahead) => self.ahead.push_back(path.to_owned()),
            (Some(_), Priority::Ahead) => return false,
            (Some(Priority::Ahead), Priority::Now) => self.raise(path),
            (Some(Priority::Now), Priority::Now) => self.move_to_top(path),
        }
        self.queued.insert(path.to_owned(), priority).is_none()
    }

    /// The next path to decode.
    pub(super) fn pop(&mut self) -> Option<PathBuf> {
        let path = self.now.pop().or_else(|| self.ahead.pop_front())?;
        self.queued.remove(&path);
        Some(path)
    }

    pub(super) fn retain(&mut self, keep: impl Fn(&Path) -> bool) {
        self.now.retain(|path| keep(path));
        self.ahead.retain(|path| keep(path));
        self.queued.retain(|path, _| keep(path));
    }

    pub(super) fn clear(&mut self) {
        *self = Queue::default();
    }

    fn raise(&mut self, path: &Path) {
        self.ahead.retain(|queued| queued != path);
        self.now.push(path.to_owned());
    }

    fn move_to_top(&mut self, path: &Path) {
        if self.now.last().is_some_and(|top| top == path) {
            return;
        }
        self.now.retain(|queued| queued != path);
        self.now.push(path.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(queue: &mut Queue) -> Vec<String> {
        std::iter::from_fn(|| queue.pop())
            .map(|path| path.display().to_string())
            .collect()
    }

    fn push(queue: &mut Queue, name: &str, priority: Priority) -> bool {
        queue.push(Path::new(name), priority)
    }

    #[test]
    fn newest_now_first_then_ahead_in_the_order_asked() {
        let mut queue = Queue::default();
        push(&mut queue, "a1", Priority::Ahead);
        push(&mut queue, "n1", Priority::Now);
        push(&mut queue, "a2", Priority::Ahead);
        push(&mut queue, "n2", Priority::Now);
        assert_eq!(drain(&mut queue), ["n2", "n1", "a1", "a2"]);
    }

    #[test]
    fn a_queued_ahead_asked_now_is_raised_once() {
        let mut queue = Queue::default();
        assert!(push(&mut queue, "a1", Priority::Ahead));
        assert!(push(&mut queue, "a2", Priority::Ahead));
        assert!(!push(&mut queue, "a2", Priority::Now));
        assert!(!push(&mut queue, "a2", Priority::Ahead));
        assert_eq!(drain(&mut queue), ["a2", "a1"]);
    }

    #[test]
    fn a_repeated_now_becomes_the_newest() {
        let mut queue = Queue::default();
        push(&mut queue, "n1", Priority::Now);
        push(&mut queue, "n2", Priority::Now);
        assert!(!push(&mut queue, "n1", Priority::Now));
        assert_eq!(drain(&mut queue), ["n1", "n2"]);
    }

    #[test]
    fn retain_drops_the_others_from_both_lists() {
        let mut queue = Queue::default();
        for name in ["a1", "a2", "a3"] {
            push(&mut queue, name, Priority::Ahead);
        }
        push(&mut queue, "n1", Priority::Now);
        queue.retain(|path| path != Path::new("a2") && path != Path::new("n1"));
        assert_eq!(drain(&mut queue), ["a1", "a3"]);
        assert!(
            push(&mut queue, "a2", Priority::Ahead),
            "a2 still counted as queued"
        );
    }
}
