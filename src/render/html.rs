//! HTML for browsers: the report's outline as plain, semantic markup that
//! a stylesheet dresses and a screen reader can walk by its headings.
//!
//! Every string is escaped, questionnaire texts and answers alike, so that
//! nothing in the data can become markup; a web address becomes a link only
//! when it is `http` or `https`, so that no `javascript:` or `data:` address
//! from a questionnaire file can ever be followed.

use super::doc::{
    answer, planned, recommendation, recommendation_trace, source_item, trace_why, withheld_item, Block,
    Inline, Para, Piece, BETWEEN, GIVEN, GIVEN_END,
};
use super::prepared::Texts;

/// The report's own stylesheet, the same one `selfcheck serve` links to.
pub(super) const STYLE: &str = include_str!("html.css");

/// [`write_into`] a new string.
#[cfg(test)]
pub(super) fn write(person: &[Block<'_>], clinician: &[Block<'_>], texts: Texts<'_>) -> String {
    let mut out = String::new();
    write_into(person, clinician, texts, &mut out);
    out
}

/// The person's part, then the part for a clinician folded under a
/// `<details>` (left out when there is none), as a fragment of HTML at the
/// end of `out`.
pub(super) fn write_into(person: &[Block<'_>], clinician: &[Block<'_>], texts: Texts<'_>, out: &mut String) {
    out.push_str("<div class=\"report\">\n<section class=\"person\">\n");
    blocks(person, out, texts);
    out.push_str("</section>\n");
    if !clinician.is_empty() {
        // The part's own title, when it starts with one, is what the
        // folded part shows.
        let (title, rest) = match clinician {
            [Block::Title(title), rest @ ..] => (Some(title), rest),
            _ => (None, clinician),
        };
        out.push_str("<details class=\"clinician\">\n<summary><h2 class=\"clinician-heading\">");
        match title {
            Some(title) => inline(title, out, texts),
            None => out.push_str("For your clinician"),
        }
        out.push_str("</h2></summary>\n");
        blocks(rest, out, texts);
        out.push_str("</details>\n");
    }
    out.push_str("</div>\n");
}

