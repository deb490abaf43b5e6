//! The pages: one askama template each (in `templates/`), escaped by
//! default and checked when the binary is built, and the views they show.

use std::borrow::Cow;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::model::{Kind, Question};

/// What every page shares: the language, the title, the link home.
pub(crate) struct Layout<'a> {
    pub lang: &'a str,
    /// The triage level, on the report page's root element.
    pub level: Option<&'static str>,
    pub title: String,
    /// The questionnaire's title, after the page's own in `<title>` and in
    /// the header.
    pub site: Option<&'a str>,
    /// Where the header links to.
    pub home: Option<String>,
    /// Whether the page shows an error, which its title then says first.
    pub error: bool,
}

/// One line of an error summary, linking to the field it is about.
pub(crate) struct ErrorItem {
    pub message: String,
    pub target: Option<String>,
}

/// The warning shown above the questions once the answers call for a
/// doctor today or sooner.
pub(crate) struct NoticeView<'a> {
    pub title: &'a str,
    pub action: &'a str,
    /// Whether the person may see the report now: not while a warning
    /// sign or its follow-up is still to be answered, as those decide how
    /// urgent the advice is.
    pub can_stop: bool,
}

pub(crate) struct SectionView<'a> {
    pub title: &'a str,
    /// Shown on the first question of the section only.
    pub intro: Option<&'a str>,
}

pub(crate) struct ChoiceView<'a> {
    pub html_id: String,
    pub value: &'a str,
    pub label: &'a str,
    pub checked: bool,
}

pub(crate) struct NumberView<'a> {
    /// What the person typed, kept when it was refused.
    pub value: String,
    pub inputmode: &'static str,
    pub hint: String,
    pub unit: Option<&'a str>,
}

pub(crate) struct Row<'a> {
    pub id: &'a str,
    pub question: &'a str,
    pub answer: String,
}

#[derive(Template)]
#[template(path = "index.html")]
pub(crate) struct IndexPage<'a> {
    pub layout: Layout<'a>,
    pub questionnaires: Vec<(&'a str, &'a str)>,
}

#[derive(Template)]
#[template(path = "start.html")]
pub(crate) struct StartPage<'a> {
    pub layout: Layout<'a>,
    pub errors: Vec<ErrorItem>,
    pub id: &'a str,
    pub title: &'a str,
    pub purpose: &'a str,
    pub disclaimer: &'a str,
    pub count: usize,
    pub minutes: usize,
    pub red_flags: usize,
    /// Pasted answers, kept when they were refused.
    pub pasted: String,
}

#[derive(Template)]
#[template(path = "question.html")]
pub(crate) struct QuestionPage<'a> {
    pub layout: Layout<'a>,
    pub errors: Vec<ErrorItem>,
    pub notice: Option<NoticeView<'a>>,
    pub id: &'a str,
    /// The answers carried, as hidden inputs ([`hidden_inputs`]).
    pub hidden: String,
    pub question: &'a Question,
    pub progress: String,
    pub section: Option<SectionView<'a>>,
    pub red_flag: bool,
    pub choices: Vec<ChoiceView<'a>>,
    pub number: Option<NumberView<'a>>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "urgent.html")]
pub(crate) struct UrgentPage<'a> {
    pub layout: Layout<'a>,
    pub id: &'a str,
    /// The answers carried, as hidden inputs ([`hidden_inputs`]).
    pub hidden: String,
    pub title: &'a str,
    pub action: &'a str,
}

#[derive(Template)]
#[template(path = "check.html")]
pub(crate) struct CheckPage<'a> {
    pub layout: Layout<'a>,
    pub notice: Option<NoticeView<'a>>,
    pub id: &'a str,
    /// The answers carried, as hidden inputs ([`hidden_inputs`]).
    pub hidden: String,
    pub rows: Vec<Row<'a>>,
    /// Whether questions remain to be asked.
    pub more: bool,
}

/// The report page is written in three steps into one string: the page
/// up to the report, the report itself (written there by the renderer, so
/// that its twenty-odd kilobytes are not copied into the page after), and
/// the rest of the page. Its two templates share the site's frame with
/// every other page (`top.html`, `bottom.html`).
#[derive(Template)]
#[template(path = "report_top.html")]
pub(crate) struct ReportTop<'a> {
    pub layout: Layout<'a>,
    /// The emergency that stopped the questions early, if it did.
    pub stopped: Option<NoticeView<'a>>,
}

/// What follows the report: the buttons to keep it, with the answers.
#[derive(Template)]
#[template(path = "report_bottom.html")]
pub(crate) struct ReportBottom<'a> {
    pub id: &'a str,
    /// The answers carried, as hidden inputs ([`hidden_inputs`]).
    pub hidden: String,
}

#[derive(Template)]
#[template(path = "problem.html")]
pub(crate) struct ProblemPage<'a> {
    pub layout: Layout<'a>,
    pub heading: &'a str,
    pub lines: Vec<String>,
    pub details: Vec<String>,
    pub back: &'a str,
    pub back_label: &'a str,
}

