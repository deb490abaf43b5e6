//! The engine piece by piece: loading, linting, answers and evaluation,
//! against `tests/fixtures/engine.json`, a questionnaire that uses every
//! part of the format. `docs/format.md` is checked here too: its complete
//! example must load.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use selfcheck::condition::Condition;
use selfcheck::model::{Definition, Question};
use selfcheck::questionnaire::parse_definition;
use selfcheck::report::Reason;
use selfcheck::{
    evaluate, triage_level, validate, Answers, AnswersDocument, ErrorKind, Level, Questionnaire, Report,
};
use serde_json::{json, Value as Json};

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn fixture() -> Questionnaire {
    Questionnaire::from_path(&fixture_path("engine.json")).unwrap_or_else(|e| panic!("{e}"))
}

fn definition() -> Definition {
    fixture().definition().clone()
}

fn answers(q: &Questionnaire, given: Json) -> Answers {
    let text = json!({ "answers": given }).to_string();
    let document = AnswersDocument::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    Answers::from_document(q, &document.answers).unwrap_or_else(|e| panic!("{e}"))
}

/// Both red flags answered `no`, plus `given`.
fn no_flags(given: Json) -> Json {
    let mut all = json!({"rf_numbness": "no", "rf_fever": "no"});
    if let (Some(all), Json::Object(given)) = (all.as_object_mut(), given) {
        all.extend(given);
    }
    all
}

fn rules<'r>(reasons: &'r [Reason<'_>]) -> Vec<&'r str> {
    reasons.iter().map(|r| r.rule.as_ref()).collect()
}

fn ids<'r>(items: impl IntoIterator<Item = &'r std::borrow::Cow<'r, str>>) -> Vec<&'r str> {
    items.into_iter().map(|id| id.as_ref()).collect()
}

fn chosen<'r>(report: &'r Report<'_>) -> Vec<&'r str> {
    report.recommendations.iter().map(|r| r.id.as_ref()).collect()
}

// --- Loading -------------------------------------------------------------

#[test]
fn a_misspelt_field_is_reported_with_file_line_column_and_path() {
    let text = r#"{
  "id": "x", "version": "1.0.0", "title": "X", "language": "en",
  "intended_purpose": "P", "disclaimer": "D",
  "levels": {
    "emergency": {"title": "E", "action": "A"}, "urgent": {"title": "U", "action": "A"},
    "soon": {"title": "S", "action": "A"}, "self_care": {"title": "C", "action": "A"}
  },
  "questions": [
    {"id": "age", "text": "Age?", "kind": "integer", "min": 0, "max": 120, "unti": "years"}
  ],
  "safety_net": ["Seek help."],
  "sources": []
}"#;
    let error = Questionnaire::from_json(text, "x.json").expect_err("a misspelt field");
    assert_eq!(error.kind(), ErrorKind::InvalidDocument);
    let at = error.location();
    assert_eq!(at.file.as_deref(), Some("x.json"));
    // serde_json points at the end of the key.
    assert_eq!((at.line, at.column), (Some(9), Some(81)));
    assert_eq!(at.path.as_deref(), Some("questions[0].unti"));
    assert!(error.message().starts_with("unknown field `unti`, expected one of"), "{error}");
    assert!(error.to_string().starts_with("x.json:9:81: unknown field `unti`"), "{error}");
}

#[test]
fn a_syntax_error_is_reported_with_line_and_column() {
    let error = parse_definition("{\n  \"id\": \"x\"\n  \"version\": \"1.0.0\"\n}").expect_err("no comma");
    assert_eq!(error.kind(), ErrorKind::Syntax);
    assert_eq!((error.location().line, error.location().column), (Some(3), Some(3)));
    assert_eq!(error.message(), "expected `,` or `}`");
}

#[test]
fn a_file_that_is_not_utf8_is_named_with_the_position_of_the_bad_byte() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("latin1.json");
    std::fs::write(&path, b"{\n  \"title\": \"Caf\xe9\"\n}\n").expect("write");
    let error = Questionnaire::from_path(&path).expect_err("not UTF-8");
    assert_eq!(error.kind(), ErrorKind::Syntax);
    assert_eq!(error.message(), "not UTF-8 text: invalid byte 0xE9");
    let at = error.location();
    assert_eq!((at.file.clone(), at.line, at.column), (Some(path.display().to_string()), Some(2), Some(16)));
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let path = fixture_path("no-such-file.json");
    let error = Questionnaire::from_path(&path).expect_err("missing");
    assert_eq!(error.kind(), ErrorKind::Io);
    assert_eq!(error.location().file, Some(path.display().to_string()));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let text = std::fs::read_to_string(fixture_path("engine.json")).expect("fixture");
    let questionnaire = Questionnaire::from_json(&format!("\u{feff}{text}"), "bom.json");
    assert_eq!(questionnaire.map(|q| q.id.clone()).ok().as_deref(), Some("engine-fixture"));
}

