//! Answers given as text cells: one respondent as a row of a table (a CSV
//! file, a survey export, a data frame), one column per question.
//!
//! A cell holds what an answers document would hold, written as text:
//! `yes`, an option id, a number. Each is read according to its question's
//! kind and then checked exactly as a JSON answer is ([`answers::check`]),
//! so a row and a document with the same answers give the same report, and
//! a bad cell the same message. An empty cell is a question left
//! unanswered.
//!
//! [`Header`] resolves a table's column names once, for a table of many
//! rows; [`answers_from_pairs`] and [`assess_pairs`] take one row as
//! `(question id, text)` pairs, for programs that score a respondent at a
//! time.
//!
//! ```
//! use selfcheck::{table, Questionnaire};
//!
//! let text = selfcheck::shipped("low-back-glutes").expect("shipped");
//! let questionnaire = Questionnaire::from_json(text, "low-back-glutes")?;
//! let report = table::assess_pairs(&questionnaire, [("rf_saddle_numbness", "yes"), ("age", "42")])?;
//! assert_eq!(report.triage.level.as_str(), "emergency");
//!
//! let error = table::assess_pairs(&questionnaire, [("age", "forty")]).unwrap_err();
//! assert_eq!(error.message(), "answer `age`: expected an integer from 0 to 120 (years), got \"forty\"");
//! # Ok::<(), selfcheck::Error>(())
//! ```

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::answers::{self, Answers, Value};
use crate::error::{Error, ErrorKind};
use crate::eval::evaluate;
use crate::model::Kind;
use crate::questionnaire::Questionnaire;
use crate::report::Report;
use crate::suggest::{did_you_mean, hint, shown};

/// The column that names a row rather than answering a question: passed
/// through to the output as it is.
pub const RECORD_ID: &str = "record_id";

/// How the messages of a row's bad cells are joined into one.
pub const MESSAGE_SEPARATOR: &str = "; ";

/// What a column of a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The [`RECORD_ID`] column.
    RecordId,
    /// The answers to the question at this index.
    Question(usize),
}

/// A table's header, resolved against a questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    columns: Vec<Column>,
    /// How each column's cells are read.
    readers: Vec<Reader>,
}

/// How a column's cells are read: the common cells (an option id, a plain
/// number in range) straight into their value, every other cell, and
/// every bad one, by [`parse_cell`], which gives the same value for the
/// common ones. Most of the time of reading a row goes to its cells.
// The candidates by length are most of an option column's reader, and
// read for each of its cells: boxed, they would cost a load more per cell,
// for the few number columns that would be smaller.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
// A tag of its own: in the spare values of a list's capacity, where it
// would be otherwise, it took six instructions a cell to tell apart.
#[repr(u8)]
enum Reader {
    RecordId,
    /// Each option's [`short_key`] and the length of its id, in option
    /// order, and by the length of a cell, the one option whose id has
    /// that length, if one has: most cells are then matched by one
    /// comparison, with no search whose length depends on the answer (ids
    /// too long for a key are left to [`parse_cell`]).
    Options {
        question: usize,
        keys: Vec<u128>,
        lengths: Vec<usize>,
        by_length: [Candidates; KEY_BYTES + 1],
    },
    Integer {
        question: usize,
        min: i64,
        max: i64,
    },
    Number {
        question: usize,
    },
}

impl Reader {
    fn new(questionnaire: &Questionnaire, column: Column) -> Reader {
        let Column::Question(question) = column else { return Reader::RecordId };
        match &questionnaire.questions[question].kind {
            Kind::Integer { min, max, .. } => Reader::Integer { question, min: *min, max: *max },
            Kind::Number { .. } => Reader::Number { question },
            kind => {
                let ids = kind.option_ids();
                let mut by_length = [Candidates::None; KEY_BYTES + 1];
                for (index, id) in ids.iter().enumerate() {
                    if let Some(slot) = by_length.get_mut(id.len()) {
                        *slot = match (*slot, u16::try_from(index), short_key(id.as_bytes())) {
                            (Candidates::None, Ok(index), Some(key)) => Candidates::One(index, halves(key)),
                            _ => Candidates::Several,
                        };
                    }
                }
                // An id too long for a key is never a candidate: its key is
                // not compared.
                let keys = ids.iter().map(|id| short_key(id.as_bytes()).unwrap_or(0)).collect();
                let lengths = ids.iter().map(|id| id.len()).collect();
                Reader::Options { question, keys, lengths, by_length }
            }
        }
    }

