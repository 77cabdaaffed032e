//! New events on the server, without polling: a thread holds a connection that LISTENs on the
//! panel's channel and calls back on every notification. The server's twin of
//! `store::Watcher`. When the connection drops (the server restarts, the network goes), it
//! connects again and calls back once, since events may have arrived meanwhile.

use super::ServerAddress;
use postgres::fallible_iterator::FallibleIterator as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often the thread looks whether it should stop, and how long it waits before
/// connecting again after losing the server.
const TICK: Duration = Duration::from_millis(250);
const RETRY: Duration = Duration::from_secs(1);

/// What the listener tells its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// Connected (again): events may have arrived meanwhile.
    Connected,
    /// The server announced new events.
    NewEvents,
    /// The server cannot be reached; the listener keeps trying.
    Lost,
}

/// Listens while it lives; dropping it stops the thread at its next tick.
pub struct Listener {
    stop: Arc<AtomicBool>,
}

impl Listener {
    pub fn spawn(address: ServerAddress, heard: impl Fn(Heard) + Send + 'static) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("bagel-team-listen".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    listen_once(&address, &stopped, &heard);
                    if !stopped.load(Ordering::Relaxed) {
                        heard(Heard::Lost);
                        std::thread::sleep(RETRY);
                    }
                }
            })
            .expect("the system refused a thread for the team listener");
        Listener { stop }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One connection's life: returns when it fails or the listener is stopped.
fn listen_once(address: &ServerAddress, stop: &AtomicBool, heard: &impl Fn(Heard)) {
    let Ok(mut client) = address.connect() else {
        return;
    };
    if client.batch_execute("LISTEN bagel_events").is_err() {
        return;
    }
    heard(Heard::Connected);
    while !stop.load(Ordering::Relaxed) {
        match announced(&mut client) {
            Some(true) => heard(Heard::NewEvents),
            Some(false) if !client.is_closed() => {}
            _ => return,
        }
    }
}

/// Whether the server announced new events within a tick; None when the connection failed.
/// A burst of announcements is one answer: those already arrived are drained without waiting.
fn announced(client: &mut postgres::Client) -> Option<bool> {
    let mut notifications = client.notifications();
    if notifications.timeout_iter(TICK).next().ok()?.is_none() {
        return Some(false);
    }
    while notifications.iter().next().ok()?.is_some() {}
    Some(true)
}
