//! `selfcheck assess --jsonl`: one answers document per line in, one JSON
//! report or error record per line out, in order, in constant memory.
//!
//! The input is read in chunks of lines. The lines of a chunk are assessed
//! in parallel, a few at a time, each batch into one buffer; the buffers go
//! in input order to a writer thread, which writes each straight to stdout
//! while the next chunk is assessed, then hands the emptied buffers back
//! to be filled again. At most three chunks are alive at once (being read
//! and assessed, waiting, being written), whatever the length of the input;
//! output is written a batch at a time, never per line, and the buffers
//! are reused rather than allocated again for every chunk.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::mpsc;

use rayon::prelude::*;
use selfcheck::{render, Error, ErrorKind};
use serde::Serialize;

use super::assess::{assess, is_stdin, STDIN_NAME};
use super::catalog::Catalog;
use super::{output, Failure};

/// At most this many lines per chunk...
const CHUNK_LINES: usize = 64;
/// ...and at most about this many bytes of input (a chunk always holds at
/// least one line, however long).
const CHUNK_BYTES: usize = 1 << 20;
/// Lines assessed by one parallel task, into one buffer.
const BATCH_LINES: usize = 4;
/// A line buffer that grew past this for one long line is freed rather
/// than kept for the next chunk.
const KEEP_BUFFER: usize = 64 << 10;
/// The same for the output of a batch (reports are some 10 to 20 kB each).
const KEEP_BATCH: usize = BATCH_LINES * (64 << 10);
const INPUT_BUFFER: usize = 64 << 10;

/// The error record of a bad line, in the field order of the interfaces
/// page.
#[derive(Serialize)]
struct ErrorRecord<'a> {
    line: usize,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    kind: &'a str,
    message: &'a str,
}

/// The output lines of a few consecutive input lines.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    bad: bool,
}

/// Assesses every line of `file` (stdin for `None` or `-`). Fails with
/// [`Failure::Reported`] after the last line if any line was bad.
pub fn run(file: Option<&Path>, catalog: &Catalog) -> Result<(), Failure> {
    let (name, input): (String, Box<dyn Read>) = match file {
        Some(path) if !is_stdin(file) => {
            let name = path.display().to_string();
            let opened = File::open(path)
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read: {e}")).with_file(&name))?;
            (name, Box::new(opened))
        }
        _ => (STDIN_NAME.to_owned(), Box::new(std::io::stdin().lock())),
    };
    let mut reader = BufReader::with_capacity(INPUT_BUFFER, input);
    if starts_one_document_over_lines(&mut reader) {
        let command = if is_stdin(file) {
            String::from("selfcheck assess")
        } else {
            format!("selfcheck assess {name}")
        };
        return Err(Failure::Input(format!(
            "{name}: this is one JSON document over several lines, not JSON Lines (one document per line): \
             to assess it, use `{command}`"
        )));
    }
    // Room for one chunk between the assessing and the writing thread; the
    // written chunks come back empty.
    let (sender, receiver) = mpsc::sync_channel::<Vec<Batch>>(1);
    let (give_back, given_back) = mpsc::channel::<Vec<Batch>>();
    let (assessed, written) = std::thread::scope(|scope| {
        let writer = scope.spawn(move || write(receiver, give_back));
        let assessed = assess_chunks(&mut reader, &name, catalog, &sender, &given_back);
        drop(sender);
        (assessed, writer.join())
    });
    // A failed write is why assessing stopped early, so it is reported
    // first; what was written before a read error is correct output.
    written
        .map_err(|_| Failure::Internal(String::from("the output thread stopped")))?
        .map_err(output::stdout_failure)?;
    if assessed? {
        Err(Failure::Reported)
    } else {
        Ok(())
    }
}

/// Whether the input starts with one JSON value over several lines, as a
/// pretty-printed document does: its first line that is not blank does not
/// close the value, and the input goes on to close it (or holds nothing
/// else as far as has been read). No line of JSON Lines can, so saying this
/// once beats an error record for each of the document's lines. Only what
/// the reader holds already is looked at.
fn starts_one_document_over_lines(reader: &mut impl BufRead) -> bool {
    let Ok(start) = reader.fill_buf() else { return false };
    let blank = start.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let rest = &start[blank..];
    let Some(first_line) = rest.split(|&b| b == b'\n').next().filter(|line| line.len() < rest.len()) else {
        return false;
    };
    let opens =
        serde_json::from_slice::<serde::de::IgnoredAny>(first_line).is_err_and(|error| error.is_eof());
    let first_value = serde_json::Deserializer::from_slice(rest).into_iter::<serde::de::IgnoredAny>().next();
    opens
        && match first_value {
            Some(Ok(_)) => true,
            Some(Err(error)) => error.is_eof(),
            None => false,
        }
}

