//! `selfcheck assess --jsonl`: one answers document per line in, one JSON
//! report or error record per line out, in order, in constant memory.
//!
//! The input is read in chunks of lines; each chunk is assessed in
//! parallel into one byte buffer per line, and the buffers are written in
//! input order to a large buffered writer. Memory holds one chunk at a
//! time, whatever the length of the input, and output is flushed in large
//! blocks rather than per line.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use rayon::prelude::*;
use selfcheck::{render, Error, ErrorKind};
use serde::Serialize;

use super::assess::{assess, is_stdin, STDIN_NAME};
use super::catalog::Catalog;
use super::{output, Failure};

/// At most this many lines per chunk...
const CHUNK_LINES: usize = 4096;
/// ...and at most about this many bytes (a chunk always holds at least one
/// line, however long).
const CHUNK_BYTES: usize = 4 << 20;
/// A line buffer that grew past this for one long line is freed rather
/// than kept for the next chunk.
const KEEP_BUFFER: usize = 64 << 10;
/// Output is written in blocks of this size.
const OUTPUT_BUFFER: usize = 1 << 20;

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
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, std::io::stdout().lock());
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut done = 0usize;
    let mut any_bad = false;
    loop {
        let (count, at_end) = read_chunk(&mut reader, &mut lines).map_err(|e| {
            // Keep what was assessed so far: it is correct output.
            let _ = out.flush();
            Failure::from(Error::new(ErrorKind::Io, format!("cannot read: {e}")).with_file(&name))
        })?;
        let results: Vec<(Vec<u8>, bool)> = lines[..count]
            .par_iter()
            .enumerate()
            .map(|(i, line)| assess_line(done + i + 1, line, catalog))
            .collect::<Result<_, _>>()?;
        for (bytes, bad) in &results {
            out.write_all(bytes).map_err(output::stdout_failure)?;
            any_bad |= bad;
        }
        done += count;
        if at_end {
            break;
        }
    }
    out.flush().map_err(output::stdout_failure)?;
    if any_bad {
        Err(Failure::Reported)
    } else {
        Ok(())
    }
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

/// The output line for input line `number`: a compact JSON report, or an
/// error record; the flag says which. Fails only on a bug (a report that
/// cannot be written as JSON).
fn assess_line(number: usize, line: &[u8], catalog: &Catalog) -> Result<(Vec<u8>, bool), Failure> {
    let mut bytes = Vec::with_capacity(8 << 10);
    let result = if line.iter().all(u8::is_ascii_whitespace) {
        Err(Error::new(ErrorKind::Syntax, "the line is empty: expected an answers document"))
    } else {
        assess(line, catalog)
    };
    let bad = match result {
        Ok(report) => {
            render::write_json_line(&report, &mut bytes)
                .map_err(|e| Failure::Internal(format!("cannot write a report as JSON: {e}")))?;
            false
        }
        Err(error) => {
            let message = record_message(&error);
            let record = ErrorRecord {
                line: number,
                error: ErrorBody { kind: error.kind().as_str(), message: &message },
            };
            serde_json::to_writer(&mut bytes, &record)
                .map_err(|e| Failure::Internal(format!("cannot write an error record: {e}")))?;
            true
        }
    };
    bytes.push(b'\n');
    Ok((bytes, bad))
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