    /// The question the column answers.
    fn question(&self) -> Option<usize> {
        match self {
            Reader::RecordId => None,
            Reader::Options { question, .. }
            | Reader::Integer { question, .. }
            | Reader::Number { question } => Some(*question),
        }
    }

    /// The question and the value of `cell`, for a common cell.
    #[inline(always)]
    fn read(&self, questionnaire: &Questionnaire, cell: &[u8]) -> Option<(usize, Value)> {
        match self {
            Reader::Options { question, keys, lengths, by_length } => {
                // One comparison of numbers, rather than of bytes.
                let key = short_key(cell)?;
                let index = match by_length.get(cell.len())? {
                    Candidates::None => return None,
                    Candidates::One(index, id) => (*id == halves(key)).then_some(*index)?,
                    // Two runs of one length have the same key only if they
                    // are the same.
                    Candidates::Several => {
                        let mut same_length = keys.iter().zip(lengths);
                        u16::try_from(same_length.position(|(&id, &len)| len == cell.len() && id == key)?)
                            .ok()?
                    }
                };
                Some((*question, Value::Option(index)))
            }
            Reader::Integer { question, min, max } => {
                let number =
                    i64::try_from(plain_integer(cell)?).ok().filter(|n| (*min..=*max).contains(n))?;
                Some((*question, Value::Integer(number)))
            }
            Reader::Number { question } => {
                let Kind::Number { min, max, .. } = questionnaire.questions[*question].kind else {
                    return None;
                };
                let number = plain_integer(cell).map(|n| n as f64).or_else(|| plain_decimal(cell))?;
                (min <= number && number <= max).then_some((*question, Value::Number(number)))
            }
            Reader::RecordId => None,
        }
    }
}

/// The longest run of bytes a [`short_key`] is made of.
const KEY_BYTES: usize = 16;

/// Which of a column's options a cell of some length may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidates {
    None,
    /// The option at this index, alone of its length, and its id's key
    /// (as [`halves`]), here rather than looked up: reading a cell then
    /// waits on one load rather than on two in turn, the second of which
    /// was a third of the time of reading a row.
    One(u16, [u64; 2]),
    Several,
}

/// A key as two words, which need no more than a word's alignment (a
/// [`Candidates`] is then three words rather than four).
#[inline(always)]
fn halves(key: u128) -> [u64; 2] {
    [key as u64, (key >> 64) as u64]
}

/// Up to [`KEY_BYTES`] bytes as one number, such that two runs of bytes of the same
/// length are equal exactly when their keys are: read as at most two
/// overlapping words, which between them cover every byte. `None` for a
/// longer run.
#[inline(always)]
fn short_key(bytes: &[u8]) -> Option<u128> {
    let n = bytes.len();
    let word32 = |at: usize| {
        bytes.get(at..at + 4).and_then(|b| <[u8; 4]>::try_from(b).ok()).map_or(0, u32::from_le_bytes)
    };
    let word64 = |at: usize| {
        bytes.get(at..at + 8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map_or(0, u64::from_le_bytes)
    };
    Some(match n {
        0 => 0,
        // Bytes 0, n/2 and n-1 are every byte of a run this short.
        1..=3 => u128::from(bytes[0]) | u128::from(bytes[n / 2]) << 8 | u128::from(bytes[n - 1]) << 16,
        4..=7 => u128::from(word32(0)) | u128::from(word32(n - 4)) << 32,
        8..=KEY_BYTES => u128::from(word64(0)) | u128::from(word64(n - 8)) << 64,
        _ => return None,
    })
}

/// The separator other than a comma that a header cell seems to be cut
/// by, named for a message: a table exported with semicolons or tabs
/// between columns (as spreadsheets in many languages do) reads as one
/// column whose name is every id.
fn other_separator(name: &str, known: impl Fn(&str) -> bool) -> Option<&'static str> {
    [(';', "`;`"), ('\t', "tabs"), ('|', "`|`")]
        .into_iter()
        .find(|&(separator, _)| {
            name.contains(separator) && name.split(separator).any(|part| known(part.trim()))
        })
        .map(|(_, named)| named)
}

