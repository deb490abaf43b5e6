//! How text from input appears inside messages: escaped, and cut short
//! when long.
//!
//! An error message quotes what it is about (an answer key, an id, a
//! value), and what it quotes came from input that may be hostile: a key of
//! twenty megabytes, or one holding terminal commands. Quoted text is cut
//! to [`LONGEST`] characters and its unsafe characters escaped (see
//! [`crate::terminal`]); every line of a message also passes through
//! [`line`] when an [`Error`](crate::Error) or a
//! [`Problem`](crate::Problem) is made, so that no message, whoever wrote
//! it, carries a control character, a line break of its input's or a line
//! of unbounded length.

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

/// One line of a message made safe to show: unsafe characters escaped,
/// line breaks included (a message's lines are kept apart by the code that
/// writes them, never by its text), text between backticks longer than
/// [`LONGEST`] cut, and the line cut at [`LONGEST_LINE`].
pub fn line(text: &str) -> String {
    let line = terminal::escape_where(text, |c| terminal::is_unsafe(c) || is_invisible(c));
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

/// Whether `c` shows as nothing, or as a plain space, though it is not
/// one: a no-break or zero-width space, a soft hyphen, a byte order mark.
/// Quoted from input in a message, such a character makes `age\u{a0}`
/// read as `age`, and "did you mean `age`?" as a suggestion to write what
/// was written.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}'
            | '\u{00AD}'
            | '\u{180E}'
            | '\u{2000}'..='\u{200D}'
            | '\u{202F}'
            | '\u{205F}'..='\u{2064}'
            | '\u{3000}'
            | '\u{FEFF}'
    )
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
    fn invisible_characters_in_a_message_are_written_out() {
        assert_eq!(
            line("column `age\u{a0}`: did you mean `age`?"),
            "column `age\\u{a0}`: did you mean `age`?"
        );
        assert_eq!(line("got \"no\u{200b}\""), "got \"no\\u{200b}\"");
        assert_eq!(line("plain text"), "plain text");
    }

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
    fn lines_cut_quoted_runs_and_long_lines_and_escape_line_breaks() {
        let key = "k".repeat(100);
        assert_eq!(
            line(&format!("answer `{key}`: no such question")),
            format!("answer `{}...`: no such question", "k".repeat(57))
        );
        assert_eq!(line("answer `a\u{9b}b\nforged`: bad"), "answer `a\\u{9b}b\\nforged`: bad");
        let long = line(&"word ".repeat(1000));
        assert_eq!(long.chars().count(), LONGEST_LINE);
        assert!(long.ends_with("..."));
    }
}
