//! What a posted form says: the answers so far, the questions skipped, the
//! question the page asked and the button pressed.
//!
//! Pages keep no state on the server: every form carries the answers given
//! so far as hidden fields named by question id, so that a form body reads
//! like an answers document. Fields of the page's own start with `_`, which
//! no question id can (ids start with a lowercase letter).
//!
//! Nothing posted is trusted: the answers are checked exactly as `assess`
//! checks a document, with its messages, and a form whose hidden answers
//! fail is refused whole. A tampered form can only change its sender's own
//! answers.

use std::borrow::Cow;

use serde_json::Value as Json;

use crate::answers::{to_json, Answers, RawAnswers};
use crate::bytes::{bytes_equal, word_at};
use crate::model::Kind;
use crate::questionnaire::Questionnaire;
use crate::Value;

/// The name of the hidden field naming the question a page asked.
pub(crate) const QUESTION: &str = "_question";
/// The name of the hidden fields listing skipped questions, one each.
pub(crate) const SKIPPED: &str = "_skipped";
/// The name of the buttons that say what to do.
pub(crate) const ACTION: &str = "_action";
/// The name of the "Change" buttons, whose value is a question id.
pub(crate) const CHANGE: &str = "_change";

/// The most fields a form may have: far more than any page sends.
const MAX_FIELDS: usize = 1_000;

/// The longest field name or value a form may have: question ids, option
/// ids and numbers are far shorter, and a bound keeps the "did you mean"
/// search over a stranger's input short. An answer's value is held to it
/// when the answers are checked, not when the form is read, so that the
/// page's own question, typed too long, is shown again with a message
/// rather than the whole form refused.
pub(crate) const MAX_FIELD_BYTES: usize = 200;

/// The button pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Record the answer to the page's question (if it asked one) and go on.
    Continue,
    /// Leave the page's question unanswered and go on.
    Skip,
    /// Show the question before the page's one again.
    Back,
    /// Show this question again, to change its answer.
    Change(String),
    /// Show every answer so far, each with a Change button.
    Check,
}

/// A posted form, split into its parts but not yet checked against the
/// questionnaire. Its names and values are read from the body in place:
/// only one with an escape in it (`%` or `+`) is copied.
#[derive(Debug, Default)]
pub(crate) struct Form<'b> {
    /// `(question id, value)` in the order posted; the page's own question
    /// included.
    pub answers: Vec<(Cow<'b, str>, Cow<'b, str>)>,
    pub skipped: Vec<Cow<'b, str>>,
    /// The question the page asked, if it asked one.
    pub question: Option<Cow<'b, str>>,
    pub action: Option<Action>,
}

impl<'b> Form<'b> {
    /// Reads an `application/x-www-form-urlencoded` body. Fails on fields no
    /// page has, with a message that names them.
    pub(crate) fn parse(body: &'b [u8]) -> Result<Form<'b>, String> {
        let mut form = Form { answers: Vec::with_capacity(64), ..Form::default() };
        for (n, (name, value)) in pairs(body).enumerate() {
            if n >= MAX_FIELDS {
                return Err(format!("the form has more than {MAX_FIELDS} fields"));
            }
            if name.len() > MAX_FIELD_BYTES || (value.len() > MAX_FIELD_BYTES && name.starts_with('_')) {
                return Err(too_long(&name));
            }
            match name.as_ref() {
                QUESTION => set_once(&mut form.question, QUESTION, value)?,
                SKIPPED => form.skipped.push(value),
                ACTION => {
                    let action = match value.as_ref() {
                        "continue" => Action::Continue,
                        "skip" => Action::Skip,
                        "back" => Action::Back,
                        "check" => Action::Check,
                        other => return Err(format!("the form's button `{}` is unknown", shorten(other))),
                    };
                    set_once(&mut form.action, ACTION, action)?;
                }
                CHANGE => set_once(&mut form.action, "_action", Action::Change(value.into_owned()))?,
                other if other.starts_with('_') => {
                    return Err(format!("the form has a field `{}` that no page sends", shorten(other)));
                }
                _ => form.answers.push((name, value)),
            }
        }
        Ok(form)
    }

    /// The value posted for the page's own question, taken from the rest.
    /// Given twice, it is refused as a hidden answer given twice is: no
    /// page sends two, and neither may be picked over the other. A NUL in
    /// it becomes U+FFFD, as an HTML parser reads it, since the page shows
    /// what was typed again and HTML may hold no NUL.
    pub(crate) fn take_current(&mut self) -> Result<Option<String>, String> {
        let Some(id) = self.question.as_deref() else { return Ok(None) };
        let Some(at) = self.answers.iter().position(|(name, _)| name == id) else { return Ok(None) };
        if self.answers[at + 1..].iter().any(|(name, _)| name == id) {
            return Err(format!("answer `{id}` is given twice; give each answer once"));
        }
        let typed = self.answers.remove(at).1;
        Ok(Some(if typed.contains('\0') { typed.replace('\0', "\u{FFFD}") } else { typed.into_owned() }))
    }
}

/// The `(name, value)` pairs of a form body, as `form_urlencoded` reads
/// them. A body with no escape in it (no `%`, no `+`) that is UTF-8, which
/// is every body the pages send unless an answer is typed with a space or
/// a symbol, is split in place by [`Plain`].
fn pairs(body: &[u8]) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    let escaped = body.contains(&b'%') || body.contains(&b'+');
    let plain = if escaped { None } else { std::str::from_utf8(body).ok() };
    let decoded = plain.is_none().then(|| form_urlencoded::parse(body));
    plain.map(Plain::new).into_iter().flatten().chain(decoded.into_iter().flatten())
}

