//! Hostile input, against the binary: what a stranger could send to a
//! program that shows its output to people.
//!
//! - Cases as files: every answers document under `tests/hostile/answers/`
//!   and every questionnaire under `tests/hostile/questionnaires/` is
//!   refused with exit code 2 and a message (snapshotted in
//!   `tests/hostile/snapshots/`) holding no character a terminal would act
//!   on; every document under `tests/hostile/accepted/` is accepted.
//! - Generated inputs, made here, for the cases that are about size and
//!   time: each is refused (or accepted) within a bound that a quadratic
//!   algorithm or an unbounded read would miss by far, yet loose enough for
//!   a debug build on a busy machine.

#[path = "common/child.rs"]
mod child;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use child::run;
use selfcheck::terminal::is_unsafe;
use serde_json::{json, Value as Json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn selfcheck() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_selfcheck"));
    command.current_dir(root()).env_remove("COLUMNS").env_remove("CLICOLOR_FORCE");
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// Fails if `output` holds a character a terminal would act on, other
/// than the line breaks selfcheck writes itself.
fn assert_safe(output: &str, context: &str) {
    if let Some(c) = output.chars().find(|c| *c != '\n' && is_unsafe(*c)) {
        panic!("{context}: U+{:04X} reached the output unescaped:\n{output}", u32::from(c));
    }
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("hostile/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(r"/[^\s:`']*/\.tmp[A-Za-z0-9]+", "[TEMP]");
    settings
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

#[test]
fn hostile_answers_are_refused_with_safe_messages() {
    settings().bind(|| {
        insta::glob!("hostile/answers/*", |path| {
            let (output, _) = run(selfcheck().arg("assess").arg(relative(path)), b"");
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{}: {stderr}", path.display());
            assert!(output.stdout.is_empty(), "no report for a refused document");
            assert_safe(&stderr, &path.display().to_string());
            assert!(stderr.lines().all(|line| line.chars().count() < 400), "long lines are cut: {stderr}");
            insta::assert_snapshot!(stderr);
        });
    });
}

#[test]
fn negative_zero_is_zero_for_integer_questions() {
    for entry in fs::read_dir(root().join("tests/hostile/accepted")).expect("cases") {
        let path = entry.expect("entry").path();
        let (output, _) = run(selfcheck().args(["assess", "--format", "json"]).arg(&path), b"");
        assert_eq!(output.status.code(), Some(0), "{}: {}", path.display(), text(&output.stderr));
    }
    let text = selfcheck::shipped("low-back-glutes").expect("shipped");
    let questionnaire = selfcheck::Questionnaire::from_json(text, "low-back-glutes").expect("loads");
    let document = selfcheck::AnswersDocument::parse(br#"{"answers": {"age": -0}}"#).expect("parses");
    let answers = selfcheck::Answers::from_document(&questionnaire, &document.answers).expect("checks");
    let age = questionnaire.question_index("age").expect("asks the age");
    assert_eq!(answers.get(age), Some(selfcheck::Value::Integer(0)));
}

#[test]
fn the_base_questionnaire_is_valid() {
    let (output, _) = run(selfcheck().args(["validate", "tests/hostile/base-questionnaire.json"]), b"");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn hostile_questionnaires_are_refused_with_safe_messages() {
    settings().bind(|| {
        insta::glob!("hostile/questionnaires/*.json", |path| {
            let name = relative(path);
            let (output, _) = run(selfcheck().args(["validate", &name]), b"");
            let stdout = text(&output.stdout);
            assert_eq!(output.status.code(), Some(2), "{name}: {stdout}");
            assert_safe(&stdout, &name);
            // Loading fails with the same problems, never with none.
            let (loaded, _) = run(selfcheck().args(["assess", "-q", &name, "-"]), b"{\"answers\": {}}");
            let stderr = text(&loaded.stderr);
            assert_eq!(loaded.status.code(), Some(2), "{name}: {stderr}");
            assert_safe(&stderr, &name);
            assert!(!stderr.contains(" 0 problems"), "{name}: {stderr}");
            insta::assert_snapshot!(stdout);
        });
    });
}

#[test]
fn markdown_links_only_web_addresses_and_escapes_text() {
    let text = selfcheck::shipped("low-back-glutes").expect("shipped");
    let questionnaire = selfcheck::Questionnaire::from_json(text, "low-back-glutes").expect("loads");
    let answers = selfcheck::Answers::empty(&questionnaire);
    let report = selfcheck::evaluate(&questionnaire, &answers);
    // A report as a program might receive it as JSON, with hostile texts
    // the linter would have refused in a questionnaire.
    let mut json: Json = serde_json::from_str(&selfcheck::render::json(&report)).expect("JSON");
    json["sources"][0]["url"] = json!("javascript:alert(document.cookie)");
    json["sources"][1]["url"] = json!("JAVASCRIPT://%0Aalert(1)");
    json["sources"][0]["citation"] =
        json!("[click](javascript:alert(1)) <img src=x onerror=alert(1)> **bold**");
    let hostile: selfcheck::Report = serde_json::from_value(json).expect("a report");
    let markdown = selfcheck::render::markdown(&hostile);
    assert!(!markdown.to_lowercase().contains("<javascript:"), "{markdown}");
    assert!(markdown.contains("javascript:alert(document.cookie)"), "shown as text");
    let citation = markdown.lines().find(|line| line.contains("click")).expect("the citation");
    assert!(!citation.contains("<img"), "no raw markup: {citation}");
    assert!(citation.contains(r"\[click\](javascript:alert(1))"), "not a link: {citation}");
    assert!(citation.contains(r"\*\*bold\*\*"), "no emphasis: {citation}");
    assert!(markdown.contains("<https://"), "web addresses stay links");
}

// ---- Generated inputs: size and time. ----

/// The bound for inputs that should take milliseconds.
const QUICK: Duration = Duration::from_secs(5);
/// The bound for inputs that take seconds in a debug build when read in
/// linear time, and many minutes when not.
const SLOW: Duration = Duration::from_secs(120);

#[test]
fn endless_and_huge_inputs_are_refused_at_their_limit() {
    let cases: [&[&str]; 5] = [
        &["assess", "/dev/zero"],
        &["assess", "--format", "json", "/dev/zero"],
        &["assess", "-q", "/dev/zero", "examples/desk-worker.json"],
        &["validate", "/dev/zero"],
        &["schema", "/dev/zero"],
    ];
    for args in cases {
        let (output, took) = run(selfcheck().args(args), b"");
        let said = text(&output.stderr) + &text(&output.stdout);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {said}");
        assert!(said.contains("/dev/zero: the "), "{args:?} names the file: {said}");
        assert!(said.contains("is larger than the limit of "), "{args:?}: {said}");
        assert!(took < QUICK, "{args:?} took {took:?}");
    }
    // An endless stdin.
    let mut command = selfcheck();
    let start = Instant::now();
    let output = command
        .arg("assess")
        .stdin(File::open("/dev/zero").expect("/dev/zero"))
        .output()
        .expect("selfcheck runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "selfcheck: <stdin>: the answers document is larger than the limit of 1 MiB (1048576 bytes); \
         --max-document-bytes raises it\n"
    );
    assert!(start.elapsed() < QUICK);
}

#[test]
fn the_document_limit_can_be_raised() {
    // A good document padded with spaces to just over 1 MiB.
    let mut document = br#"{"answers": {"age": 40}}"#.to_vec();
    document.resize((1 << 20) + 1, b' ');
    let (output, _) = run(selfcheck().args(["assess", "--format", "json"]), &document);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("larger than the limit of 1 MiB"));
    let (output, _) =
        run(selfcheck().args(["assess", "--format", "json", "--max-document-bytes", "2000000"]), &document);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn a_huge_columns_is_clamped() {
    for columns in ["18446744073709551615", "10000000000", "99999999999999999999999999999", "0", "-3", "wide"]
    {
        let (output, _) =
            run(selfcheck().args(["assess", "examples/saddle-numbness.json"]).env("COLUMNS", columns), b"");
        assert_eq!(output.status.code(), Some(0), "COLUMNS={columns}: {}", text(&output.stderr));
        let widest = text(&output.stdout).lines().map(|line| line.chars().count()).max().unwrap_or(0);
        assert!(widest <= 1000, "COLUMNS={columns}: a line of {widest}");
    }
}

/// A document of `n` distinct keys followed by the first one again.
fn many_keys_then_a_duplicate(n: usize) -> Vec<u8> {
    let mut document = String::from(r#"{"answers": {"#);
    for i in 0..n {
        document.push_str(&format!("\"k{i}\": 1, "));
    }
    document.push_str("\"k0\": 1}}");
    document.into_bytes()
}

#[test]
fn a_duplicate_among_200000_keys_is_found_in_linear_time() {
    let document = many_keys_then_a_duplicate(200_000);
    assert!(document.len() > 2_400_000);
    let (output, took) = run(selfcheck().args(["assess", "--max-document-bytes", "4000000"]), &document);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("selfcheck: <stdin>:1:"), "{stderr}");
    assert!(
        stderr.ends_with(": answer `k0` is given twice; give each answer once (at `answers`)\n"),
        "{stderr}"
    );
    // Quadratic, this took 77 s in a release build (ten times that in
    // debug); hashed, under a second in release and a few in debug. The
    // bound is far from both, so that a loaded machine cannot fail it.
    assert!(took < SLOW, "took {took:?}");
}

#[test]
fn misspelt_ids_of_any_length_are_answered_quickly_and_cut() {
    let long = format!("rf_sadle_numbness{}", "x".repeat(100_000));
    let document = json!({"answers": {long: "yes"}}).to_string();
    let (output, took) = run(selfcheck().arg("assess"), document.as_bytes());
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.len() < 300, "cut: {stderr}");
    assert!(stderr.contains("has a key of 100017 characters, longer than any question id can be (64)"));
    assert!(took < QUICK, "took {took:?}");

    // Twenty megabytes of key, with the limit raised to let it in.
    let huge = "k".repeat(20 << 20);
    let document = json!({"answers": {huge: "yes"}}).to_string();
    let (output, took) =
        run(selfcheck().args(["assess", "--max-document-bytes", "30000000"]), document.as_bytes());
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.len() < 300, "cut: {stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

/// A questionnaire of `n` yes/no questions `q0`, `q1`, ..., each after
/// the first asked only when the one before is not `yes`, with
/// `misspelt` of the references misspelt (one letter dropped).
fn generated(n: usize, misspelt: usize) -> Json {
    let questions: Vec<Json> = (0..n)
        .map(|i| {
            let mut question =
                json!({"id": format!("question_{i}"), "text": format!("Question {i}?"), "kind": "yes_no"});
            if i > 0 {
                let before =
                    if i <= misspelt { format!("qestion_{}", i - 1) } else { format!("question_{}", i - 1) };
                question["ask_if"] = json!({"not": {"is": [before, "yes"]}});
            }
            question
        })
        .collect();
    let mut definition: Json = serde_json::from_str(
        &fs::read_to_string(root().join("tests/hostile/base-questionnaire.json")).expect("base"),
    )
    .expect("JSON");
    definition["questions"].as_array_mut().expect("questions").extend(questions);
    definition
}

fn write_temp(dir: &tempfile::TempDir, name: &str, json: &Json) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, json.to_string()).expect("written");
    path
}

#[test]
fn answers_in_reverse_order_against_50000_questions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_temp(&dir, "large.json", &generated(50_000, 0));
    let answers: serde_json::Map<String, Json> =
        (0..50_000).rev().map(|i| (format!("question_{i}"), json!("no"))).collect();
    let document = json!({"answers": answers}).to_string();
    let (output, took) = run(
        selfcheck().args(["assess", "--format", "json", "--max-document-bytes", "4000000", "-q"]).arg(&path),
        document.as_bytes(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // Quadratic lookups made this minutes; a debug build loads, checks
    // and evaluates it in a few seconds.
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

#[test]
fn validate_of_20000_misspelt_references_takes_linear_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_temp(&dir, "misspelt.json", &generated(20_000, 20_000 - 1));
    let (output, took) = run(selfcheck().arg("validate").arg(&path), b"");
    assert_eq!(output.status.code(), Some(2));
    let stdout = text(&output.stdout);
    assert!(
        stdout.ends_with("checked 1 questionnaire: 19999 problems in 1 file\n"),
        "{}",
        &stdout[stdout.len() - 200..]
    );
    assert!(stdout.contains(
        "questions[20002].ask_if.not.is: unknown question `qestion_19998` (did you mean `question_19998`?)"
    ));
    // 150 s before, in a release build (ten times that in debug); about
    // ten seconds in debug now, thirty on a loaded machine.
    assert!(took < SLOW, "took {took:?}");
}

#[test]
fn more_options_than_an_answer_can_name_are_refused_by_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut definition = generated(0, 0);
    let options: Vec<Json> =
        (0..65_536).map(|i| json!({"id": format!("o{i}"), "label": format!("Option {i}")})).collect();
    definition["questions"]
        .as_array_mut()
        .expect("questions")
        .push(json!({"id": "many", "text": "Which?", "kind": "single_choice", "options": options}));
    let path = write_temp(&dir, "options.json", &definition);
    let (output, _) = run(selfcheck().arg("validate").arg(&path), b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stdout).contains(
        "questions[3].options: question `many` has 65536 options, more than the 65535 an answer can name"
    ));
    let (output, _) = run(selfcheck().args(["assess", "-q"]).arg(&path), br#"{"answers": {}}"#);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("has 1 problem\n") && stderr.contains("65536 options"), "{stderr}");
}
