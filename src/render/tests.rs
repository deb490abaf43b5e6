//! The renderers' promises, on a small questionnaire whose texts are
//! chosen to be awkward: Markdown syntax in the data, long words, and
//! every part of a report present at some level.

use serde_json::{json, Value as Json};
use textwrap::core::display_width;

use super::prepared::Texts;
use super::*;
use crate::{evaluate, Answers, AnswersDocument, Level, Questionnaire};

fn fixture() -> Questionnaire {
    questionnaire(fixture_definition())
}

fn questionnaire(definition: Json) -> Questionnaire {
    Questionnaire::from_json(&definition.to_string(), "render-fixture").unwrap_or_else(|e| panic!("{e}"))
}

fn fixture_definition() -> Json {
    json!({
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
             "summary": "Guidelines disagree about it.",
             "evidence_note": "One trial found a small effect (2019).", "sources": ["trial"]}
        ],
        "safety_net": ["Call the emergency number if numbness appears in the saddle area.",
                       "Get help today if a fever starts."],
        "sources": [
            {"id": "guide", "citation": "A guideline (2020).", "url": "https://example.org/guide"},
            {"id": "trial", "citation": "A trial, 2019."}
        ]
    })
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

/// A rendered report cut into the person's part and the clinician's.
fn parts(out: &str) -> (&str, &str) {
    let at = out.find("For your clinician").expect("the clinician's part");
    out.split_at(at)
}

/// Every run of the blocks, pieces built, in order.
fn blocks_inlines<'a>(blocks: &[doc::Block<'a>], out: &mut Vec<doc::Inline<'a>>) {
    for block in blocks {
        match block {
            doc::Block::Title(para) | doc::Block::Heading(para) | doc::Block::Para(para) => {
                out.extend(para.iter().cloned())
            }
            doc::Block::Alert { heading, body } => {
                out.extend(heading.iter().cloned());
                blocks_inlines(body, out);
            }
            doc::Block::List { items, .. } => items.iter().for_each(|item| out.extend(item.iter().cloned())),
            doc::Block::Entries(entries) => {
                for (title, body) in entries {
                    out.extend(title.iter().cloned());
                    blocks_inlines(body, out);
                }
            }
            doc::Block::Piece(piece) => blocks_inlines(&[piece.block()], out),
        }
    }
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
fn every_report_leads_with_the_action_and_ends_the_persons_part_with_the_safety_net() {
    let q = fixture();
    for answers in cases() {
        let report = report_for(&q, answers);
        for out in prose(&report) {
            let (person, clinician) = parts(&out);
            let (person, clinician) = (flat(person), flat(clinician));
            let action = person.find(&*report.triage.action).expect("action");
            let disclaimer = person.find(&*report.disclaimer).expect("disclaimer in the person's part");
            assert!(action < disclaimer, "the action comes first");
            assert!(clinician.contains(&*report.disclaimer), "the disclaimer in the clinician's part too");
            let net = person.find("Safety net").expect("safety net heading");
            for line in &report.safety_net {
                assert!(person[net..].contains(&**line), "safety net line missing: {line}");
            }
            for other in ["Your plan", "Approaches you may read about", "What your answers suggest", "Why"] {
                if let Some(at) = person.find(other) {
                    assert!(at < net, "`{other}` after the safety net");
                }
            }
            assert!(!clinician.contains("Safety net"), "one safety net, at the end of the person's part");
            assert!(
                clinician.ends_with("(2020). https://example.org/guide")
                    || clinician.ends_with("A trial, 2019.")
            );
        }
    }
}

#[test]
fn the_persons_part_has_no_ids_and_markdown_no_line_breaks() {
    let q = fixture();
    for answers in cases() {
        let report = report_for(&q, answers);
        let outline = doc::outline(&report);
        let mut inlines = Vec::new();
        blocks_inlines(&outline.person, &mut inlines);
        assert!(
            !inlines.iter().any(|inline| matches!(inline, doc::Inline::Code(_))),
            "ids and answer values belong to the clinician's part"
        );
        let mut clinician = Vec::new();
        blocks_inlines(&outline.clinician, &mut clinician);
        assert!(
            clinician.iter().any(|inline| matches!(inline, doc::Inline::Code(_))),
            "the trace has its ids"
        );
        let md = markdown(&report);
        for line in md.lines() {
            assert!(!line.ends_with('\\') && !line.ends_with("  "), "a line break in Markdown: {line:?}");
        }
    }
}

