//! `selfcheck ask` driven for real: the binary runs in a pseudo-terminal and
//! the tests type keys as a person would, reading the screen before each
//! key press.
//!
//! The questions and their texts come from the shipped questionnaire at
//! test time, so content edits do not break these tests; what they fix is
//! the behaviour: the order of questions, the progress line, how options
//! are laid out, re-prompts, the early stop, and the answers saved.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::{Eof, Needle, Regex, Session, WaitStatus};
use selfcheck::model::{Kind, Question};
use selfcheck::{evaluate, triage_level, Answers, AnswersDocument, Level, Questionnaire};
use serde_json::{json, Value as Json};

const UP: &str = "\x1b[A";
const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
const ESC: &str = "\x1b";
const CTRL_C: &str = "\x03";
const BACKSPACE: &str = "\x7f";

/// How long to wait for the screen to show something. Generous, for slow
/// CI machines; a passing run never waits this long.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Every prompt's frame ends with its key help, "[... Enter to choose ...]"
/// or "[... Enter to confirm ...]". Keys are sent only once the closing "]"
/// is on screen, when the prompt is ready for them.
const PROMPT_READY: &str = "Enter to c";

fn questionnaire() -> Questionnaire {
    let text = selfcheck::shipped("low-back-glutes").expect("the questionnaire is shipped");
    Questionnaire::from_json(text, "low-back-glutes").expect("the shipped questionnaire is valid")
}

/// The start of a question's text, as the prompt shows it on its first
/// line: the pty is 80 columns wide and inquire breaks longer lines.
fn opening(question: &Question) -> String {
    question.text.chars().take(50).collect()
}

