//! A project file from someone else is data, not code: its schema must hold exactly the
//! objects bagel's migrations create (a trigger, a view or a redefined table of the sender's
//! would run or answer in place of bagel's). What bagel creates is found by running the
//! migrations on an empty database in memory, so a new migration needs nothing here.

use super::schema;
use crate::error::{Error, Result};
use rusqlite::Connection;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

/// One schema object as `sqlite_master` lists it: type, name and its SQL, blanks squeezed.
type Object = (String, String, String);

/// Refuses a file whose schema holds an object bagel's migrations do not create at the file's
/// version, naming every such object.
pub(super) fn refuse_foreign_objects(conn: &Connection, path: &Path) -> Result<()> {
    let version = schema::version(conn).map_err(|e| super::file_error(path, e))?;
    let expected = usize::try_from(version)
        .ok()
        .and_then(|v| expected_objects().get(v))
        .ok_or_else(|| super::damaged(path, &format!("schema version {version} is unknown")))?;
    let found = objects(conn).map_err(|e| super::file_error(path, e))?;
    let foreign: Vec<String> = (found.difference(expected))
        .map(|(kind, name, _)| format!("{kind} {name:?}"))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    Err(Error::ProjectFile {
        path: path.to_path_buf(),
        problem: format!(
            "not opened: its schema holds objects bagel did not create ({}), which could run code or change what bagel reads; ask its sender for a clean copy (`bagel export votes` on their side, `bagel import votes` on yours)",
            crate::error::for_terminal(&foreign.join(", "))
        ),
    })
}

/// The objects of each schema version, index = version (0 = empty).
fn expected_objects() -> &'static [BTreeSet<Object>] {
    static EXPECTED: OnceLock<Vec<BTreeSet<Object>>> = OnceLock::new();
    EXPECTED.get_or_init(|| {
        let mut conn = Connection::open_in_memory().expect("an in-memory database opens");
        let mut versions = vec![BTreeSet::new()];
        for version in 1..=schema::CURRENT_VERSION {
            let step = usize::try_from(version).expect("versions are small");
            schema::migrate_to(&mut conn, step).expect("bagel's migrations run on an empty file");
            versions.push(objects(&conn).expect("an in-memory schema reads"));
        }
        versions
    })
}

fn objects(conn: &Connection) -> rusqlite::Result<BTreeSet<Object>> {
    // SQLite's own objects (autoindexes, statistics) are named sqlite_ and nobody else may
    // create one.
    let mut statement = conn.prepare(
        "SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )?;
    let rows = statement.query_map([], |row| {
        let sql: String = row.get(2)?;
        Ok((
            row.get(0)?,
            row.get(1)?,
            sql.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Project;
    use crate::vocab::Vocabulary;

    fn refusal_after(sql: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.bagel");
        drop(Project::create(&path, &Vocabulary::imagenet1k()).unwrap());
        Connection::open(&path).unwrap().execute_batch(sql).unwrap();
        let write = Project::open(&path)
            .err()
            .expect("opened for writing")
            .to_string();
        let read = Project::open_read_only(&path)
            .err()
            .expect("opened to read")
            .to_string();
        assert_eq!(write, read);
        write
    }

    #[test]
    fn a_fresh_project_holds_only_bagels_objects() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.bagel");
        drop(Project::create(&path, &Vocabulary::imagenet1k()).unwrap());
        assert!(Project::open(&path).is_ok());
        assert!(Project::open_read_only(&path).is_ok());
    }

    #[test]
    fn a_trigger_a_view_and_a_redefined_table_are_refused_by_name() {
        let trigger = refusal_after(
            "CREATE TRIGGER rewrite AFTER INSERT ON vote_events BEGIN
                 UPDATE vote_events SET reviewer = 'mallory' WHERE id = new.id; END;",
        );
        assert!(trigger.contains("trigger \"rewrite\""), "{trigger}");
        assert!(trigger.contains("p.bagel"), "{trigger}");
        let view = refusal_after(
            "ALTER TABLE models RENAME TO models_gone;
             CREATE VIEW models AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
             SELECT i AS id, '' AS name FROM n;",
        );
        assert!(view.contains("view \"models\""), "{view}");
        let index = refusal_after("CREATE INDEX sneaky ON settings (value);");
        assert!(index.contains("index \"sneaky\""), "{index}");
    }
}