#[test]
fn the_clinicians_part_has_the_whole_trace() {
    let q = fixture();
    let report = report_for(&q, json!({"rf_numb": "not_sure", "age": 40, "leg": "yes", "leg_weeks": 6}));
    let out = flat(&text(&report, 80));
    let (_, clinician) = parts(&out);
    for expected in [
        "For your clinician ==================",
        "Questionnaire render-fixture, version 2.0.1. Level urgent: Urgent: today.",
        "- rf_numb.not_sure (urgent): Numbness there can mean nerve pressure. Read: rf_numb = not_sure. Sources: guide.",
        "- long_leg_pain (soon): Leg pain for a month needs a look. Read: leg_weeks = 6. Sources: guide.",
        "Given: rf_numb = not_sure, age = 40, leg = yes, leg_weeks = 6.",
        "Other questions not answered: hours.",
        "Sitting load (sitting): not scored, from 0 answers. A rough_observation, not a measure.",
        "- bridge (withheld by serious: a strength entry).",
        "- guide: A guideline (2020). https://example.org/guide",
    ] {
        assert!(clinician.contains(expected), "missing {expected:?} in:\n{clinician}");
    }
    let soon = report_for(&q, json!({"rf_numb": "no", "age": 40, "leg": "yes", "leg_weeks": 6, "hours": 3}));
    let out = flat(&text(&soon, 80));
    let (_, clinician) = parts(&out);
    let chosen =
        "- stay_active (habit, evidence moderate): Staying active helps at level soon. Sources: guide.";
    assert!(clinician.contains(chosen), "{clinician}");
}

