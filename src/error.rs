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

/// Longest message printed whole; a longer one keeps its head (the file and the record) and its
/// tail (what to do) around an ellipsis, so a 10 MB CSV field is not poured onto the screen.
const MESSAGE_LIMIT: usize = 1200;
const MESSAGE_HEAD: usize = 800;
const MESSAGE_TAIL: usize = 300;

/// A message as it may reach a terminal: control characters (ANSI escapes, NUL, carriage
/// returns) escaped as `\u{..}` so a file name cannot move the cursor or recolour the screen,
/// and capped at [`MESSAGE_LIMIT`] characters. Line breaks stay: messages may be several lines.
pub fn for_terminal(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '\n' => vec![c],
            c if c.is_control() => c.escape_unicode().collect(),
            c => vec![c],
        })
        .collect();
    let length = escaped.chars().count();
    if length <= MESSAGE_LIMIT {
        return escaped;
    }
    let head: String = escaped.chars().take(MESSAGE_HEAD).collect();
    let tail: String = escaped.chars().skip(length - MESSAGE_TAIL).collect();
    format!(
        "{head} … ({} characters left out) … {tail}",
        length - MESSAGE_HEAD - MESSAGE_TAIL
    )
}
