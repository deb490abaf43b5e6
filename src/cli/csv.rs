//! `selfcheck assess --csv`: one respondent per CSV row in, one scored row
//! per respondent out, through the [`stream`] pipeline.
//!
//! The input is RFC 4180 CSV, read by the `csv` crate's own parser
//! (`csv-core`): fields in double quotes may hold commas, quotes (doubled)
//! and line breaks; rows end in `\n`, `\r\n` or `\r`; a UTF-8 byte order
//! mark at the start is skipped; blank lines are not rows. A row with no
//! quote that is wholly in the input buffer is cut at its commas without
//! the parser, which gives the same cells for well under half the work.
//! The header names the columns: question ids and, optionally,
//! `record_id`. A header that names anything else is refused before any
//! row is read, since every row would carry the same mistake.
//!
//! Rows are assessed a group at a time: each is read into a lane of a
//! [`Cohort`], which decides up to 64 together, and then written in turn.
//!
//! The output is CSV with a header, one row per input row in the same
//! order; a row that cannot be assessed gets its `error` cell filled and
//! every other cell but `record_id` empty. In the long format each
//! respondent gives one row per answer and per derived value instead.

use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::Mutex;

use csv_core::ReadRecordResult;
use selfcheck::bytes::{bytes_equal, word_at};
use selfcheck::cohort::{Cohort, Respondent, LANES};
use selfcheck::table::{Column, Header, RECORD_ID};
use selfcheck::{Answers, Error, ErrorKind, Questionnaire};

use super::assess::{is_utf16, utf16};
use super::catalog::Catalog;
use super::stream::{self, Assess, Assessed, Source};
use super::{jsonl, output, Failure};

const INPUT_BUFFER: usize = 64 << 10;
/// The UTF-8 byte order mark, which the parser skips at the start.
const BOM: &[u8] = b"\xEF\xBB\xBF";
/// A row's buffers start this large (a row of fifty short answers is some
/// 200 bytes). The rows of a chunk are read into buffers of their own, one
/// after another, and assessed a chunk later; the closer together they
/// lie the better (with 1 kB each, a row took 8% longer, waiting on memory)...
const FIRST_FIELDS: usize = 1 << 8;
/// ...and this many cells (for a row the parser reads; a plain row has no
/// need of them)...
const FIRST_ENDS: usize = 64;
/// ...and are freed rather than kept when one row made them larger than
/// this.
const KEEP_FIELDS: usize = 64 << 10;
/// How the output marks a derived value in the long format (CDISC SDTM's
/// `QSDRVFL`).
const DERIVED: &str = "Y";
/// How several ids share one cell.
const ID_SEPARATOR: &str = ";";
/// How to save a table as UTF-8, for the error that refuses one in UTF-16
/// (which Excel writes as "Unicode Text").
const SAVE_CSV_AS_UTF8: &str = "(in Excel, as \"CSV UTF-8 (Comma delimited)\")";

/// Assesses every row of `file` (stdin for `None` or `-`) against the
/// questionnaire of `catalog` (the `--questionnaire` one, or the default);
/// `long` asks for the long format. Rows longer than `max_row` bytes are
/// refused.
pub fn run(file: Option<&Path>, catalog: &Catalog, long: bool, max_row: usize) -> Result<(), Failure> {
    let questionnaire = catalog.get(None)?;
    let jsonl::Input { name, reader, may_wait } = jsonl::open(file)?;
    let mut rows = Rows::new(BufReader::with_capacity(INPUT_BUFFER, reader), max_row, may_wait);
    let header = read_header(&mut rows, questionnaire, max_row).map_err(|e| e.with_file(&name))?;
    let table = Table::new(questionnaire, header, long, max_row);
    let names: Vec<&str> = (0..table.header.columns().len()).map(|i| table.column_name(i)).collect();
    rows.after_header(&names, table.header.record_id());
    let mut first = Vec::new();
    table.write_header(&mut first);
    output::stdout(&first)?;
    stream::run(&mut rows, &name, &table)
}

/// Reads and resolves the header row: every problem at once.
fn read_header(
    rows: &mut Rows<impl Read>,
    questionnaire: &Questionnaire,
    max: usize,
) -> Result<Header, Error> {
    // Said for the whole input, not for its first cell, or for every
    // column named with a NUL between its letters.
    if rows.reader.fill_buf().is_ok_and(is_utf16) {
        return Err(utf16(SAVE_CSV_AS_UTF8));
    }
    let mut row = Row::default();
    let read = rows.read(&mut row).map_err(|e| Error::new(ErrorKind::Io, format!("cannot read: {e}")))?;
    if read.is_none() {
        return Err(Error::new(
            ErrorKind::Syntax,
            format!("the input is empty: expected a header row of question ids (and `{RECORD_ID}`)"),
        ));
    }
    if let Some(unclosed) = row.unclosed {
        return Err(unclosed_quote(&format!("header cell {}", unclosed.cell + 1), unclosed));
    }
    if row.too_long {
        return Err(stream::too_long("the header row", max));
    }
    let mut ends = Vec::new();
    let row = row.cut(&mut ends);
    let names = row
        .cells()
        .enumerate()
        .map(|(i, cell)| {
            std::str::from_utf8(cell).map_err(|e| {
                let message = format!("header cell {}: {}", i + 1, not_utf8(cell, e.valid_up_to()));
                Error::new(ErrorKind::Syntax, message)
            })
        })
        .collect::<Result<Vec<&str>, Error>>()?;
    Header::new(questionnaire, names)
}

