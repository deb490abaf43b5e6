//! The streaming promises of `assess --jsonl` and `assess --csv`, held by
//! the running binary: a record's answer comes as soon as it is ready, so
//! that a program can talk to selfcheck a record at a time; a record longer
//! than the limit is refused on its own and the run goes on; and memory
//! stays bounded by bytes, whatever the input or the size of a report.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value as Json};

/// Longer than any answer could take on a loaded machine, and short
/// enough to fail a test that would otherwise wait forever.
const PATIENCE: Duration = Duration::from_secs(60);

fn selfcheck() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_selfcheck"));
    command.current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("COLUMNS");
    command
}

fn spawn(args: &[&str]) -> Child {
    selfcheck()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("selfcheck starts")
}

/// The output lines of a child, read on a thread, so that a test can wait
/// for the next one with a timeout.
fn lines(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

fn next_line(lines: &mpsc::Receiver<String>, waiting_for: &str) -> String {
    lines
        .recv_timeout(PATIENCE)
        .unwrap_or_else(|_| panic!("no answer to {waiting_for} while stdin stays open"))
}

/// A program sends one document, waits for its report, then sends the
/// next: each answer comes while stdin is still open.
#[test]
fn json_lines_answer_each_line_as_it_comes() {
    let mut child = spawn(&["assess", "--jsonl"]);
    let mut stdin = child.stdin.take().expect("stdin");
    let output = lines(child.stdout.take().expect("stdout"));
    for (n, (line, ending)) in [
        (json!({"answers": {"rf_saddle_numbness": "yes"}}).to_string(), "\n"),
        (String::from("{\"answers\": {\"age\": \"x\"}}"), "\r\n"),
        (json!({"answers": {"age": 40}}).to_string(), "\n"),
    ]
    .into_iter()
    .enumerate()
    {
        stdin.write_all(format!("{line}{ending}").as_bytes()).expect("write a line");
        stdin.flush().expect("flush");
        let answer: Json = serde_json::from_str(&next_line(&output, &line)).expect("JSON");
        match n {
            0 => assert_eq!(answer["triage"]["level"], "emergency"),
            1 => assert_eq!(answer["line"], 2),
            _ => assert_eq!(answer["triage"]["level"], "soon"),
        }
    }
    drop(stdin);
    assert_eq!(child.wait().expect("selfcheck ends").code(), Some(2));
}

/// The same for CSV: the header's answer comes at once, then each row's.
#[test]
fn csv_answers_each_row_as_it_comes() {
    for ending in ["\n", "\r\n"] {
        let mut child = spawn(&["assess", "--csv"]);
        let mut stdin = child.stdin.take().expect("stdin");
        let output = lines(child.stdout.take().expect("stdout"));
        stdin.write_all(format!("record_id,rf_saddle_numbness,age{ending}").as_bytes()).expect("header");
        stdin.flush().expect("flush");
        assert!(next_line(&output, "the header").starts_with("record_id,triage_level,"));
        for (row, level) in [("a,yes,40", "emergency"), ("b,no,41", "soon"), ("c,no,forty", "")] {
            stdin.write_all(format!("{row}{ending}").as_bytes()).expect("write a row");
            stdin.flush().expect("flush");
            let answer = next_line(&output, row);
            let id = &row[..1];
            assert!(answer.starts_with(&format!("{id},{level},")), "{ending:?}: {answer}");
        }
        drop(stdin);
        assert_eq!(child.wait().expect("selfcheck ends").code(), Some(2));
    }
}

/// The output of `args` on `input`, with the exit code.
fn run(args: &[&str], input: Vec<u8>) -> (Option<i32>, String) {
    let mut child = spawn(args);
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("selfcheck ends");
    writer.join().expect("stdin writer");
    // Errors are in the output; stderr only counts the bad records, once.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let counted = stderr.lines().count() == 1 && stderr.contains(" could not be assessed; their ");
    assert!(
        stderr.is_empty() == (output.status.code() == Some(0)) && (stderr.is_empty() || counted),
        "{stderr}"
    );
    (output.status.code(), String::from_utf8(output.stdout).expect("UTF-8"))
}

#[test]
fn a_line_over_the_limit_is_an_error_record_and_the_run_goes_on() {
    let good = json!({"answers": {"age": 40}}).to_string();
    let long = format!("{{\"answers\": {{\"age\": 40, \"x\": \"{}\"}}}}", "y".repeat(300));
    let input = format!("{good}\n{long}\n{good}\r\n{}\n{good}", "z".repeat(5000));
    let (code, output) = run(&["assess", "--jsonl", "--max-document-bytes", "200"], input.into_bytes());
    assert_eq!(code, Some(2));
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 5);
    let record = "the line is larger than the limit of 200 bytes; --max-document-bytes raises it";
    for n in [2, 4] {
        let got: Json = serde_json::from_str(lines[n - 1]).expect("JSON");
        assert_eq!(got, json!({"line": n, "error": {"kind": "too_large", "message": record}}));
    }
    for n in [1, 3, 5] {
        assert!(lines[n - 1].starts_with("{\"questionnaire\":"), "line {n}: {}", lines[n - 1]);
    }
    // At the limit exactly, a line is read.
    let (code, output) =
        run(&["assess", "--jsonl", "--max-document-bytes", &good.len().to_string()], good.into_bytes());
    assert_eq!(code, Some(0), "{output}");
}

