//! The renderers' promises, on a small questionnaire whose texts are
//! chosen to be awkward: Markdown syntax in the data, long words, and
//! every part of a report present at some level.

use serde_json::{json, Value as Json};
use textwrap::core::display_width;

use super::*;
use crate::{evaluate, Answers, AnswersDocument, Level, Questionnaire};

fn fixture() -> Questionnaire {
    let definition = json!({
        "id": "render-fixture",
        "version": "2.0.1",
        "title": "Renderer test questionnaire",
        "language": "en",
        "intended_purpose": "Checks the renderers. For adults; *not* for use with people.",
        "disclaimer": "This is not a diagnosis and no substitute for a clinician.",
        "levels": {
            "emergency": {"title": "Emergency: act now", "action": "Call the emergency number now."},
            "urgent": {"title": "Urgent: today", "action": "Contact a doctor today."},
            "soon": {"title": "Soon", "action": "Book an appointment within 1-2 weeks.",
                     "plan_note": "gentle, stop if worse"},
            "self_care": {"title": "Self-care", "action": "Follow the plan below."}
        },
        "questions": [
            {"id": "rf_numb", "text": "Numbness in the <saddle> area?", "kind": "yes_no_not_sure",
             "red_flag": {"yes": "emergency", "not_sure": "urgent", "unanswered": "soon",
                          "because": "Numbness there can mean nerve pressure.", "sources": ["guide"]}},
            {"id": "age", "text": "Age?", "kind": "integer", "min": 0, "max": 120, "unit": "years"},
            {"id": "leg", "text": "Leg pain?", "kind": "yes_no"},
            {"id": "leg_weeks", "text": "Weeks of leg pain?", "kind": "integer", "min": 0, "max": 520,
             "ask_if": {"is": ["leg", "yes"]}},
            {"id": "hours", "text": "Hours sitting?", "kind": "number", "min": 0, "max": 24}
        ],
        "triage_rules": [
            {"id": "long_leg_pain", "when": {"gte": ["leg_weeks", 4]}, "level": "soon",
             "because": "Leg pain for a month needs a look.", "sources": ["guide"]}
        ],
        "domains": [
            {"id": "sitting", "title": "Sitting load", "scoring": "sum",
             "items": [{"question": "hours", "at_least": [{"value": 6, "points": 1}, {"value": 9, "points": 2}]}],
             "note": "A rough_observation, not a measure.",
             "bands": [
                {"id": "low", "min": 0, "max": 0, "explanation": "- Little sitting."},
                {"id": "moderate", "min": 1, "max": 1, "explanation": "1. Some sitting."},
                {"id": "high", "min": 2, "max": 2, "explanation": "# A lot of sitting & more."}]}
        ],
        "recommendations": [
            {"id": "stay_active", "kind": "habit", "title": "Stay active", "evidence": "moderate",
             "summary": "Keep moving [within reason].", "sources": ["guide"]},
            {"id": "bridge", "kind": "strength", "title": "Glute bridge", "evidence": "low",
             "evidence_note": "small benefit", "summary": "Lift the hips.", "dose": "2-3 sets of 8-12",
             "how_to": ["Lie on your back.", "Press through the heels and lift the hips."],
             "progression": "Single leg.", "stop_rule": "Stop if pain spreads down the leg.",
             "sources": ["guide", "trial"]}
        ],
        "selection_rules": [
            {"id": "active", "recommend": "stay_active", "when": {"level_below": "urgent"},
             "why": "Staying active helps at level {level}."},
            {"id": "bridge_always", "recommend": "bridge", "when": {"level_below": "emergency"},
             "why": "Sitting is {band:sitting}."}
        ],
        "plan_limits": [
            {"id": "serious", "when": {"level_at_least": "urgent"}, "withhold": ["strength", "stretch", "program"],
             "notice": "No exercise plan is given until a clinician has seen you."},
            {"id": "under_18", "when": {"lt": ["age", 18]}, "withhold": ["strength", "stretch", "program"],
             "notice": "This tool is written for adults; please ask a clinician."}
        ],
        "contested": [
            {"id": "needles", "title": "Acupuncture", "label": "contested",
             "summary": "Guidelines disagree about it.", "sources": ["trial"]}
        ],
        "safety_net": ["Call the emergency number if numbness appears in the saddle area.",
                       "Get help today if a fever starts."],
        "sources": [
            {"id": "guide", "citation": "A guideline (2020).", "url": "https://example.org/guide"},
            {"id": "trial", "citation": "A trial, 2019."}
        ]
    });
    Questionnaire::from_json(&definition.to_string(), "render-fixture").unwrap_or_else(|e| panic!("{e}"))
}

fn report_for<'q>(q: &'q Questionnaire, answers: Json) -> Report<'q> {
    let text = json!({ "answers": answers }).to_string();
    let document = AnswersDocument::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let answers = Answers::from_document(q, &document.answers).unwrap_or_else(|e| panic!("{e}"));
    evaluate(q, &answers)
}

