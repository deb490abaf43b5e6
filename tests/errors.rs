//! Failure cases as files: every broken questionnaire under
//! `tests/errors/questionnaires/` and every bad answers document under
//! `tests/errors/answers/` must fail, and the message a person would read
//! is snapshotted next to them in `tests/errors/snapshots/`.
//!
//! Answers documents are checked against `tests/fixtures/engine.json`.
//! Files ending in `.bin` hold bytes that are not valid UTF-8.

use std::fs;
use std::path::Path;

use selfcheck::{Answers, AnswersDocument, Error, Questionnaire};

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// What a person reads, with the kind an error record would carry.
fn shown(error: &Error) -> String {
    format!("kind: {}\n\n{error}\n", error.kind())
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("errors/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn broken_questionnaires() {
    settings().bind(|| {
        insta::glob!("errors/questionnaires/*.json", |path| {
            let text = fs::read_to_string(path).expect("readable case");
            let error = match Questionnaire::from_json(&text, &file_name(path)) {
                Ok(_) => panic!("{} loaded, but it is broken", path.display()),
                Err(error) => error,
            };
            insta::assert_snapshot!(shown(&error));
        });
    });
}

#[test]
fn bad_answers() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine.json");
    let questionnaire = Questionnaire::from_path(&fixture).unwrap_or_else(|e| panic!("{e}"));
    settings().bind(|| {
        insta::glob!("errors/answers/*", |path| {
            let bytes = fs::read(path).expect("readable case");
            let checked = AnswersDocument::parse(&bytes)
                .and_then(|document| Answers::from_document(&questionnaire, &document.answers));
            let error = match checked {
                Ok(_) => panic!("{} was accepted, but it is bad", path.display()),
                // The command line names the file; so does this test.
                Err(error) => error.with_file(file_name(path)),
            };
            insta::assert_snapshot!(shown(&error));
        });
    });
}
