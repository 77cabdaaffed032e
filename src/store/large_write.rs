//! A transaction of tens of megabytes (67 prediction files are 33 MB), written so that the disk
//! works while bagel does. SQLite writes the transaction's pages to the WAL as its cache fills
//! and syncs the WAL at commit; the checkpoint then copies the pages into the project file and
//! syncs that. Each sync waits for every byte not yet on the disk: about 0.1 s per 33 MB here,
//! twice, with nothing else to do meanwhile. A helper thread that syncs each file while it is
//! still being written leaves those syncs little to wait for.
//!
//! Nothing SQLite relies on changes: the same transaction, the same `synchronous = FULL` syncs
//! at commit and checkpoint, the same checkpoint SQLite would run itself after the commit. A
//! sync only makes data reach the disk sooner; if the helper cannot open a file or a sync
//! fails, SQLite's own sync still decides (and reports) whether the data is safe.

use super::Project;
use crate::error::Result;
use rusqlite::Transaction;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::thread;
use std::time::Duration;

/// How much newly written data the helper waits for before a sync: each sync also asks the
/// disk to empty its cache (a few ms even when nothing is new), so it is not run for crumbs.
const SYNC_EVERY_BYTES: u64 = 4 << 20;
/// How often the helper looks at how far the writing has got (it is also woken when the
/// write moves on to the checkpoint, or is done).
const POLL: Duration = Duration::from_millis(2);
/// While the checkpoint copies pages into the project file (its size says nothing new), the
/// helper syncs the project file this often.
const CHECKPOINT_SYNC_EVERY: Duration = Duration::from_millis(10);

/// How far the write has got, which says what the helper thread syncs.
const TRANSACTION: u8 = 0;
const CHECKPOINT: u8 = 1;
const DONE: u8 = 2;

impl Project {
    /// [`Project::write`] for a transaction of tens of megabytes (see the module's comment).
    pub fn write_large<T>(&mut self, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let stage = AtomicU8::new(TRANSACTION);
        let files = Synced::open(&self.path);
        thread::scope(|scope| {
            let helper = files
                .as_ref()
                .map(|files| scope.spawn(|| files.follow(&stage)));
            let reach = |reached: u8| {
                stage.store(reached, Ordering::Release);
                if let Some(helper) = &helper {
                    helper.thread().unpark();
                }
            };
            // The checkpoint runs here rather than from the commit (SQLite's automatic one),
            // so the helper knows when it starts.
            let value = self.without_automatic_checkpoint(|project| project.write(work));
            if value.is_ok() {
                reach(CHECKPOINT);
                self.checkpoint();
            }
            reach(DONE);
            value
        })
    }

    fn without_automatic_checkpoint<T>(
        &mut self,
        work: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let limit = "wal_autocheckpoint";
        let pages: i64 = (self.conn).pragma_query_value(None, limit, |row| row.get(0))?;
        self.conn.pragma_update(None, limit, 0)?;
        let value = work(self);
        // Setting a number cannot fail; were it to, the write is done and must not be
        // reported as failed for it.
        let _ = self.conn.pragma_update(None, limit, pages);
        value
    }

    /// The checkpoint SQLite's automatic one would run after a commit that takes the WAL over
    /// its limit, as a large write does: passive, so a reader (the desk) is never waited for.
    /// Its outcome is not the write's: what it does not copy now, a later checkpoint copies.
    fn checkpoint(&self) {
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)");
    }
}

/// The project file and its WAL, opened only to be synced.
struct Synced {
    wal: File,
    project: File,
}

impl Synced {
    fn open(project: &Path) -> Option<Self> {
        let mut wal = PathBuf::from(project).into_os_string();
        wal.push("-wal");
        // Write access only because Windows syncs nothing through a read-only handle.
        let open = |path: &Path| File::options().write(true).open(path).ok();
        Some(Synced {
            wal: open(Path::new(&wal))?,
            project: open(project)?,
        })
    }

    /// Syncs the WAL each time it has grown by [`SYNC_EVERY_BYTES`] while the transaction is
    /// written, then the project file while the checkpoint runs, until the write is done.
    fn follow(&self, stage: &AtomicU8) {
        let size = |file: &File| file.metadata().map_or(0, |m| m.len());
        let mut synced = size(&self.wal);
        loop {
            match stage.load(Ordering::Acquire) {
                TRANSACTION => {
                    let written = size(&self.wal);
                    if written >= synced + SYNC_EVERY_BYTES {
                        let _ = self.wal.sync_data();
                        synced = written;
                    }
                    thread::park_timeout(POLL);
                }
                CHECKPOINT => {
                    thread::park_timeout(CHECKPOINT_SYNC_EVERY);
                    if stage.load(Ordering::Acquire) == CHECKPOINT {
                        let _ = self.project.sync_data();
                    }
                }
                _ => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::vocab::Vocabulary;

    fn big_setting(tx: &Transaction) -> Result<()> {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('big', hex(zeroblob(4000000)))",
            [],
        )?;
        Ok(())
    }

    #[test]
    fn a_large_write_reaches_the_project_file_and_a_failed_one_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.bagel");
        let mut project = Project::create(&path, &Vocabulary::imagenet1k()).unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        let failed = project.write_large(|tx| {
            big_setting(tx)?;
            Err::<(), _>(Error::Usage("refused".into()))
        });
        assert!(failed.is_err());
        assert_eq!(project.setting("big").unwrap(), None);
        project.write_large(big_setting).unwrap();
        // The checkpoint has copied the 8 MB from the WAL into the project file (all but
        // what fits in a page the file already had)...
        let after = std::fs::metadata(&path).unwrap().len();
        let page = crate::store::PAGE_SIZE as u64;
        assert!(after + page > before + 8_000_000, "{before} → {after}");
        // ...and SQLite's automatic checkpoints are on again for the writes that follow.
        let pages: i64 = (project.conn())
            .pragma_query_value(None, "wal_autocheckpoint", |row| row.get(0))
            .unwrap();
        assert_eq!(pages, 1000);
        assert_eq!(
            project.setting("big").unwrap().map(|v| v.len()),
            Some(8_000_000)
        );
    }
}
