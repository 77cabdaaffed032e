//! The core's one error type. Every message is meant for the person at the keyboard: it names
//! the file and the record, says what was expected and what to do about it.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file handed to an importer is not what it should be.
    #[error("{file}: {problem}")]
    BadInput { file: String, problem: String },
    /// A request that cannot be carried out as asked (unknown dataset, name taken, ...).
    #[error("{0}")]
    Usage(String),
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a bagel project ({why}); create one with `bagel new`")]
    NotAProject { path: PathBuf, why: String },
    /// A record bagel could not have written: the file was changed outside bagel, or the disk
    /// damaged it.
    #[error("{path} is damaged: {what}: {problem}; {fix}")]
    Damaged {
        path: PathBuf,
        what: String,
        problem: String,
        fix: String,
    },
    #[error("project database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("cancelled; nothing was written")]
    Cancelled,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn bad_input(file: impl AsRef<Path>, problem: impl Into<String>) -> Self {
        Error::BadInput {
            file: file.as_ref().display().to_string(),
            problem: problem.into(),
        }
    }

    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }
}
