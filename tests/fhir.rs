//! FHIR R4: the exported `Questionnaire` and the `QuestionnaireResponse`
//! import, checked by selfcheck's own tests and by tools no one here wrote.
//!
//! - The export of the shipped questionnaire and of `tests/fhir/conditions.json`
//!   (an `ask_if` of every shape) is a reviewed snapshot.
//! - Round trip: every answers document in `tests/cases/` becomes a
//!   `QuestionnaireResponse` and back, unchanged, and `selfcheck assess`
//!   gives the same report for both.
//! - Bad responses in `tests/fhir/errors/` fail with the message snapshotted
//!   beside them.
//! - Node tools from `tests/package.json` (install them with `npm ci` in
//!   `tests/`): the HL7 R4 JSON Schema validates every resource; fhirpath.js
//!   evaluates the exported conditions on 10,000 random answer sets against
//!   selfcheck's own `ask_if`; NLM LHC-Forms renders the form in headless
//!   Chromium and answers it for two people.

#[path = "common/child.rs"]
mod child;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use selfcheck::fhir;
use selfcheck::model::Kind;
use selfcheck::{evaluate, render, Answers, AnswersDocument, Questionnaire, Value};
use serde_json::{json, Value as Json};

const ID: &str = "low-back-glutes";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn shipped() -> Questionnaire {
    let text = selfcheck::shipped(ID).expect("shipped");
    Questionnaire::from_json(text, ID).unwrap_or_else(|e| panic!("{e}"))
}

fn conditions() -> Questionnaire {
    Questionnaire::from_path(&root().join("tests/fhir/conditions.json")).unwrap_or_else(|e| panic!("{e}"))
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("serialisable") + "\n"
}

/// Runs the binary from the repository root with `stdin` as input.
fn selfcheck(args: &[&str], stdin: &[u8]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_selfcheck"));
    command.args(args).current_dir(root()).env_remove("COLUMNS");
    child::run(&mut command, stdin).0
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("fhir/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Every answers document in `tests/cases/`, with its path.
fn cases() -> Vec<(PathBuf, Vec<u8>)> {
    let mut paths: Vec<PathBuf> = fs::read_dir(root().join("tests/cases"))
        .expect("tests/cases")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 20, "the cases are there");
    paths.into_iter().map(|path| (path.clone(), fs::read(&path).expect("readable"))).collect()
}

fn answers_of(questionnaire: &Questionnaire, bytes: &[u8]) -> Answers {
    let document = AnswersDocument::parse(bytes).unwrap_or_else(|e| panic!("{e}"));
    Answers::from_document(questionnaire, &document.answers).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_export_is_the_reviewed_resource() {
    settings().bind(|| {
        insta::assert_snapshot!("questionnaire-low-back-glutes", pretty(&fhir::questionnaire(&shipped())));
        insta::assert_snapshot!("questionnaire-fhir-conditions", pretty(&fhir::questionnaire(&conditions())));
    });
}

#[test]
fn the_command_prints_the_export() {
    let output = selfcheck(&["export", "--fhir"], b"");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), pretty(&fhir::questionnaire(&shipped())));
    let output = selfcheck(&["export", "--fhir", "tests/fhir/conditions.json"], b"");
    assert_eq!(text(&output.stdout), pretty(&fhir::questionnaire(&conditions())));
    let output = selfcheck(&["export", ID], b"");
    assert_eq!(output.status.code(), Some(2), "the format must be named");
}

#[test]
fn every_question_is_an_item_with_its_id_and_every_option_a_code() {
    let q = shipped();
    let exported = serde_json::to_value(fhir::questionnaire(&q)).expect("JSON");
    let mut items = Vec::new();
    fn walk<'a>(items: &'a [Json], out: &mut Vec<&'a Json>) {
        for item in items {
            out.push(item);
            walk(item["item"].as_array().map_or(&[], Vec::as_slice), out);
        }
    }
    walk(exported["item"].as_array().expect("items"), &mut items);
    for question in &q.questions {
        let item = items.iter().find(|i| i["linkId"] == question.id.as_str()).expect("an item per question");
        assert_eq!(item["text"], question.text.as_str());
        assert_eq!(
            item["required"].as_bool().unwrap_or(false),
            question.needed_for_safety(),
            "{}",
            question.id
        );
        let codes: Vec<&str> = item["answerOption"]
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|o| o["valueCoding"]["code"].as_str().expect("a code"))
            .collect();
        assert_eq!(codes, question.kind.option_ids(), "{}", question.id);
        assert_eq!(
            item["enableWhen"].is_null() && !item["extension"].to_string().contains("enableWhen"),
            question.ask_if.is_none(),
            "{}",
            question.id
        );
    }
}

