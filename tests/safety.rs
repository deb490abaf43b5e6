//! The safety invariants of `low-back-glutes`, as properties over generated
//! answer sets.
//!
//! The answer sets come from the questionnaire itself: every question gets
//! any valid value of its kind (any option, any whole number or number in
//! its range, the range ends included) or no answer, whatever its `ask_if`,
//! so a question added to the file is covered without a change here. Red
//! flags are drawn from mixes that run from "all `no`" to "anything", so
//! that every triage level is well represented.
//!
//! What each property proves is stated in its doc comment. The triage
//! table of the brief lives in `brief/mod.rs`, written apart from the
//! questionnaire's rules.

mod brief;
#[path = "common/readability.rs"]
mod readability;

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;
use selfcheck::model::Kind;
use selfcheck::render::{self, Format};
use selfcheck::{
    evaluate, triage_level, Answers, AnswersDocument, Level, Questionnaire, RecommendationKind, Report, Value,
};
use serde_json::Value as Json;

use brief::{Brief, Tri, RED_FLAGS};

const ID: &str = "low-back-glutes";

/// Cases per property: the level-only properties are cheap, the rendering
/// ones render every report three times.
const LEVEL_CASES: u32 = 1024;
const RENDER_CASES: u32 = 256;

const EXERCISE: [RecommendationKind; 3] =
    [RecommendationKind::Strength, RecommendationKind::Stretch, RecommendationKind::Program];

fn questionnaire() -> &'static Questionnaire {
    static Q: OnceLock<Questionnaire> = OnceLock::new();
    Q.get_or_init(|| {
        let text = selfcheck::shipped(ID).expect("shipped");
        Questionnaire::from_json(text, ID).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// A second copy, loaded apart from the first, for determinism checks.
fn second_copy() -> &'static Questionnaire {
    static Q: OnceLock<Questionnaire> = OnceLock::new();
    Q.get_or_init(|| Questionnaire::from_json(selfcheck::shipped(ID).expect("shipped"), ID).expect("loads"))
}

fn brief() -> &'static Brief {
    static B: OnceLock<Brief> = OnceLock::new();
    B.get_or_init(|| Brief::new(questionnaire()))
}

// --- Generated answers ----------------------------------------------------

/// Any valid value of a question kind, with the ends of numeric ranges
/// drawn often.
fn value_of(kind: &Kind) -> BoxedStrategy<Value> {
    match kind {
        Kind::Integer { min, max, .. } => {
            prop_oneof![1 => Just(*min), 1 => Just(*max), 6 => *min..=*max].prop_map(Value::Integer).boxed()
        }
        Kind::Number { min, max, .. } => {
            // Whole numbers too, so that thresholds are hit exactly.
            let whole = (min.ceil() as i64..=max.floor() as i64).prop_map(|n| n as f64);
            prop_oneof![1 => Just(*min), 1 => Just(*max), 3 => whole, 3 => *min..=*max]
                .prop_map(Value::Number)
                .boxed()
        }
        choice => {
            let count = u16::try_from(choice.option_ids().len()).expect("few options");
            (0..count).prop_map(Value::Option).boxed()
        }
    }
}

/// The index of option `id` of question `index`.
fn option(q: &Questionnaire, index: usize, id: &str) -> u16 {
    let ids = q.questions[index].kind.option_ids();
    let at =
        ids.iter().position(|o| *o == id).unwrap_or_else(|| panic!("{}: no `{id}`", q.questions[index].id));
    u16::try_from(at).expect("few options")
}