/// The error for a row with a quote never closed (in `cell`, named as the
/// row's errors name it).
fn unclosed_quote(cell: &str, unclosed: Unclosed) -> Error {
    let taken = match unclosed.line_breaks {
        0 => String::new(),
        1 => String::from(", and the 1 line after the quote was read into it"),
        n => format!(", and the {n} lines after the quote were read into it"),
    };
    let message = format!(
        "{cell}: its quote is never closed, so the input ended inside this cell{taken} \
         (a quote inside a quoted cell is written as two quotes)"
    );
    Error::new(ErrorKind::Syntax, message)
}

fn not_utf8(cell: &[u8], at: usize) -> String {
    format!("not UTF-8 text: invalid byte 0x{:02X} at byte {}", cell[at], at + 1)
}

/// The rows of a CSV input.
struct Rows<R> {
    reader: BufReader<R>,
    parser: csv_core::Reader,
    /// The longest row kept, in bytes of input.
    max: usize,
    /// See [`jsonl::Input::may_wait`].
    may_wait: bool,
    /// Whether rows without quotes are cut at their commas by
    /// [`Rows::read_plain`]: not before the header is read, so that the
    /// parser strips a byte order mark.
    plain: bool,
    /// How many first cells of a row too long to keep are kept all the
    /// same: up to its `record_id`, so that its error row names it.
    keep_cells: usize,
    /// Whether any input was read yet (its byte order mark is skipped).
    started: bool,
    /// The header's names, once read, to tell a row that repeats them.
    names: Option<Names>,
    /// Whether the header came again with its columns in another order:
    /// the rows after it cannot be matched to the columns, until it comes
    /// again in its first order.
    reordered: bool,
}

/// The header's names, to tell a row that repeats them (two tables joined
/// into one), looked at in the thread that reads the input, as a row
/// changes how the rows after it are read.
struct Names {
    /// In the header's order.
    in_order: Vec<Vec<u8>>,
    /// Sorted, to tell the same names in another order.
    sorted: Vec<Vec<u8>>,
    /// The length of the header's line written without quotes: a plain
    /// row of another length (but for a byte order mark) is not looked at,
    /// which keeps this off the path of every row.
    plain_len: usize,
    /// Where a candidate row's cells end.
    ends: Vec<usize>,
}

/// A row that repeats the header's names, or follows such a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// The header again, in its order.
    Header,
    /// The header again, with its columns in another order.
    Reordered,
    /// A row after [`Repeat::Reordered`]: its cells cannot be matched to
    /// the columns.
    AfterReordered,
}

/// One row's cells, or the fact that it was too long to keep.
#[derive(Default)]
pub struct Row {
    /// The cells' bytes, one after another (and room for more).
    fields: Vec<u8>,
    /// Where each cell ends in `fields` (and room for more), for a row the
    /// parser read.
    ends: Vec<usize>,
    /// How many cells a row the parser read has.
    count: usize,
    /// For a row [`Rows::read_plain`] read, the length of its line in
    /// `fields`, whose commas are found when its cells are read, by the
    /// thread that reads them (whose cache the line is then in), rather
    /// than kept in `ends` by the thread that reads the input.
    plain: Option<usize>,
    too_long: bool,
    /// A quote opened in the row and never closed: the input ended inside
    /// it.
    unclosed: Option<Unclosed>,
    /// The first quoted cell of the row that holds a line break: where a
    /// stray quote closed by a later one took the lines between them.
    spanning: Option<Unclosed>,
    repeat: Option<Repeat>,
}

/// Where a quote that is never closed opens, and how many line breaks
/// the input held after it: all of them were read into one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unclosed {
    cell: usize,
    line_breaks: usize,
}

/// Follows the parser's quoting over a row's bytes as it takes them, to
/// tell a row the input ended inside a quoted cell of: the parser ends
/// such a row quietly, with the rest of the input in that cell, and a
/// table whose rows all vanished into one cell needs saying so.
#[derive(Default)]
struct Quotes {
    state: QuoteState,
    cell: usize,
    line_breaks: usize,
    after_cr: bool,
    /// The first quoted cell closed with a line break in it.
    spanning: Option<Unclosed>,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    #[default]
    CellStart,
    Unquoted,
    Quoted,
    /// A quote in a quoted cell: it closes the cell, or doubles the next.
    QuoteInQuoted,
}

impl Quotes {
    fn feed(&mut self, bytes: &[u8]) {
        use QuoteState::*;
        for &b in bytes {
            let ends_cell = b == b',' || b == b'\n' || b == b'\r';
            if self.state == QuoteInQuoted && b != b'"' {
                self.spanning = self.spanning.or_else(|| self.spanned());
            }
            self.state = match (self.state, b) {
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => {
                    if b == b'\r' || (b == b'\n' && !self.after_cr) {
                        self.line_breaks += 1;
                    }
                    Quoted
                }
                (CellStart, b'"') => {
                    self.line_breaks = 0;
                    Quoted
                }
                (QuoteInQuoted, b'"') => Quoted,
                (_, _) if ends_cell => {
                    self.cell += usize::from(b == b',');
                    CellStart
                }
                (_, _) => Unquoted,
            };
            self.after_cr = b == b'\r';
        }
    }

    fn unclosed(&self) -> Option<Unclosed> {
        (self.state == QuoteState::Quoted)
            .then_some(Unclosed { cell: self.cell, line_breaks: self.line_breaks })
    }

    /// The first quoted cell closed with a line break in it, the one just
    /// closed included.
    fn spanning(&self) -> Option<Unclosed> {
        let closing = (self.state == QuoteState::QuoteInQuoted).then(|| self.spanned()).flatten();
        self.spanning.or(closing)
    }

