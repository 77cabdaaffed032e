//! Writing an export so it appears whole or not at all: a uniquely named temporary file in the
//! target's folder, flushed to disk, then renamed over the target.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

pub(crate) fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let folder = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if out.is_dir() {
        return Err(Error::Usage(format!(
            "{} is a folder; give a file name to write to",
            out.display()
        )));
    }
    let mut temp = tempfile::NamedTempFile::new_in(folder).map_err(|e| Error::io(folder, e))?;
    let mut buffered = std::io::BufWriter::new(temp.as_file_mut());
    write(&mut buffered)
        .and_then(|()| buffered.flush())
        .map_err(|e| Error::io(out, e))?;
    drop(buffered);
    temp.as_file().sync_all().map_err(|e| Error::io(out, e))?;
    temp.persist(out).map_err(|e| Error::io(out, e.error))?;
    Ok(())
}
