//! The handlers: read a request, ask the library, answer with a page.
//!
//! Every handler that takes answers checks all of them first; a form that
//! fails is refused with a page that says why (400), a typed answer that
//! fails is shown again beside its question (422), and nothing a person
//! sends can make a handler panic.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value as Json;

use super::extract::{self, bad_form, Chosen, Posted};
use super::flow::{self, Replay};
use super::form::{self, Action, Form};
use super::limits;
use super::pages::{
    self, CheckPage, ChoiceView, ErrorItem, IndexPage, Layout, NoticeView, NumberView, QuestionPage,
    ReportBottom, ReportTop, Row, SectionView, StartPage, UrgentPage,
};
use super::{Served, Site};
use crate::answers::{Answers, AnswersDocument};
use crate::model::{Kind, Level};
use crate::questionnaire::Questionnaire;
use crate::session::{Next, Step};
use crate::{evaluate, render};

pub(crate) type Shared = State<Arc<Site>>;

/// A rough pace for the time estimate, as `selfcheck ask` gives it: some
/// questions are self-checks that take a minute, most take a few seconds.
const SECONDS_PER_QUESTION: usize = 20;

pub(crate) async fn index(State(site): Shared) -> Response {
    let questionnaires = site.questionnaires.iter().map(|q| (q.id.as_str(), q.title.as_str())).collect();
    let layout = Layout {
        lang: render::DEFAULT_LANGUAGE,
        level: None,
        title: "Questionnaires".to_owned(),
        site: None,
        home: None,
        error: false,
    };
    pages::page(StatusCode::OK, &IndexPage { layout, questionnaires })
}

pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

pub(crate) async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        render::HTML_STYLE,
    )
        .into_response()
}

pub(crate) async fn not_found() -> Response {
    extract::not_found(Vec::new())
}

pub(crate) async fn method_not_allowed() -> Response {
    pages::problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "This page cannot be used that way",
        vec!["Use the buttons on the pages rather than typing or changing their addresses.".to_owned()],
        Vec::new(),
    )
}

fn layout<'q>(q: &'q Questionnaire, title: impl Into<String>) -> Layout<'q> {
    Layout {
        lang: &q.language,
        level: None,
        title: title.into(),
        site: Some(&q.title),
        home: Some(["/", &q.id].concat()),
        error: false,
    }
}

pub(crate) async fn start(Chosen(q): Chosen) -> Response {
    start_page(&q, StatusCode::OK, Vec::new(), String::new())
}

fn start_page(q: &Questionnaire, status: StatusCode, errors: Vec<ErrorItem>, pasted: String) -> Response {
    let count = match flow::replay(q, &Answers::empty(q), &[]).next {
        Next::Ask(step) => step.total,
        Next::Done | Next::StoppedEarly => 0,
    };
    let mut layout = layout(q, q.title.clone());
    layout.error = !errors.is_empty();
    layout.site = None;
    let page = StartPage {
        layout,
        errors,
        id: &q.id,
        title: &q.title,
        purpose: &q.intended_purpose,
        disclaimer: &q.disclaimer,
        count,
        minutes: (count * SECONDS_PER_QUESTION).div_ceil(60).max(1),
        red_flags: q.red_flags().len(),
        pasted,
    };
    pages::page(status, &page)
}