impl Header {
    /// Resolves column names: each must be a question id or
    /// [`RECORD_ID`], and appear once. Fails with every bad column at once,
    /// one per line, each named, with a suggestion for a misspelt id.
    pub fn new<'a>(
        questionnaire: &Questionnaire,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Header, Error> {
        let index: HashMap<&str, usize> =
            questionnaire.questions.iter().enumerate().map(|(i, q)| (q.id.as_str(), i)).collect();
        let mut columns = Vec::new();
        let mut problems: Vec<(ErrorKind, String)> = Vec::new();
        for (n, name) in names.into_iter().enumerate() {
            let column = if name == RECORD_ID {
                Some(Column::RecordId)
            } else if let Some(&question) = index.get(name) {
                Some(Column::Question(question))
            } else if name.is_empty() {
                problems.push((
                    ErrorKind::InvalidDocument,
                    format!("column {} has no name: expected a question id or `{RECORD_ID}`", n + 1),
                ));
                None
            } else {
                let known = |id: &str| id == RECORD_ID || index.contains_key(id);
                let ids = questionnaire.questions.iter().map(|q| q.id.as_str()).chain([RECORD_ID]);
                let suggestion = match other_separator(name, known) {
                    Some(separator) => format!(
                        "; it holds ids with {separator} between them, but columns must be \
                         separated by commas (export the table as comma-separated values)"
                    ),
                    // The first line of JSON Lines, cut at its commas.
                    None if n == 0 && name.starts_with('{') => String::from(
                        "; the input looks like JSON, not a table (read answers documents, one per \
                         line, with `assess --jsonl`)",
                    ),
                    None => hint(did_you_mean(name, ids)),
                };
                problems.push((
                    ErrorKind::UnknownQuestion,
                    format!(
                        "column `{name}`: questionnaire `{}` has no such question{suggestion}",
                        questionnaire.id
                    ),
                ));
                None
            };
            if let Some(column) = column {
                if columns.contains(&column) {
                    problems.push((
                        ErrorKind::InvalidDocument,
                        format!("column `{name}` appears twice; give each question one column"),
                    ));
                }
                columns.push(column);
            }
        }
        match problems.first() {
            None => {
                let readers = columns.iter().map(|c| Reader::new(questionnaire, *c)).collect();
                Ok(Header { columns, readers })
            }
            Some((kind, _)) => Err(Error::lines(*kind, problems.iter().map(|(_, message)| message.clone()))),
        }
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The position of the [`RECORD_ID`] column, if the table has one.
    pub fn record_id(&self) -> Option<usize> {
        self.columns.iter().position(|c| *c == Column::RecordId)
    }

    /// Checks one row, given as one cell per column (which the caller has
    /// checked), each as text or as the bytes of UTF-8 text. Fails with
    /// every bad cell, joined by [`MESSAGE_SEPARATOR`].
    pub fn answers<'a, C: AsRef<[u8]> + ?Sized + 'a>(
        &self,
        questionnaire: &Questionnaire,
        cells: impl IntoIterator<Item = &'a C>,
    ) -> Result<Answers, Error> {
        let mut answers = Answers::empty(questionnaire);
        self.read(questionnaire, cells, &mut answers)?;
        Ok(answers)
    }

    /// [`Header::answers`], into `answers`, which are emptied first and
    /// keep their room: for a caller that reads many rows, each then costs
    /// no allocation. On failure `answers` hold what was read.
    pub fn read<'a, C: AsRef<[u8]> + ?Sized + 'a>(
        &self,
        questionnaire: &Questionnaire,
        cells: impl IntoIterator<Item = &'a C>,
        answers: &mut Answers,
    ) -> Result<(), Error> {
        answers.clear(questionnaire);
        let mut problems = Vec::new();
        for (reader, cell) in self.readers.iter().zip(cells) {
            let cell = cell.as_ref();
            if cell.is_empty() {
                // Unanswered.
                continue;
            }
            if let Some((index, value)) = reader.read(questionnaire, cell) {
                answers.set(index, Some(value));
            } else if let Some(index) = reader.question() {
                match std::str::from_utf8(cell) {
                    Ok(text) => read_cell(questionnaire, index, text, answers, &mut problems),
                    Err(_) => problems.push((
                        ErrorKind::InvalidAnswer,
                        format!("answer `{}`: not UTF-8 text", questionnaire.questions[index].id),
                    )),
                }
            }
        }
        match problems.first() {
            None => Ok(()),
            Some((kind, _)) => Err(joined(*kind, &problems, MESSAGE_SEPARATOR)),
        }
    }
}

/// Checks a row given as `(question id, text)` pairs. An unknown id is an
/// error with a suggestion, as in an answers document; [`RECORD_ID`] is
/// skipped.
pub fn answers_from_pairs<'a>(
    questionnaire: &Questionnaire,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Answers, Error> {
    let mut answers = Answers::empty(questionnaire);
    let mut problems = Vec::new();
    for (id, cell) in pairs {
        match questionnaire.questions.iter().position(|q| q.id == id) {
            Some(index) => read_cell(questionnaire, index, cell, &mut answers, &mut problems),
            None if id == RECORD_ID => {}
            None => {
                let ids = questionnaire.questions.iter().map(|q| q.id.as_str());
                problems.push((
                    ErrorKind::UnknownQuestion,
                    format!(
                        "answer `{id}`: questionnaire `{}` has no such question{}",
                        questionnaire.id,
                        hint(did_you_mean(id, ids))
                    ),
                ));
            }
        }
    }
    finish(answers, &problems)
}

/// Scores one respondent given as `(question id, text)` pairs: the report
/// [`evaluate`] gives for the answers [`answers_from_pairs`] reads.
pub fn assess_pairs<'q, 'a>(
    questionnaire: &'q Questionnaire,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Report<'q>, Error> {
    let answers = answers_from_pairs(questionnaire, pairs)?;
    Ok(evaluate(questionnaire, &answers))
}

/// Reads `text` as an answer to a question of `kind`: a number for the
/// numeric kinds (JSON's number syntax), an option id for the others. The
/// error says what was expected and what was given (`expected ..., got
/// ...`), as for a JSON answer; a cell that is not a number is shown as the
/// string it is.
pub fn parse_cell(kind: &Kind, text: &str) -> Result<Value, String> {
    let given = if kind.is_numeric() {
        match plain_integer(text.as_bytes()) {
            Some(number) => Json::from(number),
            // A cell is taken as it is: JSON's parser would let spaces
            // around a number pass, which an option id does not get.
            None if text.starts_with(JSON_SPACE) || text.ends_with(JSON_SPACE) => Json::from(text),
            None => match serde_json::from_str::<Json>(text) {
                Ok(number @ Json::Number(_)) => number,
                _ => Json::from(text),
            },
        }
    } else if let Some(index) = answers::option_index(kind, text) {
        return Ok(Value::Option(index));
    } else {
        Json::from(text)
    };
    answers::check(kind, &given).map_err(|expected| {
        let pointed = decimal_comma(text).filter(|_| matches!(kind, Kind::Number { .. }));
        let hint = match (pointed, kind.is_numeric().then(|| plainly_written(text)).flatten()) {
            (Some(pointed), _) => format!(" (write decimals with a point: {pointed})"),
            (None, Some(plain)) => format!(" (write it as {plain})"),
            (None, None) if no_answer_marker(kind, text) => {
                String::from(" (leave the cell empty for no answer)")
            }
            (None, None) if one_or_zero(kind, text) => String::from(" (write `yes` or `no`)"),
            (None, None) => String::new(),
        };
        // A number as written in the cell, not as JSON writes it back
        // (`1e3`, not `1000.0`).
        let got = if given.is_number() { text.to_owned() } else { shown(&given) };
        format!("expected {expected}, got {got}{hint}")
    })
}

/// How tables mark a missing value (R's `NA`, SQL's `NULL`, Stata's `.`,
/// Excel's `#N/A`), in any case.
const NO_ANSWER_MARKERS: [&str; 7] = ["na", "n/a", "#n/a", "null", "nan", ".", "-"];

/// Whether `text` marks a missing value rather than answering: such a cell
/// is refused, as only an empty cell leaves a question unanswered (a word
/// may be a mistake for an answer), but the message says how to leave it.
/// Not where it is one of the question's options.
fn no_answer_marker(kind: &Kind, text: &str) -> bool {
    NO_ANSWER_MARKERS.iter().any(|marker| text.eq_ignore_ascii_case(marker))
        && !kind.option_ids().iter().any(|id| text.eq_ignore_ascii_case(id))
}

/// Whether `text` is a yes/no answer coded as a number (`1` or `0`, or
/// `1.0` or `0.0`, as pandas writes a column of them with gaps): refused,
/// with no guess at which is yes.
fn one_or_zero(kind: &Kind, text: &str) -> bool {
    matches!(kind, Kind::YesNo | Kind::YesNoNotSure) && matches!(text, "1" | "0" | "1.0" | "0.0")
}

/// `9,5` as `9.5`: a number written with a decimal comma, as spreadsheets
/// in many languages export them.
fn decimal_comma(text: &str) -> Option<String> {
    let (whole, fraction) = text.split_once(',')?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    (digits(whole) && digits(fraction)).then(|| format!("{whole}.{fraction}"))
}

/// A number written with spaces around it, a `+` or leading zeros (` 40`,
/// `+5`, `05`), as JSON writes it, when that is another text: such a cell
/// is refused, as in answers documents, but the message shows the way.
fn plainly_written(text: &str) -> Option<String> {
    let digits = text.trim().strip_prefix('+').unwrap_or(text.trim());
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let plain = match fraction {
        Some(fraction) => format!("{whole}.{fraction}"),
        None => whole.to_owned(),
    };
    (plain != text).then_some(plain)
}

/// What JSON reads as white space.
const JSON_SPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// A cell of digits alone, without a leading zero, as JSON reads it: the
/// common case, read without the cost of a JSON parser (every other number
/// goes through serde_json). At most 18 digits, so that it cannot overflow.
fn plain_integer(bytes: &[u8]) -> Option<u64> {
    let plain = (1..=18).contains(&bytes.len())
        && bytes.iter().all(u8::is_ascii_digit)
        && (bytes[0] != b'0' || bytes.len() == 1);
    plain.then(|| bytes.iter().fold(0, |n, &d| n * 10 + u64::from(d - b'0')))
}

/// A cell of digits, a point and digits (`7.5`), as JSON writes such a
/// number, of at most 15 digits in all: read as the whole number of its
/// digits divided by a power of ten. Both are exact in an `f64`, so the
/// one division rounds correctly, as serde_json does (every other number
/// goes to it).
fn plain_decimal(bytes: &[u8]) -> Option<f64> {
    const POWERS: [f64; 16] =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    let point = bytes.iter().position(|&b| b == b'.')?;
    let (whole, fraction) = (&bytes[..point], &bytes[point + 1..]);
    let digits = |part: &[u8]| !part.is_empty() && part.iter().all(u8::is_ascii_digit);
    let plain = digits(whole)
        && digits(fraction)
        && (whole[0] != b'0' || whole.len() == 1)
        && whole.len() + fraction.len() <= 15;
    if !plain {
        return None;
    }
    let number = whole.iter().chain(fraction).fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    Some(number as f64 / POWERS[fraction.len()])
}

/// Reads the cell of the question at `index` into `answers`, or its
/// problem into `problems`. An empty cell leaves the question unanswered.
fn read_cell(
    questionnaire: &Questionnaire,
    index: usize,
    cell: &str,
    answers: &mut Answers,
    problems: &mut Vec<(ErrorKind, String)>,
) {
    if cell.is_empty() {
        return;
    }
    let question = &questionnaire.questions[index];
    match parse_cell(&question.kind, cell) {
        Ok(value) => answers.set(index, Some(value)),
        Err(problem) => {
            problems.push((ErrorKind::InvalidAnswer, format!("answer `{}`: {problem}", question.id)))
        }
    }
}

fn finish(answers: Answers, problems: &[(ErrorKind, String)]) -> Result<Answers, Error> {
    match problems.first() {
        None => Ok(answers),
        Some((kind, _)) => Err(joined(*kind, problems, MESSAGE_SEPARATOR)),
    }
}

/// One error of the first problem's kind, with every message.
fn joined(kind: ErrorKind, problems: &[(ErrorKind, String)], separator: &str) -> Error {
    let messages: Vec<&str> = problems.iter().map(|(_, message)| message.as_str()).collect();
    Error::new(kind, messages.join(separator))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn questionnaire() -> &'static Questionnaire {
        crate::shipped::low_back_glutes()
    }

    /// Cells of every sort: any question's option ids, whole numbers in
    /// and out of every range, numbers JSON reads otherwise, and text.
    fn cell() -> impl Strategy<Value = String> {
        let ids: Vec<String> = questionnaire()
            .questions
            .iter()
            .flat_map(|q| q.kind.option_ids())
            // Each id, and runs one byte longer or shorter, whose keys
            // may be an id's key.
            .flat_map(|id| {
                let last = id.chars().last().map(String::from).unwrap_or_default();
                [id.to_owned(), format!("{id}{last}"), id[..id.len().saturating_sub(1)].to_owned()]
            })
            .chain(
                ["YES", "yes ", "not sure", "-0", "007", "4.0", "1e2", "", "99999999999999999999"]
                    .map(String::from),
            )
            .collect();
        prop_oneof![
            prop::sample::select(ids),
            (-5..200i64).prop_map(|n| n.to_string()),
            (-5.0..200.0f64).prop_map(|n| n.to_string()),
            // Short decimals, as a person writes them.
            (0..3000u32, 0..4usize).prop_map(|(n, point)| {
                let digits = n.to_string();
                let point = digits.len().saturating_sub(point).max(1);
                format!("{}.{}", &digits[..point], &digits[point..]).trim_end_matches('.').to_owned()
            }),
            "[a-z_0-9.-]{0,6}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// Two runs of bytes of one length have the same key exactly when
        /// they are the same bytes.
        #[test]
        fn short_keys_tell_runs_apart(
            a in prop::collection::vec(prop_oneof![Just(0u8), Just(b'a'), Just(b'b'), any::<u8>()], 0..20),
            flips in prop::collection::vec((0..20usize, any::<u8>()), 0..3),
        ) {
            let mut b = a.clone();
            for (at, byte) in flips {
                if let Some(slot) = b.get_mut(at) {
                    *slot = byte;
                }
            }
            match (short_key(&a), short_key(&b)) {
                (Some(x), Some(y)) => prop_assert_eq!(x == y, a == b, "{:?} {:?}", a, b),
                (x, y) => prop_assert!(a.len() > 16 && x.is_none() && y.is_none()),
            }
        }

        /// The shortcut for decimals reads what serde_json reads, to the
        /// bit, and leaves alone what it does not read as such a number.
        #[test]
        fn plain_decimals_read_as_json_reads_them(text in "[0-9]{0,9}[.]?[0-9]{0,9}|[0-9.eE+-]{1,8}") {
            let json = serde_json::from_str::<Json>(&text).ok().and_then(|j| j.as_f64());
            if let Some(number) = plain_decimal(text.as_bytes()) {
                prop_assert_eq!(Some(number.to_bits()), json.map(f64::to_bits), "{:?}", text);
            } else if json.is_some() && text.contains('.') && !text.contains(['e', 'E', '-', '+']) {
                // Only numbers of more than 15 digits are left to serde_json.
                prop_assert!(text.len() > 16, "{:?}", text);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// A row read through the header's column readers gives the same
        /// answers, or the same error, as the same cells read one by one
        /// by question id.
        #[test]
        fn a_header_reads_a_row_as_pairs_are_read(
            columns in prop::sample::subsequence((0..questionnaire().questions.len()).collect::<Vec<_>>(), 0..=50),
            cells in prop::collection::vec(cell(), 50),
            record_id in any::<bool>(),
        ) {
            let q = questionnaire();
            let mut names: Vec<&str> = columns.iter().map(|&i| q.questions[i].id.as_str()).collect();
            if record_id {
                names.insert(0, RECORD_ID);
            }
            let header = Header::new(q, names.iter().copied()).expect("a good header");
            let row: Vec<&str> = cells.iter().map(String::as_str).take(names.len()).collect();
            let read = header.answers(q, row.iter().copied()).map_err(|e| e.message().to_owned());
            let pairs = answers_from_pairs(q, names.iter().copied().zip(row.iter().copied()))
                .map_err(|e| e.message().to_owned());
            prop_assert_eq!(&read, &pairs);
            // Read again into the answers of a row that answered every
            // column: nothing of that row is left.
            let full: Vec<String> = names
                .iter()
                .map(|name| match q.questions.iter().find(|question| question.id == *name).map(|question| &question.kind) {
                    Some(Kind::Integer { min, .. }) => min.to_string(),
                    Some(Kind::Number { min, .. }) => min.to_string(),
                    Some(kind) => kind.option_ids()[0].to_owned(),
                    None => String::from("r1"),
                })
                .collect();
            let mut kept = Answers::empty(q);
            header.read(q, full.iter().map(String::as_str), &mut kept).expect("good cells");
            let again = header.read(q, row.iter().copied(), &mut kept).map(|()| kept).map_err(|e| e.message().to_owned());
            prop_assert_eq!(again, read);
        }
    }

    /// A marker of a missing value is refused, with a note to leave the
    /// cell empty, in a column of any kind, but for a question that has
    /// it for an option.
    #[test]
    fn a_missing_value_marker_is_refused_with_how_to_leave_a_question_unanswered() {
        let choice = |id: &str| Kind::SingleChoice {
            options: [id, "some"].map(|id| crate::model::Choice { id: id.into(), label: id.into() }).into(),
        };
        let integer = Kind::Integer { min: 0, max: 10, unit: None };
        let number = Kind::Number { min: 0.0, max: 10.0, unit: None };
        for kind in [Kind::YesNo, Kind::YesNoNotSure, choice("none"), integer, number] {
            for marker in ["NA", "n/a", "#N/A", "NULL", "null", "NaN", ".", "-"] {
                let error = parse_cell(&kind, marker).expect_err(marker);
                assert!(
                    error.ends_with(" (leave the cell empty for no answer)"),
                    "{kind:?} {marker}: {error}"
                );
            }
        }
        assert_eq!(parse_cell(&choice("na"), "na"), Ok(Value::Option(0)));
        let error = parse_cell(&choice("na"), "NA").expect_err("not the option's id");
        assert!(error.contains("(did you mean `na`?)") && !error.contains("leave the cell empty"), "{error}");
    }

    /// The shortcut reads a number exactly as serde_json does, and leaves
    /// every other text to it.
    #[test]
    fn plain_integers_read_as_json_reads_them() {
        let texts = [
            "0",
            "7",
            "42",
            "120",
            "999999999999999999",
            "1000000000000000000",
            "007",
            "00",
            "-1",
            "-0",
            "+1",
            "4.0",
            "9.5",
            "1e2",
            " 4",
            "4 ",
            "",
            "٤",
            "forty",
        ];
        for text in texts {
            if let Some(number) = plain_integer(text.as_bytes()) {
                assert_eq!(Some(Json::from(number)), serde_json::from_str::<Json>(text).ok(), "{text:?}");
            }
        }
        assert_eq!(plain_integer(b"120"), Some(120));
        for left_to_json in ["007", "-1", "4.0", " 4", "", "1000000000000000000"] {
            assert_eq!(plain_integer(left_to_json.as_bytes()), None, "{left_to_json:?}");
        }
    }
}
