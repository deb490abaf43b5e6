//! Evaluation: questionnaire + answers → report, as a pure function.
//!
//! The steps run in one direction, each seeing only what came before:
//! which answers are in force (`ask_if`), domain scores, triage (red flags,
//! then rules in file order), plan limits, then recommendations. Nothing
//! here can fail: every reference was resolved when the questionnaire was
//! loaded.
//!
//! It happens in two stages. [`outcome`] decides: the level and what raised
//! it, the scores and bands, which recommendations are chosen and which
//! are in the plan, all as indices, with no text. [`evaluate`] then builds
//! the [`Report`] on that outcome, adding the texts, reasons and sources a
//! reader needs. A caller that shows only the decisions (a table of many
//! respondents) stops after the first stage, and the report it would not
//! show is neither built nor freed; since the report is built from the
//! outcome, the two cannot disagree.

use std::borrow::Cow;
use std::fmt;
use std::mem::take;

use crate::answers::{Answers, Given, Value};
use crate::condition::{Checks, Facts, SLOTS};
use crate::model::{Band, Level, RecommendationKind, RedFlag};
use crate::number;
use crate::questionnaire::{Ask, CompiledDomain, Piece, Questionnaire, Template};
use crate::report::{
    Chosen, ContestedEntry, DomainResult, NoteEntry, Notice, QuestionText, QuestionnaireInfo, Reason, Report,
    SafetyNetTier, Shown, SourceEntry, Triage, Withheld,
};

/// Room for why a recommendation was chosen: most say it in one or two
/// sentences, so a text seldom grows after it is begun.
const WHY_BYTES: usize = 192;

/// Evaluates answers against a questionnaire.
///
/// Deterministic: the same questionnaire and answers always give an equal
/// report, in the same order.
///
/// ```
/// use selfcheck::{evaluate, Answers, AnswersDocument, Level, Questionnaire};
///
/// let text = selfcheck::shipped("low-back-glutes").expect("shipped");
/// let questionnaire = Questionnaire::from_json(text, "low-back-glutes")?;
/// let document = AnswersDocument::parse(br#"{"answers": {"rf_saddle_numbness": "yes"}}"#)?;
/// let answers = Answers::from_document(&questionnaire, &document.answers)?;
/// let report = evaluate(&questionnaire, &answers);
/// assert_eq!(report.triage.level, Level::Emergency);
/// assert!(report.recommendations.iter().all(|r| r.kind.as_str() != "strength"));
/// # Ok::<(), selfcheck::Error>(())
/// ```
pub fn evaluate<'q>(questionnaire: &'q Questionnaire, answers: &Answers) -> Report<'q> {
    outcome(questionnaire, answers).into_report(answers)
}

/// The first stage of [`evaluate`]: what it decides, without the report's
/// texts. [`Outcome`] gives what a row of a table shows: the level, the
/// rules that fired, each domain's score and band, and the plan, exactly
/// as the report of the same answers has them.
///
/// ```
/// use selfcheck::{eval, table, Level, Questionnaire};
///
/// let text = selfcheck::shipped("low-back-glutes").expect("shipped");
/// let questionnaire = Questionnaire::from_json(text, "low-back-glutes")?;
/// let answers = table::answers_from_pairs(&questionnaire, [("rf_saddle_numbness", "yes")])?;
/// let outcome = eval::outcome(&questionnaire, &answers);
/// assert_eq!(outcome.level(), Level::Emergency);
/// assert!(outcome.rules().any(|rule| rule.to_string() == "rf_saddle_numbness.yes"));
/// // No exercise plan at emergency.
/// assert_eq!(outcome.plan().count(), 0);
/// # Ok::<(), selfcheck::Error>(())
/// ```
pub fn outcome<'q>(questionnaire: &'q Questionnaire, answers: &Answers) -> Outcome<'q> {
    let q = questionnaire;
    let (state, settled) = State::new(q, answers);
    let Settled { level, raised } = settled.unwrap_or_else(|| {
        let mut raised = spare::raised(q);
        let level = state.triage(usize::MAX, Some(&mut raised));
        Settled { level, raised }
    });
    let fired = Fired::new(q, &raised);
    let facts = fired.facts(&state, level);

    let (mut limits, mut selected, mut chosen, mut withheld) = spare::take(|s| {
        (take(&mut s.limits), take(&mut s.selected), take(&mut s.chosen), take(&mut s.withheld))
    });
    q.compiled.limits_when.holding(&facts, &mut limits);
    // The first limit in force that withholds an entry names it.
    let withheld_by = |rec: usize, kind: RecommendationKind| {
        limits.iter().copied().find(|&i| {
            let limit = &q.compiled.limits[i];
            limit.withhold.contains(&kind) && !limit.keep.contains(&rec)
        })
    };
    // Whether each selection rule held, then whether a rule chose each
    // recommendation: one allocation rather than two.
    let rules = q.compiled.selection_when.count();
    selected.resize(rules + q.recommendations.len(), false);
    let (held, by_rule) = selected.split_at_mut(rules);
    q.compiled.selection_when.holds_each(&facts, held);
    for (&held, (rec, _)) in held.iter().zip(&q.compiled.selection) {
        if let Some(chosen) = by_rule.get_mut(*rec) {
            *chosen |= held;
        }
    }
    // A bounded plan takes the first entries of the counted kinds, in
    // catalogue order; the rest are further options.
    let mut room = q.plan_size.as_ref().map_or(usize::MAX, |size| size.at_most);
    let by_rule = q.recommendations.iter().zip(by_rule.iter()).enumerate();
    for (index, rec) in by_rule.filter_map(|(index, (rec, chosen))| chosen.then_some((index, rec))) {
        if let Some(limit) = withheld_by(index, rec.kind) {
            withheld.push((index, limit));
            continue;
        }
        let counted = q.plan_size.as_ref().is_some_and(|size| size.kinds.contains(&rec.kind));
        let in_plan = !counted || room > 0;
        if counted && room > 0 {
            room -= 1;
        }
        chosen.push((index, in_plan));
    }
    Outcome { state, level, raised, fired, limits, selected, chosen, withheld }
}