/// `POST /<id>/question`: record the page's answer (or skip it), then show
/// whatever comes next.
pub(crate) async fn question(Chosen(q): Chosen, posted: Posted) -> Response {
    let mut form = match posted.form() {
        Ok(form) => form,
        Err(response) => return response,
    };
    let q = &*q;
    let current = form.question.as_deref().map(|qid| q.question_index(qid).ok_or(qid));
    let current = match current.transpose() {
        Ok(current) => current,
        Err(qid) => {
            return bad_form(vec![format!(
                "the form names the question {}, which questionnaire `{}` does not have",
                crate::suggest::shown(&Json::String(qid.to_owned())),
                q.id
            )])
        }
    };
    let typed = match form.take_current() {
        Ok(typed) => typed,
        Err(problem) => return bad_form(vec![problem]),
    };
    let (mut answers, mut skipped) = match checked(q, &mut form) {
        Ok(state) => state,
        Err(response) => return response,
    };
    let before = crate::triage_level(q, &answers);
    match (form.action.clone().unwrap_or(Action::Continue), current) {
        (Action::Continue, Some(index)) => {
            let text = typed.unwrap_or_default();
            if text.len() > form::MAX_FIELD_BYTES {
                let message = too_long_message(&q.questions[index].kind);
                return ask_again(q, &answers, &skipped, index, "", message);
            }
            if text.trim().is_empty() {
                return ask_again(
                    q,
                    &answers,
                    &skipped,
                    index,
                    &text,
                    missing_message(&q.questions[index].kind, cannot_be_skipped(q, index)),
                );
            }
            match form::read_answer(q, &q.questions[index].id, &text) {
                Ok(value) => {
                    answers.set(index, Some(value));
                    skipped.retain(|&i| i != index);
                }
                Err(message) => return ask_again(q, &answers, &skipped, index, &text, capitalised(&message)),
            }
        }
        (Action::Skip, Some(index)) if cannot_be_skipped(q, index) => {
            let text = typed.unwrap_or_default();
            return ask_again(q, &answers, &skipped, index, &text, RED_FLAG_NOT_SKIPPED.to_owned());
        }
        (Action::Skip, Some(index)) => {
            answers.set(index, None);
            if !skipped.contains(&index) {
                skipped.push(index);
            }
        }
        (Action::Back, _) => {
            // The page's answer, when it is a good one, goes back with the
            // rest (a question shown to change its answer shows it), so that
            // going back loses no answer.
            if let Some(index) = current {
                let kept = typed
                    .as_deref()
                    .filter(|text| text.len() <= form::MAX_FIELD_BYTES && !text.trim().is_empty())
                    .and_then(|text| form::read_answer(q, &q.questions[index].id, text).ok());
                if let Some(value) = kept {
                    answers.set(index, Some(value));
                    skipped.retain(|&i| i != index);
                }
            }
            // The question before the page's one, or the last one asked when
            // the page asked none.
            let before_current = match current {
                Some(index) => flow::revisit(q, &answers, &skipped, index),
                None => flow::replay(q, &answers, &skipped),
            };
            return match flow::previous(&before_current) {
                Some(previous) => revisit(q, &answers, &skipped, previous),
                None => back_from_the_first(q, &answers, &skipped, current),
            };
        }
        (Action::Change(qid), _) => {
            return match q.question_index(&qid) {
                Some(index) => revisit(q, &answers, &skipped, index),
                None => bad_form(vec![format!(
                    "the form asks to change {}, which questionnaire `{}` does not have",
                    crate::suggest::shown(&Json::String(qid)),
                    q.id
                )]),
            };
        }
        (Action::Check, _) => return check_page(q, &flow::replay(q, &answers, &skipped)),
        // Start, or "go on with the questions": nothing to record.
        (Action::Continue | Action::Skip, None) => {}
    }
    let replay = flow::replay(q, &answers, &skipped);
    let after = replay.level();
    match replay.next {
        // The offer to stop at `urgent` waits until no question to come may
        // raise the level, as those decide how urgent the advice is: it is
        // made on reaching `urgent` after them, or on answering the last of
        // them there.
        Next::Ask(_)
            if after == Level::Urgent
                && replay.session.may_stop()
                && (before < Level::Urgent || current.is_some_and(|i| replay.session.may_raise(i))) =>
        {
            urgent_page(q, &answers, &skipped)
        }
        Next::Ask(step) => {
            question_page(q, &answers, &skipped, step, StatusCode::OK, QuestionState::default())
        }
        Next::Done => check_page(q, &replay),
        Next::StoppedEarly => report_page(q, replay.session.answers(), &replay.skipped(), true),
    }
}

