//! No character a terminal would act on reaches what selfcheck shows,
//! whatever string is put into whichever message.
//!
//! Arbitrary strings, rich in control characters (C0, DEL, C1 such as
//! U+009B), bidirectional overrides and line breaks, are put where input
//! reaches a message: an answer key (unknown, duplicated, null, too long),
//! an answer value, an unknown field of the document, the questionnaire a
//! document names, and every kind of text and id of a questionnaire file.
//! What a person would read (the error, each linter problem, the stderr
//! and stdout of the binary) must hold no such character except the line
//! breaks selfcheck writes between its own lines, and every line must be
//! one of selfcheck's own (no line forged by a line break in the input).

#[path = "common/child.rs"]
mod child;

use std::process::Command;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;
use selfcheck::questionnaire::parse_definition;
use selfcheck::terminal::is_unsafe;
use selfcheck::{validate, Answers, AnswersDocument, Questionnaire};
use serde_json::{json, Value as Json};

fn questionnaire() -> &'static Questionnaire {
    static Q: OnceLock<Questionnaire> = OnceLock::new();
    Q.get_or_init(|| {
        let text = selfcheck::shipped("low-back-glutes").expect("shipped");
        Questionnaire::from_json(text, "low-back-glutes").unwrap_or_else(|e| panic!("{e}"))
    })
}

fn base() -> Json {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile/base-questionnaire.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("base")).expect("JSON")
}

/// Strings made mostly of the characters that matter here.
fn hostile_string() -> impl Strategy<Value = String> {
    let hostile = prop_oneof![
        Just('\u{1b}'),
        Just('\u{7}'),
        Just('\0'),
        Just('\n'),
        Just('\r'),
        Just('\t'),
        Just('\u{7f}'),
        Just('\u{9b}'),
        Just('\u{85}'),
        Just('\u{202e}'),
        Just('\u{2066}'),
        Just('\u{200f}'),
        Just('\u{2028}'),
        Just('`'),
        Just('['),
        Just(']'),
    ];
    let any_char = prop_oneof![3 => hostile, 2 => any::<char>(), 2 => proptest::char::range('a', 'z')];
    proptest::collection::vec(any_char, 0..80).prop_map(String::from_iter)
}

/// Fails if `shown` holds an unsafe character other than a line break.
fn assert_safe(shown: &str) {
    if let Some(c) = shown.chars().find(|c| *c != '\n' && is_unsafe(*c)) {
        panic!("U+{:04X} reached the output unescaped:\n{shown}", u32::from(c));
    }
}

/// The message a person reads for an answers document, if it is refused.
fn answers_error(document: &Json) -> Option<String> {
    let bytes = document.to_string().into_bytes();
    let checked = AnswersDocument::parse(&bytes)
        .and_then(|document| Answers::from_document(questionnaire(), &document.answers));
    checked.err().map(|error| error.with_file("doc.json").to_string())
}