#[test]
fn emergency_gives_the_action_one_reason_and_the_safety_net_only() {
    let q = fixture();
    let report = report_for(&q, json!({"rf_numb": "yes", "age": 40, "hours": 10}));
    assert_eq!(report.triage.level, Level::Emergency);
    let out = text(&report, 80);
    let (person, _) = parts(&out);
    let headings: Vec<&str> = person
        .lines()
        .zip(person.lines().skip(1))
        .filter(|(_, under)| under.starts_with("---"))
        .map(|(heading, _)| heading)
        .collect();
    assert_eq!(headings, ["Why", "Safety net"], "{person}");
    assert!(person.contains("+----"), "the action in a box");
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
            let (person, _) = parts(&out);
            assert!(!person.contains("Your plan"));
            assert!(!person.contains("Glute bridge"));
            assert!(!out.contains("(strength, evidence"), "no exercise chosen at {}", report.triage.level);
            if report.triage.level == Level::Urgent {
                assert!(person.contains("No exercise plan is given until a clinician has seen you."));
                assert!(person.contains("What to tell the doctor"));
            }
        }
        let out = text(&report, 80);
        let boxed = out.lines().skip_while(|l| !l.starts_with("+-")).nth(1).expect("a box");
        assert!(boxed.contains(&report.triage.title.to_uppercase()), "{boxed}");
        let md = markdown(&report);
        assert!(
            md.contains(&format!("> **{}**\n>\n> {}", report.triage.title, report.triage.action)),
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
fn unanswered_red_flags_are_named_by_their_words_for_the_person_and_by_id_for_the_clinician() {
    let q = fixture();
    let report = report_for(&q, json!({"age": 40}));
    assert_eq!(report.unanswered_red_flags, ["rf_numb"]);
    let out = text(&report, 80);
    let (person, clinician) = parts(&out);
    let start = person.find("Warning signs not answered").expect("heading");
    assert!(person[start..].contains("- Numbness in the <saddle> area?"), "{person}");
    assert!(!person.contains("rf_numb"));
    assert!(flat(clinician).contains("Warning signs not answered (each raised the level): rf_numb."));
    assert!(flat(person).contains("- Some warning signs were not answered, so they could not be ruled out."));
    let md = markdown(&report);
    assert!(md.contains("- Numbness in the &lt;saddle\\> area?"), "{md}");
}

#[test]
fn ignored_answers_are_for_the_clinician() {
    let q = fixture();
    let report = report_for(&q, json!({"rf_numb": "no", "age": 15, "leg": "no", "leg_weeks": 9}));
    assert_eq!(report.ignored_answers, ["leg_weeks"]);
    let out = flat(&text(&report, 80));
    let (person, clinician) = parts(&out);
    assert!(clinician.contains("Answers ignored, because their question did not apply: leg_weeks."), "{out}");
    assert!(!person.contains("leg_weeks") && !person.contains("Weeks of leg pain"));
    assert!(person.contains("This tool is written for adults; please ask a clinician."));
    assert!(!person.contains("Glute bridge"));
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
    assert!(
        out.contains(
            "2. Glute bridge\n   Lift the hips.\n   How much: 2-3 sets of 8-12\n   1. Lie on your back.\n   \
             2. Press through the heels and lift\n      the hips.\n"
        ),
        "{out}"
    );
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
    assert!(md.contains("- `guide`: A guideline (2020). <https://example.org/guide>"));
    assert_eq!(markdown::guard("- Little sitting."), "\\- Little sitting.");
    assert_eq!(markdown::guard("1. Some sitting."), "1\\. Some sitting.");
    assert_eq!(markdown::guard("12) Some."), "12\\) Some.");
    assert_eq!(markdown::guard("+ more"), "\\+ more");
    let mut escaped = String::new();
    markdown::escape("a <b> & c &amp; ~~d~~ | e &#1 A&E", &mut escaped);
    assert_eq!(escaped, "a &lt;b\\> & c &amp;amp; &#126;&#126;d&#126;&#126; | e &amp;\\#1 A&E");
}

/// Recommendations are small sections of paragraphs, the steps a list,
/// an exercise's progression its next step.
#[test]
fn markdown_gives_each_recommendation_a_section() {
    let q = fixture();
    let md = markdown(&report_for(&q, json!({"rf_numb": "no", "age": 30, "hours": 2})));
    let expected = "### 2. Glute bridge\n\n\
                    Lift the hips.\n\n\
                    **How much:** 2-3 sets of 8-12\n\n\
                    1. Lie on your back.\n\
                    2. Press through the heels and lift the hips.\n\n\
                    **Next step:** Single leg.\n\n## ";
    assert!(md.contains(expected), "{md}");
}

/// A contested entry's summary is for the person; its evidence note, with
/// the sources, for the clinician.
#[test]
fn a_contested_entry_gives_the_person_its_summary_and_the_clinician_its_evidence() {
    let q = fixture();
    let md = markdown(&report_for(&q, json!({"rf_numb": "no", "age": 30, "hours": 2})));
    let at = md.find("# For your clinician").expect("the clinician's part");
    let (person, clinician) = md.split_at(at);
    assert!(person.contains("- **Acupuncture** (contested): Guidelines disagree about it."), "{person}");
    assert!(!person.contains("small effect"), "{person}");
    assert!(
        clinician
            .contains("- `needles` (contested): One trial found a small effect (2019). Sources: `trial`."),
        "{clinician}"
    );
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

/// The words of a rendered text as the budget counts them.
fn word_count(out: &str) -> usize {
    out.split(|c: char| c.is_whitespace() || matches!(c, '/' | '–' | '—' | '-'))
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count()
}

#[test]
fn the_budget_counts_the_words_markdown_shows() {
    let q = fixture();
    for answers in cases() {
        let report = report_for(&q, answers);
        let outline = doc::outline(&report);
        let markdown = markdown(&report);
        let (person, _) = parts(&markdown);
        // `parts` cuts before the title's words; the `# ` is no word.
        assert_eq!(doc::words(&outline.person), word_count(person), "{person}");
    }
}

#[test]
fn a_person_part_over_its_budget_leaves_the_least_needed_to_the_clinician() {
    // A domain explanation longer than the line that points to it.
    let mut definition = fixture_definition();
    definition["domains"][0]["bands"][2]["explanation"] =
        json!("A lot of sitting, for many hours in a row, on most days of the week.");
    let q = questionnaire(definition);
    let report =
        report_for(&q, json!({"rf_numb": "no", "age": 40, "leg": "yes", "leg_weeks": 6, "hours": 10}));
    assert_eq!(report.triage.level, Level::Soon);
    let full = doc::outline(&report);
    let explanation = "A lot of sitting";
    let in_person = |outline: &doc::Outline<'_>| {
        let mut inlines = Vec::new();
        blocks_inlines(&outline.person, &mut inlines);
        inlines.iter().any(|i| matches!(i, doc::Inline::Text(t) if t.contains(explanation)))
    };
    let in_clinician = |outline: &doc::Outline<'_>| {
        let mut inlines = Vec::new();
        blocks_inlines(&outline.clinician, &mut inlines);
        inlines.iter().any(|i| matches!(i, doc::Inline::Text(t) if t.contains(explanation)))
    };
    assert!(in_person(&full) && !in_clinician(&full), "within budget, nothing moves");
    // Within a budget of exactly its own length, nothing moves either.
    let words = doc::words(&full.person);
    assert_eq!(doc::outline_within(&report, words, Texts::default()), full);
    // One word less, and the domains' explanations move first.
    let trimmed = doc::outline_within(&report, words - 1, Texts::default());
    assert!(!in_person(&trimmed) && in_clinician(&trimmed));
    assert!(doc::words(&trimmed.person) < words);
    // With no room at all, everything that can move has moved; the action,
    // the exercises with their steps, the disclaimer and the safety net stay.
    let least = doc::outline_within(&report, 0, Texts::default());
    let mut inlines = Vec::new();
    blocks_inlines(&least.person, &mut inlines);
    let said: String = inlines.iter().map(|inline| inline.as_str()).collect::<Vec<_>>().join(" ");
    // The last to move: the approaches a person may read about, then each
    // exercise's next step; the clinician's part keeps both.
    let mut inlines = Vec::new();
    blocks_inlines(&full.person, &mut inlines);
    let said_in_full: String = inlines.iter().map(|inline| inline.as_str()).collect::<Vec<_>>().join(" ");
    let mut inlines = Vec::new();
    blocks_inlines(&least.clinician, &mut inlines);
    let clinician: String = inlines.iter().map(|inline| inline.as_str()).collect::<Vec<_>>().join(" ");
    for moved in ["Acupuncture", "Single leg."] {
        assert!(said_in_full.contains(moved) && !said.contains(moved), "{moved:?} still said: {said}");
        assert!(clinician.contains(moved), "{moved:?} kept for the clinician: {clinician}");
    }
    for kept in [
        "Book an appointment within 1-2 weeks.",
        "This is not a diagnosis",
        "Glute bridge",
        "Press through the heels and lift the hips.",
        "Get help today if a fever starts.",
        "It is listed, area by area, for your clinician.",
    ] {
        assert!(said.contains(kept), "{kept:?} missing: {said}");
    }
    assert!(doc::words(&least.person) <= doc::words(&trimmed.person));
}