/// Answer sets for every question of the questionnaire. A set first draws
/// how calm its red flags are (the chance of each being `no`), then every
/// answer.
fn any_answers() -> impl Strategy<Value = Answers> {
    let q = questionnaire();
    prop_oneof![Just(1.0), Just(0.95), Just(0.8), Just(0.0)].prop_flat_map(move |calm: f64| {
        let slots: Vec<BoxedStrategy<Option<Value>>> = q
            .questions
            .iter()
            .enumerate()
            .map(|(i, question)| {
                let any = proptest::option::weighted(0.85, value_of(&question.kind));
                if q.red_flags().contains(&i) {
                    let no = Some(Value::Option(option(q, i, "no")));
                    (proptest::bool::weighted(calm), any)
                        .prop_map(move |(calm, v)| if calm { no } else { v })
                        .boxed()
                } else {
                    any.boxed()
                }
            })
            .collect();
        slots.prop_map(move |values| {
            let mut answers = Answers::empty(q);
            for (i, value) in values.into_iter().enumerate() {
                answers.set(i, value);
            }
            answers
        })
    })
}

/// Answer sets at `urgent` or `emergency`.
fn serious_answers() -> impl Strategy<Value = Answers> {
    any_answers().prop_filter("at urgent or above", |answers| level(answers) >= Level::Urgent)
}

/// The answers as a person would write them, for failure messages.
fn shown(answers: &Answers) -> String {
    answers.to_document(questionnaire())["answers"].to_string()
}

fn with(answers: &Answers, index: usize, value: Option<Value>) -> Answers {
    let mut changed = answers.clone();
    changed.set(index, value);
    changed
}

fn level(answers: &Answers) -> Level {
    triage_level(questionnaire(), answers)
}

/// Red flags and the questions still asked after an emergency (the cauda
/// equina follow-up): every yes / no / not sure question whose answer can
/// raise the level towards `emergency`.
fn warning_questions() -> Vec<usize> {
    let q = questionnaire();
    (0..q.questions.len())
        .filter(|i| q.red_flags().contains(i) || q.questions[*i].ask_before_stop)
        .inspect(|i| assert!(matches!(q.questions[*i].kind, Kind::YesNoNotSure), "{}", q.questions[*i].id))
        .collect()
}

// --- Triage ----------------------------------------------------------------

