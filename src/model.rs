//! The questionnaire model: everything a questionnaire file can say.
//!
//! These types mirror the JSON format one to one (see `docs/format.md`), so
//! that a questionnaire is plain data that clinicians can review without
//! reading Rust. Every struct denies unknown fields: a misspelt key is an
//! error, never a silently ignored rule.

use std::fmt;

use serde::{Deserialize, Serialize};

mod condition;

pub use condition::Condition;

/// A complete questionnaire: questions, rules, scores and the fixed texts of
/// its report.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Stable identifier, used by answers documents and `selfcheck list`.
    pub id: String,
    /// Semantic version of the content (`MAJOR.MINOR.PATCH`).
    pub version: String,
    pub title: String,
    /// BCP 47 language tag of every text in the file.
    pub language: String,
    /// What the questionnaire is for and who it is for; shown first in
    /// every report.
    pub intended_purpose: String,
    /// The "not a diagnosis" statement shown in every report.
    pub disclaimer: String,
    /// What the report tells the person at each triage level.
    pub levels: LevelTexts,
    #[serde(default)]
    pub sections: Vec<Section>,
    pub questions: Vec<Question>,
    /// Rules that raise the triage level, on top of the red-flag markers.
    #[serde(default)]
    pub triage_rules: Vec<TriageRule>,
    #[serde(default)]
    pub domains: Vec<Domain>,
    /// The recommendation catalogue; reports list chosen entries in this order.
    #[serde(default)]
    pub recommendations: Vec<Recommendation>,
    /// Rules that choose catalogue entries.
    #[serde(default)]
    pub selection_rules: Vec<SelectionRule>,
    /// Rules that withhold kinds of recommendation (for example every
    /// exercise at `urgent` and above) and say why.
    #[serde(default)]
    pub plan_limits: Vec<PlanLimit>,
    /// How many recommendations of some kinds a plan holds at most; the
    /// others chosen are named once as further options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_size: Option<PlanSize>,
    /// Notes chosen by a condition and shown once: beside the plan (a stop
    /// rule) or beside the safety net (a notice for some people only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Approaches a person may read about elsewhere, with an honest label;
    /// never recommendations.
    #[serde(default)]
    pub contested: Vec<Contested>,
    /// The sentence that introduces the safety net (what to do if any of
    /// the signs appears).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_net_intro: Option<String>,
    /// Warning signs repeated at the end of every report, the same for
    /// everyone.
    pub safety_net: Vec<String>,
    /// Further tiers of the safety net, each with its own introduction
    /// (for example "contact a doctor the same day if"), the same for
    /// everyone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safety_net_tiers: Vec<SafetyNetTier>,
    /// Sources cited by every report (for the purpose and the safety net).
    #[serde(default)]
    pub cite_always: Vec<String>,
    pub sources: Vec<Source>,
}

/// One answer, already checked against its question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// An option, by its index among the question's options (`yes`, `no`,
    /// `not_sure` for the yes/no kinds).
    Option(u16),
    Integer(i64),
    Number(f64),
}

impl Value {
    /// The value as a number, for comparisons; options have none.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Value::Option(_) => None,
            Value::Integer(i) => Some(i as f64),
            Value::Number(n) => Some(n),
        }
    }
}

/// The four triage levels, from least to most cautious.
///
/// The order is the point: triage takes the maximum over every rule that
/// fires, so a rule can only ever make the outcome more cautious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    SelfCare,
    Soon,
    Urgent,
    Emergency,
}

impl Level {
    /// Every level, least cautious first.
    pub const ALL: [Level; 4] = [Level::SelfCare, Level::Soon, Level::Urgent, Level::Emergency];