    /// The quoted cell being closed, if it holds a line break.
    fn spanned(&self) -> Option<Unclosed> {
        (self.line_breaks > 0).then_some(Unclosed { cell: self.cell, line_breaks: self.line_breaks })
    }
}

impl Row {
    /// The row's cells: those of a plain row are found now, their ends
    /// written to `scratch`, which the caller keeps from row to row (so
    /// that they are written and read in its own cache, not by the thread
    /// that reads the input, many rows earlier).
    fn cut<'a>(&'a self, scratch: &'a mut Vec<usize>) -> Cut<'a> {
        match self.plain {
            Some(length) => {
                let line = &self.fields[..length];
                if scratch.len() <= length {
                    scratch.resize(length + 1, 0);
                }
                let count = cut_at_commas(line, scratch);
                self.cut_as_found(scratch, count)
            }
            None => self.cut_as_found(scratch, 0),
        }
    }

    /// The cells [`Row::cut`] found, once more: `count` is how many it
    /// found, and `scratch` what it was given.
    fn cut_as_found<'a>(&'a self, scratch: &'a [usize], count: usize) -> Cut<'a> {
        match self.plain {
            Some(length) => Cut { fields: &self.fields[..length], ends: &scratch[..count], gap: 1 },
            None => Cut { fields: &self.fields, ends: &self.ends[..self.count], gap: 0 },
        }
    }
}

/// A row's cells: its bytes and where each cell ends.
struct Cut<'a> {
    fields: &'a [u8],
    ends: &'a [usize],
    /// The bytes between one cell and the next: none as the parser writes
    /// them, the comma in a plain row's line.
    gap: usize,
}

impl<'a> Cut<'a> {
    /// How many cells the row has.
    fn count(&self) -> usize {
        self.ends.len()
    }

    /// The bytes of cell `i` (of `0..count()`).
    fn cell(&self, i: usize) -> &'a [u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] + self.gap };
        &self.fields[start..self.ends[i]]
    }

    /// Every cell, in order.
    fn cells(&self) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        let (fields, gap) = (self.fields, self.gap);
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let cell = fields.get(start..end).unwrap_or_default();
            start = end + gap;
            cell
        })
    }

    /// The bytes of every cell, with what lies between them (a comma, or
    /// nothing): for checking them as UTF-8 at once.
    fn bytes(&self) -> &'a [u8] {
        &self.fields[..self.ends.last().copied().unwrap_or(0)]
    }
}

impl<R: Read> Rows<R> {
    /// Rows of at most `max` bytes, from the header on.
    fn new(reader: BufReader<R>, max: usize, may_wait: bool) -> Rows<R> {
        let parser = csv_core::Reader::new();
        Rows {
            reader,
            parser,
            max,
            may_wait,
            plain: false,
            keep_cells: 0,
            started: false,
            names: None,
            reordered: false,
        }
    }

    /// From now on, rows are read as data under a header of `names`.
    fn after_header(&mut self, names: &[&str], record_id: Option<usize>) {
        self.plain = true;
        self.keep_cells = record_id.map_or(0, |i| i + 1);
        let in_order: Vec<Vec<u8>> = names.iter().map(|name| name.as_bytes().to_vec()).collect();
        let mut sorted = in_order.clone();
        sorted.sort();
        let plain_len = names.iter().map(|name| name.len()).sum::<usize>() + names.len().saturating_sub(1);
        self.names = Some(Names { in_order, sorted, plain_len, ends: Vec::new() });
    }

    /// Whether `row` repeats the header or follows a repeat in another
    /// order; keeps track of the latter.
    fn repeat(&mut self, row: &Row) -> Option<Repeat> {
        let names = self.names.as_mut()?;
        let candidate = match row.plain {
            Some(length) => length == names.plain_len || length == names.plain_len + BOM.len(),
            None => !row.too_long && row.unclosed.is_none(),
        };
        let repeat = if candidate { names.repeated_by(row) } else { None };
        match repeat {
            Some(Repeat::Header) => self.reordered = false,
            Some(Repeat::Reordered) => self.reordered = true,
            _ => {}
        }
        repeat.or(self.reordered.then_some(Repeat::AfterReordered))
    }

    /// Reads the next row without the parser when that gives the same
    /// cells: when the buffer holds the whole row, up to its line break,
    /// and the row has no quote (so each comma ends a cell and nothing is
    /// unescaped) and is not too long. The blank lines before it are
    /// skipped as the parser skips them, and the parser, between rows, has
    /// nothing to remember but a `\r` that may come before a `\n`, which
    /// is skipped as a blank line is.
    fn read_plain(&mut self, row: &mut Row) -> Option<usize> {
        let buffer = self.reader.buffer();
        let blank = buffer.iter().take_while(|&&b| b == b'\n' || b == b'\r').count();
        let rest = &buffer[blank..];
        let line = &rest[..memchr::memchr2(b'\n', b'\r', rest)?];
        let taken = blank + line.len() + 1;
        if taken > self.max || memchr::memchr(b'"', line).is_some() {
            return None;
        }
        if row.fields.len() < line.len() {
            row.fields.resize(line.len().next_power_of_two(), 0);
        }
        row.fields[..line.len()].copy_from_slice(line);
        row.plain = Some(line.len());
        self.reader.consume(taken);
        Some(taken)
    }
}