proptest! {
    #![proptest_config(Config::with_cases(LEVEL_CASES))]

    /// For every answer set and every red flag (and the cauda equina
    /// follow-up), with every other answer kept: level(`no`) ≤
    /// level(`not_sure`) ≤ level(`yes`). A more worrying answer never
    /// gives a less cautious result.
    #[test]
    fn raising_a_warning_sign_answer_never_lowers_the_level(answers in any_answers()) {
        let q = questionnaire();
        for index in warning_questions() {
            let levels = ["no", "not_sure", "yes"]
                .map(|answer| level(&with(&answers, index, Some(Value::Option(option(q, index, answer))))));
            prop_assert!(
                levels[0] <= levels[1] && levels[1] <= levels[2],
                "{}: no/not_sure/yes give {:?} with {}", q.questions[index].id, levels, shown(&answers)
            );
        }
    }

    /// For every answer set and every red flag: level(flag unanswered) ≥
    /// max(level(flag = `no`), `soon`). So removing a red-flag answer
    /// never gives less than the brief's unanswered rule (`soon`), nor
    /// less than an explicit `no` would; with the previous point,
    /// level(removed) ≥ min(level(before), `soon`).
    #[test]
    fn an_unanswered_red_flag_gives_at_least_soon_and_never_less_than_no(answers in any_answers()) {
        let q = questionnaire();
        for &index in q.red_flags() {
            // A red flag that is not asked (by age, or a follow-up whose
            // trigger is not `yes`) raises nothing, answered or not.
            if !selfcheck::eval::applying(q, &answers)[index] {
                continue;
            }
            let unanswered = level(&with(&answers, index, None));
            let no = level(&with(&answers, index, Some(Value::Option(option(q, index, "no")))));
            prop_assert!(
                unanswered >= no.max(Level::Soon),
                "{}: unanswered gives {unanswered}, no gives {no}, with {}", q.questions[index].id, shown(&answers)
            );
        }
    }

    /// For every answer set: level(follow-up removed) ≥ level(answers).
    /// An unanswered cauda equina follow-up keeps `emergency`, as a `yes`
    /// does.
    #[test]
    fn removing_the_follow_up_answer_never_lowers_the_level(answers in any_answers()) {
        let q = questionnaire();
        let before = level(&answers);
        for index in warning_questions().into_iter().filter(|i| q.questions[*i].ask_before_stop && !q.red_flags().contains(i)) {
            let removed = level(&with(&answers, index, None));
            prop_assert!(removed >= before, "{}: {before} → {removed} with {}", q.questions[index].id, shown(&answers));
        }
    }

    /// For every answer set and every question that is not a red flag:
    /// leaving it unanswered gives a level at least as cautious as
    /// answering `no` (the brief: "a missing answer never gives a less
    /// cautious level than `no`"), and for a choice question at least as
    /// cautious as its least worrying option. (A missing number is
    /// compared as the brief says: "age 50 or over" does not hold.)
    #[test]
    fn a_missing_answer_is_never_less_cautious_than_no(answers in any_answers()) {
        let q = questionnaire();
        for index in (0..q.questions.len()).filter(|i| !q.red_flags().contains(i)) {
            let kind = &q.questions[index].kind;
            if kind.is_numeric() {
                continue;
            }
            let removed = level(&with(&answers, index, None));
            let floor = match kind {
                Kind::YesNo | Kind::YesNoNotSure => level(&with(&answers, index, Some(Value::Option(option(q, index, "no"))))),
                _ => (0..kind.option_ids().len())
                    .map(|o| level(&with(&answers, index, Some(Value::Option(o as u16)))))
                    .min()
                    .unwrap_or(Level::SelfCare),
            };
            prop_assert!(
                removed >= floor,
                "{}: missing gives {removed}, the least worrying answer {floor}, with {}", q.questions[index].id, shown(&answers)
            );
        }
    }

    /// For every answer set and every red flag of the brief answered
    /// `not_sure`: at least `urgent` for an emergency-level flag, at least
    /// `soon` for the others.
    #[test]
    fn not_sure_gives_the_brief_minimum(answers in any_answers()) {
        let b = brief();
        for (position, (id, yes_level)) in RED_FLAGS.iter().enumerate() {
            let answers = with(&answers, b.flag_index(position), b.value(Tri::NotSure));
            if !b.applies(&answers, position) {
                continue;
            }
            let level = level(&answers);
            let minimum = if *yes_level == Level::Emergency { Level::Urgent } else { Level::Soon };
            prop_assert!(level >= minimum, "{id} not sure gives {level} with {}", shown(&answers));
        }
    }

    /// For every answer set, the engine's level (both through
    /// `triage_level` and in the full report) equals the level of the
    /// brief's table as written out in `brief/mod.rs`.
    #[test]
    fn the_level_is_the_briefs(answers in any_answers()) {
        let expected = brief().level(&answers);
        prop_assert_eq!(level(&answers), expected, "answers {}", shown(&answers));
        prop_assert_eq!(evaluate(questionnaire(), &answers).triage.level, expected);
    }
}

// --- Reports and their renderings -------------------------------------------

/// Cases for the budget property: a cheap one, so that rare long reports
/// get their chance.
const BUDGET_CASES: u32 = 512;

/// The heading of the list of warning signs not answered, in Markdown.
const UNANSWERED_HEADING: &str = "\n## Warning signs not answered\n";

/// The budgets of the person's part, in words, by level, as the report's
/// section of the README states them.
fn budget(level: Level) -> usize {
    match level {
        Level::Emergency => 200,
        Level::Urgent => 350,
        Level::Soon | Level::SelfCare => 750,
    }
}

/// Whitespace runs made single spaces and box borders removed, so that
/// wrapped text can be searched for a sentence.
fn flat(s: &str) -> String {
    let unboxed =
        s.lines().map(|line| line.strip_prefix("| ").and_then(|l| l.strip_suffix(" |")).unwrap_or(line));
    // Markdown's escapes (`A\\&E`) are not part of the words.
    unboxed.flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ").replace("\\&", "&")
}