/// "Back" on the first question: the start page when there is nothing to
/// lose; else the answers to check (after a change, the first question
/// comes with the rest answered), or the first question again, when it has
/// no answer, with the rest carried.
fn back_from_the_first(q: &Served, answers: &Answers, skipped: &[usize], current: Option<usize>) -> Response {
    if skipped.is_empty() && answers.values().iter().all(Option::is_none) {
        return Redirect::to(&format!("/{}", q.id)).into_response();
    }
    let replay = flow::replay(q, answers, skipped);
    match current {
        Some(index) if replay.asked.is_empty() => revisit(q, answers, skipped, index),
        _ => check_page(q, &replay),
    }
}

const RED_FLAG_NOT_SKIPPED: &str =
    "This question is needed for your safety, so it cannot be skipped. If you do not know, choose \"Not sure\".";

fn cannot_be_skipped(q: &Questionnaire, index: usize) -> bool {
    q.questions[index].needed_for_safety()
}

fn missing_message(kind: &Kind, red_flag: bool) -> String {
    match (kind.is_numeric(), red_flag) {
        (true, true) => "Enter a number: this question is needed for your safety.".to_owned(),
        (false, true) => {
            "Choose an answer: this question is needed for your safety. If you do not know, choose \"Not sure\"."
                .to_owned()
        }
        (true, false) => "Enter a number, or choose \"Skip this question\".".to_owned(),
        (false, false) => "Choose an answer, or choose \"Skip this question\".".to_owned(),
    }
}

/// Why a typed answer longer than any answer can be was refused; it is not
/// shown again.
fn too_long_message(kind: &Kind) -> String {
    match number_hint(kind) {
        Some(hint) => format!("What was typed is too long for an answer. {hint}"),
        None => "What was sent is too long for an answer. Choose one of the answers.".to_owned(),
    }
}

