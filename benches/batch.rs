//! Batch throughput of `selfcheck assess --jsonl` and `assess --csv`, each
//! against its floor.
//!
//! Run with `cargo bench --bench batch` (both), `cargo bench --bench batch
//! -- jsonl` or `-- csv`. The CSV part generates 1,000,000 rows
//! (`SELFCHECK_BENCH_ROWS`) of the same answer sets, with about 1.5% bad
//! rows, and times `assess --csv` on one and two cores against the floor of
//! reading and writing the same CSV with the `csv` crate (see
//! [`csv_floor_command`]), run by run, with the peak memory at 1,000 and at
//! all rows. For JSON Lines, in one run it:
//!
//! 1. generates answer sets for `low-back-glutes` from a fixed seed, one
//!    per line, with every question varied and about 1.5% bad lines;
//! 2. times the release binary on them as a whole process, output to
//!    `/dev/null` (every byte is still written by `write(2)`), pinned to
//!    one core (`taskset -c 0`, so that the writer thread shares that core
//!    too) and on two cores;
//! 3. times the floor on the same input, pinned to one core: this same
//!    program run as `batch floor ...` (see [`floor`]), which only parses
//!    each line with serde_json and writes as many bytes of serde_json
//!    output as selfcheck wrote;
//! 4. prints records/s, MB/s and the ratio selfcheck/floor, run by run;
//! 5. prints the peak memory (max RSS) at 1,000 and at all records;
//! 6. times the start of one `assess` of one file.
//!
//! Times, CPU and peak memory come from GNU time (`/usr/bin/time`, Debian
//! package `time`), which reads them from the kernel's accounting of the
//! finished process. `SELFCHECK_BENCH_RECORDS` and `SELFCHECK_BENCH_RUNS`
//! change the number of records (100,000) and of timed runs (3; medians
//! are reported). `cargo bench --bench batch -- generate COUNT PATH` writes
//! the same answer sets to a file, to profile with (`generate-csv` as CSV).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use selfcheck::Questionnaire;
use serde_json::Value;

#[path = "../tests/answer_sets/mod.rs"]
mod answer_sets;

use answer_sets::{answer_set, Rng, QUESTIONNAIRE};

/// The allocator of the `selfcheck` binary: the floors allocate as it does,
/// so the ratio compares the work done, not the allocators.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SELFCHECK: &str = env!("CARGO_BIN_EXE_selfcheck");
const SEED: u64 = 0x5e1f_c4ec_b47c_4001;
const DEFAULT_RECORDS: usize = 100_000;
const DEFAULT_ROWS: usize = 1_000_000;
const SMALL_RECORDS: usize = 1_000;
const DEFAULT_RUNS: usize = 3;
const STARTUP_RUNS: usize = 21;
/// How many of selfcheck's output lines the floor picks its output from.
const POOL_LINES: usize = 128;
/// The same buffer sizes as `selfcheck assess --jsonl`.
const INPUT_BUFFER: usize = 64 << 10;
const OUTPUT_BUFFER: usize = 1 << 20;
const GNU_TIME: &str = "/usr/bin/time";

fn main() {
    // `cargo bench` adds `--bench`.
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| arg != "--bench").collect();
    let result = match args.first().map(String::as_str) {
        Some("floor") => floor_command(&args[1..]),
        Some("csv-floor") => csv_floor_command(&args[1..]),
        Some("generate") => generate_command(&args[1..]),
        Some("generate-csv") => generate_csv_command(&args[1..]),
        Some("jsonl") => bench(),
        Some("csv") => bench_csv(),
        Some(other) => Err(format!(
            "unknown command `{other}`: expected jsonl, csv, floor, csv-floor, generate, generate-csv or nothing"
        )),
        None => bench().and_then(|()| {
            println!();
            bench_csv()
        }),
    };
    if let Err(message) = result {
        eprintln!("batch: {message}");
        std::process::exit(1);
    }
}

/// Makes errors of any kind into messages, with what was being done.
trait Context<T> {
    fn context(self, what: impl std::fmt::Display) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: impl std::fmt::Display) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

fn env_number(name: &str, default: usize) -> Result<usize, String> {
    match std::env::var(name) {
        Ok(text) => text.parse().context(format!("{name}={text}")),
        Err(_) => Ok(default),
    }
}