/// The shipped questionnaire and a report of it for every answers file of
/// the tests (cases and vignettes), with the fixture's cases.
fn every_report_source() -> Vec<(Questionnaire, Vec<Json>)> {
    let shipped =
        Questionnaire::from_json(crate::shipped("low-back-glutes").expect("shipped"), "low-back-glutes")
            .unwrap_or_else(|e| panic!("{e}"));
    let mut documents = Vec::new();
    for dir in ["tests/cases", "tests/vignettes"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let document: Json =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if document.get("questionnaire").is_none_or(|id| id == "low-back-glutes") {
                documents.push(document["answers"].clone());
            }
        }
    }
    assert!(documents.len() > 100, "the answers files are found: {}", documents.len());
    vec![(fixture(), cases()), (shipped, documents)]
}

#[test]
fn prepared_texts_give_the_same_report_pages() {
    for (q, answer_sets) in every_report_source() {
        let prepared = Prepared::new(q);
        let q = prepared.questionnaire();
        for answers in answer_sets {
            let report = report_for(q, answers);
            assert_eq!(html_fragment_prepared(&report, &prepared), html_fragment(&report));
            // At every budget, down to none: the words are counted alike.
            let words = doc::words(&doc::outline(&report).person);
            for budget in [0, words / 3, words / 2, words.saturating_sub(1), words, words + 1] {
                assert_eq!(
                    doc::outline_within(&report, budget, Texts(Some(&prepared))),
                    doc::outline_within(&report, budget, Texts::default()),
                    "budget {budget}"
                );
            }
        }
    }
}

