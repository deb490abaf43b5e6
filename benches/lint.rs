//! How the linter's time grows with the size of a questionnaire.
//!
//! `cargo bench --bench lint` generates questionnaires of 1,000, 5,000,
//! 20,000 and 100,000 questions and times, for each, parsing and checking
//! a valid one (`Questionnaire::from_json`, which runs the whole linter),
//! and checking one where every reference is misspelt (`validate`, which
//! then looks for a suggestion for each). Time per question stays flat
//! when the linter is linear; before ids were hashed it grew with the size.
//!
//! Each questionnaire has one yes/no question per step, each asked only
//! when the one before is not `yes`, one scored domain over every
//! question, and a triage rule and a selection rule that look at many of
//! them: every kind of reference the linter resolves.

use std::time::{Duration, Instant};

use selfcheck::questionnaire::parse_definition;
use selfcheck::{validate, Questionnaire};
use serde_json::{json, Value as Json};

const SIZES: [usize; 4] = [1_000, 5_000, 20_000, 100_000];

fn main() {
    println!("| questions | file | load and check (valid) | per question | check, every reference misspelt | per question |");
    println!("|---|---|---|---|---|---|");
    for n in SIZES {
        let valid = generated(n, false).to_string();
        let misspelt = generated(n, true).to_string();
        let runs = if n >= 100_000 { 3 } else { 5 };
        let load = median(runs, || {
            let questionnaire =
                Questionnaire::from_json(&valid, "generated.json").expect("a valid questionnaire");
            assert_eq!(questionnaire.questions.len(), n + 1);
        });
        let definition = parse_definition(&misspelt).expect("parses");
        let check = median(runs, || {
            let problems = validate(&definition);
            assert_eq!(problems.len(), n - 1, "one problem per misspelt reference");
            assert!(problems[0].message.contains("(did you mean `question_0`?)"), "{}", problems[0]);
        });
        println!(
            "| {n} | {:.1} MB | {} | {:.1} µs | {} | {:.1} µs |",
            valid.len() as f64 / 1e6,
            millis(load),
            load.as_secs_f64() * 1e6 / n as f64,
            millis(check),
            check.as_secs_f64() * 1e6 / n as f64,
        );
    }
}

fn millis(time: Duration) -> String {
    format!("{:.0} ms", time.as_secs_f64() * 1e3)
}

/// The median time of `runs` runs of `work`.
fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// A questionnaire of a red flag and `n` yes/no questions `question_0`, `question_1`,
/// ...; with `misspelt`, every `ask_if` names the question before it with
/// one letter dropped.
fn generated(n: usize, misspelt: bool) -> Json {
    let mut questions = vec![json!({
        "id": "rf_flag", "text": "Warning sign?", "kind": "yes_no_not_sure",
        "red_flag": {"yes": "urgent", "not_sure": "soon", "unanswered": "soon", "because": "It matters."}
    })];
    for i in 0..n {
        let mut question =
            json!({"id": format!("question_{i}"), "text": format!("Question {i}?"), "kind": "yes_no"});
        if i > 0 {
            let before = if misspelt { format!("qestion_{}", i - 1) } else { format!("question_{}", i - 1) };
            question["ask_if"] = json!({"not": {"is": [before, "yes"]}});
        }
        questions.push(question);
    }
    let items: Vec<Json> = (0..n)
        .map(|i| json!({"question": format!("question_{i}"), "points": [{"option": "yes", "points": 1}]}))
        .collect();
    let every_tenth: Vec<Json> =
        (0..n).step_by(10).map(|i| json!({"is": [format!("question_{i}"), "yes"]})).collect();
    json!({
        "id": "generated", "version": "1.0.0", "title": "Generated", "language": "en",
        "intended_purpose": "Benchmark input.", "disclaimer": "Not a diagnosis.",
        "levels": {
            "emergency": {"title": "Emergency", "action": "Act now."},
            "urgent": {"title": "Urgent", "action": "Today."},
            "soon": {"title": "Soon", "action": "Within two weeks."},
            "self_care": {"title": "Self-care", "action": "Follow the plan."}
        },
        "questions": questions,
        "triage_rules": [{"id": "many", "when": {"at_least": [n / 20, every_tenth]}, "level": "soon", "because": "Many."}],
        "domains": [{
            "id": "total", "title": "Total", "scoring": "sum", "items": items,
            "bands": [{"id": "low", "min": 0, "max": n / 2, "explanation": "Low."},
                      {"id": "high", "min": n / 2 + 1, "max": n, "explanation": "High."}]
        }],
        "recommendations": [{"id": "walk", "kind": "habit", "title": "Walk", "evidence": "moderate", "summary": "Walk."}],
        "selection_rules": [{"id": "walk_when_high", "recommend": "walk", "when": {"band_in": ["total", ["high"]]},
                             "why": "Your total is {score:total} ({band:total}); question 0: {answer:question_0}."}],
        "safety_net": ["Get help if it gets worse."],
        "cite_always": ["guide"],
        "sources": [{"id": "guide", "citation": "A guide, 2020.", "url": "https://example.org/guide"}]
    })
}
