//! The project file: one SQLite database holding the vocabulary, datasets, label sources,
//! predictions, votes and decisions. Every write goes through [`Project::write`], one
//! transaction, so a failed import or merge leaves the file as it was.

mod assignments;
mod blob;
mod crowd;
mod datasets;
mod db_error;
mod decisions;
mod foreign;
mod labels;
mod large_write;
mod log_tx;
mod notes;
mod predictions;
mod reviewed_models;
mod reviews;
mod schema;
mod team;
mod votes;
mod watch;

pub use crowd::{CrowdAnswer, CrowdLog};
pub use datasets::{DatasetInfo, Images, stays_under_root};
pub use labels::{LabelSourceInfo, LabelSourceRecord};
pub use log_tx::LogTx;
pub use predictions::{ModelInfo, PredictionWriter};
pub use watch::Watcher;

pub use decisions::replaced_slice_note;
use decisions::save_slice;
pub use reviews::ReviewedMistake;
pub use team::{OutgoingAssignment, OutgoingEvent, OutgoingNote, Received, TeamLink};
pub use votes::EventNames;

use crate::error::damaged_text;
use crate::error::{Error, Result};
use crate::vocab::{Class, ClassKind, CollapsedPairs, Vocabulary, parse_hypernym_paths};
use rusqlite::config::DbConfig;
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a write calls when it has to wait for another writer.
type OnWait = Box<dyn Fn(&Path) + Send>;

pub struct Project {
    conn: Connection,
    path: PathBuf,
    vocab: Vocabulary,
    /// Told once when a write has to wait for another writer (the CLI prints a line).
    on_wait: Option<OnWait>,
}

const PAGE_SIZE: i64 = 16 * 1024;
const SETTING_COLLAPSE: &str = "collapse_classes";
/// The largest quorum bagel stores: more panel members than any panel has.
pub const MAX_QUORUM: usize = 10_000;
const SETTING_BLIND: &str = "blind_round";
const SETTING_CHAIR: &str = "chair";
const SETTING_QUORUM: &str = "quorum";

/// bagel's mark in the SQLite header (`PRAGMA application_id`): "BAGL".
const APPLICATION_ID: i32 = 0x4241_474C;
/// How long a write waits for another bagel that is writing to the same project.
const BUSY_WAIT: Duration = Duration::from_secs(5);

impl Project {
    /// Creates a new project file with the given vocabulary; refuses to overwrite a file. The
    /// file is built under a temporary name in the same folder and renamed when complete, so a
    /// full disk or a crash leaves no half-made project in the way of a retry.
    pub fn create(path: &Path, vocab: &Vocabulary) -> Result<Self> {
        if path.exists() {
            return Err(Error::Usage(format!(
                "{} already exists; open it, or choose another file name",
                path.display()
            )));
        }
        let temp = crate::durable::temp_beside(path)?;
        let fresh = |e| file_error(path, e);
        let mut conn = Connection::open(temp.path()).map_err(fresh)?;
        // Pages of 16 KiB rather than 4: a model's predictions (500 KB for 50,000 images ×
        // top-5) span a quarter as many overflow pages, which made reading them for the
        // metrics about a tenth faster and writing them a sixth; a vote still touches a
        // handful of pages. Set before the first write, which fixes it for the file's life.
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(fresh)?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(fresh)?;
        schema::migrate(&mut conn).map_err(fresh)?;
        insert_classes(&mut conn, vocab).map_err(fresh)?;
        conn.close().map_err(|(_, e)| fresh(e))?;
        crate::durable::persist(temp, path, false)?;
        Self::open(path)
    }