impl Names {
    fn repeated_by(&mut self, row: &Row) -> Option<Repeat> {
        let cut = row.cut(&mut self.ends);
        if cut.count() != self.in_order.len() {
            return None;
        }
        let mut cells: Vec<&[u8]> = cut.cells().collect();
        if let Some(first) = cells.first_mut() {
            *first = first.strip_prefix(BOM).unwrap_or(first);
        }
        if cells.iter().zip(&self.in_order).all(|(cell, name)| cell == name) {
            return Some(Repeat::Header);
        }
        cells.sort();
        cells.iter().zip(&self.sorted).all(|(cell, name)| cell == name).then_some(Repeat::Reordered)
    }
}

impl<R: Read> Source for Rows<R> {
    type Record = Row;

    fn read(&mut self, row: &mut Row) -> io::Result<Option<usize>> {
        if row.fields.len() > KEEP_FIELDS || row.ends.len() > KEEP_FIELDS {
            *row = Row::default();
        }
        if row.fields.is_empty() {
            row.fields.resize(FIRST_FIELDS, 0);
        }
        row.too_long = false;
        row.unclosed = None;
        row.spanning = None;
        if self.plain {
            if let Some(taken) = self.read_plain(row) {
                row.repeat = self.repeat(row);
                return Ok(Some(taken));
            }
        }
        if row.ends.is_empty() {
            row.ends.resize(FIRST_ENDS, 0);
        }
        row.plain = None;
        let mut quotes = Quotes::default();
        let (mut written, mut ended, mut taken) = (0, 0, 0);
        // Of a row too long to keep: the bytes and cells kept.
        let mut kept = None;
        loop {
            let input = self.reader.fill_buf()?;
            let (result, read, wrote, ends) =
                self.parser.read_record(input, &mut row.fields[written..], &mut row.ends[ended..]);
            let bom = if self.started { 0 } else { BOM.len() * usize::from(input.starts_with(BOM)) };
            quotes.feed(input.get(bom..read).unwrap_or_default());
            self.started = true;
            self.reader.consume(read);
            taken += read;
            written += wrote;
            ended += ends;
            // A row too long to keep is still parsed to its end, so that
            // the next row starts where it should, but nothing of it is
            // kept beyond its first cells, when they were read whole by
            // then (with room after them to parse the rest into).
            if taken > self.max && !row.too_long {
                row.too_long = true;
                let cells = ended.min(self.keep_cells);
                let bytes = cells.checked_sub(1).map_or(0, |last| row.ends[last]);
                let room = row.fields.len().saturating_sub(bytes);
                if room < FIRST_FIELDS {
                    row.fields.resize(bytes + FIRST_FIELDS, 0);
                }
                if row.ends.len() <= cells {
                    row.ends.resize(cells + 1, 0);
                }
                kept = Some((bytes, cells));
            }
            if let Some((bytes, cells)) = kept {
                written = bytes;
                ended = cells;
            }
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull if !row.too_long => row.fields.resize(row.fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull if !row.too_long => row.ends.resize(row.ends.len() * 2, 0),
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
                ReadRecordResult::Record => {
                    row.count = ended;
                    row.unclosed = quotes.unclosed();
                    row.spanning = quotes.spanning();
                    row.repeat = self.repeat(row);
                    return Ok(Some(taken));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// Whether the buffer holds a line break after the one that ended the
    /// last row (a `\r\n` is left half read).
    fn has_waiting(&self) -> bool {
        if !self.may_wait {
            return true;
        }
        let buffer = self.reader.buffer();
        let ending = buffer.iter().take_while(|&&b| b == b'\n' || b == b'\r').count();
        has_line_break(&buffer[ending..])
    }
}

/// Whether `bytes` hold a `\n` or a `\r`, looked for eight bytes at a time
/// (asked before every row, about the row after it, this is a good part of
/// the time of reading a row when looked for byte by byte).
fn has_line_break(bytes: &[u8]) -> bool {
    (0..bytes.len()).step_by(8).any(|at| {
        let word = word_at(bytes, at);
        bytes_equal(word, b'\n') | bytes_equal(word, b'\r') != 0
    })
}

/// Writes to `ends` where each cell of `line` ends (at each comma, and at
/// the end), looking at eight bytes at a time, and gives how many cells
/// there are. `ends` must have room for one more than `line`'s length.
fn cut_at_commas(line: &[u8], ends: &mut [usize]) -> usize {
    let mut count = 0;
    let mut mark = |at: usize, mut commas: u64| {
        while commas != 0 {
            ends[count] = at + commas.trailing_zeros() as usize / 8;
            count += 1;
            commas &= commas - 1;
        }
    };
    // Whole words without a check of where each ends, then the rest.
    let words = line.chunks_exact(8);
    let rest = words.remainder();
    let mut at = 0;
    for word in words {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(word).unwrap_or_default());
        mark(at, bytes_equal(word, b','));
        at += 8;
    }
    mark(at, bytes_equal(word_at(rest, 0), b','));
    ends[count] = line.len();
    count + 1
}

/// What assessing rows together needs, kept from one group of rows to
/// the next for its room.
struct Group<'q> {
    cohort: Cohort<'q>,
    /// Per row: where its cells end, how many it has, and its lane in the
    /// cohort, or why it cannot be assessed.
    ends: Vec<Vec<usize>>,
    counts: Vec<usize>,
    lanes: Vec<Result<usize, Error>>,
}

impl<'q> Group<'q> {
    fn new(questionnaire: &'q Questionnaire) -> Group<'q> {
        Group { cohort: Cohort::new(questionnaire), ends: Vec::new(), counts: Vec::new(), lanes: Vec::new() }
    }
}

/// The rows of a table and the questionnaire they answer.
struct Table<'q> {
    questionnaire: &'q Questionnaire,
    header: Header,
    /// The names of the values [`derived`] gives, in its order.
    derived: Vec<String>,
    /// Whether every id a derived value may hold (of a question, a triage
    /// rule, a band, a recommendation) is written as it is, unquoted: then
    /// the cells that hold ids are not looked at again once written.
    plain_ids: bool,
    long: bool,
    max_row: usize,
    /// Groups not in use, one per thread at most.
    groups: Mutex<Vec<Group<'q>>>,
}

impl<'q> Table<'q> {
    fn new(questionnaire: &'q Questionnaire, header: Header, long: bool, max_row: usize) -> Table<'q> {
        let mut derived = vec![String::from("triage_level"), String::from("rules")];
        for domain in &questionnaire.domains {
            derived.push(format!("{}_score", domain.id));
            derived.push(format!("{}_band", domain.id));
        }
        derived.push(String::from("recommendations"));
        let q = questionnaire;
        let ids = (q.questions.iter().map(|question| &question.id))
            .chain(q.triage_rules.iter().map(|rule| &rule.id))
            .chain(q.domains.iter().flat_map(|domain| domain.bands.iter().map(|band| &band.id)))
            .chain(q.recommendations.iter().map(|rec| &rec.id));
        let plain_ids = ids.into_iter().all(|id| !needs_quotes(id.as_bytes()));
        Table { questionnaire, header, derived, plain_ids, long, max_row, groups: Mutex::new(Vec::new()) }
    }

    /// The output's header row.
    fn write_header(&self, out: &mut Vec<u8>) {
        if self.long {
            write_row(out, [RECORD_ID, "item", "value", "derived"]);
        } else {
            let derived = self.derived.iter().map(String::as_str);
            write_row(out, [RECORD_ID].into_iter().chain(derived).chain(["error"]));
        }
    }

    /// Cell `i` of a row in errors: its column's name, or its number past
    /// the header's columns.
    fn cell_name(&self, i: usize) -> String {
        match i {
            i if i < self.header.columns().len() => format!("column `{}`", self.column_name(i)),
            i => format!("cell {}", i + 1),
        }
    }

    /// The name of column `i` in errors.
    fn column_name(&self, i: usize) -> &str {
        match self.header.columns()[i] {
            Column::RecordId => RECORD_ID,
            Column::Question(q) => &self.questionnaire.questions[q].id,
        }
    }

    /// Why the row has nothing to assess, if it has not: the header again
    /// (or a row after it in another order), a quote never closed, too
    /// long, a number of cells other than the header's, or a cell that is
    /// not UTF-8 text.
    fn check(&self, read: &Row, row: &Cut) -> Result<(), Error> {
        let count = row.count();
        let columns = self.header.columns().len();
        if let Some(repeat) = read.repeat {
            let message = match repeat {
                Repeat::Header => {
                    "the row repeats the header row, so it holds no answers (were two tables joined into one?)"
                }
                Repeat::Reordered => {
                    "the row repeats the header row with its columns in another order (were two tables \
                     joined into one?): the rows after it are not assessed, as their cells cannot be matched \
                     to the columns; assess each table on its own, or give them the same order of columns"
                }
                Repeat::AfterReordered => {
                    "the row comes after the header row repeated with its columns in another order, so its \
                     cells cannot be matched to the columns; assess each table on its own, or give them the \
                     same order of columns"
                }
            };
            return Err(Error::new(ErrorKind::InvalidDocument, message));
        }
        if let Some(unclosed) = read.unclosed {
            return Err(unclosed_quote(&self.cell_name(unclosed.cell), unclosed));
        }
        if read.too_long {
            return Err(stream::too_long("the row", self.max_row));
        }
        if count != columns {
            let cells = if count == 1 { "cell" } else { "cells" };
            let names = if columns == 1 { "column" } else { "columns" };
            let message = format!("the row has {count} {cells}, but the header has {columns} {names}");
            return Err(Error::new(ErrorKind::InvalidDocument, message));
        }
        // The cells are one run of bytes, checked as UTF-8 at once (so each
        // cell is: they are cut where the input has an ASCII comma or
        // quote); a cell is looked at alone only where that fails, to name
        // its column.
        if std::str::from_utf8(row.bytes()).is_ok() {
            return Ok(());
        }
        for (i, cell) in row.cells().enumerate() {
            if let Err(e) = std::str::from_utf8(cell) {
                let message =
                    format!("column `{}`: {}", self.column_name(i), not_utf8(cell, e.valid_up_to()));
                return Err(Error::new(ErrorKind::Syntax, message));
            }
        }
        Ok(())
    }
}

impl Assess for Table<'_> {
    type Record = Row;
    const RECORD: (&'static str, &'static str) = ("row", "rows");

    /// Up to [`LANES`] rows at once: their answers are read, then decided
    /// together, then each row written in turn.
    fn assess(&self, first: usize, rows: &[Row], out: &mut Vec<u8>) -> Result<Assessed, Failure> {
        let rows = &rows[..rows.len().min(LANES)];
        let q = self.questionnaire;
        let spare = self.groups.lock().ok().and_then(|mut groups| groups.pop());
        let mut group = spare.unwrap_or_else(|| Group::new(q));
        let Group { cohort, ends, counts, lanes } = &mut group;
        if ends.len() < rows.len() {
            ends.resize_with(rows.len(), || Vec::with_capacity(FIRST_ENDS));
        }
        counts.clear();
        lanes.clear();
        // Each row is read into the next lane; a bad row's lane is taken
        // by the row after it.
        let mut filled = 0;
        for (row, ends) in rows.iter().zip(ends.iter_mut()) {
            let cut = row.cut(ends);
            counts.push(cut.count());
            let read = self.read(row, &cut, &mut cohort.lanes_mut()[filled]).map(|()| filled);
            filled += usize::from(read.is_ok());
            lanes.push(read);
        }
        cohort.decide_lanes(filled);
        for (i, row) in rows.iter().enumerate() {
            let cut = row.cut_as_found(&ends[i], counts[i]);
            let decided = lanes[i].as_ref().map(|&lane| cohort.respondent(lane));
            self.write(first + i, &cut, decided, out)?;
        }
        let bad = rows.len() - filled;
        if let Ok(mut groups) = self.groups.lock() {
            groups.push(group);
        }
        Ok(Assessed { records: rows.len(), bad })
    }

    fn errors(&self) -> &'static str {
        if self.long {
            "their `error` items say why"
        } else {
            "their `error` cells say why"
        }
    }
}

impl Table<'_> {
    /// Reads the answers of a row whose cells are found into `answers`,
    /// or says why the row cannot be assessed.
    fn read(&self, read: &Row, row: &Cut, answers: &mut Answers) -> Result<(), Error> {
        let q = self.questionnaire;
        let result = self.check(read, row).and_then(|()| self.header.read(q, row.cells(), answers));
        // A bad row with a quoted cell across lines may have taken the
        // rows after it, between a stray quote and the next: said, so that
        // rows which vanished are not missed.
        result.map_err(|error| match read.spanning {
            Some(spanning) => {
                let cell = self.cell_name(spanning.cell);
                let lines = match spanning.line_breaks {
                    1 => String::from("1 line break"),
                    n => format!("{n} line breaks"),
                };
                let message = format!(
                    "{} (the quoted {cell} holds {lines}: if a quote in it is a stray one, the lines up to \
                     the next quote were read into it, rows included)",
                    error.message()
                );
                Error::new(error.kind(), message)
            }
            None => error,
        })
    }

