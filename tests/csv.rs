//! `selfcheck assess --csv`, driven as a research team drives it.
//!
//! Every file in `tests/csv/` is a table given to `assess --csv` (with
//! `--long` when its name ends in `.long.csv`); what the command writes
//! on stdout and stderr, and its exit code, are snapshotted in
//! `tests/csv/snapshots/`. Adding a case needs no Rust.
//!
//! The same random answer sets, given as CSV rows and as JSON Lines
//! documents, must give the same level, rules, scores, bands and
//! recommendations in the plan (`in_plan` in the JSON report).

mod answer_sets;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use answer_sets::{Rng, QUESTIONNAIRE};
use selfcheck::{eval, Answers, AnswersDocument, Questionnaire};
use serde::Deserialize;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn selfcheck() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_selfcheck"));
    command.current_dir(root()).env_remove("COLUMNS");
    command
}

/// Runs `command` with `stdin` as its standard input.
fn run(command: &mut Command, stdin: Vec<u8>) -> Output {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("selfcheck starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output().expect("selfcheck runs");
    writer.join().expect("stdin writer");
    output
}

fn questionnaire() -> Questionnaire {
    let text = selfcheck::shipped(QUESTIONNAIRE).expect("shipped");
    Questionnaire::from_json(text, QUESTIONNAIRE).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn cases() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("csv/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("csv/*.csv", |path| {
            let relative = path.strip_prefix(root()).expect("under the repository");
            let mut command = selfcheck();
            command.args(["assess", "--csv"]);
            if path.to_string_lossy().ends_with(".long.csv") {
                command.arg("--long");
            }
            let output = run(command.arg(relative), Vec::new());
            let shown = format!(
                "exit code: {:?}\n--- stdout\n{}--- stderr\n{}",
                output.status.code(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
            );
            insta::assert_snapshot!(shown);
        });
    });
}

/// What the differential test compares: the outcome of one respondent.
#[derive(Debug, PartialEq)]
struct Outcome {
    level: String,
    rules: Vec<String>,
    /// Per domain id: the score (as JSON writes it) and the band.
    domains: BTreeMap<String, (Option<f64>, Option<String>)>,
    recommendations: Vec<String>,
}

#[derive(Deserialize)]
struct JsonReport {
    triage: JsonTriage,
    domains: Vec<JsonDomain>,
    recommendations: Vec<JsonRecommendation>,
}

#[derive(Deserialize)]
struct JsonTriage {
    level: String,
    reasons: Vec<JsonRule>,
}

#[derive(Deserialize)]
struct JsonRule {
    rule: String,
}

#[derive(Deserialize)]
struct JsonDomain {
    id: String,
    score: Option<f64>,
    band: Option<String>,
}

#[derive(Deserialize)]
struct JsonRecommendation {
    id: String,
    in_plan: bool,
}

fn ids(cell: &str) -> Vec<String> {
    cell.split(';').filter(|id| !id.is_empty()).map(str::to_owned).collect()
}

#[test]
fn csv_and_json_lines_give_the_same_outcomes() {
    const SETS: usize = 10_000;
    let questionnaire = questionnaire();
    let mut rng = Rng(0xd1ff_c5f0_0000_0014);
    let mut jsonl = Vec::new();
    let mut csv = Vec::new();
    answer_sets::csv_header(&questionnaire, &mut csv);
    for n in 0..SETS {
        let answers = answer_sets::answers(&questionnaire, &mut rng);
        answer_sets::write_document(&format!("\"{QUESTIONNAIRE}\""), &answers, false, &mut jsonl);
        jsonl.push(b'\n');
        answer_sets::csv_cells(&questionnaire, &answers, &format!("r{n}"), &mut csv);
    }

    let from_json = run(selfcheck().args(["assess", "--jsonl"]), jsonl);
    assert_eq!(from_json.status.code(), Some(0), "{}", String::from_utf8_lossy(&from_json.stderr));
    let from_json: Vec<Outcome> = from_json
        .stdout
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let report: JsonReport = serde_json::from_slice(line).expect("a JSON report");
            Outcome {
                level: report.triage.level,
                rules: report.triage.reasons.into_iter().map(|r| r.rule).collect(),
                domains: report.domains.into_iter().map(|d| (d.id, (d.score, d.band))).collect(),
                recommendations: report
                    .recommendations
                    .into_iter()
                    .filter(|r| r.in_plan)
                    .map(|r| r.id)
                    .collect(),
            }
        })
        .collect();

    let from_csv = run(selfcheck().args(["assess", "--csv"]), csv);
    assert_eq!(from_csv.status.code(), Some(0), "{}", String::from_utf8_lossy(&from_csv.stderr));
    let mut reader = csv::Reader::from_reader(from_csv.stdout.as_slice());
    let header: Vec<String> = reader.headers().expect("a header").iter().map(str::to_owned).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no `{name}`"));
    let mut from_csv = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let row = row.expect("a CSV row");
        assert_eq!(&row[column("record_id")], format!("r{n}"));
        assert_eq!(&row[column("error")], "");
        let domains = questionnaire
            .domains
            .iter()
            .map(|d| {
                let score = &row[column(&format!("{}_score", d.id))];
                let band = &row[column(&format!("{}_band", d.id))];
                let score = (!score.is_empty()).then(|| score.parse::<f64>().expect("a number"));
                (d.id.clone(), (score, (!band.is_empty()).then(|| band.to_owned())))
            })
            .collect();
        from_csv.push(Outcome {
            level: row[column("triage_level")].to_owned(),
            rules: ids(&row[column("rules")]),
            domains,
            recommendations: ids(&row[column("recommendations")]),
        });
    }

    assert_eq!(from_json.len(), SETS);
    assert_eq!(from_csv.len(), SETS);
    for (n, (json, csv)) in from_json.iter().zip(&from_csv).enumerate() {
        assert_eq!(json, csv, "answer set {n}");
    }
    // The sets reach every level, so that the comparison means something.
    for level in ["emergency", "urgent", "soon", "self_care"] {
        assert!(from_csv.iter().any(|o| o.level == level), "no answer set reached {level}");
    }
}

/// Bad rows among good ones, many groups of rows long (rows are decided
/// 64 at a time), take no good row's place: each good row is written as
/// it is in the same table without them, and each bad row says why.
#[test]
fn bad_rows_take_no_good_rows_place() {
    const SETS: usize = 1_000;
    let questionnaire = questionnaire();
    let mut rng = Rng(0xbad0_7005_0000_0014);
    let (mut good, mut mixed) = (Vec::new(), Vec::new());
    answer_sets::csv_header(&questionnaire, &mut good);
    answer_sets::csv_header(&questionnaire, &mut mixed);
    for n in 0..SETS {
        let answers = answer_sets::answers(&questionnaire, &mut rng);
        let mut row = Vec::new();
        answer_sets::csv_cells(&questionnaire, &answers, &format!("r{n}"), &mut row);
        good.extend_from_slice(&row);
        mixed.extend_from_slice(&row);
        // Bad rows alone and in runs: a row a cell short, and the same
        // row with its first answer (the age) not a number.
        if n % 7 == 3 || n % 61 < 3 {
            let text = String::from_utf8(row).expect("UTF-8");
            let (_, cells) = text.split_once(',').expect("cells");
            let (_, after_age) = cells.split_once(',').expect("more cells");
            mixed.extend_from_slice(format!("short{n},{after_age}").as_bytes());
            mixed.extend_from_slice(format!("forty{n},forty,{after_age}").as_bytes());
        }
    }
    let rows = |output: Output| -> Vec<csv::StringRecord> {
        let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
        reader.records().map(|row| row.expect("a CSV row")).collect()
    };
    let from_good = run(selfcheck().args(["assess", "--csv"]), good);
    assert_eq!(from_good.status.code(), Some(0), "{}", String::from_utf8_lossy(&from_good.stderr));
    let from_good = rows(from_good);
    let from_mixed = run(selfcheck().args(["assess", "--csv"]), mixed);
    assert_eq!(from_mixed.status.code(), Some(2));
    let from_mixed = rows(from_mixed);
    let (bad, kept): (Vec<_>, Vec<_>) = from_mixed.iter().partition(|row| !row[0].starts_with('r'));
    assert_eq!(kept.len(), SETS);
    for (n, (good, kept)) in from_good.iter().zip(&kept).enumerate() {
        assert_eq!(good, *kept, "row r{n}");
    }
    assert!(bad.len() > 2 * SETS / 7, "{} bad rows", bad.len());
    for row in bad {
        let error = &row[row.len() - 1];
        assert!(row.iter().skip(1).take(row.len() - 2).all(str::is_empty), "{row:?}");
        if row[0].starts_with("short") {
            assert!(error.contains("cells, but the header has"), "{error}");
        } else {
            assert!(error.contains("answer `age`") && error.contains("forty"), "{error}");
        }
    }
}

/// What a CSV row is made of, the first stage of an evaluation, is what
/// the report built on it says, for the same random answer sets: the level,
/// the rules that fired in order, each domain's score and band, and the
/// plan.
#[test]
fn an_outcome_is_what_the_report_of_the_same_answers_says() {
    let questionnaire = questionnaire();
    let mut rng = Rng(0x0c7c_0e5a_0000_0014);
    let mut levels = BTreeMap::new();
    for n in 0..10_000 {
        let mut document = Vec::new();
        let answers = answer_sets::answers(&questionnaire, &mut rng);
        answer_sets::write_document(&format!("\"{QUESTIONNAIRE}\""), &answers, false, &mut document);
        let document = AnswersDocument::parse(&document).unwrap_or_else(|e| panic!("set {n}: {e}"));
        let answers = Answers::from_document(&questionnaire, &document.answers)
            .unwrap_or_else(|e| panic!("set {n}: {e}"));

        let outcome = eval::outcome(&questionnaire, &answers);
        let report = selfcheck::evaluate(&questionnaire, &answers);
        assert_eq!(outcome.level(), report.triage.level, "set {n}");
        let rules: Vec<String> = outcome.rules().map(|rule| rule.to_string()).collect();
        let reasons: Vec<&str> = report.triage.reasons.iter().map(|reason| reason.rule.as_ref()).collect();
        assert_eq!(rules, reasons, "set {n}");
        let domains: Vec<(Option<f64>, Option<&str>)> = outcome.domains().collect();
        let reported: Vec<(Option<f64>, Option<&str>)> =
            report.domains.iter().map(|domain| (domain.score, domain.band.as_deref())).collect();
        assert_eq!(domains, reported, "set {n}");
        let plan: Vec<&str> = outcome.plan().collect();
        let in_plan: Vec<&str> =
            report.recommendations.iter().filter(|r| r.in_plan).map(|r| r.id.as_ref()).collect();
        assert_eq!(plan, in_plan, "set {n}");
        *levels.entry(outcome.level()).or_insert(0) += 1;
    }
    // The sets reach every level, so that the comparison means something.
    assert_eq!(levels.len(), 4, "{levels:?}");
}

/// A row given as pairs from Rust scores as the same row does in a CSV
/// file, and refuses what the file refuses.
#[test]
fn pairs_from_rust_score_as_csv_rows_do() {
    let questionnaire = questionnaire();
    let pairs =
        [("rf_saddle_numbness", "no"), ("age", "67"), ("leg_pain", "below_knee"), ("sitting_hours", "9.5")];
    let report = selfcheck::table::assess_pairs(&questionnaire, pairs).unwrap_or_else(|e| panic!("{e}"));
    let mut input = String::from("record_id");
    for (id, _) in pairs {
        input.push_str(&format!(",{id}"));
    }
    input.push_str("\nr1");
    for (_, value) in pairs {
        input.push_str(&format!(",{value}"));
    }
    input.push('\n');
    let output = run(selfcheck().args(["assess", "--csv"]), input.into_bytes());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let row = text.lines().nth(1).expect("one row");
    assert!(row.starts_with(&format!("r1,{},", report.triage.level.as_str())), "{row}");

    let error = selfcheck::table::assess_pairs(&questionnaire, [("agee", "4"), ("leg_pain", "sideways")])
        .expect_err("bad pairs");
    assert_eq!(
        error.message(),
        "answer `agee`: questionnaire `low-back-glutes` has no such question (did you mean `age`?); \
         answer `leg_pain`: expected one of `none`, `buttock_or_thigh` or `below_knee`, got \"sideways\""
    );
}

#[test]
fn csv_options_that_do_not_go_together_are_usage_errors() {
    for args in [
        &["assess", "--csv", "--jsonl"][..],
        &["assess", "--csv", "--format", "json"],
        &["assess", "--long"],
        &["assess", "--jsonl", "--long"],
    ] {
        let output = run(selfcheck().args(args), b"record_id\n".to_vec());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}

/// `--questionnaire` chooses the questionnaire of every row; its ids are
/// the columns.
#[test]
fn the_questionnaire_option_chooses_the_columns() {
    let args = ["assess", "--csv", "-q", "tests/fixtures/engine.json"];
    let output = run(selfcheck().args(args), b"record_id,age,hours\nr1,40,3\n".to_vec());
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.lines().nth(1).is_some_and(|row| row.starts_with("r1,")), "{stdout}");

    let output = run(selfcheck().args(args), b"record_id,age,sitting_hours\nr1,40,3\n".to_vec());
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("column `sitting_hours`: questionnaire `engine-fixture` has no such question"),
        "{stderr}"
    );
}