    /// Opens a project to read and write it.
    pub fn open(path: &Path) -> Result<Self> {
        identify(path)?;
        let read_only = std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
        if read_only {
            return Err(Error::ProjectFile {
                path: path.to_path_buf(),
                problem: "read-only, so bagel cannot write to it; make it writable, or use commands that only read it (info, metrics, export)".into(),
            });
        }
        let mut conn = connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        // Only now, with the file known to be a bagel project, is anything changed in it.
        // FULL makes a committed vote survive a power cut, not only a crash of bagel. A page
        // cache of up to 64 MB (SQLite's default is 2 MB) keeps a large merge's pages (a first
        // sync's 100,000 events and their indexes) in memory until its commit, rather than
        // spilling them to the WAL and reading them back.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;",
        )
        .map_err(|e| file_error(path, e))?;
        schema::migrate(&mut conn).map_err(|e| file_error(path, e))?;
        mark_as_bagel(&conn).map_err(|e| file_error(path, e))?;
        Self::with_connection(conn, path)
    }

    /// Opens a project only to read it: works on a read-only file and changes nothing.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        identify(path)?;
        let conn = connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let version = schema::version(&conn).map_err(|e| file_error(path, e))?;
        if version < schema::CURRENT_VERSION {
            return Err(Error::ProjectFile {
                path: path.to_path_buf(),
                problem: "written by an older bagel; open it once with write access (e.g. `bagel config`) to bring it up to date".into(),
            });
        }
        Self::with_connection(conn, path)
    }

    fn with_connection(conn: Connection, path: &Path) -> Result<Self> {
        let vocab = load_vocabulary(&conn, path).map_err(|e| e.in_project(path))?;
        Ok(Project {
            conn,
            path: path.to_path_buf(),
            vocab,
            on_wait: None,
        })
    }

    /// What to do when a write has to wait for another writer: the CLI prints
    /// "waiting for another bagel writing to P".
    pub fn on_wait(&mut self, notice: impl Fn(&Path) + Send + 'static) {
        self.on_wait = Some(Box::new(notice));
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Another read-only connection to the same file, for a worker thread (a connection
    /// serves one thread at a time).
    pub fn reader(&self) -> Result<Project> {
        Ok(Project {
            conn: connect(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
            path: self.path.clone(),
            vocab: self.vocab.clone(),
            on_wait: None,
        })
    }

    pub fn vocab(&self) -> &Vocabulary {
        &self.vocab
    }

    /// Runs `work` in one transaction: committed when it returns Ok, rolled back otherwise.
    /// The transaction takes the write lock at once, waiting up to [`BUSY_WAIT`] for another
    /// writer (a deferred one would fail at its first write without waiting).
    pub fn write<T>(&mut self, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        self.wait_for_other_writers()?;
        let path = self.path.clone();
        let in_file = |e: rusqlite::Error| file_error(&path, e);
        let tx = (self.conn)
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(in_file)?;
        let value = work(&tx).map_err(|e| match e {
            Error::Db(e) => Error::Db(e).in_project(&path),
            other => other,
        })?;
        tx.commit().map_err(in_file)?;
        Ok(value)
    }

    /// Tries the write lock without waiting, so the user hears why nothing happens before the
    /// real attempt waits.
    fn wait_for_other_writers(&mut self) -> Result<()> {
        let Some(notice) = &self.on_wait else {
            return Ok(());
        };
        self.conn.busy_timeout(Duration::ZERO)?;
        let probe = self.conn.execute_batch("BEGIN IMMEDIATE; COMMIT;");
        self.conn.busy_timeout(BUSY_WAIT)?;
        if probe
            .as_ref()
            .err()
            .and_then(rusqlite::Error::sqlite_error_code)
            == Some(ErrorCode::DatabaseBusy)
        {
            notice(&self.path);
        }
        Ok(())
    }

    /// SQLite's count of commits made to the file by other connections: when it changes,
    /// someone else (a CLI import, another desk) wrote to the project. Costs no disk read.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }

    /// A project-wide setting (collapsing, the desk's queue position, ...).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
            Ok(())
        })
    }

    /// Whether the collapsed-class pairs apply wherever a prediction meets a label set.
    pub fn collapse_classes(&self) -> Result<bool> {
        self.switch(SETTING_COLLAPSE, false, "--collapse on|off")
    }

    /// An on/off setting, `default` while unset. Any other value was written outside bagel,
    /// and guessing would change what the figures count or who sees what.
    fn switch(&self, key: &str, default: bool, option: &str) -> Result<bool> {
        match self.setting(key)?.as_deref() {
            None => Ok(default),
            Some("on") => Ok(true),
            Some("off") => Ok(false),
            Some(other) => Err(self.damaged_setting(key, other, "on or off", option)),
        }
    }

    fn damaged_setting(&self, key: &str, value: &str, expected: &str, option: &str) -> Error {
        Error::Damaged {
            path: self.path().to_path_buf(),
            what: format!("the setting {key:?}"),
            problem: format!("it holds {value:?}, where bagel writes {expected}"),
            fix: format!(
                "set it again with `bagel config {} {option}`",
                self.path().display()
            ),
        }
    }

    pub fn set_collapse_classes(&mut self, enabled: bool) -> Result<()> {
        self.set_setting(SETTING_COLLAPSE, if enabled { "on" } else { "off" })
    }

    /// Whether the independent round is blind (the default): what `panel::visibility` reads.
    pub fn blind_round(&self) -> Result<bool> {
        self.switch(SETTING_BLIND, true, "--blind on|off")
    }

    pub fn set_blind_round(&mut self, enabled: bool) -> Result<()> {
        self.set_setting(SETTING_BLIND, if enabled { "on" } else { "off" })
    }

    /// The panel's chair, the one reviewer who may override its decisions and who is never
    /// blind; None while no chair is named.
    pub fn chair(&self) -> Result<Option<String>> {
        Ok(self
            .setting(SETTING_CHAIR)?
            .filter(|name| !name.trim().is_empty()))
    }

    /// Names the chair (None: no chair). A single statement, so it needs no transaction.
    pub fn set_chair(&self, name: Option<&str>) -> Result<()> {
        match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(name) => self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![SETTING_CHAIR, name],
            )?,
            None => (self.conn).execute("DELETE FROM settings WHERE key = ?1", [SETTING_CHAIR])?,
        };
        Ok(())
    }

    /// How many panel members must have voted on a pair before their votes decide it
    /// (1 by default, so a lone reviewer's vote decides).
    pub fn quorum(&self) -> Result<usize> {
        match self.setting(SETTING_QUORUM)? {
            None => Ok(1),
            Some(stored) => (stored.parse().ok())
                .filter(|&q: &usize| (1..=MAX_QUORUM).contains(&q))
                .ok_or_else(|| {
                    let expected = format!("a number of votes from 1 to {MAX_QUORUM}");
                    self.damaged_setting(SETTING_QUORUM, &stored, &expected, "--quorum N")
                }),
        }
    }

    /// Stores the quorum only; `panel::quorum::set_quorum` also re-decides every pair.
    fn put_quorum(tx: &Connection, quorum: usize) -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![SETTING_QUORUM, quorum.to_string()])?;
        Ok(())
    }

    /// The lookup metrics use to collapse classes: the identity while collapsing is off.
    pub fn collapse_map(&self) -> Result<Vec<u16>> {
        let pairs = CollapsedPairs::imagenet1k();
        let enabled = self.collapse_classes()? && self.vocab.len() == 1000;
        Ok(pairs.class_map(self.vocab.len(), enabled))
    }

    /// Stores a named image slice of a dataset, replacing one of the same name.
    pub fn save_slice(
        &mut self,
        dataset_id: i64,
        name: &str,
        images: &[u32],
        origin: &str,
    ) -> Result<Option<String>> {
        self.write(|tx| save_slice(tx, dataset_id, name, images, origin))
    }

    /// Records a decision of one kind on an (image, label) pair, replacing that kind's
    /// earlier one.
    pub fn record_decision(
        &mut self,
        dataset_id: i64,
        kind: crate::verdict::DecisionKind,
        decision: &crate::verdict::Decision,
    ) -> Result<()> {
        self.write(|tx| decisions::put_decision(tx, dataset_id, kind, decision, None))
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Stamps bagel's application id on a project made by an older bagel, so it is recognised
/// from its header from now on.
fn mark_as_bagel(conn: &Connection) -> rusqlite::Result<()> {
    let id: i32 = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    if id != APPLICATION_ID {
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    Ok(())
}

fn insert_classes(conn: &mut Connection, vocab: &Vocabulary) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO classes (idx, wnid, names, gloss, kind, hypernym_paths)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for class in vocab.classes() {
            insert.execute(params![
                class.index,
                class.wnid,
                class.names,
                class.gloss,
                class.kind.as_str(),
                class.hypernym_paths_text()
            ])?;
        }
    }
    tx.commit()
}

