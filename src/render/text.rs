//! Plain text for terminals and files: wrapped to a width, headings
//! underlined, lists with hanging indents, warnings in a box.

use textwrap::core::display_width;

use super::doc::{Block, Inline};

/// Narrower than this, hanging indents and boxes leave no room for words.
const MIN_WIDTH: usize = 24;

pub(super) fn write(doc: &[Block<'_>], width: usize) -> String {
    let width = width.max(MIN_WIDTH);
    let mut out = String::new();
    for (i, block) in doc.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for line in lines(block, width) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The lines of one block, none wider than `width` (unless one word is).
fn lines(block: &Block<'_>, width: usize) -> Vec<String> {
    match block {
        Block::Title(para) => underlined(&plain(para), width, '='),
        Block::Heading(para) => underlined(&plain(para), width, '-'),
        Block::Para(para) => wrap(&plain(para), width),
        Block::Alert { heading, body } => boxed(heading, body, width),
        Block::List { numbered, items } => {
            let items = items.iter().map(|item| vec![Item::Para(item)]);
            list(*numbered, false, items.collect(), width)
        }
        Block::Entries(entries) => {
            let items = entries.iter().map(|(title, body)| {
                std::iter::once(Item::Para(title)).chain(body.iter().map(Item::Block)).collect()
            });
            list(true, true, items.collect(), width)
        }
        Block::Piece(piece) => lines(&piece.block(), width),
    }
}

fn underlined(heading: &str, width: usize, rule: char) -> Vec<String> {
    let mut lines = wrap(heading, width);
    let longest = lines.iter().map(|line| display_width(line)).max().unwrap_or(0);
    lines.push(rule.to_string().repeat(longest));
    lines
}

/// A box drawn with ASCII, so that it survives any terminal and font.
fn boxed(heading: &[Inline<'_>], body: &[Block<'_>], width: usize) -> Vec<String> {
    let inner = width.saturating_sub(4);
    // Capitals stand in for the emphasis a box heading has in Markdown.
    let heading: String = heading
        .iter()
        .map(|inline| match inline {
            Inline::Strong(s) => s.to_uppercase(),
            Inline::Text(s) | Inline::Code(s) | Inline::Link(s) => s.to_string(),
            Inline::Fixed(fixed) => fixed.text.to_owned(),
        })
        .collect();
    let mut content = wrap(&heading, inner);
    for block in body {
        content.push(String::new());
        content.extend(lines(block, inner));
    }
    let rule = format!("+{}+", "-".repeat(inner + 2));
    let mut out = vec![rule.clone()];
    for line in content {
        let pad = inner.saturating_sub(display_width(&line));
        out.push(format!("| {line}{} |", " ".repeat(pad)));
    }
    out.push(rule);
    out
}

/// A part of a list item: an entry's title or one of its blocks.
enum Item<'d, 'a> {
    Para(&'d [Inline<'a>]),
    Block(&'d Block<'a>),
}

/// Each item's parts line up under its first line, after the marker.
fn list(numbered: bool, loose: bool, items: Vec<Vec<Item<'_, '_>>>, width: usize) -> Vec<String> {
    let digits = items.len().to_string().len();
    let mut out = Vec::new();
    for (n, item) in items.iter().enumerate() {
        if loose && n > 0 {
            out.push(String::new());
        }
        let marker = if numbered { format!("{:>digits$}. ", n + 1) } else { "- ".to_owned() };
        let indent = " ".repeat(marker.len());
        let inner = width.saturating_sub(marker.len());
        let mut first = true;
        for part in item {
            let lines = match part {
                Item::Para(para) => wrap(&plain(para), inner),
                Item::Block(block) => lines(block, inner),
            };
            for line in lines {
                let prefix = if first { &marker } else { &indent };
                first = false;
                if line.is_empty() {
                    out.push(String::new());
                } else {
                    out.push(format!("{prefix}{line}"));
                }
            }
        }
    }
    out
}

/// Breaks only at spaces, so that ids, web addresses and references such
/// as `2020;(12):CD013814` stay whole unless one alone is wider than a line.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let options = textwrap::Options::new(width)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, options).into_iter().map(|line| line.into_owned()).collect()
}

/// The words of a paragraph; emphasis has no plain-text form.
fn plain(para: &[Inline<'_>]) -> String {
    let mut out = String::new();
    for inline in para {
        out.push_str(inline.as_str());
    }
    out
}
