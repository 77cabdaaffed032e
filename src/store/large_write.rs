//! A transaction of tens of megabytes (67 prediction files are 33 MB). SQLite writes the
//! transaction's pages to the WAL as its cache fills and syncs the WAL at commit; the
//! checkpoint then copies the pages into the project file and syncs that.
//!
//! bagel once had a helper thread sync the WAL and the project file while they were written,
//! through descriptors of its own. It is gone: on POSIX, closing any descriptor of a file drops
//! every lock the process holds on it, SQLite's included, and another program could then
//! delete the WAL under the desk's open connection, taking every later vote with it. Only
//! SQLite opens the project and its WAL.

use super::Project;
use crate::error::Result;
use rusqlite::Transaction;

impl Project {
    /// [`Project::write`] for a transaction of tens of megabytes, followed by the checkpoint.
    pub fn write_large<T>(&mut self, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let value = self.without_automatic_checkpoint(|project| project.write(work))?;
        self.checkpoint();
        Ok(value)
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