/// The three renderings of a report that its properties are read from
/// (HTML writes the same outline as text and Markdown).
fn renderings(report: &Report<'_>) -> [(Format, String); 3] {
    [Format::Text, Format::Markdown, Format::Json].map(|format| (format, render::render(report, format)))
}

/// Every way the renderings show an exercise recommendation: its kind
/// label, its title, or (in JSON) an entry of that kind.
fn exercise_shown(report: &Report<'_>) -> Vec<String> {
    let q = questionnaire();
    let mut found = Vec::new();
    for (format, out) in renderings(report) {
        if format == Format::Json {
            let json: Json = serde_json::from_str(&out).expect("JSON");
            for entry in json["recommendations"].as_array().expect("a list") {
                if EXERCISE.iter().any(|k| entry["kind"] == k.as_str()) {
                    found.push(format!("json: {entry}"));
                }
            }
            continue;
        }
        for kind in EXERCISE {
            if out.contains(&format!("({})", kind.as_str())) {
                found.push(format!("{format}: ({})", kind.as_str()));
            }
        }
        let flat_out = flat(&out);
        for rec in q.recommendations.iter().filter(|r| EXERCISE.contains(&r.kind)) {
            if flat_out.contains(&flat(&rec.title)) {
                found.push(format!("{format}: {}", rec.title));
            }
        }
    }
    found
}

fn exercises(report: &Report<'_>) -> Vec<String> {
    report.recommendations.iter().filter(|r| EXERCISE.contains(&r.kind)).map(|r| r.id.to_string()).collect()
}

proptest! {
    #![proptest_config(Config::with_cases(BUDGET_CASES))]

    /// For every answer set: the person's part of the Markdown report
    /// keeps to its level's budget of words, and what must stay stays: the
    /// action, below `urgent` every exercise of the plan with its steps
    /// and every note chosen for the plan (the stop rule), and at every
    /// level each reason marked foremost.
    #[test]
    fn the_persons_part_keeps_to_its_budget(answers in any_answers()) {
        let report = evaluate(questionnaire(), &answers);
        let level = report.triage.level;
        let markdown = render::markdown(&report);
        let person = markdown.split("\n# For your clinician\n").next().unwrap_or_default();
        // The names of warning signs not answered are never cut, and only
        // they may take the part over its budget: with every sign
        // answered, it keeps to it.
        let unanswered = person
            .split_once(UNANSWERED_HEADING)
            .map_or("", |(_, rest)| rest.split("\n## ").next().unwrap_or_default());
        let words = readability::words(person).count() - readability::words(unanswered).count();
        prop_assert!(words <= budget(level), "{words} words at {level} (the unanswered signs left out), budget {}, with {}", budget(level), shown(&answers));
        let text = render::text(&report, 80);
        let person = flat(text.split("\nFor your clinician\n").next().unwrap_or_default());
        prop_assert!(person.contains(&flat(&report.triage.action)), "no action with {}", shown(&answers));
        let exercises = report.recommendations.iter().filter(|r| r.in_plan && EXERCISE[..2].contains(&r.kind));
        for exercise in exercises {
            for said in std::iter::once(exercise.title.as_ref()).chain(exercise.how_to.iter().map(String::as_str)) {
                prop_assert!(person.contains(&flat(said)), "{}: {said:?} missing with {}", exercise.id, shown(&answers));
            }
        }
        let plan_notes = report.notes.iter().filter(|note| note.place == selfcheck::model::NotePlace::Plan);
        for note in plan_notes.filter(|_| level < Level::Urgent) {
            prop_assert!(person.contains(&flat(&note.text)), "{} missing with {}", note.id, shown(&answers));
        }
        // A foremost reason (every cancer reason) is never left to the
        // clinician's part, at any level.
        for reason in report.triage.reasons.iter().filter(|r| r.foremost && r.level == level) {
            prop_assert!(person.contains(&flat(&reason.because)), "{} missing with {}", reason.rule, shown(&answers));
        }
    }
}