#[test]
fn round_trip_through_a_response_is_the_identity_on_every_case() {
    let q = shipped();
    for (path, bytes) in cases() {
        let answers = answers_of(&q, &bytes);
        let response = pretty(&fhir::response(&q, &answers));
        let read =
            fhir::Response::parse(response.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(read.questionnaire.as_deref(), Some(ID));
        let back = read.answers(&q).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(back, answers, "{}", path.display());
        let original: Json = serde_json::from_slice(&bytes).expect("JSON");
        let again = back.to_document(&q);
        // The same ids, each with the same value (`9` and `9.0` are one
        // number to a number question).
        let ids = |document: &Json| {
            let mut ids: Vec<String> =
                document["answers"].as_object().expect("answers").keys().cloned().collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(&again), ids(&original), "{}", path.display());
        for (id, value) in original["answers"].as_object().expect("answers") {
            let same = match (value, &again["answers"][id]) {
                (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
                (a, b) => a == b,
            };
            assert!(same, "{}: `{id}` was {value}, came back as {}", path.display(), again["answers"][id]);
        }
    }
}

#[test]
fn assess_gives_the_same_report_for_a_response_as_for_the_document() {
    let q = shipped();
    let mut document_lines = Vec::new();
    let mut response_lines = Vec::new();
    for (path, bytes) in cases() {
        let response = pretty(&fhir::response(&q, &answers_of(&q, &bytes)));
        for format in ["json", "text"] {
            let from_document = selfcheck(&["assess", "--format", format], &bytes);
            let from_response = selfcheck(&["assess", "--format", format], response.as_bytes());
            assert!(from_response.status.success(), "{}: {}", path.display(), text(&from_response.stderr));
            assert_eq!(text(&from_response.stdout), text(&from_document.stdout), "{}", path.display());
        }
        let compact = |bytes: &[u8]| serde_json::from_slice::<Json>(bytes).expect("JSON").to_string();
        document_lines.push(compact(&bytes));
        response_lines.push(compact(response.as_bytes()));
    }
    // JSON Lines: a response per line, and both kinds mixed.
    let mixed: Vec<&String> = document_lines
        .iter()
        .zip(&response_lines)
        .enumerate()
        .map(|(i, (d, r))| if i % 2 == 0 { d } else { r })
        .collect();
    let expected = selfcheck(&["assess", "--jsonl"], (document_lines.join("\n") + "\n").as_bytes());
    for lines in [response_lines.iter().collect::<Vec<_>>(), mixed] {
        let input: Vec<&str> = lines.iter().map(|s| s.as_str()).collect();
        let output = selfcheck(&["assess", "--jsonl"], (input.join("\n") + "\n").as_bytes());
        assert!(output.status.success(), "{}", text(&output.stdout));
        assert_eq!(text(&output.stdout), text(&expected.stdout));
    }
}

#[test]
fn a_report_from_a_response_equals_the_library_report() {
    let q = shipped();
    let (_, bytes) = cases()
        .into_iter()
        .find(|(p, _)| p.ends_with("soon-sciatica-below-knee-4-weeks.json"))
        .expect("case");
    let answers = answers_of(&q, &bytes);
    let response = pretty(&fhir::response(&q, &answers));
    let output = selfcheck(&["assess", "--format", "json"], response.as_bytes());
    assert_eq!(text(&output.stdout).trim_end(), render::json(&evaluate(&q, &answers)).trim_end());
}

#[test]
fn bad_responses_are_refused_naming_the_item_and_the_path() {
    settings().bind(|| {
        insta::glob!("fhir/errors/*.json", |path| {
            let bytes = fs::read(path).expect("readable");
            let output = selfcheck(&["assess", "-"], &bytes);
            assert_eq!(output.status.code(), Some(2), "{} was accepted", path.display());
            let record = selfcheck(
                &["assess", "--jsonl"],
                &[serde_json::from_slice::<Json>(&bytes).expect("JSON").to_string().as_bytes(), b"\n"]
                    .concat(),
            );
            insta::assert_snapshot!(format!("{}\n--jsonl:\n{}", text(&output.stderr), text(&record.stdout)));
        });
    });
}

/// A response with a mistake in its JSON is still told for a response, by
/// the `resourceType` read before the mistake: the error is the mistake, at
/// its line and column, not an answers document's complaint about
/// `resourceType`.
#[test]
fn a_syntax_error_in_a_response_is_named_where_it_is() {
    let item = r#"{"linkId": "age", "answer": [{"valueInteger": 40}]}"#;
    let input =
        format!("{{\n \"resourceType\": \"QuestionnaireResponse\",\n \"item\": [\n  {item},\n ]\n}}\n");
    let output = selfcheck(&["assess", "-"], input.as_bytes());
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stderr).trim_end(), "selfcheck: <stdin>:5:2: trailing comma (at `item`)");
    let line = format!("{{\"resourceType\": \"QuestionnaireResponse\", \"item\": [{item},]}}\n");
    let record = selfcheck(&["assess", "--jsonl"], line.as_bytes());
    let record: Json = serde_json::from_slice(&record.stdout).expect("an error record");
    assert_eq!(record["error"]["kind"], "syntax", "{record}");
}