proptest! {
    #![proptest_config(Config::with_cases(256))]

    /// Keys and values of every kind of bad answer.
    #[test]
    fn answer_messages_are_escaped(key in hostile_string(), value in hostile_string(), long in 0usize..3) {
        let key = format!("{key}{}", "k".repeat(long * 40));
        let documents = [
            json!({"answers": {key.clone(): "yes"}}),
            json!({"answers": {"age": value.clone()}}),
            json!({"answers": {"rf_saddle_numbness": value.clone(), key.clone(): 1}}),
            json!({"answers": {key.clone(): null}}),
            json!({"answers": {}, key.clone(): 1}),
            json!({"questionnaire": [value.clone()], "answers": {}}),
        ];
        for document in &documents {
            if let Some(message) = answers_error(document) {
                assert_safe(&message);
                // Each line is one of selfcheck's: a line break in the
                // input cannot start one of its own.
                for line in message.lines() {
                    prop_assert!(line.starts_with("doc.json"), "a forged line: {line:?} in {message:?}");
                }
            }
        }
        // A duplicated key, written by hand since JSON maps have one of each.
        let quoted = serde_json::to_string(&key).expect("JSON string");
        let duplicate = format!("{{\"answers\": {{{quoted}: 1, {quoted}: 2}}}}");
        let error = AnswersDocument::parse(duplicate.as_bytes()).expect_err("a duplicate");
        assert_safe(&error.to_string());
        prop_assert_eq!(error.to_string().lines().count(), 1);
    }

    /// Any text or id of a questionnaire: the linter's problems and the
    /// loading error.
    #[test]
    fn questionnaire_messages_are_escaped(text in hostile_string(), field in 0usize..12) {
        let mut definition = base();
        let target = match field {
            0 => &mut definition["title"],
            1 => &mut definition["id"],
            2 => &mut definition["questions"][1]["text"],
            3 => &mut definition["questions"][1]["id"],
            4 => &mut definition["domains"][0]["items"][0]["question"],
            5 => &mut definition["domains"][0]["items"][0]["points"][0]["option"],
            6 => &mut definition["domains"][0]["bands"][0]["id"],
            7 => &mut definition["sources"][0]["url"],
            8 => &mut definition["sources"][0]["id"],
            9 => &mut definition["cite_always"][0],
            10 => &mut definition["safety_net"][0],
            _ => &mut definition["levels"]["urgent"]["action"],
        };
        *target = Json::String(text);
        let file = definition.to_string();
        if let Ok(parsed) = parse_definition(&file) {
            for problem in validate(&parsed) {
                let shown = problem.to_string();
                assert_safe(&shown);
                prop_assert!(!shown.contains('\n'), "a problem is one line: {shown:?}");
            }
        }
        if let Err(error) = Questionnaire::from_json(&file, "q.json") {
            let shown = error.to_string();
            assert_safe(&shown);
            let problems = error.problems().len();
            prop_assert_eq!(shown.lines().count(), 1 + problems, "{}", shown);
        }
    }
}

fn selfcheck(args: &[&str], stdin: &[u8]) -> (String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_selfcheck"));
    command.args(args).env_remove("COLUMNS");
    let (output, _) = child::run(&mut command, stdin);
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8");
    (text(output.stdout), text(output.stderr))
}

proptest! {
    // Each case starts the binary several times.
    #![proptest_config(Config::with_cases(24))]

    /// The binary's own output: stderr of `assess` for every answer path,
    /// the document's questionnaire id, usage errors, and stdout of
    /// `validate` for a questionnaire with the string in a text and an id.
    #[test]
    fn the_binary_writes_nothing_unescaped(text in hostile_string()) {
        let documents = [
            json!({"answers": {text.clone(): "yes"}}),
            json!({"answers": {"age": text.clone()}}),
            json!({"questionnaire": text.clone(), "answers": {}}),
            json!({"answers": {}, text.clone(): 1}),
        ];
        for document in &documents {
            let (stdout, stderr) = selfcheck(&["assess", "--format", "text"], document.to_string().as_bytes());
            assert_safe(&stdout);
            assert_safe(&stderr);
            for line in stderr.lines() {
                prop_assert!(line.starts_with("selfcheck: "), "a forged line: {line:?}");
            }
        }
        // An argument cannot hold a NUL.
        if !text.contains('\0') {
            let (_, stderr) = selfcheck(&["assess", "--format", &text], b"");
            assert_safe(&stderr);
        }
        let mut definition = base();
        definition["questions"][1]["text"] = Json::String(text.clone());
        definition["questions"][2]["id"] = Json::String(text.clone());
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("q.json");
        std::fs::write(&path, definition.to_string()).expect("written");
        let (stdout, stderr) = selfcheck(&["validate", &path.display().to_string()], b"");
        assert_safe(&stdout);
        assert_safe(&stderr);
    }
}
