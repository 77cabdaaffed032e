//! Writing an export so it appears whole or not at all (see [`crate::durable`]): a temporary
//! file beside the target, flushed to disk, renamed over it; a symlink's target is replaced and
//! the link kept, and a replaced file keeps its mode (a shared group-writable file stays so).

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Whether an export target names standard output (`-`).
pub fn is_standard_output(out: &Path) -> bool {
    out == Path::new("-")
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
    let target = crate::durable::resolve_target(out)?;
    let existing = std::fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        return Err(Error::Usage(format!(
            "{} exists and is not a regular file (a device, a pipe or a socket); bagel replaces only regular files: choose another name, or - for standard output",
            out.display()
        )));
    }
    let mut temp = crate::durable::temp_beside(&target)?;
    let mut buffered = std::io::BufWriter::new(temp.as_file_mut());
    write(&mut buffered)
        .and_then(|()| buffered.flush())
        .map_err(|e| Error::io(out, e))?;
    drop(buffered);
    if let Some(existing) = existing {
        (temp.as_file().set_permissions(existing.permissions())).map_err(|e| Error::io(out, e))?;
    }
    crate::durable::persist(temp, &target, true)
}