/// Tells whether `path` is a bagel project, reading only: another application's database (or
/// an empty file) is refused before anything is written to it. The file is looked at through
/// SQLite alone, never opened with `std::fs`: on POSIX, closing any descriptor of a file drops
/// every SQLite lock this process holds on it, and another program may then delete the WAL
/// that an open connection (the desk) is still writing its votes into.
fn identify(path: &Path) -> Result<()> {
    let not_a_project = |why: &str| Error::NotAProject {
        path: path.to_path_buf(),
        why: why.into(),
    };
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Usage(format!(
            "no project at {}; create one with `bagel new {}`",
            path.display(),
            path.display()
        )),
        _ => Error::io(path, e),
    })?;
    if metadata.is_dir() {
        return Err(not_a_project("it is a folder"));
    }
    if metadata.len() == 0 {
        return Err(not_a_project("the file is empty"));
    }
    // Until the file is known to be a project, nothing is created beside it: with no `-wal`
    // nobody has it open, so it is read as immutable (a damaged or foreign file keeps its
    // folder as it was).
    let conn = match wal_beside(path).exists() {
        true => connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
        false => {
            let conn = open_immutable(path)?;
            distrust_the_schema(&conn).map_err(|e| file_error(path, e))?;
            conn
        }
    };
    let application_id: i32 =
        match conn.pragma_query_value(None, "application_id", |row| row.get(0)) {
            Ok(id) => id,
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
                return Err(not_a_project("it is not an SQLite database"));
            }
            Err(e) => return Err(file_error(path, e)),
        };
    let marked = application_id == APPLICATION_ID;
    if !marked && application_id != 0 {
        return Err(not_a_project("it is another application's database"));
    }
    // A file bagel did not mark (the projects of older bagels) must hold bagel's tables.
    let tables: rusqlite::Result<i64> = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('settings', 'classes', 'datasets')",
        [],
        |row| row.get(0),
    );
    let version = schema::version(&conn);
    match (tables, version) {
        (Err(e), _) | (_, Err(e)) => Err(file_error(path, e)),
        (Ok(3), Ok(version)) if version > schema::CURRENT_VERSION => Err(Error::Usage(format!(
            "{} was written by a newer bagel (schema {version}, this one knows {}); update bagel",
            path.display(),
            schema::CURRENT_VERSION
        ))),
        (Ok(3), Ok(version)) if version > 0 => foreign::refuse_foreign_objects(&conn, path),
        _ if marked => Err(damaged(path, "bagel's tables are missing")),
        _ => Err(not_a_project("it has no bagel schema")),
    }
}

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let reading = flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY);
    let conn = match reading && must_not_create_beside(path) {
        true => open_immutable(path)?,
        false => Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| file_error(path, e))?,
    };
    distrust_the_schema(&conn).map_err(|e| file_error(path, e))?;
    conn.busy_timeout(BUSY_WAIT)
        // Reading through a memory map spares a system call per page of the large
        // prediction blobs.
        .and_then(|()| {
            conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA mmap_size = 1073741824;")
        })
        .map_err(|e| file_error(path, e))?;
    Ok(conn)
}