    /// The JSON name of the level.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::SelfCare => "self_care",
            Level::Soon => "soon",
            Level::Urgent => "urgent",
            Level::Emergency => "emergency",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the report says at each level.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LevelTexts {
    pub emergency: LevelText,
    pub urgent: LevelText,
    pub soon: LevelText,
    pub self_care: LevelText,
}

impl LevelTexts {
    pub fn get(&self, level: Level) -> &LevelText {
        match level {
            Level::Emergency => &self.emergency,
            Level::Urgent => &self.urgent,
            Level::Soon => &self.soon,
            Level::SelfCare => &self.self_care,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LevelText {
    /// A short heading, such as "Emergency: act now".
    pub title: String,
    /// What to do, in plain words.
    pub action: String,
    /// A line shown above the plan at this level (for example "gentle,
    /// stop if worse"), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "QuestionFields")]
pub struct Question {
    /// Stable id: the key in answers documents. Never renamed once shipped.
    pub id: String,
    /// The section this question belongs to, if the file has sections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    pub text: String,
    /// How to answer, for example how to do a self-check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The answer type, written flat in the file: `"kind": "integer",
    /// "min": 0, "max": 120`.
    pub kind: Kind,
    /// Ask only when this holds. While it does not, any answer given is
    /// kept aside and never affects the outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask_if: Option<Condition>,
    /// Marks a red-flag question and the levels its answers raise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub red_flag: Option<RedFlag>,
    /// Keep asking this question (when its condition holds) even after an
    /// answer has raised the level to `emergency`, because its answer
    /// refines the emergency advice.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ask_before_stop: bool,
}

impl Question {
    /// Whether the question cannot be skipped when asked in person: a red
    /// flag, or a follow-up asked before an emergency stop. Their answers
    /// decide how urgent the advice is, so an offer to stop with the
    /// report waits for them too.
    pub fn needed_for_safety(&self) -> bool {
        self.red_flag.is_some() || self.ask_before_stop
    }
}

/// For `skip_serializing_if`: a flag written only when set.
pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}

/// A question as written: the kind's parameters sit beside `kind`. serde's
/// `flatten` cannot be combined with `deny_unknown_fields`, so the file is
/// read into this flat form and checked on conversion.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFields {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    section: Option<String>,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    help: Option<String>,
    kind: KindName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    options: Option<Vec<Choice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<serde_json::Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<serde_json::Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ask_if: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    red_flag: Option<RedFlag>,
    #[serde(default, skip_serializing_if = "is_false")]
    ask_before_stop: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
enum KindName {
    YesNo,
    YesNoNotSure,
    SingleChoice,
    Integer,
    Number,
}

impl TryFrom<QuestionFields> for Question {
    type Error = String;

    fn try_from(f: QuestionFields) -> Result<Question, String> {
        let id = &f.id;
        let extra =
            |what: &str| format!("question `{id}`: a {} question has no `{what}`", kind_label(f.kind));
        let integer = |n: &Option<serde_json::Number>, what: &str| match n {
            Some(n) => n.as_i64().ok_or_else(|| format!("question `{id}`: `{what}` must be a whole number")),
            None => Err(format!("question `{id}`: an integer question needs `{what}`")),
        };
        let number = |n: &Option<serde_json::Number>, what: &str| match n.as_ref().and_then(|n| n.as_f64()) {
            Some(n) => Ok(n),
            None => Err(format!("question `{id}`: a number question needs `{what}`")),
        };
        let kind = match f.kind {
            KindName::YesNo | KindName::YesNoNotSure | KindName::SingleChoice
                if f.min.is_some() || f.max.is_some() || f.unit.is_some() =>
            {
                let what = if f.min.is_some() {
                    "min"
                } else if f.max.is_some() {
                    "max"
                } else {
                    "unit"
                };
                return Err(extra(what));
            }
            KindName::YesNo | KindName::YesNoNotSure if f.options.is_some() => return Err(extra("options")),
            KindName::Integer | KindName::Number if f.options.is_some() => return Err(extra("options")),
            KindName::YesNo => Kind::YesNo,
            KindName::YesNoNotSure => Kind::YesNoNotSure,
            KindName::SingleChoice => match f.options {
                Some(options) => Kind::SingleChoice { options },
                None => return Err(format!("question `{id}`: a single_choice question needs `options`")),
            },
            KindName::Integer => {
                Kind::Integer { min: integer(&f.min, "min")?, max: integer(&f.max, "max")?, unit: f.unit }
            }
            KindName::Number => {
                Kind::Number { min: number(&f.min, "min")?, max: number(&f.max, "max")?, unit: f.unit }
            }
        };
        Ok(Question {
            id: f.id,
            section: f.section,
            text: f.text,
            help: f.help,
            kind,
            ask_if: f.ask_if,
            red_flag: f.red_flag,
            ask_before_stop: f.ask_before_stop,
        })
    }
}

fn kind_label(kind: KindName) -> &'static str {
    match kind {
        KindName::YesNo => "yes_no",
        KindName::YesNoNotSure => "yes_no_not_sure",
        KindName::SingleChoice => "single_choice",
        KindName::Integer => "integer",
        KindName::Number => "number",
    }
}

/// A question is written in the file's flat form ([`QuestionFields`]),
/// borrowing its own fields rather than a copy of them, so that a
/// serializer meets the question's strings where they live (what
/// `render::Prepared` relies on to find them).
impl Serialize for Question {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (kind, options, min, max, unit) = match &self.kind {
            Kind::YesNo => (KindName::YesNo, None, None, None, None),
            Kind::YesNoNotSure => (KindName::YesNoNotSure, None, None, None, None),
            Kind::SingleChoice { options } => {
                (KindName::SingleChoice, Some(options.as_slice()), None, None, None)
            }
            Kind::Integer { min, max, unit } => {
                (KindName::Integer, None, Some((*min).into()), Some((*max).into()), unit.as_deref())
            }
            Kind::Number { min, max, unit } => (
                KindName::Number,
                None,
                serde_json::Number::from_f64(*min),
                serde_json::Number::from_f64(*max),
                unit.as_deref(),
            ),
        };
        QuestionView {
            id: &self.id,
            section: self.section.as_deref(),
            text: &self.text,
            help: self.help.as_deref(),
            kind,
            options,
            min,
            max,
            unit,
            ask_if: self.ask_if.as_ref(),
            red_flag: self.red_flag.as_ref(),
            ask_before_stop: self.ask_before_stop,
        }
        .serialize(serializer)
    }
}

/// [`QuestionFields`] borrowed from a question, for writing: the same
/// fields, in the same order.
#[derive(Serialize)]
struct QuestionView<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<&'a str>,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    kind: KindName,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<&'a [Choice]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ask_if: Option<&'a Condition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    red_flag: Option<&'a RedFlag>,
    #[serde(skip_serializing_if = "is_false")]
    ask_before_stop: bool,
}

/// The answer type of a question.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `"yes"` or `"no"`.
    YesNo,
    /// `"yes"`, `"no"` or `"not_sure"`.
    YesNoNotSure,
    /// One option id out of a list.
    SingleChoice { options: Vec<Choice> },
    /// A whole number in a closed range.
    Integer { min: i64, max: i64, unit: Option<String> },
    /// Any number in a closed range.
    Number { min: f64, max: f64, unit: Option<String> },
}