/// What an evaluation decided, before any text: the first stage of
/// [`evaluate`] (see [`outcome`]).
pub struct Outcome<'q> {
    state: State<'q>,
    level: Level,
    /// What raised the level, in evaluation order.
    raised: Vec<Raised<'q>>,
    fired: Fired,
    /// The plan limits in force, by index.
    limits: Vec<usize>,
    /// Per entry of the compiled selection: whether its rule held (then,
    /// per recommendation, whether a rule chose it).
    selected: Vec<bool>,
    /// The recommendations chosen and not withheld, in catalogue order, by
    /// index, each with whether it is in the plan (rather than a further
    /// option beyond the plan's size).
    chosen: Vec<(usize, bool)>,
    /// The recommendations chosen but withheld, in catalogue order, each
    /// with the plan limit that withheld it.
    withheld: Vec<(usize, usize)>,
}

impl<'q> Outcome<'q> {
    /// The triage level.
    pub fn level(&self) -> Level {
        self.level
    }

    /// What raised the level, in evaluation order, named as the report's
    /// reasons name it.
    pub fn rules(&self) -> impl Iterator<Item = RuleId<'q>> + '_ {
        let q = self.state.q;
        self.raised.iter().map(move |raised| match *raised {
            Raised::Flag { question, answer, .. } => {
                RuleId { id: &q.questions[question].id, answer: Some(answer.as_str()) }
            }
            Raised::Rule { rule, .. } => RuleId { id: &q.triage_rules[rule].id, answer: None },
        })
    }

    /// Each domain's score (`None` when too few items were answered, and
    /// always for a classification) and band id, in the questionnaire's
    /// order.
    pub fn domains(&self) -> impl Iterator<Item = (Option<f64>, Option<&'q str>)> + '_ {
        let q = self.state.q;
        (0..q.domains.len()).map(move |d| (self.state.scores[d], self.state.band(d).map(|b| b.id.as_str())))
    }

    /// The ids of the recommendations in the plan, in catalogue order (not
    /// the further options a bounded plan names beyond its size).
    pub fn plan(&self) -> impl Iterator<Item = &'q str> + '_ {
        let q = self.state.q;
        self.chosen
            .iter()
            .filter(|(_, in_plan)| *in_plan)
            .map(move |(rec, _)| q.recommendations[*rec].id.as_str())
    }

    /// The second stage of [`evaluate`]: the report on this outcome of
    /// `answers`.
    fn into_report(self, answers: &Answers) -> Report<'q> {
        let Outcome { state, level, raised, fired, limits, selected, chosen, withheld } = &self;
        let level = *level;
        let q = state.q;
        let facts = fired.facts(state, level);

        let notices = limits
            .iter()
            .map(|&i| {
                let written = &q.plan_limits[i];
                Notice { id: Cow::Borrowed(&written.id), text: Cow::Borrowed(&written.notice) }
            })
            .collect();

        // The why text of each catalogue entry a rule chose: one sentence
        // per rule, in rule order, each written straight after the last.
        let mut whys: Vec<Option<String>> = vec![None; q.recommendations.len()];
        for ((rec, why), _) in q.compiled.selection.iter().zip(selected.iter()).filter(|(_, held)| **held) {
            let text = match &mut whys[*rec] {
                Some(text) => {
                    text.push(' ');
                    text
                }
                none => none.insert(String::with_capacity(WHY_BYTES)),
            };
            state.fill(why, level, text);
        }
        let recommendations: Vec<Chosen<'q>> = chosen
            .iter()
            .map(|&(index, in_plan)| {
                let rec = &q.recommendations[index];
                Chosen::of(rec, in_plan, Cow::Owned(whys[index].take().unwrap_or_default()))
            })
            .collect();
        let withheld = withheld
            .iter()
            .map(|&(index, limit)| {
                let rec = &q.recommendations[index];
                Withheld {
                    id: Cow::Borrowed(&rec.id),
                    kind: rec.kind,
                    by: Cow::Borrowed(&q.plan_limits[limit].id),
                }
            })
            .collect();

        let reasons: Vec<Reason<'q>> = raised.iter().map(|r| state.reason(r)).collect();
        let notes = q
            .notes
            .iter()
            .zip(&q.compiled.notes)
            .filter(|(note, when)| {
                let with_plan = note.with_kinds.is_empty()
                    || recommendations.iter().any(|r| r.in_plan && note.with_kinds.contains(&r.kind));
                with_plan && when.as_ref().is_none_or(|when| when.holds(&facts))
            })
            .map(|(note, _)| NoteEntry {
                id: Cow::Borrowed(&note.id),
                place: note.place,
                text: Cow::Borrowed(&note.text),
            })
            .collect();

        // Which sources the report cites, marked as what cites them is
        // chosen, by index (see `Cites`).
        let cites = &q.compiled.cites;
        let mut cited = vec![false; q.sources.len()];
        let mut cite = |sources: &[usize]| sources.iter().for_each(|&s| cited[s] = true);
        cite(&cites.always);
        for raised in raised {
            cite(match *raised {
                Raised::Flag { question, .. } => &cites.flags[question],
                Raised::Rule { rule, .. } => &cites.rules[rule],
            });
        }
        chosen.iter().for_each(|&(index, _)| cite(&cites.recommendations[index]));
        let contested: Vec<ContestedEntry<'q>> = q
            .contested
            .iter()
            .zip(&q.compiled.contested)
            .enumerate()
            .filter(|(_, (_, when))| when.as_ref().is_none_or(|when| when.holds(&facts)))
            .map(|(i, (c, _))| {
                cite(&cites.contested[i]);
                ContestedEntry {
                    id: Cow::Borrowed(&c.id),
                    title: Cow::Borrowed(&c.title),
                    label: Cow::Borrowed(&c.label),
                    summary: Cow::Borrowed(&c.summary),
                    evidence_note: c.evidence_note.as_deref().map(Cow::Borrowed),
                    sources: borrowed(&c.sources),
                }
            })
            .collect();

        let domains = state.domain_results();
        cites.domains.iter().take(domains.len()).for_each(|sources| cite(sources));
        let sources = q
            .sources
            .iter()
            .zip(&cites.first)
            .filter(|(_, &first)| cited[first])
            .map(|(s, _)| SourceEntry {
                id: Cow::Borrowed(&s.id),
                citation: Cow::Borrowed(&s.citation),
                url: s.url.as_deref().map(Cow::Borrowed),
            })
            .collect();
        let unanswered: Vec<Cow<'q, str>> = (0..q.questions.len())
            .filter(|i| state.applies[*i] && state.in_force[*i].is_none())
            .map(|i| Cow::Borrowed(q.questions[i].id.as_str()))
            .collect();
        let unanswered_red_flags: Vec<Cow<'q, str>> = q
            .red_flags()
            .iter()
            .filter(|i| state.applies[**i] && state.in_force[**i].is_none())
            .map(|i| Cow::Borrowed(q.questions[*i].id.as_str()))
            .collect();
        let ignored_answers: Vec<Cow<'q, str>> = (0..q.questions.len())
            .filter(|i| !state.applies[*i] && answers.get(*i).is_some())
            .map(|i| Cow::Borrowed(q.questions[i].id.as_str()))
            .collect();
        // The questions of the three lists above, by the same tests.
        let question_texts = (0..q.questions.len())
            .filter(|i| {
                let missing = state.in_force[*i].is_none() && state.applies[*i];
                missing || (!state.applies[*i] && answers.get(*i).is_some())
            })
            .map(|i| QuestionText {
                id: Cow::Borrowed(&q.questions[i].id),
                text: Cow::Borrowed(&q.questions[i].text),
                sign: q.questions[i].red_flag.as_ref().and_then(|f| f.sign.as_deref()).map(Cow::Borrowed),
            })
            .collect();
        let given = (0..q.questions.len())
            .filter_map(|i| {
                let value = state.in_force[i]?;
                let question = &q.questions[i];
                Some(Shown {
                    question: Cow::Borrowed(&question.id),
                    answer: Given::of(&question.kind, value),
                })
            })
            .collect();
        let text = q.levels.get(level);
        let action = raised
            .iter()
            .filter_map(|raised| match *raised {
                Raised::Rule { rule, .. } => q.triage_rules.get(rule),
                Raised::Flag { .. } => None,
            })
            .filter(|rule| rule.level == level && rule.action.is_some())
            .min_by_key(|rule| !rule.foremost)
            .and_then(|rule| rule.action.as_deref())
            .unwrap_or(&text.action);

        Report {
            questionnaire: QuestionnaireInfo {
                id: Cow::Borrowed(&q.id),
                version: Cow::Borrowed(&q.version),
                title: Cow::Borrowed(&q.title),
            },
            intended_purpose: Cow::Borrowed(&q.intended_purpose),
            disclaimer: Cow::Borrowed(&q.disclaimer),
            triage: Triage {
                level,
                title: Cow::Borrowed(&text.title),
                action: Cow::Borrowed(action),
                plan_note: text.plan_note.as_deref().map(Cow::Borrowed),
                reasons,
            },
            answers: given,
            unanswered_red_flags,
            unanswered,
            ignored_answers,
            question_texts,
            domains,
            notices,
            recommendations,
            withheld,
            notes,
            contested,
            safety_net_intro: q.safety_net_intro.as_deref().map(Cow::Borrowed),
            safety_net: borrowed(&q.safety_net),
            safety_net_tiers: q
                .safety_net_tiers
                .iter()
                .map(|tier| SafetyNetTier { intro: Cow::Borrowed(&tier.intro), signs: borrowed(&tier.signs) })
                .collect(),
            sources,
        }
    }
}