/// Reads, assesses and sends every chunk of the input called `name`, into
/// the buffers of chunks `given_back` when there are any; returns whether
/// any line was bad. Stops early when the writer has gone (its error says
/// why).
fn assess_chunks(
    reader: &mut impl BufRead,
    name: &str,
    catalog: &Catalog,
    sender: &mpsc::SyncSender<Vec<Batch>>,
    given_back: &mpsc::Receiver<Vec<Batch>>,
) -> Result<bool, Failure> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut done = 0usize;
    let mut any_bad = false;
    loop {
        let (count, at_end) = read_chunk(reader, &mut lines)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read: {e}")).with_file(name))?;
        let mut batches = given_back.try_recv().unwrap_or_default();
        batches.resize_with(count.div_ceil(BATCH_LINES), Batch::default);
        lines[..count].par_chunks(BATCH_LINES).zip(batches.par_iter_mut()).enumerate().try_for_each(
            |(b, (batch_lines, batch))| assess_batch(done + b * BATCH_LINES + 1, batch_lines, catalog, batch),
        )?;
        any_bad |= batches.iter().any(|batch| batch.bad);
        if sender.send(batches).is_err() {
            return Ok(any_bad);
        }
        done += count;
        if at_end {
            return Ok(any_bad);
        }
    }
}

/// Writes every batch it receives, in order, and gives each chunk back.
///
/// Every batch ends with a newline, so stdout's line buffering passes it
/// through to the output in one write, without copying it.
fn write(receiver: mpsc::Receiver<Vec<Batch>>, give_back: mpsc::Sender<Vec<Batch>>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for batches in receiver {
        for batch in &batches {
            out.write_all(&batch.bytes)?;
        }
        // The assessing side may have finished and gone.
        let _ = give_back.send(batches);
    }
    out.flush()
}

/// Reads the next chunk of lines into `lines` (reusing its buffers), each
/// without its line ending. Returns how many lines were read and whether
/// the input ended.
fn read_chunk(reader: &mut impl BufRead, lines: &mut Vec<Vec<u8>>) -> std::io::Result<(usize, bool)> {
    let mut count = 0;
    let mut bytes = 0;
    while count < CHUNK_LINES && bytes < CHUNK_BYTES {
        if lines.len() == count {
            lines.push(Vec::new());
        }
        let line = &mut lines[count];
        if line.capacity() > KEEP_BUFFER {
            *line = Vec::new();
        }
        line.clear();
        let read = reader.read_until(b'\n', line)?;
        if read == 0 {
            return Ok((count, true));
        }
        bytes += read;
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        count += 1;
    }
    Ok((count, false))
}

/// Fills `batch` with the output lines of consecutive input lines, the
/// first numbered `first`.
fn assess_batch(
    first: usize,
    lines: &[Vec<u8>],
    catalog: &Catalog,
    batch: &mut Batch,
) -> Result<(), Failure> {
    if batch.bytes.capacity() > KEEP_BATCH {
        batch.bytes = Vec::new();
    }
    batch.bytes.clear();
    batch.bad = false;
    for (i, line) in lines.iter().enumerate() {
        batch.bad |= assess_line(first + i, line, catalog, &mut batch.bytes)?;
    }
    Ok(())
}

/// Appends the output line for input line `number` to `out`: a compact
/// JSON report, or an error record. Returns whether the line was bad; fails
/// only on a bug (a report that cannot be written as JSON).
fn assess_line(number: usize, line: &[u8], catalog: &Catalog, out: &mut Vec<u8>) -> Result<bool, Failure> {
    let result = if line.iter().all(u8::is_ascii_whitespace) {
        Err(Error::new(ErrorKind::Syntax, "the line is empty: expected an answers document"))
    } else {
        assess(line, catalog)
    };
    let bad = match result {
        Ok(report) => {
            render::write_json_line(&report, &mut *out)
                .map_err(|e| Failure::Internal(format!("cannot write a report as JSON: {e}")))?;
            false
        }
        Err(error) => {
            let message = record_message(&error);
            let record = ErrorRecord {
                line: number,
                error: ErrorBody { kind: error.kind().as_str(), message: &message },
            };
            serde_json::to_writer(&mut *out, &record)
                .map_err(|e| Failure::Internal(format!("cannot write an error record: {e}")))?;
            true
        }
    };
    out.push(b'\n');
    Ok(bad)
}

/// An error's message for a record. The record gives the line; the column
/// (of a syntax error) goes first, as it would after a line number, and the
/// JSON path of a shape error last. The path of a syntax error is left out:
/// the parser only knows it up to the key it could not read.
fn record_message(error: &Error) -> String {
    let location = error.location();
    let mut message = match location.column {
        Some(column) => format!("column {column}: {}", error.message()),
        None => error.message().to_owned(),
    };
    if let Some(path) = location.path.as_ref().filter(|_| error.kind() != ErrorKind::Syntax) {
        message.push_str(&format!(" (at `{path}`)"));
    }
    message
}
