//! Any bytes as a questionnaire file: loading either fails with an error or
//! gives a questionnaire that evaluates and renders without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use selfcheck::render::{self, Format};
use selfcheck::{evaluate, Answers, Questionnaire};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The linter runs on anything that parses, loadable or not.
    if let Ok(definition) = selfcheck::questionnaire::parse_definition(text) {
        let _ = selfcheck::validate(&definition);
    }
    let Ok(questionnaire) = Questionnaire::from_json(text, "fuzz.json") else { return };
    let report = evaluate(&questionnaire, &Answers::empty(&questionnaire));
    for format in Format::ALL {
        let _ = render::render(&report, format);
    }
});
