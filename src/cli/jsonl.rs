//! `selfcheck assess --jsonl`: one answers document per line in, one JSON
//! report or error record per line out, through the [`stream`] pipeline.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use selfcheck::{render, Error, ErrorKind};
use serde::Serialize;

use super::assess::{assess, is_stdin, is_utf16, utf16, SAVE_JSON_AS_UTF8, STDIN_NAME};
use super::catalog::Catalog;
use super::stream::{self, Assess, Assessed, Source};
use super::Failure;

const INPUT_BUFFER: usize = 64 << 10;
/// A line buffer that grew past this for one long line is freed rather
/// than kept for the next chunk.
const KEEP_LINE: usize = 64 << 10;

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

/// Assesses every line of `file` (stdin for `None` or `-`), refusing lines
/// longer than `max_line` bytes. Fails after the last line if any line
/// was bad, counting them (see [`stream::run`]).
pub fn run(file: Option<&Path>, catalog: &Catalog, max_line: usize) -> Result<(), Failure> {
    let Input { name, reader, may_wait } = open(file)?;
    let mut reader = BufReader::with_capacity(INPUT_BUFFER, reader);
    if reader.fill_buf().is_ok_and(is_utf16) {
        return Err(utf16(SAVE_JSON_AS_UTF8).with_file(&name).into());
    }
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
    let mut lines = Lines { reader, max: max_line, may_wait };
    stream::run(&mut lines, &name, &Documents { catalog, max_line })
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

/// An input to stream records from.
pub struct Input {
    /// What errors call it: the path, or `<stdin>`.
    pub name: String,
    pub reader: Box<dyn Read + Send>,
    /// Whether reading it may wait on another program (a pipe, a terminal,
    /// a socket) rather than only on a disk. Only then does a chunk end at
    /// the last record already read in, for a program that writes one
    /// record and waits for its answer; a file is read in full chunks, so
    /// that every core has work.
    pub may_wait: bool,
}

/// The input called FILE (stdin for `None` or `-`).
pub fn open(file: Option<&Path>) -> Result<Input, Failure> {
    match file {
        Some(path) if !is_stdin(file) => {
            let name = path.display().to_string();
            let opened = File::open(path)
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read: {e}")).with_file(&name))?;
            let may_wait = may_wait(&opened);
            Ok(Input { name, reader: Box::new(opened), may_wait })
        }
        _ => Ok(Input {
            name: STDIN_NAME.to_owned(),
            reader: Box::new(io::stdin()),
            may_wait: stdin_may_wait(),
        }),
    }
}

/// Whether `file` is anything but a regular file (a FIFO, a device).
fn may_wait(file: &File) -> bool {
    !file.metadata().is_ok_and(|metadata| metadata.is_file())
}

/// Whether stdin is anything but a regular file redirected in.
fn stdin_may_wait() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        io::stdin().as_fd().try_clone_to_owned().map(File::from).map_or(true, |file| may_wait(&file))
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// The lines of an input, each without its line ending (`\n` or `\r\n`).
struct Lines<R> {
    reader: BufReader<R>,
    /// The longest line kept, in bytes.
    max: usize,
    /// See [`Input::may_wait`].
    may_wait: bool,
}

/// One line, or the fact that it was too long to keep.
#[derive(Default)]
pub struct Line {
    bytes: Vec<u8>,
    too_long: bool,
}

impl<R: Read> Source for Lines<R> {
    type Record = Line;

    fn read(&mut self, line: &mut Line) -> io::Result<Option<usize>> {
        if line.bytes.capacity() > KEEP_LINE {
            line.bytes = Vec::new();
        }
        line.bytes.clear();
        line.too_long = false;
        // Room for the longest line and its `\r\n`: anything that fills it
        // and has not ended is too long.
        let room = self.max.saturating_add(2);
        let mut read = (&mut self.reader).take(room as u64).read_until(b'\n', &mut line.bytes)?;
        if read == 0 {
            return Ok(None);
        }
        if line.bytes.last() == Some(&b'\n') {
            line.bytes.pop();
            if line.bytes.last() == Some(&b'\r') {
                line.bytes.pop();
            }
        } else if read == room {
            read += skip_line(&mut self.reader)?;
        }
        if line.bytes.len() > self.max {
            line.too_long = true;
            line.bytes = Vec::new();
        }
        Ok(Some(read))
    }

    fn has_waiting(&self) -> bool {
        !self.may_wait || self.reader.buffer().contains(&b'\n')
    }
}

/// Reads up to and including the next newline, keeping nothing; returns
/// the number of bytes read.
fn skip_line(reader: &mut impl BufRead) -> io::Result<usize> {
    let mut skipped = 0;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(skipped);
        }
        let (used, found) = match buffer.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (buffer.len(), false),
        };
        reader.consume(used);
        skipped += used;
        if found {
            return Ok(skipped);
        }
    }
}

/// Each line an answers document, each report a compact JSON line.
struct Documents<'c> {
    catalog: &'c Catalog,
    max_line: usize,
}

impl Assess for Documents<'_> {
    type Record = Line;
    const RECORD: (&'static str, &'static str) = ("line", "lines");

    fn errors(&self) -> &'static str {
        "their error records say why"
    }

    /// One line at a time: a report is a good deal of work of its own.
    fn assess(&self, number: usize, lines: &[Line], out: &mut Vec<u8>) -> Result<Assessed, Failure> {
        let Some(line) = lines.first() else { return Ok(Assessed { records: 0, bad: 0 }) };
        let bad = if line.too_long {
            let error = stream::too_long("the line", self.max_line);
            write_error(number, &error, out).map(|()| true)?
        } else {
            assess_line(number, &line.bytes, self.catalog, out)?
        };
        Ok(Assessed { records: 1, bad: usize::from(bad) })
    }
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
    match result {
        Ok(report) => {
            render::write_json_line(&report, &mut *out)
                .map_err(|e| Failure::Internal(format!("cannot write a report as JSON: {e}")))?;
            out.push(b'\n');
            Ok(false)
        }
        Err(error) => write_error(number, &error, out).map(|()| true),
    }
}

/// Appends the error record of line `number`, with its newline.
fn write_error(number: usize, error: &Error, out: &mut Vec<u8>) -> Result<(), Failure> {
    let message = record_message(error);
    let record =
        ErrorRecord { line: number, error: ErrorBody { kind: error.kind().as_str(), message: &message } };
    serde_json::to_writer(&mut *out, &record)
        .map_err(|e| Failure::Internal(format!("cannot write an error record: {e}")))?;
    out.push(b'\n');
    Ok(())
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
