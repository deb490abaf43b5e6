//! The Markdown reports render alike in CommonMark and in Python-Markdown.
//!
//! Every case's Markdown report is rendered to HTML by pulldown-cmark
//! (CommonMark, as code-hosting sites render it) and, where Python-Markdown
//! is installed (`python3-markdown` on Debian), by Python-Markdown, which is
//! stricter about indentation and knows fewer escapes. Both HTML outputs are
//! reduced to their structure (headings, paragraphs, lists, quotes,
//! emphasis, code, links) and their text with entities decoded; the two
//! must be equal, and the text must hold no backslash and no `<br>`, which
//! is what a renderer shows for syntax it does not know.

use std::fs;
use std::path::Path;
use std::process::Command;

use selfcheck::render;
use selfcheck::{evaluate, Answers, AnswersDocument, Questionnaire};

/// Every case's Markdown report, by file name.
fn reports() -> Vec<(String, String)> {
    let mut reports = Vec::new();
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<_> =
        fs::read_dir(&cases).expect("tests/cases").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    let text = selfcheck::shipped("low-back-glutes").expect("shipped");
    let q = Questionnaire::from_json(text, "low-back-glutes").expect("valid");
    for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let bytes = fs::read(&path).expect("readable");
        let document = AnswersDocument::parse(&bytes).expect("a document");
        let answers = Answers::from_document(&q, &document.answers).expect("answers");
        let name = path.file_name().expect("a name").to_string_lossy().into_owned();
        reports.push((name, render::markdown(&evaluate(&q, &answers))));
    }
    reports
}

fn commonmark(markdown: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(markdown));
    html
}

/// The structure and text of HTML: tags that carry meaning, and text with
/// entities decoded and white space made single spaces.
fn shape(html: &str) -> Vec<String> {
    const KEPT: [&str; 12] =
        ["h1", "h2", "h3", "p", "ul", "ol", "li", "blockquote", "strong", "code", "a", "br"];
    let mut out: Vec<String> = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let (text, after) = rest.split_once('<').unwrap_or((rest, ""));
        let text = decode(text);
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            match out.last_mut() {
                Some(last) if !last.starts_with('<') => {
                    last.push(' ');
                    last.push_str(&text);
                }
                _ => out.push(text),
            }
        }
        if after.is_empty() {
            break;
        }
        let (tag, after) = after.split_once('>').expect("a closed tag");
        let name = tag.trim_start_matches('/').split_whitespace().next().unwrap_or("").trim_end_matches('/');
        if KEPT.contains(&name) {
            out.push(format!("<{}{name}>", if tag.starts_with('/') { "/" } else { "" }));
        }
        rest = after;
    }
    out
}

fn decode(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').filter(|&end| end < 10);
        let decoded = end.and_then(|end| match &tail[1..end] {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "#39" | "#x27" => Some('\''),
            entity => entity.strip_prefix('#').and_then(|n| n.parse::<u32>().ok()).and_then(char::from_u32),
        });
        match (decoded, end) {
            (Some(c), Some(end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn commonmark_shows_no_markdown_syntax_as_text() {
    for (name, markdown) in reports() {
        let shape = shape(&commonmark(&markdown));
        assert!(!shape.iter().any(|part| part == "<br>"), "{name}: a line break");
        for text in shape.iter().filter(|part| !part.starts_with('<')) {
            assert!(!text.contains('\\'), "{name}: a backslash shown: {text}");
            assert!(!text.contains("**") && !text.contains('`'), "{name}: syntax shown: {text}");
        }
        assert!(
            shape.contains(&"<h1>".to_owned()) && shape.iter().any(|p| p == "For your clinician"),
            "{name}"
        );
    }
}

/// The first Python that has Python-Markdown: `python3` on the path, or the
/// system one, where Debian's package puts it.
fn python_with_markdown() -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|python| {
        Command::new(python).args(["-c", "import markdown"]).output().is_ok_and(|out| out.status.success())
    })
}

#[test]
fn python_markdown_renders_every_report_as_commonmark_does() {
    let Some(python) = python_with_markdown() else {
        eprintln!("Python-Markdown is not installed: only CommonMark was checked");
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let reports = reports();
    let paths: Vec<_> = reports
        .iter()
        .map(|(name, markdown)| {
            let path = dir.path().join(format!("{name}.md"));
            fs::write(&path, markdown).expect("write");
            path
        })
        .collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python_markdown.py");
    let status = Command::new(python).arg(script).args(&paths).status().expect("python runs");
    assert!(status.success(), "python_markdown.py failed");
    for ((name, markdown), path) in reports.iter().zip(&paths) {
        let mut html = path.clone().into_os_string();
        html.push(".html");
        let python = shape(&fs::read_to_string(html).expect("the HTML"));
        let common = shape(&commonmark(markdown));
        if python != common {
            let at = python
                .iter()
                .zip(&common)
                .position(|(a, b)| a != b)
                .unwrap_or(python.len().min(common.len()));
            let from = at.saturating_sub(3);
            panic!(
                "{name}: the renderers differ at part {at}:\nPython-Markdown: {:?}\nCommonMark:      {:?}",
                &python[from..(at + 3).min(python.len())],
                &common[from..(at + 3).min(common.len())]
            );
        }
    }
}
