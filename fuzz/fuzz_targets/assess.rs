//! Any bytes as an answers document, all the way through: parse, check,
//! evaluate, render in every format. Whatever gets as far as a report must
//! keep the safety promises.
#![no_main]

mod renders;
#[path = "shipped.rs"]
mod shipped;

use libfuzzer_sys::fuzz_target;
use renders::renders_and_reads_back;
use selfcheck::{evaluate, triage_level, Answers, AnswersDocument, Level, RecommendationKind};
use shipped::questionnaire;

fuzz_target!(|data: &[u8]| {
    let q = questionnaire();
    let Ok(document) = AnswersDocument::parse(data) else { return };
    let Ok(answers) = Answers::from_document(q, &document.answers) else { return };
    let report = evaluate(q, &answers);
    assert_eq!(triage_level(q, &answers), report.triage.level);
    if report.triage.level >= Level::Urgent {
        let exercise =
            [RecommendationKind::Strength, RecommendationKind::Stretch, RecommendationKind::Program];
        assert!(report.recommendations.iter().all(|r| !exercise.contains(&r.kind)));
    }
    renders_and_reads_back(&report);
});
