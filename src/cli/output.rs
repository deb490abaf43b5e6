//! Where reports go: rendering in a format, and writing to stdout or a file
//! with errors that say which.

use std::io::{ErrorKind, Write};
use std::path::Path;

use selfcheck::render::{self, Format};
use selfcheck::Report;

use super::Failure;

/// Narrower than this, wrapped text is harder to read than overflowing text.
const MIN_WIDTH: usize = 40;

/// A report in `format`, ending with a newline.
pub fn render(report: &Report, format: Format) -> String {
    let mut text = match format {
        Format::Text => render::text(report, width()),
        other => render::render(report, other),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The width to wrap text reports to: `COLUMNS` if it is set to a number
/// (shells set it to the terminal's width), else 80.
fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.trim().parse::<usize>().ok())
        .map_or(render::DEFAULT_WIDTH, |columns| columns.max(MIN_WIDTH))
}

/// A JSON value, pretty-printed with a final newline.
pub fn pretty_json(value: &impl serde::Serialize) -> Result<String, Failure> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Internal(format!("cannot write JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Writes all of `bytes` to stdout.
pub fn stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).map_err(stdout_failure)
}

/// What a failed write to stdout means: nothing, when its reader has gone;
/// otherwise an output that cannot be written, such as a full disk.
pub fn stdout_failure(error: std::io::Error) -> Failure {
    if error.kind() == ErrorKind::BrokenPipe {
        Failure::Gone
    } else {
        Failure::Input(format!("cannot write to stdout: {error}"))
    }
}

/// Writes `bytes` to the file at `path`, replacing it.
pub fn file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|error| Failure::Input(format!("{}: cannot write: {error}", path.display())))
}

/// Fails unless a file can be written at `path`, without changing what is
/// there: an existing file is opened for writing and left as it is; a new
/// one is created and removed again.
pub fn check_writable(path: &Path) -> Result<(), Failure> {
    let cannot = |error: std::io::Error| Failure::Input(format!("{}: cannot write: {error}", path.display()));
    if path.is_dir() {
        return Err(Failure::Input(format!("{}: cannot write: it is a directory", path.display())));
    }
    if path.exists() {
        return std::fs::OpenOptions::new().append(true).open(path).map(drop).map_err(cannot);
    }
    std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(cannot)?;
    std::fs::remove_file(path).map_err(cannot)
}