/// One answer set per level, plus the awkward paths.
fn cases() -> Vec<Json> {
    vec![
        json!({"rf_numb": "yes", "age": 40, "hours": 10}),
        json!({"rf_numb": "not_sure", "age": 40}),
        json!({"age": 40, "hours": 7}),
        json!({"rf_numb": "no", "age": 40, "leg": "yes", "leg_weeks": 6, "hours": 3}),
        json!({"rf_numb": "no", "age": 30, "hours": 2}),
        json!({"rf_numb": "no", "age": 15, "leg": "no", "leg_weeks": 9}),
    ]
}

/// Whitespace runs made single spaces, so that wrapped text can be
/// searched for a sentence.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn prose(report: &Report<'_>) -> [String; 2] {
    [text(report, 80), markdown(report)]
}

#[test]
fn fixture_reaches_every_level() {
    let q = fixture();
    let levels: Vec<Level> = cases().into_iter().map(|a| report_for(&q, a).triage.level).collect();
    for level in Level::ALL {
        assert!(levels.contains(&level), "no case at {level}");
    }
}

#[test]
fn every_report_opens_with_the_disclaimer_and_ends_with_safety_net_then_sources() {
    let q = fixture();
    for answers in cases() {
        let report = report_for(&q, answers);
        for out in prose(&report) {
            let out = flat(&out);
            let disclaimer = out.find(&*report.disclaimer).expect("disclaimer");
            let action = out.find(&*report.triage.action).expect("action");
            assert!(disclaimer < action, "the disclaimer comes before the triage");
            let net = out.find("Safety net").expect("safety net heading");
            for line in &report.safety_net {
                assert!(out[net..].contains(&**line), "safety net line missing: {line}");
            }
            let sources = out.rfind("Sources").expect("sources heading");
            assert!(net < sources);
            for other in ["Your plan", "Approaches you may read about", "What your answers suggest"] {
                if let Some(at) = out.find(other) {
                    assert!(at < net, "`{other}` after the safety net");
                }
            }
            assert!(out.ends_with("(2020). https://example.org/guide") || out.ends_with("A trial, 2019."));
        }
    }
}

#[test]
fn no_exercise_plan_at_urgent_or_emergency() {
    let q = fixture();
    for answers in cases() {
        let report = report_for(&q, answers);
        if report.triage.level < Level::Urgent {
            continue;
        }
        for out in prose(&report) {
            assert!(!out.contains("Your plan"));
            assert!(!out.contains("Glute bridge"));
            for kind in ["(strength)", "(stretch)", "(program)"] {
                assert!(!out.contains(kind), "{kind} at {}", report.triage.level);
            }
            assert!(out.contains("No exercise plan is given until a clinician has seen you."));
        }
        let out = text(&report, 80);
        let boxed = out.lines().skip_while(|l| !l.starts_with("+-")).nth(1).expect("a box");
        assert!(boxed.contains(&report.triage.title.to_uppercase()), "{boxed}");
        let md = markdown(&report);
        assert!(
            md.contains(&format!("> **{}** (level `{}`)", report.triage.title, report.triage.level)),
            "{md}"
        );
    }
}

#[test]
fn at_soon_the_plan_note_comes_before_the_plan() {
    let q = fixture();
    let report = report_for(&q, json!({"age": 40, "hours": 7}));
    assert_eq!(report.triage.level, Level::Soon);
    for out in prose(&report) {
        let note = out.find("gentle, stop if worse").expect("plan note");
        let first = out.find("Stay active").expect("a recommendation");
        assert!(note < first);
    }
}

#[test]
fn unanswered_red_flags_are_shown_by_their_question_in_the_warning_box() {
    let q = fixture();
    let report = report_for(&q, json!({"age": 40}));
    assert_eq!(report.unanswered_red_flags, ["rf_numb"]);
    let out = text(&report, 80);
    let start = out.find("WARNING SIGNS NOT ANSWERED").expect("heading");
    let end = start + out[start..].find("\n+-").expect("end of box");
    assert!(out[start..end].contains("Numbness in the <saddle> area? (rf_numb)"), "{out}");
    let md = markdown(&report);
    assert!(md.contains("> - Numbness in the \\<saddle\\> area? (`rf_numb`)"), "{md}");
    // Not listed a second time among the other unanswered questions.
    assert_eq!(out.matches("(rf_numb)").count(), 1);
}

#[test]
fn ignored_answers_are_said_to_affect_nothing() {
    let q = fixture();
    let report = report_for(&q, json!({"rf_numb": "no", "age": 15, "leg": "no", "leg_weeks": 9}));
    assert_eq!(report.ignored_answers, ["leg_weeks"]);
    let out = flat(&text(&report, 80));
    assert!(
        out.contains("did not affect anything in this report: - Weeks of leg pain? (leg_weeks)"),
        "{out}"
    );
    assert!(out.contains("This tool is written for adults; please ask a clinician."));
    assert!(!out.contains("Glute bridge"));
}