    /// Writes row `number`, whose cells are found, with what was decided
    /// on its answers or why it could not be assessed.
    fn write(
        &self,
        number: usize,
        row: &Cut,
        decided: Result<Respondent, &Error>,
        out: &mut Vec<u8>,
    ) -> Result<(), Failure> {
        // The respondent's id, as given (even on a bad row), or the row's
        // number when the table has no such column.
        let record_id = match self.header.record_id() {
            Some(i) if i < row.count() => String::from_utf8_lossy(row.cell(i)),
            Some(_) => Cow::Borrowed(""),
            None => Cow::Owned(number.to_string()),
        };
        let written = match decided {
            Ok(decided) if self.long => self.write_long(&record_id, row, &decided, out),
            Ok(decided) => {
                push_cell(out, &record_id);
                let derived = self.write_derived(&decided, out, |out, _| out.push(b','), |_| {});
                // Then the empty `error` cell.
                derived.map(|()| out.extend_from_slice(b",\n"))
            }
            Err(error) if self.long => {
                write_row(out, [record_id.as_ref(), "error", error.message(), DERIVED]);
                Ok(())
            }
            Err(error) => {
                let empty = std::iter::repeat_n("", self.derived.len());
                let cells = [record_id.as_ref()].into_iter().chain(empty);
                write_row(out, cells.chain([error.message()]));
                Ok(())
            }
        };
        written.map_err(|e| Failure::Internal(format!("cannot write a row: {e}")))
    }

