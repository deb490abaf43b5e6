//! The report: the outcome of one evaluation, as a plain value.
//!
//! A [`Report`] holds everything a renderer shows and nothing it has to
//! compute. Its texts borrow from the questionnaire, so evaluating a batch
//! copies no text; serialising it gives the JSON contract and deserialising
//! that JSON gives the same report back.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::answers::Given;
use crate::model::{is_false, Level, NotePlace, Recommendation, RecommendationKind};

type Text<'q> = Cow<'q, str>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report<'q> {
    pub questionnaire: QuestionnaireInfo<'q>,
    pub intended_purpose: Text<'q>,
    /// The "not a diagnosis" statement.
    pub disclaimer: Text<'q>,
    pub triage: Triage<'q>,
    /// Every answer in force, in questionnaire order, so that a clinician
    /// reading the report sees what it rests on. (Answers to questions
    /// that did not apply are in `ignored_answers`.)
    #[serde(default)]
    pub answers: Vec<Shown<'q>>,
    /// Red-flag questions left unanswered; each raised the level.
    pub unanswered_red_flags: Vec<Text<'q>>,
    /// Every question that applied but was not answered (red flags
    /// included), in questionnaire order.
    pub unanswered: Vec<Text<'q>>,
    /// Answers given to questions whose condition was false; they did not
    /// affect anything.
    pub ignored_answers: Vec<Text<'q>>,
    /// The wording of every question listed in `unanswered_red_flags`,
    /// `unanswered` or `ignored_answers`, in questionnaire order, so that a
    /// reader is shown questions rather than ids.
    #[serde(default)]
    pub question_texts: Vec<QuestionText<'q>>,
    pub domains: Vec<DomainResult<'q>>,
    /// Why parts of the plan were withheld (for example under 18, or at
    /// `urgent`).
    pub notices: Vec<Notice<'q>>,
    pub recommendations: Vec<Chosen<'q>>,
    /// Recommendations whose rules held but whose kind a plan limit
    /// withheld.
    pub withheld: Vec<Withheld<'q>>,
    /// Notes chosen by rule, each shown once where `place` says: beside
    /// the plan (a stop rule) or beside the safety net.
    #[serde(default)]
    pub notes: Vec<NoteEntry<'q>>,
    pub contested: Vec<ContestedEntry<'q>>,
    /// What to do if any safety-net sign appears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_net_intro: Option<Text<'q>>,
    pub safety_net: Vec<Text<'q>>,
    /// Further tiers of the safety net (such as "contact a doctor the
    /// same day if"), after the first.
    #[serde(default)]
    pub safety_net_tiers: Vec<SafetyNetTier<'q>>,
    pub sources: Vec<SourceEntry<'q>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionnaireInfo<'q> {
    pub id: Text<'q>,
    pub version: Text<'q>,
    pub title: Text<'q>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Triage<'q> {
    pub level: Level,
    pub title: Text<'q>,
    pub action: Text<'q>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_note: Option<Text<'q>>,
    /// Every rule that fired, in evaluation order: the explain trace.
    pub reasons: Vec<Reason<'q>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason<'q> {
    pub rule: Text<'q>,
    pub level: Level,
    pub because: Text<'q>,
    /// For a red flag: the sign in plain words, for a reader who is
    /// never shown ids ("you were not sure about ...").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<Text<'q>>,
    /// The red flag or rule is marked `foremost`: the person's part gives
    /// this reason before any other and never leaves it out. Written only
    /// when `true`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub foremost: bool,
    /// The answers the rule looked at (`null`: unanswered).
    pub answers: Vec<Shown<'q>>,
    pub sources: Vec<Text<'q>>,
}

/// A question and the answer given, as it appears in a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shown<'q> {
    pub question: Text<'q>,
    pub answer: Option<Given<'q>>,
}

/// A question named in a report, with its wording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionText<'q> {
    pub id: Text<'q>,
    pub text: Text<'q>,
    /// For a red flag: the sign in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<Text<'q>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainResult<'q> {
    pub id: Text<'q>,
    pub title: Text<'q>,
    /// `null` when too few items were answered (or for classifications).
    #[serde(serialize_with = "whole_if_integral", deserialize_with = "optional_number")]
    pub score: Option<f64>,
    #[serde(serialize_with = "whole_if_integral", deserialize_with = "optional_number")]
    pub max: Option<f64>,
    pub answered: usize,
    pub band: Option<Text<'q>>,
    pub explanation: Text<'q>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text<'q>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice<'q> {
    pub id: Text<'q>,
    pub text: Text<'q>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chosen<'q> {
    pub id: Text<'q>,
    pub kind: RecommendationKind,
    /// Part of the person's plan; `false`: chosen, but beyond the plan's
    /// size, and named only as a further option.
    pub in_plan: bool,
    pub title: Text<'q>,
    pub evidence: Text<'q>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_note: Option<Text<'q>>,
    /// Why it was chosen, one sentence per rule that chose it.
    pub why: Text<'q>,
    pub summary: Text<'q>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<Text<'q>>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub how_to: Texts<'q>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progression: Option<Text<'q>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_rule: Option<Text<'q>>,
    pub sources: Texts<'q>,
}

/// A list of texts as the questionnaire keeps it, borrowed whole.
pub type Texts<'q> = Cow<'q, [String]>;

fn is_empty(texts: &Texts<'_>) -> bool {
    texts.is_empty()
}

impl<'q> Chosen<'q> {
    /// Recommendation `rec` as chosen, its texts borrowed, with why it was
    /// chosen.
    pub fn of(rec: &'q Recommendation, in_plan: bool, why: Text<'q>) -> Chosen<'q> {
        Chosen {
            id: Cow::Borrowed(&rec.id),
            kind: rec.kind,
            in_plan,
            title: Cow::Borrowed(&rec.title),
            evidence: Cow::Borrowed(&rec.evidence),
            evidence_note: rec.evidence_note.as_deref().map(Cow::Borrowed),
            why,
            summary: Cow::Borrowed(&rec.summary),
            dose: rec.dose.as_deref().map(Cow::Borrowed),
            how_to: Cow::Borrowed(&rec.how_to),
            progression: rec.progression.as_deref().map(Cow::Borrowed),
            stop_rule: rec.stop_rule.as_deref().map(Cow::Borrowed),
            sources: Cow::Borrowed(&rec.sources),
        }
    }
}

/// A note chosen by rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteEntry<'q> {
    pub id: Text<'q>,
    pub place: NotePlace,
    pub text: Text<'q>,
}

/// A further tier of the safety net.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyNetTier<'q> {
    pub intro: Text<'q>,
    pub signs: Vec<Text<'q>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Withheld<'q> {
    pub id: Text<'q>,
    pub kind: RecommendationKind,
    /// The plan limit that withheld it.
    pub by: Text<'q>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestedEntry<'q> {
    pub id: Text<'q>,
    pub title: Text<'q>,
    pub label: Text<'q>,
    pub summary: Text<'q>,
    /// The evidence in detail, for the clinician's part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_note: Option<Text<'q>>,
    pub sources: Vec<Text<'q>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceEntry<'q> {
    pub id: Text<'q>,
    pub citation: Text<'q>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Text<'q>>,
}

/// Scores are whole numbers for sums: write `4`, not `4.0`. (The JSON Lines
/// writer writes scores with it too.)
pub(crate) fn whole_if_integral<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) if v.fract() == 0.0 && v.abs() < 9e15 => serializer.serialize_i64(*v as i64),
        Some(v) => serializer.serialize_f64(*v),
        None => serializer.serialize_none(),
    }
}

fn optional_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    Option::<f64>::deserialize(deserializer)
}