impl Drop for Outcome<'_> {
    /// Keeps the buffers for the next evaluation on this thread.
    fn drop(&mut self) {
        // Emptied here, so that a buffer taken is empty.
        fn empty<T>(buffer: &mut Vec<T>) -> Vec<T> {
            buffer.clear();
            take(buffer)
        }
        let state = &mut self.state;
        spare::give(spare::Spare {
            applies: empty(&mut state.applies),
            in_force: empty(&mut state.in_force),
            scores: empty(&mut state.scores),
            bands: empty(&mut state.bands),
            answered: empty(&mut state.answered),
            fired: empty(&mut self.fired.raised),
            limits: empty(&mut self.limits),
            selected: empty(&mut self.selected),
            chosen: empty(&mut self.chosen),
            withheld: empty(&mut self.withheld),
            raised: unborrowed(take(&mut self.raised)),
        });
    }
}

/// `raised`, emptied, as a list that borrows nothing, its room kept: an
/// empty list holds no borrow, and collecting its items (none) into a
/// list of items of the same size reuses its room.
// The filter keeps nothing; what it changes is the items' type.
#[allow(clippy::unnecessary_filter_map)]
fn unborrowed(raised: Vec<Raised<'_>>) -> Vec<Raised<'static>> {
    raised.into_iter().filter_map(|_| None).collect()
}

/// The buffers of the last outcome a thread dropped, kept for its next
/// one: a table is evaluated one respondent after another, and getting
/// and freeing some ten buffers for each costs about as much as a small
/// questionnaire's scores. Buffers are kept empty; one taken while another
/// outcome holds it is simply a new one.
mod spare {
    use std::cell::RefCell;

    use super::Raised;
    use crate::model::Value;
    use crate::questionnaire::Questionnaire;

    #[derive(Default)]
    pub(crate) struct Spare {
        pub raised: Vec<Raised<'static>>,
        pub applies: Vec<bool>,
        pub in_force: Vec<Option<Value>>,
        pub scores: Vec<Option<f64>>,
        pub bands: Vec<Option<usize>>,
        pub answered: Vec<usize>,
        pub fired: Vec<bool>,
        pub limits: Vec<usize>,
        pub selected: Vec<bool>,
        pub chosen: Vec<(usize, bool)>,
        pub withheld: Vec<(usize, usize)>,
    }

    thread_local! {
        static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
    }

    /// The kept buffers `pick` takes (new ones if the thread keeps none).
    pub(crate) fn take<R: Default>(pick: impl FnOnce(&mut Spare) -> R) -> R {
        let kept = SPARE.try_with(|spare| spare.try_borrow_mut().ok().map(|mut spare| pick(&mut spare)));
        kept.ok().flatten().unwrap_or_default()
    }

    /// A list for what raised the level, with room for every red flag and
    /// rule of `q`.
    pub(crate) fn raised(q: &Questionnaire) -> Vec<Raised<'_>> {
        let mut raised = take(|s| std::mem::take(&mut s.raised));
        raised.reserve(q.red_flags().len() + q.triage_rules.len());
        raised
    }

    /// Keeps `buffers`, empty, for the next outcome.
    pub(crate) fn give(buffers: Spare) {
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut() {
                *spare = buffers;
            }
        });
    }
}

/// The triage level alone, without building a report: the same rules as
/// [`evaluate`], for callers that only need the level (the interactive
/// early stop, exhaustive checks).
pub fn triage_level(questionnaire: &Questionnaire, answers: &Answers) -> Level {
    State::for_triage(questionnaire, answers).triage(usize::MAX, None)
}

