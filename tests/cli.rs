//! The `selfcheck` binary, driven as a person or a script drives it: every
//! command and every exit code, with stdout and stderr kept apart.
//!
//! Report contents are the renderers' and the questionnaire's business and
//! are tested there; here a report only has to be the one the library gives
//! for the same answers, in the format asked for. What the command line
//! says itself (usage, errors, listings) is snapshotted in
//! `tests/cli/snapshots/`.

#[path = "common/child.rs"]
mod child;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use insta_cmd::assert_cmd_snapshot;
use selfcheck::render::{self, Format};
use selfcheck::{evaluate, Answers, AnswersDocument, Questionnaire};
use serde_json::{json, Value as Json};

const ID: &str = "low-back-glutes";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run from the repository root with a predictable
/// environment: no width from the terminal, no forced colour.
fn selfcheck() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_selfcheck"));
    command.current_dir(root()).env_remove("COLUMNS").env_remove("CLICOLOR_FORCE");
    command
}

/// Runs `command` with `stdin` as its standard input.
fn run(command: &mut Command, stdin: &[u8]) -> Output {
    child::run(command, stdin).0
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Snapshot settings: snapshots beside the data, temporary paths hidden.
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("cli/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(r"/[^\s:`']*/\.tmp[A-Za-z0-9]+", "[TEMP]");
    settings
}

fn questionnaire() -> Questionnaire {
    let text = selfcheck::shipped(ID).expect("shipped");
    Questionnaire::from_json(text, ID).unwrap_or_else(|e| panic!("{e}"))
}

/// The example answers documents the README uses.
fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(root().join("examples"))
        .expect("examples/")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 3, "the README uses at least three examples");
    paths
}

/// Every answers document in `tests/cases/`.
fn cases() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(root().join("tests/cases"))
        .map(|dir| dir.map(|entry| entry.expect("entry").path()).collect())
        .unwrap_or_default();
    paths.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
    paths.sort();
    paths
}

/// What the library makes of a document, exactly as the binary must print
/// it: text at 80 columns unless `width` says otherwise.
fn expected(questionnaire: &Questionnaire, document: &[u8], format: Format, width: usize) -> String {
    let document = AnswersDocument::parse(document).unwrap_or_else(|e| panic!("{e}"));
    let answers = Answers::from_document(questionnaire, &document.answers).unwrap_or_else(|e| panic!("{e}"));
    let report = evaluate(questionnaire, &answers);
    let mut text = match format {
        Format::Text => render::text(&report, width),
        other => render::render(&report, other),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The compact JSON line the library gives for a document.
fn expected_line(questionnaire: &Questionnaire, document: &[u8]) -> String {
    let document = AnswersDocument::parse(document).unwrap_or_else(|e| panic!("{e}"));
    let answers = Answers::from_document(questionnaire, &document.answers).unwrap_or_else(|e| panic!("{e}"));
    let mut line = Vec::new();
    render::write_json_line(&evaluate(questionnaire, &answers), &mut line).expect("JSON line");
    String::from_utf8(line).expect("UTF-8")
}

/// A document of `answers` for the shipped questionnaire, on one line.
fn document(answers: Json) -> String {
    json!({ "questionnaire": ID, "answers": answers }).to_string()
}

// ---------------------------------------------------------------- usage

#[test]
fn help_lists_every_command_and_the_exit_codes() {
    settings().bind(|| assert_cmd_snapshot!("help", selfcheck().arg("--help")));
}

#[test]
fn assess_help_explains_the_input_and_json_lines() {
    settings().bind(|| assert_cmd_snapshot!("assess-help", selfcheck().args(["assess", "--help"])));
}

#[test]
fn version_is_the_crate_version() {
    let output = run(selfcheck().arg("--version"), b"");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), format!("selfcheck {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    for args in [&[][..], &["frobnicate"], &["assess", "--format", "pdf"], &["list", "extra"], &["--nope"]] {
        let output = run(selfcheck().args(args), b"");
        assert_eq!(output.status.code(), Some(2), "selfcheck {args:?}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "selfcheck {args:?} printed on stdout");
    }
    settings().bind(|| assert_cmd_snapshot!("bad-format", selfcheck().args(["assess", "--format", "pdf"])));
}

// ---------------------------------------------------------------- list, validate

#[test]
fn list_shows_every_shipped_questionnaire() {
    settings().bind(|| assert_cmd_snapshot!("list", selfcheck().arg("list")));
    let output = run(selfcheck().arg("list"), b"");
    assert_eq!(stdout(&output).lines().count(), selfcheck::shipped::SHIPPED.len());
}

#[test]
fn validate_passes_the_shipped_questionnaires() {
    settings().bind(|| assert_cmd_snapshot!("validate-shipped", selfcheck().arg("validate")));
}

#[test]
fn validate_reports_every_problem_of_every_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut broken: Json = serde_json::from_str(selfcheck::shipped(ID).expect("shipped")).expect("JSON");
    broken["id"] = json!("Not An Id");
    broken["version"] = json!("one");
    broken["triage_rules"][0]["when"] = json!({"is": ["rf_sadle_numbness", "yes"]});
    broken["questions"][2]["id"] = json!("rf_saddle_numbness");
    fs::write(dir.path().join("broken.json"), serde_json::to_string_pretty(&broken).expect("JSON"))
        .expect("write");
    fs::write(dir.path().join("syntax.json"), "{\n  \"id\": \"x\",\n  \"version\" \"1.0.0\"\n}\n")
        .expect("write");
    fs::write(dir.path().join("good.json"), selfcheck::shipped(ID).expect("shipped")).expect("write");

    let mut command = selfcheck();
    command.current_dir(dir.path()).args([
        "validate",
        "broken.json",
        "syntax.json",
        "missing.json",
        "good.json",
    ]);
    let output = run(&mut command, b"");
    assert_eq!(output.status.code(), Some(2));
    let out = stdout(&output);
    for expected in [
        "broken.json: id:",
        "broken.json: version:",
        "rf_sadle_numbness",
        "syntax.json:3:",
        "missing.json:",
        "good.json: ok",
    ] {
        assert!(out.contains(expected), "no `{expected}` in:\n{out}");
    }
    settings().bind(|| assert_cmd_snapshot!("validate-broken", command));
}

// ---------------------------------------------------------------- schema

fn schema_of(args: &[&str]) -> Json {
    let output = run(selfcheck().args(args), b"");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("the schema is JSON")
}

#[test]
fn schema_has_one_property_per_question_with_its_values() {
    let questionnaire = questionnaire();
    let schema = schema_of(&["schema"]);
    assert_eq!(schema, selfcheck::schema::answers_schema(&questionnaire));
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["properties"]["questionnaire"]["const"], ID);
    assert_eq!(schema["properties"]["answers"]["additionalProperties"], false);
    let properties = schema["properties"]["answers"]["properties"].as_object().expect("properties");
    assert_eq!(properties.len(), questionnaire.questions.len());
    for question in &questionnaire.questions {
        let property = &properties[&question.id];
        assert!(property["description"].as_str().is_some_and(|d| d.starts_with(&question.text)));
        match &question.kind {
            selfcheck::model::Kind::Integer { min, max, .. } => {
                assert_eq!(
                    (&property["type"], &property["minimum"], &property["maximum"]),
                    (&json!("integer"), &json!(min), &json!(max))
                );
            }
            selfcheck::model::Kind::Number { min, max, .. } => {
                assert_eq!(
                    (&property["type"], &property["minimum"], &property["maximum"]),
                    (&json!("number"), &json!(min), &json!(max))
                );
            }
            kind => assert_eq!(property["enum"], json!(kind.option_ids()), "{}", question.id),
        }
    }
    // The default questionnaire, by id and by path, is the same schema.
    assert_eq!(schema, schema_of(&["schema", ID]));
    assert_eq!(schema, schema_of(&["schema", "questionnaires/low-back-glutes.json"]));
}

fn validator() -> jsonschema::Validator {
    // Building checks the schema against the draft 2020-12 meta-schema.
    jsonschema::draft202012::new(&schema_of(&["schema", ID])).expect("a valid draft 2020-12 schema")
}

#[test]
fn every_case_and_example_validates_against_the_schema() {
    let validator = validator();
    let cases = cases();
    assert!(!cases.is_empty(), "tests/cases/ holds answers documents");
    let documents: Vec<PathBuf> = cases.into_iter().chain(examples()).collect();
    for path in &documents {
        let document: Json = serde_json::from_slice(&fs::read(path).expect("readable")).expect("JSON");
        let errors: Vec<String> =
            validator.iter_errors(&document).map(|e| format!("{e} at {}", e.instance_path)).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

#[test]
fn the_schema_rejects_bad_documents() {
    let validator = validator();
    let bad = [
        json!({"questionnaire": ID}),
        json!({"questionnaire": "other", "answers": {}}),
        json!({"questionnaire": ID, "answers": {}, "extra": 1}),
        json!({"questionnaire": ID, "answers": {"agee": 40}}),
        json!({"questionnaire": ID, "answers": {"age": null}}),
        json!({"questionnaire": ID, "answers": {"age": "40"}}),
        json!({"questionnaire": ID, "answers": {"age": 40.5}}),
        json!({"questionnaire": ID, "answers": {"age": 121}}),
        json!({"questionnaire": ID, "answers": {"sitting_hours": -1}}),
        json!({"questionnaire": ID, "answers": {"rf_saddle_numbness": "maybe"}}),
        json!({"questionnaire": ID, "answers": {"first_episode": "not_sure"}}),
        json!({"questionnaire": ID, "answers": {"pain_duration": "forever"}}),
        json!({"questionnaire": ID, "answers": []}),
    ];
    for document in &bad {
        assert!(!validator.is_valid(document), "the schema accepts {document}");
    }
}

/// For every question, values at and around its limits: the schema accepts
/// exactly what the engine accepts.
#[test]
fn the_schema_and_the_engine_agree_on_every_answer() {
    let questionnaire = questionnaire();
    let validator = validator();
    for question in &questionnaire.questions {
        let mut values = vec![json!("no_such_option"), json!(true), json!([]), json!({})];
        match &question.kind {
            selfcheck::model::Kind::Integer { min, max, .. } => {
                values.extend([
                    json!(min),
                    json!(max),
                    json!(min - 1),
                    json!(max + 1),
                    json!((min + max) / 2),
                    // A whole number written as a float is an integer.
                    json!(*max as f64),
                    json!(*min as f64 + 0.5),
                ]);
            }
            selfcheck::model::Kind::Number { min, max, .. } => {
                values.extend([
                    json!(min),
                    json!(max),
                    json!(min - 0.5),
                    json!(max + 0.5),
                    json!((min + max) / 2.0),
                ]);
            }
            kind => values.extend(kind.option_ids().into_iter().map(|id| json!(id))),
        }
        for value in values {
            let mut answers = serde_json::Map::new();
            answers.insert(question.id.clone(), value.clone());
            let document = json!({"questionnaire": ID, "answers": answers});
            let text = document.to_string();
            let engine = AnswersDocument::parse(text.as_bytes())
                .and_then(|parsed| Answers::from_document(&questionnaire, &parsed.answers))
                .is_ok();
            assert_eq!(validator.is_valid(&document), engine, "`{}` = {value}", question.id);
        }
    }
}

#[test]
fn an_invalid_questionnaire_file_is_refused_with_every_problem() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut broken: Json = serde_json::from_str(selfcheck::shipped(ID).expect("shipped")).expect("JSON");
    broken["version"] = json!("1.0");
    broken["selection_rules"][2]["recommend"] = json!("glute_bridges");
    fs::write(dir.path().join("broken.json"), broken.to_string()).expect("write");
    let mut command = selfcheck();
    command.current_dir(dir.path()).args(["schema", "broken.json"]);
    let output = run(&mut command, b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    settings().bind(|| assert_cmd_snapshot!("schema-invalid-questionnaire", command));
}

#[test]
fn schema_of_an_unknown_id_suggests_the_close_one() {
    settings()
        .bind(|| assert_cmd_snapshot!("schema-unknown", selfcheck().args(["schema", "low-back-glute"])));
}

// ---------------------------------------------------------------- assess

#[test]
fn assess_prints_the_library_report_in_each_format() {
    let questionnaire = questionnaire();
    for path in examples() {
        let bytes = fs::read(&path).expect("readable");
        for format in Format::ALL {
            let want = expected(&questionnaire, &bytes, format, render::DEFAULT_WIDTH);
            let name = path.to_str().expect("UTF-8 path");
            let from_file = run(selfcheck().args(["assess", "--format", format.as_str(), name]), b"");
            assert_eq!(from_file.status.code(), Some(0), "{name}: {}", stderr(&from_file));
            assert_eq!(stdout(&from_file), want, "{name} as {format}");
            assert!(from_file.stderr.is_empty());
            for stdin_args in
                [&["assess", "--format", format.as_str()][..], &["assess", "--format", format.as_str(), "-"]]
            {
                let from_stdin = run(selfcheck().args(stdin_args), &bytes);
                assert_eq!(stdout(&from_stdin), want, "{name} on stdin as {format}");
            }
        }
    }
}

#[test]
fn assess_defaults_to_text() {
    let path = &examples()[0];
    let bytes = fs::read(path).expect("readable");
    let output = run(selfcheck().arg("assess").arg(path), b"");
    assert_eq!(stdout(&output), expected(&questionnaire(), &bytes, Format::Text, render::DEFAULT_WIDTH));
}

#[test]
fn assess_wraps_text_to_columns() {
    let path = &examples()[0];
    let bytes = fs::read(path).expect("readable");
    let output = run(selfcheck().arg("assess").arg(path).env("COLUMNS", "60"), b"");
    assert_eq!(stdout(&output), expected(&questionnaire(), &bytes, Format::Text, 60));
    assert_ne!(stdout(&output), expected(&questionnaire(), &bytes, Format::Text, 80));
}

#[test]
fn assess_uses_the_questionnaire_option_for_documents_without_one() {
    let answers = json!({"age": 30, "rf_saddle_numbness": "no"});
    let named = document(answers.clone());
    let unnamed = json!({ "answers": answers }).to_string();
    let want = expected(&questionnaire(), named.as_bytes(), Format::Json, 80);
    for questionnaire in [ID, "questionnaires/low-back-glutes.json"] {
        let output = run(
            selfcheck().args(["assess", "--format", "json", "--questionnaire", questionnaire]),
            unnamed.as_bytes(),
        );
        assert_eq!(stdout(&output), want, "--questionnaire {questionnaire}");
        // A document naming the same questionnaire is fine too.
        let output =
            run(selfcheck().args(["assess", "--format", "json", "-q", questionnaire]), named.as_bytes());
        assert_eq!(stdout(&output), want, "-q {questionnaire}");
    }
}

/// Runs `selfcheck assess ARGS` on `stdin` and snapshots what it says:
/// bad input must exit 2 with nothing on stdout.
fn assert_rejected(name: &str, args: &[&str], stdin: &[u8]) {
    let mut command = selfcheck();
    command.arg("assess").args(args);
    let output = run(&mut command, stdin);
    assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
    assert!(output.stdout.is_empty(), "{name}: no report on bad input");
    assert!(stderr(&output).starts_with("selfcheck: "), "{name}: {}", stderr(&output));
    settings().bind(|| {
        assert_cmd_snapshot!(name, command.pass_stdin(stdin));
    });
}

#[test]
fn bad_answers_name_the_question_what_was_expected_and_what_was_given() {
    let bad = document(
        json!({"age": "forty", "rf_sadle_numbness": "no", "pain_duration": "ages", "sitting_hours": 30}),
    );
    assert_rejected("assess-bad-answers", &[], bad.as_bytes());
}

#[test]
fn syntax_errors_give_the_file_line_and_column() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("answers.json");
    fs::write(&path, "{\n  \"questionnaire\": \"low-back-glutes\",\n  \"answers\": {\"age\": 42,}\n}\n")
        .expect("write");
    let output = run(selfcheck().arg("assess").arg(&path), b"");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!("selfcheck: {}:3:25: trailing comma (at `answers`)\n", path.display())
    );
    assert_rejected(
        "assess-syntax",
        &[],
        b"{\"questionnaire\": \"low-back-glutes\",\n \"answers\": {\"age\" 42}}",
    );
}

#[test]
fn a_table_or_json_lines_given_as_one_document_is_named_with_the_option_that_reads_it() {
    let cases: [(&[u8], &str); 3] = [
        (b"record_id,age\np1,42\n", "selfcheck: <stdin>:1:1: expected a JSON value here (it looks like a CSV table: read it with `assess --csv`)\n"),
        (b"{\"answers\": {\"age\": 42}}\n{\"answers\": {\"age\": 43}}\n", "selfcheck: <stdin>:2:1: unexpected text after the end of the JSON document (it looks like JSON Lines, one document per line: read it with `assess --jsonl`)\n"),
        // Broken JSON is not taken for another input.
        (b"{\"answers\": {\"age\": 42}\n", "selfcheck: <stdin>:2:0: the input ends before the JSON document is complete\n"),
    ];
    for (input, expected) in cases {
        let output = run(selfcheck().args(["assess", "-"]), input);
        assert_eq!(output.status.code(), Some(2));
        assert_eq!(stderr(&output), expected);
    }
}

#[test]
fn empty_input_is_an_error_not_a_report() {
    assert_rejected("assess-empty-stdin", &[], b"");
    assert_rejected("assess-blank-stdin", &["-"], b" \n\t\n");
    let dir = tempfile::tempdir().expect("temporary directory");
    fs::write(dir.path().join("empty.json"), b"").expect("write");
    let output = run(selfcheck().current_dir(dir.path()).args(["assess", "empty.json"]), b"");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "selfcheck: empty.json: the input is empty: expected an answers document\n");
}

#[test]
fn invalid_utf8_is_an_error_with_its_position() {
    assert_rejected(
        "assess-invalid-utf8",
        &[],
        b"{\"questionnaire\": \"low-back-glutes\",\n \"answers\": {\"age\": \"\xff\"}}",
    );
}

#[test]
fn unknown_questionnaires_are_rejected_with_a_suggestion() {
    assert_rejected(
        "assess-unknown-questionnaire",
        &[],
        br#"{"questionnaire": "low-back-glute", "answers": {}}"#,
    );
    assert_rejected("assess-unknown-questionnaire-option", &["-q", "low-back"], br#"{"answers": {}}"#);
}

#[test]
fn a_document_that_names_no_questionnaire_answers_the_default_one() {
    let named = document(json!({"age": 40}));
    let unnamed = br#"{"answers": {"age": 40}}"#;
    let mut with_name = selfcheck();
    with_name.args(["assess", "--format", "json"]);
    let mut without_name = selfcheck();
    without_name.args(["assess", "--format", "json"]);
    let (named, unnamed) = (run(&mut with_name, named.as_bytes()), run(&mut without_name, unnamed));
    assert_eq!(unnamed.status.code(), Some(0), "{}", stderr(&unnamed));
    assert_eq!(named.stdout, unnamed.stdout);
}

#[test]
fn the_document_and_the_option_must_agree() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut other: Json = serde_json::from_str(selfcheck::shipped(ID).expect("shipped")).expect("JSON");
    other["id"] = json!("other-questionnaire");
    fs::write(dir.path().join("other.json"), other.to_string()).expect("write");
    let mut command = selfcheck();
    command.current_dir(dir.path()).args(["assess", "--questionnaire", "other.json"]);
    let output = run(&mut command, document(json!({})).as_bytes());
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "selfcheck: <stdin>: the answers are for questionnaire `low-back-glutes`, but --questionnaire gives \
         `other-questionnaire`\n"
    );
}

#[test]
fn unreadable_files_are_bad_input() {
    assert_rejected("assess-missing-file", &["no/such/answers.json"], b"");
    assert_rejected("assess-bad-questionnaire-file", &["-q", "no/such/questionnaire.json"], b"");
}

/// Inputs that have broken parsers elsewhere: each is an error (exit 2),
/// never a panic (which would exit 1) nor a report.
fn nasty_inputs() -> Vec<Vec<u8>> {
    let deep = format!("{{\"answers\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_objects = format!("{}{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    vec![
        document(json!({"age": 1e300})).into_bytes(),
        br#"{"questionnaire": "low-back-glutes", "answers": {"age": 1e400}}"#.to_vec(),
        br#"{"questionnaire": "low-back-glutes", "answers": {"age": 99999999999999999999999999999999}}"#
            .to_vec(),
        br#"{"questionnaire": "low-back-glutes", "answers": {"age": -9223372036854775809}}"#.to_vec(),
        deep.into_bytes(),
        deep_objects.into_bytes(),
        br#"{"questionnaire": "low-back-glutes", "answers": {"age": 40}} trailing"#.to_vec(),
        br#"{"questionnaire": "low-back-glutes", "answers": {"age": 40, "age": 41}}"#.to_vec(),
        b"\xef\xbb\xbf\xef\xbb\xbf{}".to_vec(),
        b"\x00\x01\x02".to_vec(),
        b"\"\\ud800\"".to_vec(),
        b"null".to_vec(),
        br#"{"questionnaire": 7, "answers": {}}"#.to_vec(),
        format!("{{\"questionnaire\": \"{}\", \"answers\": {{}}}}", "x".repeat(100_000)).into_bytes(),
    ]
}

#[test]
fn assess_never_panics() {
    for input in nasty_inputs() {
        let output = run(selfcheck().arg("assess"), &input);
        let shown = String::from_utf8_lossy(&input[..input.len().min(80)]).into_owned();
        assert_eq!(output.status.code(), Some(2), "{shown}: {}", stderr(&output));
        assert!(stderr(&output).starts_with("selfcheck: <stdin>"), "{shown}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "{shown}");
    }
}

#[test]
fn a_leading_byte_order_mark_is_allowed() {
    let bytes = fs::read(&examples()[0]).expect("readable");
    let mut with_bom = b"\xef\xbb\xbf".to_vec();
    with_bom.extend_from_slice(&bytes);
    let output = run(selfcheck().arg("assess"), &with_bom);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), expected(&questionnaire(), &bytes, Format::Text, render::DEFAULT_WIDTH));
}

/// A document or JSON Lines saved as UTF-16 (as Windows PowerShell's `>`
/// saves them), with its byte order mark or without, is named as such
/// once, rather than refused for its first byte or its NULs.
#[test]
fn utf16_input_is_named_with_how_to_save_it_as_utf8() {
    let text = document(json!({"age": 42})).replace('\n', " ") + "\n";
    let little: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let big: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let with_bom = [&b"\xff\xfe"[..], &little].concat();
    let said = "the input is UTF-16 text, not UTF-8: save it as UTF-8 (in Windows PowerShell, write it with \
                `Out-File -Encoding utf8` rather than `>`)";
    for input in [&with_bom, &[&b"\xfe\xff"[..], &big].concat(), &little, &big] {
        for args in [&["assess", "-"][..], &["assess", "--jsonl"]] {
            let output = run(selfcheck().args(args), input);
            assert_eq!(output.status.code(), Some(2), "{args:?}");
            assert!(output.stdout.is_empty(), "{args:?}: {}", stdout(&output));
            assert_eq!(
                stderr(&output),
                format!("selfcheck: <stdin>: {said}\n"),
                "{args:?} {:?}",
                &input[..4]
            );
        }
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    fs::write(dir.path().join("answers.json"), &with_bom).expect("write");
    let output = run(selfcheck().current_dir(dir.path()).args(["assess", "answers.json"]), b"");
    assert_eq!(stderr(&output), format!("selfcheck: answers.json: {said}\n"));
}

// ---------------------------------------------------------------- JSON Lines

/// The output lines of `assess --jsonl` on `input`, with the exit code.
fn jsonl(args: &[&str], input: &[u8]) -> (Option<i32>, Vec<String>) {
    let output = run(selfcheck().args(["assess", "--jsonl"]).args(args), input);
    let text = stdout(&output);
    assert!(text.is_empty() || text.ends_with('\n'), "every record ends its line");
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // Diagnostics are in the records; stderr only counts the bad ones.
    let bad = lines.iter().filter(|line| line.starts_with("{\"line\":")).count();
    let summary = match bad {
        0 => String::new(),
        bad => format!(
            "selfcheck: <stdin>: {bad} of {} {} could not be assessed; their error records say why\n",
            lines.len(),
            if lines.len() == 1 { "line" } else { "lines" }
        ),
    };
    assert_eq!(stderr(&output), summary);
    (output.status.code(), lines)
}

#[test]
fn jsonl_gives_one_line_per_input_line_in_order() {
    let questionnaire = questionnaire();
    let good: Vec<String> = examples()
        .iter()
        .map(|path| {
            let document: Json = serde_json::from_slice(&fs::read(path).expect("readable")).expect("JSON");
            document.to_string()
        })
        .collect();
    let input = [
        good[0].as_str(),
        r#"{"questionnaire": "low-back-glutes", "answers": {"age": "x"}}"#,
        good[1].as_str(),
        "",
        "{\"answers\": ",
        r#"{"questionnaire": "low-back-glutes", "answers": {"agee": 3, "sitting_hours": 25}}"#,
        r#"{"questionnaire": "nope", "answers": {}}"#,
        r#"{"answers": {}, "extra": 1}"#,
        r#"{"questionnaire": "low-back-glutes", "answers": {"age": 3, "age": 4}}"#,
        good[2].as_str(),
    ]
    .join("\n");
    let (code, lines) = jsonl(&[], input.as_bytes());
    assert_eq!(code, Some(2), "a bad line makes the run fail");
    assert_eq!(lines.len(), 10);
    for (i, want) in [(0, &good[0]), (2, &good[1]), (9, &good[2])] {
        assert_eq!(lines[i], expected_line(&questionnaire, want.as_bytes()), "line {}", i + 1);
    }
    let records: Vec<&str> =
        lines.iter().filter(|l| l.starts_with("{\"line\":")).map(String::as_str).collect();
    assert_eq!(records.len(), 7);
    for record in &records {
        let record: Json = serde_json::from_str(record).expect("a record is JSON");
        assert_eq!(record.as_object().map(|o| o.len()), Some(2));
        assert_eq!(record["error"].as_object().map(|o| o.len()), Some(2));
    }
    settings().bind(|| insta::assert_snapshot!("jsonl-error-records", records.join("\n")));
}

#[test]
fn jsonl_with_only_good_lines_succeeds_and_accepts_crlf() {
    let questionnaire = questionnaire();
    let line = document(json!({"age": 40, "rf_saddle_numbness": "no"}));
    let input = format!("{line}\r\n{line}\n{line}");
    let (code, lines) = jsonl(&["--format", "json"], input.as_bytes());
    assert_eq!(code, Some(0));
    assert_eq!(lines, vec![expected_line(&questionnaire, line.as_bytes()); 3]);
}

#[test]
fn jsonl_reads_files_and_uses_the_questionnaire_option() {
    let questionnaire = questionnaire();
    let dir = tempfile::tempdir().expect("temporary directory");
    fs::write(dir.path().join("batch.jsonl"), "{\"answers\": {\"age\": 40}}\n{\"answers\": {\"age\": 41}}\n")
        .expect("write");
    let output =
        run(selfcheck().current_dir(dir.path()).args(["assess", "--jsonl", "-q", ID, "batch.jsonl"]), b"");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let want: Vec<String> = ["{\"answers\": {\"age\": 40}}", "{\"answers\": {\"age\": 41}}"]
        .iter()
        .map(|line| expected_line(&questionnaire, line.as_bytes()))
        .collect();
    assert_eq!(stdout(&output).lines().collect::<Vec<_>>(), want);
}

#[test]
fn jsonl_of_empty_input_is_empty_output() {
    assert_eq!(jsonl(&[], b""), (Some(0), Vec::new()));
}

/// More lines than one chunk holds, with bad lines on both sides of the
/// chunk boundaries: the order and the line numbers survive.
#[test]
fn jsonl_keeps_order_across_chunks() {
    let good = document(json!({"age": 40}));
    let bad_lines = [1, 4095, 4096, 4097, 8192, 8193, 9000];
    let input: String = (1..=9000)
        .map(|n| {
            if bad_lines.contains(&n) {
                format!(
                    "{{\"questionnaire\": \"low-back-glutes\", \"answers\": {{\"age\": {}}}}}\n",
                    1000 + n
                )
            } else if n % 1000 == 0 {
                format!("{good}\n")
            } else {
                // Cheap bad lines keep the test fast; their number is in
                // the record.
                format!("[{n}]\n")
            }
        })
        .collect();
    let (code, lines) = jsonl(&[], input.as_bytes());
    assert_eq!(code, Some(2));
    assert_eq!(lines.len(), 9000);
    let report = expected_line(&questionnaire(), good.as_bytes());
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        if n % 1000 == 0 && !bad_lines.contains(&n) {
            assert_eq!(*line, report, "line {n}");
            continue;
        }
        let record: Json = serde_json::from_str(line).expect("JSON");
        assert_eq!(record["line"], n, "line {n}");
        let kind = if bad_lines.contains(&n) { "invalid_answer" } else { "invalid_document" };
        assert_eq!(record["error"]["kind"], kind, "line {n}: {line}");
        if bad_lines.contains(&n) {
            let given = (1000 + n).to_string();
            assert!(record["error"]["message"].as_str().is_some_and(|m| m.contains(&given)), "{line}");
        }
    }
}

#[test]
fn jsonl_turns_every_nasty_line_into_a_record() {
    let inputs: Vec<Vec<u8>> = nasty_inputs().into_iter().filter(|input| !input.contains(&b'\n')).collect();
    let mut joined = Vec::new();
    for input in &inputs {
        joined.extend_from_slice(input);
        joined.push(b'\n');
    }
    let (code, lines) = jsonl(&[], &joined);
    assert_eq!(code, Some(2));
    assert_eq!(lines.len(), inputs.len());
    for (i, line) in lines.iter().enumerate() {
        let record: Json = serde_json::from_str(line).expect("JSON");
        assert_eq!(record["line"], i + 1, "{line}");
    }
}

#[test]
fn jsonl_invalid_utf8_spoils_only_its_line() {
    let line = document(json!({"age": 40}));
    let mut input = format!("{line}\n").into_bytes();
    input.extend_from_slice(b"{\"answers\": {\"age\": \"\xc3\x28\"}}\n");
    input.extend_from_slice(format!("{line}\n").as_bytes());
    let (code, lines) = jsonl(&[], &input);
    assert_eq!(code, Some(2));
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], lines[2]);
    assert_eq!(
        lines[1],
        r#"{"line":2,"error":{"kind":"syntax","message":"not UTF-8 text: invalid byte 0xC3 at column 22"}}"#
    );
}

#[test]
fn jsonl_writes_json_only() {
    for format in ["text", "markdown"] {
        let output = run(selfcheck().args(["assess", "--jsonl", "--format", format]), b"");
        assert_eq!(output.status.code(), Some(2), "--format {format}");
        assert!(output.stdout.is_empty());
    }
    settings().bind(|| {
        assert_cmd_snapshot!("jsonl-format-text", selfcheck().args(["assess", "--jsonl", "--format", "text"]))
    });
}

/// `selfcheck assess --jsonl ... | head`: when the reader goes away, the
/// run stops quietly, as Unix tools do, rather than failing or panicking.
#[test]
fn jsonl_stops_quietly_when_stdout_closes() {
    let line = document(json!({"age": 40}));
    let input = format!("{line}\n").repeat(5000);
    let mut child = selfcheck()
        .args(["assess", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("selfcheck starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut first = [0u8; 17];
    std::io::Read::read_exact(child.stdout.as_mut().expect("stdout is piped"), &mut first).expect("output");
    assert_eq!(&first, b"{\"questionnaire\":");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("selfcheck ends");
    writer.join().expect("stdin writer");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}

/// An output that cannot be written (here a full disk) is an error that
/// says so, for single reports and JSON Lines alike.
#[test]
fn a_full_disk_is_reported() {
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // Only where the system has a full device to write to.
    };
    let line = document(json!({"age": 40}));
    for args in [&["assess"][..], &["assess", "--jsonl"]] {
        let mut command = selfcheck();
        command.args(args).stdout(full.try_clone().expect("a second handle"));
        command.stdin(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("selfcheck starts");
        child.stdin.take().expect("stdin").write_all(line.as_bytes()).expect("input");
        let output = child.wait_with_output().expect("selfcheck ends");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&output),
            "selfcheck: cannot write to stdout: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

// ---------------------------------------------------------------- ask

#[test]
fn ask_without_a_terminal_points_to_assess() {
    // The test harness gives the binary no terminal on stdin.
    settings().bind(|| assert_cmd_snapshot!("ask-no-terminal", selfcheck().arg("ask")));
    let output = run(selfcheck().args(["ask", "--format", "json"]), document(json!({})).as_bytes());
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("selfcheck assess"));
}

#[test]
fn a_pretty_printed_document_given_to_jsonl_is_named_once_with_the_command_that_fits() {
    let example = &examples()[0];
    let name = example.strip_prefix(root()).unwrap_or(example).display().to_string();
    let output = run(selfcheck().args(["assess", "--jsonl", &name]), b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "no error records: {}", stdout(&output));
    assert_eq!(
        stderr(&output),
        format!(
            "selfcheck: {name}: this is one JSON document over several lines, not JSON Lines (one document \
             per line): to assess it, use `selfcheck assess {name}`\n"
        )
    );
    // From stdin, the same, with the command that reads stdin.
    let output = run(selfcheck().args(["assess", "--jsonl"]), &fs::read(example).expect("readable"));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).ends_with("to assess it, use `selfcheck assess`\n"), "{}", stderr(&output));
    // A first line that is merely bad is still one error record among the
    // others.
    let lines = format!("{{\"answers\": }}\n{}\n", document(json!({"age": 40})).replace('\n', " "));
    let output = run(selfcheck().args(["assess", "--jsonl"]), lines.as_bytes());
    assert_eq!(stdout(&output).lines().count(), 2, "{}", stderr(&output));
}

#[test]
fn an_answers_document_given_to_validate_is_named_with_the_command_that_fits() {
    let example = &examples()[0];
    let name = example.strip_prefix(root()).unwrap_or(example).display().to_string();
    let output = run(selfcheck().args(["validate", &name]), b"");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stdout(&output),
        format!(
            "{name}: this is an answers document, not a questionnaire: to assess it, use `selfcheck assess \
             {name}`\nchecked 1 questionnaire: 1 problem in 1 file\n"
        )
    );
}
