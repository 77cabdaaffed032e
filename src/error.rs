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
    /// The system's words name the trouble (no such file, permission denied, disk full). Not
    /// a `source`: a chain of causes would print them twice.
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
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
    /// The project file cannot be used as asked: busy, read-only, damaged, disk full.
    #[error("{path} is {problem}")]
    ProjectFile { path: PathBuf, problem: String },
    /// SQLite's own words stay out of the message (no "Error code 5"): it says what happened
    /// and what to do. Not a `source`, so no chain of causes repeats the raw text.
    #[error("the project file is {}", .0.describe(None))]
    Db(Box<dyn DatabaseError>),
    #[error("cancelled; nothing was written")]
    Cancelled,
    /// The team server could not be reached or refused a request; `problem` says what to do.
    /// `server` is its URL without the password.
    #[error("team server {server}: {problem}")]
    Server { server: String, problem: String },
}

pub type Result<T> = std::result::Result<T, Error>;

/// The words for a damaged project file, with what to do about it.
pub fn damaged_text(why: &str, file: Option<&str>) -> String {
    let check = file.map_or(String::new(), |file| {
        format!("; `sqlite3 {file} 'PRAGMA integrity_check'` lists what is damaged")
    });
    format!("damaged ({why}); restore a backup of it{check}")
}

impl Error {
    pub fn bad_input(file: impl AsRef<Path>, problem: impl Into<String>) -> Self {
        Error::BadInput {
            file: file.as_ref().display().to_string(),
            problem: problem.into(),
        }
    }

    /// An SQLite error named with the project file it happened in.
    pub fn in_project(self, path: &Path) -> Self {
        match self {
            Error::Db(error) => Error::ProjectFile {
                path: path.to_path_buf(),
                problem: error.describe(Some(&path.display().to_string())),
            },
            other => other,
        }
    }

    pub fn io(path: impl AsRef<Path>, cause: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            cause,
        }
    }
}

/// `text` with its control characters (ANSI escapes, NUL, carriage returns, bidi controls)
/// written as `\u{..}`; line breaks and tabs stay, as tables and messages use them.
pub fn escape_controls(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        let reorders = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\n' && c != '\t') || reorders {
            escaped.extend(c.escape_unicode());
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// An error of the project file's database as the store describes it: the store implements
/// this, so SQLite's types stay inside it and this layer needs nothing from above.
pub trait DatabaseError: std::fmt::Debug + Send + Sync {
    /// What the error means for the project file (named `file` in advice, when known).
    fn describe(&self, file: Option<&str>) -> String;
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
    let escaped = escape_controls(text);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_for_the_terminal_are_escaped_and_capped() {
        assert_eq!(
            for_terminal("a\u{1b}[31mred\0\nnext"),
            "a\\u{1b}[31mred\\u{0}\nnext"
        );
        let long = format!(
            "file.csv: line 2: label \"{}\"; correct the label",
            "x".repeat(10_000)
        );
        let shown = for_terminal(&long);
        let left_out = long.len() - MESSAGE_HEAD - MESSAGE_TAIL;
        let middle = format!(" … ({left_out} characters left out) … ");
        assert_eq!(
            shown.chars().count(),
            MESSAGE_HEAD + MESSAGE_TAIL + middle.chars().count()
        );
        assert!(shown.starts_with("file.csv: line 2: label \"xxx"));
        assert!(shown.ends_with("xxx\"; correct the label"));
        assert!(shown.contains(&middle));
    }
}