#[test]
fn prepared_answers_are_written_as_the_list_of_answers_writes_them() {
    // Every option of every question, made once, is the answer its
    // paragraph builds, written plainly; and it is taken only for the
    // question's own id and one of its options.
    let mut answers = 0;
    for (q, _) in every_report_source() {
        let prepared = Prepared::new(q);
        let q = prepared.questionnaire();
        for question in &q.questions {
            for option in question.kind.option_ids() {
                let shown = crate::report::Shown {
                    question: std::borrow::Cow::Borrowed(&question.id),
                    answer: Some(crate::answers::Given::Option(std::borrow::Cow::Owned(option.to_owned()))),
                };
                let mut para = doc::Para::Many(Vec::new());
                doc::answer(&shown, &mut para);
                let mut plain = String::new();
                html::inline(&para, &mut plain, Texts::default());
                assert_eq!(prepared.answer(&shown), Some(plain.as_str()));
                answers += 1;
                let moved = crate::report::Shown {
                    question: std::borrow::Cow::Owned(question.id.clone()),
                    ..shown.clone()
                };
                assert_eq!(prepared.answer(&moved), None, "only the questionnaire's own id is looked up");
                let other = crate::report::Shown {
                    answer: Some(crate::answers::Given::Option(std::borrow::Cow::Owned(format!(
                        "{option}x"
                    )))),
                    ..shown.clone()
                };
                assert_eq!(prepared.answer(&other), None, "an answer that is no option is written");
                let number =
                    crate::report::Shown { answer: Some(crate::answers::Given::Number(1.into())), ..shown };
                assert_eq!(prepared.answer(&number), None, "a number is written");
            }
        }
    }
    assert!(answers > 50, "the questionnaires have choice questions: {answers}");
}

#[test]
fn prepared_sources_are_their_list_items_as_written() {
    // Every source's list item, made once, is the item its piece builds,
    // written plainly; and it is taken only for the source as the
    // questionnaire gives it.
    let mut items = 0;
    for (q, _) in every_report_source() {
        let prepared = Prepared::new(q);
        let q = prepared.questionnaire();
        for source in &q.sources {
            let entry = crate::report::SourceEntry {
                id: std::borrow::Cow::Borrowed(&source.id),
                citation: std::borrow::Cow::Borrowed(&source.citation),
                url: source.url.as_deref().map(std::borrow::Cow::Borrowed),
            };
            let mut plain = String::new();
            html::list_item(&doc::source_item(&entry), &mut plain, Texts::default());
            assert_eq!(prepared.source(&entry), Some(plain.as_str()));
            items += 1;
            let changed = crate::report::SourceEntry {
                citation: std::borrow::Cow::Borrowed("Another citation."),
                ..entry.clone()
            };
            assert_eq!(prepared.source(&changed), None, "a source changed is written, not copied");
            let moved =
                crate::report::SourceEntry { id: std::borrow::Cow::Owned(source.id.clone()), ..entry };
            assert_eq!(prepared.source(&moved), None, "only the questionnaire's own id is looked up");
        }
    }
    assert!(items > 10, "the questionnaires have sources: {items}");
}