proptest! {
    #![proptest_config(Config::with_cases(RENDER_CASES))]

    /// At `urgent` and `emergency`: no recommendation of kind strength,
    /// stretch or program in the report, none shown in text, Markdown or
    /// JSON, no "Your plan" section, and the notice saying why.
    #[test]
    fn no_exercise_plan_at_urgent_or_emergency(answers in serious_answers()) {
        let report = evaluate(questionnaire(), &answers);
        prop_assert!(exercises(&report).is_empty(), "{:?} at {} with {}", exercises(&report), report.triage.level, shown(&answers));
        let shown_exercise = exercise_shown(&report);
        prop_assert!(shown_exercise.is_empty(), "{:?} with {}", shown_exercise, shown(&answers));
        for (format, out) in renderings(&report) {
            prop_assert!(!out.contains("Your plan"), "{format}: a plan heading with {}", shown(&answers));
        }
        prop_assert!(report.notices.iter().any(|n| n.id == "clinician_first"), "no notice says why");
    }

    /// Under 18, at any level: no strength, stretch or program, in the
    /// report or any rendering, and the notice that the tool is for adults.
    #[test]
    fn no_exercise_plan_under_18(answers in any_answers(), age in 0i64..18) {
        let q = questionnaire();
        let index = q.question_index("age").expect("age");
        let answers = with(&answers, index, Some(Value::Integer(age)));
        let report = evaluate(q, &answers);
        prop_assert!(exercises(&report).is_empty(), "{:?} with {}", exercises(&report), shown(&answers));
        let shown_exercise = exercise_shown(&report);
        prop_assert!(shown_exercise.is_empty(), "{:?} with {}", shown_exercise, shown(&answers));
        prop_assert!(report.notices.iter().any(|n| n.id == "under_18"), "no under-18 notice");
    }

    /// Every report, in all three formats, says it is not a diagnosis and
    /// ends the person's part with the safety net: in text and Markdown the
    /// person's part leads with the action, the section between its "Safety
    /// net" heading and the part for a clinician is exactly the
    /// questionnaire's safety net, and nothing follows the sources, at the
    /// end of the clinician's part, which also states the purpose; in JSON
    /// the disclaimer and safety net are the questionnaire's and only
    /// `sources` follows `safety_net`.
    #[test]
    fn every_report_has_the_disclaimer_and_ends_with_the_safety_net(answers in any_answers()) {
        let q = questionnaire();
        let report = evaluate(q, &answers);
        // The introduction is set in bold, which Markdown marks.
        let net = |strong: &str| {
            let mut lines: Vec<String> =
                q.safety_net_intro.iter().map(|intro| format!("{strong}{}{strong}", flat(intro))).collect();
            lines.extend(q.safety_net.iter().map(|line| format!("- {}", flat(line))));
            for tier in &q.safety_net_tiers {
                lines.push(format!("{strong}{}{strong}", flat(&tier.intro)));
                lines.extend(tier.signs.iter().map(|line| format!("- {}", flat(line))));
            }
            lines.join(" ")
        };
        for (format, out) in renderings(&report) {
            if format == Format::Json {
                let json: Json = serde_json::from_str(&out).expect("JSON");
                prop_assert_eq!(&json["disclaimer"], &Json::from(q.disclaimer.as_str()));
                prop_assert_eq!(&json["safety_net"], &serde_json::to_value(&q.safety_net).expect("JSON"));
                prop_assert_eq!(&json["safety_net_intro"], &serde_json::to_value(&q.safety_net_intro).expect("JSON"));
                let keys: Vec<&str> = out
                    .lines()
                    .filter_map(|l| l.strip_prefix("  \"")?.split('"').next())
                    .collect();
                prop_assert_eq!(&json["safety_net_tiers"], &serde_json::to_value(&q.safety_net_tiers).expect("JSON"));
                prop_assert_eq!(&keys[keys.len() - 3..], &["safety_net", "safety_net_tiers", "sources"]);
                continue;
            }
            let out = flat(&out);
            let (heading, clinician, sources, net) = match format {
                Format::Markdown => ("## Safety net ", " # For your clinician ", " ## Sources ", net("**")),
                _ => ("Safety net ---------- ", " For your clinician ================== ", " Sources ------- ", net("")),
            };
            let part = out.find(clinician).expect("the part for a clinician");
            let (person, rest) = out.split_at(part);
            let disclaimer = person.find(&flat(&q.disclaimer));
            let action = person.find(&flat(&report.triage.action));
            prop_assert!(disclaimer.is_some() && action.is_some(), "{format}");
            prop_assert!(action < disclaimer, "{format}: the action is not first");
            prop_assert!(rest.contains(&flat(&q.intended_purpose)), "{format}: no purpose");
            let start = person.rfind(heading).expect("a safety net heading") + heading.len();
            prop_assert_eq!(&person[start..], net.as_str(), "{}", format);
            let end = rest.rfind(sources).expect("a sources heading");
            let after = &rest[end + sources.len()..];
            prop_assert!(!after.contains("---") && !after.contains(" #"), "{format}: a section after the sources");
        }
    }

    /// Acupuncture is never a recommendation: not in the report's
    /// recommendations, not before the "approaches you may read about"
    /// section in text or Markdown (nowhere in the person's part when there
    /// is no such section), and always labelled `contested`.
    #[test]
    fn acupuncture_is_never_recommended(answers in any_answers()) {
        let report = evaluate(questionnaire(), &answers);
        for rec in &report.recommendations {
            let said = format!("{} {} {} {}", rec.id, rec.title, rec.summary, rec.how_to.join(" "));
            prop_assert!(!said.to_lowercase().contains("acupunct"), "{}", rec.id);
        }
        let contested: Vec<(&str, &str)> = report.contested.iter().map(|c| (c.id.as_ref(), c.label.as_ref())).collect();
        // Shown only at `self_care` and `soon`, and not under 18.
        let age = questionnaire().question_index("age").and_then(|i| answers.get(i)).and_then(Value::as_f64);
        let shown_here = report.triage.level < Level::Urgent && !age.is_some_and(|age| age < 18.0);
        let expected = if shown_here { vec![("acupuncture", "contested")] } else { Vec::new() };
        prop_assert_eq!(contested, expected);
        for (format, out) in renderings(&report) {
            if format == Format::Json {
                let json: Json = serde_json::from_str(&out).expect("JSON");
                prop_assert!(!json["recommendations"].to_string().to_lowercase().contains("acupunct"));
                continue;
            }
            let lower = out.to_lowercase();
            let person = &lower[..lower.find("for your clinician").expect("the part for a clinician")];
            match person.find("approaches you may read about") {
                Some(section) => prop_assert!(
                    person.find("acupunct").is_some_and(|first| first > section),
                    "{format}: acupuncture before its section"
                ),
                None => prop_assert!(!person.contains("acupunct"), "{format}: acupuncture without its section"),
            }
        }
    }

    /// Answers to questions whose `ask_if` is false change nothing: the
    /// report with them removed, or replaced by any other valid answers,
    /// is the same apart from the list of ignored answers (and the
    /// wording of the questions it names).
    #[test]
    fn answers_behind_a_false_condition_change_nothing(answers in any_answers(), others in any_answers()) {
        let q = questionnaire();
        // Which questions apply, in order, as a person would be asked.
        let applies = selfcheck::eval::applying(q, &answers);
        let not_asked: Vec<usize> = (0..q.questions.len()).filter(|&i| !applies[i]).collect();
        prop_assume!(!not_asked.is_empty());
        let mut removed = answers.clone();
        let mut replaced = answers.clone();
        for &i in &not_asked {
            removed.set(i, None);
            replaced.set(i, others.get(i));
        }
        let comparable = |answers: &Answers| {
            let mut report = evaluate(q, answers);
            report.ignored_answers.clear();
            report.question_texts.retain(|t| !not_asked.iter().any(|i| q.questions[*i].id == t.id));
            serde_json::to_string(&report).expect("JSON")
        };
        let original = comparable(&answers);
        prop_assert_eq!(&comparable(&removed), &original, "removing {:?}", not_asked);
        prop_assert_eq!(&comparable(&replaced), &original, "replacing {:?}", not_asked);
    }

    /// The same answers document always gives the same bytes in every
    /// format (evaluated twice, and against a second copy of the
    /// questionnaire), and the JSON report round-trips: serialise,
    /// deserialise, serialise again gives identical bytes, pretty and
    /// compact.
    #[test]
    fn same_input_same_bytes_and_the_json_round_trips(answers in any_answers()) {
        let q = questionnaire();
        let bytes = serde_json::to_vec(&answers.to_document(q)).expect("JSON");
        let document = AnswersDocument::parse(&bytes).expect("a written document parses");
        let parsed = Answers::from_document(q, &document.answers).expect("written answers check");
        prop_assert_eq!(&parsed, &answers);
        let second = second_copy();
        let first = evaluate(q, &parsed);
        for format in Format::ALL {
            let out = render::render(&first, format);
            prop_assert_eq!(&render::render(&evaluate(q, &parsed), format), &out, "{}", format);
            prop_assert_eq!(&render::render(&evaluate(second, &parsed), format), &out, "{}", format);
        }
        let pretty = render::json(&first);
        let back: Report<'_> = serde_json::from_str(&pretty).expect("the report reads back");
        prop_assert_eq!(&back, &first);
        prop_assert_eq!(render::json(&back), pretty);
        let mut line = Vec::new();
        render::write_json_line(&first, &mut line).expect("write to memory");
        let back: Report<'_> = serde_json::from_slice(&line).expect("the line reads back");
        let mut again = Vec::new();
        render::write_json_line(&back, &mut again).expect("write to memory");
        prop_assert_eq!(again, line);
    }
}