/// The pairs of a body with no escape in it: each `&`-separated field that
/// is not empty, cut at its first `=` (a field without one has an empty
/// value). The separators are found eight bytes at a time, in one pass
/// over the body: a search per separator costs more on fields of a few
/// bytes.
struct Plain<'b> {
    text: &'b str,
    /// Where the next field starts; past the end once the last was read.
    at: usize,
    /// Where the word of `marks` starts...
    word: usize,
    /// ...and its separators not yet taken, as [`bytes_equal`] marks them.
    marks: u64,
}

impl<'b> Plain<'b> {
    fn new(text: &'b str) -> Plain<'b> {
        Plain { text, at: 0, word: 0, marks: separators(text.as_bytes(), 0) }
    }

    /// Where the next `&` or `=` is, if there is one.
    fn next_separator(&mut self) -> Option<usize> {
        while self.marks == 0 {
            self.word += 8;
            if self.word >= self.text.len() {
                return None;
            }
            self.marks = separators(self.text.as_bytes(), self.word);
        }
        let at = self.word + self.marks.trailing_zeros() as usize / 8;
        self.marks &= self.marks - 1;
        Some(at)
    }
}

/// The `&` and `=` of the eight bytes from `at`.
fn separators(bytes: &[u8], at: usize) -> u64 {
    let word = word_at(bytes, at);
    bytes_equal(word, b'&') | bytes_equal(word, b'=')
}

impl<'b> Iterator for Plain<'b> {
    type Item = (Cow<'b, str>, Cow<'b, str>);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        while self.at <= bytes.len() {
            let (mut end, mut equals) = (bytes.len(), None);
            while let Some(at) = self.next_separator() {
                if bytes[at] == b'&' {
                    end = at;
                    break;
                }
                equals = equals.or(Some(at));
            }
            // Both separators are ASCII, so every cut falls between
            // characters.
            let field = &self.text[self.at..end];
            let start = self.at;
            self.at = end + 1;
            if field.is_empty() {
                continue;
            }
            let (name, value) = match equals {
                Some(at) => (&field[..at - start], &field[at - start + 1..]),
                None => (field, ""),
            };
            return Some((Cow::Borrowed(name), Cow::Borrowed(value)));
        }
        None
    }
}

fn too_long(name: &str) -> String {
    format!(
        "the form has a field {} whose name or value is longer than {MAX_FIELD_BYTES} bytes",
        shorten(name)
    )
}

fn set_once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("the form gives `{name}` twice"));
    }
    *slot = Some(value);
    Ok(())
}

/// A posted name or value as it appears in a message.
fn shorten(text: &str) -> String {
    crate::suggest::shown(&Json::String(text.to_owned()))
}

/// A typed or posted answer as the JSON an answers document would hold:
/// a number for numeric questions when it reads as one, else the text.
pub(crate) fn as_json(questionnaire: &Questionnaire, id: &str, text: &str) -> Json {
    let numeric = questionnaire.question(id).is_some_and(|q| q.kind.is_numeric());
    if numeric {
        if let Ok(number) = text.trim().parse::<serde_json::Number>() {
            return Json::Number(number);
        }
    }
    Json::String(text.to_owned())
}

