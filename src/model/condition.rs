//! The condition language as written in a questionnaire file: a JSON
//! expression tree, not a string to parse.
//!
//! This is plain data, read from the file and checked for shape only; the
//! names in it (questions, options, domains, bands) are resolved later, by
//! [`crate::condition`].

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::model::Level;
use crate::suggest::{did_you_mean, hint, list, shown};

/// A condition as written in a questionnaire file: an object with exactly
/// one operator.
///
/// Reading is written by hand rather than derived so that a mistake is
/// described in the file's terms (`` `is` takes [question id, option id] ``)
/// rather than in Rust's (`tuple variant Condition::Is`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Every condition holds (`{"all": []}` is always true).
    All(Vec<Condition>),
    /// At least one condition holds (`{"any": []}` is always false).
    Any(Vec<Condition>),
    Not(Box<Condition>),
    /// At least N of the conditions hold: `{"at_least": [2, [...]]}`.
    AtLeast(usize, Vec<Condition>),
    /// Exactly N of the conditions hold: `{"exactly": [3, [...]]}`.
    Exactly(usize, Vec<Condition>),
    /// The answer is this option: `{"is": ["leg_pain", "below_knee"]}`.
    Is(String, String),
    /// The answer is one of these options.
    OneOf(String, Vec<String>),
    /// Numeric comparisons: `{"gte": ["age", 50]}`.
    Gte(String, f64),
    Gt(String, f64),
    Lte(String, f64),
    Lt(String, f64),
    /// The question was asked and answered.
    Answered(String),
    /// A domain's score compared with a number: `{"score_gte": ["total", 4]}`.
    ScoreGte(String, f64),
    ScoreLte(String, f64),
    /// A domain's band is one of these: `{"band_in": ["sitting_load", ["high"]]}`.
    BandIn(String, Vec<String>),
    /// The triage level reached so far is at least this level.
    LevelAtLeast(Level),
    /// The triage level reached so far is below this level.
    LevelBelow(Level),
    /// In `ask_if` only: the level raised by the questions before this
    /// one is at least this level.
    LevelBeforeAtLeast(Level),
    /// In `ask_if` only: the level raised by the questions before this
    /// one is below this level.
    LevelBeforeBelow(Level),
    /// After triage: one of these triage rules or red flags (by question
    /// id) raised the level.
    Fired(Vec<String>),
}

/// Every operator, in the order the format documents them.
const OPERATORS: [&str; 20] = [
    "all",
    "any",
    "not",
    "at_least",
    "exactly",
    "is",
    "one_of",
    "gte",
    "gt",
    "lte",
    "lt",
    "answered",
    "score_gte",
    "score_lte",
    "band_in",
    "level_at_least",
    "level_below",
    "level_before_at_least",
    "level_before_below",
    "fired",
];

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Condition, D::Error> {
        deserializer.deserialize_map(ConditionVisitor)
    }
}

struct ConditionVisitor;

impl<'de> Visitor<'de> for ConditionVisitor {
    type Value = Condition;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a condition: an object with one operator, such as {"is": ["question", "option"]}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Condition, A::Error> {
        let Some(operator) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                r#"a condition needs an operator, such as {"all": [...]}; got {}"#,
            ));
        };
        let condition = match operator.as_str() {
            // Conditions inside conditions are read as they stream by, so
            // that an error deep inside keeps its own position and path.
            "all" => Condition::All(map.next_value()?),
            "any" => Condition::Any(map.next_value()?),
            "not" => Condition::Not(Box::new(map.next_value()?)),
            "at_least" => {
                let (n, parts) = map.next_value_seed(CountArgs("at_least"))?;
                Condition::AtLeast(n, parts)
            }
            "exactly" => {
                let (n, parts) = map.next_value_seed(CountArgs("exactly"))?;
                Condition::Exactly(n, parts)
            }
            // The other operators take a few plain values, checked here.
            leaf @ ("is"
            | "one_of"
            | "gte"
            | "gt"
            | "lte"
            | "lt"
            | "answered"
            | "score_gte"
            | "score_lte"
            | "band_in"
            | "level_at_least"
            | "level_below"
            | "level_before_at_least"
            | "level_before_below"
            | "fired") => {
                let args: Json = map.next_value()?;
                leaf_condition(leaf, &args).ok_or_else(|| de::Error::custom(wrong_args(leaf, &args)))?
            }
            other => {
                let hint = hint(did_you_mean(other, OPERATORS));
                return Err(de::Error::custom(format_args!(
                    "unknown operator `{other}`{hint}: a condition is one of {}",
                    list(&OPERATORS)
                )));
            }
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format_args!(
                "a condition has one operator, but this one has `{operator}` and `{extra}`: combine conditions with `all` or `any`"
            )));
        }
        Ok(condition)
    }
}

