//! How text from input appears inside messages: escaped, and cut short
//! when long.
//!
//! An error message quotes what it is about (an answer key, an id, a
//! value), and what it quotes came from input that may be hostile: a key of
//! twenty megabytes, or one holding terminal commands. Quoted text is cut
//! to [`LONGEST`] characters and its unsafe characters escaped (see
//! [`crate::terminal`]); every message also passes through [`message`]
//! when an [`Error`](crate::Error) or a [`Problem`](crate::Problem) is made,
//! so that no message, whoever wrote it, carries a control character or a
//! line of unbounded length.

use std::borrow::Cow;

use crate::terminal;

/// The most characters of one quoted string shown in a message.
pub const LONGEST: usize = 60;

/// The longest line of a message, in characters.
pub const LONGEST_LINE: usize = 1000;

/// `text` cut to [`LONGEST`] characters, ending in `...` when it was cut.
pub fn cut(text: &str) -> Cow<'_, str> {
    cut_to(text, LONGEST)
}

fn cut_to(text: &str, longest: usize) -> Cow<'_, str> {
    match text.char_indices().nth(longest) {
        Some(_) => {
            let end = text.char_indices().nth(longest - 3).map_or(text.len(), |(at, _)| at);
            Cow::Owned(format!("{}...", &text[..end]))
        }
        None => Cow::Borrowed(text),
    }
}

/// An id or key from input, fit to quote in a message: cut, then escaped,
/// line breaks included (so that it cannot start a line of its own).
pub fn id(text: &str) -> String {
    terminal::escape(&cut(text)).into_owned()
}

/// A message made safe to show: unsafe characters escaped (line breaks
/// kept: they separate the message's own lines), text between backticks
/// longer than [`LONGEST`] cut, and each line cut at [`LONGEST_LINE`].
pub fn message(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&self::line(line));
    }
    out
}

/// A message of one line made safe to show, as [`message`] does, with any
/// line break in it escaped too: for messages that are one line by
/// construction, such as a questionnaire's problems.
pub fn line(text: &str) -> String {
    let line = terminal::escape(text);
    let mut shaped = String::with_capacity(line.len());
    for (i, part) in line.split('`').enumerate() {
        if i > 0 {
            shaped.push('`');
        }
        // Odd parts are between backticks.
        if i % 2 == 1 {
            shaped.push_str(&cut(part));
        } else {
            shaped.push_str(part);
        }
    }
    cut_to(&shaped, LONGEST_LINE).into_owned()
}

/// Whether `url` is an address a report may turn into a link: `https://`
/// or `http://`, never `javascript:` nor `data:`.
pub fn is_web_address(url: &str) -> bool {
    let scheme = url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
    matches!(scheme.as_deref(), Some("https" | "http"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_the_way_values_are() {
        assert_eq!(cut("short"), "short");
        let long = "x".repeat(61);
        assert_eq!(cut(&long), format!("{}...", "x".repeat(57)));
        assert_eq!(cut(&"é".repeat(60)), "é".repeat(60), "60 characters are not cut");
    }

    #[test]
    fn ids_are_escaped_after_cutting() {
        assert_eq!(id("a\nb\u{1b}"), "a\\nb\\u{1b}");
        assert_eq!(id(&"\u{1b}".repeat(100)).matches("\\u{1b}").count(), 57);
    }

    #[test]
    fn messages_keep_their_lines_but_cut_quoted_runs_and_long_lines() {
        let key = "k".repeat(100);
        let shaped = message(&format!("answer `{key}`: no such question\nanswer `a\u{9b}b`: bad"));
        assert_eq!(
            shaped,
            format!("answer `{}...`: no such question\nanswer `a\\u{{9b}}b`: bad", "k".repeat(57))
        );
        let long = message(&"word ".repeat(1000));
        assert_eq!(long.chars().count(), LONGEST_LINE);
        assert!(long.ends_with("..."));
    }
}