/// Which questions apply to these answers (their `ask_if` holds, or they
/// have none), in file order: the same test for the interactive session
/// as for batch evaluation, so that both ask and use the same questions.
pub fn applying(questionnaire: &Questionnaire, answers: &Answers) -> Vec<bool> {
    State::in_force(questionnaire, answers, true).applies
}

/// [`applying`] and [`triage_level`] of the same answers in one pass, for
/// a session replaying answers: the answers in force are settled once
/// rather than twice (the level of all the answers is the same whether or
/// not questions asked only at some levels are settled, as triage never
/// reads them).
pub(crate) fn applying_and_level(questionnaire: &Questionnaire, answers: &Answers) -> (Vec<bool>, Level) {
    let (mut state, settled) = State::new(questionnaire, answers);
    let level = match settled {
        Some(settled) => settled.level,
        None => state.triage(usize::MAX, None),
    };
    (take(&mut state.applies), level)
}

/// The id of a rule that raised the level, as a report's reason names it:
/// a triage rule's id, or a red flag's as `<question>.<answer>` (such as
/// `rf_fever_unwell.unanswered`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleId<'q> {
    id: &'q str,
    /// For a red flag: the answer that raised the level.
    answer: Option<&'static str>,
}

impl<'q> RuleId<'q> {
    pub(crate) fn new(id: &'q str, answer: Option<&'static str>) -> RuleId<'q> {
        RuleId { id, answer }
    }

    /// The id of the rule or red flag, and for a red flag the answer that
    /// raised the level: what [`Display`](fmt::Display) joins with a dot.
    pub fn parts(self) -> (&'q str, Option<&'static str>) {
        (self.id, self.answer)
    }

    fn to_cow(self) -> Cow<'q, str> {
        match self.answer {
            None => Cow::Borrowed(self.id),
            Some(_) => Cow::Owned(self.to_string()),
        }
    }
}

impl fmt::Display for RuleId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.answer {
            None => f.write_str(self.id),
            Some(answer) => write!(f, "{}.{answer}", self.id),
        }
    }
}

/// What raised the level, as triage found it.
#[derive(Debug, Clone, Copy)]
enum Raised<'q> {
    /// The answer to the red-flag question at this index.
    Flag { question: usize, flag: &'q RedFlag, answer: FlagAnswer },
    /// The triage rule at this index, and the level reached once it fired
    /// (which the cases of its `because` read).
    Rule { rule: usize, level: Level },
}

/// The answers to a red-flag question that can raise the level.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FlagAnswer {
    Yes,
    NotSure,
    Unanswered,
}

impl FlagAnswer {
    /// The red flag's answer, if it is one that can raise the level.
    pub(crate) fn of(answer: Option<Value>) -> Option<FlagAnswer> {
        match answer {
            Some(Value::Option(0)) => Some(FlagAnswer::Yes),
            Some(Value::Option(2)) => Some(FlagAnswer::NotSure),
            Some(_) => None,
            None => Some(FlagAnswer::Unanswered),
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FlagAnswer::Yes => "yes",
            FlagAnswer::NotSure => "not_sure",
            FlagAnswer::Unanswered => "unanswered",
        }
    }

    /// The level this answer raises.
    fn level(self, flag: &RedFlag) -> Level {
        match self {
            FlagAnswer::Yes => flag.yes,
            FlagAnswer::NotSure => flag.not_sure,
            FlagAnswer::Unanswered => flag.unanswered,
        }
    }

    fn because(self, flag: &RedFlag) -> &str {
        match self {
            FlagAnswer::Yes => &flag.because,
            FlagAnswer::NotSure => flag.not_sure_because.as_ref().unwrap_or(&flag.because),
            FlagAnswer::Unanswered => flag.unanswered_because.as_ref().unwrap_or(&flag.because),
        }
    }
}

/// What raised the level: per question, whether its red-flag answer did;
/// per triage rule, whether it fired. (What rules after triage read.)
/// Both in one list, questions first: one allocation rather than two.
struct Fired {
    questions: usize,
    raised: Vec<bool>,
}

impl Fired {
    fn new(q: &Questionnaire, raised: &[Raised]) -> Fired {
        let questions = q.questions.len();
        let mut fired = Fired { questions, raised: spare::take(|s| take(&mut s.fired)) };
        fired.raised.resize(questions + q.triage_rules.len(), false);
        for raised in raised {
            match *raised {
                Raised::Flag { question, .. } => fired.raised[question] = true,
                Raised::Rule { rule, .. } => fired.raised[questions + rule] = true,
            }
        }
        fired
    }

    /// The facts of `state` at `level`, with what raised it.
    fn facts<'a>(&'a self, state: &'a State<'_>, level: Level) -> Facts<'a> {
        let (red_flags, rules) = self.raised.split_at(self.questions);
        Facts { fired_red_flags: red_flags, fired_rules: rules, ..state.facts(level) }
    }
}

/// At most this many triage rules are tested at once (see
/// [`State::rules_together`]), their results kept on the stack.
const TOGETHER: usize = 64;

/// What [`State::in_force`] settles: which questions apply, the answers
/// in force, and the triage of all of them when it was worked out on the
/// way.
struct InForce<'q> {
    applies: Vec<bool>,
    in_force: Vec<Option<Value>>,
    settled: Option<Settled<'q>>,
    /// The scores worked out on the way, before the question at this
    /// index was settled.
    scored: Option<(usize, Scores)>,
}

/// Each domain's score, band and number of answered items.
type Scores = (Vec<Option<f64>>, Vec<Option<usize>>, Vec<usize>);

/// The level of all the answers, and what raised it.
struct Settled<'q> {
    level: Level,
    raised: Vec<Raised<'q>>,
}

/// Answers in force and domain scores: everything triage and selection
/// look at.
struct State<'q> {
    q: &'q Questionnaire,
    applies: Vec<bool>,
    in_force: Vec<Option<Value>>,
    scores: Vec<Option<f64>>,
    bands: Vec<Option<usize>>,
    answered: Vec<usize>,
}

impl<'q> State<'q> {
    fn new(q: &'q Questionnaire, answers: &Answers) -> (State<'q>, Option<Settled<'q>>) {
        State::with(q, answers, true)
    }

