//! Everything the CLI prints goes through here, so a closed pipe and a full disk are handled in
//! one place: `bagel classes | head -1` ends quietly with status 0, as ripgrep does, and any
//! other failed write is an error with a message instead of a panic.

use anyhow::Result;
use std::fmt::Display;
use std::io::Write;

/// Standard output was closed by the reader (a pipe into `head`): nothing is wrong, stop.
#[derive(Debug)]
pub struct OutputClosed;

impl Display for OutputClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for OutputClosed {}

/// Writes `text` to standard output, and flushes so a full disk is seen now. Names in it
/// (models, slices, notes, reviewers) come from files anyone may send: their control
/// characters are escaped, so an ESC sequence in a model's name cannot drive the terminal.
pub fn print(text: impl Display) -> Result<()> {
    let text = crate::error::escape_controls(&text.to_string());
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => anyhow::Error::new(OutputClosed),
            _ => anyhow::anyhow!("cannot write the output: {e}"),
        })
}

/// `text` and a line break on standard output.
pub fn line(text: impl Display) -> Result<()> {
    print(format_args!("{text}\n"))
}

/// What an export says it wrote: on standard output, unless the export itself went there
/// (`-`), where the line would mix with the data; then on standard error.
pub fn written(out: &std::path::Path, text: impl Display) -> Result<()> {
    if crate::export::is_standard_output(out) {
        let text = crate::error::for_terminal(&text.to_string());
        let _ = writeln!(std::io::stderr().lock(), "{text}");
        return Ok(());
    }
    line(text)
}

/// A warning or an error on standard error, with names made safe for the terminal. A failure
/// to write there cannot be reported anywhere, so it is ignored.
pub fn to_stderr(kind: &str, text: impl Display) {
    let text = crate::error::for_terminal(&text.to_string());
    let _ = writeln!(std::io::stderr().lock(), "{kind}: {text}");
}

/// Said while a write waits for another bagel to finish writing the same project.
pub fn waiting_for_writer(project: &std::path::Path) {
    let text = crate::error::for_terminal(&project.display().to_string());
    let _ = writeln!(
        std::io::stderr().lock(),
        "waiting for another bagel writing to {text}"
    );
}

/// The command's outcome with a closed output taken as success.
pub fn closed_output_is_success(outcome: Result<()>) -> Result<()> {
    match outcome {
        Err(error) if error.is::<OutputClosed>() => Ok(()),
        other => other,
    }
}

/// How `main` reports a failed command: the whole chain of causes, made safe for the terminal.
pub fn print_error(error: &anyhow::Error) {
    to_stderr("error", format!("{error:#}"));
}
