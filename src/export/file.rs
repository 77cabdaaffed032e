//! Writing an export so it appears whole or not at all (see [`crate::durable`]): a temporary
//! file beside the target, flushed to disk, renamed over it; a symlink's target is replaced and
//! the link kept, and a replaced file keeps its mode (a shared group-writable file stays so).

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

pub(crate) fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let target = crate::durable::resolve_target(out)?;
    let mut temp = crate::durable::temp_beside(&target)?;
    let mut buffered = std::io::BufWriter::new(temp.as_file_mut());
    write(&mut buffered)
        .and_then(|()| buffered.flush())
        .map_err(|e| Error::io(out, e))?;
    drop(buffered);
    if let Ok(existing) = std::fs::metadata(&target) {
        (temp.as_file().set_permissions(existing.permissions())).map_err(|e| Error::io(out, e))?;
    }
    crate::durable::persist(temp, &target, true)
}