    /// The state for working out the level alone: questions asked only
    /// at some levels are left as they are, since triage never reads them.
    fn for_triage(q: &'q Questionnaire, answers: &Answers) -> State<'q> {
        State::with(q, answers, false).0
    }

    fn with(q: &'q Questionnaire, answers: &Answers, full: bool) -> (State<'q>, Option<Settled<'q>>) {
        let InForce { applies, in_force, settled, scored } = State::in_force(q, answers, full);
        let (scores, bands, answered) = match scored {
            // Scored before question `from` was settled: only answers from
            // there on may have been cleared since.
            Some((from, mut scored)) => {
                let cleared = |j: usize| j >= from && in_force[j].is_none() && answers.get(j).is_some();
                rescore(q, &in_force, &mut scored, cleared);
                scored
            }
            None => scores(q, &in_force),
        };
        (State { q, applies, in_force, scores, bands, answered }, settled)
    }

    /// Which questions apply, and the answers in force (those of
    /// questions that do not apply cleared), settled in file order: an
    /// `ask_if` looks only at earlier questions, and at the level raised
    /// by them, which are settled by the time it is read.
    fn in_force(q: &'q Questionnaire, answers: &Answers, full: bool) -> InForce<'q> {
        let n = q.questions.len();
        // All the answers at once, then cleared where they do not apply.
        // (Copying the slice whole is markedly faster than filling it slot
        // by slot, which the exhaustive checks of triage notice.)
        let (mut in_force, mut applies) = spare::take(|s| (take(&mut s.in_force), take(&mut s.applies)));
        in_force.extend_from_slice(answers.values());
        in_force.resize(n, None);
        applies.resize(n, true);
        // The level before a question changes only where another rule
        // becomes ready, so it is worked out again only there.
        let mut level_before: Option<(usize, Level)> = None;
        let mut settled = None;
        // The scores worked out for the level before a question, and that
        // question.
        let mut scored = None;
        let everything = q.compiled.triage.len() + q.red_flags().len();
        // The level before question `i`, once `ready` rules and red flags
        // count toward it.
        let mut level_at =
            |i: usize, ready: usize, applies: &mut Vec<bool>, in_force: &mut Vec<Option<Value>>| {
                if let Some((_, level)) = level_before.filter(|(at, _)| *at == ready) {
                    return level;
                }
                // Scores only where triage reads them; then they are kept,
                // and only those an answer cleared since may change.
                let reads_scores = q.compiled.triage_reads_scores;
                let (scores, bands, answered) =
                    if reads_scores { scores(q, in_force) } else { (Vec::new(), Vec::new(), Vec::new()) };
                let partial =
                    State { q, applies: take(applies), in_force: take(in_force), scores, bands, answered };
                // With every rule and red flag ready, this is the triage of
                // all the answers: each reads only questions settled by now,
                // and triage reads no question asked depending on the level
                // (the linter sees to it). So it is kept, with what raised
                // the level, rather than worked out again.
                let level = if ready == everything {
                    let mut raised = spare::raised(q);
                    let level = partial.triage(i, Some(&mut raised));
                    settled = Some(Settled { level, raised });
                    level
                } else {
                    partial.triage(i, None)
                };
                (*applies, *in_force) = (partial.applies, partial.in_force);
                if reads_scores {
                    scored = Some((i, (partial.scores, partial.bands, partial.answered)));
                }
                level_before = Some((ready, level));
                level
            };
        // Run by run where the questionnaire allows: each run's conditions
        // at once, then its questions asked or cleared. (For the level
        // alone, which leaves questions asked by level as they are, one
        // by one.)
        if let Some(runs) = q.compiled.ask_runs.as_ref().filter(|_| full) {
            for run in runs {
                let before = match run.level_before {
                    None => Level::SelfCare,
                    Some((i, ready)) => level_at(i, ready, &mut applies, &mut in_force),
                };
                let mut held = [false; SLOTS];
                run.when.holds_on_answers(&in_force, before, &mut held);
                // The run's own conditions hold their results in order.
                let mut own = 0;
                for &ask in &run.asks {
                    let (question, asked) = match ask {
                        Ask::Own { question } => {
                            own += 1;
                            (question, held[own - 1])
                        }
                        Ask::Same { question, same } => (question, applies[same]),
                    };
                    settle(question, asked, &mut applies, &mut in_force);
                }
            }
            return InForce { applies, in_force, settled, scored };
        }
        for &ask in &q.compiled.asks {
            let i = match ask {
                Ask::Same { question, .. } | Ask::Own { question, .. }
                    if !full && q.compiled.level_dependent[question] =>
                {
                    continue;
                }
                Ask::Same { question, same } => {
                    settle(question, applies[same], &mut applies, &mut in_force);
                    continue;
                }
                Ask::Own { question } => question,
            };
            let Some(ask_if) = &q.compiled.ask_if[i] else { continue };
            let before = match q.compiled.level_before[i] {
                None => Level::SelfCare,
                Some(ready) => level_at(i, ready, &mut applies, &mut in_force),
            };
            let asked = ask_if.holds_on_answers(&in_force, before);
            settle(i, asked, &mut applies, &mut in_force);
        }
        InForce { applies, in_force, settled, scored }
    }

    fn facts(&self, level: Level) -> Facts<'_> {
        Facts {
            answers: &self.in_force,
            scores: &self.scores,
            bands: &self.bands,
            level,
            level_before: Level::SelfCare,
            fired_red_flags: &[],
            fired_rules: &[],
        }
    }

    /// Red flags first, then the rules in order; each rule sees the level
    /// reached so far. The result is the most cautious level raised.
    ///
    /// Only the red flags before question `before` and the rules that read
    /// nothing from it on count: the level raised by the questions before
    /// it (`usize::MAX`: every question).
    fn triage(&self, before: usize, mut raised: Option<&mut Vec<Raised<'q>>>) -> Level {
        let level = self.red_flags(before, raised.as_deref_mut());
        match (raised, &self.q.compiled.triage_when) {
            (Some(raised), Some(together)) if together.count() <= TOGETHER => {
                self.rules_together(together, before, level, raised)
            }
            (raised, _) => self.rules_in_order(before, level, raised),
        }
    }

    /// The level the red flags before question `before` raise.
    fn red_flags(&self, before: usize, mut raised: Option<&mut Vec<Raised<'q>>>) -> Level {
        let q = self.q;
        let mut level = Level::SelfCare;
        for &i in q.red_flags().iter().take_while(|&&i| i < before) {
            // The answer first: most are a calm `no`, which raises nothing
            // whatever else holds.
            let Some(answer) = FlagAnswer::of(self.in_force[i]) else { continue };
            // A red flag that does not apply is neither answered nor
            // missing.
            if !self.applies[i] {
                continue;
            }
            let Some(flag) = &q.questions[i].red_flag else { continue };
            let raises = answer.level(flag);
            if raises == Level::SelfCare {
                continue;
            }
            level = level.max(raises);
            if let Some(raised) = raised.as_deref_mut() {
                raised.push(Raised::Flag { question: i, flag, answer });
            }
        }
        level
    }

    /// The triage rules ready before question `before`, in order, from
    /// `level`: each sees the level reached so far.
    fn rules_in_order(
        &self,
        before: usize,
        mut level: Level,
        mut raised: Option<&mut Vec<Raised<'q>>>,
    ) -> Level {
        let q = self.q;
        for (r, (rule, compiled)) in q.triage_rules.iter().zip(&q.compiled.triage).enumerate() {
            // For the level alone, a rule that cannot raise it need not
            // be tested.
            let cannot_raise = raised.is_none() && rule.level <= level;
            if compiled.ready > before || cannot_raise || !compiled.when.holds(&self.facts(level)) {
                continue;
            }
            level = level.max(rule.level);
            if let Some(raised) = raised.as_deref_mut() {
                raised.push(Raised::Rule { rule: r, level });
            }
        }
        level
    }

    /// [`State::rules_in_order`], every rule tested at once: when no rule
    /// reads the level, each sees the same facts whatever the level
    /// reached before it.
    fn rules_together(
        &self,
        together: &Checks,
        before: usize,
        mut level: Level,
        raised: &mut Vec<Raised<'q>>,
    ) -> Level {
        let q = self.q;
        let mut held = [false; TOGETHER];
        let held = &mut held[..together.count()];
        together.holds_each(&self.facts(level), held);
        // Most rules do not hold: only those that do are looked up.
        for r in (0..held.len()).filter(|&r| held[r]) {
            let (Some(rule), Some(compiled)) = (q.triage_rules.get(r), q.compiled.triage.get(r)) else {
                continue;
            };
            if compiled.ready > before {
                continue;
            }
            level = level.max(rule.level);
            raised.push(Raised::Rule { rule: r, level });
        }
        level
    }

    /// The reason a report gives for what raised the level.
    fn reason(&self, raised: &Raised<'q>) -> Reason<'q> {
        let q = self.q;
        match *raised {
            Raised::Flag { question, flag, answer } => Reason {
                rule: RuleId { id: &q.questions[question].id, answer: Some(answer.as_str()) }.to_cow(),
                level: answer.level(flag),
                because: Cow::Borrowed(answer.because(flag)),
                sign: flag.sign.as_deref().map(Cow::Borrowed),
                foremost: flag.foremost,
                answers: vec![self.shown(question)],
                sources: borrowed(&flag.sources),
            },
            Raised::Rule { rule: r, level } => {
                let (rule, compiled) = (&q.triage_rules[r], &q.compiled.triage[r]);
                let mut looked_at = Vec::new();
                compiled.when.expr.questions(&mut looked_at);
                // Each once, in order of first mention.
                let mut seen = foldhash::HashSet::default();
                looked_at.retain(|question| seen.insert(*question));
                let facts = self.facts(level);
                let case = compiled.cases.iter().position(|case| case.holds(&facts));
                let because = case.map_or(&rule.because, |c| &rule.because_cases[c].because);
                Reason {
                    rule: RuleId { id: &rule.id, answer: None }.to_cow(),
                    level: rule.level,
                    because: Cow::Borrowed(because),
                    sign: None,
                    foremost: rule.foremost,
                    answers: looked_at.into_iter().map(|i| self.shown(i)).collect(),
                    sources: borrowed(&rule.sources),
                }
            }
        }
    }

    /// The band of domain `d`, if its score or classification has one.
    fn band(&self, d: usize) -> Option<&'q Band> {
        self.bands[d].map(|b| &self.q.domains[d].bands[b])
    }

    fn shown(&self, question: usize) -> Shown<'q> {
        let q = &self.q.questions[question];
        Shown {
            question: Cow::Borrowed(&q.id),
            answer: self.in_force[question].and_then(|v| Given::of(&q.kind, v)),
        }
    }