#[test]
fn the_file_round_trips_through_the_model() {
    let def = definition();
    let text = serde_json::to_string(&def).expect("serialise");
    let again = parse_definition(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        serde_json::to_value(&again).expect("serialise"),
        serde_json::to_value(&def).expect("serialise")
    );
}

// --- Linting -------------------------------------------------------------

#[test]
fn every_problem_is_listed_with_the_offending_id() {
    let mut def = definition();
    // A dangling reference,
    let i = def.question_index("getting_worse").expect("question");
    def.questions[i].ask_if = Some(Condition::Answered("pain_weks".into()));
    // a duplicate id,
    let hours: Question = def.question("hours").expect("question").clone();
    def.questions.push(hours);
    // and a gap between two bands (which leaves a rule naming a band that
    // is gone).
    def.domains[0].bands.remove(1);

    let problems = validate(&def);
    let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        shown,
        [
            "questions[7].id: duplicate id `hours` (first used at questions[3])",
            "questions[6].ask_if.answered: unknown question `pain_weks` (did you mean `pain_weeks`?)",
            "domains[0].bands: domain `sitting`: scores above 0 and below 2 fall in no band (between `low` and `high`)",
            "selection_rules[1].when.band_in: domain `sitting` has no band `moderate`",
        ]
    );

    let error = Questionnaire::new(def).expect_err("invalid");
    assert_eq!(error.kind(), ErrorKind::InvalidQuestionnaire);
    assert_eq!(error.problems(), problems.as_slice());
    assert_eq!(error.message(), "questionnaire `engine-fixture` has 4 problems");
}