// --- The Node tools -------------------------------------------------------

/// Runs `tests/fhir/SCRIPT` with node, failing clearly when the tools are
/// not installed.
fn node(script: &str, args: &[&str], stdin: &[u8]) -> Output {
    let modules = root().join("tests/node_modules");
    assert!(
        modules.join("fhirpath").is_dir() && modules.join("lforms").is_dir(),
        "the FHIR checks need the Node tools of tests/package.json: run `npm ci` in tests/ \
         (node 20 or later; LHC-Forms also needs Chromium at /usr/bin/chromium or in CHROMIUM)"
    );
    let mut child = Command::new("node")
        .arg(root().join("tests/fhir").join(script))
        .args(args)
        .current_dir(root().join("tests"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node (needed for the FHIR checks): {e}"));
    let mut input = child.stdin.take().expect("piped");
    let bytes = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let output = child.wait_with_output().expect("node runs");
    writer.join().expect("writer");
    output
}

/// The last line of a script's stdout, as JSON: its verdict.
fn verdict(output: &Output, script: &str) -> Json {
    let stdout = text(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|_| panic!("{script} failed:\nstdout:\n{stdout}\nstderr:\n{}", text(&output.stderr)))
}

#[test]
fn every_resource_passes_the_r4_json_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    let mut write = |name: &str, content: String| {
        let path = dir.path().join(name);
        fs::write(&path, content).expect("writable");
        files.push(path.display().to_string());
    };
    write("questionnaire.json", pretty(&fhir::questionnaire(&shipped())));
    write("conditions.json", pretty(&fhir::questionnaire(&conditions())));
    let q = shipped();
    for (path, bytes) in cases().iter().take(12) {
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        write(&format!("response-{name}"), pretty(&fhir::response(&q, &answers_of(&q, bytes))));
    }
    // The check can fail: a resource with a misspelt element is refused.
    write("broken.json", pretty(&json!({"resourceType": "Questionnaire", "status": "active", "itme": []})));
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let output = node("validate.mjs", &args, b"");
    let verdict = verdict(&output, "validate.mjs");
    assert_eq!(verdict["checked"], files.len(), "{verdict}");
    assert_eq!(verdict["invalid"], json!(["broken.json"]), "{verdict:#}");
}

/// A small deterministic generator (xorshift64*), so that every run checks
/// the same answer sets.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The numbers conditions compare a question with, and their neighbours:
/// where a wrong operator or a wrong bound would show.
fn boundaries(q: &Questionnaire, id: &str) -> Vec<f64> {
    let text = serde_json::to_string(&q.definition().questions).expect("JSON");
    let mut out = Vec::new();
    for op in ["gte", "gt", "lte", "lt"] {
        let pattern = format!("{{\"{op}\":[\"{id}\",");
        for (at, _) in text.match_indices(&pattern) {
            let rest = &text[at + pattern.len()..];
            if let Some(value) = rest.split(']').next().and_then(|n| n.parse::<f64>().ok()) {
                out.extend([value - 1.0, value - 0.5, value, value + 0.5, value + 1.0]);
            }
        }
    }
    out
}

/// A random answer set: about a quarter of the questions unanswered, the
/// others with any valid value, numbers often at a condition's boundary.
/// With `no_red_flags`, every red flag is answered `no`: otherwise almost
/// every set has some warning sign, and the questions asked only below a
/// level would hardly ever be asked.
fn random_answers(q: &Questionnaire, near: &[Vec<f64>], no_red_flags: bool, random: &mut Random) -> Answers {
    let mut answers = Answers::empty(q);
    for (index, question) in q.questions.iter().enumerate() {
        if no_red_flags && question.red_flag.is_some() {
            // `no` is the second option of the yes/no kinds.
            answers.set(index, Some(Value::Option(1)));
            continue;
        }
        if random.below(4) == 0 {
            continue;
        }
        let near = &near[index];
        let value = match &question.kind {
            Kind::Integer { min, max, .. } => {
                let pick = if !near.is_empty() && random.below(2) == 0 {
                    near[random.below(near.len() as u64) as usize].round() as i64
                } else {
                    min + random.below((max - min + 1) as u64) as i64
                };
                Value::Integer(pick.clamp(*min, *max))
            }
            Kind::Number { min, max, .. } => {
                let pick = if !near.is_empty() && random.below(2) == 0 {
                    near[random.below(near.len() as u64) as usize]
                } else {
                    min + (random.below(((max - min) * 4.0) as u64 + 1) as f64) / 4.0
                };
                Value::Number(pick.clamp(*min, *max))
            }
            kind => Value::Option(random.below(kind.option_ids().len() as u64) as u16),
        };
        answers.set(index, Some(value));
    }
    answers
}

/// The answers a form would hold, question by question in file order: an
/// answer to a question that does not apply is dropped, as a form drops
/// the answer of a disabled item. Returns them with which questions apply.
fn in_force(q: &Questionnaire, answers: &Answers) -> (Answers, Vec<bool>) {
    let applies = selfcheck::eval::applying(q, answers);
    let mut kept = answers.clone();
    for (index, holds) in applies.iter().enumerate() {
        if !holds {
            kept.set(index, None);
        }
    }
    (kept, applies)
}

#[test]
fn exported_conditions_agree_with_ask_if_on_10000_random_answer_sets() {
    const SETS: usize = 10_000;
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, q) in [("shipped", shipped()), ("conditions", conditions())] {
        let questionnaire = dir.path().join(format!("{name}-questionnaire.json"));
        fs::write(&questionnaire, pretty(&fhir::questionnaire(&q))).expect("writable");
        let started = std::time::Instant::now();
        let mut random = Random(0x5EED_F00D_u64 + name.len() as u64);
        let mut lines = String::new();
        let mut held = vec![[0usize; 2]; q.questions.len()];
        let near: Vec<Vec<f64>> = q.questions.iter().map(|question| boundaries(&q, &question.id)).collect();
        for set in 0..SETS {
            let (kept, applies) = in_force(&q, &random_answers(&q, &near, set % 2 == 0, &mut random));
            let mut expected = serde_json::Map::new();
            for (index, question) in q.questions.iter().enumerate() {
                if question.ask_if.is_some() {
                    expected.insert(question.id.clone(), Json::Bool(applies[index]));
                    held[index][usize::from(applies[index])] += 1;
                }
            }
            let line = json!({"response": fhir::response(&q, &kept), "enabled": expected});
            lines.push_str(&line.to_string());
            lines.push('\n');
        }
        // Every condition must both hold and fail often enough for the
        // comparison to mean something.
        for (index, question) in q.questions.iter().enumerate() {
            if question.ask_if.is_some() {
                assert!(
                    held[index].iter().all(|n| *n >= 100),
                    "{name}: `{}` held {:?} times",
                    question.id,
                    held[index]
                );
            }
        }
        let output = node("enable-when.mjs", &[&questionnaire.display().to_string()], lines.as_bytes());
        eprintln!("{name}: {} answer sets checked in {:?}", SETS, started.elapsed());
        let verdict = verdict(&output, "enable-when.mjs");
        assert_eq!(verdict["answerSets"], SETS, "{verdict:#}");
        assert_eq!(verdict["disagreements"], 0, "{name}: {verdict:#}");
        assert!(verdict["checked"].as_u64().unwrap_or(0) >= SETS as u64, "{verdict:#}");
        eprintln!("{name}: {verdict}");
    }
}