    /// The long format: one row per answer given, then one per derived
    /// value.
    fn write_long(
        &self,
        record_id: &str,
        row: &Cut,
        decided: &Respondent,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        for (i, cell) in row.cells().enumerate() {
            if let Column::Question(_) = self.header.columns()[i] {
                if !cell.is_empty() {
                    write_row(out, [record_id, self.column_name(i), &String::from_utf8_lossy(cell), ""]);
                }
            }
        }
        let before = |out: &mut Vec<u8>, item: &str| {
            push_cell(out, record_id);
            out.push(b',');
            push_cell(out, item);
            out.push(b',');
        };
        let after = |out: &mut Vec<u8>| {
            out.push(b',');
            out.extend_from_slice(DERIVED.as_bytes());
            out.push(b'\n');
        };
        self.write_derived(decided, out, before, after)
    }

    /// Writes what an outcome gives a table, in the order of
    /// [`Table::derived`]: the triage level, the rules that fired, each
    /// domain's score and band, and the recommendations of the plan. Each
    /// value is one cell, written between `before` (given the value's name)
    /// and `after`.
    fn write_derived(
        &self,
        decided: &Respondent,
        out: &mut Vec<u8>,
        mut before: impl FnMut(&mut Vec<u8>, &str),
        mut after: impl FnMut(&mut Vec<u8>),
    ) -> io::Result<()> {
        let mut names = self.derived.iter();
        // A cell known to need no quotes (a level, a number, ids when
        // they are plain) is written straight.
        let mut value =
            |out: &mut Vec<u8>, plain: bool, write: &mut dyn FnMut(&mut Vec<u8>) -> io::Result<()>| {
                before(out, names.next().map_or("", String::as_str));
                if plain {
                    write(out)?;
                } else {
                    write_cell(out, write)?;
                }
                after(out);
                Ok::<(), io::Error>(())
            };
        let ids = self.plain_ids;
        value(out, true, &mut |out| write_text(out, decided.level().as_str()))?;
        value(out, ids, &mut |out| {
            write_ids(out, decided.rules(), |out, rule| {
                let (id, answer) = rule.parts();
                write_text(out, id)?;
                match answer {
                    Some(answer) => write_text(out, ".").and_then(|()| write_text(out, answer)),
                    None => Ok(()),
                }
            })
        })?;
        for (score, band) in decided.domains() {
            value(out, true, &mut |out| match score {
                // Whole numbers as integers, as in the JSON report.
                Some(score) if score.fract() == 0.0 && score.abs() < 9e15 => write_whole(out, score as i64),
                Some(score) => write!(out, "{score}"),
                None => Ok(()),
            })?;
            value(out, ids, &mut |out| write_text(out, band.unwrap_or("")))?;
        }
        value(out, ids, &mut |out| write_ids(out, decided.plan(), write_text))
    }
}

