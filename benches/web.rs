//! `selfcheck serve` under load, against its floor.
//!
//! Run with `cargo bench --bench web` (needs `wrk`, in Debian's `wrk`
//! package). The benchmark starts a server in a child process (this same
//! program, so that its log lines can go to /dev/null and its memory can be
//! read alone), then loads it from `wrk` on loopback, in turns, round after
//! round:
//!
//! - a **question page**: the red flags answered, the age given, and the
//!   next question shown (every answer checked, the session replayed, the
//!   page rendered, the headers and the log line written);
//! - a **report page**: a full answers document checked, evaluated and
//!   rendered as the report page;
//! - the **floor** of each: a route on the same server, in the same run,
//!   that answers the same request with the same bytes, prepared in
//!   advance, and does no work.
//!
//! It prints requests per second and p99 latency for each, the ratio to the
//! floor, and the server's resident memory after each round.
//!
//! `cargo bench --bench web -- in-process [N] [PAGE]` measures the pages'
//! own work alone, free of the network and of other load: the application
//! answers each request `N` times (default 2000) in this process, through
//! the whole router (extractors, headers, log line), and it prints the
//! microseconds per request. `PAGE` (`question` or `report`) keeps to one
//! page. Run under `valgrind --tool=callgrind` with two values of `N`, the
//! difference in instructions over the difference in `N` is the cost of one
//! request, whatever else the machine is doing.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, Request};
use axum::routing::post;
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The allocator of the `selfcheck` binary, so that the server measured
/// here is the one people run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ID: &str = "low-back-glutes";
/// Rounds, each a load of every target and its floor: the median of five
/// holds still where one round in three may be cut short by the machine.
const ROUNDS: usize = 5;
const SECONDS: u32 = 5;
const CONNECTIONS: u32 = 8;

fn questionnaire() -> selfcheck::Questionnaire {
    selfcheck::Questionnaire::from_json(selfcheck::shipped(ID).expect("shipped"), ID).expect("valid")
}

/// The two requests measured: `(name, path, form body)`.
fn requests() -> [(&'static str, String, String); 2] {
    let q = questionnaire();
    let mut question = form_urlencoded::Serializer::new(String::new());
    for &index in q.red_flags() {
        question.append_pair(&q.questions[index].id, "no");
    }
    question.append_pair("_question", "age").append_pair("age", "47").append_pair("_action", "continue");
    let document: serde_json::Value =
        serde_json::from_str(include_str!("../examples/desk-worker.json")).expect("an answers document");
    let mut report = form_urlencoded::Serializer::new(String::new());
    for (id, value) in document["answers"].as_object().expect("answers") {
        let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        report.append_pair(id, &value);
    }
    [
        ("question page", format!("/{ID}/question"), question.finish()),
        ("report page", format!("/{ID}/report"), report.finish()),
    ]
}

/// The child: the application plus a floor route per request, serving until
/// its stdin closes.
fn serve() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let app = selfcheck::web::router(vec![questionnaire()]);
        let mut floor = Router::new();
        for (n, (_, path, body)) in requests().into_iter().enumerate() {
            let request = Request::post(&path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("a request");
            let response = app.clone().oneshot(request).await.expect("a response");
            assert!(response.status().is_success(), "{path}: {}", response.status());
            let bytes: Bytes = response.into_body().collect().await.expect("a body").to_bytes();
            floor = floor.route(
                &format!("/floor/{n}"),
                post(move || {
                    let bytes = bytes.clone();
                    async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes) }
                }),
            );
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        println!("{}", listener.local_addr().expect("an address").port());
        let stop = async {
            let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new())).await;
        };
        selfcheck::web::server::serve(listener, floor.merge(app), Duration::from_secs(10), stop)
            .await
            .expect("serve");
    });
}

/// A `wrk` script that posts `body` as a form.
fn script(body: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("selfcheck-bench-{}.lua", std::process::id()));
    let lua = format!(
        "wrk.method = \"POST\"\nwrk.body = \"{}\"\nwrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n",
        body.replace('\\', "\\\\").replace('"', "\\\"")
    );
    std::fs::write(&path, lua).expect("write the wrk script");
    path
}

/// Requests per second and p99 latency in milliseconds, from `wrk`.
fn load(url: &str, body: &str) -> (f64, f64) {
    let script = script(body);
    let output = Command::new("wrk")
        .args(["-t1", &format!("-c{CONNECTIONS}"), &format!("-d{SECONDS}s"), "--latency", "-s"])
        .arg(&script)
        .arg(url)
        .output()
        .expect("wrk runs (install Debian's `wrk`)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("Non-2xx"), "errors from {url}:\n{text}");
    let rps = text
        .lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec from wrk:\n{text}"));
    let p99 = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("99%"))
        .map(|v| milliseconds(v.trim()))
        .unwrap_or_else(|| panic!("no 99% latency from wrk:\n{text}"));
    (rps, p99)
}

