//! Where reports go: rendering in a format, and writing to stdout or a file
//! with errors that say which.

use std::io::{ErrorKind, Write};
use std::path::Path;

use selfcheck::render::{self, Format};
use selfcheck::{terminal, Report};

use super::Failure;

/// Narrower than this, wrapped text is harder to read than overflowing text.
const MIN_WIDTH: usize = 40;

/// A report in `format`, ending with a newline; an HTML page declares
/// `language`, the questionnaire's. Text and Markdown, which are read on
/// terminals, are escaped for them (see [`terminal::escape_lines`]); the
/// linter already refuses questionnaires with characters that would need
/// it, so this only guards. HTML escapes every string itself.
pub fn render(report: &Report, format: Format, language: &str) -> String {
    let mut text = match format {
        Format::Text => terminal::escape_lines(&render::text(report, width())).into_owned(),
        Format::Markdown => terminal::escape_lines(&render::markdown(report)).into_owned(),
        Format::Json => render::json(report),
        Format::Html => render::html(report, language),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The width to wrap text reports to: `COLUMNS` if it is set to a number
/// (shells set it to the terminal's width), kept between 40 and
/// [`render::MAX_WIDTH`], else 80. A number too large for any type is as
/// wide as allowed.
fn width() -> usize {
    let Ok(columns) = std::env::var("COLUMNS") else { return render::DEFAULT_WIDTH };
    let columns = columns.trim();
    match columns.parse::<u128>() {
        Ok(columns) => usize::try_from(columns).unwrap_or(usize::MAX).clamp(MIN_WIDTH, render::MAX_WIDTH),
        Err(_) if !columns.is_empty() && columns.bytes().all(|b| b.is_ascii_digit()) => render::MAX_WIDTH,
        Err(_) => render::DEFAULT_WIDTH,
    }
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
