//! Files that appear whole or not at all: written under a unique temporary name in the target's
//! folder, flushed to the disk, renamed over the target, and the folder flushed so the rename
//! survives a power cut. Used for new projects and exported label sets.
//! Exports also go to standard output when named `-` ([`write_atomically`]); a symlink's
//! target is replaced and the link kept, and a replaced file keeps its mode (a shared
//! group-writable file stays so).

use crate::error::{Error, Result};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder a file lives in ("." for a bare file name).
pub fn parent_folder(path: &Path) -> &Path {
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    }
}

/// An empty temporary file beside `target`, named after it, with the mode a new file gets
/// (0666 less the umask) rather than a temporary file's 0600. Deleted unless persisted.
pub fn temp_beside(target: &Path) -> Result<tempfile::NamedTempFile> {
    let prefix = format!(
        ".{}.",
        target.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder
        .tempfile_in(parent_folder(target))
        .map_err(|e| Error::io(target, e))
}

/// Flushes `temp` and renames it to `target`; `replace` says whether an existing file may be
/// replaced (an export) or not (a new project).
pub fn persist(temp: tempfile::NamedTempFile, target: &Path, replace: bool) -> Result<()> {
    temp.as_file()
        .sync_all()
        .map_err(|e| Error::io(target, e))?;
    let persisted = if replace {
        temp.persist(target).map(drop)
    } else {
        temp.persist_noclobber(target).map(drop)
    };
    persisted.map_err(|e| match e.error.kind() {
        std::io::ErrorKind::AlreadyExists => Error::Usage(format!(
            "{} already exists; open it, or choose another file name",
            target.display()
        )),
        _ => Error::io(target, e.error),
    })?;
    let folder = parent_folder(target);
    File::open(folder)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(folder, e))
}

/// Where writing to `out` should land: a symlink's target (the link stays a link), never a
/// folder.
pub fn resolve_target(out: &Path) -> Result<PathBuf> {
    let target = if out.is_symlink() {
        std::fs::canonicalize(out).map_err(|e| Error::io(out, e))?
    } else {
        out.to_path_buf()
    };
    if target.is_dir() {
        return Err(Error::Usage(format!(
            "{} is a folder; give a file name to write, e.g. {}",
            out.display(),
            out.join("labels.csv").display()
        )));
    }
    Ok(target)
}

/// Whether an export target names standard output: `-`, or `/dev/stdout`, which would
/// otherwise be resolved to whatever standard output is (a pipe, a terminal) and refused.
pub fn is_standard_output(out: &Path) -> bool {
    out == Path::new("-") || out == Path::new("/dev/stdout")
}

/// Writes an export to `out`: standard output for `-`, else a regular file replaced whole.
/// Anything else already at `out` (a device such as /dev/full, a named pipe, a socket) is
/// refused rather than replaced by a regular file.
pub(crate) fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if is_standard_output(out) {
        let mut stdout = std::io::stdout().lock();
        return (write(&mut stdout).and_then(|()| stdout.flush()))
            .map_err(|e| Error::io("standard output", e));
    }
    let target = resolve_target(out)?;
    let existing = std::fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        return Err(Error::Usage(format!(
            "{} exists and is not a regular file (a device, a pipe or a socket); bagel replaces only regular files: choose another name, or - for standard output",
            out.display()
        )));
    }
    let mut temp = temp_beside(&target)?;
    let mut buffered = std::io::BufWriter::new(temp.as_file_mut());
    write(&mut buffered)
        .and_then(|()| buffered.flush())
        .map_err(|e| Error::io(out, e))?;
    drop(buffered);
    if let Some(existing) = existing {
        (temp.as_file().set_permissions(existing.permissions())).map_err(|e| Error::io(out, e))?;
    }
    persist(temp, &target, true)
}