/// A running `selfcheck ask` and the temporary files it writes.
struct Ask {
    pty: Session,
    /// Everything read from the screen so far, for failure messages.
    screen: String,
    answers_path: PathBuf,
    report_path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Ask {
    /// Starts `selfcheck ask --save-answers FILE --format text`, with the
    /// report on screen or, with `report_to_file`, in a file as well.
    fn start(report_to_file: bool) -> Ask {
        Ask::start_with(report_to_file, &[])
    }

    /// [`Ask::start`] with more arguments for `ask`.
    fn start_with(report_to_file: bool, more: &[&str]) -> Ask {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let answers_path = dir.path().join("answers.json");
        let report_path = dir.path().join("report.txt");
        let mut command = Command::new(env!("CARGO_BIN_EXE_selfcheck"));
        command.arg("ask").arg("--save-answers").arg(&answers_path).args(["--format", "text"]).args(more);
        if report_to_file {
            command.arg("--output").arg(&report_path);
        }
        command.env("TERM", "xterm").env("NO_COLOR", "1");
        let pty = Session::spawn(command).expect("selfcheck starts in a pseudo-terminal");
        Ask { pty, screen: String::new(), answers_path, report_path, _dir: dir }
    }

    /// Waits until the screen shows `text`, and returns what the screen
    /// showed up to and including it. Any run of white space in `text`
    /// matches any run on screen, where lines may be wrapped.
    fn wait_for(&mut self, text: &str) -> String {
        let pattern: Vec<String> = text.split_whitespace().map(escape).collect();
        self.poll(Regex(pattern.join(r"\s+")), &format!("{text:?}"))
    }

    /// Reads the screen until `needle` matches, without spinning.
    fn poll(&mut self, needle: impl Needle, what: &str) -> String {
        let start = Instant::now();
        loop {
            match self.pty.check(&needle) {
                Ok(found) if !found.is_empty() => {
                    let shown = String::from_utf8_lossy(found.as_bytes()).into_owned();
                    self.screen.push_str(&shown);
                    return shown;
                }
                Ok(_) if start.elapsed() < TIMEOUT => std::thread::sleep(Duration::from_millis(10)),
                Ok(_) => self.fail(&format!("timed out waiting for {what}")),
                Err(expectrl::Error::Eof) => self.fail(&format!("the program ended before showing {what}")),
                Err(error) => self.fail(&format!("reading the screen failed ({error}) waiting for {what}")),
            }
        }
    }

    fn send(&mut self, keys: &str) {
        self.pty.send(keys).expect("keys reach the program");
    }

    /// Sends a lone Esc. A terminal cannot tell a lone Esc from the start of
    /// an arrow key's sequence, so the program waits a moment after it;
    /// nothing else is sent during that moment.
    fn send_esc(&mut self) {
        self.send(ESC);
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Waits for the progress line, the question and its ready prompt;
    /// returns the progress line's numbers and the prompt as shown.
    fn wait_for_question(&mut self, question: &Question) -> ((usize, usize), String) {
        let before = self.wait_for(&opening(question));
        let mut prompt = self.wait_for(PROMPT_READY);
        prompt.push_str(&self.wait_for("]"));
        match progress(&before) {
            Some(numbers) => (numbers, prompt),
            None => self.fail(&format!("no progress line before `{}`", question.id)),
        }
    }

    /// Reads the rest of the screen and the exit code.
    fn finish(&mut self) -> (String, i32) {
        let rest = self.poll(Eof, "the end of the program");
        match self.pty.get_process().wait() {
            Ok(WaitStatus::Exited(_, code)) => (rest, code),
            other => self.fail(&format!("the program did not exit normally: {other:?}")),
        }
    }

    fn fail(&self, what: &str) -> ! {
        let tail: String = {
            let chars: Vec<char> = self.screen.chars().collect();
            chars[chars.len().saturating_sub(2000)..].iter().collect()
        };
        panic!("{what}\n--- screen so far (last 2000 characters) ---\n{tail}\n---")
    }
}

/// `text` as a regular expression that matches it literally.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The last "Question N of M" in `text`.
fn progress(text: &str) -> Option<(usize, usize)> {
    let at = text.rfind("Question ")?;
    let mut words = text[at..].split_whitespace().skip(1);
    let number = words.next()?.parse().ok()?;
    let total = words.nth(1)?.parse().ok()?;
    Some((number, total))
}

/// The keys that choose `answer` (a document value) for `question`, given
/// the documented layout: yes/no questions list No, Not sure, Yes; the
/// cursor starts on "Not sure" where it is offered, otherwise on the first
/// option.
fn keys(question: &Question, answer: &Json) -> String {
    let shown: Vec<&str> = match &question.kind {
        Kind::YesNo => vec!["no", "yes"],
        Kind::YesNoNotSure => vec!["no", "not_sure", "yes"],
        Kind::SingleChoice { options } => options.iter().map(|o| o.id.as_str()).collect(),
        Kind::Integer { .. } | Kind::Number { .. } => return format!("{answer}{ENTER}"),
    };
    let start = usize::from(question.kind == Kind::YesNoNotSure);
    let target = shown.iter().position(|id| Some(*id) == answer.as_str()).expect("a planned option exists");
    let moves = if target >= start { DOWN.repeat(target - start) } else { UP.repeat(start - target) };
    format!("{moves}{ENTER}")
}

/// A plausible self-care case: no warning sign, a recent episode that is
/// getting better, buttock pain worse with sitting (which opens the leg
/// follow-ups), long sitting, a few glute and tilt signs. Questions added
/// to the content later get "no", their first option or their minimum.
fn self_care_plan(q: &Questionnaire) -> serde_json::Map<String, Json> {
    let known = json!({
        "age": 35, "first_episode": "no", "pain_duration": "under_6_weeks", "pain_intensity": 3,
        "pain_trend": "improving", "daily_impact": "some", "morning_stiffness": "no",
        "leg_pain": "buttock_or_thigh", "leg_numbness": "no", "leg_worse_sitting": "yes",
        "leg_pain_weeks": 3, "sitting_hours": 9.5, "sitting_breaks": "rarely",
        "tilt_wall_gap": "not_sure", "tilt_swayback": "no", "hip_flexor_tight": "yes",
        "glute_sit_to_stand": "no", "glute_stairs": "yes", "glute_hip_drop": "not_sure",
        "glute_knees_cave": "no", "exercise_days": 2
    });
    q.questions
        .iter()
        .map(|question| {
            let answer = match (known.get(&question.id), &question.kind) {
                (Some(answer), _) => answer.clone(),
                (None, Kind::YesNo | Kind::YesNoNotSure) => json!("no"),
                (None, Kind::SingleChoice { options }) => json!(options[0].id),
                (None, Kind::Integer { min, .. }) => json!(min),
                (None, Kind::Number { min, .. }) => json!(min),
            };
            (question.id.clone(), answer)
        })
        .collect()
}

fn answers_from(q: &Questionnaire, document: &Json) -> Answers {
    let document = AnswersDocument::parse(document.to_string().as_bytes()).expect("a well-formed document");
    Answers::from_document(q, &document.answers).expect("answers that fit the questionnaire")
}

fn saved_answers(q: &Questionnaire, path: &Path) -> Answers {
    let bytes = std::fs::read(path).expect("the answers were saved");
    let document = AnswersDocument::parse(&bytes).expect("the saved answers are a valid document");
    assert_eq!(
        document.questionnaire.as_deref(),
        Some(q.id.as_str()),
        "the document names its questionnaire"
    );
    Answers::from_document(q, &document.answers).expect("the saved answers fit the questionnaire")
}

#[test]
fn a_full_self_care_session_replays_through_assess_to_the_same_report() {
    let q = questionnaire();
    let plan = self_care_plan(&q);
    // Which questions a person with these answers is asked, in order: the
    // questions whose condition holds given the answers before them.
    let mut expected = Answers::empty(&q);
    let mut asked = Vec::new();
    for (i, question) in q.questions.iter().enumerate() {
        if selfcheck::eval::applying(&q, &expected)[i] {
            let one = answers_from(&q, &json!({ "answers": { &question.id: plan[&question.id] } }));
            expected.set(i, one.get(i));
            asked.push(i);
        }
    }
    assert_eq!(triage_level(&q, &expected), Level::SelfCare, "the plan must stay a self-care case");
    let initial_total =
        (0..q.questions.len()).filter(|&i| selfcheck::eval::applying(&q, &Answers::empty(&q))[i]).count();

    let mut ask = Ask::start(true);
    let intro = ask.wait_for("Ctrl-C stops without a report.");
    let intro = intro.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(intro.contains(&q.title), "the intro names the questionnaire:\n{intro}");
    assert!(intro.contains(&format!("About {initial_total} questions")), "the intro says how many:\n{intro}");
    assert!(intro.contains("cannot be skipped"), "the intro says warning signs cannot be skipped:\n{intro}");
    for (n, &i) in asked.iter().enumerate() {
        let question = &q.questions[i];
        let ((number, total), _) = ask.wait_for_question(question);
        assert_eq!(number, n + 1, "progress number at `{}`", question.id);
        if n == 0 {
            assert_eq!(total, initial_total, "the first total counts the questions that apply");
        }
        if n + 1 == asked.len() {
            assert_eq!(total, asked.len(), "the last question is `Question N of N`");
        }
        ask.send(&keys(question, &plan[&question.id]));
    }
    let (_, code) = ask.finish();
    assert_eq!(code, 0);
    assert!(ask.screen.contains("That was the last question."));

    let saved = saved_answers(&q, &ask.answers_path);
    assert_eq!(saved, expected, "the saved answers are the ones typed, no more");
    let report = std::fs::read(&ask.report_path).expect("the report was written");
    let replay = Command::new(env!("CARGO_BIN_EXE_selfcheck"))
        .arg("assess")
        .arg(&ask.answers_path)
        .args(["--format", "text"])
        .output()
        .expect("selfcheck assess runs");
    assert!(replay.status.success(), "assess: {}", String::from_utf8_lossy(&replay.stderr));
    assert_eq!(
        String::from_utf8_lossy(&replay.stdout),
        String::from_utf8_lossy(&report),
        "assess turns the saved answers into the identical report"
    );
}

#[test]
fn yes_on_saddle_numbness_asks_the_follow_up_then_stops_at_the_emergency() {
    let q = questionnaire();
    let mut ask = Ask::start(false);
    let mut typed = serde_json::Map::new();
    // Age comes first, then the red flags.
    let age = &q.questions[0];
    ask.wait_for_question(age);
    ask.send(&keys(age, &json!(40)));
    typed.insert(age.id.clone(), json!(40));
    let total_at_start;
    loop {
        // "no" to any red flag before saddle numbness.
        let i = q.red_flags()[typed.len() - 1];
        let question = &q.questions[i];
        let ((number, total), _) = ask.wait_for_question(question);
        assert_eq!(number, typed.len() + 1);
        let answer = if question.id == "rf_saddle_numbness" { "yes" } else { "no" };
        ask.send(&keys(question, &json!(answer)));
        typed.insert(question.id.clone(), json!(answer));
        if answer == "yes" {
            total_at_start = total;
            break;
        }
    }
    let so_far = answers_from(&q, &json!({ "answers": typed }));
    let follow_ups: Vec<&Question> = (0..q.questions.len())
        .filter(|&i| {
            q.questions[i].ask_before_stop
                && so_far.get(i).is_none()
                && selfcheck::eval::applying(&q, &so_far)[i]
        })
        .map(|i| &q.questions[i])
        .collect();
    assert!(!follow_ups.is_empty(), "a follow-up is asked before stopping at an emergency");
    let asked_before = typed.len();
    for question in &follow_ups {
        let ((number, total), prompt) = ask.wait_for_question(question);
        // Enter alone keeps the emergency: "no" would lower it.
        assert!(prompt.contains("> Not sure"), "the cursor starts on Not sure:\n{prompt}");
        assert_eq!(number, typed.len() + 1);
        // Only what is left before the stop is counted now.
        assert_eq!(total, asked_before + follow_ups.len());
        ask.send(&keys(question, &json!("yes")));
        typed.insert(question.id.clone(), json!("yes"));
    }
    ask.wait_for("The remaining questions are not needed now.");
    // The report follows on screen with the emergency action.
    let (report, code) = ask.finish();
    assert_eq!(code, 0);
    let title = q.levels.emergency.title.to_lowercase();
    assert!(report.to_lowercase().contains(&title), "the report shows the emergency:\n{report}");

    let saved = saved_answers(&q, &ask.answers_path);
    assert_eq!(
        saved,
        answers_from(&q, &json!({ "answers": typed })),
        "only the questions asked are answered"
    );
    let report = evaluate(&q, &saved);
    assert_eq!(report.triage.level, Level::Emergency);
    assert!(typed.len() < total_at_start, "fewer questions asked than a full session");
    let last_red_flag = &q.questions[*q.red_flags().last().expect("red flags")].id;
    assert!(
        report.unanswered_red_flags.iter().any(|id| id == last_red_flag),
        "the report lists the red flags not asked"
    );
}

#[test]
fn answers_saved_as_a_fhir_response_replay_through_assess_to_the_same_report() {
    let q = questionnaire();
    let mut ask = Ask::start_with(true, &["--answers-format", "fhir"]);
    // Age, then "no" to every red flag but saddle numbness, and "yes" to
    // the follow-up: a short session that stops at the emergency.
    let mut typed = serde_json::Map::new();
    for (i, question) in q.questions.iter().enumerate() {
        let so_far = answers_from(&q, &json!({ "answers": typed }));
        if !selfcheck::eval::applying(&q, &so_far)[i] {
            continue;
        }
        let answer = match question.id.as_str() {
            "age" => json!(40),
            "rf_saddle_numbness" | "rf_cauda_equina_recent" => json!("yes"),
            _ => json!("no"),
        };
        ask.wait_for_question(question);
        ask.send(&keys(question, &answer));
        typed.insert(question.id.clone(), answer);
        if question.id == "rf_cauda_equina_recent" {
            break;
        }
    }
    ask.wait_for("The remaining questions are not needed now.");
    let (_, code) = ask.finish();
    assert_eq!(code, 0);

    let saved: Json =
        serde_json::from_slice(&std::fs::read(&ask.answers_path).expect("the answers were saved"))
            .expect("JSON");
    assert_eq!(saved["resourceType"], "QuestionnaireResponse");
    let read = selfcheck::fhir::Response::parse(saved.to_string().as_bytes()).expect("a response");
    let answers = read.answers(&q).expect("answers that fit the questionnaire");
    assert_eq!(answers, answers_from(&q, &json!({ "answers": typed })), "the answers typed, no more");
    let replay = Command::new(env!("CARGO_BIN_EXE_selfcheck"))
        .arg("assess")
        .arg(&ask.answers_path)
        .args(["--format", "text"])
        .output()
        .expect("selfcheck assess runs");
    assert!(replay.status.success(), "assess: {}", String::from_utf8_lossy(&replay.stderr));
    let report = std::fs::read(&ask.report_path).expect("the report was written");
    assert_eq!(String::from_utf8_lossy(&replay.stdout), String::from_utf8_lossy(&report));
    assert_eq!(evaluate(&q, &answers).triage.level, Level::Emergency);
}

/// Answers the questions of a self-care case in order until the first
/// whole-number question, which it returns with the answers so far.
fn answer_until_a_whole_number<'q>(q: &'q Questionnaire, ask: &mut Ask) -> (usize, &'q Question, Answers) {
    let plan = self_care_plan(q);
    let mut so_far = Answers::empty(q);
    for (i, question) in q.questions.iter().enumerate() {
        if !selfcheck::eval::applying(q, &so_far)[i] {
            continue;
        }
        ask.wait_for_question(question);
        // The first whole number after the red flags (age comes before
        // them, and a red flag cannot be skipped).
        let after_red_flags = q.red_flags().last().is_some_and(|last| i > *last);
        if matches!(question.kind, Kind::Integer { .. }) && after_red_flags {
            return (i, question, so_far);
        }
        ask.send(&keys(question, &plan[&question.id]));
        let one = answers_from(q, &json!({ "answers": { &question.id: plan[&question.id] } }));
        so_far.set(i, one.get(i));
    }
    panic!("the questionnaire has no whole-number question");
}

#[test]
fn a_bad_number_is_asked_again_with_a_clear_message() {
    let q = questionnaire();
    let mut ask = Ask::start(false);
    let (index, question, mut so_far) = answer_until_a_whole_number(&q, &mut ask);
    let Kind::Integer { min, max, .. } = question.kind else { unreachable!("a whole-number question") };

    ask.send(&format!("abc{ENTER}"));
    ask.wait_for(&format!("Enter a whole number from {min} to {max}"));
    let too_high = max + 80;
    ask.send(&format!("{}{too_high}{ENTER}", BACKSPACE.repeat(3)));
    ask.wait_for(&format!("{too_high} is out of range. Enter a whole number from {min} to {max}"));
    let good = (min + max) / 2;
    ask.send(&format!("{}{good}{ENTER}", BACKSPACE.repeat(too_high.to_string().len())));
    so_far.set(index, Some(selfcheck::Value::Integer(good)));

    // The session goes on; an ordinary question can be skipped with Esc.
    let mut next = (index + 1..q.questions.len()).filter(|&i| selfcheck::eval::applying(&q, &so_far)[i]);
    let skipped = next.next().expect("a question after the number");
    let ((number, _), prompt) = ask.wait_for_question(&q.questions[skipped]);
    assert!(prompt.contains("Esc to skip"), "the help line says Esc skips:\n{prompt}");
    ask.send_esc();
    let after = next.next().expect("a question after the skipped one");
    let ((after_number, _), _) = ask.wait_for_question(&q.questions[after]);
    assert_eq!(after_number, number + 1);

    ask.send(CTRL_C);
    let (_, code) = ask.finish();
    assert_eq!(code, 130);
    assert!(!ask.answers_path.exists(), "no answers are saved after Ctrl-C");
}

#[test]
fn esc_on_a_red_flag_explains_why_and_asks_again() {
    let q = questionnaire();
    let first = &q.questions[q.red_flags()[0]];
    let mut ask = Ask::start(false);
    // Age comes first.
    let age = &q.questions[0];
    ask.wait_for_question(age);
    ask.send(&keys(age, &json!(40)));
    let ((number, _), prompt) = ask.wait_for_question(first);
    assert_eq!(number, 2);
    // The cursor starts on "Not sure": Enter alone never answers "yes".
    assert!(prompt.contains("> Not sure"), "the cursor starts on Not sure:\n{prompt}");
    assert!(prompt.contains("cannot be skipped"), "the help line says it cannot be skipped:\n{prompt}");

    ask.send_esc();
    ask.wait_for("needed for your safety, so it cannot be skipped");
    let again = ask.wait_for(&opening(first));
    ask.wait_for(PROMPT_READY);
    let second = &q.questions[q.red_flags()[1]];
    assert!(!again.contains(&opening(second)), "the same question is asked again, not the next one");

    // Answered after all, the session moves on.
    ask.send(&keys(first, &json!("no")));
    let ((number, _), _) = ask.wait_for_question(second);
    assert_eq!(number, 3);
    ask.send(CTRL_C);
    assert_eq!(ask.finish().1, 130);
}

#[test]
fn ctrl_c_ends_at_once_with_exit_130_and_no_report() {
    let q = questionnaire();
    let mut ask = Ask::start(true);
    ask.wait_for_question(&q.questions[0]);
    ask.send(CTRL_C);
    let (rest, code) = ask.finish();
    assert_eq!(code, 130);
    assert!(!ask.answers_path.exists() && !ask.report_path.exists(), "nothing is written");
    assert!(!rest.contains(&q.safety_net[0]), "no report on screen:\n{rest}");
}
