//! Any bytes as an answers document for the shipped questionnaire: parsing
//! and checking either fail with an error or give answers.
#![no_main]

#[path = "shipped.rs"]
mod shipped;

use libfuzzer_sys::fuzz_target;
use selfcheck::{Answers, AnswersDocument};
use shipped::questionnaire;

fuzz_target!(|data: &[u8]| {
    let q = questionnaire();
    let Ok(document) = AnswersDocument::parse(data) else { return };
    if let Ok(answers) = Answers::from_document(q, &document.answers) {
        // Checked answers write back to a document that reads the same.
        let again = serde_json::to_vec(&answers.to_document(q)).expect("JSON");
        let reread = AnswersDocument::parse(&again).expect("a written document parses");
        let reread = Answers::from_document(q, &reread.answers).expect("written answers check");
        assert_eq!(reread, answers);
    }
});
