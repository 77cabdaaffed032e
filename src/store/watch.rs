//! Noticing that someone else wrote to a project (a CLI import, another desk on a shared
//! file): SQLite's `PRAGMA data_version` on a connection of our own changes whenever another
//! connection commits, and asking costs no disk read.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A thread that calls `changed` after each commit made to the file by any other connection,
/// checking every `interval`; it ends when dropped.
pub struct Watcher {
    stop: Arc<AtomicBool>,
}

impl Watcher {
    pub fn spawn(path: &Path, interval: Duration, changed: impl Fn() + Send + 'static) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let path = path.to_path_buf();
        std::thread::spawn(move || {
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            // Without a connection there is nothing to watch; the desk works on regardless.
            let Ok(conn) = Connection::open_with_flags(&path, flags) else {
                return;
            };
            let version = |conn: &Connection| {
                conn.query_row("PRAGMA data_version", [], |row| row.get::<_, i64>(0))
                    .ok()
            };
            let mut last = version(&conn);
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(interval);
                let now = version(&conn);
                if now != last {
                    last = now;
                    changed();
                }
            }
        });
        Watcher { stop }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_commit_elsewhere_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite");
        let writer = Connection::open(&path).unwrap();
        writer.execute("CREATE TABLE t (x)", []).unwrap();
        let (send, noticed) = mpsc::channel();
        let _watcher = Watcher::spawn(&path, Duration::from_millis(5), move || {
            let _ = send.send(());
        });
        // Commit until noticed: the first commit may come before the watcher's first reading.
        let seen = (0..50).any(|_| {
            writer.execute("INSERT INTO t VALUES (1)", []).unwrap();
            noticed.recv_timeout(Duration::from_millis(200)).is_ok()
        });
        assert!(seen, "no commit noticed");
    }
}
