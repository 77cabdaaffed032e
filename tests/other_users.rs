//! A project in a folder several accounts share: whoever only reads it must leave nothing
//! behind. SQLite creates `-wal` and `-shm` files beside a WAL-mode project when nobody has it
//! open; created by a reader, they belonged to the reader, and the owner could no longer write
//! to their own project.

mod common;

use common::{Fixture, bagel_ok};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const OWNER: u32 = 40_001;
const READER: u32 = 40_002;

/// Whether this test can run bagel as other users (root, through util-linux's `setpriv`).
/// Outside CI it says SKIPPED on the terminal when it cannot; in CI it must.
fn can_switch_users(test: &str) -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    if root && setpriv {
        return true;
    }
    let why = if root {
        "setpriv is missing"
    } else {
        "not root"
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test} must run in CI, but {why}"
    );
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: cannot run bagel as other users here ({why})"
    );
    false
}

/// A copy of bagel everyone may run: the build folder may sit in a private one.
fn bagel_for_everyone(folder: &Path) -> PathBuf {
    let bin = folder.join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let copy = bin.join("bagel");
    std::fs::copy(env!("CARGO_BIN_EXE_bagel"), &copy).unwrap();
    copy
}

fn run_as(uid: u32, bagel: &Path, args: &[&str]) -> Output {
    let id = uid.to_string();
    Command::new("setpriv")
        .args(["--reuid", &id, "--regid", &id, "--clear-groups"])
        .arg(bagel)
        .args(args)
        .env("HOME", "/nonexistent")
        .output()
        .unwrap()
}

fn assert_ran(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_reader_who_does_not_own_the_project_leaves_its_owner_able_to_write() {
    if !can_switch_users("a_reader_who_does_not_own_the_project_leaves_its_owner_able_to_write") {
        return;
    }
    let fixture = Fixture::new();
    let project = fixture.imported_project();
    let p = project.to_str().unwrap();
    let image = common::file_name(0);
    bagel_ok(&[
        "note",
        p,
        "--dataset",
        "val",
        "--image",
        &image,
        "--label",
        "282",
        "--reviewer",
        "ana",
        "--text",
        "tiger cat, or tabby?",
    ]);
    let folder = fixture.dir.path();
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::os::unix::fs::chown(&project, Some(OWNER), Some(OWNER)).unwrap();
    let bagel = bagel_for_everyone(folder);

    for args in [
        vec!["info", p],
        vec!["metrics", p, "--dataset", "val"],
        vec!["agreement", p, "--dataset", "val"],
        vec!["discussion", p, "--dataset", "val"],
        vec!["export", "votes", p, "--dataset", "val", "-"],
    ] {
        assert_ran(
            &run_as(READER, &bagel, &args),
            &format!("{args:?} as a reader"),
        );
    }
    let left_by_reader: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.metadata().unwrap().uid() == READER)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left_by_reader.is_empty(),
        "the reader left {left_by_reader:?} beside the project"
    );

    let config = run_as(OWNER, &bagel, &["config", p, "--quorum", "2"]);
    assert_ran(&config, "the owner's config after the reader");
    let info = assert_ran(&run_as(OWNER, &bagel, &["info", p]), "the owner's info");
    assert!(
        info.contains("quorum 2"),
        "the owner's setting is not stored: {info}"
    );
}
