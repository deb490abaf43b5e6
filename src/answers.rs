//! Answers documents: parsing and checking them against a questionnaire.
//!
//! Parsing happens in two steps. [`AnswersDocument::parse`] reads the JSON
//! and rejects what no questionnaire could accept (bad syntax, a duplicate
//! key, a `null`), with line and column. [`Answers::from_document`] then
//! checks every answer against its question and reports every bad one at
//! once, each naming the question id, what was expected and what was given.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::error::{Error, ErrorKind};
use crate::limits::MAX_ID_CHARS;
pub use crate::model::Value;
use crate::model::{Kind, YES_NO, YES_NO_NOT_SURE};
use crate::questionnaire::Questionnaire;
use crate::suggest::{did_you_mean, hint, list, shown};

/// An answers document as read from JSON, before it is checked against a
/// questionnaire.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswersDocument {
    /// The questionnaire id the answers are for, if the document names it.
    #[serde(default, deserialize_with = "questionnaire_id")]
    pub questionnaire: Option<String>,
    pub answers: RawAnswers,
}

/// A `questionnaire` that is there is an id: `null` is refused, as it is
/// for an answer, rather than read as "the default".
fn questionnaire_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        Some(id) => Ok(Some(id)),
        None => Err(de::Error::custom(
            "`questionnaire` is null; give a questionnaire id, or leave the key out for the default",
        )),
    }
}

/// The `answers` object, in document order, with duplicate keys and `null`
/// values already rejected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawAnswers(pub Vec<(String, Json)>);

impl<'de> Deserialize<'de> for RawAnswers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawVisitor;

        impl<'de> Visitor<'de> for RawVisitor {
            type Value = RawAnswers;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object mapping question ids to answers")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawAnswers, A::Error> {
                let mut entries: Vec<(String, Json)> = Vec::new();
                // Hashed, so that a document of many keys is checked in
                // time proportional to its length (with a keyed hash much
                // cheaper than the standard one on keys this short).
                let mut seen: foldhash::HashSet<String> = Default::default();
                while let Some(key) = map.next_key::<String>()? {
                    let shown = || crate::shown::id(&key);
                    let chars = key.chars().count();
                    if chars > MAX_ID_CHARS {
                        return Err(de::Error::custom(format_args!(
                            "answer `{}` has a key of {chars} characters, longer than any question id can be ({MAX_ID_CHARS})",
                            shown()
                        )));
                    }
                    if !seen.insert(key.clone()) {
                        return Err(de::Error::custom(format_args!(
                            "answer `{}` is given twice; give each answer once",
                            shown()
                        )));
                    }
                    let value: Json = map.next_value()?;
                    if value.is_null() {
                        return Err(de::Error::custom(format_args!(
                            "answer `{}` is null; leave the key out to leave a question unanswered",
                            shown()
                        )));
                    }
                    entries.push((key, value));
                }
                Ok(RawAnswers(entries))
            }
        }

        deserializer.deserialize_map(RawVisitor)
    }
}

impl AnswersDocument {
    /// Parses a document from bytes (which must be UTF-8 JSON).
    pub fn parse(input: &[u8]) -> Result<AnswersDocument, Error> {
        // Almost every document in a batch is good, and keeping track of
        // the JSON path for error messages takes a good part of the time
        // of reading one. So an object is read without it first; only a
        // document that fails is read again, with every check and the path.
        // Both read an object alike, so a good one gives the same answers.
        let object = input.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        match serde_json::from_slice(input) {
            Ok(document) if object => Ok(document),
            _ => crate::json::parse(input, "an answers document"),
        }
    }
}

/// Checked answers, one slot per question of a questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    values: Vec<Option<Value>>,
}

impl Answers {
    /// No answers yet, for `questionnaire`.
    pub fn empty(questionnaire: &Questionnaire) -> Answers {
        Answers { values: vec![None; questionnaire.questions.len()] }
    }

    /// Makes these answers [`Answers::empty`] for `questionnaire` again,
    /// keeping their room: for a caller that reads many respondents.
    pub(crate) fn clear(&mut self, questionnaire: &Questionnaire) {
        self.values.clear();
        self.values.resize(questionnaire.questions.len(), None);
    }

