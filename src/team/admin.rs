//! The database owner's side: the panel's schema, roles and policies (`bagel team create`) and
//! its members' login roles (`bagel team add`).

use super::{SCHEMA_VERSION, ServerAddress, group_roles, image_list_hash, quoted};
use crate::error::{Error, Result};
use crate::store::Project;

const SERVER_SQL: &str = include_str!("server.sql");

/// What `team create` made.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedPanel {
    pub datasets: Vec<String>,
    pub chair: String,
}

/// Creates the panel's schema, group roles and policies in the database of `address`,
/// registers the project's datasets and makes `chair` a login role of the chair. One
/// transaction: a refusal leaves the database as it was (roles are kept when they existed).
pub fn create_panel(
    address: &ServerAddress,
    project: &Project,
    chair: &str,
    chair_password: &str,
) -> Result<CreatedPanel> {
    check_role_name(chair)?;
    let mut client = address.connect()?;
    let refused = |e: postgres::Error| address.refusal(&e);
    let exists: bool = (client.query_one(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'bagel')",
        &[],
    ))
    .map_err(refused)?
    .get(0);
    if exists {
        return Err(Error::Usage(format!(
            "database {:?} already holds a bagel panel; add members with `bagel team add`, or use another database",
            address.database()
        )));
    }
    let (panel, chair_group) = group_roles(address.database());
    let mut tx = client.transaction().map_err(refused)?;
    for group in [&panel, &chair_group] {
        create_role_unless_there(&mut tx, group, None).map_err(refused)?;
    }
    let sql = SERVER_SQL
        .replace("{panel}", &quoted(&panel))
        .replace("{chair_name}", &chair_group.replace('\'', "''"))
        .replace("{chair}", &quoted(&chair_group))
        .replace("{database}", &quoted(address.database()));
    tx.batch_execute(&sql).map_err(refused)?;
    tx.execute(
        "INSERT INTO bagel.meta (key, value) VALUES ('schema_version', $1), ('created_at', now()::text)",
        &[&SCHEMA_VERSION.to_string()],
    )
    .map_err(refused)?;
    let blind = if project.blind_round()? { "on" } else { "off" };
    let settings = [
        ("quorum", project.quorum()?.to_string()),
        ("blind_round", blind.to_owned()),
        ("chair", chair.to_owned()),
    ];
    for (key, value) in &settings {
        tx.execute(
            "INSERT INTO bagel.settings (key, value) VALUES ($1, $2)",
            &[key, value],
        )
        .map_err(refused)?;
    }
    let mut datasets = Vec::new();
    for dataset in project.datasets()? {
        let files = project.images(dataset.id)?.files;
        tx.execute(
            "INSERT INTO bagel.datasets (name, images, images_hash) VALUES ($1, $2, $3)",
            &[
                &dataset.name,
                &(files.len() as i32),
                &image_list_hash(&files),
            ],
        )
        .map_err(refused)?;
        datasets.push(dataset.name);
    }
    grant_member(&mut tx, chair, chair_password, &[&panel, &chair_group]).map_err(refused)?;
    tx.commit().map_err(refused)?;
    Ok(CreatedPanel {
        datasets,
        chair: chair.to_owned(),
    })
}

/// Creates (or resets the password of) a member's login role and grants it the panel's group,
/// and the chair's with `chair`.
pub fn add_member(address: &ServerAddress, name: &str, password: &str, chair: bool) -> Result<()> {
    check_role_name(name)?;
    if password.is_empty() {
        return Err(Error::Usage(format!(
            "{name:?} needs a password; type it on standard input"
        )));
    }
    let mut client = address.connect()?;
    let refused = |e: postgres::Error| address.refusal(&e);
    let (panel, chair_group) = group_roles(address.database());
    let groups: Vec<&String> = if chair {
        vec![&panel, &chair_group]
    } else {
        vec![&panel]
    };
    let mut tx = client.transaction().map_err(refused)?;
    let panel_exists: bool = (tx.query_one(
        "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
        &[&panel],
    ))
    .map_err(refused)?
    .get(0);
    if !panel_exists {
        return Err(Error::Usage(format!(
            "database {:?} holds no bagel panel yet; create it with `bagel team create`",
            address.database()
        )));
    }
    grant_member(&mut tx, name, password, &groups).map_err(refused)?;
    tx.commit().map_err(refused)
}

/// Role names are kept to letters, digits, `_`, `-` and `.`: they become the reviewer names of
/// the log, shown everywhere.
fn check_role_name(name: &str) -> Result<()> {
    let plain = (name.chars()).all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if name.is_empty() || name.len() > 63 || !plain {
        return Err(Error::Usage(format!(
            "{name:?} cannot be a reviewer's name on the server; use 1-63 letters, digits, '_', '-' or '.'"
        )));
    }
    Ok(())
}

fn grant_member(
    tx: &mut postgres::Transaction,
    name: &str,
    password: &str,
    groups: &[&String],
) -> std::result::Result<(), postgres::Error> {
    create_role_unless_there(tx, name, Some(password))?;
    for group in groups {
        tx.batch_execute(&format!("GRANT {} TO {}", quoted(group), quoted(name)))?;
    }
    Ok(())
}

/// A role, with LOGIN and a password when one is given. The password goes to the server as a
/// SCRAM verifier, never as text a server log could keep.
fn create_role_unless_there(
    tx: &mut postgres::Transaction,
    name: &str,
    password: Option<&str>,
) -> std::result::Result<(), postgres::Error> {
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&name],
        )?
        .get(0);
    let login = match password {
        Some(password) => {
            let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
            format!("LOGIN PASSWORD '{}'", verifier.replace('\'', "''"))
        }
        None => "NOLOGIN".to_owned(),
    };
    let verb = if exists { "ALTER" } else { "CREATE" };
    if exists && password.is_none() {
        return Ok(());
    }
    tx.batch_execute(&format!("{verb} ROLE {} {login}", quoted(name)))
}