    fn domain_results(&self) -> Vec<DomainResult<'q>> {
        let q = self.q;
        q.domains
            .iter()
            .enumerate()
            .map(|(d, domain)| {
                let band = self.band(d);
                let max = match &q.compiled.domains[d] {
                    CompiledDomain::Scored { percent: true, .. } => Some(100.0),
                    CompiledDomain::Scored { items, .. } => {
                        Some(items.iter().map(|i| u64::from(i.max)).sum::<u64>() as f64)
                    }
                    CompiledDomain::Classify(_) => None,
                };
                let explanation = match (band, &q.compiled.domains[d]) {
                    (Some(band), _) => Cow::Borrowed(band.explanation.as_str()),
                    // A classification counts no answers of its own.
                    (None, CompiledDomain::Classify(_)) => {
                        Cow::Borrowed("None of its groups applies to these answers; some may be missing.")
                    }
                    (None, CompiledDomain::Scored { .. }) => Cow::Owned(format!(
                        "Too few answers to score this: {} given, at least {} needed.",
                        self.answered[d], domain.min_answered
                    )),
                };
                DomainResult {
                    id: Cow::Borrowed(&domain.id),
                    title: Cow::Borrowed(&domain.title),
                    score: self.scores[d],
                    max,
                    answered: self.answered[d],
                    band: band.map(|b| Cow::Borrowed(b.id.as_str())),
                    explanation,
                    note: domain.note.as_deref().map(Cow::Borrowed),
                }
            })
            .collect()
    }

    /// Fills a `why` template with this report's answers and scores, at
    /// the end of `out`.
    fn fill(&self, template: &Template, level: Level, out: &mut String) {
        let q = self.q;
        for piece in &template.0 {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Level => out.push_str(level.as_str()),
                Piece::Answer(i) => match self.in_force[*i] {
                    Some(Value::Option(o)) => match &q.questions[*i].kind {
                        crate::model::Kind::SingleChoice { options } => {
                            out.push_str(options.get(usize::from(o)).map_or("", |c| c.label.as_str()))
                        }
                        kind => out.push_str(&kind.option_id(usize::from(o)).unwrap_or("").replace('_', " ")),
                    },
                    Some(Value::Integer(v)) => number::push_i64(out, v),
                    Some(Value::Number(v)) => number::push_f64(out, v),
                    None => out.push_str("no answer"),
                },
                Piece::Score(d) => match self.scores[*d] {
                    Some(score) => number::push_f64(out, score),
                    None => out.push_str("no score"),
                },
                Piece::Band(d) => match self.bands[*d] {
                    Some(b) => out.push_str(&q.domains[*d].bands[b].id),
                    None => out.push_str("no band"),
                },
            }
        }
    }
}