#[test]
fn the_fixtures_have_no_problems() {
    for name in ["engine.json", "start-back-structure.json", "oswestry-structure.json"] {
        let def = parse_definition(&std::fs::read_to_string(fixture_path(name)).expect("fixture"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(validate(&def), [], "{name}");
    }
}

#[test]
fn a_band_inside_another_is_an_overlap_and_hides_no_gap() {
    let mut def = definition();
    // low 0–2 holds moderate (1–1) entirely; high starts right after low.
    def.domains[0].bands[0].max = Some(1.0);
    let problems: Vec<String> = validate(&def).iter().map(|p| p.message.clone()).collect();
    assert_eq!(problems, ["domain `sitting`: bands `low` and `moderate` overlap: both hold the score 1"]);
}

// --- Answers -------------------------------------------------------------

#[test]
fn answers_behind_a_false_condition_are_ignored() {
    let q = fixture();
    // Pain in the back only: the leg questions do not apply, and the answer
    // to `getting_worse` falls with `pain_weeks`, the question it follows.
    let given = no_flags(json!({"pain_where": "back", "pain_weeks": 12, "getting_worse": "yes"}));
    let report = evaluate(&q, &answers(&q, given));
    assert_eq!(ids(&report.ignored_answers), ["pain_weeks", "getting_worse"]);
    assert_eq!(report.triage.level, Level::SelfCare, "ignored answers raise nothing");
    assert!(report.triage.reasons.is_empty());
    assert_eq!(ids(&report.unanswered), ["age", "hours"]);

    // The same answers with leg pain are in force.
    let given = no_flags(json!({"pain_where": "leg_below_knee", "pain_weeks": 12, "getting_worse": "no"}));
    let report = evaluate(&q, &answers(&q, given));
    assert!(report.ignored_answers.is_empty());
    assert_eq!(rules(&report.triage.reasons), ["leg_pain_long"]);
}

#[test]
fn every_bad_answer_is_listed_by_id() {
    let q = fixture();
    let document =
        AnswersDocument::parse(br#"{"answers": {"age": 130, "pain_wher": "back", "rf_fever": "yes"}}"#)
            .expect("well-formed");
    let error = Answers::from_document(&q, &document.answers).expect_err("bad answers");
    assert_eq!(error.kind(), ErrorKind::InvalidAnswer, "the first problem's kind");
    assert_eq!(
        error.message(),
        "answer `age`: expected an integer from 0 to 120 (years), got 130\n\
         answer `pain_wher`: questionnaire `engine-fixture` has no such question (did you mean `pain_where`?)"
    );
}

#[test]
fn answers_round_trip_through_a_document() {
    let q = fixture();
    let given = answers(
        &q,
        json!({"rf_numbness": "not_sure", "age": 40, "hours": 7.5, "pain_where": "leg_above_knee"}),
    );
    let document = given.to_document(&q);
    assert_eq!(document["questionnaire"], "engine-fixture");
    assert_eq!(document["answers"]["hours"], json!(7.5));
    let text = document.to_string();
    let parsed = AnswersDocument::parse(text.as_bytes()).expect("parse");
    assert_eq!(Answers::from_document(&q, &parsed.answers).expect("check"), given);
}

// --- Evaluation ----------------------------------------------------------

#[test]
fn the_trace_lists_each_rule_that_fired_with_the_answers_it_saw() {
    let q = fixture();
    let given = json!({"rf_numbness": "not_sure", "pain_where": "leg_below_knee", "pain_weeks": 8});
    let report = evaluate(&q, &answers(&q, given));
    assert_eq!(report.triage.level, Level::Urgent);
    let trace = serde_json::to_value(&report.triage.reasons).expect("serialise");
    assert_eq!(
        trace,
        json!([
            {
                "rule": "rf_numbness.not_sure", "level": "urgent", "because": "Numbness there is a warning sign.",
                "answers": [{"question": "rf_numbness", "answer": "not_sure"}], "sources": ["guide"]
            },
            {
                "rule": "rf_fever.unanswered", "level": "soon", "because": "Fever matters.",
                "answers": [{"question": "rf_fever", "answer": null}], "sources": []
            },
            {
                "rule": "leg_pain_long", "level": "soon",
                "because": "Leg pain below the knee for six weeks or more deserves a check.",
                "answers": [{"question": "pain_where", "answer": "leg_below_knee"}, {"question": "pain_weeks", "answer": 8}],
                "sources": ["guide"]
            }
        ])
    );
    assert_eq!(ids(&report.unanswered_red_flags), ["rf_fever"]);
}

#[test]
fn a_yes_on_a_red_flag_is_named_by_its_generated_rule_id() {
    let q = fixture();
    let report = evaluate(&q, &answers(&q, no_flags(json!({"rf_numbness": "yes"}))));
    assert_eq!(report.triage.level, Level::Emergency);
    assert_eq!(rules(&report.triage.reasons), ["rf_numbness.yes"]);
    assert_eq!(report.triage.action, "Act now.");
}

#[test]
fn recommendations_come_in_catalogue_order_once_with_every_why() {
    let q = fixture();
    // Rules fire for `bridge`, `walk` (twice) and `hip_stretch`, in that
    // rule order; the catalogue order is walk, bridge, hip_stretch.
    let report = evaluate(&q, &answers(&q, no_flags(json!({"hours": 10, "pain_where": "back"}))));
    assert_eq!(chosen(&report), ["walk", "bridge", "hip_stretch"]);
    assert_eq!(report.recommendations[0].why, "Walking breaks up sitting. Pain: In the back.");
    assert_eq!(report.recommendations[1].why, "You sit 10 hours a day (high).");
    assert_eq!(report.recommendations[1].dose.as_deref(), Some("2 sets of 10"));
    assert!(report.withheld.is_empty() && report.notices.is_empty());
}

#[test]
fn plan_limits_withhold_kinds_and_say_why() {
    let q = fixture();
    // A fever raises `urgent`: no strength or stretch, and the person is
    // told why; the professional entry names the level.
    let report = evaluate(&q, &answers(&q, json!({"rf_numbness": "no", "rf_fever": "yes", "hours": 10})));
    assert_eq!(report.triage.level, Level::Urgent);
    assert_eq!(chosen(&report), ["walk", "see_someone"]);
    assert_eq!(report.recommendations[1].why, "Your answers call for a check (urgent).");
    let withheld: Vec<(&str, &str)> =
        report.withheld.iter().map(|w| (w.id.as_ref(), w.by.as_ref())).collect();
    assert_eq!(withheld, [("bridge", "raised_level"), ("hip_stretch", "raised_level")]);
    assert_eq!(ids(report.notices.iter().map(|n| &n.id)), ["raised_level"]);

    // Under 18, only strength is withheld.
    let report = evaluate(&q, &answers(&q, no_flags(json!({"age": 16, "hours": 10}))));
    assert_eq!(chosen(&report), ["walk", "hip_stretch"]);
    let withheld: Vec<(&str, &str)> =
        report.withheld.iter().map(|w| (w.id.as_ref(), w.by.as_ref())).collect();
    assert_eq!(withheld, [("bridge", "under_18")]);
    assert_eq!(report.notices[0].text, "Strength work under 18 needs a professional.");
}

#[test]
fn a_rule_sees_the_level_reached_so_far() {
    let q = fixture();
    let worse = |pain_where: &str| {
        no_flags(json!({"pain_where": pain_where, "pain_weeks": 8, "getting_worse": "yes"}))
    };
    // Nothing raised the level before `worsening_after_a_flag`: it does not hold.
    let report = evaluate(&q, &answers(&q, worse("leg_above_knee")));
    assert_eq!((report.triage.level, rules(&report.triage.reasons)), (Level::SelfCare, vec![]));
    // `leg_pain_long` raised `soon` just before it: it holds.
    let report = evaluate(&q, &answers(&q, worse("leg_below_knee")));
    assert_eq!(report.triage.level, Level::Urgent);
    assert_eq!(rules(&report.triage.reasons), ["leg_pain_long", "worsening_after_a_flag"]);

    // Rules run in file order: listed first, it sees only `self_care`.
    let mut def = definition();
    def.triage_rules.reverse();
    let reversed = Questionnaire::new(def).unwrap_or_else(|e| panic!("{e}"));
    let report = evaluate(&reversed, &answers(&reversed, worse("leg_below_knee")));
    assert_eq!(report.triage.level, Level::Soon);
    assert_eq!(rules(&report.triage.reasons), ["leg_pain_long"]);
}

#[test]
fn a_numeric_item_scores_the_highest_threshold_reached() {
    let mut def = definition();
    // Points that fall as the value rises: 2 from 6 hours, 1 from 9.
    def.domains[0].items[0].at_least[0].points = 2;
    def.domains[0].items[0].at_least[1].points = 1;
    let q = Questionnaire::new(def).unwrap_or_else(|e| panic!("{e}"));
    for (hours, points) in [(5.9, 0.0), (6.0, 2.0), (8.9, 2.0), (9.0, 1.0), (24.0, 1.0)] {
        let report = evaluate(&q, &answers(&q, json!({ "hours": hours })));
        assert_eq!(report.domains[0].score, Some(points), "{hours} hours");
    }
}

#[test]
fn evaluation_is_deterministic() {
    let q = fixture();
    let given =
        answers(&q, json!({"rf_numbness": "not_sure", "hours": 9.5, "pain_where": "back", "age": 30}));
    let first = serde_json::to_vec(&evaluate(&q, &given)).expect("serialise");
    for _ in 0..5 {
        assert_eq!(serde_json::to_vec(&evaluate(&q, &given)).expect("serialise"), first);
    }
    // A second copy of the questionnaire gives the same bytes too.
    assert_eq!(serde_json::to_vec(&evaluate(&fixture(), &given)).expect("serialise"), first);
}

/// Any answers at all: an answer per question or none, including answers
/// to questions that will not apply.
fn any_answers() -> impl Strategy<Value = Json> {
    let flag = || proptest::option::of(prop_oneof![Just("yes"), Just("no"), Just("not_sure")]);
    let place = prop_oneof![Just("none"), Just("back"), Just("leg_above_knee"), Just("leg_below_knee")];
    (
        (flag(), flag()),
        proptest::option::of(0i64..=120),
        proptest::option::of(0.0f64..=24.0),
        proptest::option::of(place),
        proptest::option::of(0i64..=520),
        proptest::option::of(prop_oneof![Just("yes"), Just("no")]),
    )
        .prop_map(|((numbness, fever), age, hours, place, weeks, worse)| {
            let pairs: [(&str, Option<Json>); 7] = [
                ("rf_numbness", numbness.map(Json::from)),
                ("rf_fever", fever.map(Json::from)),
                ("age", age.map(Json::from)),
                ("hours", hours.map(Json::from)),
                ("pain_where", place.map(Json::from)),
                ("pain_weeks", weeks.map(Json::from)),
                ("getting_worse", worse.map(Json::from)),
            ];
            Json::Object(pairs.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v?))).collect())
        })
}

