//! CommonMark that reads well both raw and on a code-hosting site.
//!
//! Questionnaire texts are escaped, so that a `*` or a `<` in the data is
//! shown as written and can never turn into emphasis, a link or HTML.
//! Lines are not wrapped: Markdown viewers wrap for themselves.

use super::doc::{Block, Inline};

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
    }
}

/// Items with several blocks make a loose list (blank lines between
/// blocks and items); a blank line also keeps a following paragraph from
/// running on into the one before.
fn list(numbered: bool, items: &[Vec<Block<'_>>]) -> Vec<String> {
    let loose = items.iter().any(|item| item.len() > 1);
    let mut out = Vec::new();
    for (n, item) in items.iter().enumerate() {
        if loose && n > 0 {
            out.push(String::new());
        }
        let marker = if numbered { format!("{}. ", n + 1) } else { "- ".to_owned() };
        let indent = " ".repeat(marker.len());
        for (b, block) in item.iter().enumerate() {
            if b > 0 {
                out.push(String::new());
            }
            for (l, line) in lines(block).into_iter().enumerate() {
                if line.is_empty() {
                    out.push(line);
                } else if b == 0 && l == 0 {
                    out.push(format!("{marker}{line}"));
                } else {
                    out.push(format!("{indent}{line}"));
                }
            }
        }
    }
    out
}

/// A paragraph, one line per line break (a trailing backslash is a hard
/// break), each guarded so that its first characters cannot start a list,
/// a heading, a rule or a code block.
fn paragraph(para: &[Inline<'_>]) -> Vec<String> {
    let mut lines: Vec<String> =
        para.split(|inline| *inline == Inline::Break).map(|part| guard(&inline(part))).collect();
    let last = lines.len() - 1;
    for line in &mut lines[..last] {
        line.push('\\');
    }
    lines
}

fn guard(line: &str) -> String {
    let line = line.trim_start();
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if line.starts_with(['-', '+', '=']) {
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
            Inline::Break => out.push(' '),
        }
    }
    out
}

/// Backslash-escapes the characters that could start Markdown syntax
/// inside a line, and joins lines: every paragraph is one line.
fn escape(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // Only `&name;` and `&#123;` are entities; a lone `&` is text.
            '&' if chars.peek().is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#') => {
                out.push_str("\\&")
            }
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
}