/// What a number field takes, in words.
fn number_hint(kind: &Kind) -> Option<String> {
    match kind {
        Kind::Integer { min, max, unit } => {
            Some(format!("A whole number from {min} to {max}{}.", unit_words(unit)))
        }
        Kind::Number { min, max, unit } => Some(format!(
            "A number from {min} to {max}{}; decimals take a point, as in 1.5.",
            unit_words(unit)
        )),
        _ => None,
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The answers and skipped questions a form carries, checked.
fn checked(q: &Questionnaire, form: &mut Form<'_>) -> Result<(Answers, Vec<usize>), Response> {
    let answers = form::check(q, std::mem::take(&mut form.answers)).map_err(bad_form)?;
    let mut skipped = Vec::with_capacity(form.skipped.len());
    for id in &form.skipped {
        match q.question_index(id) {
            Some(index) => skipped.push(index),
            None => {
                return Err(bad_form(vec![format!(
                    "the form says {} was skipped, but questionnaire `{}` has no such question",
                    crate::suggest::shown(&Json::String(id.to_string())),
                    q.id
                )]))
            }
        }
    }
    Ok((answers, skipped))
}

/// What a question page shows besides the question: a refused answer with
/// its message, or an earlier answer to change.
#[derive(Default)]
struct QuestionState {
    typed: String,
    error: Option<String>,
}

/// The question at `index` again, with the answer typed and why it was
/// refused.
fn ask_again(
    q: &Served,
    answers: &Answers,
    skipped: &[usize],
    index: usize,
    typed: &str,
    message: String,
) -> Response {
    let replay = flow::revisit(q, answers, skipped, index);
    match flow::current(&replay) {
        Some(step) if step.index == index => question_page(
            q,
            answers,
            skipped,
            step,
            StatusCode::UNPROCESSABLE_ENTITY,
            QuestionState { typed: typed.to_owned(), error: Some(message) },
        ),
        // The answers before it no longer lead to the question (a changed
        // form): the question they lead to, without the other's message.
        Some(step) => question_page(q, answers, skipped, step, StatusCode::OK, QuestionState::default()),
        None => check_page(q, &replay),
    }
}

/// The page that shows question `index` again, its answer chosen, to
/// change it.
fn revisit(q: &Served, answers: &Answers, skipped: &[usize], index: usize) -> Response {
    let replay = flow::revisit(q, answers, skipped, index);
    match flow::current(&replay) {
        Some(step) => {
            let typed = answers
                .get(step.index)
                .map(|v| form::field_value(&step.question.kind, v))
                .unwrap_or_default();
            question_page(q, answers, skipped, step, StatusCode::OK, QuestionState { typed, error: None })
        }
        None => check_page(q, &replay),
    }
}

/// The notice of a level that calls for a doctor today or sooner, with
/// the offer to see the report now where `can_stop`.
fn notice(q: &Questionnaire, level: Level, can_stop: bool) -> Option<NoticeView<'_>> {
    (level >= Level::Urgent).then(|| {
        let text = q.levels.get(level);
        NoticeView { title: &text.title, action: &text.action, can_stop }
    })
}

/// The page for `step`'s question. It carries every answer and skip it is
/// given except its own question's, later ones included: after a change,
/// the questions already answered are not asked again.
fn question_page(
    q: &Served,
    answers: &Answers,
    skipped: &[usize],
    step: Step<'_>,
    status: StatusCode,
    state: QuestionState,
) -> Response {
    let question = step.question;
    let mut carried = answers.clone();
    carried.set(step.index, None);
    let html_id = |value: &str| format!("{}-{}", question.id, value);
    let option_ids = question.kind.option_ids();
    let choices: Vec<ChoiceView> = pages::choices(&question.kind)
        .into_iter()
        .filter_map(|(index, label)| {
            let value = *option_ids.get(index)?;
            Some(ChoiceView { html_id: html_id(value), value, label, checked: state.typed == value })
        })
        .collect();
    let number = number_hint(&question.kind).map(|hint| NumberView {
        value: state.typed.clone(),
        inputmode: if matches!(question.kind, Kind::Integer { .. }) { "numeric" } else { "decimal" },
        hint,
        unit: match &question.kind {
            Kind::Integer { unit, .. } | Kind::Number { unit, .. } => unit.as_deref(),
            _ => None,
        },
    });
    let target = match (&number, choices.first()) {
        (Some(_), _) => Some(question.id.clone()),
        (None, Some(first)) => Some(first.html_id.clone()),
        (None, None) => None,
    };
    let errors = state
        .error
        .iter()
        .map(|message| ErrorItem { message: message.clone(), target: target.clone() })
        .collect();
    let section = step.section.map(|s| SectionView {
        title: &s.title,
        intro: if step.new_section { s.intro.as_deref() } else { None },
    });
    // At `urgent` the person may see the report now once no question to
    // come, this one included, may raise the level; at `emergency` only
    // such questions are asked.
    let level = crate::triage_level(q, &carried);
    let can_stop = level == Level::Urgent && flow::replay(q, &carried, skipped).session.may_stop();
    let mut layout = layout(q, question.text.clone());
    layout.error = state.error.is_some();
    let page = QuestionPage {
        layout,
        errors,
        notice: notice(q, level, can_stop),
        id: &q.id,
        hidden: q.hidden.inputs(q, &carried, skipped, Some(step.index)),
        question,
        progress: format!("Question {} of about {}", step.number, step.total),
        section,
        red_flag: question.needed_for_safety(),
        choices,
        number,
        error: state.error,
    };
    pages::page(status, &page)
}

/// A question's unit after its range, as the answers' errors give it:
/// "from 0 to 10 (out of 10)" reads where "in out of 10" would not.
fn unit_words(unit: &Option<String>) -> String {
    unit.as_ref().map(|u| format!(" ({u})")).unwrap_or_default()
}

fn urgent_page(q: &Served, answers: &Answers, skipped: &[usize]) -> Response {
    let text = q.levels.get(Level::Urgent);
    let page = UrgentPage {
        layout: layout(q, text.title.clone()),
        id: &q.id,
        hidden: q.hidden.inputs(q, answers, skipped, None),
        title: &text.title,
        action: &text.action,
    };
    pages::page(StatusCode::OK, &page)
}

fn check_page(q: &Served, replay: &Replay<'_>) -> Response {
    let answers = replay.session.answers();
    let rows = replay
        .asked
        .iter()
        .map(|&index| {
            let question = &q.questions[index];
            Row {
                id: &question.id,
                question: &question.text,
                answer: answer_words(&question.kind, answers.get(index)),
            }
        })
        .collect();
    let page = CheckPage {
        layout: layout(q, "Check your answers"),
        notice: notice(q, replay.level(), true),
        id: &q.id,
        hidden: q.hidden.inputs(q, answers, &replay.skipped(), None),
        rows,
        more: matches!(replay.next, Next::Ask(_)),
    };
    pages::page(StatusCode::OK, &page)
}

/// An answer in words, as the person chose or typed it.
fn answer_words(kind: &Kind, value: Option<crate::Value>) -> String {
    let Some(value) = value else { return "Skipped".to_owned() };
    match (kind, value) {
        (_, crate::Value::Option(i)) => pages::choices(kind)
            .into_iter()
            .find(|(index, _)| *index == usize::from(i))
            .map_or_else(String::new, |(_, label)| label.to_owned()),
        (Kind::Integer { unit, .. } | Kind::Number { unit, .. }, _) => {
            let number = form::field_value(kind, value);
            match unit {
                Some(unit) => format!("{number} {unit}"),
                None => number,
            }
        }
        _ => form::field_value(kind, value),
    }
}

/// The report of `answers`. Its form carries the answers and the questions
/// skipped, so that "Check or change my answers" lists every one of them.
fn report_page(served: &Served, answers: &Answers, skipped: &[usize], stopped: bool) -> Response {
    let q = &**served;
    let report = evaluate(q, answers);
    let mut title = String::with_capacity(64);
    title.push_str("Your report: ");
    title.push_str(&report.triage.title);
    let mut layout = layout(q, title);
    layout.level = Some(report.triage.level.as_str());
    let emergency = q.levels.get(Level::Emergency);
    let top = ReportTop {
        layout,
        stopped: stopped.then_some(NoticeView {
            title: &emergency.title,
            action: &emergency.action,
            can_stop: false,
        }),
    };
    let bottom = ReportBottom { id: &q.id, hidden: served.hidden.inputs(q, answers, skipped, None) };
    pages::report_page(
        &top,
        |out| render::write_html_fragment_prepared(&report, &served.prepared, out),
        &bottom,
    )
}

/// `POST /<id>/report`: the report of the answers posted.
pub(crate) async fn report(Chosen(q): Chosen, posted: Posted) -> Response {
    let mut form = match posted.form() {
        Ok(form) => form,
        Err(response) => return response,
    };
    match checked(&q, &mut form) {
        Ok((answers, skipped)) => report_page(&q, &answers, &skipped, false),
        Err(response) => response,
    }
}

/// `POST /<id>/answers.json`: the answers document, as a file to keep.
pub(crate) async fn answers_file(Chosen(q): Chosen, posted: Posted) -> Response {
    let mut form = match posted.form() {
        Ok(form) => form,
        Err(response) => return response,
    };
    match checked(&q, &mut form) {
        Ok((answers, _)) => {
            let mut text = serde_json::to_string_pretty(&answers.to_document(&q)).unwrap_or_default();
            text.push('\n');
            attachment("application/json", &format!("{}-answers.json", q.id), text)
        }
        Err(response) => response,
    }
}

/// `POST /<id>/report.md`: the report in Markdown, as a file to keep.
pub(crate) async fn report_file(Chosen(q): Chosen, posted: Posted) -> Response {
    let mut form = match posted.form() {
        Ok(form) => form,
        Err(response) => return response,
    };
    match checked(&q, &mut form) {
        Ok((answers, _)) => attachment(
            "text/markdown; charset=utf-8",
            &format!("{}-report.md", q.id),
            render::markdown(&evaluate(&q, &answers)),
        ),
        Err(response) => response,
    }
}

fn attachment(content_type: &'static str, filename: &str, body: String) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// `POST /<id>/resume`: saved answers, uploaded or pasted, checked as
/// `assess` checks them; then the next question, or the answers to check.
pub(crate) async fn resume(Chosen(q): Chosen, request: Request) -> Response {
    let q = &*q;
    let (file, pasted) = match saved_answers(request).await {
        Ok(parts) => parts,
        Err(response) => return response,
    };
    let bytes = if file.iter().any(|b| !b.is_ascii_whitespace()) {
        file
    } else {
        Bytes::from(pasted.clone().into_bytes())
    };
    match resume_answers(q, &bytes) {
        Ok(answers) => {
            let replay = flow::replay(q, &answers, &[]);
            match replay.next {
                Next::Ask(step) => {
                    question_page(q, &answers, &[], step, StatusCode::OK, QuestionState::default())
                }
                Next::Done => check_page(q, &replay),
                Next::StoppedEarly => report_page(q, replay.session.answers(), &[], true),
            }
        }
        Err(messages) => {
            let errors = messages
                .into_iter()
                .map(|message| ErrorItem { message, target: Some("answers-file".to_owned()) })
                .collect();
            start_page(q, StatusCode::UNPROCESSABLE_ENTITY, errors, pasted)
        }
    }
}

/// The file and the pasted text of the resume form.
async fn saved_answers(request: Request) -> Result<(Bytes, String), Response> {
    let request = limits::buffered(request).await?;
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|_| {
        bad_form(vec!["the form was not sent as a file upload (multipart/form-data)".to_owned()])
    })?;
    let mut file = Bytes::new();
    let mut pasted = String::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(bad_form(vec![format!("the upload could not be read: {error}")])),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let data = field
            .bytes()
            .await
            .map_err(|error| bad_form(vec![format!("the upload could not be read: {error}")]))?;
        match name.as_str() {
            "answers_file" => file = data,
            "answers_text" => pasted = String::from_utf8_lossy(&data).into_owned(),
            other => {
                return Err(bad_form(vec![format!(
                    "the form has a field {} that no page sends",
                    crate::suggest::shown(&Json::String(other.to_owned()))
                )]))
            }
        }
    }
    Ok((file, pasted))
}

