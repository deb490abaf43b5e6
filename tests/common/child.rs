//! Running the binary with bytes on its stdin.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `command` with `stdin` as its standard input; returns the output
/// and how long it took.
pub fn run(command: &mut Command, stdin: &[u8]) -> (Output, Duration) {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = command.spawn().expect("selfcheck starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    let bytes = stdin.to_vec();
    // A writer thread, so that a large input cannot deadlock against a
    // large output.
    let writer = std::thread::spawn(move || {
        // selfcheck may stop reading early on bad input; that is its right.
        let _ = input.write_all(&bytes);
    });
    let output = child.wait_with_output().expect("selfcheck runs");
    writer.join().expect("stdin writer");
    (output, start.elapsed())
}
