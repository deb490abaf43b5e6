//! The request log: one line per request on standard error, saying
//! method, path, status and time, and nothing else (no query, no body, no
//! address), so that no answer is ever logged.
//!
//! Standard error is unbuffered: a line written straight away costs a
//! system call per request, a good part of a small page's time. While
//! [`serve`](super::server::serve) runs, lines are gathered and written
//! together, whole and in order, once they fill [`BATCH_BYTES`] or
//! [`FLUSH_EVERY`] has passed, and when serving stops: a line is never
//! more than a moment late. Without a server to flush them (a router
//! used on its own), each line is written as it comes.

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use axum::http::Method;

use crate::number;

/// Lines are written once they fill this many bytes...
const BATCH_BYTES: usize = 8 * 1024;
/// ...or once this long has passed.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Lines not yet written.
static PENDING: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// How many servers are running, each flushing [`PENDING`] in time.
static FLUSHERS: AtomicUsize = AtomicUsize::new(0);

/// Logs one request that took `elapsed`.
pub(crate) fn request(method: &Method, path: &str, status: u16, elapsed: Duration) {
    // Milliseconds to a tenth, rounded, without formatting a float.
    let tenths = (elapsed.as_micros() + 50) / 100;
    let mut pending = PENDING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    pending.extend_from_slice(method.as_str().as_bytes());
    pending.push(b' ');
    printable(path, &mut pending);
    pending.push(b' ');
    push_number(&mut pending, u128::from(status));
    pending.push(b' ');
    push_number(&mut pending, tenths / 10);
    pending.push(b'.');
    push_number(&mut pending, tenths % 10);
    pending.extend_from_slice(b"ms\n");
    // With no server to flush in time, the line is written now. Asked
    // under the lock, so that a line added as the last server stops is
    // never left behind: its last flush takes the lock after it says so.
    if pending.len() >= BATCH_BYTES || FLUSHERS.load(Ordering::Acquire) == 0 {
        // Written under the lock, so that batches keep their order.
        write(&pending);
        pending.clear();
    }
}

/// Appends a whole number (without `write!`, which costs a good part of
/// the line).
fn push_number(line: &mut Vec<u8>, value: u128) {
    let mut digits = [0; 20];
    line.extend_from_slice(
        number::unsigned(u64::try_from(value).unwrap_or(u64::MAX), &mut digits).as_bytes(),
    );
}

/// Writes every line not yet written.
fn flush() {
    let mut pending = PENDING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !pending.is_empty() {
        write(&pending);
        pending.clear();
    }
}

/// While it lives, lines are gathered, and a task writes them every
/// [`FLUSH_EVERY`]. Dropping it writes what is left.
pub(crate) struct Batching {
    flusher: tokio::task::JoinHandle<()>,
}

impl Batching {
    /// Starts gathering lines; within a tokio runtime, which runs the task
    /// that writes them.
    pub(crate) fn start() -> Batching {
        FLUSHERS.fetch_add(1, Ordering::AcqRel);
        let flusher = tokio::spawn(async {
            let mut every = tokio::time::interval(FLUSH_EVERY);
            loop {
                every.tick().await;
                flush();
            }
        });
        Batching { flusher }
    }
}

impl Drop for Batching {
    fn drop(&mut self) {
        self.flusher.abort();
        FLUSHERS.fetch_sub(1, Ordering::AcqRel);
        flush();
    }
}

/// A log line that cannot be written is not worth failing a request for.
fn write(bytes: &[u8]) {
    let _ = std::io::stderr().lock().write_all(bytes);
}

/// A path fit for a log line: control characters cannot forge lines.
fn printable(path: &str, line: &mut Vec<u8>) {
    if path.chars().any(char::is_control) {
        let shown: String = path.chars().map(|c| if c.is_control() { '?' } else { c }).collect();
        line.extend_from_slice(shown.as_bytes());
    } else {
        line.extend_from_slice(path.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_cannot_forge_a_line() {
        let mut line = Vec::new();
        printable("/a\nGET /b 200", &mut line);
        assert_eq!(line, b"/a?GET /b 200");
    }
}