fn bench() -> Result<(), String> {
    let records = env_number("SELFCHECK_BENCH_RECORDS", DEFAULT_RECORDS)?;
    let runs = env_number("SELFCHECK_BENCH_RUNS", DEFAULT_RUNS)?.max(1);
    if !Path::new(GNU_TIME).exists() {
        return Err(format!("{GNU_TIME} is needed (Debian package `time`)"));
    }
    let dir = tempfile::tempdir().context("temporary directory")?;
    let questionnaire = shipped_questionnaire()?;

    let input = dir.path().join("answers.jsonl");
    let small = dir.path().join("answers-small.jsonl");
    let pool = dir.path().join("pool.jsonl");
    let one = dir.path().join("one.json");
    write_records(&questionnaire, records, &input)?;
    write_records(&questionnaire, SMALL_RECORDS.min(records), &small)?;
    write_records(&questionnaire, POOL_LINES.min(records), &pool)?;
    let input_bytes = std::fs::metadata(&input).context("input")?.len();

    // One untimed run: checks the output, and sizes the floor's.
    let output = dir.path().join("reports.jsonl");
    let checked = measure(&selfcheck_command(&input), None, &output)?;
    let output_bytes = std::fs::metadata(&output).context("output")?.len();
    let (lines, bad) = count_lines(&output)?;
    if lines != records || checked.exit != Some(if bad > 0 { 2 } else { 0 }) {
        return Err(format!("selfcheck wrote {lines} lines for {records} records, exit {:?}", checked.exit));
    }
    let pool_output = dir.path().join("pool-reports.jsonl");
    measure(&selfcheck_command(&pool), None, &pool_output)?;

    println!("machine: {}", machine());
    println!("selfcheck assess --jsonl: {records} records of `{QUESTIONNAIRE}` ({bad} bad lines)");
    println!(
        "input {:.1} MB, output {:.1} MB ({} bytes per report on average); {runs} runs each, medians",
        mb(input_bytes),
        mb(output_bytes),
        output_bytes / records.max(1) as u64,
    );

    let floor_command = {
        let mut command = vec![std::env::current_exe().context("this program")?.display().to_string()];
        command.push("floor".into());
        command.push(input.display().to_string());
        command.push(pool_output.display().to_string());
        command.push(records.to_string());
        command.push(output_bytes.to_string());
        command
    };
    let null = PathBuf::from("/dev/null");
    let configurations: [(&str, Option<&str>, Vec<String>); 3] = [
        ("floor, 1 core", Some("0"), floor_command),
        ("selfcheck, 1 core", Some("0"), selfcheck_command(&input)),
        ("selfcheck, 2 cores", Some("0,1"), selfcheck_command(&input)),
    ];
    let mut measured: Vec<Vec<Run>> = vec![Vec::new(); configurations.len()];
    // Interleaved, so that a slow moment of the machine hits all alike.
    for _ in 0..runs {
        for ((_, cpus, command), runs) in configurations.iter().zip(&mut measured) {
            let run = measure(command, *cpus, &null)?;
            if run.exit.is_none() {
                return Err(format!("{} was killed", command.join(" ")));
            }
            runs.push(run);
        }
    }
    let medians = print_runs(&configurations, &measured, "records", records, input_bytes, output_bytes);
    println!();
    println!("peak memory (max RSS) of selfcheck:");
    for (name, cpus, at_scale) in [("1 core", "0", &medians[1]), ("2 cores", "0,1", &medians[2])] {
        let few = measure(&selfcheck_command(&small), Some(cpus), &null)?;
        println!(
            "  {name:<8} {:>6.1} MB at {} records, {:>6.1} MB at {records}",
            few.max_rss_kb as f64 / 1024.0,
            SMALL_RECORDS.min(records),
            at_scale.max_rss_kb as f64 / 1024.0,
        );
    }

    let document = first_good_line(&input)?;
    std::fs::write(&one, document).context("one answers document")?;
    let startup = startup(&one)?;
    println!(
        "startup, `selfcheck assess` of one file (text report): median {:.2} ms, fastest {:.2} ms of {STARTUP_RUNS}",
        startup.0.as_secs_f64() * 1e3,
        startup.1.as_secs_f64() * 1e3,
    );
    Ok(())
}