// --- Sources ---------------------------------------------------------------------

/// FNV-1a, 64 bits: a stable hash written out here so that the committed
/// hashes never depend on a library's choice.
fn fnv1a(text: &str) -> u64 {
    text.bytes()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The hashes of every run of six words of `text`: lower-cased, split on
/// anything that is not a-z or 0-9, joined by single spaces.
fn shingles(text: &str) -> Vec<u64> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_lowercase() && !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(6).map(|run| fnv1a(&run.join(" "))).collect()
}

/// Every string of a JSON value, with its path.
fn strings<'a>(value: &'a Json, path: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Json::String(s) => out.push((path, s)),
        Json::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| strings(v, format!("{path}[{i}]"), out))
        }
        Json::Object(map) => map.iter().for_each(|(k, v)| strings(v, format!("{path}.{k}"), out)),
        _ => {}
    }
}

/// No text of the questionnaire, the README or the documentation repeats
/// six words in a row of the source article. The article is not kept in
/// the repository; `brief/article-shingles.txt` holds only the hashes of
/// its six-word runs (see `docs/safety.md` for how they were made).
#[test]
fn no_text_repeats_the_source_article() {
    let article: std::collections::HashSet<u64> = include_str!("brief/article-shingles.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| u64::from_str_radix(line, 16).expect("a hex hash"))
        .collect();
    assert!(article.len() > 500, "{} hashes", article.len());
    // The detector detects: the first six words of the article's title.
    assert!(shingles("The Crucial Connection: Gluteal Muscles and").iter().all(|h| article.contains(h)));

    let file: Json = serde_json::from_str(selfcheck::shipped(ID).expect("shipped")).expect("JSON");
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut found = Vec::new();
    strings(&file, format!("questionnaires/{ID}.json"), &mut found);
    texts.extend(found.into_iter().map(|(path, text)| (path, text.to_owned())));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("README.md")];
    docs.extend(std::fs::read_dir(root.join("docs")).expect("docs/").map(|e| e.expect("entry").path()));
    for path in docs.into_iter().filter(|p| p.extension().is_some_and(|e| e == "md")) {
        texts.push((path.display().to_string(), std::fs::read_to_string(&path).expect("readable")));
    }
    let copied: Vec<&str> = texts
        .iter()
        .filter(|(_, text)| shingles(text).iter().any(|h| article.contains(h)))
        .map(|(p, _)| p.as_str())
        .collect();
    assert!(copied.is_empty(), "six words in a row of the article in: {copied:?}");
}