#[test]
fn text_fits_the_width() {
    let q = fixture();
    for answers in cases() {
        let report = report_for(&q, answers);
        for width in [24, 40, 60, 80, 120] {
            let out = text(&report, width);
            for line in out.lines() {
                assert!(display_width(line) <= width, "{} > {width}: {line:?}", display_width(line));
                assert_eq!(line, line.trim_end(), "trailing space: {line:?}");
            }
            assert!(out.ends_with('\n') && !out.ends_with("\n\n"));
        }
        // Narrower requests get the narrowest useful layout.
        assert_eq!(text(&report, 3), text(&report, 24));
    }
}

#[test]
fn text_hangs_list_items_under_their_marker() {
    let q = fixture();
    let report = report_for(&q, json!({"rf_numb": "no", "age": 30, "hours": 2}));
    let out = text(&report, 40);
    let lines: Vec<&str> = out.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("2. Glute bridge")).expect("numbered item");
    assert_eq!(lines[at + 1], "   Evidence: low. small benefit.");
    assert!(out.contains(
        "   How to:\n   1. Lie on your back.\n   2. Press through the heels and lift\n      the hips.\n"
    ));
}

#[test]
fn markdown_escapes_the_data() {
    let q = fixture();
    let high = report_for(&q, json!({"rf_numb": "no", "age": 30, "hours": 10}));
    let md = markdown(&high);
    assert!(md.contains("For adults; \\*not\\* for use with people."));
    assert!(md.contains("Keep moving \\[within reason\\]."));
    assert!(md.contains("\\# A lot of sitting & more."));
    assert!(md.contains("A rough\\_observation"));
    let low = markdown(&report_for(&q, json!({"rf_numb": "no", "age": 30, "hours": 2})));
    assert!(low.contains("  \\- Little sitting."), "{low}");
    let moderate = markdown(&report_for(&q, json!({"rf_numb": "no", "age": 30, "hours": 7})));
    assert!(moderate.contains("  1\\. Some sitting."), "{moderate}");
    assert!(md.contains("- `guide`: A guideline (2020). <https://example.org/guide>"));
}

/// Recommendations are small sections whose fields are lines of one
/// paragraph (hard breaks), with the steps as a list between paragraphs.
#[test]
fn markdown_gives_each_recommendation_a_section() {
    let q = fixture();
    let md = markdown(&report_for(&q, json!({"rf_numb": "no", "age": 30, "hours": 2})));
    let expected = "### 2. Glute bridge (strength)\n\n\
                    **Evidence:** low. small benefit.\\\n\
                    **Why:** Sitting is low.\\\n\
                    Lift the hips.\\\n\
                    **Dose:** 2-3 sets of 8-12\n\n\
                    **How to:**\n\n\
                    1. Lie on your back.\n\
                    2. Press through the heels and lift the hips.\n\n\
                    **Progression:** Single leg.\\\n\
                    **When to stop:** Stop if pain spreads down the leg.\\\n\
                    Sources: `guide`, `trial`.\n\n## ";
    assert!(md.contains(expected), "{md}");
}

#[test]
fn json_is_the_report_and_round_trips() {
    let q = fixture();
    for answers in cases() {
        let report = report_for(&q, answers);
        let pretty = json(&report);
        assert!(pretty.ends_with("}\n"));
        let back: Report<'_> = serde_json::from_str(&pretty).expect("valid JSON");
        assert_eq!(back, report);
        let mut line = Vec::new();
        write_json_line(&report, &mut line).expect("write to a Vec");
        let line = String::from_utf8(line).expect("UTF-8");
        assert!(!line.contains('\n'));
        assert_eq!(line, serde_json::to_string(&report).expect("serialise"));
        let a: Json = serde_json::from_str(&line).expect("valid JSON");
        let b: Json = serde_json::from_str(&pretty).expect("valid JSON");
        assert_eq!(a, b);
    }
}

#[test]
fn rendering_is_deterministic() {
    let q = fixture();
    for answers in cases() {
        let a = report_for(&q, answers.clone());
        let b = report_for(&q, answers);
        for format in Format::ALL {
            assert_eq!(render(&a, format), render(&b, format));
        }
        assert_eq!(render(&a, Format::Text), text(&a, DEFAULT_WIDTH));
    }
}

#[test]
fn formats_parse_by_name() {
    for format in Format::ALL {
        assert_eq!(format.as_str().parse::<Format>(), Ok(format));
        assert_eq!(format.to_string(), format.as_str());
    }
    let error = "pdf".parse::<Format>().unwrap_err().to_string();
    assert_eq!(error, "unknown format `pdf`: expected one of text, markdown, json, html");
}