#[test]
fn prepared_recommendations_are_their_trace_items_and_entries_as_written() {
    // Every recommendation's item in the trace, in the plan or not, at
    // every trim and whatever the reasons it was chosen, is written from
    // its prepared parts exactly as its piece builds and writes it; so is
    // its plan entry, whose words are those the built entry has.
    use std::borrow::Cow;
    let mut items = 0;
    for (q, _) in every_report_source() {
        let prepared = Prepared::new(q);
        let q = prepared.questionnaire();
        for rec in &q.recommendations {
            for (in_plan, why) in [(true, ""), (false, "It helps."), (true, "Said <b>twice</b> & more")] {
                let chosen = crate::report::Chosen::of(rec, in_plan, Cow::Owned(why.to_owned()));
                for trim in
                    [doc::Trim::Nothing, doc::Trim::Reassurance, doc::Trim::Referrals, doc::Trim::Notices]
                {
                    assert!(prepared.recommendation(&chosen, trim).is_some(), "{} is prepared", rec.id);
                    let piece = [doc::Block::Piece(doc::Piece::Recommendations {
                        chosen: std::slice::from_ref(&chosen),
                        withheld: &[],
                        trim,
                    })];
                    assert_eq!(
                        html::write(&piece, &[], Texts(Some(&prepared))),
                        html::write(&piece, &[], Texts::default())
                    );
                    // As a plan entry too, with its words.
                    let plan = doc::Piece::Plan { chosen: std::slice::from_ref(&chosen), trim };
                    let entries = [doc::Block::Piece(plan)];
                    assert_eq!(
                        html::write(&entries, &[], Texts(Some(&prepared))),
                        html::write(&entries, &[], Texts::default())
                    );
                    let built = doc::words(&[plan.block()]);
                    assert_eq!(Texts(Some(&prepared)).piece_words(&plan), Some(built));
                    assert_eq!(doc::words(&entries), built);
                    items += 1;
                }
                let changed =
                    crate::report::Chosen { evidence: Cow::Borrowed("Other evidence"), ..chosen.clone() };
                assert!(prepared.recommendation(&changed, doc::Trim::Nothing).is_none(), "a change is seen");
                let retitled =
                    crate::report::Chosen { title: Cow::Borrowed("Another title"), ..chosen.clone() };
                assert!(prepared.plan_entry(&retitled, doc::Trim::Nothing).is_none(), "in an entry too");
                let resummed =
                    crate::report::Chosen { summary: Cow::Borrowed("Another summary"), ..chosen.clone() };
                assert!(prepared.plan_entry(&resummed, doc::Trim::Nothing).is_none());
                let fewer = crate::report::Chosen { sources: Cow::Borrowed(&[]), ..chosen.clone() };
                assert!(
                    rec.sources.is_empty() || prepared.recommendation(&fewer, doc::Trim::Nothing).is_none()
                );
            }
        }
    }
    assert!(items > 40, "the questionnaires have recommendations: {items}");
}

#[test]
fn prepared_texts_are_the_reports_own() {
    // The cache is used: the texts a report borrows are found in it, escaped
    // and counted as the plain path does, and a copy at another address is
    // not taken for them.
    let q = fixture();
    let prepared = Prepared::new(q);
    let q = prepared.questionnaire();
    let report =
        report_for(q, json!({"rf_numb": "no", "age": 40, "leg": "yes", "leg_weeks": 6, "hours": 10}));
    let texts = Texts(Some(&prepared));
    let borrowed: Vec<&str> = [&report.disclaimer, &report.questionnaire.title, &report.triage.action]
        .into_iter()
        .map(|text| text.as_ref())
        .chain(report.recommendations.iter().map(|chosen| chosen.summary.as_ref()))
        .chain(q.questions.iter().map(|question| question.text.as_str()))
        .collect();
    // A question's texts are met where they live by the walk that collects
    // them: were the question written through a copy, they would not be
    // found, and the copy's freed addresses would be kept instead.
    for question in &q.questions {
        let options = match &question.kind {
            crate::model::Kind::SingleChoice { options } => options.as_slice(),
            _ => &[],
        };
        let texts = [Some(&question.id), Some(&question.text), question.help.as_ref()].into_iter().flatten();
        for text in texts.chain(options.iter().map(|option| &option.label)) {
            assert!(prepared.has(text), "{text:?} of {} is not prepared where it lives", question.id);
        }
    }
    for text in borrowed {
        assert!(prepared.has(text), "{text:?} is not prepared");
        // A copy one byte into its allocation: no text was ever kept at
        // that address (collecting may keep the address of a freed
        // temporary, which a plain copy could be given again).
        let padded = format!(" {text}");
        let copy = &padded[1..];
        assert!(!prepared.has(copy), "{text:?}: a copy is not the questionnaire's text");
        let (mut fast, mut plain) = (String::new(), String::new());
        texts.escape(text, &mut fast);
        html::escape(text, &mut plain);
        assert_eq!(fast, plain);
        assert_eq!(texts.words(text), doc::Words::of(text));
    }
    let mut out = String::new();
    texts.escape(&q.questions[0].text, &mut out);
    assert_eq!(out, "Numbness in the &lt;saddle&gt; area?");
}