/// The options of a yes/no question, in the order of their indices.
pub const YES_NO: [&str; 2] = ["yes", "no"];
/// The options of a yes/no/not sure question, in the order of their indices.
pub const YES_NO_NOT_SURE: [&str; 3] = ["yes", "no", "not_sure"];

impl Kind {
    /// The JSON name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::YesNo => "yes_no",
            Kind::YesNoNotSure => "yes_no_not_sure",
            Kind::SingleChoice { .. } => "single_choice",
            Kind::Integer { .. } => "integer",
            Kind::Number { .. } => "number",
        }
    }

    /// The option ids an answer may take, for the kinds answered with a
    /// string.
    pub fn option_ids(&self) -> Vec<&str> {
        match self {
            Kind::YesNo => YES_NO.to_vec(),
            Kind::YesNoNotSure => YES_NO_NOT_SURE.to_vec(),
            Kind::SingleChoice { options } => options.iter().map(|o| o.id.as_str()).collect(),
            Kind::Integer { .. } | Kind::Number { .. } => Vec::new(),
        }
    }

    /// The id of option `index` of [`Kind::option_ids`], without collecting
    /// the list: every report, page and hidden field writes answers back as
    /// their ids.
    pub fn option_id(&self, index: usize) -> Option<&str> {
        match self {
            Kind::YesNo => YES_NO.get(index).copied(),
            Kind::YesNoNotSure => YES_NO_NOT_SURE.get(index).copied(),
            Kind::SingleChoice { options } => options.get(index).map(|o| o.id.as_str()),
            Kind::Integer { .. } | Kind::Number { .. } => None,
        }
    }

    /// Whether answers are numbers rather than option ids.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Kind::Integer { .. } | Kind::Number { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