/// Writes text as it is (unlike `write!`, without the formatting
/// machinery, which costs more than the copy).
fn write_text(out: &mut Vec<u8>, text: &str) -> io::Result<()> {
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

/// Writes a whole number in decimal, as `write!` would, without the
/// formatting machinery (most of a row's cells are such scores).
fn write_whole(out: &mut Vec<u8>, number: i64) -> io::Result<()> {
    // Most scores are one or two digits: written without the loop.
    if let Ok(small @ 0..=99) = u8::try_from(number) {
        if small >= 10 {
            out.push(b'0' + small / 10);
        }
        out.push(b'0' + small % 10);
        return Ok(());
    }
    out.extend_from_slice(selfcheck::number::whole(number, &mut [0; 20]).as_bytes());
    Ok(())
}

/// Writes ids into one cell, each as `write` writes it, [`ID_SEPARATOR`]
/// between them.
fn write_ids<I>(
    out: &mut Vec<u8>,
    ids: impl Iterator<Item = I>,
    write: impl Fn(&mut Vec<u8>, I) -> io::Result<()>,
) -> io::Result<()> {
    for (i, id) in ids.enumerate() {
        if i > 0 {
            out.extend_from_slice(ID_SEPARATOR.as_bytes());
        }
        write(out, id)?;
    }
    Ok(())
}

/// Appends one CSV row, with RFC 4180 quoting where a cell needs it, and a
/// `\n`.
fn write_row<'a>(out: &mut Vec<u8>, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_cell(out, cell);
    }
    out.push(b'\n');
}