#[test]
fn lhc_forms_renders_the_form_and_its_responses_give_the_same_triage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let q = shipped();
    let questionnaire = dir.path().join("questionnaire.json");
    fs::write(&questionnaire, pretty(&fhir::questionnaire(&q))).expect("writable");
    let people = root().join("tests/fhir/people");
    let output = node(
        "lforms.mjs",
        &[
            &questionnaire.display().to_string(),
            &people.display().to_string(),
            &dir.path().display().to_string(),
        ],
        b"",
    );
    let verdict = verdict(&output, "lforms.mjs");
    assert_eq!(verdict["consoleErrors"], json!([]), "{verdict:#}");
    let answered = verdict["responses"].as_array().expect("responses");
    assert_eq!(answered.len(), 2, "{verdict:#}");
    let mut levels = Vec::new();
    for name in answered {
        let name = name.as_str().expect("a name");
        let document = fs::read(people.join(format!("{name}.json"))).expect("the native document");
        let response =
            fs::read(dir.path().join(format!("{name}.response.json"))).expect("LHC-Forms' response");
        let report = |bytes: &[u8]| {
            let output = selfcheck(&["assess", "--format", "json"], bytes);
            assert!(output.status.success(), "{name}: {}", text(&output.stderr));
            serde_json::from_slice::<Json>(&output.stdout).expect("JSON")
        };
        let (native, from_form) = (report(&document), report(&response));
        assert_eq!(from_form["triage"]["level"], native["triage"]["level"], "{name}: LHC-Forms' response");
        // Not only the level: the whole report is the same.
        assert_eq!(from_form, native, "{name}: LHC-Forms' response");
        levels.push(native["triage"]["level"].as_str().expect("a level").to_owned());
    }
    levels.sort();
    assert_eq!(levels, ["self_care", "urgent"], "one person for self-care, one with a red flag");
}