/// Checks posted answers as `assess` checks a document: every problem,
/// each with `assess`'s message.
///
/// Every page posts its answers, so the common case, a form whose answers
/// are all good, is checked without copying them: each is looked up and
/// checked in place. Any problem sends the form down the full path, which
/// gathers every message as `assess` words it.
pub(crate) fn check(
    questionnaire: &Questionnaire,
    posted: Vec<(Cow<'_, str>, Cow<'_, str>)>,
) -> Result<Answers, Vec<String>> {
    if let Some(answers) = all_good(questionnaire, &posted) {
        return Ok(answers);
    }
    if let Some((id, _)) = posted.iter().find(|(_, text)| text.len() > MAX_FIELD_BYTES) {
        return Err(vec![too_long(id)]);
    }
    let mut seen = std::collections::HashSet::with_capacity(posted.len());
    let mut twice = std::collections::BTreeSet::new();
    for (id, _) in &posted {
        if !seen.insert(id.as_ref()) {
            twice.insert(id.as_ref());
        }
    }
    if !twice.is_empty() {
        return Err(twice
            .into_iter()
            .map(|id| format!("answer `{id}` is given twice; give each answer once"))
            .collect());
    }
    let raw = RawAnswers(
        posted
            .into_iter()
            .map(|(id, text)| {
                let json = as_json(questionnaire, &id, &text);
                (id.into_owned(), json)
            })
            .collect(),
    );
    Answers::from_document(questionnaire, &raw)
        .map_err(|error| error.message().lines().map(str::to_owned).collect())
}

/// The answers, when every one names a question once and is a good answer
/// to it; `None` at the first problem, for [`check`] to word.
fn all_good(questionnaire: &Questionnaire, posted: &[(Cow<'_, str>, Cow<'_, str>)]) -> Option<Answers> {
    let mut answers = Answers::empty(questionnaire);
    let mut seen = vec![false; questionnaire.questions.len()];
    for (id, text) in posted {
        let index = questionnaire.question_index(id)?;
        if std::mem::replace(&mut seen[index], true) {
            return None;
        }
        let kind = &questionnaire.questions[index].kind;
        let value = match kind {
            Kind::Integer { .. } | Kind::Number { .. } => {
                let number = posted_number(text)?;
                crate::answers::check(kind, &Json::Number(number)).ok()?
            }
            _ => Value::Option(crate::answers::option_index(kind, text)?),
        };
        answers.set(index, Some(value));
    }
    Some(answers)
}

/// A posted number as JSON reads it. Most are short whole numbers, read
/// here digit by digit; any other text is read by JSON's own parser.
fn posted_number(text: &str) -> Option<serde_json::Number> {
    let digits = text.as_bytes();
    let plain = (1..=15).contains(&digits.len())
        && digits.iter().all(u8::is_ascii_digit)
        && (digits.len() == 1 || digits[0] != b'0');
    if plain {
        let whole = digits.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        return Some(serde_json::Number::from(whole));
    }
    text.trim().parse::<serde_json::Number>().ok()
}

/// Reads the answer a question page was given. A typed number is read as
/// the terminal reads it (`9,5`, `9 hours`, `4/10`: see [`crate::entry`]),
/// or as an answers document holds it (the page shows an answer to change
/// that way, `1e-7` included), and refused in the terminal's words, which
/// say what to type. A choice is refused with `assess`'s message without
/// the `answer `id`: ` it starts with, since the page shows it beside the
/// question (only a form changed by hand sends a bad one).
pub(crate) fn read_answer(questionnaire: &Questionnaire, id: &str, text: &str) -> Result<Value, String> {
    match questionnaire.question_index(id).map(|index| &questionnaire.questions[index].kind) {
        Some(kind) if kind.is_numeric() => crate::entry::read(kind, text)
            .or_else(|refused| check_one(questionnaire, id, text).map_err(|_| refused)),
        _ => check_one(questionnaire, id, text),
    }
}

/// One answer checked as `assess` checks it, its message without the
/// `answer `id`: ` it starts with.
fn check_one(questionnaire: &Questionnaire, id: &str, text: &str) -> Result<Value, String> {
    let raw = RawAnswers(vec![(id.to_owned(), as_json(questionnaire, id, text))]);
    match Answers::from_document(questionnaire, &raw) {
        Ok(answers) => {
            let index = questionnaire.question_index(id).ok_or_else(|| format!("no question `{id}`"))?;
            answers.get(index).ok_or_else(|| format!("no answer to `{id}`"))
        }
        Err(error) => {
            let message = error.message();
            let prefix = format!("answer `{id}`: ");
            Err(message.strip_prefix(&prefix).unwrap_or(message).to_owned())
        }
    }
}