/// The CSV benchmark: `assess --csv` on generated rows against the floor of
/// reading and writing the same CSV with the `csv` crate.
fn bench_csv() -> Result<(), String> {
    let rows = env_number("SELFCHECK_BENCH_ROWS", DEFAULT_ROWS)?;
    let runs = env_number("SELFCHECK_BENCH_RUNS", DEFAULT_RUNS)?.max(1);
    if !Path::new(GNU_TIME).exists() {
        return Err(format!("{GNU_TIME} is needed (Debian package `time`)"));
    }
    let dir = tempfile::tempdir().context("temporary directory")?;
    let questionnaire = shipped_questionnaire()?;
    let input = dir.path().join("answers.csv");
    let small = dir.path().join("answers-small.csv");
    write_rows(&questionnaire, rows, &input)?;
    write_rows(&questionnaire, SMALL_RECORDS.min(rows), &small)?;
    let input_bytes = std::fs::metadata(&input).context("input")?.len();

    // One untimed run checks the output.
    let output = dir.path().join("scores.csv");
    let checked = measure(&csv_command(&input), None, &output)?;
    let output_bytes = std::fs::metadata(&output).context("output")?.len();
    let mut reader = csv::Reader::from_path(&output).context(output.display())?;
    let header = reader.headers().context("output header")?.clone();
    let error = header.iter().position(|name| name == "error").ok_or("no error column")?;
    let (mut written, mut bad) = (0, 0);
    for row in reader.byte_records() {
        let row = row.context("output row")?;
        written += 1;
        bad += usize::from(!row[error].is_empty());
    }
    if written != rows || checked.exit != Some(if bad > 0 { 2 } else { 0 }) {
        return Err(format!("selfcheck wrote {written} rows for {rows}, exit {:?}", checked.exit));
    }

    println!("machine: {}", machine());
    println!("selfcheck assess --csv: {rows} rows of `{QUESTIONNAIRE}` ({bad} bad rows)");
    println!("input {:.1} MB, output {:.1} MB; {runs} runs each, medians", mb(input_bytes), mb(output_bytes),);
    let floor_command = vec![
        std::env::current_exe().context("this program")?.display().to_string(),
        String::from("csv-floor"),
        input.display().to_string(),
    ];
    let null = PathBuf::from("/dev/null");
    let configurations: [(&str, Option<&str>, Vec<String>); 3] = [
        ("floor, 1 core", Some("0"), floor_command),
        ("selfcheck, 1 core", Some("0"), csv_command(&input)),
        ("selfcheck, 2 cores", Some("0,1"), csv_command(&input)),
    ];
    let mut measured: Vec<Vec<Run>> = vec![Vec::new(); configurations.len()];
    for _ in 0..runs {
        for ((_, cpus, command), runs) in configurations.iter().zip(&mut measured) {
            let run = measure(command, *cpus, &null)?;
            if run.exit.is_none() {
                return Err(format!("{} was killed", command.join(" ")));
            }
            runs.push(run);
        }
    }
    let medians = print_runs(&configurations, &measured, "rows", rows, input_bytes, output_bytes);
    println!();
    println!("peak memory (max RSS) of selfcheck:");
    for (name, cpus, at_scale) in [("1 core", "0", &medians[1]), ("2 cores", "0,1", &medians[2])] {
        let few = measure(&csv_command(&small), Some(cpus), &null)?;
        println!(
            "  {name:<8} {:>6.1} MB at {} rows, {:>6.1} MB at {rows}",
            few.max_rss_kb as f64 / 1024.0,
            SMALL_RECORDS.min(rows),
            at_scale.max_rss_kb as f64 / 1024.0,
        );
    }
    Ok(())
}

fn csv_command(input: &Path) -> Vec<String> {
    vec![SELFCHECK.into(), "assess".into(), "--csv".into(), input.display().to_string()]
}

