//! Markdown that reads well raw, and that CommonMark (as on code-hosting
//! sites) and Python-Markdown or pandoc render alike.
//!
//! Questionnaire texts are escaped, so that a `*` or a `<` in the data is
//! shown as written and can never turn into emphasis, a link or HTML.
//! Lines are not wrapped: Markdown viewers wrap for themselves.
//!
//! What the two families agree on is kept to: a paragraph is one line
//! (no backslash or trailing-space line breaks, which Python-Markdown shows
//! literally or editors strip); every block is set off by a blank line;
//! the parts of a list item after its first line are indented by four
//! spaces, as Python-Markdown requires and CommonMark allows; a backslash
//! escapes only the punctuation both accept, and `<`, `&` and `~` are
//! written as entities.

use super::doc::{Block, Inline, Para};

pub(super) fn write(doc: &[Block<'_>]) -> String {
    let mut out = String::new();
    for (i, block) in doc.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for line in lines(block) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

fn lines(block: &Block<'_>) -> Vec<String> {
    match block {
        Block::Title(para) => vec![format!("# {}", inline(para))],
        Block::Heading(para) => vec![format!("## {}", inline(para))],
        Block::Para(para) => paragraph(para),
        Block::Alert { heading, body } => {
            let mut inner = vec![inline(heading)];
            for block in body {
                inner.push(String::new());
                inner.extend(lines(block));
            }
            inner
                .into_iter()
                .map(|line| if line.is_empty() { ">".to_owned() } else { format!("> {line}") })
                .collect()
        }
        Block::List { numbered, items } => list(*numbered, items),
        Block::Entries(entries) => {
            let mut out = Vec::new();
            for (n, (title, body)) in entries.iter().enumerate() {
                if n > 0 {
                    out.push(String::new());
                }
                // A heading is emphasis enough.
                let title: Vec<Inline<'_>> = title
                    .iter()
                    .map(|inline| match inline {
                        Inline::Strong(s) => Inline::Text(s.clone()),
                        other => other.clone(),
                    })
                    .collect();
                out.push(format!("### {}. {}", n + 1, inline(&title)));
                for block in body {
                    out.push(String::new());
                    out.extend(lines(block));
                }
            }
            out
        }
        Block::Piece(piece) => lines(&piece.block()),
    }
}

/// A tight list: a line per item, each a paragraph.
fn list(numbered: bool, items: &[Para<'_>]) -> Vec<String> {
    let mut out = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let marker = if numbered { format!("{}. ", n + 1) } else { "- ".to_owned() };
        out.extend(paragraph(item).into_iter().map(|line| format!("{marker}{line}")));
    }
    out
}

/// A paragraph: one line, guarded so that its first characters cannot
/// start a list, a heading or a code block.
fn paragraph(para: &[Inline<'_>]) -> Vec<String> {
    vec![guard(&inline(para))]
}

pub(super) fn guard(line: &str) -> String {
    let line = line.trim_start();
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if line.starts_with(['-', '+']) {
        format!("\\{line}")
    } else if digits > 0 && line[digits..].starts_with(['.', ')']) {
        format!("{}\\{}", &line[..digits], &line[digits..])
    } else {
        line.to_owned()
    }
}

fn inline(para: &[Inline<'_>]) -> String {
    let mut out = String::new();
    for inline in para {
        match inline {
            Inline::Text(s) => escape(s, &mut out),
            Inline::Fixed(fixed) => escape(fixed.text, &mut out),
            Inline::Strong(s) => {
                // Emphasis only works when the stars touch the words.
                let words = s.trim();
                if words.is_empty() {
                    out.push_str(s);
                    continue;
                }
                let start = s.len() - s.trim_start().len();
                out.push_str(&s[..start]);
                out.push_str("**");
                escape(words, &mut out);
                out.push_str("**");
                out.push_str(&s[start + words.len()..]);
            }
            Inline::Code(s) if !s.is_empty() && !s.contains('`') && !s.contains('\n') => {
                out.push('`');
                out.push_str(s);
                out.push('`');
            }
            // Only a web address becomes a link (a `javascript:` one must
            // not): anything else is shown as text.
            Inline::Link(s)
                if crate::shown::is_web_address(s)
                    && !s.contains(|c: char| c.is_whitespace() || c == '<' || c == '>') =>
            {
                out.push('<');
                out.push_str(s);
                out.push('>');
            }
            Inline::Code(s) | Inline::Link(s) => escape(s, &mut out),
        }
    }
    out
}

/// Escapes the characters that could start Markdown syntax inside a line,
/// and joins lines: every paragraph is one line. A backslash only before
/// the punctuation that both CommonMark and Python-Markdown unescape;
/// entities for the rest.
pub(super) fn escape(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // What follows, for `&`: only `&name;` and `&#...` are entities,
        // so "A&E" is left as written.
        let entity_like = || {
            let rest: String = chars.clone().take(33).collect();
            rest.starts_with('#')
                || rest
                    .find(';')
                    .is_some_and(|end| end > 0 && rest[..end].chars().all(|c| c.is_ascii_alphanumeric()))
        };
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '~' => out.push_str("&#126;"),
            '&' if entity_like() => out.push_str("&amp;"),
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
}