/// An answer as a form field's value: the option id, or the number as an
/// answers document writes it.
pub(crate) fn field_value(kind: &Kind, value: Value) -> String {
    match to_json(kind, value) {
        Json::String(text) => text,
        other => other.to_string(),
    }
}

/// The hidden fields that carry `answers` and `skipped` to the next page
/// (the plain way of [`HiddenChoices::inputs`], which pages use),
/// in questionnaire order, leaving out the question `except` (the one the
/// page asks). Names and option ids are the questionnaire's own strings;
/// only numbers are written out.
#[cfg(test)]
pub(crate) fn hidden_fields<'q>(
    questionnaire: &'q Questionnaire,
    answers: &Answers,
    skipped: &[usize],
    except: Option<usize>,
) -> Vec<(&'q str, Cow<'q, str>)> {
    let mut fields = Vec::with_capacity(questionnaire.questions.len());
    for index in 0..questionnaire.questions.len() {
        if Some(index) == except {
            continue;
        }
        if let Some(field) = hidden_field(questionnaire, answers, skipped, index) {
            fields.push(field);
        }
    }
    fields
}

/// The hidden field that carries the question at `index`, if any: its
/// answer, or that it was skipped.
#[inline]
fn hidden_field<'q>(
    questionnaire: &'q Questionnaire,
    answers: &Answers,
    skipped: &[usize],
    index: usize,
) -> Option<(&'q str, Cow<'q, str>)> {
    let question = questionnaire.questions.get(index)?;
    if let Some(value) = answers.get(index) {
        let shown = match value {
            Value::Option(i) => question.kind.option_id(usize::from(i)).map(Cow::Borrowed),
            Value::Integer(i) => Some(Cow::Owned(i.to_string())),
            Value::Number(_) => None,
        };
        let shown = shown.unwrap_or_else(|| Cow::Owned(field_value(&question.kind, value)));
        Some((question.id.as_str(), shown))
    } else if skipped.contains(&index) {
        Some((SKIPPED, Cow::Borrowed(question.id.as_str())))
    } else {
        None
    }
}

/// Each answer to a choice as the hidden input that carries it,
/// `[question][option]`, written once per questionnaire: a page carries
/// every answer given so far, and most are choices.
#[derive(Debug, Default)]
pub(crate) struct HiddenChoices(Vec<Vec<Box<str>>>);

impl HiddenChoices {
    pub(crate) fn new(questionnaire: &Questionnaire) -> HiddenChoices {
        HiddenChoices(
            questionnaire
                .questions
                .iter()
                .map(|question| {
                    let options = question.kind.option_ids();
                    options
                        .into_iter()
                        .map(|option| {
                            crate::web::pages::hidden_inputs(&[(question.id.as_str(), Cow::Borrowed(option))])
                                .into_boxed_str()
                        })
                        .collect()
                })
                .collect(),
        )
    }