    /// Checks every answer of a document; on failure the error lists every
    /// bad answer, one per line.
    pub fn from_document(questionnaire: &Questionnaire, raw: &RawAnswers) -> Result<Answers, Error> {
        let mut answers = Answers::empty(questionnaire);
        let mut problems: Vec<(ErrorKind, String)> = Vec::new();
        let ids = &questionnaire.compiled.index.questions;
        for (id, given) in &raw.0 {
            match ids.get(id) {
                Some(index) => match check(&questionnaire.questions[index].kind, given) {
                    Ok(value) => answers.values[index] = Some(value),
                    Err(expected) => problems.push((
                        ErrorKind::InvalidAnswer,
                        format!(
                            "answer `{}`: expected {expected}, got {}",
                            crate::shown::id(id),
                            shown(given)
                        ),
                    )),
                },
                None => {
                    let hint = hint(ids.suggest(id));
                    problems.push((
                        ErrorKind::UnknownQuestion,
                        format!(
                            "answer `{}`: questionnaire `{}` has no such question{hint}",
                            crate::shown::id(id),
                            questionnaire.id
                        ),
                    ));
                }
            }
        }
        match problems.first() {
            None => Ok(answers),
            Some((kind, _)) => Err(Error::lines(*kind, problems.iter().map(|(_, m)| m.clone()))),
        }
    }

    /// The answer to the question at `index`, if any.
    pub fn get(&self, index: usize) -> Option<Value> {
        self.values.get(index).copied().flatten()
    }

    /// Sets or clears the answer at `index`.
    pub fn set(&mut self, index: usize, value: Option<Value>) {
        if let Some(slot) = self.values.get_mut(index) {
            *slot = value;
        }
    }

    /// Every slot, by question index.
    pub fn values(&self) -> &[Option<Value>] {
        &self.values
    }

    /// The answers as a document that [`AnswersDocument::parse`] and
    /// [`Answers::from_document`] turn back into the same answers.
    pub fn to_document(&self, questionnaire: &Questionnaire) -> Json {
        let mut answers = serde_json::Map::new();
        for (question, value) in questionnaire.questions.iter().zip(&self.values) {
            if let Some(value) = value {
                answers.insert(question.id.clone(), to_json(&question.kind, *value));
            }
        }
        serde_json::json!({ "questionnaire": questionnaire.id, "answers": answers })
    }
}

/// An answer as it is written, as a person would write it in a document:
/// an option's id (borrowed from the questionnaire) or a number. Reports
/// show answers this way, with no string made for each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Given<'q> {
    Option(Cow<'q, str>),
    Number(serde_json::Number),
}

impl<'q> Given<'q> {
    /// The answer `value` to a question of `kind`; `None` for a number JSON
    /// cannot write (never a checked answer).
    pub fn of(kind: &'q Kind, value: Value) -> Option<Given<'q>> {
        match value {
            Value::Option(i) => {
                Some(Given::Option(Cow::Borrowed(kind.option_id(usize::from(i)).unwrap_or(""))))
            }
            Value::Integer(i) => Some(Given::Number(i.into())),
            Value::Number(n) => serde_json::Number::from_f64(n).map(Given::Number),
        }
    }
}

/// An answer as JSON, as a person would write it in a document ([`Given`];
/// `null` for a number JSON cannot write).
pub fn to_json(kind: &Kind, value: Value) -> Json {
    match Given::of(kind, value) {
        Some(Given::Option(id)) => Json::String(id.into_owned()),
        Some(Given::Number(number)) => Json::Number(number),
        None => Json::Null,
    }
}

/// Checks one JSON value against a question kind; the error says what was
/// expected. The message is built only for a bad answer: in a batch, almost
/// every answer is good.
pub fn check(kind: &Kind, given: &Json) -> Result<Value, String> {
    let value = match (kind, given) {
        (Kind::Integer { min, max, .. }, _) => given
            .as_i64()
            .or_else(|| whole_float(given))
            .filter(|i| (*min..=*max).contains(i))
            .map(Value::Integer),
        // `-0` is 0: adding 0 drops the sign, which a report would show.
        (Kind::Number { min, max, .. }, _) => given
            .as_f64()
            .filter(|n| n.is_finite() && *min <= *n && *n <= *max)
            .map(|n| Value::Number(n + 0.0)),
        (kind, Json::String(text)) => option_index(kind, text).map(Value::Option),
        _ => None,
    };
    value.ok_or_else(|| expected(kind, given))
}

/// A whole number written as a float (`42.0`, `4.2e1`, and `-0`, which
/// serde_json reads as -0.0) is that integer, as JSON Schema's `integer`
/// has it, as a typed `42.0` is read, and as tables from pandas hold a
/// column of whole numbers with gaps. Only where it is exact: below 2^53.
fn whole_float(given: &Json) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    given.as_f64().filter(|n| n.fract() == 0.0 && n.abs() < EXACT).map(|n| n as i64)
}

