//! Questionnaires built from the fuzzer's bytes, valid in shape, with
//! extreme numbers everywhere a number goes: points near 2^31 and 2^32,
//! integer ranges at the ends of i64, number ranges at the ends of f64,
//! thresholds, band limits, `min_answered`, `at_least` counts, comparison
//! values, and many options. The linter either refuses one with problems
//! (never with none), or it loads and then evaluates, with answers at the
//! ends of every range, to scores that are finite, within their maximum,
//! and rendered in every format without a panic (debug assertions catch
//! any arithmetic that wraps).
#![no_main]

mod renders;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use renders::renders_and_reads_back;
use selfcheck::{evaluate, Answers, AnswersDocument, Questionnaire};
use serde_json::{json, Value as Json};

fn points(u: &mut Unstructured) -> Result<u32> {
    let any = u.arbitrary()?;
    Ok(*u.choose(&[0, 1, 2, 1 << 31, (1 << 31) - 1, u32::MAX, u32::MAX - 1, any])?)
}

fn integer(u: &mut Unstructured) -> Result<i64> {
    let any = u.arbitrary()?;
    Ok(*u.choose(&[i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX, 1 << 53, (1 << 53) + 1, any])?)
}

fn number(u: &mut Unstructured) -> Result<f64> {
    let any: f64 = u.arbitrary()?;
    let any = if any.is_finite() { any } else { 0.5 };
    Ok(*u.choose(&[
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        5e-324,
        -0.0,
        0.0,
        1e308,
        -1e308,
        9.007_199_254_740_993e15,
        4_294_967_296.0,
        0.1,
        any,
    ])?)
}

fn count(u: &mut Unstructured) -> Result<u64> {
    let small = u.int_in_range(0..=8)?;
    Ok(*u.choose(&[0, 1, 2, 3, u64::from(u32::MAX), u64::MAX, small])?)
}

/// A questionnaire of a red flag, an integer, a number and a choice
/// question, a summed and a percent domain over them, and rules that
/// compare them with extreme values.
fn questionnaire(u: &mut Unstructured) -> Result<Json> {
    let (int_min, int_max) = (integer(u)?, integer(u)?);
    let (num_min, num_max) = (number(u)?, number(u)?);
    let options: Vec<Json> = (0..u.int_in_range(2..=300)?)
        .map(|i| json!({"id": format!("o{i}"), "label": format!("Option {i}")}))
        .collect();
    let option_points: Vec<Json> = (0..u.int_in_range(0..=4)?)
        .map(|i| Ok(json!({"option": format!("o{i}"), "points": points(u)?})))
        .collect::<Result<_>>()?;
    let thresholds = |u: &mut Unstructured| -> Result<Vec<Json>> {
        (0..u.int_in_range(1..=3)?).map(|_| Ok(json!({"value": number(u)?, "points": points(u)?}))).collect()
    };
    let items = json!([
        {"question": "flag", "points": [{"option": "yes", "points": points(u)?}, {"option": "not_sure", "points": points(u)?}]},
        {"question": "whole", "at_least": thresholds(u)?},
        {"question": "real", "at_least": thresholds(u)?},
        {"question": "choice", "points": option_points},
    ]);
    let bands = |u: &mut Unstructured| -> Result<Json> {
        let split = number(u)?;
        Ok(json!([
            {"id": "low", "min": 0, "max": split, "explanation": "Low."},
            {"id": "high", "min": split, "max": number(u)?, "explanation": "High."}
        ]))
    };
    Ok(json!({
        "id": "extreme", "version": "1.0.0", "title": "Extreme", "language": "en",
        "intended_purpose": "Fuzz input.", "disclaimer": "Not a diagnosis.",
        "levels": {
            "emergency": {"title": "Emergency", "action": "Act now."},
            "urgent": {"title": "Urgent", "action": "Today."},
            "soon": {"title": "Soon", "action": "Within two weeks."},
            "self_care": {"title": "Self-care", "action": "Follow the plan."}
        },
        "questions": [
            {"id": "flag", "text": "Sign?", "kind": "yes_no_not_sure",
             "red_flag": {"yes": "urgent", "not_sure": "soon", "unanswered": "soon", "because": "It matters."}},
            {"id": "whole", "text": "Whole?", "kind": "integer", "min": int_min, "max": int_max},
            {"id": "real", "text": "Real?", "kind": "number", "min": num_min, "max": num_max,
             "ask_if": {"not": {"is": ["flag", "yes"]}}},
            {"id": "choice", "text": "Which?", "kind": "single_choice", "options": options}
        ],
        "triage_rules": [
            {"id": "big", "when": {"any": [{"gte": ["whole", number(u)?]}, {"lt": ["real", number(u)?]}]},
             "level": "soon", "because": "Big."},
            {"id": "many", "when": {"at_least": [count(u)?, [{"answered": "whole"}, {"answered": "real"}]]},
             "level": "urgent", "because": "Many."}
        ],
        "domains": [
            {"id": "sum", "title": "Sum", "scoring": "sum", "items": items.clone(),
             "min_answered": count(u)?, "bands": bands(u)?},
            {"id": "percent", "title": "Percent", "scoring": "percent", "items": items,
             "bands": [{"id": "all", "min": 0, "max": 100, "explanation": "All."}]}
        ],
        "recommendations": [{"id": "walk", "kind": "habit", "title": "Walk", "evidence": "low", "summary": "Walk."}],
        "selection_rules": [{"id": "walk", "recommend": "walk",
                             "when": {"score_gte": ["sum", number(u)?]},
                             "why": "Score {score:sum} of {score:percent}, {answer:whole}, {answer:real}."}],
        "safety_net": ["Get help if it gets worse."],
        "cite_always": ["guide"],
        "sources": [{"id": "guide", "citation": "A guide.", "url": "https://example.org/"}]
    }))
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(definition) = questionnaire(&mut u) else { return };
    let text = definition.to_string();
    let questionnaire = match Questionnaire::from_json(&text, "extreme.json") {
        Ok(questionnaire) => questionnaire,
        Err(error) => {
            // A refusal always says why.
            let parsed = selfcheck::questionnaire::parse_definition(&text);
            if error.kind() == selfcheck::ErrorKind::InvalidQuestionnaire {
                assert!(!error.problems().is_empty(), "refused with no problem: {error}");
            } else {
                assert!(parsed.is_err(), "{error}");
            }
            return;
        }
    };
    // Answers at the ends of every range, and whatever the bytes say.
    let (int_min, int_max) =
        (definition["questions"][1]["min"].clone(), definition["questions"][1]["max"].clone());
    let (num_min, num_max) =
        (definition["questions"][2]["min"].clone(), definition["questions"][2]["max"].clone());
    let flag = *u.choose(&["yes", "no", "not_sure"]).unwrap_or(&"no");
    let whole = if u.arbitrary().unwrap_or(false) { int_min } else { int_max };
    let real = if u.arbitrary().unwrap_or(false) { num_min } else { num_max };
    let document =
        json!({"answers": {"flag": flag, "whole": whole, "real": real, "choice": "o0"}}).to_string();
    let document = AnswersDocument::parse(document.as_bytes()).expect("a document");
    let answers = Answers::from_document(&questionnaire, &document.answers).expect("answers within range");
    let report = evaluate(&questionnaire, &answers);
    for domain in &report.domains {
        if let (Some(score), Some(max)) = (domain.score, domain.max) {
            assert!(score.is_finite() && score >= 0.0 && score <= max, "{} of {max}", score);
        }
    }
    renders_and_reads_back(&report);
});
