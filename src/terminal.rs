//! Text from input made safe to show on a terminal.
//!
//! A terminal acts on some characters instead of showing them: ESC starts
//! a command (clear the screen, change the title, write to the clipboard),
//! and so does the one-character C1 form U+009B; BEL rings, NUL and DEL may
//! vanish, a carriage return overwrites the line, and the bidirectional
//! overrides such as U+202E show text in another order than it is stored.
//! Every such character in text that came from input (an answer key, an id,
//! a file name, a questionnaire's text) is written as a visible escape
//! such as `\u{1b}` instead, so that what a person sees is what was given.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a terminal could act on `c` rather than show it: control
/// characters (C0, DEL and C1), the bidirectional marks, embeddings,
/// overrides and isolates, and the line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `text` with every unsafe character, line breaks included, written as a
/// visible escape: `\n`, `\r`, `\t`, `\0`, or `\u{..}`. Text without one is
/// returned as it is.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_but(text, None)
}

/// Like [`escape`], but line breaks stay line breaks: for messages and
/// reports of several lines, whose lines selfcheck wrote itself.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escape_but(text, Some('\n'))
}

fn escape_but(text: &str, keep: Option<char>) -> Cow<'_, str> {
    escape_where(text, |c| is_unsafe(c) && Some(c) != keep)
}

/// `text` with every character `unsafe_here` picks written as a visible
/// escape, as [`escape`] writes them.
pub(crate) fn escape_where(text: &str, unsafe_here: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = text.find(&unsafe_here) else { return Cow::Borrowed(text) };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if !unsafe_here(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            other => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{{{:x}}}", u32::from(other));
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_unsafe_character_becomes_visible() {
        let given = "a\u{1b}[2J\u{7}b\u{0}c\u{9b}31m\u{202e}d\u{7f}e\r\tf\ng";
        assert_eq!(escape(given), "a\\u{1b}[2J\\u{7}b\\0c\\u{9b}31m\\u{202e}d\\u{7f}e\\r\\tf\\ng");
        assert_eq!(escape_lines(given), "a\\u{1b}[2J\\u{7}b\\0c\\u{9b}31m\\u{202e}d\\u{7f}e\\r\\tf\ng");
    }

    #[test]
    fn safe_text_is_not_copied() {
        assert!(matches!(escape("Ça va, ölçü — “fine” 👍"), Cow::Borrowed(_)));
        assert!(matches!(escape_lines("two\nlines"), Cow::Borrowed(_)));
    }
}