/// The index of the option `id` of a question answered with an option.
pub(crate) fn option_index(kind: &Kind, id: &str) -> Option<u16> {
    let index = match kind {
        // The order of `Kind::option_ids`, without building the list.
        Kind::YesNo => YES_NO.iter().position(|o| *o == id),
        Kind::YesNoNotSure => YES_NO_NOT_SURE.iter().position(|o| *o == id),
        Kind::SingleChoice { options } => options.iter().position(|o| o.id == id),
        Kind::Integer { .. } | Kind::Number { .. } => None,
    };
    index.and_then(|i| u16::try_from(i).ok())
}

/// What a question of `kind` expected, for an answer it refused: with a
/// suggestion for a misspelt option.
fn expected(kind: &Kind, given: &Json) -> String {
    match kind {
        Kind::Integer { min, max, unit } => format!("an integer from {min} to {max}{}", unit_suffix(unit)),
        Kind::Number { min, max, unit } => format!("a number from {min} to {max}{}", unit_suffix(unit)),
        Kind::YesNo | Kind::YesNoNotSure | Kind::SingleChoice { .. } => {
            let ids = kind.option_ids();
            let suggestion = match given {
                Json::String(text) => {
                    hint(yes_or_no_meant(kind, text).or_else(|| did_you_mean(text, ids.iter().copied())))
                }
                _ => String::new(),
            };
            format!("one of {}{suggestion}", list(&ids))
        }
    }
}

/// The yes/no answer `text` stands for, where a table or a program wrote a
/// boolean its own way (`TRUE`, `false`, `Y`), for a question of a yes/no
/// kind: to suggest, never to read. `1` and `0` are not among them, as
/// codings disagree on which is yes.
fn yes_or_no_meant(kind: &Kind, text: &str) -> Option<&'static str> {
    if !matches!(kind, Kind::YesNo | Kind::YesNoNotSure) {
        return None;
    }
    let is = |words: [&str; 2]| words.iter().any(|word| text.eq_ignore_ascii_case(word));
    if is(["true", "y"]) {
        Some("yes")
    } else if is(["false", "n"]) {
        Some("no")
    } else {
        None
    }
}

fn unit_suffix(unit: &Option<String>) -> String {
    unit.as_ref().map(|u| format!(" ({u})")).unwrap_or_default()
}

/// Any value a question of `kind` takes: for property tests.
#[cfg(test)]
pub(crate) fn any_value(kind: &Kind) -> proptest::strategy::BoxedStrategy<Value> {
    use proptest::prelude::*;
    match kind {
        Kind::Integer { min, max, .. } => (*min..=*max).prop_map(Value::Integer).boxed(),
        Kind::Number { min, max, .. } => (*min..=*max).prop_map(Value::Number).boxed(),
        kind => {
            let count = u16::try_from(kind.option_ids().len()).expect("few options");
            (0..count).prop_map(Value::Option).boxed()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_whole_number_written_as_a_float_answers_an_integer_question() {
        let age = Kind::Integer { min: 0, max: 120, unit: None };
        for given in [json!(42), json!(42.0), json!(4.2e1)] {
            assert_eq!(check(&age, &given), Ok(Value::Integer(42)), "{given}");
        }
        assert_eq!(check(&age, &json!(-0.0)), Ok(Value::Integer(0)));
        for given in [json!(42.5), json!(1e300), json!(120.000001), json!("42")] {
            assert!(check(&age, &given).is_err(), "{given}");
        }
    }

    #[test]
    fn a_boolean_written_otherwise_is_refused_with_the_answer_it_means() {
        for kind in [Kind::YesNo, Kind::YesNoNotSure] {
            for (given, meant) in
                [("TRUE", "yes"), ("True", "yes"), ("Y", "yes"), ("FALSE", "no"), ("n", "no")]
            {
                let expected = check(&kind, &json!(given)).expect_err(given);
                assert!(expected.ends_with(&format!(" (did you mean `{meant}`?)")), "{given}: {expected}");
            }
            for given in ["1", "0", "yes please"] {
                assert!(!check(&kind, &json!(given)).expect_err(given).contains("did you mean"), "{given}");
            }
        }
        let choice = Kind::SingleChoice {
            options: vec![crate::model::Choice { id: "none".into(), label: "None".into() }],
        };
        assert!(!check(&choice, &json!("TRUE")).expect_err("TRUE").contains("did you mean"));
    }
}
