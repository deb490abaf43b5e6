//! The browser tests of `selfcheck serve` (`tests/browser/e2e.mjs`), run
//! by `cargo test`: `selfcheck serve`, as built for the tests, listens on a free
//! loopback port, headless Chromium answers the questionnaire through it
//! with JavaScript off and the keyboard only, axe-core audits every kind of
//! page, and print-to-PDF counts the pages; then the server is stopped with
//! SIGTERM and must stop cleanly, having logged no answer.
//!
//! It needs Chromium (`/usr/bin/chromium`, or `CHROMIUM`), Node and the
//! packages of `tests/package.json` (`npm ci` in `tests/`). Without them it
//! fails, saying what is missing; `SELFCHECK_SKIP_BROWSER_TESTS=1` skips it
//! on a machine that has no browser.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn the_pages_in_a_real_browser() {
    if std::env::var_os("SELFCHECK_SKIP_BROWSER_TESTS").is_some_and(|v| v == "1") {
        eprintln!("browser tests skipped: SELFCHECK_SKIP_BROWSER_TESTS=1");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium =
        std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        chromium.exists(),
        "{} is missing: install Debian's `chromium` (or set CHROMIUM)",
        chromium.display()
    );
    assert!(
        root.join("tests/node_modules/playwright-core").is_dir()
            && root.join("tests/node_modules/axe-core").is_dir(),
        "the browser tests need their packages: run `npm ci` in tests/"
    );
    let binary = env!("CARGO_BIN_EXE_selfcheck");
    let mut server = Command::new(binary)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("selfcheck serve starts");
    // The server's stderr: first where it listens, then one line per request.
    let (lines_tx, lines) = mpsc::channel::<String>();
    let stderr = server.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let first = lines.recv_timeout(Duration::from_secs(20)).expect("the server says where it listens");
    let base = first
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|url| url.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"));

    let out = root.join("target/browser");
    let status = Command::new("node")
        .current_dir(root.join("tests"))
        .args(["browser/e2e.mjs", "--base", &base, "--selfcheck", binary, "--out"])
        .arg(&out)
        .env("CHROMIUM", &chromium)
        .status()
        .expect("node runs (is Node installed?)");

    let stopped = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill");
    assert!(stopped.success());
    let exit = server.wait().expect("the server exits");
    let _ = reader.join();
    let log: Vec<String> = lines.try_iter().collect();
    assert!(status.success(), "the browser tests failed (see above; files in {})", out.display());
    assert!(exit.success(), "the server did not stop cleanly on SIGTERM: {exit}");
    assert_eq!(log.last().map(String::as_str), Some("selfcheck: stopped"));

    // The log line is method, path, status and time, and nothing else.
    let requests = &log[..log.len() - 1];
    assert!(requests.len() >= 50, "only {} requests logged", requests.len());
    for line in requests {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts.len(), 4, "{line}");
        assert!(["GET", "POST"].contains(&parts[0]), "{line}");
        assert!(parts[1].starts_with('/') && !parts[1].contains('?') && !parts[1].contains('='), "{line}");
        assert!(parts[2].len() == 3 && parts[2].bytes().all(|b| b.is_ascii_digit()), "{line}");
        assert!(parts[3].ends_with("ms"), "{line}");
    }
}
