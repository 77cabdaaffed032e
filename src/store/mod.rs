//! The project file: one SQLite database holding the vocabulary, datasets, label sources,
//! predictions, votes and decisions. Every write goes through [`Project::write`], one
//! transaction, so a failed import or merge leaves the file as it was.

mod blob;
mod datasets;
mod decisions;
mod labels;
mod predictions;
mod schema;
mod votes;
mod watch;

pub use datasets::{DatasetInfo, Images};
pub use labels::LabelSourceInfo;
pub use predictions::ModelInfo;
pub use watch::Watcher;

pub(crate) use datasets::{dataset_exists, insert_dataset};
pub(crate) use decisions::save_slice;
pub(crate) use labels::insert_label_source;
pub(crate) use predictions::insert_predictions;

use crate::error::{Error, Result};
use crate::vocab::{Class, ClassKind, CollapsedPairs, Vocabulary, parse_hypernym_paths};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::{Path, PathBuf};

pub struct Project {
    conn: Connection,
    path: PathBuf,
    vocab: Vocabulary,
}

const SETTING_COLLAPSE: &str = "collapse_classes";

impl Project {
    /// Creates a new project file with the given vocabulary; refuses to overwrite a file.
    pub fn create(path: &Path, vocab: &Vocabulary) -> Result<Self> {
        if path.exists() {
            return Err(Error::Usage(format!(
                "{} already exists; open it, or choose another file name",
                path.display()
            )));
        }
        let mut conn = connect(path)?;
        schema::migrate(&mut conn)?;
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
        tx.commit()?;
        Ok(Project {
            conn,
            path: path.to_path_buf(),
            vocab: vocab.clone(),
        })
    }

    pub fn open(path: &Path) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "no project at {}; create one with `bagel new {}`",
                path.display(),
                path.display()
            )));
        }
        let mut conn = connect(path)?;
        let not_a_project = |why: String| Error::NotAProject {
            path: path.to_path_buf(),
            why,
        };
        let version = schema::version(&conn).map_err(|e| not_a_project(e.to_string()))?;
        if version == 0 {
            return Err(not_a_project("it has no bagel schema".into()));
        }
        if version > schema::CURRENT_VERSION {
            return Err(Error::Usage(format!(
                "{} was written by a newer bagel (schema {version}, this one knows {}); update bagel",
                path.display(),
                schema::CURRENT_VERSION
            )));
        }
        schema::migrate(&mut conn)?;
        let vocab = load_vocabulary(&conn, path)?;
        Ok(Project {
            conn,
            path: path.to_path_buf(),
            vocab,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn vocab(&self) -> &Vocabulary {
        &self.vocab
    }

    /// Runs `work` in one transaction: committed when it returns Ok, rolled back otherwise.
    pub fn write<T>(&mut self, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction()?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// The names of everyone who has voted in the project, sorted.
    pub fn reviewers(&self) -> Result<Vec<String>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT name FROM reviewers ORDER BY name")?;
        let names = statement.query_map([], |row| row.get(0))?;
        Ok(names.collect::<rusqlite::Result<_>>()?)
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
        Ok(self.setting(SETTING_COLLAPSE)?.as_deref() == Some("on"))
    }

    pub fn set_collapse_classes(&mut self, enabled: bool) -> Result<()> {
        self.set_setting(SETTING_COLLAPSE, if enabled { "on" } else { "off" })
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
    ) -> Result<()> {
        self.write(|tx| save_slice(tx, dataset_id, name, images, origin))
    }

    /// Records the decision on an (image, label) pair, replacing an earlier one.
    pub fn record_decision(
        &mut self,
        dataset_id: i64,
        decision: &crate::panel::Decision,
    ) -> Result<()> {
        self.write(|tx| decisions::upsert_decision(tx, dataset_id, decision))
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(|e| Error::NotAProject {
        path: path.to_path_buf(),
        why: e.to_string(),
    })?;
    // FULL makes a committed vote survive a power cut, not only a crash of bagel.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )
    .map_err(|e| Error::NotAProject {
        path: path.to_path_buf(),
        why: e.to_string(),
    })?;
    Ok(conn)
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
