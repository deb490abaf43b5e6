//! The JSON contract: the [`Report`] as serde writes it.

use std::io;

use crate::report::Report;

/// Pretty JSON ending with a newline, for files and terminals.
pub(super) fn pretty(report: &Report<'_>) -> String {
    // A report holds only strings, numbers and string-keyed maps, which
    // always serialise.
    let mut out = serde_json::to_string_pretty(report).expect("a report always serialises to JSON");
    out.push('\n');
    out
}

/// Compact JSON written straight into `out`, with no intermediate copy.
pub(super) fn line<W: io::Write>(report: &Report<'_>, out: W) -> io::Result<()> {
    serde_json::to_writer(out, report).map_err(io::Error::from)
}