/// Appends one cell, quoted if RFC 4180 needs it.
fn push_cell(out: &mut Vec<u8>, cell: &str) {
    let bytes = cell.as_bytes();
    if needs_quotes(bytes) {
        out.push(b'"');
        for &b in bytes {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(bytes);
    }
}

/// Appends one cell as `write` writes it, quoted if RFC 4180 needs it:
/// written in place, and moved into quotes only in the rare case.
fn write_cell(out: &mut Vec<u8>, write: &mut dyn FnMut(&mut Vec<u8>) -> io::Result<()>) -> io::Result<()> {
    let start = out.len();
    write(out)?;
    if needs_quotes(&out[start..]) {
        let cell = out.split_off(start);
        push_cell(out, &String::from_utf8_lossy(&cell));
    }
    Ok(())
}

fn needs_quotes(cell: &[u8]) -> bool {
    cell.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use selfcheck::model::Kind;

    use super::*;

    fn questionnaire() -> &'static Questionnaire {
        static SHIPPED: std::sync::OnceLock<Questionnaire> = std::sync::OnceLock::new();
        SHIPPED.get_or_init(|| {
            let text = selfcheck::shipped("low-back-glutes").expect("shipped");
            Questionnaire::from_json(text, "low-back-glutes").expect("a good questionnaire")
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Cells written straight, when every id is plain, are the cells
        /// written and then looked at for quotes, in both formats.
        #[test]
        fn plain_ids_are_written_as_checked_ones_are(
            picks in prop::collection::vec(any::<prop::sample::Index>(), 50),
            long in any::<bool>(),
        ) {
            let q = questionnaire();
            let ids: Vec<&str> = q.questions.iter().map(|question| question.id.as_str()).collect();
            let header = Header::new(q, ids.iter().copied()).expect("a good header");
            let table = Table::new(q, header, long, usize::MAX);
            prop_assert!(table.plain_ids);
            // Each question answered with one of its options, or left out.
            let cells: Vec<String> = q
                .questions
                .iter()
                .zip(&picks)
                .map(|(question, pick)| {
                    let mut options: Vec<String> = match &question.kind {
                        Kind::Integer { min, max, .. } => vec![min.to_string(), max.to_string()],
                        Kind::Number { min, max, .. } => vec![min.to_string(), max.to_string()],
                        kind => kind.option_ids().into_iter().map(String::from).collect(),
                    };
                    options.push(String::new());
                    options[pick.index(options.len())].clone()
                })
                .collect();
            let answers = table.header.answers(q, cells.iter().map(String::as_str)).expect("good cells");
            let mut cohort = Cohort::new(q);
            cohort.decide([&answers]);
            let mut written = [Vec::new(), Vec::new()];
            for (plain, out) in [true, false].into_iter().zip(&mut written) {
                let table = Table { plain_ids: plain, ..Table::new(q, table.header.clone(), long, usize::MAX) };
                table.write_derived(&cohort.respondent(0), out, |out, name| out.extend_from_slice(name.as_bytes()), |out| out.push(b'|'))
                    .expect("written");
            }
            prop_assert_eq!(&written[0], &written[1]);
        }
    }

    /// Every row of `input`, as [`Rows`] reads it through a buffer of
    /// `buffer` bytes: what it took, whether it was too long or the
    /// input ended inside a quote of it, its cells.
    fn rows_of(input: &[u8], buffer: usize, max: usize, plain: bool) -> Vec<RowRead> {
        let mut rows = Rows { plain, ..Rows::new(BufReader::with_capacity(buffer, input), max, false) };
        let mut row = Row::default();
        let mut read = Vec::new();
        while let Some(taken) = rows.read(&mut row).expect("read from memory") {
            let cells = row.cut(&mut Vec::new()).cells().map(<[u8]>::to_vec).collect();
            read.push(RowRead { taken, too_long: row.too_long, unclosed: row.unclosed.is_some(), cells });
        }
        read
    }

    #[derive(Debug, PartialEq)]
    struct RowRead {
        taken: usize,
        too_long: bool,
        unclosed: bool,
        cells: Vec<Vec<u8>>,
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Rows cut at their commas are the rows the parser gives, for any
        /// mix of commas, quotes, line breaks and text, through buffers of
        /// any size and with any limit on a row's length.
        #[test]
        fn plain_rows_are_the_parsers_rows(
            input in prop::collection::vec(prop::sample::select(b",,,\"\r\n\naab \xc3\xa9".to_vec()), 0..120),
            buffer in 1usize..48,
            max in 1usize..40,
        ) {
            let parsed = rows_of(&input, buffer, max, false);
            prop_assert_eq!(rows_of(&input, buffer, max, true), parsed);
        }

        /// A row is marked unclosed exactly when the input ends inside a
        /// quoted cell: when one more line break would be read into a cell
        /// rather than end the row. Only the last row can be.
        #[test]
        fn rows_the_input_ends_inside_a_quote_of_are_marked(
            input in prop::collection::vec(prop::sample::select(b",,,\"\"\r\n\naab".to_vec()), 0..60),
            buffer in 1usize..48,
        ) {
            let read = rows_of(&input, buffer, usize::MAX, false);
            let with_break = rows_of(&[&input[..], b"\n"].concat(), buffer, usize::MAX, false);
            let inside = read.iter().map(|row| &row.cells).ne(with_break.iter().map(|row| &row.cells));
            let marked: Vec<bool> = read.iter().map(|row| row.unclosed).collect();
            prop_assert_eq!(marked.last().copied().unwrap_or(false), inside);
            prop_assert!(marked.iter().rev().skip(1).all(|&unclosed| !unclosed));
        }
    }

    #[test]
    fn an_unclosed_quote_names_its_cell_and_the_lines_it_took() {
        let input = "\u{feff}\"a\",b\nx,\"y\"\"z\n\r\n\r\nlast";
        let mut rows = Rows::new(BufReader::with_capacity(4, input.as_bytes()), usize::MAX, false);
        let mut row = Row::default();
        rows.read(&mut row).expect("read from memory");
        assert_eq!(row.unclosed, None, "the header's quotes close");
        rows.read(&mut row).expect("read from memory");
        assert_eq!(row.unclosed, Some(Unclosed { cell: 1, line_breaks: 3 }));
    }

    /// The test above would not notice a fast path that is never taken.
    #[test]
    fn plain_rows_are_cut_without_the_parser() {
        let input = b"a,b,,c\r\nd,,e,f,g,h,i,j,k\n\n\"x\",y\n";
        let mut rows =
            Rows { plain: true, ..Rows::new(BufReader::with_capacity(64, &input[..]), 100, false) };
        let mut row = Row::default();
        rows.reader.fill_buf().expect("read from memory");
        for (taken, cells) in
            [(7, vec!["a", "b", "", "c"]), (18, vec!["d", "", "e", "f", "g", "h", "i", "j", "k"])]
        {
            assert_eq!(rows.read_plain(&mut row), Some(taken));
            assert_eq!(
                row.cut(&mut Vec::new()).cells().collect::<Vec<_>>(),
                cells.iter().map(|c| c.as_bytes()).collect::<Vec<_>>()
            );
        }
        assert_eq!(rows.read_plain(&mut row), None, "a quoted row is the parser's");
    }

    #[test]
    fn whole_numbers_are_written_as_write_writes_them() {
        // Every one- and two-digit number, either sign, and beyond.
        let beyond = [999, 1000, 12345, -987, 8_999_999_999_999_999, i64::MIN, i64::MAX];
        for number in (-120..=120).chain(beyond) {
            let mut out = Vec::new();
            write_whole(&mut out, number).expect("written");
            assert_eq!(String::from_utf8(out).expect("UTF-8"), number.to_string());
        }
    }

    /// Eight at a time finds what one at a time finds: a break at every
    /// position of every length, among bytes that differ from `\n` and `\r`
    /// by one bit or by the high bit.
    #[test]
    fn line_breaks_are_found_wherever_they_are() {
        let others = [0x00, 0x0b, 0x09, 0x0c, 0x0e, 0x8a, 0x8d, 0xff, b'n', b','];
        for len in 0..=25 {
            for (k, &other) in others.iter().enumerate() {
                let clean: Vec<u8> =
                    (0..len).map(|i| if i % 2 == 0 { other } else { others[(k + i) % 10] }).collect();
                assert!(!has_line_break(&clean), "{clean:?}");
                for at in 0..len {
                    for line_break in [b'\n', b'\r'] {
                        let mut bytes = clean.clone();
                        bytes[at] = line_break;
                        assert!(has_line_break(&bytes), "{bytes:?}");
                    }
                }
            }
        }
    }
}
