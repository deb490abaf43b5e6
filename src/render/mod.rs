//! Renderers: the same [`Report`] as text, Markdown or JSON.
//!
//! Rendering is a pure function of the report: the same report always
//! gives the same bytes (no timestamps, no colour, no terminal queries).
//! Text and Markdown write out one shared document (see `doc`), so they
//! say the same things in the same order; JSON is the report itself.

mod doc;
mod json;
mod markdown;
mod text;

use std::fmt;
use std::io;
use std::str::FromStr;

use crate::report::Report;

/// The width of text reports written to files and pipes.
pub const DEFAULT_WIDTH: usize = 80;

/// An output format for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 3] = [Format::Text, Format::Markdown, Format::Json];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}`: expected one of text, markdown, json")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// Renders the report in `format`; text is wrapped at [`DEFAULT_WIDTH`].
pub fn render(report: &Report<'_>, format: Format) -> String {
    match format {
        Format::Text => text(report, DEFAULT_WIDTH),
        Format::Markdown => markdown(report),
        Format::Json => json(report),
    }
}

/// The report as plain text wrapped at `width` columns (at least 24):
/// underlined headings, hanging indents, and a box around the action at
/// `urgent` and `emergency`. The person's part comes first, then the part
/// for a clinician.
pub fn text(report: &Report<'_>, width: usize) -> String {
    text::write(&doc::document(report), width)
}

/// `text` broken into lines of at most `width` columns at spaces only, as
/// text reports are, so that a front end wraps its own words the same way.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    text::wrap(text, width)
}

/// The report as Markdown that CommonMark and Python-Markdown render alike,
/// with questionnaire texts escaped.
pub fn markdown(report: &Report<'_>) -> String {
    markdown::write(&doc::document(report))
}

/// The report as pretty JSON (the contract), ending with a newline.
pub fn json(report: &Report<'_>) -> String {
    json::pretty(report)
}

/// The report as one compact line of JSON, without the newline, for JSON
/// Lines. It is serialised straight into `out`; pass a buffered writer.
pub fn write_json_line<W: io::Write>(report: &Report<'_>, out: W) -> io::Result<()> {
    json::line(report, out)
}

#[cfg(test)]
mod tests;