    /// The hidden inputs of [`hidden_fields`], as
    /// [`hidden_inputs`](crate::web::pages::hidden_inputs) writes them,
    /// each answer to a choice copied from its input written once.
    pub(crate) fn inputs(
        &self,
        questionnaire: &Questionnaire,
        answers: &Answers,
        skipped: &[usize],
        except: Option<usize>,
    ) -> String {
        let mut out = String::with_capacity(questionnaire.questions.len() * 64);
        for index in (0..questionnaire.questions.len()).filter(|index| Some(*index) != except) {
            let ready = match answers.get(index) {
                Some(Value::Option(i)) => self.0.get(index).and_then(|inputs| inputs.get(usize::from(i))),
                _ => None,
            };
            match ready {
                Some(input) => out.push_str(input),
                None => {
                    if let Some((name, value)) = hidden_field(questionnaire, answers, skipped, index) {
                        crate::web::pages::hidden_input(name, &value, &mut out);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questionnaire() -> Questionnaire {
        let text = crate::shipped("low-back-glutes").expect("shipped");
        Questionnaire::from_json(text, "low-back-glutes").expect("valid")
    }

    proptest::proptest! {
        #[test]
        fn bodies_are_read_as_form_urlencoded_reads_them(body in proptest::collection::vec(
            proptest::sample::select(b"ab=&%+2\xc3\xa9\xff".to_vec()), 0..40)
        ) {
            let ours: Vec<_> = pairs(&body).collect();
            let theirs: Vec<_> = form_urlencoded::parse(&body).collect();
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    proptest::proptest! {
        /// A number shown to be changed goes back unchanged, however its
        /// field writes it (`1e-7` among them).
        #[test]
        fn a_number_shown_in_its_field_is_read_back_as_it_was(
            hours in 0.0..=24.0f64,
            tiny in 0.0..1e-4f64,
            age in 0..=120i64,
        ) {
            let q = questionnaire();
            for (id, value) in [("sitting_hours", Value::Number(hours)), ("sitting_hours", Value::Number(tiny)), ("age", Value::Integer(age))] {
                let index = q.question_index(id).expect("a question");
                let shown = field_value(&q.questions[index].kind, value);
                proptest::prop_assert_eq!(read_answer(&q, id, &shown), Ok(value), "{}", shown);
            }
        }
    }

    #[test]
    fn hidden_fields_write_answers_as_field_value_does() {
        let q = questionnaire();
        let mut answers = Answers::empty(&q);
        for (index, question) in q.questions.iter().enumerate() {
            let value = match &question.kind {
                Kind::Integer { max, .. } => Value::Integer(*max),
                Kind::Number { min, .. } => Value::Number(*min + 0.5),
                kind => Value::Option(u16::try_from(kind.option_ids().len() - 1).expect("few options")),
            };
            answers.set(index, Some(value));
        }
        for (name, value) in hidden_fields(&q, &answers, &[], None) {
            let index = q.question_index(name).expect("a question");
            let expected = field_value(&q.questions[index].kind, answers.get(index).expect("an answer"));
            assert_eq!(value, expected, "{name}");
        }
    }

    proptest::proptest! {
        #[test]
        fn hidden_choices_are_written_as_hidden_inputs_writes_them(
            picks in proptest::collection::vec((0..4u8, 0..6u16, -3..200i64), 60),
            except in proptest::option::of(0..60usize),
        ) {
            // Each question answered (a choice, a number, anything out of
            // range), skipped or left, at random.
            let q = questionnaire();
            let mut answers = Answers::empty(&q);
            let mut skipped = Vec::new();
            for (index, question) in q.questions.iter().enumerate() {
                let (what, option, number) = picks[index % picks.len()];
                let value = match (what, &question.kind) {
                    (0, _) => None,
                    (1, _) => {
                        skipped.push(index);
                        None
                    }
                    (_, Kind::Integer { .. }) => Some(Value::Integer(number)),
                    (_, Kind::Number { .. }) => Some(Value::Number(number as f64 / 4.0)),
                    (_, _) => Some(Value::Option(option)),
                };
                answers.set(index, value);
            }
            let plain = crate::web::pages::hidden_inputs(&hidden_fields(&q, &answers, &skipped, except));
            let choices = HiddenChoices::new(&q);
            proptest::prop_assert_eq!(choices.inputs(&q, &answers, &skipped, except), plain);
        }
    }

    proptest::proptest! {
        #[test]
        fn posted_numbers_are_read_as_json_reads_them(text in "[0-9]{0,18}|[0-9 .+eE-]{0,18}") {
            let json = text.trim().parse::<serde_json::Number>().ok();
            proptest::prop_assert_eq!(posted_number(&text), json);
        }
    }

    #[test]
    fn good_forms_are_checked_as_documents_are() {
        let q = questionnaire();
        let document = include_str!("../../examples/desk-worker.json");
        let document = crate::answers::AnswersDocument::parse(document.as_bytes()).expect("a document");
        let expected = Answers::from_document(&q, &document.answers).expect("good answers");
        let posted: Vec<(Cow<'_, str>, Cow<'_, str>)> = document
            .answers
            .0
            .iter()
            .map(|(id, value)| {
                let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                (Cow::Borrowed(id.as_str()), Cow::Owned(value))
            })
            .collect();
        assert!(all_good(&q, &posted).is_some());
        assert_eq!(
            check(&q, posted.clone()).ok().map(|a| a.values().to_vec()),
            Some(expected.values().to_vec())
        );
        // A problem anywhere leaves the fast path, for the full messages.
        for bad in [("age", " 34.5"), ("rf_both_legs", "maybe"), ("nonsense", "1")] {
            let mut posted = posted.clone();
            posted.push((Cow::Borrowed(bad.0), Cow::Borrowed(bad.1)));
            assert!(all_good(&q, &posted).is_none(), "{bad:?}");
            assert!(check(&q, posted).is_err(), "{bad:?}");
        }
    }
}