/// Whether a reader must leave the folder as it is. SQLite reads a WAL-mode file through a
/// `-shm` (and `-wal`) beside it, creating them when nobody has the file open. It cannot in a
/// folder this user may not write to; and created by someone who does not own the project,
/// they would belong to that reader, and the owner could no longer write to their own project
/// (root is exempt: SQLite gives the files it creates to the project's owner). With no `-wal`
/// beside it nobody has the file open, so it is read as immutable: no locks, nothing created.
fn must_not_create_beside(path: &Path) -> bool {
    !wal_beside(path).exists() && (!folder_is_writable(path) || !owned_by_this_user(path))
}

/// The project's write-ahead log, which exists while anyone has the project open.
fn wal_beside(path: &Path) -> std::path::PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    wal.into()
}

#[cfg(unix)]
fn folder_is_writable(path: &Path) -> bool {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    rustix::fs::access(folder, rustix::fs::Access::WRITE_OK).is_ok()
}

#[cfg(unix)]
fn owned_by_this_user(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid();
    me.is_root() || std::fs::metadata(path).is_ok_and(|m| m.uid() == me.as_raw())
}

#[cfg(not(unix))]
fn folder_is_writable(path: &Path) -> bool {
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::metadata(folder).is_ok_and(|m| !m.permissions().readonly())
}

