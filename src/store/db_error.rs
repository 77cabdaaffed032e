//! SQLite's errors stay inside the store: a [`DbError`] is what [`Error::Db`] holds, and says
//! what happened to the project file in bagel's words.

use crate::error::{DatabaseError, Error, damaged_text, for_terminal};

/// An error of the project file's database, described by [`DbError::describe`].
#[derive(Debug)]
struct DbError(rusqlite::Error);

impl DatabaseError for DbError {
    fn describe(&self, file: Option<&str>) -> String {
        describe_sqlite(&self.0, file)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        Error::Db(Box::new(DbError(error)))
    }
}

/// What an SQLite error means for the project file (named `file` in advice, when known), in
/// bagel's words: SQLite's own ("database disk image is malformed") says nothing to a panel.
fn describe_sqlite(error: &rusqlite::Error, file: Option<&str>) -> String {
    use rusqlite::ErrorCode::*;
    let Some(code) = error.sqlite_error_code() else {
        return format!(
            "not readable as bagel expects ({}); it was changed outside bagel: restore a backup",
            unexpected_value(error)
        );
    };
    let detail = match error {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        _ => format!("{code:?}"),
    };
    match code {
        DatabaseBusy | DatabaseLocked => "busy: another bagel (or another program) kept writing to it while this one waited; try again when it has finished (nothing was written)".into(),
        ReadOnly => "read-only, so bagel cannot write to it; make it (and its folder) writable, or use commands that only read it (info, metrics, export)".into(),
        DiskFull => "on a full disk; free some space and try again (nothing was written)".into(),
        DatabaseCorrupt => damaged_text(
            "parts of the file do not fit together: it was cut short, overwritten or edited outside bagel",
            file,
        ),
        NotADatabase => damaged_text("its header or first page is not a database's", file),
        CannotOpen => format!("not openable ({detail}); check the path and the folder's permissions"),
        SystemIoFailure => format!("not readable or writable ({detail}); check the disk"),
        _ => format!(
            "not usable as bagel expects ({}); restore a backup if it keeps happening",
            for_terminal(&detail)
        ),
    }
}

/// A stored value bagel did not write, in words: which column, and what it holds.
fn unexpected_value(error: &rusqlite::Error) -> String {
    use rusqlite::Error::*;
    match error {
        InvalidColumnType(_, column, kind) => {
            format!("column {column:?} holds {kind} where bagel stores another type")
        }
        IntegralValueOutOfRange(_, value) => {
            format!("a stored number, {value}, is beyond any bagel stores there")
        }
        FromSqlConversionFailure(_, kind, cause) => for_terminal(&format!(
            "a stored {kind} cannot be read as bagel wrote it: {cause}"
        )),
        Utf8Error(..) => "a stored text is not UTF-8".into(),
        other => for_terminal(&format!("a value of an unexpected type or size: {other}")),
    }
}