/// A whole page around a fragment: for a file or a terminal's pipe, with
/// the stylesheet inline so that the file stands on its own.
pub(super) fn page(title: &str, language: &str, level: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + 512);
    out.push_str("<!DOCTYPE html>\n<html lang=\"");
    escape(language, &mut out);
    out.push_str("\" data-triage-level=\"");
    escape(level, &mut out);
    out.push_str(
        "\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
    );
    escape(title, &mut out);
    out.push_str("</title>\n<style>\n");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<main class=\"page\">\n");
    out.push_str(body);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn blocks(blocks: &[Block<'_>], out: &mut String, texts: Texts<'_>) {
    for block in blocks {
        write_block(block, out, texts);
    }
}

fn write_block(block: &Block<'_>, out: &mut String, texts: Texts<'_>) {
    match block {
        Block::Title(para) => tagged("h1", para, out, texts),
        Block::Heading(para) => tagged("h2", para, out, texts),
        Block::Para(para) => tagged("p", para, out, texts),
        Block::Alert { heading, body } => {
            // A border and the heading's words carry the warning, never the
            // colour alone.
            out.push_str("<div class=\"alert\">\n<p class=\"alert-heading\">");
            inline(heading, out, texts);
            out.push_str("</p>\n");
            blocks(body, out, texts);
            out.push_str("</div>\n");
        }
        Block::List { numbered: true, items } => {
            out.push_str("<ol>\n");
            items.iter().for_each(|item| list_item(item, out, texts));
            out.push_str("</ol>\n");
        }
        Block::List { numbered: false, items } => {
            out.push_str("<ul>\n");
            items.iter().for_each(|item| list_item(item, out, texts));
            out.push_str("</ul>\n");
        }
        Block::Entries(entries) => {
            out.push_str("<ol class=\"entries\">\n");
            entries.iter().for_each(|(title, body)| entry(title, body, out, texts));
            out.push_str("</ol>\n");
        }
        Block::Piece(piece) => match (piece, texts.0) {
            // The list of `Piece::block`, each item copied from its
            // rendering made once where there is one.
            (Piece::Sources(sources), Some(prepared)) => {
                out.push_str("<ul>\n");
                for source in *sources {
                    match prepared.source(source) {
                        Some(html) => out.push_str(html),
                        None => list_item(&source_item(source), out, texts),
                    }
                }
                out.push_str("</ul>\n");
            }
            (Piece::Plan { chosen, trim }, Some(prepared)) => {
                out.push_str("<ol class=\"entries\">\n");
                for chosen in chosen.iter().filter(|chosen| planned(chosen)) {
                    match prepared.plan_entry(chosen, *trim) {
                        Some((html, _)) => out.push_str(html),
                        None => {
                            let (title, body) = recommendation(chosen, *trim);
                            entry(&title, &body, out, texts);
                        }
                    }
                }
                out.push_str("</ol>\n");
            }
            (Piece::Recommendations { chosen, withheld, trim }, Some(prepared)) => {
                out.push_str("<ul>\n");
                for chosen in *chosen {
                    match prepared.recommendation(chosen, *trim) {
                        // The questionnaire's words around why it was
                        // chosen, which the answers decide.
                        Some((before, after)) => {
                            out.push_str(before);
                            for run in trace_why(chosen) {
                                inline(std::slice::from_ref(&run), out, texts);
                            }
                            out.push_str(after);
                        }
                        None => list_item(&recommendation_trace(chosen, *trim), out, texts),
                    }
                }
                withheld.iter().for_each(|withheld| list_item(&withheld_item(withheld), out, texts));
                out.push_str("</ul>\n");
            }
            (Piece::Answers(given), Some(prepared)) => {
                // The paragraph of `Piece::block`, each answer to a
                // choice copied from its rendering made once.
                out.push_str("<p>");
                inline(&[GIVEN], out, texts);
                for (i, shown) in given.iter().enumerate() {
                    if i > 0 {
                        inline(&[BETWEEN], out, texts);
                    }
                    match prepared.answer(shown) {
                        Some(html) => out.push_str(html),
                        None => {
                            let mut para = Para::Many(Vec::with_capacity(3));
                            answer(shown, &mut para);
                            inline(&para, out, texts);
                        }
                    }
                }
                inline(&[GIVEN_END], out, texts);
                out.push_str("</p>\n");
            }
            (piece, _) => write_block(&piece.block(), out, texts),
        },
    }
}

/// One numbered entry, from `<li>` to its end.
pub(super) fn entry(title: &[Inline<'_>], body: &[Block<'_>], out: &mut String, texts: Texts<'_>) {
    out.push_str("<li>\n");
    tagged("h3", title, out, texts);
    blocks(body, out, texts);
    out.push_str("</li>\n");
}

/// One item of a list, from `<li>` to its line's end: a paragraph needs no
/// `<p>` of its own there.
pub(super) fn list_item(item: &[Inline<'_>], out: &mut String, texts: Texts<'_>) {
    out.push_str("<li>");
    inline(item, out, texts);
    out.push_str("</li>\n");
}

fn tagged(tag: &str, para: &[Inline<'_>], out: &mut String, texts: Texts<'_>) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    inline(para, out, texts);
    out.push_str("</");
    out.push_str(tag);
    out.push_str(">\n");
}

pub(super) fn inline(para: &[Inline<'_>], out: &mut String, texts: Texts<'_>) {
    for inline in para {
        match inline {
            // Known to need no escaping when the program was compiled.
            Inline::Fixed(fixed) => out.push_str(fixed.text),
            Inline::Text(s) => texts.escape(s, out),
            Inline::Strong(s) => {
                out.push_str("<strong>");
                texts.escape(s, out);
                out.push_str("</strong>");
            }
            Inline::Code(s) => {
                out.push_str("<code>");
                texts.escape(s, out);
                out.push_str("</code>");
            }
            Inline::Link(s) if is_web_address(s) => {
                out.push_str("<a href=\"");
                texts.escape(s, out);
                out.push_str("\">");
                texts.escape(s, out);
                out.push_str("</a>");
            }
            Inline::Link(s) => texts.escape(s, out),
        }
    }
}

/// Whether an address may be a link: `http` or `https`, with a host, and
/// nothing a browser would read differently from what is shown. Read
/// without copying: a report page has a dozen addresses, all ASCII, whose
/// bytes are tested without decoding them.
fn is_web_address(address: &str) -> bool {
    let bytes = address.as_bytes();
    let scheme = |name: &[u8]| bytes.get(..name.len()).is_some_and(|start| start.eq_ignore_ascii_case(name));
    let rest = if scheme(b"https://") {
        &bytes[8..]
    } else if scheme(b"http://") {
        &bytes[7..]
    } else {
        return false;
    };
    let unclear = if address.is_ascii() {
        // The ASCII characters that are whitespace or control: up to the
        // space, and delete.
        bytes.iter().fold(false, |unclear, &b| unclear | (b <= b' ') | (b == 0x7F) | (b == b'\\'))
    } else {
        address.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    };
    rest.first().is_some_and(|&b| b != b'/') && !unclear
}

/// Escapes text for HTML content and quoted attribute values alike.
///
/// Most text has nothing to escape, so it is scanned sixteen bytes at a
/// time for the five special ones (a test the compiler turns into a few
/// vector instructions) and copied in runs, not byte by byte: a report page
/// escapes some twenty kilobytes in some hundreds of runs, most of them
/// short, so a run also costs little beyond its bytes: a text of sixteen
/// bytes or more ends with the sixteen bytes that end it (read again where
/// they overlap the last whole chunk), and a shorter one is read a byte at
/// a time.
pub(crate) fn escape(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut replace = |from: usize, run: &[u8], out: &mut String| {
        for (i, &byte) in run.iter().enumerate() {
            if let Some(entity) = entity(byte) {
                out.push_str(&text[start..from + i]);
                out.push_str(entity);
                start = from + i + 1;
            }
        }
    };
    if bytes.len() < CHUNK {
        if bytes.iter().fold(false, |any, &byte| any | SPECIAL[usize::from(byte)]) {
            replace(0, bytes, out);
        }
    } else {
        let mut at = 0;
        while let Some(chunk) =
            bytes.get(at..at + CHUNK).and_then(|chunk| <&[u8; CHUNK]>::try_from(chunk).ok())
        {
            if any_special(chunk) {
                replace(at, chunk, out);
            }
            at += CHUNK;
        }
        // The bytes after the last whole chunk: the last sixteen bytes are
        // tested, and only those not tested already are replaced.
        let last = bytes.len() - CHUNK;
        if at < bytes.len() {
            if let Some(chunk) = bytes.get(last..).and_then(|chunk| <&[u8; CHUNK]>::try_from(chunk).ok()) {
                if any_special(chunk) {
                    replace(at, &bytes[at..], out);
                }
            }
        }
    }
    out.push_str(&text[start..]);
}

/// Whether [`escape`] leaves `text` as it is: a test the compiler runs on
/// the renderer's fixed words (`fixed!`), so that they are copied unread.
pub(super) const fn needs_no_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if matches!(bytes[at], b'&' | b'<' | b'>' | b'"' | b'\'') {
            return false;
        }
        at += 1;
    }
    true
}

/// How many bytes [`escape`] tests at once.
const CHUNK: usize = 16;

/// Whether any byte of a chunk is one [`escape`] replaces: a comparison
/// per byte, without branches, so that it is done sixteen bytes at once.
#[inline(always)]
fn any_special(chunk: &[u8; CHUNK]) -> bool {
    let mut any = 0u8;
    for &byte in chunk {
        any |= u8::from(byte == b'&')
            | u8::from(byte == b'<')
            | u8::from(byte == b'>')
            | u8::from(byte == b'"')
            | u8::from(byte == b'\'');
    }
    any != 0
}

/// The bytes [`escape`] replaces, by value: a short text is tested a byte
/// at a time, each byte a look-up without a branch.
const SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        special[byte] = matches!(byte as u8, b'&' | b'<' | b'>' | b'"' | b'\'');
        byte += 1;
    }
    special
};