/// `batch csv-floor INPUT`: the floor of the CSV benchmark. It reads every
/// row of INPUT with the `csv` crate (as byte records, through a buffer of
/// the same size as selfcheck's) and writes it to stdout with the `csv`
/// crate: what any CSV-to-CSV tool built on it must do, and nothing else.
fn csv_floor_command(args: &[String]) -> Result<(), String> {
    let [input] = args else {
        return Err(String::from("usage: batch csv-floor INPUT"));
    };
    let file = File::open(input).context(input)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(INPUT_BUFFER)
        .from_reader(file);
    let stdout = std::io::stdout().lock();
    let mut writer =
        csv::WriterBuilder::new().flexible(true).buffer_capacity(OUTPUT_BUFFER).from_writer(stdout);
    let mut row = csv::ByteRecord::new();
    while reader.read_byte_record(&mut row).context(input)? {
        writer.write_byte_record(&row).context("stdout")?;
    }
    writer.flush().context("stdout")
}

/// Prints the medians of each configuration (the floor first, then
/// selfcheck on one core and on two) and the ratios to the floor, run by
/// run; returns the medians.
fn print_runs(
    configurations: &[(&str, Option<&str>, Vec<String>)],
    measured: &[Vec<Run>],
    unit: &str,
    records: usize,
    input_bytes: u64,
    output_bytes: u64,
) -> Vec<Run> {
    let medians: Vec<Run> = measured.iter().map(|runs| median(runs)).collect();
    println!();
    println!(
        "{:<20} {:>8} {:>8} {:>6} {:>11} {:>9} {:>9} {:>9}",
        "",
        "wall s",
        "CPU s",
        "CPU",
        format!("{unit}/s"),
        "in MB/s",
        "out MB/s",
        "max RSS"
    );
    for ((name, _, _), run) in configurations.iter().zip(&medians) {
        let seconds = run.wall.as_secs_f64();
        println!(
            "{name:<20} {seconds:>8.3} {:>8.2} {:>5}% {:>11.0} {:>9.1} {:>9.1} {:>6.1} MB",
            run.cpu_seconds,
            run.cpu_percent,
            records as f64 / seconds,
            mb(input_bytes) / seconds,
            mb(output_bytes) / seconds,
            run.max_rss_kb as f64 / 1024.0,
        );
    }
    // Run by run, so that a slow moment of the machine cancels out.
    let ratio = |config: usize| {
        let mut ratios: Vec<f64> = measured[0]
            .iter()
            .zip(&measured[config])
            .map(|(floor, selfcheck)| floor.wall.as_secs_f64() / selfcheck.wall.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios[ratios.len() / 2]
    };
    println!();
    println!("throughput ratio selfcheck/floor (median of the runs' ratios):");
    println!("  selfcheck on 1 core / floor on 1 core:  {:.2}", ratio(1));
    println!("  selfcheck on 2 cores / floor on 1 core: {:.2}", ratio(2));
    if medians[2].cpu_percent < 150 {
        println!(
            "  note: on 2 cores selfcheck got {}% of a core: other work kept the second core busy",
            medians[2].cpu_percent
        );
    }

    medians
}

// The answer sets.

/// `batch generate COUNT PATH`: the input of the benchmark, kept for
/// profiling.
fn generate_command(args: &[String]) -> Result<(), String> {
    let [count, path] = args else {
        return Err(String::from("usage: batch generate COUNT PATH"));
    };
    write_records(&shipped_questionnaire()?, count.parse().context("COUNT")?, Path::new(path))
}

fn shipped_questionnaire() -> Result<Questionnaire, String> {
    let text = selfcheck::shipped(QUESTIONNAIRE).ok_or("not shipped")?;
    Questionnaire::from_json(text, QUESTIONNAIRE).map_err(|e| e.to_string())
}

/// `batch generate-csv COUNT PATH`: the input of the CSV benchmark.
fn generate_csv_command(args: &[String]) -> Result<(), String> {
    let [count, path] = args else {
        return Err(String::from("usage: batch generate-csv COUNT PATH"));
    };
    write_rows(&shipped_questionnaire()?, count.parse().context("COUNT")?, Path::new(path))
}

/// Writes the first `count` answer sets of the fixed seed to `path` as a
/// CSV table: a header, then one row each.
fn write_rows(questionnaire: &Questionnaire, count: usize, path: &Path) -> Result<(), String> {
    let mut out = BufWriter::new(File::create(path).context(path.display())?);
    let mut rng = Rng(SEED);
    let mut row = Vec::new();
    answer_sets::csv_header(questionnaire, &mut row);
    for n in 1..=count {
        answer_sets::csv_row(questionnaire, &mut rng, &format!("r{n}"), &mut row);
        out.write_all(&row).context(path.display())?;
        row.clear();
    }
    out.flush().context(path.display())
}

/// Writes the first `count` answer sets of the fixed seed to `path`, one
/// JSON document per line.
fn write_records(questionnaire: &Questionnaire, count: usize, path: &Path) -> Result<(), String> {
    let mut out = BufWriter::new(File::create(path).context(path.display())?);
    let mut rng = Rng(SEED);
    let mut line = Vec::new();
    for _ in 0..count {
        line.clear();
        answer_set(questionnaire, &mut rng, &mut line);
        out.write_all(&line).and_then(|()| out.write_all(b"\n")).context(path.display())?;
    }
    out.flush().context(path.display())
}

// Measuring.

/// The processor, the cores this program may use, and the load average.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map_or("unknown processor", |rest| rest.trim_start_matches([' ', '\t', ':']));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    format!("{model}, {cores} cores; load average {load}")
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn selfcheck_command(input: &Path) -> Vec<String> {
    vec![SELFCHECK.into(), "assess".into(), "--jsonl".into(), input.display().to_string()]
}

/// One finished process, as the kernel accounted for it.
#[derive(Debug, Clone)]
struct Run {
    wall: Duration,
    /// User and system time.
    cpu_seconds: f64,
    cpu_percent: u32,
    max_rss_kb: u64,
    exit: Option<i32>,
}

/// Runs `command` under GNU time, pinned to `cpus` if given, with stdout
/// to `output`.
fn measure(command: &[String], cpus: Option<&str>, output: &Path) -> Result<Run, String> {
    let report = tempfile::NamedTempFile::new().context("temporary file")?;
    let mut process = Command::new(GNU_TIME);
    process.arg("--format=%U %S %P %M").arg("--output").arg(report.path());
    if let Some(cpus) = cpus {
        process.args(["taskset", "--cpu-list", cpus]);
    }
    process.args(command);
    // Its stderr would only count the bad rows the input holds on purpose
    // (the exit code and the output say the same).
    process
        .stdin(Stdio::null())
        .stdout(File::create(output).context(output.display())?)
        .stderr(Stdio::null());
    let start = Instant::now();
    let status = process.status().context(command.join(" "))?;
    let wall = start.elapsed();
    let text = std::fs::read_to_string(report.path()).context("GNU time's report")?;
    // The last line: GNU time first says if the command failed.
    let line = text.lines().last().unwrap_or("");
    let mut fields = line.split_whitespace();
    let mut seconds = || fields.next().and_then(|f| f.parse::<f64>().ok());
    let cpu_seconds = seconds().zip(seconds()).map(|(user, system)| user + system);
    let cpu_percent = fields.next().and_then(|f| f.trim_end_matches('%').parse().ok());
    let max_rss_kb = fields.next().and_then(|f| f.parse().ok());
    match (cpu_seconds, cpu_percent, max_rss_kb) {
        (Some(cpu_seconds), Some(cpu_percent), Some(max_rss_kb)) => {
            Ok(Run { wall, cpu_seconds, cpu_percent, max_rss_kb, exit: status.code() })
        }
        _ => Err(format!("cannot read GNU time's report {text:?}")),
    }
}

/// The run of median wall time.
fn median(runs: &[Run]) -> Run {
    let mut sorted = runs.to_vec();
    sorted.sort_by_key(|run| run.wall);
    sorted[sorted.len() / 2].clone()
}

/// The number of output lines, and of error records among them.
fn count_lines(path: &Path) -> Result<(usize, usize), String> {
    let reader = BufReader::new(File::open(path).context(path.display())?);
    let mut lines = 0;
    let mut bad = 0;
    for line in reader.split(b'\n') {
        let line = line.context(path.display())?;
        lines += 1;
        bad += usize::from(line.starts_with(b"{\"line\":"));
    }
    Ok((lines, bad))
}

fn first_good_line(path: &Path) -> Result<String, String> {
    let reader = BufReader::new(File::open(path).context(path.display())?);
    for line in reader.lines() {
        let line = line.context(path.display())?;
        if line.starts_with("{\"questionnaire\":\"low-back-glutes\",\"answers\":{\"rf_") {
            return Ok(line);
        }
    }
    Err(String::from("no good line"))
}

/// The median and fastest wall time of `selfcheck assess FILE`, after one
/// run to warm the caches.
fn startup(file: &Path) -> Result<(Duration, Duration), String> {
    let mut times = Vec::with_capacity(STARTUP_RUNS);
    for run in 0..=STARTUP_RUNS {
        let start = Instant::now();
        let status = Command::new(SELFCHECK)
            .arg("assess")
            .arg(file)
            .stdout(Stdio::null())
            .status()
            .context("selfcheck assess")?;
        let elapsed = start.elapsed();
        if !status.success() {
            return Err(format!("selfcheck assess {} failed: {status}", file.display()));
        }
        if run > 0 {
            times.push(elapsed);
        }
    }
    times.sort();
    Ok((times[times.len() / 2], times[0]))
}

// The floor.

/// `batch floor INPUT POOL LINES BYTES`.
fn floor_command(args: &[String]) -> Result<(), String> {
    let [input, pool, lines, bytes] = args else {
        return Err(String::from("usage: batch floor INPUT POOL LINES BYTES"));
    };
    let lines: u64 = lines.parse().context("LINES")?;
    let bytes: u64 = bytes.parse().context("BYTES")?;
    let input = File::open(input).context(input)?;
    let pool = read_pool(Path::new(pool))?;
    let stdout = std::io::stdout().lock();
    let written = floor(BufReader::with_capacity(INPUT_BUFFER, input), &pool, lines, bytes, stdout)
        .context("the floor")?;
    if written != bytes {
        return Err(format!("the floor wrote {written} bytes instead of {bytes}"));
    }
    Ok(())
}

/// Report-shaped values, each with the length of its compact JSON and its
/// newline, shortest first.
fn read_pool(path: &Path) -> Result<Vec<(u64, Value)>, String> {
    let text = std::fs::read_to_string(path).context(path.display())?;
    let mut pool = Vec::new();
    for line in text.lines() {
        let value: Value = serde_json::from_str(line).context(path.display())?;
        let length = serde_json::to_vec(&value).context("pool")?.len() as u64 + 1;
        pool.push((length, value));
    }
    pool.sort_by_key(|(length, _)| *length);
    if pool.is_empty() {
        return Err(String::from("the pool is empty"));
    }
    Ok(pool)
}

/// The least work a JSON Lines batch tool can do: parse each of `lines`
/// input lines into a [`Value`], and write one line of serde_json output
/// for each, `bytes` bytes in all. Each output line is a report-shaped
/// value (one of selfcheck's own output lines, parsed in advance)
/// serialised by serde_json, the longest that keeps the total at or under
/// `bytes * (n + 1) / lines` after line n; the few bytes left at the end are
/// written as spaces. Returns the number of bytes written.
///
/// It does what selfcheck must also do, with the same libraries: read the
/// lines through a buffer of the same size, parse each as JSON (into a
/// `Value`, which allocates every key and string as selfcheck's answers
/// do), and escape and write as many bytes of the same kind of JSON (1 MiB
/// at a time). It does nothing else: no checking of answers, no
/// evaluation, no report to build, no second thread.
fn floor(
    mut input: impl BufRead,
    pool: &[(u64, Value)],
    lines: u64,
    bytes: u64,
    out: impl Write,
) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, out);
    let mut line = Vec::new();
    let mut written = 0u64;
    let mut n = 0u64;
    while input.read_until(b'\n', &mut line)? > 0 {
        let parsed = serde_json::from_slice::<Value>(&line);
        std::hint::black_box(&parsed);
        n += 1;
        let goal = (bytes * n / lines.max(1)).saturating_sub(written);
        let fits = pool.partition_point(|(length, _)| *length <= goal);
        let (length, value) = &pool[fits.saturating_sub(1)];
        serde_json::to_writer(&mut out, value)?;
        out.write_all(b"\n")?;
        written += length;
        line.clear();
    }
    let padding = vec![b' '; usize::try_from(bytes.saturating_sub(written)).unwrap_or(0)];
    out.write_all(&padding)?;
    out.flush()?;
    Ok(written + padding.len() as u64)
}