fn milliseconds(value: &str) -> f64 {
    let split = value.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        _ => f64::NAN,
    }
}

/// Resident and peak memory of a process, in MB.
fn memory(child: &Child) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// One target's figures, one per round.
#[derive(Default)]
struct Runs {
    rps: Vec<f64>,
    p99: Vec<f64>,
    floor_rps: Vec<f64>,
    floor_p99: Vec<f64>,
    /// Requests per second over the floor's, round by round.
    ratio: Vec<f64>,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    if std::env::var_os("SELFCHECK_BENCH_SERVER").is_some() {
        serve();
        return;
    }
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    if args.first().is_some_and(|arg| arg == "in-process") {
        let count = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(2000);
        in_process(count, args.get(2).map(String::as_str));
        return;
    }
    let mut child = Command::new(std::env::current_exe().expect("this program"))
        .env("SELFCHECK_BENCH_SERVER", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut port = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut port).expect("a port");
    let base = format!("http://127.0.0.1:{}", port.trim());
    let targets = requests();
    println!(
        "wrk -t1 -c{CONNECTIONS} -d{SECONDS}s, {ROUNDS} rounds; server: 2 worker threads, log to /dev/null"
    );
    // Warm up every route once.
    for (n, (_, path, body)) in targets.iter().enumerate() {
        warm_up(&format!("{base}{path}"), body);
        warm_up(&format!("{base}/floor/{n}"), body);
    }
    let (rss_start, _) = memory(&child);
    let mut per_target: Vec<Runs> = targets.iter().map(|_| Runs::default()).collect();
    for round in 1..=ROUNDS {
        for (n, (name, path, body)) in targets.iter().enumerate() {
            let (floor_rps, floor_p99) = load(&format!("{base}/floor/{n}"), body);
            let (rps, p99) = load(&format!("{base}{path}"), body);
            let runs = &mut per_target[n];
            runs.rps.push(rps);
            runs.p99.push(p99);
            runs.floor_rps.push(floor_rps);
            runs.floor_p99.push(floor_p99);
            runs.ratio.push(rps / floor_rps);
            println!(
                "round {round}: {name}: {rps:.0} req/s, p99 {p99:.2} ms; floor {floor_rps:.0} req/s, p99 {floor_p99:.2} ms; ratio {:.2}",
                rps / floor_rps
            );
        }
        let (rss, peak) = memory(&child);
        println!("round {round}: server memory {rss:.1} MB resident, {peak:.1} MB peak");
    }
    let (rss_end, peak) = memory(&child);
    println!();
    println!("| | requests/s | p99 | floor requests/s | floor p99 | ratio to the floor |");
    println!("|---|---|---|---|---|---|");
    for (n, (name, _, body)) in targets.iter().enumerate() {
        let runs = &mut per_target[n];
        println!(
            "| {name} ({} B form) | {:.0} | {:.2} ms | {:.0} | {:.2} ms | {:.2} |",
            body.len(),
            median(&mut runs.rps),
            median(&mut runs.p99),
            median(&mut runs.floor_rps),
            median(&mut runs.floor_p99),
            median(&mut runs.ratio)
        );
    }
    println!();
    println!("server memory: {rss_start:.1} MB resident after warm-up, {rss_end:.1} MB at the end, {peak:.1} MB peak");
    drop(child.stdin.take());
    let _ = child.wait();
}

/// One second of load, to warm a route up.
fn warm_up(url: &str, body: &str) {
    let _ = Command::new("wrk").args(["-t1", "-c2", "-d1s", "-s"]).arg(script(body)).arg(url).output();
}

/// Each request answered `count` times in this process, through the whole
/// router; the time per request printed. `only` keeps to the pages whose
/// name contains it.
fn in_process(count: u32, only: Option<&str>) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let app = selfcheck::web::router(vec![questionnaire()]);
        for (name, path, body) in requests() {
            if only.is_some_and(|only| !name.contains(only)) {
                continue;
            }
            let send = || {
                let request = Request::post(&path)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body.clone()))
                    .expect("a request");
                let app = app.clone();
                async move {
                    let response = app.oneshot(request).await.expect("a response");
                    assert!(response.status().is_success(), "{}", response.status());
                    response.into_body().collect().await.expect("a body").to_bytes().len()
                }
            };
            let size = send().await;
            let started = std::time::Instant::now();
            for _ in 0..count {
                std::hint::black_box(send().await);
            }
            let micros = started.elapsed().as_secs_f64() * 1e6 / f64::from(count.max(1));
            println!("{name}: {micros:.1} µs per request in process ({count} requests, {size} B page)");
        }
    });
}