proptest! {
    #[test]
    fn every_report_keeps_the_engine_promises(given in any_answers()) {
        let q = fixture();
        let answers = answers(&q, given);
        let report = evaluate(&q, &answers);
        let level = report.triage.level;
        // The level is the most cautious any fired rule raised.
        prop_assert_eq!(Some(level).filter(|l| *l > Level::SelfCare), report.triage.reasons.iter().map(|r| r.level).max());
        prop_assert_eq!(triage_level(&q, &answers), level);
        // Chosen entries: catalogue order, no duplicates, none of a
        // withheld kind; at `urgent` and above no exercise at all.
        let order: Vec<usize> = report.recommendations.iter()
            .map(|r| q.recommendations.iter().position(|c| c.id == r.id).expect("from the catalogue"))
            .collect();
        prop_assert!(order.windows(2).all(|w| w[0] < w[1]), "{:?}", order);
        if level >= Level::Urgent {
            prop_assert!(report.recommendations.iter().all(|r| !matches!(r.kind.as_str(), "strength" | "stretch" | "program")));
        }
        for withheld in &report.withheld {
            prop_assert!(report.recommendations.iter().all(|r| r.kind != withheld.kind));
        }
        // Unanswered red flags each raised their `unanswered` level.
        for flag in &report.unanswered_red_flags {
            let rule = format!("{flag}.unanswered");
            prop_assert!(report.triage.reasons.iter().any(|r| r.rule == rule), "{}", rule);
        }
        // Same answers, same report.
        prop_assert_eq!(&evaluate(&q, &answers), &report);
    }
}