/// The red-flag marker of a question: which level each kind of answer
/// raises. A red flag is asked before every other question.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlag {
    /// The sign in plain words, as a report names it ("numbness in the
    /// saddle area"), so that a person is never shown an id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<String>,
    /// The level a `yes` raises.
    pub yes: Level,
    /// The level a `not_sure` raises; a "not sure" is treated with caution,
    /// never as a `no`.
    pub not_sure: Level,
    /// The level raised when the question is left unanswered.
    pub unanswered: Level,
    /// Why this sign matters, in plain words: the reason shown for a `yes`.
    pub because: String,
    /// The reason shown for a `not_sure`: the words for a `yes` state the
    /// sign as given, which a "not sure" did not say (even where both raise
    /// the same level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_sure_because: Option<String>,
    /// The reason shown when the question is unanswered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unanswered_because: Option<String>,
    /// `true`: whenever this sign raises the level, its reason comes
    /// before every other in the person's part of the report and is never
    /// left to the clinician's part, at any level (for a reason that must
    /// always reach the person, such as who to call after cancer).
    #[serde(default, skip_serializing_if = "is_false")]
    pub foremost: bool,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A rule that raises the triage level when its condition holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TriageRule {
    pub id: String,
    pub when: Condition,
    pub level: Level,
    /// Why, in plain words; shown in the report.
    pub because: String,
    /// Other wordings of the reason for a rule that can hold in more than
    /// one way, so that the reason says which one held: the first case
    /// whose condition holds replaces `because`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub because_cases: Vec<BecauseCase>,
    /// What to do, in place of the level's action, when this rule raises
    /// the report's level: for answers that call on someone else to act,
    /// such as a parent or carer booking a GP for a child. The first such
    /// rule at the level gives it, `foremost` ones first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `true`: whenever this rule fires, its reason comes before every
    /// other in the person's part of the report and is never left to the
    /// clinician's part, at any level.
    #[serde(default, skip_serializing_if = "is_false")]
    pub foremost: bool,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A wording of a triage rule's reason, used when its condition holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BecauseCase {
    pub when: Condition,
    pub because: String,
}

/// A scored domain: points per answer, summed or scaled, then banded.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub id: String,
    pub title: String,
    /// How the domain is scored.
    pub scoring: Scoring,
    /// The scored items; empty for `classify`.
    #[serde(default)]
    pub items: Vec<Item>,
    /// Fewest answered items for a score; below it the report says there
    /// were too few answers. Defaults to 1.
    #[serde(default = "one")]
    pub min_answered: usize,
    /// A note shown with the domain whatever its band (for example that
    /// self-checks are rough observations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub bands: Vec<Band>,
    #[serde(default)]
    pub sources: Vec<String>,
}

fn one() -> usize {
    1
}

/// How a domain's points become its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// The sum of the points of the answered items.
    Sum,
    /// Oswestry style: sum ÷ (sum of the answered items' maximum points) ×
    /// 100, rounded to one decimal, so that missing items do not pull the
    /// score down.
    Percent,
    /// No score: the band is the first whose `when` condition holds
    /// (for classifications built from other domains' scores).
    Classify,
}

/// One scored question of a domain.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub question: String,
    /// Points per option id (choice and yes/no questions). Options not
    /// listed score 0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<OptionPoints>,
    /// Points for numeric questions: the points of the highest threshold
    /// the answer reaches, 0 below every threshold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_least: Vec<Threshold>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OptionPoints {
    pub option: String,
    pub points: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub value: f64,
    pub points: u32,
}