fn borrowed(texts: &[String]) -> Vec<Cow<'_, str>> {
    texts.iter().map(|s| Cow::Borrowed(s.as_str())).collect()
}

/// Question `question` asked or not, as its `ask_if` says: the answer to a
/// question not asked is not in force.
fn settle(question: usize, asked: bool, applies: &mut [bool], in_force: &mut [Option<Value>]) {
    applies[question] = asked;
    if !asked {
        in_force[question] = None;
    }
}

/// Each domain's score, band and number of answered items, from the
/// answers in force. A classification sees the domains before it.
fn scores(q: &Questionnaire, in_force: &[Option<Value>]) -> Scores {
    let count = q.domains.len();
    let (mut scores, mut bands, mut answered_counts) =
        spare::take(|s| (take(&mut s.scores), take(&mut s.bands), take(&mut s.answered)));
    scores.reserve(count);
    bands.reserve(count);
    answered_counts.reserve(count);
    for domain in &q.compiled.domains {
        let (score, band, answered) = score(domain, in_force, &scores, &bands);
        scores.push(score);
        bands.push(band);
        answered_counts.push(answered);
    }
    (scores, bands, answered_counts)
}

/// [`scores`] again, in place, once the answers of the questions
/// `cleared` tells were cleared: a scored domain none of whose items was
/// cleared keeps its score, and only the others (and every
/// classification, which may read any of them) are worked out again.
fn rescore(
    q: &Questionnaire,
    in_force: &[Option<Value>],
    scored: &mut Scores,
    cleared: impl Fn(usize) -> bool,
) {
    let (scores, bands, answered_counts) = scored;
    for (d, domain) in q.compiled.domains.iter().enumerate() {
        let again = match domain {
            CompiledDomain::Scored { items, .. } => items.iter().any(|item| cleared(item.question)),
            CompiledDomain::Classify(_) => true,
        };
        if again {
            (scores[d], bands[d], answered_counts[d]) = score(domain, in_force, &scores[..d], &bands[..d]);
        }
    }
}

/// The score of a scored domain whose `answered` items gave `sum` points
/// of at most `max`; none for a classification.
#[inline(always)]
pub(crate) fn scored(sum: u64, max: u64, answered: usize, domain: &CompiledDomain) -> Option<f64> {
    let CompiledDomain::Scored { percent, min_answered, .. } = domain else { return None };
    if answered < *min_answered {
        None
    } else if *percent {
        // One decimal, as the Oswestry index is reported.
        Some(if max == 0 { 0.0 } else { (sum as f64 * 1000.0 / max as f64).round() / 10.0 })
    } else {
        Some(sum as f64)
    }
}