/// The answers a page carries, as the hidden inputs its form posts: one a
/// line, each name and value escaped as the templates escape (askama's HTML
/// escaper). Written here rather than in a template loop, because a page
/// carries ids and numbers, which have nothing to escape: they are copied
/// as they are, without going through the escaper a byte at a time.
pub(crate) fn hidden_inputs(fields: &[(&str, Cow<'_, str>)]) -> String {
    let mut out = String::with_capacity(fields.len() * 64);
    for (name, value) in fields {
        hidden_input(name, value, &mut out);
    }
    out
}

/// One of [`hidden_inputs`], at the end of `out`.
pub(crate) fn hidden_input(name: &str, value: &str, out: &mut String) {
    out.push_str("<input type=\"hidden\" name=\"");
    attribute(name, out);
    out.push_str("\" value=\"");
    attribute(value, out);
    out.push_str("\">\n");
}

/// `text` in a quoted attribute, escaped as a template escapes it.
fn attribute(text: &str, out: &mut String) {
    if text.bytes().any(|b| matches!(b, b'"' | b'&' | b'\'' | b'<' | b'>')) {
        // Writing to a string does not fail.
        let _ = askama::filters::Escaper::write_escaped_str(&askama::filters::Html, &mut *out, text);
    } else {
        out.push_str(text);
    }
}

/// Room enough for any page but the report (whose report is added): its
/// text, its answers carried as hidden fields, a question's choices.
const PAGE_BYTES: usize = 8 * 1024;

/// A rendered page with its status. Rendering only fails if writing to a
/// string fails, which it does not; the error page says so if it ever does.
pub(crate) fn page(status: StatusCode, template: &impl Template) -> Response {
    page_with_room(status, template, 0)
}

/// [`page`], written into a string that has room from the start for the
/// template's own text, the answers it carries and `room` more bytes, so
/// that it is not copied as it grows.
pub(crate) fn page_with_room<T: Template>(status: StatusCode, template: &T, room: usize) -> Response {
    let mut html = String::with_capacity(PAGE_BYTES + room);
    let written = template.render_into(&mut html);
    written_page(status, html, written)
}

/// The report page: [`ReportTop`], then the report as `report` writes it
/// at the end of the page, then [`ReportBottom`].
pub(crate) fn report_page(
    top: &ReportTop<'_>,
    report: impl FnOnce(&mut String),
    bottom: &ReportBottom<'_>,
) -> Response {
    let mut html = String::with_capacity(PAGE_BYTES + bottom.hidden.len() + REPORT_BYTES);
    let written = top.render_into(&mut html).and_then(|()| {
        report(&mut html);
        bottom.render_into(&mut html)
    });
    written_page(StatusCode::OK, html, written)
}

/// Room for most reports written as HTML, so that the page is seldom
/// copied as it grows.
const REPORT_BYTES: usize = 32 * 1024;

fn written_page(status: StatusCode, html: String, written: askama::Result<()>) -> Response {
    match written {
        Ok(()) => (status, Html(html)).into_response(),
        Err(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error: a page could not be written").into_response()
        }
    }
}

/// A page that says what went wrong, in the site's language and look.
pub(crate) fn problem(
    status: StatusCode,
    heading: &str,
    lines: Vec<String>,
    details: Vec<String>,
) -> Response {
    let layout = Layout {
        lang: crate::render::DEFAULT_LANGUAGE,
        level: None,
        title: heading.to_owned(),
        site: None,
        home: None,
        error: true,
    };
    page(
        status,
        &ProblemPage {
            layout,
            heading,
            lines,
            details,
            back: "/",
            back_label: "Go to the list of questionnaires",
        },
    )
}

/// The choices of a question in the order shown, as `(option index,
/// label)`. Yes/no questions list "No", "Not sure", then "Yes", as
/// `selfcheck ask` does, so that "Yes" is never the first option; nothing
/// is chosen in advance.
pub(crate) fn choices(kind: &Kind) -> Vec<(usize, &str)> {
    // Option indices of the yes/no kinds: yes 0, no 1, not sure 2.
    match kind {
        Kind::YesNo => vec![(1, "No"), (0, "Yes")],
        Kind::YesNoNotSure => vec![(1, "No"), (2, "Not sure"), (0, "Yes")],
        Kind::SingleChoice { options } => {
            options.iter().enumerate().map(|(i, o)| (i, o.label.as_str())).collect()
        }
        Kind::Integer { .. } | Kind::Number { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hidden inputs as the templates wrote them, in a loop.
    #[derive(Template)]
    #[template(
        source = "{% for (name, value) in hidden %}<input type=\"hidden\" name=\"{{ name }}\" value=\"{{ value }}\">\n{% endfor %}",
        ext = "html"
    )]
    struct Looped<'a> {
        hidden: &'a [(&'a str, Cow<'a, str>)],
    }

    proptest::proptest! {
        #[test]
        fn hidden_inputs_are_written_as_the_template_loop_wrote_them(
            fields in proptest::collection::vec(("(?s)(.|[&<>\"'a_0-9]){0,12}", "(?s)(.|[&<>\"'a_0-9. ]){0,12}"), 0..6),
        ) {
            let fields: Vec<(&str, Cow<'_, str>)> =
                fields.iter().map(|(name, value)| (name.as_str(), Cow::Borrowed(value.as_str()))).collect();
            let looped = Looped { hidden: &fields }.render().expect("a template renders");
            proptest::prop_assert_eq!(hidden_inputs(&fields), looped);
        }
    }
}