/// The blocks with every fixed run made plain text: what the writers did
/// before the renderer's own words were known to need no escaping.
fn fixed_as_text<'a>(blocks: &[doc::Block<'a>]) -> Vec<doc::Block<'a>> {
    use doc::{Block, Inline, Para};
    fn para<'a>(para: &Para<'a>) -> Para<'a> {
        let inlines = para.iter().map(|inline| match inline {
            Inline::Fixed(fixed) => Inline::Text(std::borrow::Cow::Borrowed(fixed.text)),
            other => other.clone(),
        });
        Para::Many(inlines.collect())
    }
    blocks
        .iter()
        .map(|block| match block {
            Block::Title(p) => Block::Title(para(p)),
            Block::Heading(p) => Block::Heading(para(p)),
            Block::Para(p) => Block::Para(para(p)),
            Block::Alert { heading, body } => {
                Block::Alert { heading: para(heading), body: fixed_as_text(body) }
            }
            Block::List { numbered, items } => {
                Block::List { numbered: *numbered, items: items.iter().map(para).collect() }
            }
            Block::Entries(entries) => Block::Entries(
                entries.iter().map(|(title, body)| (para(title), fixed_as_text(body))).collect(),
            ),
            // Built, so that its HTML is written plainly, not copied.
            Block::Piece(piece) => fixed_as_text(&[piece.block()]).remove(0),
        })
        .collect()
}

#[test]
fn fixed_words_are_written_and_counted_as_plain_text_is() {
    let mut fixed = 0;
    for (q, answer_sets) in every_report_source() {
        let prepared = Prepared::new(q);
        let q = prepared.questionnaire();
        for answers in answer_sets {
            let report = report_for(q, answers);
            let outline = doc::outline(&report);
            let mut inlines = Vec::new();
            blocks_inlines(&outline.person, &mut inlines);
            blocks_inlines(&outline.clinician, &mut inlines);
            fixed += inlines.iter().filter(|inline| matches!(inline, doc::Inline::Fixed(_))).count();
            let (person, clinician) = (fixed_as_text(&outline.person), fixed_as_text(&outline.clinician));
            for texts in [Texts::default(), Texts(Some(&prepared))] {
                assert_eq!(
                    html::write(&outline.person, &outline.clinician, texts),
                    html::write(&person, &clinician, texts)
                );
            }
            assert_eq!(doc::words(&outline.person), doc::words(&person));
            assert_eq!(doc::words(&outline.clinician), doc::words(&clinician));
        }
    }
    assert!(fixed > 1000, "the reports have fixed words: {fixed}");
}

/// A report's sources are those its parts cite (reasons, entries chosen,
/// contested approaches named, domains) and those cited always, in the
/// questionnaire's order: worked out by id here, by index in `evaluate`.
#[test]
fn every_report_cites_what_its_parts_cite() {
    let mut cited_by_rules = 0;
    for (q, answer_sets) in every_report_source() {
        for answers in answer_sets {
            let report = report_for(&q, answers);
            let mut cited: std::collections::HashSet<&str> =
                q.cite_always.iter().map(String::as_str).collect();
            let by_reasons = report.triage.reasons.iter().flat_map(|r| r.sources.iter().map(|s| s.as_ref()));
            cited_by_rules += by_reasons.clone().filter(|id| !q.cite_always.iter().any(|a| a == id)).count();
            cited.extend(by_reasons);
            cited.extend(report.recommendations.iter().flat_map(|r| r.sources.iter().map(String::as_str)));
            cited.extend(report.contested.iter().flat_map(|c| c.sources.iter().map(|s| s.as_ref())));
            cited.extend(q.domains.iter().flat_map(|d| d.sources.iter().map(String::as_str)));
            let expected: Vec<&str> =
                q.sources.iter().map(|s| s.id.as_str()).filter(|id| cited.contains(id)).collect();
            let sources: Vec<&str> = report.sources.iter().map(|s| s.id.as_ref()).collect();
            assert_eq!(sources, expected);
        }
    }
    assert!(cited_by_rules > 100, "reasons cite sources of their own: {cited_by_rules}");
}

/// The fixture with a second warning sign and a rule marked `foremost`:
/// both fire with `rf_numb`, after it, at its level.
fn foremost_fixture() -> Questionnaire {
    let mut definition = fixture_definition();
    let questions = definition["questions"].as_array_mut().expect("questions");
    questions.insert(
        1,
        json!({"id": "rf_fever", "text": "Fever?", "kind": "yes_no_not_sure",
               "red_flag": {"sign": "a fever", "yes": "urgent", "not_sure": "soon", "unanswered": "soon",
                            "because": "A fever with back pain needs a doctor today."}}),
    );
    definition["triage_rules"].as_array_mut().expect("rules").push(json!(
        {"id": "numb_after_illness", "when": {"one_of": ["rf_numb", ["yes", "not_sure"]]},
         "level": "urgent", "foremost": true,
         "because": "After your illness, call your specialist team's line too."}));
    questionnaire(definition)
}