/// The entity that stands for a byte, when it needs one. Each such byte is
/// ASCII, so it never falls inside a character of several bytes.
fn entity(byte: u8) -> Option<&'static str> {
    match byte {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::doc::para;
    use std::borrow::Cow;

    fn text(s: &str) -> Inline<'_> {
        Inline::Text(Cow::Borrowed(s))
    }

    #[test]
    fn escapes_every_string() {
        let mut out = String::new();
        escape(r#"<script>alert("x") & 'y'</script>"#, &mut out);
        assert_eq!(out, "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;");
    }

    /// The escaper as plainly as it can be written, to hold the fast one to.
    fn escape_char_by_char(text: &str) -> String {
        text.chars()
            .map(|c| match c {
                '&' => "&amp;".to_owned(),
                '<' => "&lt;".to_owned(),
                '>' => "&gt;".to_owned(),
                '"' => "&quot;".to_owned(),
                '\'' => "&#39;".to_owned(),
                c => c.to_string(),
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn escapes_as_the_plain_escaper_does(
            text in "(?s)(.|[&<>\"'a ]){0,80}",
            prefix in "[a-z]{0,3}",
        ) {
            let mut out = prefix.clone();
            escape(&text, &mut out);
            proptest::prop_assert_eq!(out, prefix + &escape_char_by_char(&text));
        }
    }

    proptest::proptest! {
        #[test]
        fn needs_no_escape_when_escaping_changes_nothing(text in "(?s)(.|[&<>\"'a ]){0,40}") {
            let mut out = String::new();
            escape(&text, &mut out);
            proptest::prop_assert_eq!(needs_no_escape(&text), out == text);
        }
    }

    #[test]
    fn escapes_across_every_chunk_boundary() {
        for length in 0..50 {
            for at in 0..length {
                let mut text: String = "é".repeat(length / 2) + &"x".repeat(length % 2);
                let mut chars: Vec<char> = text.chars().collect();
                if at < chars.len() {
                    chars[at] = '<';
                }
                text = chars.into_iter().collect();
                let mut out = String::new();
                escape(&text, &mut out);
                assert_eq!(out, escape_char_by_char(&text), "{text:?}");
            }
        }
    }

    /// Whether an address may be a link, as plainly as it can be written,
    /// to hold the quick test to.
    fn is_web_address_plainly(address: &str) -> bool {
        let lower = address.to_ascii_lowercase();
        let rest = if let Some(rest) = lower.strip_prefix("https://") {
            rest
        } else if let Some(rest) = lower.strip_prefix("http://") {
            rest
        } else {
            return false;
        };
        !rest.is_empty()
            && !rest.starts_with('/')
            && !address.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    }

    proptest::proptest! {
        #[test]
        fn tells_web_addresses_as_the_plain_test_does(
            scheme in proptest::sample::select(&["https://", "HtTp://", "http:/", "ftp://", "https:", ""][..]),
            // Printable ASCII, as addresses mostly are, ASCII with
            // controls, or any characters.
            rest in proptest::prop_oneof![
                "[a-z0-9./: ]{0,30}",
                "[a-z0-9./:\\\\ \t\u{0}\u{7f}]{0,30}",
                "(?s)(.|[/\\\\ \t\u{7f}\u{a0}\u{2028}a.]){0,30}",
            ],
        ) {
            let address = scheme.to_owned() + &rest;
            proptest::prop_assert_eq!(is_web_address(&address), is_web_address_plainly(&address), "{:?}", address);
        }
    }

    #[test]
    fn links_only_web_addresses() {
        for good in ["https://www.nice.org.uk/guidance/ng59", "HTTP://example.org/a?b=1&c=2"] {
            assert!(is_web_address(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "https://",
            "https:///etc/passwd",
            "https://exa mple.org",
            "//example.org",
            "ftp://example.org",
            "https://a\\b",
        ] {
            assert!(!is_web_address(bad), "{bad}");
        }
        let mut out = String::new();
        inline(&[Inline::Link(Cow::Borrowed("javascript:alert(1)"))], &mut out, Texts::default());
        assert_eq!(out, "javascript:alert(1)");
        let mut out = String::new();
        inline(&[Inline::Link(Cow::Borrowed("https://e.org/?a=\"><b>"))], &mut out, Texts::default());
        assert_eq!(
            out,
            "<a href=\"https://e.org/?a=&quot;&gt;&lt;b&gt;\">https://e.org/?a=&quot;&gt;&lt;b&gt;</a>"
        );
    }

    #[test]
    fn the_clinician_part_is_folded_under_its_heading() {
        let person = [Block::Para(para([text("Yours.")]))];
        let clinician =
            [Block::Title(para([text("For your clinician")])), Block::Para(para([text("Theirs.")]))];
        let html = write(&person, &clinician, Texts::default());
        let details = html.find("<details").expect("a details element");
        assert!(html.find("Yours.").expect("person") < details);
        assert!(html[details..].contains("<summary><h2 class=\"clinician-heading\">For your clinician</h2>"));
        assert!(html[details..].contains("Theirs."));
        assert!(!html.contains("<h1>For your clinician"), "the title is the summary, once");
        assert!(!write(&person, &[], Texts::default()).contains("<details"));
    }

    #[test]
    fn a_list_item_of_one_paragraph_has_no_paragraph_tag() {
        let list = Block::List {
            numbered: true,
            items: vec![para([text("one")]), para([text("two, "), text("more")])],
        };
        let mut out = String::new();
        write_block(&list, &mut out, Texts::default());
        assert_eq!(out, "<ol>\n<li>one</li>\n<li>two, more</li>\n</ol>\n");
    }
}