/// Saved answers checked in full, with `assess`'s messages.
fn resume_answers(q: &Questionnaire, bytes: &[u8]) -> Result<Answers, Vec<String>> {
    let text = std::str::from_utf8(bytes).map_err(|error| {
        vec![format!("The file is not UTF-8 text: invalid byte at position {}.", error.valid_up_to() + 1)]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(vec!["Choose your answers file, or paste its text.".to_owned()]);
    }
    let document =
        AnswersDocument::parse(text.as_bytes()).map_err(|error| vec![capitalised(&error.to_string())])?;
    if let Some(named) = &document.questionnaire {
        if *named != q.id {
            return Err(vec![format!(
                "These answers are for the questionnaire `{named}`, and this is `{}`.",
                q.id
            )]);
        }
    }
    Answers::from_document(q, &document.answers)
        .map_err(|error| error.message().lines().map(capitalised).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_hint_gives_the_unit_as_the_errors_do() {
        let out_of_ten = Kind::Integer { min: 0, max: 10, unit: Some(String::from("out of 10")) };
        assert_eq!(number_hint(&out_of_ten).as_deref(), Some("A whole number from 0 to 10 (out of 10)."));
        let hours = Kind::Number { min: 0.0, max: 24.0, unit: Some(String::from("hours")) };
        assert_eq!(
            number_hint(&hours).as_deref(),
            Some("A number from 0 to 24 (hours); decimals take a point, as in 1.5.")
        );
        let plain = Kind::Integer { min: 1, max: 7, unit: None };
        assert_eq!(number_hint(&plain).as_deref(), Some("A whole number from 1 to 7."));
    }
}