#[test]
fn a_row_over_the_limit_is_an_error_row_and_the_run_goes_on() {
    // A quoted line break inside the long row: the row still ends where
    // CSV says, not at the first line break.
    let input = format!("record_id,age\na,40\nb,\"{}\n{}\"\nc,41\n", "4".repeat(150), "2".repeat(150));
    let (code, output) = run(&["assess", "--csv", "--max-document-bytes", "200"], input.into_bytes());
    assert_eq!(code, Some(2));
    let rows: Vec<&str> = output.lines().collect();
    assert_eq!(rows.len(), 4, "{output}");
    assert!(rows[1].starts_with("a,soon,"));
    // The row is named by its `record_id`, read before the row grew too
    // long, and its other cells are empty; its quoted line break is named,
    // as a stray quote taking rows would make a row too long too.
    assert_eq!(
        rows[2],
        format!(
            "b{},\"the row is larger than the limit of 200 bytes; --max-document-bytes raises it (the quoted \
             column `age` holds 1 line break: if a quote in it is a stray one, the lines up to the next quote \
             were read into it, rows included)\"",
            ",".repeat(13)
        )
    );
    assert!(rows[3].starts_with("c,soon,"));
}

/// The peak memory of a running process, in kB, from Linux's accounting.
fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// An endless line (`/dev/zero` has no line break) is read and dropped
/// as it comes, without being held: memory stays flat.
#[test]
fn an_endless_line_does_not_grow_memory() {
    if !Path::new("/dev/zero").exists() || peak_kb(std::process::id()).is_none() {
        return; // Only where Linux's accounting is at hand.
    }
    for format in ["--jsonl", "--csv"] {
        let mut child = spawn(&["assess", format, "/dev/zero"]);
        // Long enough to read some gigabytes.
        std::thread::sleep(Duration::from_secs(2));
        let peak = peak_kb(child.id());
        assert!(child.try_wait().expect("status").is_none(), "{format}: selfcheck stopped reading");
        child.kill().expect("stop selfcheck");
        child.wait().expect("selfcheck ends");
        let peak = peak.expect("peak memory");
        assert!(peak < 64 * 1024, "{format}: {peak} kB");
    }
}

/// Reports of several megabytes each: while the reader of stdout is slow,
/// selfcheck holds a few of them, not a chunk's worth of lines.
#[test]
fn memory_is_bounded_by_bytes_not_only_lines() {
    if peak_kb(std::process::id()).is_none() {
        return;
    }
    // A questionnaire whose every report carries a 2 MB text.
    let text = selfcheck::shipped("low-back-glutes").expect("shipped");
    let mut definition: Json = serde_json::from_str(text).expect("JSON");
    const TEXT: usize = 2 << 20;
    definition["intended_purpose"] = Json::from("Education. ".repeat(TEXT / 11));
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("large.json");
    std::fs::write(&path, definition.to_string()).expect("write the questionnaire");
    let line = json!({"answers": {"age": 40}}).to_string();
    let input = format!("{line}\n").repeat(80);

    let mut child = spawn(&["assess", "--jsonl", "-q", path.to_str().expect("UTF-8 path")]);
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    // Nothing is read from stdout for a while: selfcheck fills what it
    // may hold, then waits.
    std::thread::sleep(Duration::from_secs(4));
    let peak = peak_kb(child.id()).expect("peak memory");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut output = Vec::new();
    stdout.read_to_end(&mut output).expect("read the reports");
    writer.join().expect("stdin writer");
    assert_eq!(child.wait().expect("selfcheck ends").code(), Some(0));
    assert_eq!(output.iter().filter(|&&b| b == b'\n').count(), 80);
    // A chunk of 64 lines would be 128 MB of reports, and three of them
    // alive 384 MB.
    assert!(peak < 64 * 1024, "peak memory {peak} kB with 2 MB reports");
}
