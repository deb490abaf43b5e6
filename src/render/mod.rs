//! Renderers: the same [`Report`] as text, Markdown, JSON or HTML.
//!
//! Rendering is a pure function of the report: the same report always
//! gives the same bytes (no timestamps, no colour, no terminal queries).
//! Text, Markdown and HTML write out one shared document (see `doc`), so
//! they say the same things in the same order; JSON is the report itself.

mod doc;
mod html;
mod json;
mod markdown;
mod prepared;
mod text;

use std::fmt;
use std::io;
use std::str::FromStr;

use crate::report::Report;

pub use prepared::Prepared;
use prepared::Texts;

/// The width of text reports written to files and pipes.
pub const DEFAULT_WIDTH: usize = 80;

/// The widest text report: wider lines help no one, and a width taken
/// from the environment must not be able to ask for more memory than the
/// report's own text.
pub const MAX_WIDTH: usize = 1000;

/// An output format for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
    /// A web page, the one `selfcheck serve` shows, without its buttons.
    Html,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 4] = [Format::Text, Format::Markdown, Format::Json, Format::Html];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Html => "html",
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
#[error("unknown format `{0}`: expected one of text, markdown, json, html")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// Renders the report in `format`; text is wrapped at [`DEFAULT_WIDTH`],
/// and an HTML page declares the language [`DEFAULT_LANGUAGE`] (use
/// [`html`] to give the questionnaire's own).
pub fn render(report: &Report<'_>, format: Format) -> String {
    match format {
        Format::Text => text(report, DEFAULT_WIDTH),
        Format::Markdown => markdown(report),
        Format::Json => json(report),
        Format::Html => html(report, DEFAULT_LANGUAGE),
    }
}

/// The language an HTML page declares when it is not told the
/// questionnaire's: a report carries its questionnaire's texts but not the
/// tag of their language.
pub const DEFAULT_LANGUAGE: &str = "en";

/// The stylesheet of HTML reports (and of every page `selfcheck serve`
/// shows).
pub const HTML_STYLE: &str = html::STYLE;

/// The report as a complete HTML page in `language` (a BCP 47 tag), with
/// its stylesheet inline so that the file stands on its own. The root
/// element carries `data-triage-level`.
pub fn html(report: &Report<'_>, language: &str) -> String {
    let title = format!("{}: your report", report.questionnaire.title);
    html::page(&title, language, report.triage.level.as_str(), &html_fragment(report))
}

/// The report as a fragment of HTML for a page that has its own `<head>`:
/// the person's part, then the part for a clinician under a `<details>`.
pub fn html_fragment(report: &Report<'_>) -> String {
    fragment(report, Texts::default())
}

/// [`html_fragment`] for a report of the questionnaire whose texts are
/// `prepared`: the same bytes, with its texts escaped and counted once
/// rather than on every report.
pub fn html_fragment_prepared(report: &Report<'_>, prepared: &Prepared) -> String {
    fragment(report, Texts(Some(prepared)))
}

/// [`html_fragment_prepared`], written at the end of `out`: a page that
/// holds the report has it written in place rather than copied in.
pub fn write_html_fragment_prepared(report: &Report<'_>, prepared: &Prepared, out: &mut String) {
    let doc::Outline { person, clinician } = doc::outline_with(report, Texts(Some(prepared)));
    html::write_into(&person, &clinician, Texts(Some(prepared)), out);
}

fn fragment(report: &Report<'_>, texts: Texts<'_>) -> String {
    let doc::Outline { person, clinician } = doc::outline_with(report, texts);
    let mut out = String::with_capacity(32 * 1024);
    html::write_into(&person, &clinician, texts, &mut out);
    out
}

/// The report as plain text wrapped at `width` columns (at least 24, at
/// most [`MAX_WIDTH`]):
/// underlined headings, hanging indents, and a box around the action at
/// `urgent` and `emergency`. The person's part comes first, then the part
/// for a clinician.
pub fn text(report: &Report<'_>, width: usize) -> String {
    text::write(&doc::document(report), width.min(MAX_WIDTH))
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