impl Item {
    /// The most points this item can give.
    pub fn max_points(&self) -> u32 {
        let from_options = self.points.iter().map(|p| p.points);
        let from_thresholds = self.at_least.iter().map(|t| t.points);
        from_options.chain(from_thresholds).max().unwrap_or(0)
    }
}

/// A band of a domain: a closed score range (or, for `classify`, a
/// condition) and its plain-words explanation.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    pub explanation: String,
}

/// The kinds of recommendation. Exercise kinds are withheld by plan limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationKind {
    /// Information that helps a person understand their condition.
    Education,
    Habit,
    Strength,
    Stretch,
    Program,
    Professional,
}

impl RecommendationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecommendationKind::Education => "education",
            RecommendationKind::Habit => "habit",
            RecommendationKind::Strength => "strength",
            RecommendationKind::Stretch => "stretch",
            RecommendationKind::Program => "program",
            RecommendationKind::Professional => "professional",
        }
    }
}

/// A catalogue entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    pub id: String,
    pub kind: RecommendationKind,
    pub title: String,
    /// The evidence label, such as `moderate` or `very low`.
    pub evidence: String,
    /// What the label rests on, in a few words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_note: Option<String>,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub how_to: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_rule: Option<String>,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Chooses a catalogue entry when its condition holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SelectionRule {
    pub id: String,
    pub recommend: String,
    pub when: Condition,
    /// Why it was chosen. May name answers and scores: `{answer:ID}`,
    /// `{score:DOMAIN}`, `{band:DOMAIN}`, `{level}`.
    pub why: String,
}

/// Withholds recommendation kinds while its condition holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlanLimit {
    pub id: String,
    pub when: Condition,
    pub withhold: Vec<RecommendationKind>,
    /// Catalogue entries this limit never withholds, whatever their kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<String>,
    /// What the report tells the person instead.
    pub notice: String,
}

/// "At most N recommendations of these kinds", taken in catalogue order.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSize {
    pub at_most: usize,
    pub kinds: Vec<RecommendationKind>,
}

/// A note shown once when its condition holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub id: String,
    /// Where the report shows it.
    pub place: NotePlace,
    /// Shown only when this holds; always when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// Shown only when the plan holds a recommendation of one of these
    /// kinds (a stop rule needs an exercise); with any plan when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with_kinds: Vec<RecommendationKind>,
    pub text: String,
}

/// Where a note is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotePlace {
    /// After the plan, once.
    Plan,
    /// Beside the safety net, before it.
    SafetyNet,
}

impl NotePlace {
    pub fn as_str(self) -> &'static str {
        match self {
            NotePlace::Plan => "plan",
            NotePlace::SafetyNet => "safety_net",
        }
    }
}

/// A further tier of the safety net.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyNetTier {
    pub intro: String,
    pub signs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contested {
    pub id: String,
    pub title: String,
    /// An honest label, such as `contested`.
    pub label: String,
    /// What a person needs to know, in a few plain words.
    pub summary: String,
    /// The evidence for and against in detail, with its sources named, for
    /// the clinician's part: the person's part keeps to the summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_note: Option<String>,
    /// Shown only when this holds; always when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub citation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Definition {
    /// The position of a question by id.
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    pub fn domain(&self, id: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id == id)
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_option_id_is_the_one_at_its_index_in_the_list() {
        let q = crate::shipped::low_back_glutes();
        let mut kinds: Vec<&Kind> = q.questions.iter().map(|question| &question.kind).collect();
        kinds.extend([&Kind::YesNo, &Kind::YesNoNotSure]);
        for kind in kinds {
            let ids = kind.option_ids();
            let one_by_one: Vec<&str> = (0..ids.len() + 1).filter_map(|i| kind.option_id(i)).collect();
            assert_eq!(one_by_one, ids);
        }
    }
}