#[test]
fn a_foremost_reason_comes_first_and_is_never_counted_among_the_rest() {
    let q = foremost_fixture();
    let foremost = "After your illness, call your specialist team's line too.";
    // At emergency one reason is shown: the foremost one is at `urgent`,
    // below the level, so the sign's own reason is the one.
    let report = report_for(&q, json!({"rf_numb": "yes", "rf_fever": "no", "age": 40}));
    assert_eq!(report.triage.level, Level::Emergency);
    let reason = report.triage.reasons.iter().find(|r| r.rule == "numb_after_illness").expect("fired");
    assert!(reason.foremost);
    assert!(report.triage.reasons.iter().filter(|r| r.rule != "numb_after_illness").all(|r| !r.foremost));
    // At urgent, trimmed to a single reason, the foremost one stays and
    // comes first, though it fired last.
    let report = report_for(&q, json!({"rf_numb": "not_sure", "rf_fever": "yes", "age": 40}));
    assert_eq!(report.triage.level, Level::Urgent);
    assert_eq!(report.triage.reasons.last().map(|r| r.rule.as_ref()), Some("numb_after_illness"));
    for budget in [usize::MAX, 0] {
        let outline = doc::outline_within(&report, budget, Texts::default());
        let mut inlines = Vec::new();
        blocks_inlines(&outline.person, &mut inlines);
        let said: Vec<&str> = inlines.iter().map(|inline| inline.as_str()).collect();
        let first = said.iter().position(|s| *s == foremost).expect("the foremost reason is shown");
        let other =
            said.iter().position(|s| s.starts_with("A fever with back pain") || s.starts_with("Numbness"));
        assert!(other.is_none_or(|other| first < other), "{said:?}");
    }
    // The JSON report says so, and only for that reason.
    let json = super::render(&report, Format::Json);
    assert_eq!(json.matches("\"foremost\": true").count(), 1, "{json}");
}

/// Marks each reason foremost or not, by `marks` in turn.
fn marked(report: &mut Report<'_>, marks: &[bool]) {
    for (reason, mark) in report.triage.reasons.iter_mut().zip(marks.iter().cycle()) {
        reason.foremost = *mark;
    }
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(24))]

    /// Whatever reasons are foremost, in any report of any shipped answers
    /// file or fixture case, and however far the person's part is trimmed,
    /// every foremost reason at the report's level is in the person's part
    /// in its own words, before every other reason.
    #[test]
    fn foremost_reasons_at_the_level_are_always_in_the_persons_part(
        marks in proptest::collection::vec(proptest::prelude::any::<bool>(), 1..8),
        budget in proptest::prop_oneof![0usize..400, proptest::strategy::Just(usize::MAX)],
    ) {
        for (q, documents) in every_report_source() {
            for answers in documents {
                let mut report = report_for(&q, answers);
                marked(&mut report, &marks);
                let outline = doc::outline_within(&report, budget, Texts::default());
                let mut inlines = Vec::new();
                blocks_inlines(&outline.person, &mut inlines);
                let said: Vec<&str> = inlines.iter().map(|inline| inline.as_str()).collect();
                let at_level = report.triage.reasons.iter().filter(|r| r.level == report.triage.level);
                let place = |because: &str| said.iter().position(|s| *s == because);
                let last_foremost = at_level
                    .clone()
                    .filter(|r| r.foremost)
                    .map(|r| place(&r.because).unwrap_or_else(|| panic!("{:?} missing: {said:?}", r.because)))
                    .max();
                let foremost: Vec<&str> =
                    report.triage.reasons.iter().filter(|r| r.foremost).map(|r| r.because.as_ref()).collect();
                // Red flags may share a wording: one found by its words
                // may be another reason's place.
                for other in at_level.filter(|r| !r.foremost && !foremost.contains(&r.because.as_ref())) {
                    if let (Some(at), Some(last)) = (place(&other.because), last_foremost) {
                        proptest::prop_assert!(last < at, "{:?} before a foremost reason", other.because);
                    }
                }
            }
        }
    }
}