#[cfg(not(unix))]
fn owned_by_this_user(_path: &Path) -> bool {
    true
}

fn open_immutable(path: &Path) -> Result<Connection> {
    let Some(text) = path.to_str() else {
        return Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| file_error(path, e));
    };
    // A URI's own characters in the path are escaped; the rest is taken as written.
    let escaped = text
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(format!("file:{escaped}?immutable=1"), flags)
        .map_err(|e| file_error(path, e))
}

/// A project file may come from anyone: its schema runs no function SQLite does not know to be
/// harmless, and SQL cannot write to the file's structure behind SQLite's back.
fn distrust_the_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    Ok(())
}

fn damaged(path: &Path, why: &str) -> Error {
    Error::ProjectFile {
        path: path.to_path_buf(),
        problem: damaged_text(why, Some(&path.display().to_string())),
    }
}

/// An SQLite error on the project at `path`, in words for the user.
fn file_error(path: &Path, error: rusqlite::Error) -> Error {
    Error::from(error).in_project(path)
}

fn load_vocabulary(conn: &Connection, path: &Path) -> Result<Vocabulary> {
    let mut statement = conn.prepare(
        "SELECT idx, wnid, names, gloss, kind, hypernym_paths FROM classes ORDER BY idx",
    )?;
    let classes = statement
        .query_map([], |row| {
            let kind: String = row.get(4)?;
            let paths: String = row.get(5)?;
            Ok(Class {
                index: row.get(0)?,
                wnid: row.get(1)?,
                names: row.get(2)?,
                gloss: row.get(3)?,
                kind: ClassKind::parse(&kind).unwrap_or(ClassKind::Object),
                hypernym_paths: parse_hypernym_paths(&paths),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Vocabulary::from_classes(&path.display().to_string(), classes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_project_reopens_with_its_vocabulary_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.bagel");
        let mut project = Project::create(&path, &Vocabulary::imagenet1k()).unwrap();
        assert!(!project.collapse_classes().unwrap());
        project.set_collapse_classes(true).unwrap();
        drop(project);
        let project = Project::open(&path).unwrap();
        let page_size: i64 = (project.conn())
            .pragma_query_value(None, "page_size", |row| row.get(0))
            .unwrap();
        assert_eq!(page_size, PAGE_SIZE);
        assert_eq!(project.vocab().len(), 1000);
        assert_eq!(project.vocab().class(281).unwrap().name(), "tabby");
        assert!(
            !project
                .vocab()
                .class(281)
                .unwrap()
                .hypernym_paths
                .is_empty()
        );
        assert!(project.collapse_classes().unwrap());
        assert_eq!(project.collapse_map().unwrap()[876], 435);
    }

    #[test]
    fn opening_something_else_is_refused_with_advice() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Project::open(&dir.path().join("none.bagel")).err().unwrap();
        assert!(missing.to_string().contains("bagel new"), "{missing}");
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a database at all, just some words").unwrap();
        let err = Project::open(&text).err().unwrap();
        assert!(err.to_string().contains("not a bagel project"), "{err}");
        let existing = Project::create(&text, &Vocabulary::imagenet1k())
            .err()
            .unwrap();
        assert!(
            existing.to_string().contains("already exists"),
            "{existing}"
        );
    }
}