// --- The format documentation ---------------------------------------------

fn format_doc() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/format.md"))
        .expect("docs/format.md")
}

/// The JSON block that follows `marker` in `docs/format.md`.
fn doc_block(marker: &str) -> String {
    let doc = format_doc();
    let after = &doc[doc.find(marker).unwrap_or_else(|| panic!("no `{marker}` in docs/format.md"))..];
    let start = after.find("```json\n").expect("a json block after the marker") + "```json\n".len();
    let end = after[start..].find("```").expect("a closed block");
    after[start..start + end].to_owned()
}

#[test]
fn the_documented_example_loads_and_evaluates() {
    let q = Questionnaire::from_json(&doc_block("<!-- example questionnaire -->"), "docs/format.md")
        .unwrap_or_else(|e| panic!("{e}"));
    let document = doc_block("<!-- example answers -->");
    let document = AnswersDocument::parse(document.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(document.questionnaire.as_deref(), Some(q.id.as_str()));
    let answers = Answers::from_document(&q, &document.answers).unwrap_or_else(|e| panic!("{e}"));
    let report = serde_json::to_value(evaluate(&q, &answers)).expect("serialise");
    // The doc shows the parts of the report this example gives.
    let shown: Json = serde_json::from_str(&doc_block("<!-- example report -->")).expect("report excerpt");
    for (key, value) in shown.as_object().expect("an object") {
        assert_eq!(&report[key], value, "report field `{key}`");
    }
    // And what the text after it says.
    let chosen: Vec<(&Json, &Json)> =
        report["recommendations"].as_array().expect("a list").iter().map(|r| (&r["id"], &r["why"])).collect();
    assert_eq!(
        chosen,
        [
            (&json!("understand_pain"), &json!("Knowing helps.")),
            (&json!("movement_breaks"), &json!("You sit about 9.5 hours a day (high sitting load).")),
            (&json!("glute_bridge"), &json!("Long sitting leaves the buttock muscles little work.")),
            (&json!("hip_stretch"), &json!("The front of the hip can feel tight after long sitting.")),
            (&json!("see_a_professional"), &json!("Your answers reached the `soon` level.")),
        ]
    );
    let in_plan: Vec<&Json> =
        report["recommendations"].as_array().expect("a list").iter().map(|r| &r["in_plan"]).collect();
    assert_eq!(in_plan, [&json!(true), &json!(true), &json!(true), &json!(false), &json!(true)]);
    assert_eq!(
        report["notes"],
        json!([{"id": "stop_rule", "place": "plan", "text": "Stop and get advice if your leg pain reaches further down than usual."}])
    );
    assert_eq!(report["ignored_answers"], json!([]));
    let mut younger = answers.clone();
    younger.set(q.question_index("age").expect("age"), Some(selfcheck::Value::Integer(16)));
    let report = evaluate(&q, &younger);
    assert_eq!(ids(report.withheld.iter().map(|w| &w.id)), ["glute_bridge"]);
    assert_eq!(ids(report.notices.iter().map(|n| &n.id)), ["under_18"]);
    assert_eq!(ids(report.notes.iter().map(|n| &n.id)), ["stop_rule", "for_parents"]);
    assert_eq!(ids(report.ignored_answers.iter()), ["squat_check"]);
    assert!(report.recommendations.iter().any(|r| r.id == "movement_breaks"), "kept under 18");
}

#[test]
fn every_json_block_in_the_format_doc_is_json() {
    let doc = format_doc();
    let blocks: Vec<&str> =
        doc.split("```json\n").skip(1).map(|rest| rest.split("```").next().unwrap_or("")).collect();
    assert!(blocks.len() > 10, "found {} blocks", blocks.len());
    for block in blocks {
        if let Err(e) = serde_json::from_str::<Json>(block) {
            panic!("{e} in:\n{block}");
        }
    }
}