/// The arguments of `at_least` and `exactly`, named by the operator: a
/// count and a list of conditions.
struct CountArgs(&'static str);

impl<'de> de::DeserializeSeed<'de> for CountArgs {
    type Value = (usize, Vec<Condition>);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for CountArgs {
    type Value = (usize, Vec<Condition>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = self.0;
        write!(f, r#"`{op}` to take [count, [conditions]], as in {{"{op}": [2, [...]]}}"#)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let op = self.0;
        let count: Json = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let n = count.as_u64().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| {
            de::Error::custom(format_args!(
                r#"`{op}` takes [count, [conditions]], as in {{"{op}": [2, [...]]}}; got {} as the count"#,
                shown(&count)
            ))
        })?;
        let parts = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Ok((n, parts))
    }
}

/// A leaf condition from its operator and arguments; `None` when the
/// arguments have the wrong shape.
fn leaf_condition(operator: &str, args: &Json) -> Option<Condition> {
    let text = |v: &Json| v.as_str().map(str::to_owned);
    let texts = |v: &Json| v.as_array()?.iter().map(text).collect::<Option<Vec<String>>>();
    let pair = || match args.as_array()?.as_slice() {
        [first, second] => Some((text(first)?, second)),
        _ => None,
    };
    let number = || pair().and_then(|(id, n)| Some((id, n.as_f64()?)));
    Some(match operator {
        "is" => pair().and_then(|(q, o)| Some(Condition::Is(q, text(o)?)))?,
        "one_of" => pair().and_then(|(q, os)| Some(Condition::OneOf(q, texts(os)?)))?,
        "gte" => number().map(|(q, n)| Condition::Gte(q, n))?,
        "gt" => number().map(|(q, n)| Condition::Gt(q, n))?,
        "lte" => number().map(|(q, n)| Condition::Lte(q, n))?,
        "lt" => number().map(|(q, n)| Condition::Lt(q, n))?,
        "answered" => Condition::Answered(text(args)?),
        "score_gte" => number().map(|(d, n)| Condition::ScoreGte(d, n))?,
        "score_lte" => number().map(|(d, n)| Condition::ScoreLte(d, n))?,
        "band_in" => pair().and_then(|(d, bs)| Some(Condition::BandIn(d, texts(bs)?)))?,
        "level_at_least" => Condition::LevelAtLeast(level(args)?),
        "level_below" => Condition::LevelBelow(level(args)?),
        "level_before_at_least" => Condition::LevelBeforeAtLeast(level(args)?),
        "level_before_below" => Condition::LevelBeforeBelow(level(args)?),
        "fired" => Condition::Fired(texts(args)?),
        _ => return None,
    })
}

fn level(args: &Json) -> Option<Level> {
    Level::ALL.into_iter().find(|level| Some(level.as_str()) == args.as_str())
}

/// What a leaf operator takes, with an example, and what it was given.
fn wrong_args(operator: &str, args: &Json) -> String {
    let (takes, example) = match operator {
        "is" => ("[question id, option id]", r#"["pain_where", "back"]"#),
        "one_of" => ("[question id, [option ids]]", r#"["pain_where", ["back", "leg"]]"#),
        "gte" | "gt" | "lte" | "lt" => ("[question id, number]", r#"["age", 50]"#),
        "answered" => ("a question id", r#""age""#),
        "score_gte" | "score_lte" => ("[domain id, number]", r#"["total", 4]"#),
        "band_in" => ("[domain id, [band ids]]", r#"["total", ["high"]]"#),
        "fired" => ("[rule or red-flag ids]", r#"["worsening", "rf_night_pain"]"#),
        _ => ("a level: `self_care`, `soon`, `urgent` or `emergency`", r#""urgent""#),
    };
    let given = shown(args);
    let levels = Level::ALL.map(Level::as_str);
    let hint = match args.as_str() {
        Some(name) if operator.starts_with("level_") => hint(did_you_mean(name, levels)),
        _ => String::new(),
    };
    format!(r#"`{operator}` takes {takes}, as in {{"{operator}": {example}}}; got {given}{hint}"#)
}