/// The sources of the brief, each by what its citation must carry: author
/// or body, year, and the journal, volume or code that pins it down.
const BRIEF_SOURCES: [&[&str]; 19] = [
    &["NICE", "NG59", "2016", "2020"],
    &["NICE", "NG234", "2023"],
    &["NICE", "NG65"],
    &["GIRFT", "cauda equina", "2023"],
    &["Clinical Knowledge Summaries", "Back pain - low (without radiculopathy)"],
    &["Clinical Knowledge Summaries", "Sciatica"],
    &["Qaseem", "Ann Intern Med", "2017", "166", "514"],
    &["Chou", "2007"],
    &["BASS", "cauda equina", "2018"],
    &["Henschke", "Cochrane", "2013", "CD008686"],
    &["Finucane", "J Orthop Sports Phys Ther", "2020"],
    &["Hayden", "Cochrane", "2021", "CD009790"],
    &["de Jesus", "Clin Rehabil", "2020"],
    &["Owen", "Br J Sports Med", "2020"],
    &["Herrington", "2011"],
    &["Laird", "BMC Musculoskelet Disord", "2014", "15:229"],
    &["Mu", "Cochrane", "2020", "CD013814"],
    &["Steffens", "JAMA Intern Med", "2016"],
    &["Downie", "BMJ", "2013", "f7095"],
];