/// A domain's score, band and number of answered items, given the
/// scores and bands of the domains before it.
#[inline(always)]
pub(crate) fn score(
    domain: &CompiledDomain,
    in_force: &[Option<Value>],
    scores: &[Option<f64>],
    bands: &[Option<usize>],
) -> (Option<f64>, Option<usize>, usize) {
    match domain {
        CompiledDomain::Scored { items, bounds, .. } => {
            // The linter keeps every domain's total within 32 bits;
            // summed in 64, no sum can wrap whatever the items.
            let mut sum = 0u64;
            let mut max = 0u64;
            let mut answered = 0;
            for item in items {
                let points = match in_force[item.question] {
                    None => continue,
                    Some(Value::Option(o)) => item.by_option.get(usize::from(o)).copied().unwrap_or(0),
                    Some(value) => {
                        // The points of the highest threshold reached
                        // (thresholds are sorted by value).
                        let v = value.as_f64().unwrap_or(0.0);
                        item.thresholds.iter().take_while(|(at, _)| v >= *at).last().map_or(0, |(_, p)| *p)
                    }
                };
                answered += 1;
                max += u64::from(item.max);
                sum += u64::from(points);
            }
            let score = scored(sum, max, answered, domain);
            let band = score.and_then(|s| bounds.iter().position(|&(low, high)| s >= low && s <= high));
            (score, band, answered)
        }
        CompiledDomain::Classify(conditions) => {
            let facts = Facts {
                answers: in_force,
                scores,
                bands,
                level: Level::SelfCare,
                level_before: Level::SelfCare,
                fired_red_flags: &[],
                fired_rules: &[],
            };
            let band = conditions.iter().position(|c| c.holds(&facts));
            (None, band, 0)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    fn questionnaire() -> &'static Questionnaire {
        crate::shipped::low_back_glutes()
    }

    /// Answer sets with red flags mostly `no` (or not), so that every
    /// level is reached, and every other answer anything its kind takes.
    pub(crate) fn answers(q: &Questionnaire) -> impl Strategy<Value = Answers> {
        let questions = q.questions.clone();
        let red_flags = q.red_flags().to_vec();
        let empty = Answers::empty(q);
        prop_oneof![Just(1.0), Just(0.9), Just(0.5)].prop_flat_map(move |calm: f64| {
            let slots: Vec<BoxedStrategy<Option<Value>>> = questions
                .iter()
                .enumerate()
                .map(|(i, question)| {
                    let value = crate::answers::any_value(&question.kind);
                    let any = prop::option::weighted(0.85, value);
                    if red_flags.contains(&i) {
                        // `no` is the second option of a red flag.
                        (prop::bool::weighted(calm), any)
                            .prop_map(|(calm, v)| if calm { Some(Value::Option(1)) } else { v })
                            .boxed()
                    } else {
                        any.boxed()
                    }
                })
                .collect();
            let empty = empty.clone();
            slots.prop_map(move |values| {
                let mut answers = empty.clone();
                for (i, value) in values.into_iter().enumerate() {
                    answers.set(i, value);
                }
                answers
            })
        })
    }

    /// Which questions apply and the answers in force, the plain way:
    /// every `ask_if` tested (none shared), with the level before its
    /// question worked out afresh.
    fn plain_in_force(q: &Questionnaire, answers: &Answers) -> (Vec<bool>, Vec<Option<Value>>) {
        let n = q.questions.len();
        let mut in_force = answers.values().to_vec();
        let mut applies = vec![true; n];
        for i in 0..n {
            let Some(ask_if) = &q.compiled.ask_if[i] else { continue };
            let level_before = match q.compiled.level_before[i] {
                None => Level::SelfCare,
                Some(_) => {
                    let (scores, bands, answered) = scores(q, &in_force);
                    let partial = State {
                        q,
                        applies: applies.clone(),
                        in_force: in_force.clone(),
                        scores,
                        bands,
                        answered,
                    };
                    partial.triage(i, None)
                }
            };
            let facts = Facts::on_answers(&in_force, level_before);
            applies[i] = ask_if.expr.holds(&facts);
            if !applies[i] {
                in_force[i] = None;
            }
        }
        (applies, in_force)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Buffers kept from one evaluation change nothing in the next:
        /// the report on `later` after `earlier` is the report on it on a
        /// thread that has evaluated nothing yet.
        #[test]
        fn kept_buffers_change_nothing(earlier in answers(questionnaire()), later in answers(questionnaire())) {
            let q = questionnaire();
            drop(outcome(q, &earlier));
            let kept = evaluate(q, &later);
            let fresh = std::thread::scope(|scope| scope.spawn(|| evaluate(q, &later)).join().expect("evaluated"));
            prop_assert_eq!(kept, fresh);
        }
    }

    /// The list of what raised the level keeps its room from one
    /// evaluation to the next (as the other buffers do).
    #[test]
    fn an_emptied_list_of_what_raised_the_level_keeps_its_room() {
        let mut raised = Vec::with_capacity(40);
        raised.push(Raised::Rule { rule: 0, level: Level::Soon });
        assert!(unborrowed(raised).capacity() >= 40);
    }

    /// The shipped questionnaire has questions that share a condition, so
    /// that the test below sees shared ones.
    #[test]
    fn questions_share_conditions() {
        let shared = questionnaire().compiled.asks.iter().filter(|ask| matches!(ask, Ask::Same { .. }));
        assert!(shared.count() >= 5);
    }

    /// The shipped questionnaire's asks are settled run by run, one run
    /// reading the level before its questions, and some reading answers
    /// settled earlier in the same run: the test below sees them.
    #[test]
    fn asks_are_settled_run_by_run() {
        let q = questionnaire();
        let runs = q.compiled.ask_runs.as_ref().expect("settled run by run");
        assert!(runs.len() >= 2);
        assert!(runs.iter().any(|run| run.level_before.is_some()));
        assert_eq!(runs.iter().map(|run| run.asks.len()).sum::<usize>(), q.compiled.asks.len());
    }

    /// The shipped questionnaire with a triage rule that reads a band,
    /// so that the level before a question is worked out with scores.
    fn triage_reading_scores() -> &'static Questionnaire {
        static Q: std::sync::OnceLock<Questionnaire> = std::sync::OnceLock::new();
        Q.get_or_init(|| {
            let text = crate::shipped("low-back-glutes").expect("shipped");
            let mut def: serde_json::Value = serde_json::from_str(text).expect("json");
            let rule = serde_json::json!({
                "id": "nerve_irritation_high",
                "when": {"band_in": ["nerve_irritation", ["high"]]},
                "level": "soon",
                "because": "Signs of an irritated nerve are worth a check.",
                "sources": ["nice-cks-lbp"]
            });
            def["triage_rules"].as_array_mut().expect("rules").push(rule);
            Questionnaire::from_json(&def.to_string(), "test").expect("loads")
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Where a triage rule reads scores, the level before a question
        /// is worked out with them: what settles is what settling one
        /// question at a time gives, and the level what triage of the
        /// settled answers gives.
        #[test]
        fn triage_reading_scores_settles_as_plainly(answers in answers(triage_reading_scores())) {
            let q = triage_reading_scores();
            prop_assert!(q.compiled.triage_reads_scores);
            let (state, _) = State::new(q, &answers);
            let (applies, in_force) = plain_in_force(q, &answers);
            prop_assert_eq!(&state.applies, &applies);
            prop_assert_eq!(&state.in_force, &in_force);
            let flags = state.red_flags(usize::MAX, None);
            prop_assert_eq!(outcome(q, &answers).level(), state.rules_in_order(usize::MAX, flags, None));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The shortcuts of triage (the level of all the answers and their
        /// scores kept from the way there; rules tested at once; rules
        /// that cannot raise the level left untested when only the level
        /// is wanted) give what triage and scoring of the settled answers,
        /// every rule tested in order, give; and conditions shared by
        /// questions decide what testing each gives.
        #[test]
        fn shortcuts_of_triage_change_nothing(answers in answers(questionnaire())) {
            let q = questionnaire();
            let (state, _) = State::new(q, &answers);
            let mut raised = Vec::new();
            let flags = state.red_flags(usize::MAX, Some(&mut raised));
            let level = state.rules_in_order(usize::MAX, flags, Some(&mut raised));
            let plain: Vec<String> = raised
                .iter()
                .map(|r| match *r {
                    Raised::Flag { question, answer, .. } => format!("{}.{}", q.questions[question].id, answer.as_str()),
                    Raised::Rule { rule, level } => format!("{}@{level}", q.triage_rules[rule].id),
                })
                .collect();
            let outcome = outcome(q, &answers);
            let kept: Vec<String> = outcome
                .raised
                .iter()
                .map(|r| match *r {
                    Raised::Flag { question, answer, .. } => format!("{}.{}", q.questions[question].id, answer.as_str()),
                    Raised::Rule { rule, level } => format!("{}@{level}", q.triage_rules[rule].id),
                })
                .collect();
            prop_assert_eq!(outcome.level(), level);
            prop_assert_eq!(kept, plain);
            prop_assert_eq!(state.triage(usize::MAX, None), level);
            let (scores, bands, answered) = scores(q, &state.in_force);
            // Each scored domain's band, read from the bands as written.
            for (d, domain) in q.domains.iter().enumerate().filter(|(d, _)| scores[*d].is_some()) {
                let plain = scores[d].and_then(|s| {
                    domain.bands.iter().position(|b| {
                        b.min.is_some_and(|min| s >= min - 1e-9) && b.max.is_some_and(|max| s <= max + 1e-9)
                    })
                });
                prop_assert_eq!(bands[d], plain, "{}", domain.id);
            }
            prop_assert_eq!(&state.scores, &scores);
            prop_assert_eq!(&state.bands, &bands);
            prop_assert_eq!(&state.answered, &answered);
            prop_assert_eq!(triage_level(q, &answers), level);
            let (applies, in_force) = plain_in_force(q, &answers);
            prop_assert_eq!(&state.applies, &applies);
            prop_assert_eq!(&state.in_force, &in_force);
        }
    }
}
