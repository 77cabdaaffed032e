//! A panel on several machines: the team server (PostgreSQL) keeps the panel's vote log and
//! proves who cast each event; every member keeps working on their own project file and
//! syncs with it. The server holds no predictions, labels or images: only events, which name
//! a dataset, an image and a label, and the datasets' image lists' hashes.
//!
//! - [`address`]: the server's URL, password and TLS by libpq's conventions;
//! - [`admin`]: `team create` and `team add` (the database owner's side);
//! - [`server`]: one member's connection to the panel's log;
//! - [`shared`]: the notes, assignments and settings beside the votes on the server;
//! - [`sync`]: join, send the outbox, fetch and merge through the panel's one merge path;
//! - [`listen`]: LISTEN/NOTIFY, the server's twin of `store::Watcher`.

pub mod address;
pub mod admin;
pub mod listen;
pub mod server;
pub mod shared;
pub mod sync;
mod tls;

use crate::verdict::{Assignment, Category, Note, Severity, VoteEvent};
pub use address::ServerAddress;
pub use admin::{add_member, create_panel};
pub use listen::Listener;
pub use server::ServerLog;
pub use sync::{Joined, Status, SyncReport, join, status, sync, sync_on, sync_with};

/// The version of the panel's schema on the server this bagel writes and understands.
pub const SCHEMA_VERSION: i64 = 2;

/// The id the server checks every event by (`bagel.content_id` in server.sql): the first 8
/// bytes of SHA-256 over the fields joined by U+001F, read as a signed big-endian integer.
/// PostgreSQL computes SHA-256 itself, so the server can refuse a row whose id does not hash
/// what it says, and a client can refuse such a row from a server it cannot trust.
pub fn content_id(fields: &[&str]) -> i64 {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(fields.join("\u{1f}").as_bytes());
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// A vote event's id on the server: its names, author, the author's time and its content.
pub fn vote_id(dataset: &str, file: &str, wnid: &str, authored_at: &str, event: &VoteEvent) -> i64 {
    let vote = event.vote.as_ref();
    content_id(&[
        "vote",
        dataset,
        file,
        wnid,
        &event.reviewer,
        event.round.as_str(),
        authored_at,
        vote.map_or("withdrawn", |v| v.verdict.as_str()),
        vote.and_then(|v| v.category).map_or("", Category::as_str),
        vote.and_then(|v| v.severity).map_or("", Severity::as_str),
        vote.map_or("", |v| v.note.as_str()),
    ])
}

/// A note's id on the server: as [`vote_id`], over what identifies the note.
pub fn note_id(dataset: &str, file: &str, wnid: &str, note: &Note) -> i64 {
    let reply_to = note.reply_to.map(|id| id.to_string()).unwrap_or_default();
    content_id(&[
        "note",
        dataset,
        file,
        wnid,
        &note.reviewer,
        &note.written_at,
        &note.text,
        &reply_to,
    ])
}

/// An assignment's id on the server: the pair and the reviewer, as in the project.
pub fn assignment_id(dataset: &str, file: &str, wnid: &str, assignment: &Assignment) -> i64 {
    content_id(&["assignment", dataset, file, wnid, &assignment.reviewer])
}

/// The hash a dataset is recognised by on the server: its image names in order (events name
/// images by their index, so two projects must agree on the order too).
pub fn image_list_hash(files: &[String]) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for file in files {
        hasher.update(file.as_bytes());
        hasher.update(b"\n");
    }
    format!("{:016x}", hasher.digest())
}

/// The group roles of the panel in `database`: every reviewer is a member of the first, every
/// chair of the second too. Role names are the cluster's, so they carry the database's name.
pub fn group_roles(database: &str) -> (String, String) {
    (format!("{database}_panel"), format!("{database}_chair"))
}

/// What a server error means for the person at the keyboard (`user` is the role logged in as).
pub fn explain(error: &postgres::Error, user: &str) -> String {
    use postgres::error::SqlState;
    let Some(db) = error.as_db_error() else {
        return if error.to_string().contains("password missing") {
            format!(
                "the server wants a password for {user:?} and none was given; set PGPASSWORD or a line in ~/.pgpass (host:port:database:{user}:password)"
            )
        } else if error.is_closed() {
            "the connection was lost; your votes stay in the project and are sent at the next sync"
                .into()
        } else {
            format!(
                "cannot reach the server ({}); check the URL and that the server is running (your votes stay in the project and are sent at the next sync)",
                error_text(error)
            )
        };
    };
    let code = db.code();
    if *code == SqlState::INVALID_PASSWORD {
        format!(
            "the server refused the password of {user:?}; set PGPASSWORD or a line in ~/.pgpass, or ask the chair to reset it with `bagel team add`"
        )
    } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        || *code == SqlState::INVALID_CATALOG_NAME
    {
        format!(
            "{}; check the user and database in the URL, or ask the chair to add you with `bagel team add`",
            db.message()
        )
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        format!(
            "{user:?} may not do that ({}); the panel's server enforces who may write what",
            db.message()
        )
    } else {
        format!("the server refused: {}", db.message())
    }
}

/// A driver error's own words with their cause ("error connecting to server: Connection refused").
fn error_text(error: &postgres::Error) -> String {
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

/// An identifier quoted for SQL, so any role or database name stays one name.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