/// The questionnaire cites the brief's sources and no others: each of its
/// sources carries the identifiers of exactly one source of the brief, and
/// each source of the brief is there.
#[test]
fn sources_are_the_briefs() {
    let q = questionnaire();
    let matches = |citation: &str| -> Vec<usize> {
        (0..BRIEF_SOURCES.len())
            .filter(|i| BRIEF_SOURCES[*i].iter().all(|part| citation.contains(part)))
            .collect()
    };
    let mut seen = vec![0; BRIEF_SOURCES.len()];
    for source in &q.sources {
        let found = matches(&source.citation);
        assert_eq!(found.len(), 1, "{}: matches {found:?} of the brief: {}", source.id, source.citation);
        seen[found[0]] += 1;
    }
    for (i, count) in seen.iter().enumerate() {
        assert_eq!(*count, 1, "the brief's source {:?} is cited {count} times", BRIEF_SOURCES[i]);
    }
}

/// Words for what the brief rules out of the advice: medicines, belts,
/// corsets, braces, orthotics, traction and acupuncture.
const RULED_OUT: [&str; 14] = [
    "medic",
    "tablet",
    "pill",
    "painkiller",
    "drug",
    "ibuprofen",
    "paracetamol",
    "belt",
    "corset",
    "brace",
    "orthotic",
    "insole",
    "traction",
    "acupunct",
];

/// No entry of the recommendation catalogue, nor any `why` a rule can
/// give, speaks of what the brief rules out. (The intended purpose and
/// the contested section may name them, to say they are not advised.)
#[test]
fn no_recommendation_speaks_of_what_the_brief_rules_out() {
    let q = questionnaire();
    let mut said: Vec<(String, String)> = Vec::new();
    for rec in &q.recommendations {
        let json = serde_json::to_string(rec).expect("JSON").to_lowercase();
        said.push((format!("recommendation {}", rec.id), json));
    }
    for rule in &q.selection_rules {
        said.push((format!("selection rule {}", rule.id), rule.why.to_lowercase()));
    }
    assert!(said.len() > 20);
    for (what, text) in &said {
        for word in RULED_OUT {
            assert!(!text.contains(word), "{what} mentions `{word}`");
        }
    }
}
